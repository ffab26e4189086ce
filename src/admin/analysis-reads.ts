// The answers of the source-analysis admin routes, built from the stored analyses (migration 016):
// a version's unsafe counts and calls, who in the registry calls its crate, the callers of an
// advisory's affected functions, and the crates with the most unsafe code (alone and counting
// what they depend on).
import type { Kysely } from 'kysely';
import type { AnalysisSummary, CalleePaths } from '../analysis/invocation-summary.js';
import { reexportAliases } from '../analysis/reexport-aliases.js';
import { totalUnsafe } from '../analysis/unsafe-counts.js';
import { canonicalCrateName } from '../domain/crate-name.js';
import { tryParseVersion } from '../domain/semver.js';
import { matchesReq, tryParseVersionReq } from '../domain/version-req.js';
import type { EcosystemGraph } from '../graph/ecosystem-graph.js';
import { EdgeFilter, forwardReach } from '../graph/traversal.js';
import type { CrateRow, Database, VersionAnalysisRow, VersionRow } from '../store/schema.js';
import {
  parseInvocations,
  type CallerRow,
  type VersionAnalysisRepository,
} from '../store/version-analyses.js';
import type {
  AdvisoryCaller,
  AffectedCall,
  CalledBy,
  CrateAnalysisVersion,
  PathCalls,
  UnsafeRank,
  VersionAnalysisAnswer,
  VersionUnsafety,
} from './analysis-types.js';

export function unsafetyOf(row: VersionAnalysisRow): VersionUnsafety | null {
  if (row.counts === null) return null;
  const counts = JSON.parse(row.counts) as AnalysisSummary['counts'];
  return {
    used: counts.used,
    unused: counts.unused,
    unsafeUsed: totalUnsafe(counts.used),
    forbidsUnsafe: row.forbids_unsafe === 1,
    parsedFraction: Number(row.parsed_fraction),
  };
}

export function versionListEntry(v: VersionRow, row: VersionAnalysisRow | undefined): CrateAnalysisVersion {
  if (!row)
    return {
      version: v.num,
      status: 'pending',
      unsafeUsed: null,
      forbidsUnsafe: null,
      parsedFraction: null,
      callsInto: 0,
    };
  const ok = row.counts !== null;
  return {
    version: v.num,
    status: ok ? 'analyzed' : 'failed',
    unsafeUsed: ok ? Number(row.unsafe_used) : null,
    forbidsUnsafe: ok ? row.forbids_unsafe === 1 : null,
    parsedFraction: ok ? Number(row.parsed_fraction) : null,
    callsInto: parseInvocations(row).length,
  };
}

/** Caller rows grouped per calling version, keeping the paths each one calls. */
function groupCallers(rows: CallerRow[]): Map<number, { row: CallerRow; calls: number; paths: PathCalls[] }> {
  const out = new Map<number, { row: CallerRow; calls: number; paths: PathCalls[] }>();
  for (const r of rows) {
    const g = out.get(r.versionId) ?? { row: r, calls: 0, paths: [] };
    g.calls += r.calls;
    g.paths.push({ path: r.path, calls: r.calls });
    out.set(r.versionId, g);
  }
  for (const g of out.values()) g.paths.sort((x, y) => y.calls - x.calls || (x.path < y.path ? -1 : 1));
  return out;
}

/** The spellings a dependency row may name a crate by (the registry refuses `-`/`_` twins). */
function spellings(name: string): string[] {
  const c = canonicalCrateName(name);
  return [...new Set([name, c, c.replaceAll('_', '-')])];
}

export async function versionAnalysis(
  db: Kysely<Database>,
  repo: VersionAnalysisRepository,
  krate: CrateRow,
  version: VersionRow,
): Promise<VersionAnalysisAnswer> {
  const row = await repo.get(version.id);
  const invocations: CalleePaths[] = row ? parseInvocations(row) : [];
  const names = invocations.map((c) => c.crate);
  const present = new Set(
    names.length === 0
      ? []
      : (
          await db
            .selectFrom('crates')
            .select('canonical_name')
            .where('canonical_name', 'in', [...new Set(names)])
            .execute()
        ).map((r) => r.canonical_name),
  );

  const own = canonicalCrateName(krate.name);
  const groups = [...groupCallers(await repo.callersOf(krate.name)).values()].filter(
    (g) => canonicalCrateName(g.row.crate) !== own,
  );
  const reqs = new Map<number, string>();
  if (groups.length > 0) {
    const deps = await db
      .selectFrom('dependencies')
      .select(['version_id', 'req'])
      .where(
        'version_id',
        'in',
        groups.map((g) => g.row.versionId),
      )
      .where('crate_name', 'in', spellings(krate.name))
      .where('kind', '!=', 'dev')
      .execute();
    for (const d of deps) reqs.set(d.version_id, d.req);
  }
  const target = tryParseVersion(version.num);
  const calledBy: CalledBy[] = groups.map((g) => {
    const requirement = reqs.get(g.row.versionId) ?? null;
    const req = requirement === null ? null : tryParseVersionReq(requirement);
    return {
      crate: g.row.crate,
      version: g.row.version,
      status: g.row.status,
      calls: g.calls,
      paths: g.paths,
      requirement,
      acceptsThisVersion: req !== null && target !== null && matchesReq(req, target),
    };
  });
  calledBy.sort(
    (x, y) =>
      Number(y.acceptsThisVersion) - Number(x.acceptsThisVersion) ||
      y.calls - x.calls ||
      (x.crate < y.crate ? -1 : x.crate > y.crate ? 1 : 0),
  );
  return {
    crate: krate.name,
    version: version.num,
    status: !row ? 'pending' : row.counts === null ? 'failed' : 'analyzed',
    analyzedAt: row?.analyzed_at ?? null,
    unsafe: row ? unsafetyOf(row) : null,
    error: row?.error ?? null,
    callsInto: invocations.map((c) => ({ ...c, inRegistry: present.has(c.crate) })),
    calledBy,
  };
}

export async function advisoryCallers(
  repo: VersionAnalysisRepository,
  g: EcosystemGraph,
  crateName: string,
  functions: string[],
): Promise<AdvisoryCaller[]> {
  const own = canonicalCrateName(crateName);
  // Each affected function under every path it is reachable by (its crate's `pub use`
  // re-exports, and other crates re-exporting it), so that a caller's stored path matches
  // whichever spelling it used; the path the advisory names comes first.
  const affectedBy = new Map<string, Map<string, string>>(); // callee crate -> path -> affected
  const into = (crates: string[]) => repo.reexportsInto(crates);
  for (const fn of functions) {
    for (const a of await reexportAliases(fn, into)) {
      const paths = affectedBy.get(a.crate) ?? new Map<string, string>();
      if (!paths.has(a.path)) paths.set(a.path, fn);
      affectedBy.set(a.crate, paths);
    }
  }
  const groups = new Map<number, { row: CallerRow; calls: number; functions: AffectedCall[] }>();
  for (const [crate, paths] of affectedBy) {
    for (const r of await repo.callersOf(crate, [...paths.keys()])) {
      // The advisory's crate calling itself is not a dependent (stored calls leave out a crate's
      // calls into itself, so a re-exporting crate never lists its own paths either).
      if (canonicalCrateName(r.crate) === own) continue;
      const x = groups.get(r.versionId) ?? { row: r, calls: 0, functions: [] };
      x.calls += r.calls;
      x.functions.push({ path: r.path, calls: r.calls, affected: paths.get(r.path) ?? r.path });
      groups.set(r.versionId, x);
    }
  }
  const latest = (crate: string, num: string): boolean => {
    const c = g.crateId(crate);
    const v = c < 0 ? -1 : g.versionId(c, num);
    return v >= 0 && g.isLatest(v);
  };
  return [...groups.values()]
    .map((x) => ({
      crate: x.row.crate,
      version: x.row.version,
      status: x.row.status,
      latest: latest(x.row.crate, x.row.version),
      calls: x.calls,
      functions: x.functions.sort((p, q) => q.calls - p.calls || (p.path < q.path ? -1 : 1)),
    }))
    .sort((a, b) => Number(b.latest) - Number(a.latest) || b.calls - a.calls || (a.crate < b.crate ? -1 : 1));
}

const FILTER = new EdgeFilter({ kinds: ['normal', 'build'], includeOptional: true });

/** The crates with the most unsafe code in used files, with what their dependencies add. */
export async function topUnsafe(
  db: Kysely<Database>,
  repo: VersionAnalysisRepository,
  g: EcosystemGraph,
  limit: number,
): Promise<UnsafeRank[]> {
  const top = await repo.topUnsafe(limit);
  // Every analysed version's total, keyed the way the graph names versions.
  const all = await db
    .selectFrom('version_analyses')
    .innerJoin('versions', 'versions.id', 'version_analyses.version_id')
    .innerJoin('crates', 'crates.id', 'versions.crate_id')
    .select(['crates.name', 'versions.num', 'version_analyses.unsafe_used'])
    .where('version_analyses.counts', 'is not', null)
    .execute();
  const unsafeAt = new Map<number, number>();
  for (const r of all) {
    const c = g.crateId(r.name);
    const v = c < 0 ? -1 : g.versionId(c, r.num);
    if (v >= 0) unsafeAt.set(v, Number(r.unsafe_used));
  }
  return top.map((t) => {
    const c = g.crateId(t.crate);
    const root = c < 0 ? -1 : g.versionId(c, t.version);
    let transitive = t.unsafeUsed;
    let analyzed = 0;
    if (root >= 0) {
      for (const r of forwardReach(g, root, FILTER)) {
        if (r.version === root) continue;
        const n = unsafeAt.get(r.version);
        if (n === undefined) continue;
        analyzed++;
        transitive += n;
      }
    }
    return {
      crate: t.crate,
      version: t.version,
      unsafeUsed: t.unsafeUsed,
      forbidsUnsafe: t.forbidsUnsafe,
      transitiveUnsafe: transitive,
      analyzedDependencies: analyzed,
    };
  });
}
