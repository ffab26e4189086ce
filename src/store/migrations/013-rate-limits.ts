// Per-subject token buckets for rate-limited actions (crates.io's `publish_limit_buckets`),
// per-user overrides of a bucket's burst with an optional expiry (`publish_rate_overrides`),
// and when a token's owner was last warned that it expires soon.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rate_limit_buckets')
    /** `user:<id>` for a signed-in actor, `ip:<address>` before sign-in. */
    .addColumn('subject', 'text', (c) => c.notNull())
    /** publish-new, publish-update, yank, sign-in, token-create. */
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('tokens', 'integer', (c) => c.notNull())
    /** Milliseconds since the epoch: refills are whole multiples of the rate after it. */
    .addColumn('last_refill_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('rate_limit_buckets_pk', ['subject', 'action'])
    .execute();
  await db.schema
    .createTable('rate_limit_overrides')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('burst', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('rate_limit_overrides_pk', ['user_id', 'action'])
    .execute();
  await db.schema.alterTable('api_tokens').addColumn('expiry_warned_at', 'text').execute();
}
