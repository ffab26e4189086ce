// Collects crates, versions, dependencies and owners from any source (index, db-dump, the
// registry's database) and builds the compact EcosystemGraph: versions sorted by semver per
// crate, latest versions picked, every dependency resolved, adjacency laid out both ways.
import { canonicalCrateName } from '../domain/crate-name.js';
import type { DependencyKind, IndexLine } from '../domain/index-line.js';
import { compareVersionsWithBuild, tryParseVersion } from '../domain/semver.js';
import type { Version } from '../domain/semver.js';
import {
  D_DEFAULT_FEATURES,
  D_EXTERNAL,
  D_KIND_MASK,
  D_OPTIONAL,
  EcosystemGraph,
  KIND_CODE,
  KIND_NAMES,
  UNRESOLVED_BAD_REQ,
  UNRESOLVED_EXTERNAL,
  UNRESOLVED_NO_MATCH,
  UNRESOLVED_UNKNOWN_CRATE,
  V_INVALID,
  V_PRERELEASE,
  V_YANKED,
} from './ecosystem-graph.js';
import type { GraphStats } from './ecosystem-graph.js';
import { GrowableArray } from './growable-array.js';
import { RequirementResolver } from './resolver.js';

export interface VersionInput {
  yanked?: boolean;
  /** RFC 3339 text or ms since the epoch. */
  publishedAt?: string | number | null;
}

export interface DependencyInput {
  /** The real crate depended on (`package` when renamed). */
  crate: string;
  req: string;
  kind?: DependencyKind;
  optional?: boolean;
  defaultFeatures?: boolean;
  features?: readonly string[];
  target?: string | null;
  /** The name the dependent uses for it, when renamed. */
  rename?: string | null;
  /** Another registry's index URL; such a dependency never resolves inside this graph. */
  registry?: string | null;
}

export interface OwnerInput {
  login: string;
  kind: 'user' | 'team';
}

export interface BuildProgress {
  phase: 'sort' | 'resolve' | 'layout';
  done: number;
  total: number;
}

/** Version handle returned for a duplicate version; dependencies added to it are dropped. */
export const DUPLICATE_VERSION = -1;

export class GraphBuilder {
  private readonly crateIds = new Map<string, number>();
  private readonly crateNames: string[] = [];
  private readonly crateOwners: (Set<number> | undefined)[] = [];

  private readonly versionKeys = new Map<string, number>();
  private readonly vCrate = new GrowableArray(Uint32Array);
  private readonly vNum: string[] = [];
  private readonly vYanked = new GrowableArray(Uint8Array);
  private readonly vPublished = new GrowableArray(Float64Array);

  private readonly dFrom = new GrowableArray(Uint32Array);
  private readonly dName = new GrowableArray(Uint32Array);
  private readonly dReq = new GrowableArray(Uint32Array);
  private readonly dFeatures = new GrowableArray(Uint32Array);
  private readonly dTarget = new GrowableArray(Uint32Array);
  private readonly dRename = new GrowableArray(Uint32Array);
  private readonly dFlags = new GrowableArray(Uint8Array);

  private readonly stringIds = new Map<string, number>([['', 0]]);
  private readonly strings: string[] = [''];
  private readonly ownerIds = new Map<string, number>();
  private readonly owners: string[] = [];
  private duplicates = 0;

  /** Adds a crate (idempotent) and returns its builder-local id. */
  addCrate(name: string): number {
    let id = this.crateIds.get(name);
    if (id === undefined) {
      if (name.length === 0) throw new Error('crate name cannot be empty');
      id = this.crateNames.length;
      this.crateIds.set(name, id);
      this.crateNames.push(name);
      this.crateOwners.push(undefined);
    }
    return id;
  }

  /**
   * Adds a version and returns its handle for addDependency, or DUPLICATE_VERSION when the
   * crate already has this exact version string (the first one wins).
   */
  addVersion(crate: string, num: string, info: VersionInput = {}): number {
    const c = this.addCrate(crate);
    const key = `${c} ${num}`;
    if (this.versionKeys.has(key)) {
      this.duplicates++;
      return DUPLICATE_VERSION;
    }
    const v = this.vNum.length;
    this.versionKeys.set(key, v);
    this.vCrate.push(c);
    this.vNum.push(num);
    this.vYanked.push(info.yanked ? 1 : 0);
    this.vPublished.push(toMillis(info.publishedAt));
    return v;
  }

  addDependency(version: number, dep: DependencyInput): void {
    if (version === DUPLICATE_VERSION) return;
    if (version < 0 || version >= this.vNum.length) throw new RangeError(`no version with handle ${version}`);
    const kind = dep.kind ?? 'normal';
    const code = KIND_CODE[kind];
    if (code === undefined) throw new Error(`unknown dependency kind ${JSON.stringify(kind)}`);
    let flags = code;
    if (dep.optional) flags |= D_OPTIONAL;
    if (dep.defaultFeatures !== false) flags |= D_DEFAULT_FEATURES;
    if (dep.registry) flags |= D_EXTERNAL;
    // Old index lines carry `features: [""]`; an empty name is no feature.
    const features = (dep.features ?? []).filter((f) => f.length > 0).join(',');
    this.dFrom.push(version);
    this.dName.push(this.intern(dep.crate));
    this.dReq.push(this.intern(dep.req));
    this.dFeatures.push(this.intern(features));
    this.dTarget.push(this.intern(dep.target ?? ''));
    this.dRename.push(this.intern(dep.rename && dep.rename !== dep.crate ? dep.rename : ''));
    this.dFlags.push(flags);
  }

  addOwner(crate: string, owner: OwnerInput): void {
    const c = this.addCrate(crate);
    const key = `${owner.kind}:${owner.login}`;
    let o = this.ownerIds.get(key);
    if (o === undefined) {
      o = this.owners.length;
      this.ownerIds.set(key, o);
      this.owners.push(key);
    }
    (this.crateOwners[c] ??= new Set()).add(o);
  }

  /** One index line: the version and its dependencies (`name` is the rename when `package` is set). */
  addIndexLine(line: IndexLine): number {
    const v = this.addVersion(line.name, line.vers, {
      yanked: line.yanked,
      publishedAt: line.pubtime ?? null,
    });
    if (v === DUPLICATE_VERSION) return v;
    for (const d of line.deps) {
      this.addDependency(v, {
        crate: d.package ?? d.name,
        req: d.req,
        kind: d.kind,
        optional: d.optional,
        defaultFeatures: d.default_features,
        features: d.features,
        target: d.target,
        rename: d.package ? d.name : null,
        registry: d.registry ?? null,
      });
    }
    return v;
  }

  get versionCount(): number {
    return this.vNum.length;
  }

  build(opts: { onProgress?: (p: BuildProgress) => void } = {}): EcosystemGraph {
    const t0 = performance.now();
    const progress = opts.onProgress;
    const nCrates = this.crateNames.length;
    const nVersions = this.vNum.length;
    const nEdges = this.dFrom.length;
    const vCrateIn = this.vCrate.view();
    const vYankedIn = this.vYanked.view();
    const vPublishedIn = this.vPublished.view();

    // 1. Order crates by name and their versions by semver (invalid versions first).
    progress?.({ phase: 'sort', done: 0, total: nVersions });
    const crateOrder = this.crateNames
      .map((_, i) => i)
      .sort((a, b) => cmpStr(this.crateNames[a]!, this.crateNames[b]!));
    const crateNew = new Uint32Array(nCrates);
    crateOrder.forEach((old, i) => (crateNew[old] = i));
    const parsed: (Version | null)[] = this.vNum.map((n) => tryParseVersion(n));
    const versionOrder = Array.from({ length: nVersions }, (_, i) => i);
    versionOrder.sort((a, b) => {
      const ca = crateNew[vCrateIn[a]!]!;
      const cb = crateNew[vCrateIn[b]!]!;
      if (ca !== cb) return ca - cb;
      const pa = parsed[a]!;
      const pb = parsed[b]!;
      if (!pa || !pb) return pa ? 1 : pb ? -1 : cmpStr(this.vNum[a]!, this.vNum[b]!);
      return compareVersionsWithBuild(pa, pb);
    });
    const versionNew = new Uint32Array(nVersions);
    versionOrder.forEach((old, i) => (versionNew[old] = i));

    const crateNames = crateOrder.map((old) => this.crateNames[old]!);
    const crateVersionStart = new Uint32Array(nCrates + 1);
    const versionCrate = new Uint32Array(nVersions);
    const versionNum: string[] = new Array<string>(nVersions);
    const versionFlags = new Uint8Array(nVersions);
    const versionPublished = new Float64Array(nVersions);
    const sortedParsed: (Version | null)[] = new Array<Version | null>(nVersions);
    for (let i = 0; i < nVersions; i++) {
      const old = versionOrder[i]!;
      const c = crateNew[vCrateIn[old]!]!;
      versionCrate[i] = c;
      crateVersionStart[c + 1]!++;
      versionNum[i] = this.vNum[old]!;
      const p = parsed[old]!;
      sortedParsed[i] = p;
      versionFlags[i] =
        (vYankedIn[old] ? V_YANKED : 0) | (p === null ? V_INVALID : p.pre.length > 0 ? V_PRERELEASE : 0);
      versionPublished[i] = vPublishedIn[old]!;
    }
    for (let c = 0; c < nCrates; c++) crateVersionStart[c + 1]! += crateVersionStart[c]!;

    // 2. Latest version: highest non-yanked release, else highest non-yanked pre-release.
    const crateLatest = new Int32Array(nCrates).fill(-1);
    let cratesWithoutLatest = 0;
    for (let c = 0; c < nCrates; c++) {
      let pre = -1;
      for (let v = crateVersionStart[c + 1]! - 1; v >= crateVersionStart[c]!; v--) {
        const f = versionFlags[v]!;
        if (f & (V_YANKED | V_INVALID)) continue;
        if (f & V_PRERELEASE) {
          if (pre < 0) pre = v;
          continue;
        }
        crateLatest[c] = v;
        break;
      }
      if (crateLatest[c]! < 0) crateLatest[c] = pre;
      if (crateLatest[c]! < 0) cratesWithoutLatest++;
    }

    // 3. Lay edges out by their (new) source version, keeping each version's declaration order.
    progress?.({ phase: 'layout', done: 0, total: nEdges });
    const dFromIn = this.dFrom.view();
    const depStart = new Uint32Array(nVersions + 1);
    for (let e = 0; e < nEdges; e++) depStart[versionNew[dFromIn[e]!]! + 1]!++;
    for (let v = 0; v < nVersions; v++) depStart[v + 1]! += depStart[v]!;
    const cursor = depStart.slice(0, nVersions);
    const edgeNew = new Uint32Array(nEdges);
    for (let e = 0; e < nEdges; e++) edgeNew[e] = cursor[versionNew[dFromIn[e]!]!]!++;
    const permute = <T extends Uint32Array | Uint8Array>(src: T, dst: T): T => {
      for (let e = 0; e < nEdges; e++) dst[edgeNew[e]!] = src[e]!;
      return dst;
    };
    const depFlags = permute(this.dFlags.view(), new Uint8Array(nEdges));
    const depName = permute(this.dName.view(), new Uint32Array(nEdges));
    const depReq = permute(this.dReq.view(), new Uint32Array(nEdges));
    const depFeatures = permute(this.dFeatures.view(), new Uint32Array(nEdges));
    const depTarget = permute(this.dTarget.view(), new Uint32Array(nEdges));
    const depRename = permute(this.dRename.view(), new Uint32Array(nEdges));

    // 4. Resolve every dependency to the highest non-yanked version matching its requirement.
    progress?.({ phase: 'resolve', done: 0, total: nEdges });
    const exact = new Map<string, number>(crateNames.map((n, i) => [n, i]));
    const folded = new Map<string, number>();
    crateNames.forEach((n, i) => {
      const f = canonicalCrateName(n);
      if (!folded.has(f)) folded.set(f, i);
    });
    const nameCrate = new Int32Array(this.strings.length).fill(-2);
    const resolver = new RequirementResolver(
      this.strings,
      crateVersionStart,
      versionFlags,
      sortedParsed as readonly (Version | null)[],
    );
    const depCrate = new Int32Array(nEdges);
    const depResolved = new Int32Array(nEdges);
    let resolvedByFoldedName = 0;
    const unresolved = { unknownCrate: 0, noMatch: 0, badReq: 0, externalRegistry: 0 };
    const byKind: Record<DependencyKind, number> = { normal: 0, build: 0, dev: 0 };
    let optional = 0;
    let renamed = 0;
    let targetSpecific = 0;
    let resolvedCount = 0;
    for (let e = 0; e < nEdges; e++) {
      const f = depFlags[e]!;
      byKind[KIND_NAMES[f & D_KIND_MASK]!]++;
      if (f & D_OPTIONAL) optional++;
      if (depRename[e]) renamed++;
      if (depTarget[e]) targetSpecific++;
      if (f & D_EXTERNAL) {
        depCrate[e] = -1;
        depResolved[e] = UNRESOLVED_EXTERNAL;
        unresolved.externalRegistry++;
        continue;
      }
      const nameIdx = depName[e]!;
      let c = nameCrate[nameIdx]!;
      if (c === -2) {
        const name = this.strings[nameIdx]!;
        c = exact.get(name) ?? -1;
        if (c < 0) {
          c = folded.get(canonicalCrateName(name)) ?? -1;
          // A folded-name match is stored as -3 - crate so that each use is counted below.
          if (c >= 0) c = -3 - c;
        }
        nameCrate[nameIdx] = c;
      }
      if (c <= -3) {
        resolvedByFoldedName++;
        c = -3 - c;
      }
      depCrate[e] = c;
      if (c < 0) {
        depResolved[e] = UNRESOLVED_UNKNOWN_CRATE;
        unresolved.unknownCrate++;
        continue;
      }
      const r = resolver.resolve(c, depReq[e]!);
      depResolved[e] = r;
      if (r >= 0) resolvedCount++;
      else if (r === UNRESOLVED_BAD_REQ) unresolved.badReq++;
      else if (r === UNRESOLVED_NO_MATCH) unresolved.noMatch++;
      if ((e & 0xffff) === 0) progress?.({ phase: 'resolve', done: e, total: nEdges });
    }
    progress?.({ phase: 'resolve', done: nEdges, total: nEdges });

    // 5. Reverse adjacency over resolved edges, for dependents queries.
    const revStart = new Uint32Array(nVersions + 1);
    for (let e = 0; e < nEdges; e++) {
      const r = depResolved[e]!;
      if (r >= 0) revStart[r + 1]!++;
    }
    for (let v = 0; v < nVersions; v++) revStart[v + 1]! += revStart[v]!;
    const revFrom = new Uint32Array(resolvedCount);
    const revFlags = new Uint8Array(resolvedCount);
    const revCursor = revStart.slice(0, nVersions);
    for (let v = 0; v < nVersions; v++) {
      for (let e = depStart[v]!; e < depStart[v + 1]!; e++) {
        const r = depResolved[e]!;
        if (r < 0) continue;
        const i = revCursor[r]!++;
        revFrom[i] = v;
        revFlags[i] = depFlags[e]!;
      }
    }

    // 6. Owners, in crate order.
    const crateOwnerStart = new Uint32Array(nCrates + 1);
    const refs: number[] = [];
    let ownerships = 0;
    for (let c = 0; c < nCrates; c++) {
      const set = this.crateOwners[crateOrder[c]!];
      if (set) {
        const sorted = [...set].sort((a, b) => cmpStr(this.owners[a]!, this.owners[b]!));
        refs.push(...sorted);
        ownerships += sorted.length;
      }
      crateOwnerStart[c + 1] = refs.length;
    }

    let yanked = 0;
    let prerelease = 0;
    let invalid = 0;
    for (let v = 0; v < nVersions; v++) {
      const f = versionFlags[v]!;
      if (f & V_YANKED) yanked++;
      if (f & V_PRERELEASE) prerelease++;
      if (f & V_INVALID) invalid++;
    }
    const stats: GraphStats = {
      crates: nCrates,
      versions: nVersions,
      yankedVersions: yanked,
      prereleaseVersions: prerelease,
      invalidVersions: invalid,
      duplicateVersions: this.duplicates,
      cratesWithoutLatest,
      dependencies: nEdges,
      byKind,
      optional,
      renamed,
      targetSpecific,
      resolved: resolvedCount,
      unresolved,
      resolvedByFoldedName,
      distinctRequirements: resolver.distinctRequirements,
      unparsableRequirements: resolver.unparsableRequirements,
      owners: this.owners.length,
      ownerships,
      buildMs: 0,
    };
    const graph = new EcosystemGraph({
      crateNames,
      crateVersionStart,
      crateLatest,
      crateOwnerStart,
      ownerRefs: Uint32Array.from(refs),
      owners: this.owners.slice(),
      versionCrate,
      versionNum,
      versionFlags,
      versionPublished,
      depStart,
      depFlags,
      depCrate,
      depName,
      depReq,
      depFeatures,
      depTarget,
      depRename,
      depResolved,
      revStart,
      revFrom,
      revFlags,
      strings: this.strings.slice(),
      stats,
    });
    stats.buildMs = Math.round(performance.now() - t0);
    return graph;
  }

  private intern(s: string): number {
    let id = this.stringIds.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.stringIds.set(s, id);
      this.strings.push(s);
    }
    return id;
  }
}

function toMillis(t: string | number | null | undefined): number {
  if (t === null || t === undefined) return NaN;
  if (typeof t === 'number') return t;
  return Date.parse(t);
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
