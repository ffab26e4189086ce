// `cratekeeper graph …`: the ecosystem graph from the command line. Every command loads its
// graph from `--index PATH` or `--db-dump PATH` through the on-disk cache.
//
// Exit codes: 0 on success; 1 when a gate fails (`blast-radius --max N` exceeded) or `why`
// finds no path; 2 on bad input (arguments, unknown crate, unreadable source).
import type { Command } from 'commander';
import type { DependencyKind } from '../../domain/index-line.js';
import { exportGraph, selectSubgraph } from '../../graph/export.js';
import type { ExportFormat } from '../../graph/export.js';
import { loadGraph } from '../../graph/load-graph.js';
import type { GraphSourceKind, LoadedGraph, LoadProgress } from '../../graph/load-graph.js';
import {
  queryBlastRadius,
  queryDependents,
  queryStats,
  queryTop,
  queryTree,
  queryWhy,
} from '../../graph/query-api.js';
import type { TreeAnswerNode, VersionRef } from '../../graph/query-api.js';
import { parseSpec, SpecError, specRoot } from '../../graph/spec.js';
import type { EdgeFilterOptions } from '../../graph/traversal.js';
import { DEFAULT_KINDS } from '../../graph/traversal.js';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isPostgresUrl, openDatabase } from '../../store/database.js';
import { buildRegistryGraph } from '../../store/registry-graph.js';
import { createProgress } from '../progress.js';
import { REGISTRY_DATABASE_FILE } from '../../registry/services.js';
import { UsageError } from '../usage-error.js';
import { registerInvokersCommand } from './graph-invokers.js';
import type { CrateAnalysis } from '../../analysis/analyze-crate.js';

interface SourceOptions {
  index?: string;
  registry?: string;
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

const fmt = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, noun: string) => `${fmt(n)} ${noun}${n === 1 ? '' : 's'}`;

function addSourceOptions(cmd: Command, positional = false): Command {
  if (!positional) {
    cmd.option('--index <path>', 'crates.io-style index: .tar.gz snapshot, directory or git repository');
    cmd.option('--db-dump <path>', 'crates.io database dump (db-dump.tar.gz or its unpacked directory)');
    cmd.option(
      '--registry <data-dir|url>',
      "this registry's own database: its data directory or a postgres:// URL",
    );
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
  if (!source && o.registry !== undefined) return loadRegistry(o.registry);
  if (!source) {
    if (o.index && o.dbDump) throw new UsageError('give either --index or --db-dump, not both');
    source = o.index ?? o.dbDump;
    kind = o.index ? 'index' : o.dbDump ? 'db-dump' : undefined;
    if (!source)
      throw new UsageError('no graph source: give --index PATH, --db-dump PATH or --registry DATA_DIR');
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

/** The registry's database is read directly (it changes with every publish, so no cache). */
async function loadRegistry(location: string): Promise<LoadedGraph> {
  const t0 = performance.now();
  const url = isPostgresUrl(location) ? location : join(resolve(location), REGISTRY_DATABASE_FILE);
  if (!isPostgresUrl(location) && !existsSync(url)) throw new UsageError(`no registry database at ${url}`);
  const db = await openDatabase({ url });
  try {
    const graph = await buildRegistryGraph(db.kysely);
    return { graph, kind: 'registry', fromCache: false, cachePath: null, ms: performance.now() - t0 };
  } finally {
    await db.close();
  }
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

const label = (v: VersionRef) => `${v.crate} ${v.version}`;

function treeLines(node: TreeAnswerNode, prefix: string, lines: string[]): void {
  node.dependencies.forEach((child, i) => {
    const last = i === node.dependencies.length - 1;
    const marks = [
      child.kind && child.kind !== 'normal' ? child.kind : '',
      child.optional ? 'optional' : '',
      child.rename ? `as ${child.rename}` : '',
      child.target ? `target ${child.target}` : '',
    ].filter(Boolean);
    lines.push(
      `${prefix}${last ? '└── ' : '├── '}${label(child)} (${child.req})` +
        `${marks.length ? ` [${marks.join(', ')}]` : ''}${child.repeated ? ' (*)' : ''}${child.truncated ? ' …' : ''}`,
    );
    treeLines(child, prefix + (last ? '    ' : '│   '), lines);
  });
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
        spec: string,
        o: SourceOptions & FilterOptions & { transitive?: boolean; allVersions?: boolean; limit?: string },
      ) => {
        const filter = filterOf(o);
        const limit = positiveInt(o.limit, '--limit');
        parseSpec(spec); // fail on a bad spec before loading anything
        const { graph: g } = await load(o);
        const a = queryDependents(g, {
          spec,
          ...filter,
          transitive: o.transitive === true,
          allVersions: o.allVersions === true,
          ...(limit !== undefined ? { limit } : {}),
        });
        if (o.json) return json(a);
        const lines = [
          `${a.transitive ? 'Transitive' : 'Direct'} dependents of ${a.spec} (${plural(a.targets.length, 'version')}), ` +
            `${a.allVersions ? 'all versions' : 'latest versions'}, ${describeFilter(filter)}: ` +
            `${plural(a.count, 'version')} of ${plural(a.crates, 'crate')}`,
        ];
        for (const d of a.dependents)
          lines.push(`  ${label(d)}${a.transitive ? `  (depth ${d.depth})` : ''}`);
        if (a.dependents.length < a.count)
          lines.push(`  … ${fmt(a.count - a.dependents.length)} more (--limit)`);
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
    run(async (spec: string, o: SourceOptions & FilterOptions & { depth?: string }) => {
      const filter = filterOf(o);
      const depth = positiveInt(o.depth, '--depth');
      parseSpec(spec);
      const { graph: g } = await load(o);
      const a = queryTree(g, { spec, ...filter, ...(depth !== undefined ? { depth } : {}) });
      if (o.json) return json(a);
      const lines = [label(a.root)];
      treeLines(a.root, '', lines);
      for (const u of a.unresolved) lines.push(`unresolved: ${u.from} → ${u.crate} ${u.req} (${u.reason})`);
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
    run(async (from: string, to: string, o: SourceOptions & FilterOptions) => {
      const filter = filterOf(o);
      parseSpec(from);
      parseSpec(to);
      const { graph: g } = await load(o);
      const a = queryWhy(g, { from, to, ...filter });
      if (a.path === null) process.exitCode = 1;
      if (o.json) return json(a);
      if (a.path === null) {
        out(`${label(a.from)} does not depend on ${a.to} (${describeFilter(filter)})`);
        return;
      }
      const lines = [label(a.from)];
      a.path.forEach((step, i) => {
        const marks = [
          step.kind !== 'normal' ? step.kind : '',
          step.optional ? 'optional' : '',
          step.rename ? `as ${step.rename}` : '',
        ].filter(Boolean);
        lines.push(
          `${'   '.repeat(i)}└─ ${step.crate} ${step.version} (${step.req})${marks.length ? ` [${marks.join(', ')}]` : ''}`,
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
      const rows = queryTop(g, { n, ...filter });
      if (o.json) return json(rows);
      const width = Math.max(5, ...rows.map((r) => r.crate.length));
      const lines = [
        `${'rank'.padStart(4)}  ${'crate'.padEnd(width)}  ${'transitive'.padStart(10)}  ${'direct'.padStart(8)}`,
      ];
      for (const r of rows) {
        lines.push(
          `${String(r.rank).padStart(4)}  ${r.crate.padEnd(width)}  ${fmt(r.transitive).padStart(10)}  ${fmt(r.direct).padStart(8)}`,
        );
      }
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
    run(async (spec: string, o: SourceOptions & FilterOptions & { max?: string; limit?: string }) => {
      const filter = filterOf(o);
      const max = positiveInt(o.max, '--max');
      const limit = positiveInt(o.limit, '--limit', 20)!;
      parseSpec(spec);
      const { graph: g } = await load(o);
      const a = queryBlastRadius(g, { spec, ...filter, ...(max !== undefined ? { max } : {}) });
      if (a.passed === false) process.exitCode = 1;
      if (o.json) return json(a);
      const lines = [
        `Blast radius of ${a.spec} (${plural(a.affected.length, 'affected version')}; ${describeFilter(filter)}):`,
        `  directly:     ${plural(a.direct, 'crate')}`,
        `  transitively: ${plural(a.transitive, 'crate')}`,
      ];
      if (!filter.includeOptional) {
        lines.push(
          `  with optional dependencies enabled: up to ${fmt(a.directWithOptional)} directly, ${fmt(a.transitiveWithOptional)} transitively`,
        );
      }
      if (a.directDependents.length > 0) {
        lines.push('  direct dependents:');
        for (const v of a.directDependents.slice(0, limit)) lines.push(`    ${label(v)}`);
        if (a.directDependents.length > limit)
          lines.push(`    … ${fmt(a.directDependents.length - limit)} more (--limit)`);
      }
      if (a.max !== undefined) {
        lines.push(
          a.passed ? `ok: within --max ${fmt(a.max)}` : `FAIL: ${fmt(a.transitive)} > --max ${fmt(a.max)}`,
        );
      }
      out(lines.join('\n'));
    }),
  );

  registerInvokersCommand(graph);

  addSourceOptions(graph.command('stats').description('summary statistics of the graph')).action(
    run(async (o: SourceOptions) => {
      const s = queryStats((await load(o)).graph);
      if (o.json) return json(s);
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
        .option('--direction <dir>', 'dependencies (default) or dependents of the root', 'dependencies')
        .option(
          '--analysis <path>',
          'neo4j/cypher: add INVOKES edges and unsafe_* counts from `analyze --json` files or .crate files (repeatable)',
          (v: string, prev: string[]) => [...prev, v],
          [] as string[],
        ),
    ),
  ).action(
    run(
      async (
        o: SourceOptions &
          FilterOptions & {
            format: string;
            out: string;
            root?: string;
            depth?: string;
            direction: string;
            analysis: string[];
          },
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
        let analyses: CrateAnalysis[] | undefined;
        if (o.analysis.length > 0) {
          if (o.format !== 'neo4j' && o.format !== 'cypher')
            throw new UsageError('--analysis goes with --format neo4j or cypher');
          const { loadAnalyses, LoadAnalysesError } = await import('../../analysis/load-analyses.js');
          analyses = await loadAnalyses(o.analysis, {
            onError: (p, e) => process.stderr.write(`warning: ${p}: not analysed: ${e}\n`),
          }).catch((e: unknown) => {
            if (e instanceof LoadAnalysesError) throw new UsageError(e.message);
            throw e;
          });
        }
        const r = await exportGraph(g, sub, o.format as ExportFormat, o.out, root, analyses);
        if (o.json) {
          json(r);
          return;
        }
        const lines = [
          `Exported ${fmt(r.versions)} versions and ${fmt(r.edges)} dependencies${r.invokes !== undefined ? ` and ${fmt(r.invokes)} INVOKES` : ''} as ${r.format}:`,
          ...r.files.map((f) => `  ${f}`),
        ];
        if (r.importCommand) lines.push('Import with:', r.importCommand);
        out(lines.join('\n'));
      },
    ),
  );
}
