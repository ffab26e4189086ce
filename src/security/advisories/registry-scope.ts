// Which advisories concern this registry's crates, and which of a crate's versions they affect.
//
// The rule (docs/advisories.md):
// - an advisory *applies* to this registry's crate of the same name when its `source` names
//   this registry (the registry's own advisories), or when its source is crates.io and the
//   registry is configured as a crates.io mirror (its crates are crates.io's);
// - a `malicious` advisory naming a crate present here is worth a critical alert whatever its
//   source: a local crate with the name of known malware is either that malware or a name
//   collision a responder must look at. Only advisories that apply quarantine automatically.
import { tryParseVersion } from '../../domain/semver.js';
import type { Advisory } from './advisory.js';
import { CRATES_IO_SPARSE_INDEX, advisoryAppliesToSource, isVersionAffected } from './ranges.js';

export type AdvisoryScope = 'applies' | 'name-only';

export interface RegistryIdentity {
  /** This registry's cargo SourceId, `sparse+<public URL>/index/`. */
  source: string;
  /** Advisories for crates.io apply to this registry's crates of the same name. */
  cratesIoMirror: boolean;
}

/** This registry's SourceId as cargo writes it in lockfiles and as advisories name it. */
export function registrySourceId(publicUrl: string): string {
  return `sparse+${publicUrl.replace(/\/+$/, '')}/index/`;
}

/** How an advisory for a crate name present here relates to that crate. */
export function advisoryScope(advisory: Advisory, registry: RegistryIdentity): AdvisoryScope {
  if (advisory.metadata.collection !== 'crates') return 'name-only';
  if (advisoryAppliesToSource(advisory, registry.source)) return 'applies';
  if (registry.cratesIoMirror && advisoryAppliesToSource(advisory, CRATES_IO_SPARSE_INDEX)) return 'applies';
  return 'name-only';
}

export function isMalicious(advisory: Advisory): boolean {
  return advisory.metadata.categories.includes('malicious');
}

/** The version numbers among `nums` the advisory affects (none when it is withdrawn). */
export function affectedNums(advisory: Advisory, nums: readonly string[]): string[] {
  if (advisory.metadata.withdrawn !== null) return [];
  return nums.filter((n) => {
    const v = tryParseVersion(n);
    return v !== null && isVersionAffected(advisory, v);
  });
}
