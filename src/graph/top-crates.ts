// Crates ranked by how many crates depend on them. Rather than one reverse search per crate
// (a popular crate's reverse closure is most of the graph), this walks each crate's latest
// version forward once: closures are small, and each crate found is credited one dependent.
import type { EcosystemGraph } from './ecosystem-graph.js';
import { EdgeFilter, scratchFor } from './traversal.js';
import type { EdgeFilterOptions } from './traversal.js';

export interface DependentCounts {
  /** Per crate: crates whose latest version depends on it directly. */
  direct: Uint32Array;
  /** Per crate: crates whose latest version depends on it directly or transitively. */
  transitive: Uint32Array;
}

export function dependentCounts(g: EcosystemGraph, opts: EdgeFilterOptions = {}): DependentCounts {
  const filter = new EdgeFilter(opts);
  const s = scratchFor(g);
  const { mark, queue } = s;
  const { depStart, depFlags, depResolved, versionCrate, crateLatest } = g;
  const direct = new Uint32Array(g.crateCount);
  const transitive = new Uint32Array(g.crateCount);
  for (let c = 0; c < g.crateCount; c++) {
    const root = crateLatest[c]!;
    if (root < 0) continue;
    const epoch = s.nextEpoch();
    const crateEpoch = s.nextCrateEpoch();
    const crateDirectEpoch = s.nextCrateEpoch();
    const crateMark = s.crateMark;
    crateMark[c] = crateDirectEpoch; // a crate is not its own dependent
    let head = 0;
    let tail = 0;
    mark[root] = epoch;
    queue[tail++] = root;
    while (head < tail) {
      const v = queue[head++]!;
      const atRoot = v === root;
      for (let e = depStart[v]!, end = depStart[v + 1]!; e < end; e++) {
        const f = depFlags[e]!;
        if (!filter.accepts(f)) continue;
        if (!atRoot && EdgeFilter.isDev(f)) continue;
        const u = depResolved[e]!;
        if (u < 0) continue;
        const uc = versionCrate[u]!;
        if (crateMark[uc]! < crateEpoch) {
          // First time this crate shows up in c's closure.
          crateMark[uc] = atRoot ? crateDirectEpoch : crateEpoch;
          transitive[uc]!++;
          if (atRoot) direct[uc]!++;
        } else if (atRoot && crateMark[uc] === crateEpoch) {
          crateMark[uc] = crateDirectEpoch;
          direct[uc]!++;
        }
        // A dev-dependency of the root is built with its own normal and build dependencies,
        // so it is expanded like any other; only its dev edges are skipped (above).
        if (mark[u] === epoch) continue;
        mark[u] = epoch;
        queue[tail++] = u;
      }
    }
  }
  return { direct, transitive };
}

export interface TopCrate {
  crate: number;
  direct: number;
  transitive: number;
}

export function topCrates(g: EcosystemGraph, n: number, opts: EdgeFilterOptions = {}): TopCrate[] {
  const { direct, transitive } = dependentCounts(g, opts);
  const order = Array.from({ length: g.crateCount }, (_, i) => i).filter((c) => transitive[c]! > 0);
  order.sort(
    (a, b) =>
      transitive[b]! - transitive[a]! ||
      direct[b]! - direct[a]! ||
      (g.crateNames[a]! < g.crateNames[b]! ? -1 : 1),
  );
  return order.slice(0, n).map((c) => ({ crate: c, direct: direct[c]!, transitive: transitive[c]! }));
}
