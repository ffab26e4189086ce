// `cratekeeper graph …`: the ecosystem graph from the command line. Every command loads its
// graph from `--index PATH` or `--db-dump PATH` through the on-disk cache.
//
// Exit codes: 0 on success; 1 when a gate fails (`blast-radius --max N` exceeded) or `why`
// finds no path; 2 on bad input (arguments, unknown crate, unreadable source).
import type { Command } from 'commander';
import type { DependencyKind } from '../../domain/index-line.js';
import { blastRadius } from '../../graph/blast-radius.js';
import { dependencyTree } from '../../graph/dependency-tree.js';
import type { TreeNode } from '../../graph/dependency-tree.js';
import { findDependents } from '../../graph/dependents.js';
import type { EcosystemGraph } from '../../graph/ecosystem-graph.js';
import { exportGraph, selectSubgraph } from '../../graph/export.js';
import type { ExportFormat } from '../../graph/export.js';
import { loadGraph } from '../../graph/load-graph.js';
import type { GraphSourceKind, LoadedGraph, LoadProgress } from '../../graph/load-graph.js';
import { parseSpec, SpecError, specRoot, specVersions } from '../../graph/spec.js';
import { topCrates } from '../../graph/top-crates.js';
import type { EdgeFilterOptions } from '../../graph/traversal.js';
import { DEFAULT_KINDS } from '../../graph/traversal.js';
import { whyPath } from '../../graph/why-path.js';
import { createProgress } from '../progress.js';

interface SourceOptions {
  index?: string;
  dbDump?: string;
  cache?: string | false;
  refresh?: boolean;
  skipMalformed?: boolean;
  progress?: boolean;
  json?: boolean;
}

interface FilterOptions {
  kinds?: string;
  includeOptional?: boolean;
}

class UsageError extends Error {}

const fmt = (n: number) => n.toLocaleString('en-US');

function addSourceOptions(cmd: Command, positional = false): Command {
  if (!positional) {
    cmd.option('--index <path>', 'crates.io-style index: .tar.gz snapshot, directory or git repository');
    cmd.option('--db-dump <path>', 'crates.io database dump (db-dump.tar.gz or its unpacked directory)');
  }
  return cmd
    .option('--cache <dir>', 'graph cache directory (default ~/.cache/cratekeeper/graph)')
    .option('--no-cache', 'do not read or write the graph cache')
    .option('--refresh', 'rebuild the graph even if a cached one exists')
    .option('--skip-malformed', 'skip malformed index lines instead of failing')
    .option('--progress', 'show progress on stderr even when it is not a terminal')
    .option('--json', 'machine-readable output');
}

function addFilterOptions(cmd: Command): Command {
  return cmd
    .option('--kinds <list>', 'dependency kinds that count: normal,build,dev', DEFAULT_KINDS.join(','))
    .option('--include-optional', 'count optional dependencies too');
}

function filterOf(o: FilterOptions): EdgeFilterOptions {
  const kinds = (o.kinds ?? DEFAULT_KINDS.join(','))
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  for (const k of kinds) {
    if (k !== 'normal' && k !== 'build' && k !== 'dev') {
      throw new UsageError(`--kinds: unknown kind ${JSON.stringify(k)} (normal, build, dev)`);
    }
  }
  if (kinds.length === 0) throw new UsageError('--kinds: give at least one kind');
  return { kinds: kinds as DependencyKind[], includeOptional: o.includeOptional === true };
}

function describeFilter(f: EdgeFilterOptions): string {
  return `kinds ${(f.kinds ?? DEFAULT_KINDS).join('+')}, optional ${f.includeOptional ? 'included' : 'excluded'}`;
}

function positiveInt(value: string | undefined, flag: string, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value))
    throw new UsageError(`${flag} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

async function load(o: SourceOptions, positionalSource?: string): Promise<LoadedGraph> {
  let source = positionalSource;
  let kind: GraphSourceKind | undefined;
  if (!source) {
    if (o.index && o.dbDump) throw new UsageError('give either --index or --db-dump, not both');
    source = o.index ?? o.dbDump;
    kind = o.index ? 'index' : o.dbDump ? 'db-dump' : undefined;
    if (!source) throw new UsageError('no graph source: give --index PATH or --db-dump PATH');
  }
  const progress = createProgress('graph', 0, { force: o.progress === true });
  let lastBytes = 0;
  const onProgress = (p: LoadProgress) => {
    if (p.stage === 'read-index' || p.stage === 'read-db-dump') {
      if (p.progress.totalBytes) progress.setTotal(p.progress.totalBytes);
      const note =
        p.stage === 'read-index'
          ? `${fmt(p.progress.crates)} crates`
          : `${p.progress.table} ${fmt(p.progress.rows)} rows`;
      progress.tick(p.progress.bytes - lastBytes, note);
      lastBytes = p.progress.bytes;
    } else if (p.stage === 'build') {
      progress.tick(0, `${p.progress.phase} ${fmt(p.progress.done)}/${fmt(p.progress.total)}`);
    } else {
      process.stderr.write(`warning: ${p.message}\n`);
    }
  };
  let loaded: LoadedGraph;
  try {
    loaded = await loadGraph(source, {
      ...(kind ? { kind } : {}),
      ...(o.cache === false ? { cacheDir: null } : o.cache ? { cacheDir: o.cache } : {}),
      ...(o.refresh ? { refresh: true } : {}),
      ...(o.skipMalformed ? { skipMalformed: true } : {}),
      onProgress,
    });
  } catch (e) {
    throw new UsageError(`cannot load graph from ${source}: ${(e as Error).message}`);
  }
  const s = loaded.graph.stats;
  const summary = `graph: ${fmt(s.crates)} crates, ${fmt(s.versions)} versions, ${fmt(s.dependencies)} dependencies ${
    loaded.fromCache ? 'from cache' : 'imported'
  } in ${(loaded.ms / 1000).toFixed(2)} s`;
  progress.done(o.progress || process.stderr.isTTY ? summary : undefined);
  return loaded;
}

function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

function json(value: unknown): void {
  out(JSON.stringify(value, null, 2));
}

/** Runs a command body, turning bad input into exit code 2 with a one-line message. */
function run<A extends unknown[]>(body: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await body(...args);
    } catch (e) {
      if (e instanceof UsageError || e instanceof SpecError) {
        process.stderr.write(`error: ${e.message}\n`);
        process.exitCode = 2;
        return;
      }
      throw e;
    }
  };
}

function versionJson(g: EcosystemGraph, v: number) {
  const i = g.version(v);
  return { crate: i.crate, version: i.num, yanked: i.yanked, latest: i.latest };
}

function treeLines(g: EcosystemGraph, node: TreeNode, prefix: string, lines: string[]): void {
  node.children.forEach((child, i) => {
    const last = i === node.children.length - 1;
    const via = child.via!;
    const marks = [
      via.kind !== 'normal' ? via.kind : '',
      via.optional ? 'optional' : '',
      via.target ? `target ${via.target}` : '',
    ].filter(Boolean);
    const name = via.rename ? `${via.crate} (as ${via.rename})` : via.crate;
    lines.push(
      `${prefix}${last ? '└── ' : '├── '}${name} ${g.versionNum[child.version]} (${via.req})` +
        `${marks.length ? ` [${marks.join(', ')}]` : ''}${child.repeated ? ' (*)' : ''}${child.truncated ? ' …' : ''}`,
    );
    treeLines(g, child, prefix + (last ? '    ' : '│   '), lines);
  });
}

function treeJson(g: EcosystemGraph, node: TreeNode): unknown {
  return {
    ...versionJson(g, node.version),
    ...(node.via
      ? {
          req: node.via.req,
          kind: node.via.kind,
          optional: node.via.optional,
          ...(node.via.rename ? { rename: node.via.rename } : {}),
          ...(node.via.target ? { target: node.via.target } : {}),
        }
      : {}),
    ...(node.repeated ? { repeated: true } : {}),
    ...(node.truncated ? { truncated: true } : {}),
    dependencies: node.children.map((c) => treeJson(g, c)),
  };
}

export function registerGraphCommands(program: Command): void {
  const graph = program
    .command('graph')
    .description(
      'the ecosystem graph: dependents, trees, why-paths, blast radius, exports (what Painter does)',
    );

  addSourceOptions(
    graph
      .command('import')
      .description('import an index or db-dump into the graph cache and print its statistics')
      .argument('<source>', 'index (.tar.gz, directory, git repository) or db-dump')
      .option('--format <kind>', 'source format: index or db-dump (default: detected)'),
    true,
  ).action(
    run(async (source: string, o: SourceOptions & { format?: string }) => {
      if (o.format && o.format !== 'index' && o.format !== 'db-dump') {
        throw new UsageError('--format must be index or db-dump');
      }
      const loaded = await load(
        o.format === 'db-dump'
          ? { ...o, dbDump: source }
          : o.format === 'index'
            ? { ...o, index: source }
            : o,
        o.format ? undefined : source,
      );
      const s = loaded.graph.stats;
      if (o.json) {
        json({
          kind: loaded.kind,
          fromCache: loaded.fromCache,
          cache: loaded.cachePath,
          ms: Math.round(loaded.ms),
          stats: s,
        });
        return;
      }
      out(
        `${loaded.fromCache ? 'Loaded from cache' : 'Imported'} ${loaded.kind} in ${(loaded.ms / 1000).toFixed(2)} s: ` +
          `${fmt(s.crates)} crates, ${fmt(s.versions)} versions, ${fmt(s.dependencies)} dependencies ` +
          `(${fmt(s.resolved)} resolved)` +
          (loaded.cachePath ? `\ncache: ${loaded.cachePath}` : ''),
      );
    }),
  );

  addFilterOptions(
    addSourceOptions(
      graph
        .command('dependents')
        .description(
          'crates that depend on a crate or a version range (SPEC: serde, serde@1.0.100, "serde@<1.0.100")',
        )
        .argument('<spec>')
        .option('--transitive', 'include dependents of dependents')
        .option('--all-versions', 'count every version, not only each crate’s latest')
        .option('--limit <n>', 'list at most N dependents (the count is always complete)'),
    ),
  ).action(
    run(
      async (
        specText: string,
        o: SourceOptions & FilterOptions & { transitive?: boolean; allVersions?: boolean; limit?: string },
      ) => {
        const filter = filterOf(o);
        const limit = positiveInt(o.limit, '--limit');
        const spec = parseSpec(specText);
        const { graph: g } = await load(o);
        const targets = specVersions(g, spec);
        const r = findDependents(g, targets, {
          ...filter,
          transitive: o.transitive === true,
          allVersions: o.allVersions === true,
        });
        const shown = limit === undefined ? r.dependents : r.dependents.slice(0, limit);
        if (o.json) {
          json({
            spec: spec.text,
            targets: targets.map((v) => g.versionNum[v]),
            transitive: o.transitive === true,
            allVersions: o.allVersions === true,
            ...filter,
            count: r.dependents.length,
            crates: r.crates,
            dependents: shown.map((d) => ({ ...versionJson(g, d.version), depth: d.depth })),
          });
          return;
        }
        const lines = [
          `${o.transitive ? 'Transitive' : 'Direct'} dependents of ${spec.text} (${fmt(targets.length)} version${targets.length === 1 ? '' : 's'}), ` +
            `${o.allVersions ? 'all versions' : 'latest versions'}, ${describeFilter(filter)}: ` +
            `${fmt(r.dependents.length)} version${r.dependents.length === 1 ? '' : 's'} of ${fmt(r.crates)} crate${r.crates === 1 ? '' : 's'}`,
        ];
        for (const d of shown) {
          lines.push(
            `  ${g.label(d.version).replace('@', ' ')}${o.transitive ? `  (depth ${d.depth})` : ''}`,
          );
        }
        if (shown.length < r.dependents.length)
          lines.push(`  … ${fmt(r.dependents.length - shown.length)} more (--limit)`);
        out(lines.join('\n'));
      },
    ),
  );

  addFilterOptions(
    addSourceOptions(
      graph
        .command('tree')
        .description(
          'the dependency tree of a version as a fresh resolution picks it (SPEC: crate or crate@version)',
        )
        .argument('<spec>')
        .option('--depth <n>', 'levels to show'),
    ),
  ).action(
    run(async (specText: string, o: SourceOptions & FilterOptions & { depth?: string }) => {
      const filter = filterOf(o);
      const depth = positiveInt(o.depth, '--depth');
      const spec = parseSpec(specText);
      const { graph: g } = await load(o);
      const root = specRoot(g, spec);
      const t = dependencyTree(g, root, { ...filter, ...(depth !== undefined ? { depth } : {}) });
      if (o.json) {
        json({
          ...(treeJson(g, t.root) as object),
          versions: t.versions,
          unresolved: t.unresolved.map((u) => ({
            from: g.label(g.depFrom(u.via.edge)),
            crate: u.via.crate,
            req: u.via.req,
            reason: u.via.unresolvedReason,
          })),
        });
        return;
      }
      const lines = [g.label(root).replace('@', ' ')];
      treeLines(g, t.root, '', lines);
      for (const u of t.unresolved) {
        lines.push(
          `unresolved: ${g.label(g.depFrom(u.via.edge))} → ${u.via.crate} ${u.via.req} (${u.via.unresolvedReason})`,
        );
      }
      out(lines.join('\n'));
    }),
  );

  addFilterOptions(
    addSourceOptions(
      graph
        .command('why')
        .description('a shortest dependency path from A (crate or crate@version) to B (crate or range)')
        .argument('<from>')
        .argument('<to>'),
    ),
  ).action(
    run(async (fromText: string, toText: string, o: SourceOptions & FilterOptions) => {
      const filter = filterOf(o);
      const from = parseSpec(fromText);
      const to = parseSpec(toText);
      const { graph: g } = await load(o);
      const root = specRoot(g, from);
      const path = whyPath(g, root, specVersions(g, to), filter);
      if (path === null) process.exitCode = 1;
      if (o.json) {
        json({
          from: versionJson(g, root),
          to: to.text,
          ...filter,
          path:
            path === null
              ? null
              : path.map((e) => {
                  const d = g.dependency(e);
                  return {
                    from: g.label(g.depFrom(e)),
                    crate: d.crate,
                    req: d.req,
                    kind: d.kind,
                    optional: d.optional,
                    version: g.versionNum[d.resolved!],
                  };
                }),
        });
        return;
      }
      if (path === null) {
        out(`${g.label(root)} does not depend on ${to.text} (${describeFilter(filter)})`);
        return;
      }
      const lines = [g.label(root).replace('@', ' ')];
      path.forEach((e, i) => {
        const d = g.dependency(e);
        const marks = [d.kind !== 'normal' ? d.kind : '', d.optional ? 'optional' : ''].filter(Boolean);
        lines.push(
          `${'   '.repeat(i)}└─ ${d.crate} ${g.versionNum[d.resolved!]} (${d.req})${marks.length ? ` [${marks.join(', ')}]` : ''}`,
        );
      });
      out(lines.join('\n'));
    }),
  );

  addFilterOptions(
    addSourceOptions(
      graph
        .command('top')
        .description('crates with the most transitive dependents (counted over crates’ latest versions)')
        .argument('[n]', 'how many', '20'),
    ),
  ).action(
    run(async (nText: string, o: SourceOptions & FilterOptions) => {
      const filter = filterOf(o);
      const n = positiveInt(nText, 'N')!;
      const { graph: g } = await load(o);
      const top = topCrates(g, n, filter);
      if (o.json) {
        json(
          top.map((t, i) => ({
            rank: i + 1,
            crate: g.crateName(t.crate),
            transitive: t.transitive,
            direct: t.direct,
          })),
        );
        return;
      }
      const width = Math.max(5, ...top.map((t) => g.crateName(t.crate).length));
      const lines = [
        `${'rank'.padStart(4)}  ${'crate'.padEnd(width)}  ${'transitive'.padStart(10)}  ${'direct'.padStart(8)}`,
      ];
      top.forEach((t, i) => {
        lines.push(
          `${String(i + 1).padStart(4)}  ${g.crateName(t.crate).padEnd(width)}  ${fmt(t.transitive).padStart(10)}  ${fmt(t.direct).padStart(8)}`,
        );
      });
      out(lines.join('\n'));
    }),
  );

  addFilterOptions(
    addSourceOptions(
      graph
        .command('blast-radius')
        .description(
          'how many crates’ latest versions resolve to a version in SPEC, directly or transitively',
        )
        .argument('<spec>')
        .option('--max <n>', 'gate: exit 1 when more than N crates are affected transitively')
        .option('--limit <n>', 'list at most N direct dependents', '20'),
    ),
  ).action(
    run(async (specText: string, o: SourceOptions & FilterOptions & { max?: string; limit?: string }) => {
      const filter = filterOf(o);
      const max = positiveInt(o.max, '--max');
      const limit = positiveInt(o.limit, '--limit', 20)!;
      const spec = parseSpec(specText);
      const { graph: g } = await load(o);
      const affected = specVersions(g, spec);
      const r = blastRadius(g, affected, filter);
      const failed = max !== undefined && r.transitive > max;
      if (failed) process.exitCode = 1;
      if (o.json) {
        json({
          spec: spec.text,
          ...filter,
          affected: affected.map((v) => g.versionNum[v]),
          direct: r.direct,
          transitive: r.transitive,
          directWithOptional: r.directWithOptional,
          transitiveWithOptional: r.transitiveWithOptional,
          directDependents: r.directDependents.map((v) => versionJson(g, v)),
          ...(max !== undefined ? { max, passed: !failed } : {}),
        });
        return;
      }
      const lines = [
        `Blast radius of ${spec.text} (${fmt(affected.length)} affected version${affected.length === 1 ? '' : 's'}; ${describeFilter(filter)}):`,
        `  directly:     ${fmt(r.direct)} crates`,
        `  transitively: ${fmt(r.transitive)} crates`,
      ];
      if (!filter.includeOptional) {
        lines.push(
          `  with optional dependencies enabled: up to ${fmt(r.directWithOptional)} directly, ${fmt(r.transitiveWithOptional)} transitively`,
        );
      }
      if (r.directDependents.length > 0) {
        lines.push('  direct dependents:');
        for (const v of r.directDependents.slice(0, limit)) lines.push(`    ${g.label(v).replace('@', ' ')}`);
        if (r.directDependents.length > limit)
          lines.push(`    … ${fmt(r.directDependents.length - limit)} more (--limit)`);
      }
      if (max !== undefined)
        lines.push(
          failed ? `FAIL: ${fmt(r.transitive)} > --max ${fmt(max)}` : `ok: within --max ${fmt(max)}`,
        );
      out(lines.join('\n'));
    }),
  );

  addSourceOptions(graph.command('stats').description('summary statistics of the graph')).action(
    run(async (o: SourceOptions) => {
      const loaded = await load(o);
      const s = loaded.graph.stats;
      if (o.json) {
        json(s);
        return;
      }
      out(
        [
          `crates:               ${fmt(s.crates)} (${fmt(s.cratesWithoutLatest)} with every version yanked)`,
          `versions:             ${fmt(s.versions)} (${fmt(s.yankedVersions)} yanked, ${fmt(s.prereleaseVersions)} pre-release, ${fmt(s.invalidVersions)} not semver, ${fmt(s.duplicateVersions)} duplicates dropped)`,
          `dependencies:         ${fmt(s.dependencies)} (normal ${fmt(s.byKind.normal)}, build ${fmt(s.byKind.build)}, dev ${fmt(s.byKind.dev)})`,
          `  optional:           ${fmt(s.optional)}`,
          `  renamed:            ${fmt(s.renamed)}`,
          `  target-specific:    ${fmt(s.targetSpecific)}`,
          `  resolved:           ${fmt(s.resolved)}`,
          `  unresolved:         unknown crate ${fmt(s.unresolved.unknownCrate)}, no matching version ${fmt(s.unresolved.noMatch)}, ` +
            `bad requirement ${fmt(s.unresolved.badReq)}, other registry ${fmt(s.unresolved.externalRegistry)}`,
          `  matched by folded name: ${fmt(s.resolvedByFoldedName)}`,
          `requirements:         ${fmt(s.distinctRequirements)} distinct, ${fmt(s.unparsableRequirements)} unparsable`,
          `owners:               ${fmt(s.owners)} (${fmt(s.ownerships)} crate ownerships)`,
          `built in:             ${fmt(s.buildMs)} ms`,
        ].join('\n'),
      );
    }),
  );

  addFilterOptions(
    addSourceOptions(
      graph
        .command('export')
        .description('export to Neo4j (CSV for neo4j-admin, or Cypher), GraphML or DOT')
        .requiredOption('--format <format>', 'neo4j | cypher | graphml | dot')
        .requiredOption('--out <path>', 'output directory (neo4j) or file')
        .option('--root <spec>', 'export the subgraph around this version instead of everything')
        .option('--depth <n>', 'hops from the root')
        .option('--direction <dir>', 'dependencies (default) or dependents of the root', 'dependencies'),
    ),
  ).action(
    run(
      async (
        o: SourceOptions &
          FilterOptions & { format: string; out: string; root?: string; depth?: string; direction: string },
      ) => {
        const formats: readonly string[] = ['neo4j', 'cypher', 'graphml', 'dot'];
        if (!formats.includes(o.format))
          throw new UsageError(`--format must be one of ${formats.join(', ')}`);
        if (o.direction !== 'dependencies' && o.direction !== 'dependents') {
          throw new UsageError('--direction must be dependencies or dependents');
        }
        const filter = filterOf(o);
        const depth = positiveInt(o.depth, '--depth');
        const rootSpec = o.root ? parseSpec(o.root) : undefined;
        const { graph: g } = await load(o);
        const root = rootSpec ? specRoot(g, rootSpec) : undefined;
        const sub = selectSubgraph(g, {
          ...filter,
          ...(root !== undefined ? { root } : {}),
          ...(depth !== undefined ? { depth } : {}),
          direction: o.direction,
        });
        if (
          sub.whole &&
          (o.format === 'cypher' || o.format === 'dot' || o.format === 'graphml') &&
          sub.versions.length > 50_000
        ) {
          process.stderr.write(
            `warning: exporting all ${fmt(sub.versions.length)} versions as ${o.format}; give --root for a subgraph (or use --format neo4j)\n`,
          );
        }
        const r = await exportGraph(g, sub, o.format as ExportFormat, o.out, root);
        if (o.json) {
          json(r);
          return;
        }
        const lines = [
          `Exported ${fmt(r.versions)} versions and ${fmt(r.edges)} dependencies as ${r.format}:`,
          ...r.files.map((f) => `  ${f}`),
        ];
        if (r.importCommand) lines.push('Import with:', r.importCommand);
        out(lines.join('\n'));
      },
    ),
  );
}
