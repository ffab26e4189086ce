// The `pub use` re-exports of each analysed version's lib, so that the callers of an advisory's
// affected function are found under every path the function is reachable by: `callee::f` when
// the callee's lib.rs has `pub use inner::f`, `facade::module::f` when another crate has
// `pub use callee::module`. One row per re-export, indexed by the crate it points into.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('version_reexports')
    .addColumn('version_id', 'integer', (c) => c.notNull().references('versions.id').onDelete('cascade'))
    /** The path the re-export makes (`facade::module`; for a glob, the module holding it). */
    .addColumn('path', 'text', (c) => c.notNull())
    /** Canonical name (lowercase, `-` as `_`) of the crate the target is in. */
    .addColumn('target_crate', 'text', (c) => c.notNull())
    /** The path re-exported (`callee::module`; for a glob, the module whose names it takes). */
    .addColumn('target_path', 'text', (c) => c.notNull())
    /** 1 for `pub use target::*`. */
    .addColumn('glob', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('version_reexports_pk', ['version_id', 'path', 'target_path', 'glob'])
    .execute();
  await db.schema
    .createIndex('version_reexports_target')
    .on('version_reexports')
    .columns(['target_crate', 'target_path'])
    .execute();
}
