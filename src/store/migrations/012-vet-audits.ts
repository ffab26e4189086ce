// The registry as an audit authority (cargo-vet's model): an `auditor` role on users, one
// Ed25519 signing key per auditor (public key published; private key encrypted at rest with the
// registry's key-encryption key), the registry's own criteria, signed audits bound to the
// checksums of the `.crate` files reviewed, and other organisations' audit sets kept for display.
import type { Kysely } from 'kysely';
import { idColumn, type DialectName } from '../dialect.js';

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('is_auditor', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('vet_auditor_keys')
    /** First 16 bytes of SHA-256 over the SPKI DER public key, hex. */
    .addColumn('key_id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    /** SPKI PEM. */
    .addColumn('public_key', 'text', (c) => c.notNull())
    /** AES-256-GCM over the PKCS#8 DER private key, base64 of iv|tag|ciphertext. */
    .addColumn('private_key_enc', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('vet_auditor_keys_user').on('vet_auditor_keys').column('user_id').execute();
  await db.schema
    .createTable('vet_criteria')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('description', 'text', (c) => c.notNull())
    /** JSON array of criteria names. */
    .addColumn('implies', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await idColumn(db.schema.createTable('vet_audits'), dialect)
    .addColumn('crate_name', 'text', (c) => c.notNull())
    .addColumn('canonical_name', 'text', (c) => c.notNull())
    /** `full`, `delta` or `violation`. */
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('version', 'text')
    .addColumn('delta_from', 'text')
    .addColumn('delta_to', 'text')
    .addColumn('violation', 'text')
    /** JSON array, sorted. */
    .addColumn('criteria', 'text', (c) => c.notNull())
    .addColumn('who', 'text', (c) => c.notNull())
    .addColumn('notes', 'text')
    /** JSON `[{version, sha256}]` of the files reviewed (empty for a violation). */
    .addColumn('checksums', 'text', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('importable', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('recorded_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .execute();
  await db.schema
    .createIndex('vet_audits_crate')
    .on('vet_audits')
    .columns(['canonical_name', 'id'])
    .execute();
  await db.schema
    .createTable('vet_imports')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('audits_toml', 'text', (c) => c.notNull())
    .addColumn('audit_count', 'integer', (c) => c.notNull())
    .addColumn('imported_at', 'text', (c) => c.notNull())
    .execute();
}
