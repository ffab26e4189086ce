// Source analyses stored per version (migration 016): one row of counts per version and one row
// per function path it calls in another crate. Saving replaces what a version had, in one
// transaction, so running the analysis job twice leaves the same rows.
import type { Kysely } from 'kysely';
import type { AnalysisSummary, CalleePaths } from '../analysis/invocation-summary.js';
import { canonicalCrateName } from '../domain/crate-name.js';
import type { Database, VersionAnalysisRow } from './schema.js';
import { nowIso } from './time.js';

/** A version's analysis that could not run at all (no Cargo.toml, timed out). */
export interface FailedAnalysis {
  error: string;
}

export interface CallerRow {
  versionId: number;
  crate: string;
  version: string;
  status: string;
  path: string;
  calls: number;
}

/** A stored re-export with the canonical name of the crate whose version makes it. */
export interface ReexportRow {
  crate: string;
  path: string;
  targetCrate: string;
  target: string;
  glob: boolean;
}

export class VersionAnalysisRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Replaces the version's analysis; give a transaction to commit it with other records. */
  async save(
    versionId: number,
    result: AnalysisSummary | FailedAnalysis,
    now = new Date(),
    db: Kysely<Database> = this.db,
  ): Promise<void> {
    const ok = 'counts' in result;
    const run = async (trx: Kysely<Database>) => {
      await trx.deleteFrom('version_callees').where('version_id', '=', versionId).execute();
      await trx.deleteFrom('version_reexports').where('version_id', '=', versionId).execute();
      await trx.deleteFrom('version_analyses').where('version_id', '=', versionId).execute();
      await trx
        .insertInto('version_analyses')
        .values({
          version_id: versionId,
          counts: ok ? JSON.stringify(result.counts) : null,
          unsafe_used: ok ? result.unsafeUsed : 0,
          forbids_unsafe: ok && result.forbidsUnsafe ? 1 : 0,
          parsed_fraction: ok ? result.parsedFraction : 0,
          error: result.error,
          invocations: JSON.stringify(ok ? result.invocations : []),
          files: ok ? JSON.stringify(result.files) : null,
          analyzed_at: nowIso(now),
        })
        .execute();
      if (!ok) return;
      const rows = result.invocations.flatMap((c) =>
        c.paths.map((p) => ({ version_id: versionId, callee_crate: c.crate, path: p.path, calls: p.calls })),
      );
      // Chunks keep each statement under SQLite's bound-parameter limit.
      for (let i = 0; i < rows.length; i += 200)
        await trx
          .insertInto('version_callees')
          .values(rows.slice(i, i + 200))
          .execute();
      const seen = new Set<string>();
      const reexports = result.reexports
        .map((r) => ({
          version_id: versionId,
          path: r.path,
          target_crate: r.targetCrate,
          target_path: r.target,
          glob: r.glob ? (1 as const) : (0 as const),
        }))
        .filter((r) => {
          const key = `${r.path}\0${r.target_path}\0${r.glob}`;
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        });
      for (let i = 0; i < reexports.length; i += 150)
        await trx
          .insertInto('version_reexports')
          .values(reexports.slice(i, i + 150))
          .execute();
    };
    if (db === this.db) await this.db.transaction().execute(run);
    else await run(db);
  }

  async get(versionId: number): Promise<VersionAnalysisRow | undefined> {
    return this.db
      .selectFrom('version_analyses')
      .selectAll()
      .where('version_id', '=', versionId)
      .executeTakeFirst();
  }

  /** The analyses of these versions (for a crate's version list). */
  async forVersions(versionIds: readonly number[]): Promise<Map<number, VersionAnalysisRow>> {
    if (versionIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('version_analyses')
      .selectAll()
      .where('version_id', 'in', [...new Set(versionIds)])
      .execute();
    return new Map(rows.map((r) => [r.version_id, r]));
  }

  /**
   * Every call site summary into `crateName` from other versions in the registry, optionally
   * only these function paths. Versions that were deleted are gone with their rows (cascade).
   */
  async callersOf(crateName: string, paths?: readonly string[]): Promise<CallerRow[]> {
    if (paths !== undefined && paths.length === 0) return [];
    let q = this.db
      .selectFrom('version_callees')
      .innerJoin('versions', 'versions.id', 'version_callees.version_id')
      .innerJoin('crates', 'crates.id', 'versions.crate_id')
      .select([
        'versions.id as versionId',
        'crates.name as crate',
        'versions.num as version',
        'versions.status as status',
        'version_callees.path as path',
        'version_callees.calls as calls',
      ])
      .where('version_callees.callee_crate', '=', canonicalCrateName(crateName));
    if (paths !== undefined) q = q.where('version_callees.path', 'in', [...new Set(paths)]);
    const rows = await q.orderBy('crates.canonical_name').orderBy('versions.id').limit(20_000).execute();
    return rows.map((r) => ({ ...r, calls: Number(r.calls) }));
  }

  /**
   * The re-exports pointing into these crates (`target_crate`), from every analysed version:
   * the owner crate's canonical name with each, so `pub use` chains can be walked backwards.
   */
  async reexportsInto(crateNames: readonly string[]): Promise<ReexportRow[]> {
    if (crateNames.length === 0) return [];
    const rows = await this.db
      .selectFrom('version_reexports')
      .innerJoin('versions', 'versions.id', 'version_reexports.version_id')
      .innerJoin('crates', 'crates.id', 'versions.crate_id')
      .select([
        'crates.canonical_name as crate',
        'version_reexports.path as path',
        'version_reexports.target_crate as targetCrate',
        'version_reexports.target_path as target',
        'version_reexports.glob as glob',
      ])
      .where('version_reexports.target_crate', 'in', [...new Set(crateNames.map(canonicalCrateName))])
      .distinct()
      .limit(20_000)
      .execute();
    return rows.map((r) => ({ ...r, glob: Number(r.glob) === 1 }));
  }

  /** Versions with the most unsafe code in used files, most first. */
  async topUnsafe(limit: number): Promise<
    {
      versionId: number;
      crateId: number;
      crate: string;
      version: string;
      unsafeUsed: number;
      forbidsUnsafe: boolean;
    }[]
  > {
    const rows = await this.db
      .selectFrom('version_analyses')
      .innerJoin('versions', 'versions.id', 'version_analyses.version_id')
      .innerJoin('crates', 'crates.id', 'versions.crate_id')
      .select([
        'versions.id as versionId',
        'crates.id as crateId',
        'crates.name as crate',
        'versions.num as version',
        'version_analyses.unsafe_used as unsafeUsed',
        'version_analyses.forbids_unsafe as forbidsUnsafe',
      ])
      // Each crate once, by its newest live version.
      .whereRef('versions.num', '=', 'crates.max_version')
      .where('version_analyses.counts', 'is not', null)
      .orderBy('version_analyses.unsafe_used', 'desc')
      .orderBy('crates.canonical_name')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      ...r,
      unsafeUsed: Number(r.unsafeUsed),
      forbidsUnsafe: r.forbidsUnsafe === 1,
    }));
  }
}

export function parseInvocations(row: VersionAnalysisRow): CalleePaths[] {
  return JSON.parse(row.invocations) as CalleePaths[];
}
