// The dependency tree of one version as a fresh resolution would build it, like `cargo tree`:
// each dependency resolved on its own, a version already shown elsewhere marked as repeated
// instead of expanded again, dev-dependencies only at the top.
import type { DependencyInfo, EcosystemGraph } from './ecosystem-graph.js';
import { EdgeFilter } from './traversal.js';
import type { EdgeFilterOptions } from './traversal.js';

export interface TreeNode {
  version: number;
  /** The edge that led here (absent at the root). */
  via?: DependencyInfo;
  children: TreeNode[];
  /** Already expanded earlier in the tree. */
  repeated?: true;
  /** Children not shown because of the depth limit. */
  truncated?: true;
}

export interface UnresolvedLeaf {
  via: DependencyInfo;
}

export interface DependencyTreeOptions extends EdgeFilterOptions {
  /** Levels below the root to show (default unlimited). */
  depth?: number;
}

export interface DependencyTree {
  root: TreeNode;
  /** Dependencies that did not resolve, wherever they appear. */
  unresolved: UnresolvedLeaf[];
  /** Distinct versions in the tree, root included. */
  versions: number;
}

export function dependencyTree(
  g: EcosystemGraph,
  root: number,
  opts: DependencyTreeOptions = {},
): DependencyTree {
  const filter = new EdgeFilter(opts);
  const maxDepth = opts.depth ?? Infinity;
  const expanded = new Set<number>([root]);
  const unresolved: UnresolvedLeaf[] = [];
  const rootNode: TreeNode = { version: root, children: [] };
  // Iterative depth-first expansion (deep trees must not overflow the stack).
  const stack: { node: TreeNode; level: number }[] = [{ node: rootNode, level: 0 }];
  while (stack.length > 0) {
    const { node, level } = stack.pop()!;
    const v = node.version;
    const pending: { node: TreeNode; level: number }[] = [];
    for (let e = g.depStart[v]!; e < g.depStart[v + 1]!; e++) {
      const f = g.depFlags[e]!;
      if (!filter.accepts(f)) continue;
      if (level > 0 && EdgeFilter.isDev(f)) continue;
      const via = g.dependency(e);
      const u = g.depResolved[e]!;
      if (u < 0) {
        unresolved.push({ via });
        continue;
      }
      if (level + 1 > maxDepth) {
        node.truncated = true;
        continue;
      }
      const child: TreeNode = { version: u, via, children: [] };
      node.children.push(child);
      if (expanded.has(u)) {
        child.repeated = true;
        continue;
      }
      expanded.add(u);
      pending.push({ node: child, level: level + 1 });
    }
    // Push in reverse so children expand in declaration order.
    for (let i = pending.length - 1; i >= 0; i--) stack.push(pending[i]!);
  }
  return { root: rootNode, unresolved, versions: expanded.size };
}
