// Exports the graph, or a subgraph around one version, to Neo4j (CSV for neo4j-admin, or a
// Cypher script), GraphML or DOT. The format writers live in formats/; this module picks the
// versions and edges and maps them to those writers' plain records.
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { tryParseVersion } from '../domain/semver.js';
import { dot } from '../formats/dot.js';
import { graphml } from '../formats/graphml.js';
import { cypherScript, neo4jCsvFiles, neo4jImportCommand } from '../formats/neo4j-export.js';
import type { CrateAnalysis } from '../analysis/analyze-crate.js';
import type {
  Neo4jCrate,
  Neo4jDependsOn,
  Neo4jGraph,
  Neo4jInvokes,
  Neo4jUnsafe,
  Neo4jResolvesTo,
  Neo4jVersion,
} from '../formats/neo4j-export.js';
import { D_KIND_MASK, D_OPTIONAL, KIND_NAMES } from './ecosystem-graph.js';
import type { EcosystemGraph } from './ecosystem-graph.js';
import { EdgeFilter, forwardReach, reverseReach } from './traversal.js';
import type { EdgeFilterOptions } from './traversal.js';

export type ExportFormat = 'neo4j' | 'cypher' | 'graphml' | 'dot';

export interface SubgraphOptions extends EdgeFilterOptions {
  /** Root version; absent means the whole graph. */
  root?: number;
  /** Hops from the root (default unlimited). */
  depth?: number;
  /** Walk the root's dependencies (default) or its dependents. */
  direction?: 'dependencies' | 'dependents';
}

export interface Subgraph {
  /** Version ids, ascending. */
  versions: number[];
  /** Dependency edges from versions in the set (all of them for the whole graph). */
  edges: number[];
  whole: boolean;
}

export function selectSubgraph(g: EcosystemGraph, opts: SubgraphOptions = {}): Subgraph {
  if (opts.root === undefined) {
    return {
      versions: Array.from({ length: g.versionCount }, (_, i) => i),
      edges: Array.from({ length: g.edgeCount }, (_, i) => i),
      whole: true,
    };
  }
  const filter = new EdgeFilter(opts);
  const depth = opts.depth ?? Infinity;
  const reached =
    opts.direction === 'dependents'
      ? [{ version: opts.root, depth: 0 }, ...reverseReach(g, [opts.root], filter, depth)]
      : forwardReach(g, opts.root, filter, depth);
  const inSet = new Set(reached.map((r) => r.version));
  const versions = [...inSet].sort((a, b) => a - b);
  const edges: number[] = [];
  for (const v of versions) {
    for (let e = g.depStart[v]!; e < g.depStart[v + 1]!; e++) {
      const f = g.depFlags[e]!;
      if (!filter.accepts(f)) continue;
      const r = g.depResolved[e]!;
      // Inside a subgraph, keep edges between its versions (dev edges only from the root).
      if (r >= 0 && inSet.has(r) && (v === opts.root || !EdgeFilter.isDev(f))) edges.push(e);
    }
  }
  return { versions, edges, whole: false };
}

function versionId(g: EcosystemGraph, v: number): string {
  return `${g.crateNames[g.versionCrate[v]!]}@${g.versionNum[v]}`;
}

/**
 * Source analyses joined to the subgraph's versions (`name@version`): unsafe counts of the used
 * files, and one INVOKES per distinct (version, caller, callee) call into another crate the
 * subgraph has a node for (std and crates outside it are left out).
 */
function analysisOf(
  g: EcosystemGraph,
  sub: Subgraph,
  analyses: readonly CrateAnalysis[],
  crateNames: () => Iterable<Neo4jCrate>,
): { unsafety: Map<string, Neo4jUnsafe>; invokes: Neo4jInvokes[] } {
  const ids = new Set(sub.versions.map((v) => versionId(g, v)));
  const byNorm = new Map<string, string>();
  for (const c of crateNames()) byNorm.set(c.name.replace(/-/g, '_'), c.name);
  const unsafety = new Map<string, Neo4jUnsafe>();
  const invokes: Neo4jInvokes[] = [];
  for (const a of analyses) {
    const id = `${a.name}@${a.version}`;
    if (!ids.has(id) || unsafety.has(id)) continue;
    const u = a.unsafety.used;
    unsafety.set(id, {
      functions: u.functions.unsafe,
      exprs: u.exprs.unsafe,
      impls: u.itemImpls.unsafe,
      traits: u.itemTraits.unsafe,
      methods: u.methods.unsafe,
      forbids: a.unsafety.forbidsUnsafe,
    });
    const self = a.name.replace(/-/g, '_');
    const seen = new Set<string>();
    for (const [target, inv] of Object.entries(a.invocations)) {
      if (target === 'build') continue;
      for (const c of inv.calls) {
        if (c.callee.kind !== 'resolved' || c.callee.crate === self) continue;
        const to = byNorm.get(c.callee.crate);
        if (to === undefined) continue;
        const caller = c.caller.startsWith('crate::') ? `${self}::${c.caller.slice(7)}` : c.caller;
        const key = `${caller}\0${c.callee.path}`;
        if (seen.has(key)) continue;
        seen.add(key);
        invokes.push({ from: id, to, caller, callee: c.callee.path });
      }
    }
  }
  return { unsafety, invokes };
}

/** The subgraph in the Neo4j writers' terms; lazily generated, re-iterable. */
export function neo4jGraphOf(
  g: EcosystemGraph,
  sub: Subgraph,
  analyses?: readonly CrateAnalysis[],
): Neo4jGraph {
  const crates = (): Iterable<Neo4jCrate> => {
    const names = new Set<string>();
    for (const v of sub.versions) names.add(g.crateNames[g.versionCrate[v]!]!);
    // DEPENDS_ON points at crates, including ones the graph has no versions of.
    for (const e of sub.edges) names.add(g.strings[g.depName[e]!]!);
    return [...names].sort().map((name) => ({ name }));
  };
  const versions = function* (): Generator<Neo4jVersion> {
    for (const v of sub.versions) {
      const info = g.version(v);
      const p = tryParseVersion(info.num);
      yield {
        id: versionId(g, v),
        name: info.crate,
        version: info.num,
        major: p ? p.major : null,
        minor: p ? p.minor : null,
        patch: p ? p.patch : null,
        pre: p ? p.pre.join('.') : '',
        build: p ? p.build.join('.') : '',
        yanked: info.yanked,
        latest: info.latest,
        published: info.published,
      };
    }
  };
  const dependsOn = function* (): Generator<Neo4jDependsOn> {
    for (const e of sub.edges) {
      const d = g.dependency(e);
      yield {
        from: versionId(g, g.depFrom(e)),
        to: d.crate,
        requirement: d.req,
        features: d.features,
        kind: d.kind,
        optional: d.optional,
        target: d.target,
        rename: d.rename,
      };
    }
  };
  const resolvesTo = function* (): Generator<Neo4jResolvesTo> {
    for (const e of sub.edges) {
      const r = g.depResolved[e]!;
      if (r < 0) continue;
      const f = g.depFlags[e]!;
      yield {
        from: versionId(g, g.depFrom(e)),
        to: versionId(g, r),
        requirement: g.strings[g.depReq[e]!]!,
        kind: KIND_NAMES[f & D_KIND_MASK]!,
        optional: (f & D_OPTIONAL) !== 0,
      };
    }
  };
  const analysed = analyses ? analysisOf(g, sub, analyses, crates) : null;
  return {
    ...(analysed ? { unsafety: analysed.unsafety, invokes: analysed.invokes } : {}),
    get crates() {
      return crates();
    },
    get versions() {
      return { [Symbol.iterator]: versions };
    },
    get dependsOn() {
      return { [Symbol.iterator]: dependsOn };
    },
    get resolvesTo() {
      return { [Symbol.iterator]: resolvesTo };
    },
  };
}

export function graphmlOf(g: EcosystemGraph, sub: Subgraph): Iterable<string> {
  return graphml({
    nodeKeys: [
      { name: 'crate', type: 'string' },
      { name: 'version', type: 'string' },
      { name: 'yanked', type: 'boolean' },
      { name: 'latest', type: 'boolean' },
      { name: 'published', type: 'string' },
    ],
    edgeKeys: [
      { name: 'requirement', type: 'string' },
      { name: 'kind', type: 'string' },
      { name: 'optional', type: 'boolean' },
      { name: 'target', type: 'string' },
      { name: 'rename', type: 'string' },
    ],
    nodes: sub.versions.map((v) => {
      const i = g.version(v);
      return {
        id: versionId(g, v),
        attrs: { crate: i.crate, version: i.num, yanked: i.yanked, latest: i.latest, published: i.published },
      };
    }),
    edges: resolvedEdges(g, sub).map((e) => {
      const d = g.dependency(e);
      return {
        source: versionId(g, g.depFrom(e)),
        target: versionId(g, d.resolved!),
        attrs: { requirement: d.req, kind: d.kind, optional: d.optional, target: d.target, rename: d.rename },
      };
    }),
  });
}

export function dotOf(g: EcosystemGraph, sub: Subgraph, root?: number): Iterable<string> {
  return dot({
    nodes: sub.versions.map((v) => {
      const i = g.version(v);
      const attrs: Record<string, string> = {};
      if (i.yanked) attrs.style = 'dashed';
      if (v === root) attrs.penwidth = '2';
      return { id: versionId(g, v), label: `${i.crate} ${i.num}`, attrs };
    }),
    edges: resolvedEdges(g, sub).map((e) => {
      const d = g.dependency(e);
      const attrs: Record<string, string> = {};
      if (d.kind !== 'normal') attrs.color = d.kind === 'dev' ? 'gray' : 'blue';
      if (d.optional) attrs.style = 'dashed';
      return { source: versionId(g, g.depFrom(e)), target: versionId(g, d.resolved!), label: d.req, attrs };
    }),
  });
}

function resolvedEdges(g: EcosystemGraph, sub: Subgraph): number[] {
  return sub.edges.filter((e) => g.depResolved[e]! >= 0);
}

/** Groups small string chunks so that writing a million rows is a few hundred writes. */
function* chunked(parts: Iterable<string>, size = 1 << 16): Generator<string> {
  let buf = '';
  for (const p of parts) {
    buf += p;
    if (buf.length >= size) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

export async function writeText(path: string, parts: Iterable<string>): Promise<void> {
  await pipeline(Readable.from(chunked(parts)), createWriteStream(path));
}

export interface ExportResult {
  format: ExportFormat;
  files: string[];
  versions: number;
  edges: number;
  /** INVOKES edges written (with analyses). */
  invokes?: number;
  /** For neo4j: the neo4j-admin command that imports the files. */
  importCommand?: string;
}

/** Writes `sub` in `format` to `out` (a directory for neo4j CSV, a file otherwise). */
export async function exportGraph(
  g: EcosystemGraph,
  sub: Subgraph,
  format: ExportFormat,
  out: string,
  root?: number,
  analyses?: readonly CrateAnalysis[],
): Promise<ExportResult> {
  const ng = format === 'neo4j' || format === 'cypher' ? neo4jGraphOf(g, sub, analyses) : null;
  const base = {
    format,
    versions: sub.versions.length,
    edges: sub.edges.length,
    ...(ng?.invokes ? { invokes: [...ng.invokes].length } : {}),
  };
  switch (format) {
    case 'neo4j': {
      await mkdir(out, { recursive: true });
      const files = neo4jCsvFiles(ng!);
      for (const f of files) await writeText(join(out, f.name), f.lines);
      return {
        ...base,
        files: files.map((f) => join(out, f.name)),
        importCommand: neo4jImportCommand(files, out),
      };
    }
    case 'cypher':
      await writeText(out, cypherScript(ng!));
      return { ...base, files: [out] };
    case 'graphml':
      await writeText(out, graphmlOf(g, sub));
      return { ...base, files: [out] };
    case 'dot':
      await writeText(out, dotOf(g, sub, root));
      return { ...base, files: [out] };
  }
}
