// Why does A depend on B: a shortest chain of resolved dependencies from one version to any
// version of another crate (or range).
import type { EcosystemGraph } from './ecosystem-graph.js';
import { EdgeFilter, forwardReach, scratchFor } from './traversal.js';
import type { EdgeFilterOptions } from './traversal.js';

/** The path as the edges taken, in order from the root; empty when root is itself a target. */
export type WhyPath = number[];

export function whyPath(
  g: EcosystemGraph,
  root: number,
  targets: readonly number[],
  opts: EdgeFilterOptions = {},
): WhyPath | null {
  const wanted = new Set(targets);
  if (wanted.has(root)) return [];
  const reached = forwardReach(g, root, new EdgeFilter(opts), Infinity, (v) => wanted.has(v));
  const hit = reached.find((r) => wanted.has(r.version));
  if (!hit) return null;
  const parent = scratchFor(g).parent;
  const path: number[] = [];
  for (let v = hit.version; v !== root;) {
    const e = parent[v]!;
    path.push(e);
    v = g.depFrom(e);
  }
  return path.reverse();
}
