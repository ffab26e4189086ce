// Source analysis stored per version: cargo-geiger's unsafe counts of the published `.crate`,
// whether its entry points forbid unsafe code, how much of it parsed, and a summary of the
// calls it makes into other crates (callee crate, function path, call count), one row per
// path so "who calls this crate / this function" is an indexed lookup.
import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('version_analyses')
    .addColumn('version_id', 'integer', (c) => c.primaryKey().references('versions.id').onDelete('cascade'))
    /** JSON `{used, unused}` of geiger counters; null when the analysis failed outright. */
    .addColumn('counts', 'text')
    /** Unsafe items in used files (functions + exprs + impls + traits + methods), for ranking. */
    .addColumn('unsafe_used', 'integer', (c) => c.notNull())
    .addColumn('forbids_unsafe', 'integer', (c) => c.notNull())
    /** Share of the source outside tree-sitter ERROR nodes, 0..1. */
    // PostgreSQL's `real` is 4 bytes: 0.95 would read back as 0.949999988.
    .addColumn('parsed_fraction', dialect === 'postgres' ? 'double precision' : 'real', (c) => c.notNull())
    /** Why the analysis failed or was partial; null when everything parsed. */
    .addColumn('error', 'text')
    /** JSON `[{crate, calls, paths: [{path, calls}]}]`, the calls into other crates. */
    .addColumn('invocations', 'text', (c) => c.notNull())
    .addColumn('analyzed_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('version_callees')
    .addColumn('version_id', 'integer', (c) => c.notNull().references('versions.id').onDelete('cascade'))
    /** The callee crate's canonical name (lowercase, `-` as `_`). */
    .addColumn('callee_crate', 'text', (c) => c.notNull())
    /** The resolved function path, as the analysis writes it (`serde_json::from_str`). */
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('calls', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('version_callees_pk', ['version_id', 'callee_crate', 'path'])
    .execute();
  await db.schema
    .createIndex('version_callees_callee')
    .on('version_callees')
    .columns(['callee_crate', 'path'])
    .execute();
}
