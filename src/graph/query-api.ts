// The graph queries as plain-JSON requests and answers, shared by the CLI (`--json` prints
// exactly these) and the admin API. Specs are strings (`serde`, `serde@1.0.100`,
// `serde@<1.0.100`); a bad spec or unknown crate throws SpecError (a 400/404 for an API).
import type { DependencyKind } from '../domain/index-line.js';
import { blastRadius } from './blast-radius.js';
import { dependencyTree } from './dependency-tree.js';
import type { TreeNode } from './dependency-tree.js';
import { findDependents } from './dependents.js';
import type { EcosystemGraph, GraphStats } from './ecosystem-graph.js';
import { parseSpec, specRoot, specVersions } from './spec.js';
import { topCrates } from './top-crates.js';
import { DEFAULT_KINDS } from './traversal.js';
import type { EdgeFilterOptions } from './traversal.js';
import { whyPath } from './why-path.js';

export interface VersionRef {
  crate: string;
  version: string;
  yanked: boolean;
  latest: boolean;
}

export interface FilterEcho {
  kinds: DependencyKind[];
  includeOptional: boolean;
}

function ref(g: EcosystemGraph, v: number): VersionRef {
  const i = g.version(v);
  return { crate: i.crate, version: i.num, yanked: i.yanked, latest: i.latest };
}

function echo(f: EdgeFilterOptions): FilterEcho {
  return { kinds: [...(f.kinds ?? DEFAULT_KINDS)], includeOptional: f.includeOptional === true };
}

export interface DependentsQuery extends EdgeFilterOptions {
  spec: string;
  transitive?: boolean;
  allVersions?: boolean;
  /** List at most this many (the counts stay complete). */
  limit?: number;
}

export interface DependentsAnswer extends FilterEcho {
  spec: string;
  /** Versions the spec selected. */
  targets: string[];
  transitive: boolean;
  allVersions: boolean;
  /** Dependent versions in total. */
  count: number;
  /** Distinct dependent crates. */
  crates: number;
  dependents: (VersionRef & { depth: number })[];
}

export function queryDependents(g: EcosystemGraph, q: DependentsQuery): DependentsAnswer {
  const spec = parseSpec(q.spec);
  const targets = specVersions(g, spec);
  const r = findDependents(g, targets, q);
  const shown = q.limit === undefined ? r.dependents : r.dependents.slice(0, q.limit);
  return {
    spec: spec.text,
    targets: targets.map((v) => g.versionNum[v]!),
    transitive: q.transitive === true,
    allVersions: q.allVersions === true,
    ...echo(q),
    count: r.dependents.length,
    crates: r.crates,
    dependents: shown.map((d) => ({ ...ref(g, d.version), depth: d.depth })),
  };
}

export interface TreeQuery extends EdgeFilterOptions {
  spec: string;
  depth?: number;
}

export interface TreeAnswerNode extends VersionRef {
  req?: string;
  kind?: DependencyKind;
  optional?: boolean;
  rename?: string;
  target?: string;
  /** Shown expanded elsewhere in the tree. */
  repeated?: true;
  /** Has dependencies below the depth limit. */
  truncated?: true;
  dependencies: TreeAnswerNode[];
}

export interface TreeAnswer extends FilterEcho {
  root: TreeAnswerNode;
  /** Distinct versions in the tree, root included. */
  versions: number;
  unresolved: { from: string; crate: string; req: string; reason: string }[];
}

function treeNode(g: EcosystemGraph, n: TreeNode): TreeAnswerNode {
  const via = n.via;
  return {
    ...ref(g, n.version),
    ...(via
      ? {
          req: via.req,
          kind: via.kind,
          optional: via.optional,
          ...(via.rename ? { rename: via.rename } : {}),
          ...(via.target ? { target: via.target } : {}),
        }
      : {}),
    ...(n.repeated ? { repeated: true as const } : {}),
    ...(n.truncated ? { truncated: true as const } : {}),
    dependencies: n.children.map((c) => treeNode(g, c)),
  };
}

export function queryTree(g: EcosystemGraph, q: TreeQuery): TreeAnswer {
  const root = specRoot(g, parseSpec(q.spec));
  const t = dependencyTree(g, root, q);
  return {
    ...echo(q),
    root: treeNode(g, t.root),
    versions: t.versions,
    unresolved: t.unresolved.map((u) => ({
      from: g.label(g.depFrom(u.via.edge)),
      crate: u.via.crate,
      req: u.via.req,
      reason: u.via.unresolvedReason ?? 'unresolved',
    })),
  };
}

export interface WhyQuery extends EdgeFilterOptions {
  from: string;
  to: string;
}

export interface WhyStep {
  from: string;
  crate: string;
  version: string;
  req: string;
  kind: DependencyKind;
  optional: boolean;
  rename: string | null;
}

export interface WhyAnswer extends FilterEcho {
  from: VersionRef;
  to: string;
  /** Null when there is no path; empty when `from` is itself in `to`. */
  path: WhyStep[] | null;
}

export function queryWhy(g: EcosystemGraph, q: WhyQuery): WhyAnswer {
  const root = specRoot(g, parseSpec(q.from));
  const to = parseSpec(q.to);
  const path = whyPath(g, root, specVersions(g, to), q);
  return {
    ...echo(q),
    from: ref(g, root),
    to: to.text,
    path:
      path === null
        ? null
        : path.map((e) => {
            const d = g.dependency(e);
            return {
              from: g.label(g.depFrom(e)),
              crate: d.crate,
              version: g.versionNum[d.resolved!]!,
              req: d.req,
              kind: d.kind,
              optional: d.optional,
              rename: d.rename,
            };
          }),
  };
}

export interface TopAnswerRow {
  rank: number;
  crate: string;
  transitive: number;
  direct: number;
}

export function queryTop(g: EcosystemGraph, q: EdgeFilterOptions & { n: number }): TopAnswerRow[] {
  return topCrates(g, q.n, q).map((t, i) => ({
    rank: i + 1,
    crate: g.crateName(t.crate),
    transitive: t.transitive,
    direct: t.direct,
  }));
}

export interface BlastRadiusQuery extends EdgeFilterOptions {
  spec: string;
  /** Gate: `passed` is false when more crates than this are affected transitively. */
  max?: number;
  /** List at most this many direct dependents. */
  limit?: number;
}

export interface BlastRadiusAnswer extends FilterEcho {
  spec: string;
  affected: string[];
  direct: number;
  transitive: number;
  directWithOptional: number;
  transitiveWithOptional: number;
  directDependents: VersionRef[];
  max?: number;
  passed?: boolean;
}

export function queryBlastRadius(g: EcosystemGraph, q: BlastRadiusQuery): BlastRadiusAnswer {
  const spec = parseSpec(q.spec);
  const affected = specVersions(g, spec);
  const r = blastRadius(g, affected, q);
  const listed = q.limit === undefined ? r.directDependents : r.directDependents.slice(0, q.limit);
  return {
    spec: spec.text,
    ...echo(q),
    affected: affected.map((v) => g.versionNum[v]!),
    direct: r.direct,
    transitive: r.transitive,
    directWithOptional: r.directWithOptional,
    transitiveWithOptional: r.transitiveWithOptional,
    directDependents: listed.map((v) => ref(g, v)),
    ...(q.max !== undefined ? { max: q.max, passed: r.transitive <= q.max } : {}),
  };
}

export function queryStats(g: EcosystemGraph): GraphStats {
  return g.stats;
}
