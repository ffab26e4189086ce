// An advisory's blast radius in this registry: the crates whose latest version depends on an
// affected version, directly or through other crates, with their owners. Affected versions
// that resolve (published) are followed through the graph as cargo resolves it; held ones
// (quarantined by the advisory, which no resolution selects) are not in the graph, so their direct
// dependents are the published versions whose requirement on the crate accepts one of them.
import type { Kysely } from 'kysely';
import { canonicalCrateName } from '../domain/crate-name.js';
import { tryParseVersion } from '../domain/semver.js';
import { matchesReq, tryParseVersionReq } from '../domain/version-req.js';
import type { EcosystemGraph } from '../graph/ecosystem-graph.js';
import { EdgeFilter, reverseReach } from '../graph/traversal.js';
import type { Database } from '../store/schema.js';

export interface AdvisoryDependent {
  crate: string;
  version: string;
  /** 1 for a direct dependent. */
  depth: number;
  owners: string[];
}

export interface AdvisoryBlastRadius {
  /** Affected versions in the index, and those held out of it (quarantined, rejected). */
  inIndex: string[];
  outOfIndex: string[];
  direct: number;
  transitive: number;
  /** Nearest first, at most `limit`. */
  dependents: AdvisoryDependent[];
}

const FILTER = new EdgeFilter({ kinds: ['normal', 'build'], includeOptional: true });

export async function advisoryBlastRadius(
  db: Kysely<Database>,
  g: EcosystemGraph,
  crateName: string,
  affected: readonly string[],
  limit = 500,
): Promise<AdvisoryBlastRadius> {
  const c = g.crateId(crateName);
  const inIndex: number[] = [];
  const outOfIndex: string[] = [];
  for (const num of affected) {
    const v = c < 0 ? -1 : g.versionId(c, num);
    if (v >= 0) inIndex.push(v);
    else outOfIndex.push(num);
  }
  const depth = new Map<number, number>();
  const keep = (v: number, d: number) => {
    const was = depth.get(v);
    if (was === undefined || d < was) depth.set(v, d);
  };
  for (const r of reverseReach(g, inIndex, FILTER)) keep(r.version, r.depth);

  const outVersions = outOfIndex.map(tryParseVersion).filter((v) => v !== null);
  if (outVersions.length > 0) {
    const rows = await db
      .selectFrom('dependencies')
      .innerJoin('versions', 'versions.id', 'dependencies.version_id')
      .innerJoin('crates', 'crates.id', 'versions.crate_id')
      .select(['crates.name', 'versions.num', 'dependencies.req', 'dependencies.crate_name'])
      .where('versions.status', '=', 'published')
      .where('dependencies.kind', '!=', 'dev')
      // The spellings a dependency names the crate by (the column is indexed); cargo writes the
      // crate's own name, and the registry refuses a second crate differing only in `-`/`_`.
      .where('dependencies.crate_name', 'in', [
        ...new Set([
          crateName,
          canonicalCrateName(crateName),
          canonicalCrateName(crateName).replaceAll('_', '-'),
        ]),
      ])
      .execute();
    const seeds: number[] = [];
    for (const r of rows) {
      const req = tryParseVersionReq(r.req);
      if (!req || !outVersions.some((v) => matchesReq(req, v))) continue;
      const dc = g.crateId(r.name);
      const dv = dc < 0 ? -1 : g.versionId(dc, r.num);
      if (dv >= 0) seeds.push(dv);
    }
    for (const s of seeds) keep(s, 1);
    for (const r of reverseReach(g, seeds, FILTER)) keep(r.version, r.depth + 1);
  }

  const latest = [...depth].filter(([v]) => g.isLatest(v)).sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  return {
    inIndex: inIndex.map((v) => g.versionNum[v]!),
    outOfIndex,
    direct: latest.filter(([, d]) => d === 1).length,
    transitive: latest.length,
    dependents: latest.slice(0, limit).map(([v, d]) => ({
      crate: g.crateName(g.versionCrate[v]!),
      version: g.versionNum[v]!,
      depth: d,
      // The graph names owners `user:<login>` (or `team:…`); users are shown by login.
      owners: g.ownersOf(g.versionCrate[v]!).map((o) => (o.startsWith('user:') ? o.slice(5) : o)),
    })),
  };
}
