// `cratekeeper audit --reachability` end to end: workspaces whose Cargo.lock (written by real
// cargo, offline, crates.io sources vendored through source replacement) locks `vuln` 1.0.0,
// which a RustSec-format advisory lists with `[affected.functions] "vuln::parse::bad"`. The
// workspace reaches it through the intermediate crate `mid`, or only calls mid's safe function,
// or makes a method call that could lead there, or has `mid`'s source missing.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCargoAuditReport } from '../../src/formats/cargo-audit-report.js';
import { runCli } from '../support/cli-process.js';

const ADVISORY = `\`\`\`toml
[advisory]
id = "RUSTSEC-2099-0001"
package = "vuln"
date = "2099-01-01"

[affected.functions]
"vuln::parse::bad" = ["< 1.1.0"]

[versions]
patched = [">= 1.1.0"]
\`\`\`

# Memory corruption in vuln::parse::bad

Calling bad corrupts memory.
`;

async function pkg(dir: string, name: string, version: string, deps: string, lib: string): Promise<void> {
  await mkdir(join(dir, 'src'), { recursive: true });
  await writeFile(
    join(dir, 'Cargo.toml'),
    `[package]\nname = "${name}"\nversion = "${version}"\nedition = "2021"\n\n[dependencies]\n${deps}`,
  );
  await writeFile(join(dir, 'src', 'lib.rs'), lib);
}

let root = '';
let vendor = '';
let db = '';
const env = () => ({ CARGO_HOME: join(root, 'cargo-home'), XDG_CACHE_HOME: join(root, 'cache') });

/** A workspace `app` depending on mid, its lib.rs `lib`, locked by cargo. */
async function workspace(name: string, lib: string, replace = true): Promise<string> {
  const ws = join(root, name);
  if (replace) {
    await mkdir(join(ws, '.cargo'), { recursive: true });
    await writeFile(
      join(ws, '.cargo', 'config.toml'),
      `[source.crates-io]\nreplace-with = "vendored"\n[source.vendored]\ndirectory = "${vendor}"\n`,
    );
  }
  await pkg(ws, 'app', '0.1.0', 'mid = "0.1"\n', lib);
  const lockEnv = { ...process.env, ...env() };
  if (!replace) {
    // Lock with the vendored sources, then take the config away: mid's source is then missing.
    await mkdir(join(ws, '.cargo'), { recursive: true });
    await writeFile(
      join(ws, '.cargo', 'config.toml'),
      `[source.crates-io]\nreplace-with = "vendored"\n[source.vendored]\ndirectory = "${vendor}"\n`,
    );
  }
  execFileSync('cargo', ['generate-lockfile', '--offline'], { cwd: ws, env: lockEnv, stdio: 'pipe' });
  if (!replace) await rm(join(ws, '.cargo'), { recursive: true });
  return ws;
}

interface Reach {
  advisory: string;
  package: string;
  status: string;
  function: string | null;
  chain: { function: string; call_site: { crate: string; file: string; line: number } | null }[];
  unresolved: { reason: string; method: string | null } | null;
}

async function auditJson(ws: string, extra: string[] = []) {
  const r = await runCli(
    [
      'audit',
      '--db',
      db,
      '--no-yanked',
      '--no-typosquat',
      '--json',
      '--reachability',
      ...extra,
      join(ws, 'Cargo.lock'),
    ],
    { env: env() },
  );
  const report = JSON.parse(r.stdout.trim()) as Record<string, unknown>;
  const reach = (report.cratekeeper as { reachability: { vulnerabilities: Reach[] } }).reachability
    .vulnerabilities;
  return { report, reach, code: r.code, stderr: r.stderr };
}

describe('cratekeeper audit --reachability', () => {
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ck-reach-'));
    vendor = join(root, 'vendor');
    await pkg(
      join(vendor, 'vuln-1.0.0'),
      'vuln',
      '1.0.0',
      '',
      'pub mod parse {\n    pub fn bad() {}\n    pub fn good() {}\n}\npub use parse::good;\n',
    );
    await pkg(
      join(vendor, 'mid-0.1.0'),
      'mid',
      '0.1.0',
      'vuln = "1"\n',
      'use vuln::parse;\n\npub fn go() {\n    parse::bad();\n}\n\npub fn safe() {\n    vuln::good();\n}\n',
    );
    for (const d of ['vuln-1.0.0', 'mid-0.1.0'])
      await writeFile(
        join(vendor, d, '.cargo-checksum.json'),
        JSON.stringify({ files: {}, package: 'cd'.repeat(32) }),
      );
    db = join(root, 'db');
    await mkdir(join(db, 'crates', 'vuln'), { recursive: true });
    await writeFile(join(db, 'crates', 'vuln', 'RUSTSEC-2099-0001.md'), ADVISORY);
  }, 120_000);
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('reports "affected and called" with the chain through the intermediate crate', async () => {
    const ws = await workspace('calls', 'pub fn run() {\n    mid::go();\n}\n');
    const { report, reach, code } = await auditJson(ws);
    expect(code).toBe(1);
    // cargo-audit's shape is kept; our addition is the one extra key.
    expect(validateCargoAuditReport(report)).toEqual([]);
    expect(reach).toHaveLength(1);
    expect(reach[0]).toMatchObject({
      advisory: 'RUSTSEC-2099-0001',
      package: 'vuln',
      status: 'called',
      function: 'vuln::parse::bad',
    });
    expect(reach[0]!.chain.map((s) => s.function)).toEqual(['app::run', 'mid::go', 'vuln::parse::bad']);
    expect(reach[0]!.chain[0]!.call_site).toEqual({ crate: 'app', file: 'src/lib.rs', line: 2 });
    expect(reach[0]!.chain[1]!.call_site).toEqual({ crate: 'mid', file: 'src/lib.rs', line: 4 });

    const human = await runCli(
      ['audit', '--db', db, '--no-yanked', '--no-typosquat', '--reachability', join(ws, 'Cargo.lock')],
      { env: env() },
    );
    expect(human.stdout).toMatch(/RUSTSEC-2099-0001 vuln 1\.0\.0: affected and called \(vuln::parse::bad\)/);
    expect(human.stdout).toContain('mid::go  at mid/src/lib.rs:4');
  }, 120_000);

  it('reports "affected, not called" when only the safe function is used, and caches the analyses', async () => {
    const ws = await workspace('safe', 'pub fn run() {\n    mid::safe();\n}\n');
    const { reach, code } = await auditJson(ws);
    expect(code).toBe(1); // still a vulnerability: reachability informs, it does not suppress
    expect(reach).toEqual([
      expect.objectContaining({
        advisory: 'RUSTSEC-2099-0001',
        status: 'not-called',
        function: null,
        chain: [],
      }),
    ]);
    const cached = await readdir(join(root, 'cache', 'cratekeeper', 'analysis'));
    expect(cached.filter((f) => f.startsWith('vuln-1.0.0-') || f.startsWith('mid-0.1.0-'))).toHaveLength(2);
    // Same answer from the cache, and with the registry sources given as --vendor.
    const again = await auditJson(ws, ['--vendor', vendor]);
    expect(again.reach[0]!.status).toBe('not-called');
  }, 120_000);

  it('reports "unknown" for a method call that could reach it, never "not called"', async () => {
    const ws = await workspace(
      'method',
      'pub trait Go { fn go(&self); }\npub fn run(x: &dyn Go) {\n    x.go();\n}\n',
    );
    const { reach } = await auditJson(ws);
    expect(reach[0]).toMatchObject({ status: 'unknown', function: 'vuln::parse::bad' });
    expect(reach[0]!.unresolved).toMatchObject({ method: 'go' });
  }, 120_000);

  it('reports "unknown" when the source of a crate on the way is unavailable', async () => {
    const ws = await workspace('nosource', 'pub fn run() {\n    mid::safe();\n}\n', false);
    const { reach, report } = await auditJson(ws);
    expect(reach[0]!.status).toBe('unknown');
    expect(reach[0]!.unresolved!.reason).toMatch(/source of mid unavailable/);
    const extra = (report.cratekeeper as { reachability: { sources_unavailable: string[] } }).reachability;
    expect(extra.sources_unavailable).toEqual(expect.arrayContaining(['mid 0.1.0', 'vuln 1.0.0']));
  }, 120_000);

  it('rejects --vendor without --reachability, or naming no directory, with exit 2', async () => {
    const lock = join(root, 'calls', 'Cargo.lock');
    const a = await runCli(['audit', '--db', db, '--no-yanked', '--vendor', vendor, lock], { env: env() });
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--vendor goes with --reachability/);
    const b = await runCli(
      ['audit', '--db', db, '--no-yanked', '--reachability', '--vendor', join(root, 'nope'), lock],
      {
        env: env(),
      },
    );
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/is not a directory/);
    expect(b.stdout).toBe('');
  }, 60_000);
});
