// The dependencies a sandboxed build gets: the crate's normal and build dependencies (and
// theirs), each resolved to the newest non-yanked version of this registry's own index that
// matches the requirement, with its .crate file from the blob store. Development
// dependencies are left out (the crate is built as a dependency, where cargo ignores them).
import type { ManifestDependency } from '../domain/manifest.js';
import { compareVersions, tryParseVersion } from '../domain/semver.js';
import { matchesReq, tryParseVersionReq } from '../domain/version-req.js';
import type { VendoredCrate } from '../security/sandbox/index.js';
import type { BlobStore } from '../store/blob-store.js';
import type { CrateRepository } from '../store/crates.js';

/** Far above a build script's or proc-macro's real dependency tree. */
const MAX_CRATES = 300;

export async function vendorFromRegistry(
  crates: CrateRepository,
  blobs: BlobStore,
  deps: readonly Pick<ManifestDependency, 'name' | 'req' | 'kind'>[],
): Promise<VendoredCrate[]> {
  const out: VendoredCrate[] = [];
  const seen = new Set<string>();
  const queue = deps.filter((d) => d.kind !== 'dev').map((d) => ({ name: d.name, req: d.req }));
  while (queue.length > 0 && out.length < MAX_CRATES) {
    const { name, req } = queue.shift()!;
    const crate = await crates.findByName(name);
    const parsedReq = tryParseVersionReq(req);
    if (!crate || !parsedReq) continue; // cargo reports what is missing, inside the sandbox
    const best = (await crates.indexLines(crate.id, { held: 'omit' }))
      .filter((l) => !l.yanked)
      .map((l) => ({ line: l, v: tryParseVersion(l.vers) }))
      .filter((x) => x.v !== null && matchesReq(parsedReq, x.v))
      .sort((a, b) => compareVersions(b.v!, a.v!))[0];
    if (!best) continue;
    const key = `${best.line.name}@${best.line.vers}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const bytes = await blobs.get(best.line.cksum);
    if (!bytes) continue;
    out.push({ name: best.line.name, version: best.line.vers, bytes });
    for (const d of best.line.deps)
      if (d.kind !== 'dev') queue.push({ name: d.package ?? d.name, req: d.req });
  }
  return out;
}
