// `graph invokers --callee` and `analyze --top-unsafe` over small crate trees written here, both
// analysed now and read back from `analyze --json` output.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-process.js';

let root = '';
async function crate(name: string, version: string, deps: string, lib: string): Promise<string> {
  const dir = join(root, 'crates', `${name}-${version}`);
  await mkdir(join(dir, 'src'), { recursive: true });
  await writeFile(
    join(dir, 'Cargo.toml'),
    `[package]\nname = "${name}"\nversion = "${version}"\n[dependencies]\n${deps}`,
  );
  await writeFile(join(dir, 'src', 'lib.rs'), lib);
  return dir;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ck-invokers-'));
  await crate(
    'vuln',
    '1.0.0',
    '',
    'pub mod ssl { pub fn builder() { unsafe { let _x = 1 + 1; } } }\npub use ssl::builder;\n',
  );
  await crate('app', '1.0.0', 'vuln = "1"\n', 'use vuln::ssl::builder as b;\npub fn run() {\n    b();\n}\n');
  await crate('app', '2.0.0', 'vuln = "1"\n', 'pub fn run() {\n    vuln::builder();\n}\n');
  await crate(
    'other',
    '1.0.0',
    'vuln = "1"\n',
    'pub fn run(x: X) {\n    x.builder();\n}\npub unsafe fn a() {}\npub unsafe fn b() {}\n',
  );
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('graph invokers', () => {
  it('lists the versions calling a path, through renames and re-exports, never by method name', async () => {
    const r = await runCli([
      'graph',
      'invokers',
      join(root, 'crates'),
      '--callee',
      'vuln::ssl::builder',
      '--json',
      '--workers',
      '1',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      analysed: number;
      invokers: { name: string; version: string; caller: string; line: number }[];
    };
    expect(out.analysed).toBe(4);
    expect(out.invokers.map((i) => `${i.name}@${i.version} ${i.caller}:${i.line}`)).toEqual([
      'app@1.0.0 crate::run:3',
      'app@2.0.0 crate::run:2',
    ]);
    const human = await runCli([
      'graph',
      'invokers',
      join(root, 'crates'),
      '--callee',
      'vuln::builder',
      '--workers',
      '1',
    ]);
    expect(human.stdout).toMatch(/^2 of 4 crate versions call vuln::builder:/);
    expect(human.stdout).toContain('app::run (lib)  src/lib.rs:2');
  }, 60_000);

  it('reads `analyze --json` output instead of analysing again', async () => {
    const a = await runCli(['analyze', '--json', '--workers', '1', join(root, 'crates')]);
    await mkdir(join(root, 'json'));
    await writeFile(join(root, 'json', 'all.json'), a.stdout);
    const r = await runCli([
      'graph',
      'invokers',
      join(root, 'json'),
      '--callee',
      'vuln::ssl::builder',
      '--json',
    ]);
    expect((JSON.parse(r.stdout) as { invokers: unknown[] }).invokers).toHaveLength(2);
  }, 60_000);

  it('rejects a bad callee and a malformed analysis file with exit 2', async () => {
    const bad = await runCli(['graph', 'invokers', join(root, 'crates'), '--callee', 'not a path']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--callee must be a path/);
    await writeFile(join(root, 'broken.json'), '{"analyses": [{"name": "x"}]}');
    const broken = await runCli(['graph', 'invokers', join(root, 'broken.json'), '--callee', 'a::b']);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/analyses\[0\] lacks/);
    await writeFile(join(root, 'trunc.json'), '{"analyses": [');
    const trunc = await runCli(['graph', 'invokers', join(root, 'trunc.json'), '--callee', 'a::b']);
    expect(trunc.code).toBe(2);
    expect(trunc.stderr).toMatch(/not JSON/);
  }, 60_000);
});

describe('analyze --top-unsafe', () => {
  it('ranks crates by unsafe code in used files', async () => {
    const r = await runCli([
      'analyze',
      '--top-unsafe',
      '2',
      '--json',
      '--workers',
      '1',
      join(root, 'crates'),
    ]);
    expect(r.code).toBe(0);
    const rows = (JSON.parse(r.stdout) as { top_unsafe: { name: string; unsafe: number }[] }).top_unsafe;
    // other: two unsafe fns; vuln: the one expression `1 + 1` in its unsafe block (literals do not count).
    expect(rows.map((x) => x.name)).toEqual(['other', 'vuln']);
    expect(rows[0]!.unsafe).toBe(2);
    expect(rows[1]!.unsafe).toBe(1);
    const bad = await runCli(['analyze', '--top-unsafe', '0', join(root, 'crates')]);
    expect(bad.code).toBe(2);
  }, 60_000);
});
