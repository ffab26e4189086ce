// Auditor key rotation and per-file analysis facts. A key now has a validity interval: valid
// from `created_at` until `retired_at` (rotated out, or the auditor role revoked), and audits
// recorded in that interval stay verifiable with it; `revoked_at` now means compromised, and
// every audit the key signed fails verification. Until now `revoked_at` was only ever set when
// the role was revoked, which is a retirement: those values move to `retired_at`.
// `version_analyses.files` keeps, per `.rs` file, the unsafe counts and the calls into other
// crates, so the diff viewer can say what changed file by file (null on rows analysed before).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('vet_auditor_keys').addColumn('retired_at', 'text').execute();
  await db.schema.alterTable('vet_auditor_keys').addColumn('revoked_reason', 'text').execute();
  await sql`update vet_auditor_keys set retired_at = revoked_at, revoked_at = null where revoked_at is not null`.execute(
    db,
  );
  /** JSON `[{path, used, unsafe: {functions, exprs, itemImpls, itemTraits, methods}, calls: [{path, calls}]}]`. */
  await db.schema.alterTable('version_analyses').addColumn('files', 'text').execute();
}
