// `cratekeeper analyze` as a user runs it: a source tree and a `.crate` file, human output,
// `--json`, `--geiger`, and errors for bad input.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCrateArchive } from '../../src/formats/crate-archive.js';
import { repoRoot } from '../support/debian-corpus.js';
import { CLI_ARGV } from '../support/cli-process.js';

const FIXTURE = join(repoRoot, 'test/fixtures/source-analysis/geiger-crate');

function ck(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...CLI_ARGV, ...args],
      { cwd: repoRoot, timeout: 90_000, maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('cratekeeper analyze', () => {
  let dir: string;
  let crate: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ck-analyze-cli-'));
    crate = join(dir, 'tiny-0.2.0.crate');
    await writeFile(
      crate,
      await writeCrateArchive('tiny-0.2.0', [
        {
          path: 'Cargo.toml',
          data: '[package]\nname = "tiny"\nversion = "0.2.0"\n[dependencies]\nlibc = "0.2"\n',
        },
        { path: 'src/lib.rs', data: 'pub fn f() -> i32 { unsafe { libc::getpid() } }\n' },
      ]),
    );
    await writeFile(join(dir, 'broken.crate'), 'not gzip at all');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints counts, parse figures and the crates called into, for a tree and a .crate on two workers', async () => {
    const r = await ck(['analyze', FIXTURE, crate, '--workers', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('geiger-fixture 0.1.0');
    // used / unused expressions, as hand-counted in src/analysis/analyze-crate.test.ts
    expect(r.stdout).toMatch(/expressions\s+6\/42\s+3\/3/);
    expect(r.stdout).toContain('files: 9 Rust files (5 used), 9 parsed cleanly, 100% of the source parsed');
    expect(r.stdout).toContain('declared modules not in the package: src/generated.rs');
    expect(r.stdout).toMatch(/calls into .*serde_json \(1\)/);
    expect(r.stdout).toContain('tiny 0.2.0');
    expect(r.stdout).toMatch(/tiny 0\.2\.0[\s\S]*calls into libc \(1\)/);
  }, 120_000);

  it('--calls lists each call site with its resolution', async () => {
    const r = await ck(['analyze', '--calls', crate]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('src/lib.rs:1  crate::f -> libc::getpid');
  }, 120_000);

  it('--json gives the whole analysis; --geiger gives SafetyReport', async () => {
    const j = await ck(['analyze', '--json', crate]);
    expect(j.code, j.stderr).toBe(0);
    const out = JSON.parse(j.stdout) as {
      analyses: { name: string; unsafety: { used: { exprs: unknown } } }[];
    };
    expect(out.analyses[0]!.name).toBe('tiny');
    // The call inside the unsafe block: 1 unsafe expression; the block itself is not counted.
    expect(out.analyses[0]!.unsafety.used.exprs).toEqual({ safe: 0, unsafe: 1 });
    const g = await ck(['analyze', '--geiger', crate]);
    expect(g.code, g.stderr).toBe(0);
    const report = JSON.parse(g.stdout) as {
      packages: {
        package: { id: unknown };
        unsafety: { used: { exprs: unknown }; forbids_unsafe: boolean };
      }[];
    };
    expect(report.packages[0]!.package.id).toEqual({
      name: 'tiny',
      version: '0.2.0',
      source: { Registry: { name: 'crates.io', url: 'https://github.com/rust-lang/crates.io-index' } },
    });
    expect(report.packages[0]!.unsafety.used.exprs).toEqual({ safe: 0, unsafe_: 1 });
    expect(report.packages[0]!.unsafety.forbids_unsafe).toBe(false);
  }, 120_000);

  it('reports an input it cannot read with exit 2 and still analyses the others', async () => {
    const r = await ck(['analyze', crate, join(dir, 'broken.crate')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('tiny 0.2.0');
    expect(r.stderr).toMatch(/broken\.crate: CrateArchiveError/);
    const missing = await ck(['analyze', join(dir, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file or directory');
    const both = await ck(['analyze', '--json', '--geiger', crate]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('either --json or --geiger');
  }, 180_000);
});
