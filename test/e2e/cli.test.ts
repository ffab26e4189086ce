// The `cratekeeper` command as a user runs it: users, tokens, import, serve.
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCrateArchive } from '../../src/formats/crate-archive.js';
import { manifestToml } from '../support/publish-body.js';
import { repoRoot } from '../support/debian-corpus.js';
import { CLI_ARGV } from '../support/cli-process.js';

function ck(args: string[], input = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [...CLI_ARGV, ...args],
      { cwd: repoRoot, timeout: 60_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
    child.stdin?.end(input);
  });
}

describe('cratekeeper CLI', () => {
  let dir: string;
  let data: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ck-cli-'));
    data = join(dir, 'data');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses to work on a data directory that holds no registry until `init` makes one', async () => {
    const verify = await ck(['audit-log', 'verify', '--data', data]);
    expect(verify.code).toBe(2);
    expect(verify.stderr).toContain(`no registry at ${data} (create one with "cratekeeper init`);
    const user = await ck(['user', 'add', 'early', '--no-password', '--data', data]);
    expect(user.code).toBe(2);
    const init = await ck(['init', '--data', data, '--json']);
    expect(JSON.parse(init.stdout)).toEqual({ data, created: true });
    expect((await ck(['init', '--data', data])).stdout).toContain('registry already present');
    const intact = await ck(['audit-log', 'verify', '--data', data]);
    expect(intact.stdout).toContain('audit log intact: 0 entries');
    const wrongFlag = await ck(['audit-log', 'verify', '--data', data, '--jsn']);
    expect(wrongFlag.code).toBe(2);
    expect(wrongFlag.stderr).toContain("unknown option '--jsn'");
  }, 120_000);

  it('creates users and tokens, refusing bad input with a clear error', async () => {
    const alice = await ck(['user', 'add', 'alice', '--admin', '--no-password', '--data', data]);
    expect(alice.stdout, alice.stderr).toContain('created user alice (admin)');
    const withPassword = await ck(
      ['user', 'add', 'root', '--admin', '--password-stdin', '--data', data],
      'a long enough secret\n',
    );
    expect(withPassword.stdout).toContain('created user root (admin) with a console password');
    const short = await ck(
      ['user', 'add', 'shorty', '--admin', '--password-stdin', '--data', data],
      'short\n',
    );
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('at least 10 characters');
    const noTerminal = await ck(['user', 'add', 'asks', '--admin', '--data', data]);
    expect(noTerminal.stderr).toContain('pipe it with --password-stdin');
    const dup = await ck(['user', 'add', 'alice', '--data', data]);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('already exists');

    const tok = await ck([
      'token',
      'create',
      '--user',
      'alice',
      '--scopes',
      'yank,publish-update',
      '--crates',
      'a*',
      '--expires',
      '30',
      '--data',
      data,
    ]);
    expect(tok.code).toBe(0);
    expect(tok.stdout.trim()).toMatch(/^ck_[\w-]{43}$/);
    expect(tok.stderr).toContain('shown only once');

    const badScope = await ck(['token', 'create', '--user', 'alice', '--scopes', 'root', '--data', data]);
    expect(badScope.code).toBe(1);
    expect(badScope.stderr).toContain('unknown scope `root`');
    const noUser = await ck(['token', 'create', '--user', 'nobody', '--data', data]);
    expect(noUser.stderr).toContain('no user `nobody`');
    // Only created users exist: a refused password left nothing behind.
    expect((await ck(['token', 'create', '--user', 'shorty', '--data', data])).stderr).toContain(
      'no user `shorty`',
    );

    const verify = await ck(['audit-log', 'verify', '--data', data, '--json']);
    expect(verify.code).toBe(0);
    const result = JSON.parse(verify.stdout) as { ok: boolean; checked: number };
    expect(result).toMatchObject({ ok: true });
    expect(result.checked).toBeGreaterThanOrEqual(3); // two users created, one token
  }, 180_000);

  it('imports .crate files and reports refusals with reasons', async () => {
    const crates = join(dir, 'crates');
    await mkdir(crates);
    await writeFile(
      join(crates, 'good-1.0.0.crate'),
      await writeCrateArchive('good-1.0.0', [{ path: 'Cargo.toml', data: manifestToml('good', '1.0.0') }]),
    );
    await writeFile(join(crates, 'bad-1.0.0.crate'), Buffer.from('not a crate'));
    const r = await ck(['import', 'crates', crates, '--data', data, '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as { imported: number; failed: { file: string; reason: string }[] };
    expect(result.imported).toBe(1);
    expect(result.failed).toEqual([
      { file: 'bad-1.0.0.crate', reason: expect.stringContaining('invalid .crate archive') },
    ]);
    const again = await ck(['import', 'crates', crates, '--data', data]);
    expect(again.stdout).toMatch(/imported 0 of 2 crates .* \(1 already present, 1 refused\)/);
  });

  it('checks names against, and queries the graph of, the registry it seeded', async () => {
    const squat = await ck(['typosquat', 'check', 'goood', 'unrelated-name', '--registry', data, '--json']);
    expect(squat.code).toBe(1);
    const flagged = squat.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { name: string; squats: { target: string }[] });
    expect(flagged.map((f) => [f.name, f.squats[0]!.target])).toEqual([['goood', 'good']]);
    const stats = await ck(['graph', 'stats', '--registry', data, '--json']);
    expect(stats.code, stats.stderr).toBe(0);
    expect(JSON.parse(stats.stdout)).toMatchObject({ crates: 1, versions: 1 });
    const missing = await ck(['graph', 'stats', '--registry', join(dir, 'nowhere')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no registry database');
  }, 120_000);

  it('lets an explicit flag beat the config file, and names a bad value from the file', async () => {
    const config = join(dir, 'bad-port.toml');
    await writeFile(config, '[server]\nport = 70000\n');
    const bad = await ck(['serve', '--data', data, '--config', config]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain(`invalid port "70000" ([server] port in ${config})`);
    const misspelt = join(dir, 'misspelt.toml');
    await writeFile(misspelt, '[securty]\nquarantine = "high"\n');
    const typo = await ck(['serve', '--data', data, '--config', misspelt]);
    expect(typo.stderr).toContain(`${misspelt}: unknown table [securty]; did you mean [security]?`);
    await stopAfterListening(['--config', config, '--port', '0']);
  }, 120_000);

  it('serves the registry it seeded', async () => {
    await stopAfterListening([], async (address) => {
      const config = (await (await fetch(`${address}/index/config.json`)).json()) as { dl: string };
      expect(config.dl).toBe(`${address}/api/v1/crates`);
      expect((await fetch(`${address}/index/go/od/good`)).status).toBe(200);
    });
  }, 120_000);

  /** Starts `serve` on an ephemeral port (unless `args` say otherwise), runs `check`, stops it. */
  async function stopAfterListening(args: string[], check?: (address: string) => Promise<void>) {
    const portArgs = args.includes('--port') ? [] : ['--port', '0'];
    const child = spawn(process.execPath, [...CLI_ARGV, 'serve', '--data', data, ...portArgs, ...args], {
      cwd: repoRoot,
    });
    try {
      const address = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
      });
      expect(address).toMatch(/:\d+$/);
      await check?.(address);
    } finally {
      child.kill('SIGTERM');
    }
  }
});
