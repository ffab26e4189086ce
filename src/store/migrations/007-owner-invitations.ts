// Pending owner invitations (crates.io's `crate_owner_invitations`): one per crate and invitee,
// with who invited, when it lapses, and the hash of the acceptance token (the token itself is
// only ever handed to the invitee).
import type { Kysely } from 'kysely';
import { idColumn, type DialectName } from '../dialect.js';

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await idColumn(db.schema.createTable('crate_owner_invitations'), dialect)
    .addColumn('crate_id', 'integer', (c) => c.notNull().references('crates.id').onDelete('cascade'))
    .addColumn('invitee_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('inviter_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('crate_owner_invitations_crate_invitee', ['crate_id', 'invitee_id'])
    .execute();
  await db.schema
    .createIndex('crate_owner_invitations_invitee')
    .on('crate_owner_invitations')
    .column('invitee_id')
    .execute();
  await db.schema
    .createIndex('crate_owner_invitations_expires')
    .on('crate_owner_invitations')
    .column('expires_at')
    .execute();
}
