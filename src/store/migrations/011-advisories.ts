// Security advisories held by the registry: synced from advisory databases (RustSec, OSV) or
// authored by operators for this registry's own crates. Which versions an advisory affects is
// not stored: it is computed on read from the advisory's ranges and the versions table, so it
// is always true for versions published, deleted or released after the advisory arrived.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('advisories')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('package', 'text', (c) => c.notNull())
    /** The package's canonical crate name, to find this registry's crate of that name. */
    .addColumn('canonical_package', 'text', (c) => c.notNull())
    .addColumn('collection', 'text', (c) => c.notNull())
    .addColumn('source', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('categories', 'text', (c) => c.notNull())
    .addColumn('informational', 'text')
    .addColumn('withdrawn', 'text')
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('versions', 'text', (c) => c.notNull())
    .addColumn('affected', 'text')
    .addColumn('ranges', 'text', (c) => c.notNull())
    .addColumn('markdown', 'text', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('database', 'text', (c) => c.notNull())
    .addColumn('file', 'text')
    .addColumn('author_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('author', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('advisories_package').on('advisories').column('canonical_package').execute();
  await db.schema.createIndex('advisories_origin').on('advisories').columns(['origin', 'id']).execute();
}
