import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { dbDumpFixture, FIXTURE_INDEX } from '../../../test/fixtures/graph/fixture-graph.js';
import { registerGraphCommands } from './graph.js';

const tmp = mkdtempSync(join(tmpdir(), 'ck-graph-cli-'));
const CACHE = join(tmp, 'cache');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

async function cli(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  const program = new Command().exitOverride();
  registerGraphCommands(program);
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation(
    (c: string | Uint8Array) => ((stdout += String(c)), true),
  );
  vi.spyOn(process.stderr, 'write').mockImplementation(
    (c: string | Uint8Array) => ((stderr += String(c)), true),
  );
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'cratekeeper', 'graph', ...args]);
  } finally {
    vi.restoreAllMocks();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { stdout, stderr, code };
}

const src = ['--index', FIXTURE_INDEX, '--cache', CACHE];

describe('cratekeeper graph', () => {
  it('imports and reports, then loads from the cache', async () => {
    const first = await cli('import', FIXTURE_INDEX, '--cache', CACHE, '--json');
    expect(JSON.parse(first.stdout)).toMatchObject({
      kind: 'index',
      fromCache: false,
      stats: { crates: 13, versions: 19 },
    });
    const second = await cli('import', FIXTURE_INDEX, '--cache', CACHE);
    expect(second.stdout).toMatch(
      /^Loaded from cache index .*13 crates, 19 versions, 17 dependencies \(15 resolved\)/,
    );
    const dump = await cli('import', (await dbDumpFixture()).tarball, '--no-cache', '--json');
    expect(JSON.parse(dump.stdout)).toMatchObject({ kind: 'db-dump', cache: null, stats: { owners: 3 } });
  });

  it('lists dependents, as text and JSON', async () => {
    const text = await cli('dependents', 'base', ...src);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n').slice(1, 5)).toEqual([
      '  derive 1.0.0',
      '  extra 1.0.0',
      '  mid 0.2.0',
      '  pre-user 0.1.0',
    ]);
    const j = JSON.parse(
      (await cli('dependents', 'base', '--transitive', '--kinds', 'normal,build,dev', '--json', ...src))
        .stdout,
    );
    expect(j).toMatchObject({
      spec: 'base',
      count: 6,
      crates: 6,
      transitive: true,
      kinds: ['normal', 'build', 'dev'],
    });
    expect(j.dependents.at(-1)).toEqual({
      crate: 'tester',
      version: '1.0.0',
      yanked: false,
      latest: true,
      depth: 3,
    });
    const limited = JSON.parse(
      (await cli('dependents', 'base@<1.1.0', '--all-versions', '--limit', '1', '--json', ...src)).stdout,
    );
    expect(limited).toMatchObject({ targets: ['0.9.0', '1.0.0'], count: 2 });
    expect(limited.dependents).toHaveLength(1);
  });

  it('prints a tree and a why-path', async () => {
    const tree = await cli('tree', 'app@1.0.0', ...src);
    expect(tree.stdout).toBe(
      [
        'app 1.0.0',
        '├── mid 0.2.0 (^0.2)',
        '│   ├── base 1.0.0 (~1.0)',
        '│   └── builder 1.0.0 (^1) [build]',
        '├── derive 1.0.0 (=1.0.0) [as d]',
        '│   └── base 1.1.0 (^1.0)',
        '└── winonly 1.0.0 (^1) [target cfg(any(windows, target_os = "redox"))]',
        '',
      ].join('\n'),
    );
    const why = await cli('why', 'tester', 'base', '--kinds', 'normal,build,dev', ...src);
    expect(why.stdout).toContain('└─ app 1.0.0 (^1) [dev]');
    expect(why.code).toBe(0);
    const none = await cli('why', 'toplevel', 'base', ...src);
    expect(none.code).toBe(1);
    expect(none.stdout).toContain('does not depend on base');
  });

  it('ranks top crates and gates on blast radius', async () => {
    const top = JSON.parse((await cli('top', '2', '--json', ...src)).stdout);
    expect(top).toEqual([
      { rank: 1, crate: 'base', transitive: 5, direct: 4 },
      { rank: 2, crate: 'builder', transitive: 2, direct: 1 },
    ]);
    const over = await cli('blast-radius', 'base@1.1.0', '--max', '2', ...src);
    expect(over.code).toBe(1);
    expect(over.stdout).toContain('FAIL: 3 > --max 2');
    const within = await cli('blast-radius', 'base@1.1.0', '--max', '3', '--json', ...src);
    expect(within.code).toBe(0);
    expect(JSON.parse(within.stdout)).toMatchObject({ direct: 2, transitive: 3, passed: true });
  });

  it('prints stats', async () => {
    const s = await cli('stats', ...src);
    expect(s.stdout).toContain(
      'unresolved:         unknown crate 0, no matching version 1, bad requirement 1',
    );
  });

  it('exports', async () => {
    const out = join(tmp, 'app.graphml');
    const r = await cli('export', '--format', 'graphml', '--out', out, '--root', 'app', ...src);
    expect(r.stdout).toContain('Exported 7 versions and 6 dependencies as graphml');
    expect(readFileSync(out, 'utf8').match(/<node /g)).toHaveLength(7);
    const neo = await cli('export', '--format', 'neo4j', '--out', join(tmp, 'neo'), ...src);
    expect(neo.stdout).toContain('neo4j-admin database import full');
  });

  it('exits 2 on bad input', async () => {
    for (const args of [
      ['dependents', 'nope', ...src],
      ['dependents', 'base@>>1', ...src],
      ['dependents', 'base', '--kinds', 'peer', ...src],
      ['dependents', 'base'],
      ['dependents', 'base', '--index', FIXTURE_INDEX, '--db-dump', FIXTURE_INDEX],
      ['tree', 'base@^9', ...src],
      ['top', 'many', ...src],
      ['export', '--format', 'pdf', '--out', join(tmp, 'x'), ...src],
      ['stats', '--index', join(tmp, 'missing.tar.gz'), '--no-cache'],
    ]) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^error: /m);
    }
  });
});
