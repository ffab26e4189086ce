// Direct and transitive dependents of a set of versions (a crate, or a version range of it).
import type { EcosystemGraph } from './ecosystem-graph.js';
import { EdgeFilter, reverseReach } from './traversal.js';
import type { EdgeFilterOptions, Reached } from './traversal.js';

export interface DependentsOptions extends EdgeFilterOptions {
  /** Follow dependents of dependents (default false: direct only). */
  transitive?: boolean;
  /**
   * Count every version that depends on a target (true), or only crates' latest versions
   * (default). Intermediate steps of a transitive path may be any version: a crate's latest
   * version can reach the target through an older version of something it depends on.
   */
  allVersions?: boolean;
}

export interface DependentsResult {
  /** The versions asked about. */
  targets: number[];
  /** Dependent versions, nearest first, then by name and version. */
  dependents: Reached[];
  /** Distinct crates among `dependents`. */
  crates: number;
}

export function findDependents(
  g: EcosystemGraph,
  targets: readonly number[],
  opts: DependentsOptions = {},
): DependentsResult {
  const filter = new EdgeFilter(opts);
  const reached = reverseReach(g, targets, filter, opts.transitive ? Infinity : 1);
  const kept = opts.allVersions ? reached : reached.filter((r) => g.isLatest(r.version));
  kept.sort((a, b) => a.depth - b.depth || a.version - b.version);
  const crates = new Set<number>();
  for (const r of kept) crates.add(g.versionCrate[r.version]!);
  return { targets: [...targets], dependents: kept, crates: crates.size };
}
