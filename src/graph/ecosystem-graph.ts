// The compact, immutable ecosystem graph: crates, versions and dependency edges held in typed
// arrays (struct-of-arrays, CSR adjacency both ways) plus a few string tables. Built by
// GraphBuilder, saved and loaded by graph-cache. Every query walks these arrays.
import { canonicalCrateName } from '../domain/crate-name.js';
import type { DependencyKind } from '../domain/index-line.js';

/** Version flags. */
export const V_YANKED = 1;
export const V_PRERELEASE = 2;
/** The version string is not valid semver: it never matches a requirement. */
export const V_INVALID = 4;

/** Dependency flags: bits 0–1 are the kind. */
export const D_KIND_MASK = 3;
export const D_OPTIONAL = 4;
export const D_DEFAULT_FEATURES = 8;
/** The dependency names another registry. */
export const D_EXTERNAL = 16;

export const KIND_CODE: Record<DependencyKind, number> = { normal: 0, build: 1, dev: 2 };
export const KIND_NAMES: readonly DependencyKind[] = ['normal', 'build', 'dev'];

/** Why a dependency has no resolved version (values of `depResolved` below zero). */
export const UNRESOLVED_UNKNOWN_CRATE = -1;
export const UNRESOLVED_NO_MATCH = -2;
export const UNRESOLVED_BAD_REQ = -3;
export const UNRESOLVED_EXTERNAL = -4;

export const UNRESOLVED_REASONS: Record<number, string> = {
  [UNRESOLVED_UNKNOWN_CRATE]: 'unknown crate',
  [UNRESOLVED_NO_MATCH]: 'no matching non-yanked version',
  [UNRESOLVED_BAD_REQ]: 'unparsable requirement',
  [UNRESOLVED_EXTERNAL]: 'other registry',
};

export interface GraphStats {
  crates: number;
  versions: number;
  yankedVersions: number;
  prereleaseVersions: number;
  invalidVersions: number;
  /** Versions added twice (same crate and version string); the first one is kept. */
  duplicateVersions: number;
  /** Crates whose every version is yanked: they have no latest version. */
  cratesWithoutLatest: number;
  dependencies: number;
  byKind: Record<DependencyKind, number>;
  optional: number;
  renamed: number;
  targetSpecific: number;
  resolved: number;
  unresolved: { unknownCrate: number; noMatch: number; badReq: number; externalRegistry: number };
  /** Dependencies whose name matched a crate only case- or `-`/`_`-insensitively. */
  resolvedByFoldedName: number;
  distinctRequirements: number;
  unparsableRequirements: number;
  owners: number;
  ownerships: number;
  buildMs: number;
}

/** The arrays and tables of a graph; exactly what the cache stores. */
export interface GraphData {
  crateNames: string[];
  /** Versions of crate c are [crateVersionStart[c], crateVersionStart[c+1]), ascending semver. */
  crateVersionStart: Uint32Array;
  /** Highest non-yanked release, else highest non-yanked pre-release, else -1. */
  crateLatest: Int32Array;
  /** Owners of crate c are ownerRefs[crateOwnerStart[c] .. crateOwnerStart[c+1]). */
  crateOwnerStart: Uint32Array;
  ownerRefs: Uint32Array;
  /** Owner logins, `user:login` or `team:login`. */
  owners: string[];

  versionCrate: Uint32Array;
  versionNum: string[];
  versionFlags: Uint8Array;
  /** Publish time in ms since the epoch, NaN when unknown. */
  versionPublished: Float64Array;

  /** Dependencies of version v are edges [depStart[v], depStart[v+1]). */
  depStart: Uint32Array;
  depFlags: Uint8Array;
  /** Crate the dependency names (the real package), -1 when not in this graph. */
  depCrate: Int32Array;
  /** String-table indexes; 0 is the empty string. */
  depName: Uint32Array;
  depReq: Uint32Array;
  depFeatures: Uint32Array;
  depTarget: Uint32Array;
  depRename: Uint32Array;
  /** Resolved version, or an UNRESOLVED_* code. */
  depResolved: Int32Array;

  /** Resolved edges into version v: revFrom/revFlags[revStart[v] .. revStart[v+1]). */
  revStart: Uint32Array;
  revFrom: Uint32Array;
  revFlags: Uint8Array;

  /** Interned strings for requirements, features (comma-joined), targets, names. */
  strings: string[];
  stats: GraphStats;
}

export interface VersionInfo {
  id: number;
  crate: string;
  num: string;
  yanked: boolean;
  prerelease: boolean;
  latest: boolean;
  published: string | null;
}

export interface DependencyInfo {
  edge: number;
  /** The real crate name (after a rename). */
  crate: string;
  rename: string | null;
  req: string;
  kind: DependencyKind;
  optional: boolean;
  defaultFeatures: boolean;
  features: string[];
  target: string | null;
  external: boolean;
  /** Resolved version id, or null with the reason. */
  resolved: number | null;
  unresolvedReason: string | null;
}

export class EcosystemGraph implements Readonly<GraphData> {
  readonly crateNames!: string[];
  readonly crateVersionStart!: Uint32Array;
  readonly crateLatest!: Int32Array;
  readonly crateOwnerStart!: Uint32Array;
  readonly ownerRefs!: Uint32Array;
  readonly owners!: string[];
  readonly versionCrate!: Uint32Array;
  readonly versionNum!: string[];
  readonly versionFlags!: Uint8Array;
  readonly versionPublished!: Float64Array;
  readonly depStart!: Uint32Array;
  readonly depFlags!: Uint8Array;
  readonly depCrate!: Int32Array;
  readonly depName!: Uint32Array;
  readonly depReq!: Uint32Array;
  readonly depFeatures!: Uint32Array;
  readonly depTarget!: Uint32Array;
  readonly depRename!: Uint32Array;
  readonly depResolved!: Int32Array;
  readonly revStart!: Uint32Array;
  readonly revFrom!: Uint32Array;
  readonly revFlags!: Uint8Array;
  readonly strings!: string[];
  readonly stats!: GraphStats;

  private byName: Map<string, number> | null = null;
  private byFolded: Map<string, number> | null = null;
  private depFromCache: Uint32Array | null = null;

  constructor(data: GraphData) {
    Object.assign(this, data);
  }

  get crateCount(): number {
    return this.crateNames.length;
  }
  get versionCount(): number {
    return this.versionNum.length;
  }
  get edgeCount(): number {
    return this.depFlags.length;
  }

  /** The crate id by exact name, then case- and `-`/`_`-insensitively; -1 when absent. */
  crateId(name: string): number {
    if (!this.byName) {
      this.byName = new Map(this.crateNames.map((n, i) => [n, i]));
      this.byFolded = new Map();
      for (let i = 0; i < this.crateNames.length; i++) {
        const f = canonicalCrateName(this.crateNames[i]!);
        if (!this.byFolded.has(f)) this.byFolded.set(f, i);
      }
    }
    return this.byName.get(name) ?? this.byFolded!.get(canonicalCrateName(name)) ?? -1;
  }

  crateName(c: number): string {
    return this.crateNames[c]!;
  }

  /** Version ids of crate c in ascending semver order. */
  versionsOf(c: number): number[] {
    const out: number[] = [];
    for (let v = this.crateVersionStart[c]!; v < this.crateVersionStart[c + 1]!; v++) out.push(v);
    return out;
  }

  /** Version id of `crate`'s version `num` (exact string), or -1. */
  versionId(c: number, num: string): number {
    for (let v = this.crateVersionStart[c]!; v < this.crateVersionStart[c + 1]!; v++) {
      if (this.versionNum[v] === num) return v;
    }
    return -1;
  }

  isLatest(v: number): boolean {
    return this.crateLatest[this.versionCrate[v]!] === v;
  }

  isYanked(v: number): boolean {
    return (this.versionFlags[v]! & V_YANKED) !== 0;
  }

  /** `name@version` for display. */
  label(v: number): string {
    return `${this.crateNames[this.versionCrate[v]!]}@${this.versionNum[v]}`;
  }

  version(v: number): VersionInfo {
    const f = this.versionFlags[v]!;
    const t = this.versionPublished[v]!;
    return {
      id: v,
      crate: this.crateNames[this.versionCrate[v]!]!,
      num: this.versionNum[v]!,
      yanked: (f & V_YANKED) !== 0,
      prerelease: (f & V_PRERELEASE) !== 0,
      latest: this.isLatest(v),
      published: Number.isNaN(t) ? null : new Date(t).toISOString(),
    };
  }

  ownersOf(c: number): string[] {
    const out: string[] = [];
    for (let i = this.crateOwnerStart[c]!; i < this.crateOwnerStart[c + 1]!; i++) {
      out.push(this.owners[this.ownerRefs[i]!]!);
    }
    return out;
  }

  /** The version an edge starts from (computed once, on first use). */
  depFrom(e: number): number {
    if (!this.depFromCache) {
      const from = new Uint32Array(this.edgeCount);
      for (let v = 0; v < this.versionCount; v++) from.fill(v, this.depStart[v]!, this.depStart[v + 1]!);
      this.depFromCache = from;
    }
    return this.depFromCache[e]!;
  }

  dependency(e: number): DependencyInfo {
    const f = this.depFlags[e]!;
    const r = this.depResolved[e]!;
    const features = this.strings[this.depFeatures[e]!]!;
    const target = this.strings[this.depTarget[e]!]!;
    const rename = this.strings[this.depRename[e]!]!;
    return {
      edge: e,
      crate: this.strings[this.depName[e]!]!,
      rename: rename === '' ? null : rename,
      req: this.strings[this.depReq[e]!]!,
      kind: KIND_NAMES[f & D_KIND_MASK]!,
      optional: (f & D_OPTIONAL) !== 0,
      defaultFeatures: (f & D_DEFAULT_FEATURES) !== 0,
      features: features === '' ? [] : features.split(','),
      target: target === '' ? null : target,
      external: (f & D_EXTERNAL) !== 0,
      resolved: r >= 0 ? r : null,
      unresolvedReason: r >= 0 ? null : (UNRESOLVED_REASONS[r] ?? 'unresolved'),
    };
  }

  dependenciesOf(v: number): DependencyInfo[] {
    const out: DependencyInfo[] = [];
    for (let e = this.depStart[v]!; e < this.depStart[v + 1]!; e++) out.push(this.dependency(e));
    return out;
  }

  data(): GraphData {
    const d: Partial<GraphData> = {};
    for (const k of GRAPH_DATA_KEYS) (d as Record<string, unknown>)[k] = this[k];
    return d as GraphData;
  }
}

export const GRAPH_DATA_KEYS = [
  'crateNames',
  'crateVersionStart',
  'crateLatest',
  'crateOwnerStart',
  'ownerRefs',
  'owners',
  'versionCrate',
  'versionNum',
  'versionFlags',
  'versionPublished',
  'depStart',
  'depFlags',
  'depCrate',
  'depName',
  'depReq',
  'depFeatures',
  'depTarget',
  'depRename',
  'depResolved',
  'revStart',
  'revFrom',
  'revFlags',
  'strings',
  'stats',
] as const satisfies readonly (keyof GraphData)[];
