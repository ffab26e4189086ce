import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixtureGraph, labels, vid } from '../../test/fixtures/graph/fixture-graph.js';
import { parseCsv } from '../formats/csv.js';
import type { CrateAnalysis } from '../analysis/analyze-crate.js';
import { emptyCounters } from '../analysis/unsafe-counts.js';
import { exportGraph, selectSubgraph } from './export.js';

function analysis(
  name: string,
  version: string,
  calls: [string, string, string][],
  unsafeExprs: number,
): CrateAnalysis {
  const used = emptyCounters();
  used.exprs = { safe: 10, unsafe: unsafeExprs };
  used.functions = { safe: 3, unsafe: 1 };
  return {
    name,
    version,
    source: { kind: 'path', url: 'file:///x' },
    unsafety: { used, unused: emptyCounters(), forbidsUnsafe: false },
    files: [],
    parse: { files: 1, clean: 1, parsedFraction: 1, notParsed: 0, withGrammarGaps: 0 },
    missingModules: [],
    invocations: {
      lib: {
        defs: [],
        calls: calls.map(([caller, crate, path], i) => ({
          caller,
          callee: { kind: 'resolved' as const, crate, path },
          file: 'src/lib.rs',
          line: i + 1,
        })),
        exports: {},
      },
    },
    notes: [],
  };
}

const tmp = mkdtempSync(join(tmpdir(), 'ck-graph-export-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('graph export', async () => {
  const g = await fixtureGraph();

  it('selects the dependency subgraph of a version', () => {
    const sub = selectSubgraph(g, { root: vid(g, 'app@1.0.0') });
    expect(labels(g, sub.versions)).toEqual([
      'app@1.0.0',
      'base@1.0.0',
      'base@1.1.0',
      'builder@1.0.0',
      'derive@1.0.0',
      'mid@0.2.0',
      'winonly@1.0.0',
    ]);
    expect(sub.edges).toHaveLength(6);
    expect(labels(g, selectSubgraph(g, { root: vid(g, 'app@1.0.0'), depth: 1 }).versions)).toHaveLength(4);
  });

  it('selects the dependents subgraph of a version', () => {
    const sub = selectSubgraph(g, { root: vid(g, 'base@1.0.0'), direction: 'dependents' });
    expect(labels(g, sub.versions)).toEqual(['app@1.0.0', 'base@1.0.0', 'mid@0.2.0']);
    expect(sub.edges.map((e) => `${g.label(g.depFrom(e))}>${g.label(g.depResolved[e]!)}`).sort()).toEqual([
      'app@1.0.0>mid@0.2.0',
      'mid@0.2.0>base@1.0.0',
    ]);
  });

  it('writes the whole graph as neo4j-admin CSV files', async () => {
    const out = join(tmp, 'neo4j');
    const r = await exportGraph(g, selectSubgraph(g), 'neo4j', out);
    const rows = (f: string) => parseCsv(readFileSync(join(out, f), 'utf8')).slice(1);
    expect(rows('crates.csv')).toHaveLength(13);
    expect(rows('versions.csv')).toHaveLength(19);
    expect(rows('version_of.csv')).toHaveLength(19);
    expect(rows('depends_on.csv')).toHaveLength(17); // every declared dependency, resolved or not
    expect(rows('resolves_to.csv')).toHaveLength(15);
    const appDeps = rows('depends_on.csv').filter((r) => r[0] === 'app@1.0.0');
    expect(appDeps.map((r) => [r[1], r[2], r[7]])).toEqual([
      ['mid', '^0.2', null],
      ['derive', '=1.0.0', 'd'],
      ['extra', '^1', null],
      ['winonly', '^1', null],
    ]);
    const beta = rows('versions.csv').find((r) => r[0] === 'base@2.0.0-beta.1')!;
    expect(beta.slice(3, 8)).toEqual(['2', '0', '0', 'beta.1', '']);
    expect(r.importCommand).toContain(`--relationships=${out}/depends_on.csv`);
  });

  it('writes Cypher, GraphML and DOT for a subgraph', async () => {
    const root = vid(g, 'app@1.0.0');
    const sub = selectSubgraph(g, { root });
    await exportGraph(g, sub, 'cypher', join(tmp, 'g.cypher'));
    await exportGraph(g, sub, 'graphml', join(tmp, 'g.graphml'));
    await exportGraph(g, sub, 'dot', join(tmp, 'g.dot'), root);
    const cypher = readFileSync(join(tmp, 'g.cypher'), 'utf8');
    expect(cypher.match(/\{id: '[^']+', name:/g)).toHaveLength(7);
    const xml = readFileSync(join(tmp, 'g.graphml'), 'utf8');
    expect(xml.match(/<node /g)).toHaveLength(7);
    expect(xml.match(/<edge /g)).toHaveLength(6);
    const dotText = readFileSync(join(tmp, 'g.dot'), 'utf8');
    expect(dotText).toContain('"app@1.0.0" -> "derive@1.0.0" [label="=1.0.0"]');
    expect(dotText).toContain('"mid@0.2.0" -> "builder@1.0.0" [label="^1", color="blue"]');
    expect(dotText).toContain('"app@1.0.0" [label="app 1.0.0", penwidth="2"]');
  });

  it('adds INVOKES edges and unsafe_* counts from analyses, one direction, caller/callee properties', async () => {
    const out = join(tmp, 'neo4j-analysis');
    const analyses = [
      analysis(
        'app',
        '1.0.0',
        [
          ['crate::run', 'mid', 'mid::go'],
          ['crate::run', 'mid', 'mid::go'], // the same call twice: one edge
          ['crate::run', 'app', 'app::helper'], // its own crate: not an INVOKES
          ['crate::run', 'std', 'std::mem::drop'], // not a node of the graph
          ['crate::other', 'mid', 'mid::go'],
        ],
        7,
      ),
      analysis('notingraph', '9.9.9', [['crate::x', 'mid', 'mid::go']], 1),
    ];
    const r = await exportGraph(g, selectSubgraph(g), 'neo4j', out, undefined, analyses);
    expect(r.invokes).toBe(2);
    const csv = (f: string) => parseCsv(readFileSync(join(out, f), 'utf8'));
    const inv = csv('invokes.csv');
    expect(inv[0]).toEqual([':START_ID(Version)', ':END_ID(Crate)', 'caller', 'callee', ':TYPE']);
    expect(inv.slice(1)).toEqual([
      ['app@1.0.0', 'mid', 'app::run', 'mid::go', 'INVOKES'],
      ['app@1.0.0', 'mid', 'app::other', 'mid::go', 'INVOKES'],
    ]);
    const versions = csv('versions.csv');
    const header = versions[0]!;
    expect(header).toContain('unsafe_exprs:long');
    const app = versions.find((x) => x[0] === 'app@1.0.0')!;
    expect(app[header.indexOf('unsafe_exprs:long')]).toBe('7');
    expect(app[header.indexOf('unsafe_functions:long')]).toBe('1');
    const base = versions.find((x) => x[0] === 'base@1.0.0')!;
    expect(base[header.indexOf('unsafe_exprs:long')]).toBeNull(); // not analysed: unset
    expect(csv('version_of.csv')[0]).toEqual([':START_ID(Version)', ':END_ID(Crate)', ':TYPE']);
    expect(r.importCommand).toContain(`--relationships=${out}/invokes.csv`);

    const cy = join(tmp, 'with-analysis.cypher');
    await exportGraph(g, selectSubgraph(g, { root: vid(g, 'app@1.0.0') }), 'cypher', cy, undefined, analyses);
    const text = readFileSync(cy, 'utf8');
    expect(text).toContain("caller: 'app::run', callee: 'mid::go'");
    expect(text).toContain('CREATE (v)-[:INVOKES {caller: row.caller, callee: row.callee}]->(c);');
    expect(text).toContain('unsafe_exprs: 7');
    expect(text).not.toMatch(/\(:Crate[^)]*\)-\[:VERSION_OF\]/);
  });
});
