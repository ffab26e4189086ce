// How the audit decides that an advisory names a package's source and version: the advisory
// reader's matcher (ranges.ts), so the audit and the registry agree.
import type { Version } from '../../domain/semver.js';
import type { Advisory } from './advisory.js';
import { advisoryAppliesToSource, isVersionAffected, normalizeRegistrySource } from './ranges.js';

export function advisoryIsInSource(advisory: Advisory, packageSource: string | null): boolean {
  return advisoryAppliesToSource(advisory, packageSource);
}

export function versionIsAffected(advisory: Advisory, v: Version): boolean {
  return isVersionAffected(advisory, v);
}

/** The registry a lockfile source names (crates.io's two spellings are one); null for git/path. */
export function canonicalRegistrySource(source: string): string | null {
  return normalizeRegistrySource(source);
}
