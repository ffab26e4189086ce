// `cratekeeper audit` as a user runs it, on lockfiles real cargo generates here: a workspace of
// two members with crates.io packages (vendored through source replacement, so cargo runs
// offline and still records the crates.io source), a git dependency from a local repository and
// a path dependency that carry names of vulnerable crates and must not match; the RustSec
// snapshot as the database; yanked checks against a sparse registry served by the test.
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexPath } from '../../src/domain/index-path.js';
import { validateCargoAuditReport } from '../../src/formats/cargo-audit-report.js';
import { runCli as runCratekeeper } from '../support/cli-process.js';
import { SHARED_DATA } from '../support/paths.js';
import { minimalPublishRecord } from '../support/publish-record.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';

const DB = join(SHARED_DATA, 'rustsec-advisory-db-2026-08-21.tar.gz');
const CRATES_IO = 'registry+https://github.com/rust-lang/crates.io-index';

let cargoHome = '';

/** `cratekeeper ARGS…` as a child process, with the CARGO_HOME the workspace was locked in. */
function runCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  return runCratekeeper(args, { env: { ...(cargoHome ? { CARGO_HOME: cargoHome } : {}), ...env } });
}

type Report = {
  lockfile: { 'dependency-count': number };
  settings: { ignore: string[]; informational_warnings: string[] };
  vulnerabilities: {
    count: number;
    list: { advisory: { id: string }; package: { name: string; version: string; source: string | null } }[];
  };
  warnings: Record<
    string,
    { kind: string; package: { name: string; version: string }; advisory: { id: string } | null }[]
  >;
};

async function crate(
  dir: string,
  name: string,
  version: string,
  extra = '',
  rustVersion?: string,
): Promise<void> {
  await mkdir(join(dir, 'src'), { recursive: true });
  const rv = rustVersion ? `rust-version = "${rustVersion}"\n` : '';
  await writeFile(
    join(dir, 'Cargo.toml'),
    `[package]\nname = "${name}"\nversion = "${version}"\nedition = "2018"\n${rv}${extra}`,
  );
  await writeFile(join(dir, 'src', 'lib.rs'), '');
}

/** A workspace whose Cargo.lock cargo writes; `rustVersion` 1.77 makes cargo write v3. */
async function workspace(root: string, rustVersion?: string): Promise<string> {
  const vendor = join(root, 'vendor');
  for (const [name, version] of [
    ['smallvec', '0.6.9'],
    ['failure', '0.1.8'],
    ['time', '0.1.45'],
    ['atty', '0.2.14'],
  ] as const) {
    const d = join(vendor, `${name}-${version}`);
    await crate(d, name, version);
    await writeFile(join(d, '.cargo-checksum.json'), JSON.stringify({ files: {}, package: 'ab'.repeat(32) }));
  }
  const git = join(root, 'gitdep');
  await crate(git, 'failure', '0.1.7');
  const gitEnv = {
    ...process.env,
    GIT_AUTHOR_NAME: 't',
    GIT_AUTHOR_EMAIL: 't@t',
    GIT_COMMITTER_NAME: 't',
    GIT_COMMITTER_EMAIL: 't@t',
  };
  execFileSync('git', ['init', '-q'], { cwd: git });
  execFileSync('git', ['add', '-A'], { cwd: git });
  execFileSync('git', ['commit', '-qm', 'init'], { cwd: git, env: gitEnv });
  await crate(join(root, 'pathdeps', 'smallvec'), 'smallvec', '0.6.8');

  const ws = join(root, 'ws');
  await mkdir(join(ws, '.cargo'), { recursive: true });
  await writeFile(
    join(ws, '.cargo', 'config.toml'),
    `[source.crates-io]\nreplace-with = "vendored"\n[source.vendored]\ndirectory = "${vendor}"\n`,
  );
  await writeFile(join(ws, 'Cargo.toml'), '[workspace]\nmembers = ["a", "b"]\nresolver = "2"\n');
  await crate(
    join(ws, 'a'),
    'app-a',
    '0.1.0',
    `[dependencies]\nsmallvec = "=0.6.9"\nfailure = { git = "file://${git}" }\napp-b = { path = "../b" }\n` +
      `[target.'cfg(windows)'.dependencies]\natty = "0.2"\n`,
    rustVersion,
  );
  await crate(
    join(ws, 'b'),
    'app-b',
    '0.1.0',
    `[dependencies]\nsmallvec = { path = "../../pathdeps/smallvec" }\ntime = { version = "0.1", optional = true }\nfailure = "0.1"\n` +
      `[features]\nclock = ["dep:time"]\n`,
    rustVersion,
  );
  cargoHome = join(root, 'cargo-home');
  execFileSync('cargo', ['generate-lockfile'], {
    cwd: ws,
    env: { ...process.env, CARGO_HOME: cargoHome, CARGO_NET_OFFLINE: 'false' },
    stdio: 'pipe',
  });
  return ws;
}

function reports(stdout: string): Report[] {
  return stdout
    .trim()
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Report);
}

const ids = (r: Report) =>
  r.vulnerabilities.list.map((v) => `${v.advisory.id} ${v.package.name}@${v.package.version}`).sort();
const warned = (r: Report, kind: string) =>
  (r.warnings[kind] ?? [])
    .map((w) => `${w.advisory?.id ?? '-'} ${w.package.name}@${w.package.version}`)
    .sort();

describe('cratekeeper audit on cargo-generated lockfiles', () => {
  let root: string;
  let ws: string;
  let ws3: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ck-audit-'));
    ws3 = await workspace(join(root, 'v3'), '1.77');
    // Last, so that its CARGO_HOME (with the git checkout `cargo metadata --offline` needs) is used.
    ws = await workspace(join(root, 'v4'));
  }, 120_000);
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('cargo wrote v4 and v3 lockfiles', async () => {
    expect(await readFile(join(ws, 'Cargo.lock'), 'utf8')).toMatch(/^version = 4$/m);
    expect(await readFile(join(ws3, 'Cargo.lock'), 'utf8')).toMatch(/^version = 3$/m);
  });

  it('reports crates.io vulnerabilities and warnings, never the git and path packages, in cargo-audit JSON', async () => {
    for (const dir of [ws, ws3]) {
      const r = await runCli(['audit', dir, '--db', DB, '--json', '--no-yanked']);
      expect(r.code, r.stderr).toBe(1);
      const [report] = reports(r.stdout);
      expect(validateCargoAuditReport(report)).toEqual([]);
      expect(report!.lockfile['dependency-count']).toBe(8);
      expect(ids(report!)).toEqual([
        'RUSTSEC-2019-0009 smallvec@0.6.9',
        'RUSTSEC-2019-0012 smallvec@0.6.9',
        'RUSTSEC-2020-0071 time@0.1.45',
        'RUSTSEC-2021-0003 smallvec@0.6.9',
      ]);
      expect(report!.vulnerabilities.list.every((v) => v.package.source === CRATES_IO)).toBe(true);
      expect(warned(report!, 'unmaintained')).toEqual([
        'RUSTSEC-2020-0036 failure@0.1.8',
        'RUSTSEC-2024-0375 atty@0.2.14',
      ]);
      expect(warned(report!, 'unsound')).toEqual([
        'RUSTSEC-2018-0018 smallvec@0.6.9',
        'RUSTSEC-2019-0036 failure@0.1.8',
        'RUSTSEC-2021-0145 atty@0.2.14',
      ]);
      expect(Object.keys(report!.warnings)).toEqual(['unmaintained', 'unsound']);
    }
  });

  it('shows grouped human output with the fix version and the dependency path', async () => {
    const r = await runCli(['audit', join(ws, 'Cargo.lock'), '--db', DB, '--no-yanked']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Vulnerabilities (4)');
    expect(r.stdout).toContain('Solution: Upgrade to >=0.6.10 (patched); nearest fixed version 0.6.10');
    expect(r.stdout).toContain('Path:     app-a 0.1.0 → smallvec 0.6.9');
    expect(r.stdout).toContain('Path:     app-a 0.1.0 → app-b 0.1.0 → time 0.1.45');
    expect(r.stdout).toContain('Warnings: unsound (3)');
    expect(r.stdout).toContain('error: 4 vulnerabilities found in');
    expect(r.stdout).not.toContain('\u001b['); // not a terminal: no colour
    const colored = await runCli(['audit', ws, '--db', DB, '--no-yanked', '--color', 'always']);
    expect(colored.stdout).toContain('\u001b[1;31m');
  });

  it('prunes by cargo metadata: the optional dependency behind a disabled feature and the other-platform one', async () => {
    const manifest = join(ws, 'Cargo.toml');
    const r = await runCli([
      'audit',
      '--manifest-path',
      manifest,
      '--db',
      DB,
      '--json',
      '--no-yanked',
      '--target',
      'x86_64-unknown-linux-gnu',
    ]);
    expect(r.code, r.stderr).toBe(1);
    const [report] = reports(r.stdout);
    expect(validateCargoAuditReport(report)).toEqual([]);
    expect(ids(report!)).toEqual([
      'RUSTSEC-2019-0009 smallvec@0.6.9',
      'RUSTSEC-2019-0012 smallvec@0.6.9',
      'RUSTSEC-2021-0003 smallvec@0.6.9',
    ]);
    expect(warned(report!, 'unmaintained')).toEqual(['RUSTSEC-2020-0036 failure@0.1.8']);
    expect(r.stderr).toContain(
      'not reported: RUSTSEC-2020-0071 on time 0.1.45: an optional dependency behind a feature that is not enabled',
    );
    expect(r.stderr).toContain(
      'not reported: RUSTSEC-2024-0375 on atty 0.2.14: a dependency for another platform than the target',
    );

    const withFeature = await runCli([
      'audit',
      '--manifest-path',
      manifest,
      '--db',
      DB,
      '--json',
      '--no-yanked',
      '--features',
      'app-b/clock',
    ]);
    expect(ids(reports(withFeature.stdout)[0]!)).toContain('RUSTSEC-2020-0071 time@0.1.45');
    const human = await runCli([
      'audit',
      '--manifest-path',
      manifest,
      '--db',
      DB,
      '--no-yanked',
      '--target',
      'x86_64-unknown-linux-gnu',
    ]);
    expect(human.stdout).toContain('Not reported: 3 finding(s) on packages outside the resolved graph');
  });

  it('reports yanked versions and those missing from a sparse registry; --deny yanked fails the run', async () => {
    const files = new Map<string, string>([
      ['/index/config.json', JSON.stringify({ dl: 'http://127.0.0.1/dl' })],
      [
        `/index/${indexPath('smallvec')}`,
        [
          { name: 'smallvec', vers: '0.6.9', yanked: true },
          { name: 'smallvec', vers: '0.6.10', yanked: false },
        ]
          .map((l) => JSON.stringify({ deps: [], cksum: '', features: {}, ...l }))
          .join('\n'),
      ],
      [
        `/index/${indexPath('failure')}`,
        JSON.stringify({ name: 'failure', vers: '0.1.8', deps: [], cksum: '', features: {}, yanked: false }),
      ],
      [
        `/index/${indexPath('time')}`,
        JSON.stringify({ name: 'time', vers: '0.1.44', deps: [], cksum: '', features: {}, yanked: false }),
      ],
    ]);
    const requested: string[] = [];
    const server: Server = createServer((req, res) => {
      requested.push(req.url ?? '');
      const body = files.get(req.url ?? '');
      res
        .writeHead(body === undefined ? 404 : 200, { 'content-type': 'text/plain' })
        .end(body ?? 'not found');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/index/`;
    try {
      const r = await runCli([
        'audit',
        ws,
        '--db',
        DB,
        '--json',
        '--registry',
        url,
        '--registry-source',
        'crates-io',
      ]);
      const [report] = reports(r.stdout);
      expect(validateCargoAuditReport(report)).toEqual([]);
      expect(warned(report!, 'yanked')).toEqual(['- smallvec@0.6.9']);
      expect(r.stderr).toContain('atty 0.2.14 is missing from the index (no such crate)');
      expect(r.stderr).toContain('time 0.1.45 is missing from the index (no such version)');
      // Only crates.io packages are asked about: not the git or path ones.
      expect(requested.filter((p) => p.includes('failure'))).toHaveLength(1);
      const human = await runCli([
        'audit',
        ws,
        '--db',
        DB,
        '--registry',
        url,
        '--registry-source',
        'crates-io',
      ]);
      expect(human.stdout).toContain('Missing from the index (2)');
      expect(human.stdout).toContain('Warnings: yanked (1)');

      const clean = join(root, 'only-smallvec.lock');
      await writeFile(
        clean,
        `version = 4\n\n[[package]]\nname = "smallvec"\nversion = "1.13.2"\nsource = "${CRATES_IO}"\n`,
      );
      // Before it is yanked: the index lists 0.6.9 and 0.6.10 only, so 1.13.2 is missing but that fails nothing.
      const before = await runCli([
        'audit',
        clean,
        '--db',
        DB,
        '--registry',
        url,
        '--registry-source',
        'crates-io',
      ]);
      expect(before.code, before.stdout).toBe(0);
      expect(before.stdout).toContain('smallvec 1.13.2: no such version in the index');
      files.set(
        `/index/${indexPath('smallvec')}`,
        JSON.stringify({ name: 'smallvec', vers: '1.13.2', deps: [], cksum: '', features: {}, yanked: true }),
      );
      expect(
        (await runCli(['audit', clean, '--db', DB, '--registry', url, '--registry-source', 'crates-io']))
          .code,
      ).toBe(0);
      expect(
        (
          await runCli([
            'audit',
            clean,
            '--db',
            DB,
            '--registry',
            url,
            '--registry-source',
            'crates-io',
            '--deny',
            'yanked',
          ])
        ).code,
      ).toBe(1);
      expect(
        (
          await runCli([
            'audit',
            clean,
            '--db',
            DB,
            '--registry',
            url,
            '--registry-source',
            'crates-io',
            '--deny',
            'warnings',
          ])
        ).code,
      ).toBe(1);
      expect(
        (
          await runCli([
            'audit',
            clean,
            '--db',
            DB,
            '--registry',
            url,
            '--registry-source',
            'crates-io',
            '--deny',
            'warnings',
            '--no-yanked',
          ])
        ).code,
      ).toBe(0);
    } finally {
      server.close();
    }
  });

  it('locates SARIF results at the [[package]] line', async () => {
    const r = await runCli(['audit', ws, '--db', DB, '--sarif', '--no-yanked']);
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout.trim()) as {
      version: string;
      runs: {
        tool: { driver: { rules: { id: string }[] } };
        results: {
          ruleId: string;
          level: string;
          locations: {
            physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
          }[];
        }[];
      }[];
    };
    expect(log.version).toBe('2.1.0');
    const lock = (await readFile(join(ws, 'Cargo.lock'), 'utf8')).split('\n');
    const result = log.runs[0]!.results.find((x) => x.ruleId === 'RUSTSEC-2019-0009')!;
    expect(result.level).toBe('error');
    const line = result.locations[0]!.physicalLocation.region.startLine;
    expect(lock[line - 1]).toBe('[[package]]');
    expect(lock[line]).toBe('name = "smallvec"');
    expect(lock[line + 1]).toBe('version = "0.6.9"');
    expect(log.runs[0]!.tool.driver.rules.map((x) => x.id)).toContain('RUSTSEC-2020-0036');
    expect(log.runs[0]!.results.find((x) => x.ruleId === 'RUSTSEC-2020-0036')!.level).toBe('warning');
  });
});

describe('cratekeeper audit: lockfile formats, exit codes, ignores', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ck-audit-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const V1 = `[root]
name = "legacy"
version = "0.1.0"
dependencies = [
 "smallvec 0.6.9 (${CRATES_IO})",
 "local 0.1.0",
]

[[package]]
name = "smallvec"
version = "0.6.9"
source = "${CRATES_IO}"

[[package]]
name = "local"
version = "0.1.0"
dependencies = [
 "failure 0.1.8 (${CRATES_IO})",
]

[[package]]
name = "failure"
version = "0.1.8"
source = "${CRATES_IO}"

[metadata]
"checksum smallvec 0.6.9 (${CRATES_IO})" = "${'ab'.repeat(32)}"
"checksum failure 0.1.8 (${CRATES_IO})" = "${'cd'.repeat(32)}"
`;
  const V2 = `[[package]]
name = "legacy"
version = "0.1.0"
dependencies = [
 "failure",
]

[[package]]
name = "failure"
version = "0.1.8"
source = "${CRATES_IO}"
checksum = "${'cd'.repeat(32)}"
`;

  it('reads hand-written v1 and v2 lockfiles, with the v1 checksums and paths', async () => {
    await writeFile(join(dir, 'v1.lock'), V1);
    await writeFile(join(dir, 'v2.lock'), V2);
    const r = await runCli([
      'audit',
      join(dir, 'v1.lock'),
      join(dir, 'v2.lock'),
      '--db',
      DB,
      '--json',
      '--no-yanked',
    ]);
    expect(r.code, r.stderr).toBe(1);
    const [v1, v2] = reports(r.stdout);
    expect(validateCargoAuditReport(v1)).toEqual([]);
    expect(validateCargoAuditReport(v2)).toEqual([]);
    expect(ids(v1!)).toEqual([
      'RUSTSEC-2019-0009 smallvec@0.6.9',
      'RUSTSEC-2019-0012 smallvec@0.6.9',
      'RUSTSEC-2021-0003 smallvec@0.6.9',
    ]);
    const vuln = v1!.vulnerabilities.list[0] as unknown as { package: { checksum: string } };
    expect(vuln.package.checksum).toBe('ab'.repeat(32));
    expect(ids(v2!)).toEqual([]);
    expect(warned(v2!, 'unmaintained')).toEqual(['RUSTSEC-2020-0036 failure@0.1.8']);
    const human = await runCli(['audit', join(dir, 'v1.lock'), '--db', DB, '--no-yanked']);
    expect(human.stdout).toContain('Path:     legacy 0.1.0 → local 0.1.0 → failure 0.1.8');
  });

  it('exits 0 when clean, 1 only for denied warnings, and --deny warnings does not deny notices', async () => {
    await writeFile(join(dir, 'v2.lock'), V2);
    const run = (...extra: string[]) =>
      runCli(['audit', join(dir, 'v2.lock'), '--db', DB, '--no-yanked', ...extra]);
    expect((await run()).code).toBe(0);
    expect((await run('--deny', 'unsound')).code).toBe(1);
    expect((await run('--deny', 'unmaintained')).code).toBe(1);
    expect((await run('--deny', 'warnings')).code).toBe(1);
    expect((await run('-D', 'yanked')).code).toBe(0);
    const bad = await run('--deny', 'everything');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid deny option');

    await writeFile(
      join(dir, 'notice.lock'),
      `version = 3\n\n[[package]]\nname = "http-types"\nversion = "2.12.0"\nsource = "${CRATES_IO}"\n`,
    );
    const notice = await runCli([
      'audit',
      join(dir, 'notice.lock'),
      '--db',
      DB,
      '--no-yanked',
      '--deny',
      'warnings',
      '--json',
    ]);
    const [report] = reports(notice.stdout);
    expect(Object.keys(report!.warnings)).toEqual(['notice']);
    expect(notice.code).toBe(0);
  });

  it('exits 2 on unreadable input, and says a database is required', async () => {
    const missing = await runCli(['audit', join(dir, 'nope.lock'), '--db', DB]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file');
    await writeFile(join(dir, 'bad.lock'), 'version = 4\n[[package]]\nname = "x"\n');
    const bad = await runCli(['audit', join(dir, 'bad.lock'), '--db', DB]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('version');
    await writeFile(join(dir, 'v2.lock'), V2);
    const noDb = await runCli(['audit', join(dir, 'v2.lock')]);
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toContain('an advisory database is required');
    const badDb = await runCli(['audit', join(dir, 'v2.lock'), '--db', join(dir, 'no-such-db')]);
    expect(badDb.code).toBe(2);
  });

  it('applies ignores from --ignore and the config file; expired and unused ignores are reported', async () => {
    await writeFile(join(dir, 'v1.lock'), V1);
    const lock = join(dir, 'v1.lock');
    const flag = await runCli([
      'audit',
      lock,
      '--db',
      DB,
      '--no-yanked',
      '--json',
      '--ignore',
      'RUSTSEC-2019-0009',
      '--ignore',
      'RUSTSEC-2017-0001',
    ]);
    const [r1] = reports(flag.stdout);
    expect(ids(r1!)).not.toContain('RUSTSEC-2019-0009 smallvec@0.6.9');
    expect(r1!.settings.ignore).toEqual(['RUSTSEC-2019-0009', 'RUSTSEC-2017-0001']);
    expect(flag.stderr).toContain('ignore of RUSTSEC-2017-0001 (--ignore) matched nothing');

    const config = join(dir, 'audit.toml');
    await writeFile(
      config,
      `[advisories]\nignore = [\n  { id = "RUSTSEC-2019-0012", reason = "not reachable", expires = 2999-01-01 },\n  { id = "RUSTSEC-2021-0003", reason = "was fine", expires = 2020-01-01 },\n  "RUSTSEC-2020-0036",\n]\n[output]\ndeny = ["unsound"]\n`,
    );
    const fromFile = await runCli(['audit', lock, '--db', DB, '--no-yanked', '--json', '--config', config]);
    const [r2] = reports(fromFile.stdout);
    expect(ids(r2!)).toEqual(['RUSTSEC-2019-0009 smallvec@0.6.9', 'RUSTSEC-2021-0003 smallvec@0.6.9']);
    expect(warned(r2!, 'unmaintained')).toEqual([]);
    expect(fromFile.stderr).toContain('ignore of RUSTSEC-2021-0003');
    expect(fromFile.stderr).toContain('expired on 2020-01-01; it no longer applies');

    await writeFile(config, '[advisories]\nignore = [{ id = "RUSTSEC-2019-0012", expires = "soon" }]\n');
    const badConfig = await runCli(['audit', lock, '--db', DB, '--config', config]);
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toContain('expires must be a date');
    await writeFile(config, '[output]\nverbose = true\n');
    expect((await runCli(['audit', lock, '--db', DB, '--config', config])).stderr).toContain(
      'unknown key `verbose`',
    );
  });

  it('flags dependency names that look like typosquats of popular crates', async () => {
    await writeFile(
      join(dir, 'squat.lock'),
      `version = 4\n\n[[package]]\nname = "serde"\nversion = "1.0.0"\nsource = "${CRATES_IO}"\n\n[[package]]\nname = "serd"\nversion = "0.1.0"\nsource = "${CRATES_IO}"\n`,
    );
    await writeFile(
      join(dir, 'corpus.json'),
      JSON.stringify([
        { name: 'serde', owners: [] },
        { name: 'tokio', owners: [] },
      ]),
    );
    const r = await runCli([
      'audit',
      join(dir, 'squat.lock'),
      '--db',
      DB,
      '--no-yanked',
      '--typosquat-corpus',
      join(dir, 'corpus.json'),
    ]);
    expect(r.stdout).toContain('Names that look like typosquats of popular crates (1)');
    expect(r.stdout).toMatch(/serd: .*\(serde\)/);

    // The popular crates of an index snapshot, as `cratekeeper typosquat --index` reads them.
    const index = join(dir, 'index');
    const entry = (name: string, deps: string[]) =>
      JSON.stringify({
        name,
        vers: '1.0.0',
        deps: deps.map((d) => ({
          name: d,
          req: '1',
          features: [],
          optional: false,
          default_features: true,
          target: null,
          kind: 'normal',
        })),
        cksum: '',
        features: {},
        yanked: false,
      });
    for (const [name, deps] of [
      ['serde', []],
      ['user-a', ['serde']],
      ['user-b', ['serde']],
    ] as const) {
      const p = join(index, indexPath(name));
      await mkdir(join(p, '..'), { recursive: true });
      await writeFile(p, entry(name, [...deps]));
    }
    const fromIndex = await runCli([
      'audit',
      join(dir, 'squat.lock'),
      '--db',
      DB,
      '--no-yanked',
      '--typosquat-index',
      index,
    ]);
    expect(fromIndex.stdout).toMatch(/serd: .*\(serde\)/);
    const off = await runCli([
      'audit',
      join(dir, 'squat.lock'),
      '--db',
      DB,
      '--no-yanked',
      '--typosquat-index',
      index,
      '--no-typosquat',
    ]);
    expect(off.stdout).not.toContain('typosquat');
  });
});

describe('cratekeeper audit against a cratekeeper registry', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startRegistry();
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it('serves security status and the audit flags quarantined and alerted packages', async () => {
    const { users, crates, security } = h.services;
    const user = (await users.findByLogin('audit-owner')) ?? (await users.create({ login: 'audit-owner' }));
    const publish = (name: string, version: string, status: 'published' | 'quarantined') =>
      h.services.db.kysely
        .transaction()
        .execute((trx) =>
          crates.publish(
            trx,
            minimalPublishRecord(name, version, user.id, { status, publishedAt: new Date() }),
          ),
        );
    await publish('goodcrate', '1.0.0', 'published');
    const { version: held } = await publish('heldcrate', '2.0.0', 'quarantined');
    const { version: alerted } = await publish('alertcrate', '0.3.0', 'published');
    await security.alerts.raise({
      kind: 'scanner',
      severity: 'high',
      crateName: 'alertcrate',
      version: '0.3.0',
      versionId: alerted.id,
      title: 'reads ~/.ssh',
      details: {},
      score: 80,
      dedupeKey: 'test:alertcrate',
    });
    void held;

    const token = await h.token('audit-reader');
    const statusPath = (q: string) => `${h.url}/api/v1/cratekeeper/security-status${q}`;
    const ask = (q: string) => fetch(statusPath(q), { headers: { authorization: token } });
    // Never anonymous, even on a public registry: it would tell a publisher what was caught.
    expect((await fetch(statusPath('?crate=alertcrate@0.3.0'))).status).toBe(401);
    const status = await ask('?crate=heldcrate@2.0.0,alertcrate@0.3.0,goodcrate@1.0.0,serde@1.0.0');
    expect(status.status).toBe(200);
    const body = (await status.json()) as { statuses: Record<string, unknown> };
    expect(body.statuses).toEqual({
      'heldcrate@2.0.0': { known: true, quarantined: true, open_alert_severity: null, open_alerts: 0 },
      'alertcrate@0.3.0': { known: true, quarantined: false, open_alert_severity: 'high', open_alerts: 1 },
      'goodcrate@1.0.0': { known: true, quarantined: false, open_alert_severity: null, open_alerts: 0 },
      'serde@1.0.0': { known: false, quarantined: false, open_alert_severity: null, open_alerts: 0 },
    });
    expect((await ask('')).status).toBe(400);
    expect((await ask('?crate=noversion')).status).toBe(400);
    const many = Array.from({ length: 201 }, (_, i) => `c${i}@1.0.0`).join(',');
    expect((await ask(`?crate=${many}`)).status).toBe(400);

    const dir = await mkdtemp(join(tmpdir(), 'ck-audit-reg-'));
    try {
      const source = `sparse+${h.url}/index/`;
      const lock = join(dir, 'Cargo.lock');
      await writeFile(
        lock,
        `version = 4\n\n[[package]]\nname = "app"\nversion = "0.1.0"\ndependencies = ["alertcrate", "goodcrate", "heldcrate"]\n` +
          ['alertcrate 0.3.0', 'goodcrate 1.0.0', 'heldcrate 2.0.0']
            .map((e) => e.split(' '))
            .map(([n, v]) => `\n[[package]]\nname = "${n}"\nversion = "${v}"\nsource = "${source}"\n`)
            .join(''),
      );
      // The server's own URL works as well as its /index/ URL.
      const r = await runCli(['audit', lock, '--db', DB, '--registry', h.url], {
        CRATEKEEPER_REGISTRY_TOKEN: token,
      });
      expect(r.stdout, r.stderr).toContain('Flagged by the registry (2)');
      expect(r.stdout).toContain('alertcrate@0.3.0: 1 open alert(s), worst high');
      expect(r.stdout).toContain('heldcrate@2.0.0: quarantined');
      // A held version's index line is there (with a dependency nothing satisfies), so only the
      // registry's own status says it is quarantined.
      expect(r.stdout).not.toContain('heldcrate 2.0.0: no such');
      expect(r.stdout).not.toContain('goodcrate 1.0.0: no such');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
