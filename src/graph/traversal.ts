// Breadth-first walks over the resolved edges of an EcosystemGraph, reusing per-graph scratch
// arrays (epoch-stamped marks, so nothing is cleared between queries).
//
// Dev-dependencies only matter for the crate being built: cargo never builds the
// dev-dependencies of a dependency. So a dev edge is followed only as the first hop from a root
// (forward), or as the last hop into a dependent (reverse), never in the middle of a path. This
// is also what keeps dev-dependency cycles (serde ↔ serde_derive's tests) from making every
// dependent of one crate a dependent of the other.
import type { DependencyKind } from '../domain/index-line.js';
import { D_KIND_MASK, D_OPTIONAL, KIND_CODE } from './ecosystem-graph.js';
import type { EcosystemGraph } from './ecosystem-graph.js';

export interface EdgeFilterOptions {
  /** Dependency kinds that count (default normal and build). */
  kinds?: readonly DependencyKind[];
  /** Whether optional dependencies count (default false). */
  includeOptional?: boolean;
}

export const DEFAULT_KINDS: readonly DependencyKind[] = ['normal', 'build'];

/** A compiled filter: `accepts(flags)` for an edge, and whether dev edges are wanted at all. */
export class EdgeFilter {
  readonly kindMask: number;
  readonly includeOptional: boolean;

  constructor(opts: EdgeFilterOptions = {}) {
    let mask = 0;
    for (const k of opts.kinds ?? DEFAULT_KINDS) {
      const code = KIND_CODE[k];
      if (code === undefined) throw new Error(`unknown dependency kind ${JSON.stringify(k)}`);
      mask |= 1 << code;
    }
    this.kindMask = mask;
    this.includeOptional = opts.includeOptional ?? false;
  }

  get allowsDev(): boolean {
    return (this.kindMask & (1 << KIND_CODE.dev)) !== 0;
  }

  /** Whether an edge with these flags counts (dev edges included; callers place them). */
  accepts(flags: number): boolean {
    return (
      ((this.kindMask >> (flags & D_KIND_MASK)) & 1) !== 0 &&
      (this.includeOptional || (flags & D_OPTIONAL) === 0)
    );
  }

  static isDev(flags: number): boolean {
    return (flags & D_KIND_MASK) === KIND_CODE.dev;
  }
}

/** Per-graph reusable arrays sized to the version count. */
export class Scratch {
  readonly mark: Uint32Array;
  readonly depth: Uint32Array;
  readonly parent: Int32Array;
  readonly queue: Uint32Array;
  readonly crateMark: Uint32Array;
  private epoch = 0;
  private crateEpoch = 0;

  constructor(g: EcosystemGraph) {
    this.mark = new Uint32Array(g.versionCount);
    this.depth = new Uint32Array(g.versionCount);
    this.parent = new Int32Array(g.versionCount);
    this.queue = new Uint32Array(g.versionCount);
    this.crateMark = new Uint32Array(g.crateCount);
  }

  /** A fresh stamp pair for `mark`: `s` (reached) and `s + 1` (reached by a dev edge only). */
  nextEpoch(): number {
    if (this.epoch >= 0xfffffff0) {
      this.mark.fill(0);
      this.epoch = 0;
    }
    this.epoch += 2;
    return this.epoch;
  }

  nextCrateEpoch(): number {
    if (this.crateEpoch >= 0xfffffff0) {
      this.crateMark.fill(0);
      this.crateEpoch = 0;
    }
    return ++this.crateEpoch;
  }
}

const scratches = new WeakMap<EcosystemGraph, Scratch>();

export function scratchFor(g: EcosystemGraph): Scratch {
  let s = scratches.get(g);
  if (!s) {
    s = new Scratch(g);
    scratches.set(g, s);
  }
  return s;
}

export interface Reached {
  version: number;
  /** Shortest number of edges from the start set. */
  depth: number;
}

/**
 * Versions that depend on any of `targets` through accepted edges, within `maxDepth` hops
 * (targets themselves excluded). Nodes reached only through a dev edge end their path there.
 */
export function reverseReach(
  g: EcosystemGraph,
  targets: Iterable<number>,
  filter: EdgeFilter,
  maxDepth = Infinity,
): Reached[] {
  const s = scratchFor(g);
  const epoch = s.nextEpoch();
  const devOnly = epoch + 1;
  const { mark, depth, queue } = s;
  const { revStart, revFrom, revFlags } = g;
  let head = 0;
  let tail = 0;
  const isTarget = new Set<number>();
  for (const t of targets) {
    if (mark[t] === epoch) continue;
    mark[t] = epoch;
    depth[t] = 0;
    queue[tail++] = t;
    isTarget.add(t);
  }
  const devReached: number[] = [];
  while (head < tail) {
    const v = queue[head++]!;
    const d = depth[v]!;
    if (d >= maxDepth) continue;
    for (let i = revStart[v]!, end = revStart[v + 1]!; i < end; i++) {
      const f = revFlags[i]!;
      if (!filter.accepts(f)) continue;
      const u = revFrom[i]!;
      const m = mark[u]!;
      if (m === epoch) continue;
      if (EdgeFilter.isDev(f)) {
        if (m !== devOnly) {
          mark[u] = devOnly;
          depth[u] = d + 1;
          devReached.push(u);
        }
        continue;
      }
      // Reached by a build-relevant edge: expand it (even if a dev edge reached it first).
      depth[u] = d + 1;
      mark[u] = epoch;
      queue[tail++] = u;
    }
  }
  const out: Reached[] = [];
  for (let i = 0; i < tail; i++) {
    const v = queue[i]!;
    if (!isTarget.has(v)) out.push({ version: v, depth: depth[v]! });
  }
  for (const v of devReached) if (mark[v] === devOnly) out.push({ version: v, depth: depth[v]! });
  return out;
}

/**
 * Versions reachable from `root` through accepted edges within `maxDepth` hops, root first,
 * in breadth-first order; dev edges only from the root. Sets `scratch.parent` to the edge
 * each version was first reached by (-1 for the root), for path reconstruction.
 */
export function forwardReach(
  g: EcosystemGraph,
  root: number,
  filter: EdgeFilter,
  maxDepth = Infinity,
  stopAt?: (v: number) => boolean,
): Reached[] {
  const s = scratchFor(g);
  const epoch = s.nextEpoch();
  const { mark, depth, queue, parent } = s;
  const { depStart, depFlags, depResolved } = g;
  let head = 0;
  let tail = 0;
  mark[root] = epoch;
  depth[root] = 0;
  parent[root] = -1;
  queue[tail++] = root;
  while (head < tail) {
    const v = queue[head++]!;
    const d = depth[v]!;
    if (d >= maxDepth) continue;
    for (let e = depStart[v]!, end = depStart[v + 1]!; e < end; e++) {
      const f = depFlags[e]!;
      if (!filter.accepts(f)) continue;
      if (d > 0 && EdgeFilter.isDev(f)) continue;
      const u = depResolved[e]!;
      if (u < 0 || mark[u] === epoch) continue;
      mark[u] = epoch;
      depth[u] = d + 1;
      parent[u] = e;
      queue[tail++] = u;
      if (stopAt && stopAt(u)) {
        head = tail; // found: stop expanding
        break;
      }
    }
  }
  const out: Reached[] = [];
  for (let i = 0; i < tail; i++) out.push({ version: queue[i]!, depth: depth[queue[i]!]! });
  return out;
}
