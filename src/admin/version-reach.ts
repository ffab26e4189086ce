// How far each version of a crate has travelled: its downloads (in all, the last 7 and 30 days)
// and the crates whose requirement on the crate accepts it. A yanked version keeps its
// dependents: lockfiles pin it, and the resolver's graph (which never picks a yanked version)
// would count none. Two queries for all of a crate's versions, whatever their number.
import { sql, type Kysely } from 'kysely';
import { canonicalCrateName } from '../domain/crate-name.js';
import { tryParseVersion } from '../domain/semver.js';
import { matchesReq, tryParseVersionReq, type VersionReq } from '../domain/version-req.js';
import type { Database } from '../store/schema.js';
import type { RequirementDependents, VersionDownloads } from './api-types.js';

export interface VersionReach {
  downloads: VersionDownloads;
  dependents: RequirementDependents;
}

const DAY = 86_400_000;
const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * The reach of each of `versions` (of the crate `crateName`, row id `crateId`), by version
 * number, and of all of them together (`crate`: downloads summed, dependents counted once).
 */
export async function versionReach(
  db: Kysely<Database>,
  crateId: number,
  crateName: string,
  versions: readonly { id: number; num: string }[],
  now = new Date(),
): Promise<{ byVersion: Map<string, VersionReach>; crate: VersionReach }> {
  // Today counts as one of the 7 (and 30) days, as the downloads chart's days do.
  const since7 = day(new Date(now.getTime() - 6 * DAY));
  const since30 = day(new Date(now.getTime() - 29 * DAY));
  const downloads = await db
    .selectFrom('version_downloads')
    .innerJoin('versions', 'versions.id', 'version_downloads.version_id')
    .select([
      'version_downloads.version_id',
      (eb) => eb.fn.sum<string | number>('version_downloads.downloads').as('total'),
      sql<
        string | number
      >`sum(case when version_downloads.date >= ${since7} then version_downloads.downloads else 0 end)`.as(
        'last7',
      ),
      sql<
        string | number
      >`sum(case when version_downloads.date >= ${since30} then version_downloads.downloads else 0 end)`.as(
        'last30',
      ),
    ])
    .where('versions.crate_id', '=', crateId)
    .groupBy('version_downloads.version_id')
    .execute();
  const dl = new Map(
    downloads.map((r) => [
      r.version_id,
      { total: Number(r.total), last7Days: Number(r.last7), last30Days: Number(r.last30) },
    ]),
  );

  // Every published version naming the crate in a normal or build dependency of this registry
  // (a dependency with a `registry` is another registry's crate of that name). The spellings a
  // dependency may name it by: cargo writes the crate's own name, and the registry refuses a
  // second crate differing only in `-`/`_`.
  const canonical = canonicalCrateName(crateName);
  const rows = await db
    .selectFrom('dependencies')
    .innerJoin('versions', 'versions.id', 'dependencies.version_id')
    .select(['versions.crate_id', 'versions.id', 'dependencies.req'])
    .where('dependencies.crate_name', 'in', [
      ...new Set([crateName, canonical, canonical.replaceAll('_', '-')]),
    ])
    .where('dependencies.kind', '!=', 'dev')
    .where('dependencies.registry', 'is', null)
    .where('versions.status', '=', 'published')
    .where('versions.crate_id', '!=', crateId)
    .execute();
  const reqs = new Map<string, VersionReq | null>();
  const parsedReq = (text: string) => {
    if (!reqs.has(text)) reqs.set(text, tryParseVersionReq(text));
    return reqs.get(text)!;
  };

  const byVersion = new Map<string, VersionReach>();
  const allCrates = new Set<number>();
  const allVersions = new Set<number>();
  const sum: VersionDownloads = { total: 0, last7Days: 0, last30Days: 0 };
  for (const v of versions) {
    const parsed = tryParseVersion(v.num);
    const crates = new Set<number>();
    const dependents = new Set<number>();
    if (parsed) {
      for (const r of rows) {
        const req = parsedReq(r.req);
        if (!req || !matchesReq(req, parsed)) continue;
        crates.add(r.crate_id);
        dependents.add(r.id);
        allCrates.add(r.crate_id);
        allVersions.add(r.id);
      }
    }
    const d = dl.get(v.id) ?? { total: 0, last7Days: 0, last30Days: 0 };
    sum.total += d.total;
    sum.last7Days += d.last7Days;
    sum.last30Days += d.last30Days;
    byVersion.set(v.num, { downloads: d, dependents: { crates: crates.size, versions: dependents.size } });
  }
  return {
    byVersion,
    crate: { downloads: sum, dependents: { crates: allCrates.size, versions: allVersions.size } },
  };
}
