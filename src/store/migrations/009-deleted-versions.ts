// Version numbers that were published and then deleted. Lockfiles pin a version and its
// checksum, so a number once used is never given to other content (crates.io's rule).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('deleted_versions')
    .addColumn('canonical_name', 'text', (c) => c.notNull())
    .addColumn('num', 'text', (c) => c.notNull())
    .addColumn('num_no_build', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('deleted_versions_pk', ['canonical_name', 'num_no_build'])
    .execute();
}
