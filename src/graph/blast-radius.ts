// Blast radius of a bad version range: how many crates' latest versions resolve to an
// affected version, directly or through other crates.
import type { EcosystemGraph } from './ecosystem-graph.js';
import { EdgeFilter, reverseReach } from './traversal.js';
import type { EdgeFilterOptions } from './traversal.js';

export interface BlastRadius {
  affectedVersions: number;
  /** Latest versions with an affected version among their own dependencies. */
  direct: number;
  /** Latest versions with an affected version anywhere in their dependency closure. */
  transitive: number;
  /** The same two counts when optional dependencies are assumed enabled: an upper bound. */
  directWithOptional: number;
  transitiveWithOptional: number;
  /** Direct dependents (latest versions), by name. */
  directDependents: number[];
}

export function blastRadius(
  g: EcosystemGraph,
  affected: readonly number[],
  opts: EdgeFilterOptions = {},
): BlastRadius {
  const count = (includeOptional: boolean) => {
    const reached = reverseReach(g, affected, new EdgeFilter({ ...opts, includeOptional }));
    const latest = reached.filter((r) => g.isLatest(r.version));
    const direct = latest.filter((r) => r.depth === 1).map((r) => r.version);
    return { direct, transitive: latest.length };
  };
  const strict = count(opts.includeOptional ?? false);
  const loose = opts.includeOptional ? strict : count(true);
  return {
    affectedVersions: affected.length,
    direct: strict.direct.length,
    transitive: strict.transitive,
    directWithOptional: loose.direct.length,
    transitiveWithOptional: loose.transitive,
    directDependents: strict.direct.sort((a, b) => a - b),
  };
}
