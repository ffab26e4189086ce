// The registry's tables: users and tokens, crates and versions with provenance,
// dependencies, owners, download counts, reserved and recently deleted names.
import type { Kysely } from 'kysely';
import { idColumn, type DialectName } from '../dialect.js';

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await idColumn(db.schema.createTable('users'), dialect)
    .addColumn('login', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text')
    .addColumn('email', 'text')
    .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('password_hash', 'text')
    .addColumn('locked_until', 'text')
    .addColumn('lock_reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await idColumn(db.schema.createTable('api_tokens'), dialect)
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('crate_patterns', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('api_tokens_user').on('api_tokens').column('user_id').execute();

  await idColumn(db.schema.createTable('crates'), dialect)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('canonical_name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text')
    .addColumn('homepage', 'text')
    .addColumn('documentation', 'text')
    .addColumn('repository', 'text')
    .addColumn('readme', 'text')
    .addColumn('keywords', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('categories', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await idColumn(db.schema.createTable('versions'), dialect)
    .addColumn('crate_id', 'integer', (c) => c.notNull().references('crates.id').onDelete('cascade'))
    .addColumn('num', 'text', (c) => c.notNull())
    .addColumn('num_no_build', 'text', (c) => c.notNull())
    .addColumn('checksum', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('yanked', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('yanked_at', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('published'))
    .addColumn('features', 'text', (c) => c.notNull())
    .addColumn('features2', 'text', (c) => c.notNull())
    .addColumn('links', 'text')
    .addColumn('rust_version', 'text')
    .addColumn('license', 'text')
    .addColumn('license_file', 'text')
    .addColumn('description', 'text')
    .addColumn('authors', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('has_build_script', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('is_proc_macro', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('published_at', 'text', (c) => c.notNull())
    .addColumn('published_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('token_id', 'integer', (c) => c.references('api_tokens.id').onDelete('set null'))
    .addColumn('client_ip', 'text')
    .addColumn('user_agent', 'text')
    .addUniqueConstraint('versions_crate_num', ['crate_id', 'num_no_build'])
    .execute();

  await idColumn(db.schema.createTable('dependencies'), dialect)
    .addColumn('version_id', 'integer', (c) => c.notNull().references('versions.id').onDelete('cascade'))
    .addColumn('crate_name', 'text', (c) => c.notNull())
    .addColumn('explicit_name', 'text')
    .addColumn('req', 'text', (c) => c.notNull())
    .addColumn('features', 'text', (c) => c.notNull())
    .addColumn('optional', 'integer', (c) => c.notNull())
    .addColumn('default_features', 'integer', (c) => c.notNull())
    .addColumn('target', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('registry', 'text')
    .execute();
  await db.schema.createIndex('dependencies_version').on('dependencies').column('version_id').execute();
  await db.schema.createIndex('dependencies_crate_name').on('dependencies').column('crate_name').execute();

  await db.schema
    .createTable('crate_owners')
    .addColumn('crate_id', 'integer', (c) => c.notNull().references('crates.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('added_by', 'integer')
    .addPrimaryKeyConstraint('crate_owners_pk', ['crate_id', 'user_id'])
    .execute();
  await db.schema.createIndex('crate_owners_user').on('crate_owners').column('user_id').execute();

  await db.schema
    .createTable('version_downloads')
    .addColumn('version_id', 'integer', (c) => c.notNull().references('versions.id').onDelete('cascade'))
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('downloads', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('version_downloads_pk', ['version_id', 'date'])
    .execute();

  await db.schema
    .createTable('reserved_names')
    .addColumn('canonical_name', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await idColumn(db.schema.createTable('deleted_crates'), dialect)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('canonical_name', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text', (c) => c.notNull())
    .addColumn('available_at', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .execute();
  await db.schema.createIndex('deleted_crates_name').on('deleted_crates').column('canonical_name').execute();
}
