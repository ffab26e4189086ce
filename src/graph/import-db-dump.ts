// Feeds a crates.io database dump into a GraphBuilder. The dump's tables arrive in whatever
// order the tarball holds them and refer to each other by id, so rows are collected first and
// joined once everything is read.
import { readDbDump } from '../formats/db-dump.js';
import type { DbDumpProgress, DumpDependency, DumpOwner, DumpVersion } from '../formats/db-dump.js';
import { DUPLICATE_VERSION, GraphBuilder } from './graph-builder.js';

export interface ImportDbDumpResult {
  builder: GraphBuilder;
  timestamp: string | null;
  /** Rows that point at a crate, version or owner the dump does not have. */
  dangling: { versions: number; dependencies: number; owners: number };
}

export async function importDbDump(
  source: string,
  opts: { onProgress?: (p: DbDumpProgress) => void } = {},
  builder: GraphBuilder = new GraphBuilder(),
): Promise<ImportDbDumpResult> {
  const crates = new Map<number, string>();
  const versions: DumpVersion[] = [];
  const deps: DumpDependency[] = [];
  const owners: DumpOwner[] = [];
  const users = new Map<number, string>();
  const teams = new Map<number, string>();
  const read = await readDbDump(
    source,
    {
      crate: (r) => crates.set(r.id, r.name),
      version: (r) => versions.push(r),
      dependency: (r) => deps.push(r),
      owner: (r) => owners.push(r),
      user: (r) => users.set(r.id, r.login),
      team: (r) => teams.set(r.id, r.login),
    },
    opts.onProgress ? { onProgress: opts.onProgress } : {},
  );

  const dangling = { versions: 0, dependencies: 0, owners: 0 };
  // Crates without versions still exist (and can be depended on by name, unresolvably).
  for (const name of crates.values()) builder.addCrate(name);
  const handles = new Map<number, number>();
  for (const v of versions) {
    const crate = crates.get(v.crateId);
    if (crate === undefined) {
      dangling.versions++;
      continue;
    }
    const h = builder.addVersion(crate, v.num, { yanked: v.yanked, publishedAt: v.createdAt });
    if (h !== DUPLICATE_VERSION) handles.set(v.id, h);
  }
  // Dependency ids follow insertion order, which is the manifest's declaration order.
  deps.sort((a, b) => a.id - b.id);
  for (const d of deps) {
    const h = handles.get(d.versionId);
    const crate = crates.get(d.crateId);
    if (h === undefined || crate === undefined) {
      dangling.dependencies++;
      continue;
    }
    builder.addDependency(h, {
      crate,
      req: d.req,
      kind: d.kind,
      optional: d.optional,
      defaultFeatures: d.defaultFeatures,
      features: d.features,
      target: d.target,
      rename: d.explicitName,
    });
  }
  for (const o of owners) {
    const crate = crates.get(o.crateId);
    const login = (o.ownerKind === 'user' ? users : teams).get(o.ownerId);
    if (crate === undefined || login === undefined) {
      dangling.owners++;
      continue;
    }
    builder.addOwner(crate, { login, kind: o.ownerKind });
  }
  return { builder, timestamp: read.timestamp, dangling };
}
