// The dependency graph cargo-vet builds from `cargo metadata --format-version 1`
// (`resolver.rs` `DepGraph::new`): one node per resolved package, sorted by name, version and
// id; normal/build/dev edges from `resolve.nodes[].deps[].dep_kinds`; a topological order
// from the workspace members over normal and build edges; roots are workspace members nothing
// depends on; packages reached only through workspace members' dev-dependencies are dev-only.
import { isTable, own, tomlTypeName } from '../../domain/toml-values.js';
import {
  compareStrings,
  compareVetVersions,
  parseVetVersion,
  type VetVersion,
} from '../../formats/vet-common.js';

export const CRATES_IO_SOURCE = 'registry+https://github.com/rust-lang/crates.io-index';
/** `cargo metadata` of a very large workspace is tens of MB; more than this is refused. */
export const MAX_METADATA_BYTES = 256 * 1024 * 1024;
export const MAX_METADATA_PACKAGES = 200_000;

export class MetadataError extends Error {
  override name = 'MetadataError';
}

export interface MetadataPackage {
  id: string;
  name: string;
  version: VetVersion;
  /** `null` for path packages. */
  source: string | null;
  manifestPath?: string;
  description?: string;
  repository?: string;
}

export interface PackageNode {
  id: string;
  name: string;
  version: VetVersion;
  source: string | null;
  normalDeps: number[];
  buildDeps: number[];
  devDeps: number[];
  normalAndBuildDeps: number[];
  reverseDeps: Set<number>;
  isWorkspaceMember: boolean;
  /** From crates.io, or forced by `audit-as-crates-io`. */
  isThirdParty: boolean;
  isRoot: boolean;
  isDevOnly: boolean;
}

export interface DepGraph {
  nodes: PackageNode[];
  /** Indices into `nodes`, dependencies before dependents. */
  topoIndex: number[];
  workspaceRoot?: string;
}

interface ResolveDep {
  pkg: string;
  kinds: ('normal' | 'build' | 'dev')[];
}

export interface CargoMetadata {
  packages: MetadataPackage[];
  workspaceMembers: string[];
  resolve: { id: string; deps: ResolveDep[] }[];
  workspaceRoot?: string;
  /** `[workspace.metadata]` (where `vet.store.path` may move the store). */
  workspaceMetadata?: unknown;
}

/** The `git+…#<rev>` revision cargo-vet appends to versions of git packages. */
function gitRev(source: string | null): string | undefined {
  if (source === null || !source.startsWith('git+')) return undefined;
  const hash = source.indexOf('#');
  return hash < 0 ? undefined : source.slice(hash + 1);
}

/** Reads `cargo metadata --format-version 1` output; refuses anything malformed with a clear error. */
export function parseCargoMetadata(text: string): CargoMetadata {
  if (typeof text !== 'string') throw new MetadataError('cargo metadata: expected JSON text');
  if (text.length > MAX_METADATA_BYTES) throw new MetadataError('cargo metadata: output is too large');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new MetadataError(`cargo metadata: invalid JSON: ${(err as Error).message}`);
  }
  if (!isTable(doc)) throw new MetadataError('cargo metadata: expected a JSON object');
  const version = own(doc, 'version');
  if (version !== 1)
    throw new MetadataError(`cargo metadata: unsupported format version ${String(version)} (expected 1)`);
  const packagesRaw = arrayField(doc, 'packages', 'cargo metadata');
  if (packagesRaw.length > MAX_METADATA_PACKAGES)
    throw new MetadataError('cargo metadata: too many packages');
  const packages = packagesRaw.map((p, i) => readPackage(p, i));
  const members = arrayField(doc, 'workspace_members', 'cargo metadata').map((m, i) => {
    if (typeof m !== 'string')
      throw new MetadataError(`cargo metadata: workspace_members[${i}] must be a string`);
    return m;
  });
  const resolveRaw = own(doc, 'resolve');
  if (!isTable(resolveRaw)) {
    throw new MetadataError('cargo metadata: no "resolve" graph (was --no-deps passed?)');
  }
  const resolve = arrayField(resolveRaw, 'nodes', 'cargo metadata: resolve').map((n, i) =>
    readResolveNode(n, i),
  );
  const out: CargoMetadata = { packages, workspaceMembers: members, resolve };
  const root = own(doc, 'workspace_root');
  if (typeof root === 'string') out.workspaceRoot = root;
  const wsMeta = own(doc, 'metadata');
  if (wsMeta !== undefined && wsMeta !== null) out.workspaceMetadata = wsMeta;
  return out;
}

function arrayField(t: Record<string, unknown>, key: string, where: string): unknown[] {
  const v = own(t, key);
  if (!Array.isArray(v))
    throw new MetadataError(`${where}: "${key}" must be an array, found ${tomlTypeName(v)}`);
  return v;
}

function str(t: Record<string, unknown>, key: string, where: string): string {
  const v = own(t, key);
  if (typeof v !== 'string')
    throw new MetadataError(`${where}: "${key}" must be a string, found ${tomlTypeName(v)}`);
  return v;
}

function readPackage(p: unknown, i: number): MetadataPackage {
  const where = `cargo metadata: packages[${i}]`;
  if (!isTable(p)) throw new MetadataError(`${where} must be an object`);
  const id = str(p, 'id', where);
  const name = str(p, 'name', where);
  const versionText = str(p, 'version', where);
  const sourceRaw = own(p, 'source');
  if (sourceRaw !== null && sourceRaw !== undefined && typeof sourceRaw !== 'string') {
    throw new MetadataError(`${where}: "source" must be a string or null`);
  }
  const source = (sourceRaw as string | null | undefined) ?? null;
  let version: VetVersion;
  try {
    version = parseVetVersion(versionText);
  } catch (err) {
    throw new MetadataError(
      `${where} (${name}): invalid version '${versionText}': ${(err as Error).message}`,
    );
  }
  const rev = gitRev(source);
  if (rev !== undefined) version = { semver: version.semver, gitRev: rev };
  const out: MetadataPackage = { id, name, version, source };
  const manifest = own(p, 'manifest_path');
  if (typeof manifest === 'string') out.manifestPath = manifest;
  const description = own(p, 'description');
  if (typeof description === 'string') out.description = description;
  const repository = own(p, 'repository');
  if (typeof repository === 'string') out.repository = repository;
  return out;
}

function readResolveNode(n: unknown, i: number): { id: string; deps: ResolveDep[] } {
  const where = `cargo metadata: resolve.nodes[${i}]`;
  if (!isTable(n)) throw new MetadataError(`${where} must be an object`);
  const id = str(n, 'id', where);
  const depsRaw = own(n, 'deps');
  const deps = (Array.isArray(depsRaw) ? depsRaw : []).map((d, j): ResolveDep => {
    const w = `${where}.deps[${j}]`;
    if (!isTable(d)) throw new MetadataError(`${w} must be an object`);
    const pkg = str(d, 'pkg', w);
    const kindsRaw = own(d, 'dep_kinds');
    const kinds: ResolveDep['kinds'] = [];
    for (const k of Array.isArray(kindsRaw) ? kindsRaw : []) {
      if (!isTable(k)) throw new MetadataError(`${w}.dep_kinds must hold objects`);
      const kind = own(k, 'kind');
      if (kind === null || kind === undefined) kinds.push('normal');
      else if (kind === 'build' || kind === 'dev') kinds.push(kind);
      else throw new MetadataError(`${w}: unknown dependency kind ${JSON.stringify(kind)}`);
    }
    return { pkg, kinds };
  });
  return { id, deps };
}

export interface GraphOptions {
  /** `audit-as-crates-io` for a package (from config.toml's policy). */
  auditAsCratesIo?: (name: string, version: VetVersion) => boolean | undefined;
}

export function buildDepGraph(meta: CargoMetadata, opts: GraphOptions = {}): DepGraph {
  const pkgById = new Map<string, MetadataPackage>();
  for (const p of meta.packages) pkgById.set(p.id, p);
  const resolveById = new Map<string, ResolveDep[]>();
  for (const r of meta.resolve) resolveById.set(r.id, r.deps);
  const nodes: PackageNode[] = meta.resolve.map((r) => {
    const p = pkgById.get(r.id);
    if (!p) throw new MetadataError(`cargo metadata: resolved package ${r.id} is not in "packages"`);
    const forced = opts.auditAsCratesIo?.(p.name, p.version) ?? false;
    return {
      id: p.id,
      name: p.name,
      version: p.version,
      source: p.source,
      normalDeps: [],
      buildDeps: [],
      devDeps: [],
      normalAndBuildDeps: [],
      reverseDeps: new Set<number>(),
      isWorkspaceMember: false,
      isThirdParty: forced || p.source === CRATES_IO_SOURCE,
      isRoot: false,
      isDevOnly: true,
    };
  });
  nodes.sort(
    (a, b) =>
      compareStrings(a.name, b.name) ||
      compareVetVersions(a.version, b.version) ||
      compareStrings(a.id, b.id),
  );
  const indexById = new Map<string, number>();
  nodes.forEach((n, i) => {
    if (indexById.has(n.id)) throw new MetadataError(`cargo metadata: package ${n.id} is resolved twice`);
    indexById.set(n.id, i);
  });
  const idx = (id: string): number => {
    const i = indexById.get(id);
    if (i === undefined)
      throw new MetadataError(`cargo metadata: dependency ${id} is not a resolved package`);
    return i;
  };
  const depsOf = (id: string, kinds: ResolveDep['kinds'][number][]): number[] =>
    (resolveById.get(id) ?? []).filter((d) => d.kinds.some((k) => kinds.includes(k))).map((d) => idx(d.pkg));

  const topoIndex: number[] = [];
  const visited = new Set<number>();
  // Iterative post-order DFS: deep graphs must not overflow the stack.
  const visit = (start: number): void => {
    if (visited.has(start)) return;
    visited.add(start);
    const stack: { node: number; children: number[]; next: number }[] = [];
    const enter = (node: number): void => {
      const n = nodes[node]!;
      n.buildDeps = depsOf(n.id, ['build']);
      n.normalDeps = depsOf(n.id, ['normal']);
      n.normalAndBuildDeps = depsOf(n.id, ['normal', 'build']);
      stack.push({ node, children: n.normalAndBuildDeps, next: 0 });
    };
    enter(start);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next < top.children.length) {
        const child = top.children[top.next++]!;
        nodes[child]!.reverseDeps.add(top.node);
        if (!visited.has(child)) {
          visited.add(child);
          enter(child);
        }
      } else {
        stack.pop();
        topoIndex.push(top.node);
      }
    }
  };
  const members = meta.workspaceMembers.map((id) => {
    const i = indexById.get(id);
    if (i === undefined)
      throw new MetadataError(`cargo metadata: workspace member ${id} is not a resolved package`);
    return i;
  });
  for (const m of members) {
    nodes[m]!.isWorkspaceMember = true;
    visit(m);
  }
  for (const v of visited) nodes[v]!.isDevOnly = false;
  for (const m of members) nodes[m]!.isRoot = nodes[m]!.reverseDeps.size === 0;
  for (const m of members) {
    const dev = depsOf(nodes[m]!.id, ['dev']);
    for (const child of dev) {
      visit(child);
      nodes[child]!.reverseDeps.add(m);
    }
    nodes[m]!.devDeps = dev;
  }
  const out: DepGraph = { nodes, topoIndex };
  if (meta.workspaceRoot !== undefined) out.workspaceRoot = meta.workspaceRoot;
  return out;
}
