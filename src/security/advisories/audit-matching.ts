// How the audit decides that an advisory names a package's source and version. Kept in one
// place so the audit uses the same rules as the advisory reader's matcher.
import { compareVersions, type Version } from '../../domain/semver.js';
import type { Advisory } from './advisory.js';

const CRATES_IO = 'registry+https://github.com/rust-lang/crates.io-index';
const CRATES_IO_SPARSE = 'sparse+https://index.crates.io/';

/** The registry a source id names, without a `#precise` or `?query`, crates.io canonical. */
export function canonicalRegistrySource(source: string): string {
  let s = source;
  const hash = s.indexOf('#');
  if (hash >= 0) s = s.slice(0, hash);
  if (s === CRATES_IO_SPARSE || s === `${CRATES_IO}/`) return CRATES_IO;
  return s.endsWith('/') && s.startsWith('registry+') ? s.slice(0, -1) : s;
}

/** An advisory without `source` is about crates.io; one with a source names that registry. */
export function advisoryIsInSource(advisory: Advisory, packageSource: string | null): boolean {
  if (packageSource === null) return false;
  if (!packageSource.startsWith('registry+') && !packageSource.startsWith('sparse+')) return false;
  const wanted = canonicalRegistrySource(advisory.metadata.source ?? CRATES_IO);
  return canonicalRegistrySource(packageSource) === wanted;
}

/** `introduced <= v < fixed` by semver precedence for any of the advisory's ranges. */
export function versionIsAffected(advisory: Advisory, v: Version): boolean {
  for (const r of advisory.ranges) {
    if (r.introduced !== null && compareVersions(v, r.introduced) < 0) continue;
    if (r.fixed !== null && compareVersions(v, r.fixed) >= 0) continue;
    return true;
  }
  return false;
}
