import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { formatIndexLine } from '../../domain/index-line.js';
import { indexPath } from '../../domain/index-path.js';
import { registerTyposquatCommands } from './typosquat.js';

const CORPUS = fileURLToPath(new URL('../../../test/fixtures/typosquat/corpus.json', import.meta.url));

let dir: string;
let index: string;
const startDir = process.cwd();

// A small index: serde, tokio and rand are depended on; serdee and tokyo imitate them.
function writeIndex(root: string): void {
  const crates: Record<string, string[]> = {
    serde: [],
    tokio: ['serde'],
    rand: [],
    app1: ['serde', 'tokio', 'rand'],
    app2: ['serde', 'tokio'],
    app3: ['serde'],
    serdee: [],
    tokyo: ['rand'],
    'rand-core2': [],
  };
  for (const [name, deps] of Object.entries(crates)) {
    const file = join(root, indexPath(name));
    mkdirSync(dirname(file), { recursive: true });
    const line = formatIndexLine({
      name,
      vers: '1.0.0',
      deps: deps.map((d) => ({
        name: d,
        req: '^1',
        features: [],
        optional: false,
        default_features: true,
        target: null,
        kind: 'normal',
      })),
      cksum: 'a'.repeat(64),
      features: {},
      yanked: false,
    });
    writeFileSync(file, line + '\n');
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ck-typosquat-'));
  index = join(dir, 'index');
  writeIndex(index);
  // No cratekeeper.toml in the working directory unless a test writes one.
  process.chdir(dir);
});

afterAll(() => {
  process.chdir(startDir);
  rmSync(dir, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  process.exitCode = undefined;
  try {
    const program = new Command().exitOverride();
    registerTyposquatCommands(program);
    await program.parseAsync(['node', 'cratekeeper', 'typosquat', ...args]);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { stdout, stderr, code };
}

describe('typosquat check', () => {
  it('prints a table worst first and exits 1 when a name is flagged', async () => {
    const r = await cli('check', 'tokyo', 'serdee', 'fine-name', '--corpus', CORPUS);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+SCORE\s+KIND\s+TARGET\s+MESSAGE$/);
    expect(
      lines.some((l) =>
        /^serdee\s+[\d.]+\s+repeated-character\s+serde\s+repeats characters in serde$/.test(l),
      ),
    ).toBe(true);
    expect(lines.some((l) => /^tokyo\s+[\d.]+\s+typo\s+tokio\s+uses a common typo for tokio$/.test(l))).toBe(
      true,
    );
    expect(lines.at(-1)).toBe('2 of 3 name(s) flagged against 4 popular crates');
    const scores = lines
      .slice(1, -1)
      .filter((l) => /^\S/.test(l))
      .map((l) => Number(l.split(/\s+/)[1]));
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('exits 0 when nothing is flagged', async () => {
    const r = await cli('check', 'fine-name', 'serde', '--corpus', CORPUS);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('0 of 2 name(s) flagged against 4 popular crates\n');
  });

  it('prints one JSON object per flagged name with --json', async () => {
    const r = await cli('check', 'serdee', 'tokyo', 'fine-name', '--corpus', CORPUS, '--json');
    expect(r.code).toBe(1);
    const objects = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(objects.map((o) => o.name).sort()).toEqual(['serdee', 'tokyo']);
    const serdee = objects.find((o) => o.name === 'serdee');
    expect(serdee.squats[0]).toMatchObject({
      kind: 'repeated-character',
      target: 'serde',
      message: 'repeats characters in serde',
    });
    expect(typeof serdee.squats[0].score).toBe('number');
  });

  it('does not flag a crate whose owner also owns the target', async () => {
    const r = await cli('check', 'serdee', '--corpus', CORPUS, '--owner', 'dtolnay');
    expect(r.code).toBe(0);
  });

  it('checks publisher logins with --publisher', async () => {
    const r = await cli('check', 'dtolney', 'octocat', '--corpus', CORPUS, '--publisher', '--json');
    expect(r.code).toBe(1);
    const o = JSON.parse(r.stdout.trim());
    expect(o.name).toBe('dtolney');
    expect(o.squats[0]).toMatchObject({
      kind: 'impersonated-publisher',
      target: 'dtolnay',
      crates: ['serde'],
    });
  });

  it('takes the corpus from an index snapshot', async () => {
    // With the default top 3000, every crate of this small index would be popular itself.
    expect((await cli('check', 'serdee', '--index', index)).code).toBe(0);
    const r = await cli('check', 'serdee', 'rnad', '--index', index, '--top', '3', '--json');
    expect(r.code).toBe(1);
    const names = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).name);
    expect(names.sort()).toEqual(['rnad', 'serdee']);
  });

  it('honours the config file: --top and the allow-list', async () => {
    const config = join(dir, 'custom.toml');
    writeFileSync(config, '[typosquat]\ntop = 1\nallow = [["serdee", "serde"]]\n');
    expect((await cli('check', 'serdee', '--corpus', CORPUS, '--config', config)).code).toBe(0);
    // top = 1: only serde is popular, so tokyo is not compared with tokio.
    expect((await cli('check', 'tokyo', '--corpus', CORPUS, '--config', config)).code).toBe(0);
    expect((await cli('check', 'tokyo', '--corpus', CORPUS, '--config', config, '--top', '2')).code).toBe(1);
  });

  it('reads ./cratekeeper.toml when present', async () => {
    writeFileSync(join(dir, 'cratekeeper.toml'), '[typosquat]\nallow = [["tokyo", "tokio"]]\n');
    try {
      expect((await cli('check', 'tokyo', '--corpus', CORPUS)).code).toBe(0);
    } finally {
      rmSync(join(dir, 'cratekeeper.toml'));
    }
  });

  it.each([
    [['check', 'x'], /no popular crates to compare against/],
    [['check', 'x', '--corpus', CORPUS, '--index', 'y'], /give one of --index, --corpus or --registry/],
    [['check', 'x', '--corpus', CORPUS, '--top', 'abc'], /--top must be a positive integer/],
    [['check', 'x', '--corpus', CORPUS, '--top', '0'], /--top must be a positive integer/],
    [['check', 'x', '--corpus', '/nonexistent.json'], /cannot read corpus/],
    [['check', 'x', '--index', '/nonexistent'], /cannot read index/],
    [['check', 'x', '--corpus', CORPUS, '--config', '/nonexistent.toml'], /cannot read config/],
  ])('exits 2 on bad input %j', async (args, message) => {
    const r = await cli(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('exits 2 on a malformed corpus or config', async () => {
    const corpus = join(dir, 'bad.json');
    writeFileSync(corpus, '[{"name": "a", "owners": [1]}]');
    expect((await cli('check', 'x', '--corpus', corpus)).stderr).toMatch(
      /"owners" must be an array of strings/,
    );
    writeFileSync(corpus, '{"name": "a"}');
    expect((await cli('check', 'x', '--corpus', corpus)).stderr).toMatch(/expected a JSON array/);
    // A gate never passes on nothing.
    writeFileSync(corpus, '[]');
    const empty = await cli('check', 'serdee', '--corpus', corpus);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/corpus of popular crates is empty/);
    const config = join(dir, 'bad.toml');
    writeFileSync(config, '[typosquat]\ntop = "x"\n');
    const r = await cli('check', 'x', '--corpus', CORPUS, '--config', config);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/typosquat.top` must be an integer/);
  });
});

describe('typosquat scan', () => {
  it('checks every crate of the index against its most depended-on crates', async () => {
    const r = await cli('scan', '--index', index, '--top', '3', '--json', '--threads', '1');
    expect(r.code).toBe(0);
    const objects = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const byName = new Map(objects.map((o) => [o.name, o]));
    expect(byName.get('serdee').squats[0]).toMatchObject({ kind: 'repeated-character', target: 'serde' });
    expect(byName.get('tokyo').squats.map((s: { target: string }) => s.target)).toContain('tokio');
    expect(byName.has('app1')).toBe(false);
    const scores = objects.map((o) => o.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    // stderr is not a terminal here: no progress unless asked.
    expect(r.stderr).toBe('');
  });

  it('gives the same report on two threads, and shows progress with --progress', async () => {
    const one = await cli('scan', '--index', index, '--top', '3', '--json', '--threads', '1');
    const two = await cli('scan', '--index', index, '--top', '3', '--json', '--threads', '2', '--progress');
    expect(two.stdout).toBe(one.stdout);
    expect(two.stderr).toMatch(/reading index/);
    expect(two.stderr).toMatch(/checking/);
  });

  it('prints a table and can limit it to the worst names', async () => {
    const r = await cli('scan', '--index', index, '--top', '3', '--limit', '1');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME/);
    expect(lines.at(-1)).toMatch(
      /^\d+ of 9 name\(s\) flagged against 3 popular crates \(showing the 1 worst\)$/,
    );
  });

  it('requires --index', async () => {
    await expect(cli('scan')).rejects.toThrow(/--index/);
  });
});
