import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.js';
import type { Neo4jGraph } from './neo4j-export.js';
import { csvField, cypherScript, cypherString, neo4jCsvFiles, neo4jImportCommand } from './neo4j-export.js';

const graph: Neo4jGraph = {
  crates: [{ name: 'a' }, { name: 'b' }],
  versions: [
    {
      id: 'a@1.0.0',
      name: 'a',
      version: '1.0.0',
      major: 1,
      minor: 0,
      patch: 0,
      pre: '',
      build: '',
      yanked: false,
      latest: true,
      published: '2019-01-01T00:00:00.000Z',
    },
    {
      id: 'b@0.1.0-rc.1+x',
      name: 'b',
      version: '0.1.0-rc.1+x',
      major: 0,
      minor: 1,
      patch: 0,
      pre: 'rc.1',
      build: 'x',
      yanked: true,
      latest: false,
      published: null,
    },
  ],
  dependsOn: [
    {
      from: 'a@1.0.0',
      to: 'b',
      requirement: '>=0.1.0-rc, <1',
      features: ['std', 'x/y'],
      kind: 'normal',
      optional: true,
      target: 'cfg(target_os = "linux")',
      rename: "b'",
    },
  ],
  resolvesTo: [
    { from: 'a@1.0.0', to: 'b@0.1.0-rc.1+x', requirement: '>=0.1.0-rc, <1', kind: 'normal', optional: true },
  ],
};

const text = (lines: Iterable<string>) => [...lines].join('');

describe('neo4jCsvFiles', () => {
  const files = neo4jCsvFiles(graph);
  const byName = Object.fromEntries(files.map((f) => [f.name, parseCsv(text(f.lines))]));

  it("writes Painter's schema with typed headers", () => {
    expect(files.map((f) => `${f.kind}:${f.name}`)).toEqual([
      'nodes:crates.csv',
      'nodes:versions.csv',
      'relationships:version_of.csv',
      'relationships:depends_on.csv',
      'relationships:resolves_to.csv',
    ]);
    expect(byName['crates.csv']).toEqual([
      ['name:ID(Crate)', ':LABEL'],
      ['a', 'Crate'],
      ['b', 'Crate'],
    ]);
    expect(byName['versions.csv']![0]).toEqual([
      ':ID(Version)',
      'name',
      'version',
      'major:long',
      'minor:long',
      'patch:long',
      'pre',
      'build',
      'yanked:boolean',
      'latest:boolean',
      'published:datetime',
      ':LABEL',
    ]);
    expect(byName['versions.csv']![2]).toEqual([
      'b@0.1.0-rc.1+x',
      'b',
      '0.1.0-rc.1+x',
      '0',
      '1',
      '0',
      'rc.1',
      'x',
      'true',
      'false',
      null,
      'Version',
    ]);
    expect(byName['version_of.csv']).toEqual([
      [':START_ID(Version)', ':END_ID(Crate)', ':TYPE'],
      ['a@1.0.0', 'a', 'VERSION_OF'],
      ['b@0.1.0-rc.1+x', 'b', 'VERSION_OF'],
    ]);
  });

  it('quotes values with commas and quotes, and joins array properties with ;', () => {
    const dep = byName['depends_on.csv']!;
    expect(dep[0]).toEqual([
      ':START_ID(Version)',
      ':END_ID(Crate)',
      'requirement',
      'features:string[]',
      'kind',
      'optional:boolean',
      'target',
      'rename',
      ':TYPE',
    ]);
    expect(dep[1]).toEqual([
      'a@1.0.0',
      'b',
      '>=0.1.0-rc, <1',
      'std;x/y',
      'normal',
      'true',
      'cfg(target_os = "linux")',
      "b'",
      'DEPENDS_ON',
    ]);
    expect(byName['resolves_to.csv']![1]).toEqual([
      'a@1.0.0',
      'b@0.1.0-rc.1+x',
      '>=0.1.0-rc, <1',
      'normal',
      'true',
      'RESOLVES_TO',
    ]);
    expect(csvField(null)).toBe('');
    expect(csvField('')).toBe('""');
    expect(csvField('a"b')).toBe('"a""b"');
  });

  it('names the import command', () => {
    const cmd = neo4jImportCommand(files, '/tmp/out/');
    expect(cmd).toContain('neo4j-admin database import full');
    expect(cmd).toContain('--nodes=/tmp/out/crates.csv');
    expect(cmd).toContain('--relationships=/tmp/out/depends_on.csv');
  });
});

describe('cypherScript', () => {
  it('creates the same nodes and relationships in batches', () => {
    const script = text(cypherScript(graph, 1));
    expect(script.match(/MERGE \(:Crate/g)).toHaveLength(2);
    expect(script.match(/CREATE \(v\)-\[:VERSION_OF\]->\(c\)/g)).toHaveLength(2);
    expect(script).toContain("features: ['std', 'x/y']");
    expect(script).toContain(':DEPENDS_ON {requirement: row.requirement');
    expect(script).toContain(':RESOLVES_TO');
    expect(script).toContain("rename: 'b\\''");
    expect(script).toContain('published: null');
  });
  it('escapes string literals so names cannot inject Cypher', () => {
    expect(cypherString("x'}) DETACH DELETE n //")).toBe("'x\\'}) DETACH DELETE n //'");
    expect(cypherString('a\\b\nc\u0001')).toBe("'a\\\\b\\nc\\u0001'");
  });
});
