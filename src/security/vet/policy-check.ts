// cargo-vet's `check_crate_policies` (run by `check` before resolving): a policy must name a
// package in the graph; a crate with any third-party version needs versioned policies
// (`[policy."crate:1.2.3"]`) for every version in use when a policy of it sets
// `dependency-criteria`, and may not have an unversioned one.
import { compareVetVersions, formatVetVersion } from '../../formats/vet-common.js';
import { policyKey, type ConfigFile } from '../../formats/vet-config.js';
import type { DepGraph } from './metadata-graph.js';

export class CratePolicyError extends Error {
  override name = 'CratePolicyError';
}

export function checkCratePolicies(graph: DepGraph, config: ConfigFile): void {
  const problems: string[] = [];
  const thirdParty = new Set(graph.nodes.filter((n) => n.isThirdParty).map((n) => n.name));
  const unversioned = new Set(config.policy.filter((r) => r.version === undefined).map((r) => r.crate));
  const withDependencyCriteria = new Set(
    config.policy.filter((r) => r.entry.dependencyCriteria.length > 0).map((r) => r.crate),
  );
  const usedRows = new Set<number>();
  const names = new Set(graph.nodes.map((n) => n.name));
  for (const n of graph.nodes) {
    const versionedRow = config.policy.findIndex(
      (r) => r.crate === n.name && r.version !== undefined && compareVetVersions(r.version, n.version) === 0,
    );
    if (versionedRow >= 0) usedRows.add(versionedRow);
    const label = `${n.name}:${formatVetVersion(n.version)}`;
    if (thirdParty.has(n.name) && withDependencyCriteria.has(n.name) && versionedRow < 0) {
      problems.push(
        `${label} needs a versioned policy entry ([policy."${label}"]) because a policy of ${n.name} sets dependency-criteria`,
      );
    } else if (thirdParty.has(n.name) && unversioned.has(n.name)) {
      problems.push(
        `policy for ${n.name} must be versioned ([policy."${label}"]): it has third-party versions`,
      );
    }
  }
  config.policy.forEach((r, i) => {
    if (r.version === undefined ? !names.has(r.crate) : !usedRows.has(i)) {
      problems.push(`policy ${policyKey(r)} names a package that is not in the dependency graph`);
    }
  });
  if (problems.length > 0)
    throw new CratePolicyError(`config.toml: crate policy errors:\n  ${problems.join('\n  ')}`);
}
