// Query specs: `serde` (every version), `serde@1.0.100` (that exact version), or
// `serde@<1.0.100` / `serde@^1.0, <1.0.5` / `serde@1.0` (a cargo version requirement; a bare
// partial version like `1.0` means `^1.0`, as in Cargo.toml).
import { compareVersions, tryParseVersion } from '../domain/semver.js';
import type { Version } from '../domain/semver.js';
import { matchesReq, tryParseVersionReq } from '../domain/version-req.js';
import type { VersionReq } from '../domain/version-req.js';
import { V_INVALID, V_YANKED } from './ecosystem-graph.js';
import type { EcosystemGraph } from './ecosystem-graph.js';

export type VersionSpec =
  | { crate: string; text: string; kind: 'any' }
  | { crate: string; text: string; kind: 'exact'; version: string; parsed: Version }
  | { crate: string; text: string; kind: 'req'; req: VersionReq };

export class SpecError extends Error {
  override name = 'SpecError';
}

export function parseSpec(text: string): VersionSpec {
  const s = text.trim();
  const at = s.indexOf('@');
  const crate = at < 0 ? s : s.slice(0, at);
  if (crate.length === 0 || !/^[A-Za-z0-9_-]+$/.test(crate)) {
    throw new SpecError(`invalid crate name in ${JSON.stringify(text)}`);
  }
  if (at < 0) return { crate, text: s, kind: 'any' };
  const rest = s.slice(at + 1).trim();
  const exact = tryParseVersion(rest);
  if (exact) return { crate, text: s, kind: 'exact', version: rest, parsed: exact };
  const req = tryParseVersionReq(rest);
  if (!req)
    throw new SpecError(`invalid version or requirement ${JSON.stringify(rest)} in ${JSON.stringify(text)}`);
  return { crate, text: s, kind: 'req', req };
}

function crateOrThrow(g: EcosystemGraph, spec: VersionSpec): number {
  const c = g.crateId(spec.crate);
  if (c < 0) throw new SpecError(`no crate named ${JSON.stringify(spec.crate)} in the graph`);
  return c;
}

/** The versions a spec names (yanked ones included: they are still "affected"). */
export function specVersions(g: EcosystemGraph, spec: VersionSpec): number[] {
  const c = crateOrThrow(g, spec);
  const out: number[] = [];
  for (let v = g.crateVersionStart[c]!; v < g.crateVersionStart[c + 1]!; v++) {
    if (spec.kind === 'any') {
      out.push(v);
      continue;
    }
    if (g.versionFlags[v]! & V_INVALID) continue;
    const parsed = tryParseVersion(g.versionNum[v]!)!;
    if (spec.kind === 'exact' ? compareVersions(parsed, spec.parsed) === 0 : matchesReq(spec.req, parsed)) {
      out.push(v);
    }
  }
  return out;
}

/**
 * The single version a spec picks as a root: the exact version, the highest non-yanked match
 * of a requirement, or the crate's latest version (its highest version when all are yanked).
 */
export function specRoot(g: EcosystemGraph, spec: VersionSpec): number {
  const c = crateOrThrow(g, spec);
  const versions = specVersions(g, spec);
  if (versions.length === 0)
    throw new SpecError(`no version of ${spec.crate} matches ${JSON.stringify(spec.text)}`);
  if (spec.kind === 'exact') {
    return versions.find((v) => g.versionNum[v] === spec.version) ?? versions[0]!;
  }
  if (spec.kind === 'any' && g.crateLatest[c]! >= 0) return g.crateLatest[c]!;
  for (let i = versions.length - 1; i >= 0; i--) {
    if (!(g.versionFlags[versions[i]!]! & V_YANKED)) return versions[i]!;
  }
  return versions[versions.length - 1]!;
}
