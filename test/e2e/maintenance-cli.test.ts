// `cratekeeper rescan` and `cratekeeper gc` as an operator runs them, against a seeded registry.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCrateArchive } from '../../src/formats/crate-archive.js';
import { openDatabase } from '../../src/store/database.js';
import { manifestToml } from '../support/publish-body.js';
import { repoRoot } from '../support/debian-corpus.js';
import { CLI_ARGV } from '../support/cli-process.js';

function ck(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...CLI_ARGV, ...args],
      { cwd: repoRoot, timeout: 60_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('cratekeeper rescan and gc', () => {
  let dir: string;
  let data: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ck-maint-'));
    data = join(dir, 'data');
    const crates = join(dir, 'crates');
    await mkdir(crates);
    for (const [name, version] of [
      ['alpha', '1.0.0'],
      ['alpha', '1.1.0'],
      ['beta', '0.1.0'],
    ] as const) {
      await writeFile(
        join(crates, `${name}-${version}.crate`),
        await writeCrateArchive(`${name}-${version}`, [
          { path: 'Cargo.toml', data: manifestToml(name, version) },
        ]),
      );
    }
    const before = await ck(['import', 'crates', crates, '--data', data]);
    expect(before.code).toBe(2);
    expect(before.stderr).toContain(`no registry at ${data}`);
    expect((await ck(['init', '--data', data])).stdout).toContain(`created a registry in ${data}`);
    const r = await ck(['import', 'crates', crates, '--data', data]);
    expect(r.stdout, r.stderr).toContain('imported 3 of 3');
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function scanJobs(): Promise<{ versionId: number }[]> {
    const db = await openDatabase({ url: join(data, 'cratekeeper.sqlite') });
    try {
      const rows = await db.kysely
        .selectFrom('jobs')
        .select('payload')
        .where('kind', '=', 'scan')
        .where('status', '=', 'queued')
        .execute();
      return rows.map((r) => JSON.parse(r.payload) as { versionId: number });
    } finally {
      await db.close();
    }
  }

  it('re-queues scans of one version, a crate, or everything, and refuses unknown names', async () => {
    const usage = await ck(['rescan', '--data', data]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/usage: cratekeeper rescan/i);

    const before = (await scanJobs()).length;
    const one = await ck(['rescan', 'alpha@1.1.0', '--data', data]);
    expect(one.stdout, one.stderr).toContain('queued 1 scan job');
    const crate = await ck(['rescan', 'alpha', '--data', data]);
    expect(crate.stdout).toContain('queued 2 scan jobs');
    const all = await ck(['rescan', '--all', '--data', data]);
    expect(all.stdout).toContain('queued 3 scan jobs');
    const jobs = await scanJobs();
    expect(jobs).toHaveLength(before + 6);
    const db = await openDatabase({ url: join(data, 'cratekeeper.sqlite') });
    const versions = await db.kysely
      .selectFrom('versions')
      .innerJoin('crates', 'crates.id', 'versions.crate_id')
      .select(['versions.id', 'crates.name', 'versions.num'])
      .execute();
    await db.close();
    const alpha11 = versions.find((v) => v.name === 'alpha' && v.num === '1.1.0')!.id;
    expect(jobs.slice(before)[0]).toEqual({ versionId: alpha11 });
    expect(new Set(jobs.slice(before).map((j) => j.versionId))).toEqual(new Set(versions.map((v) => v.id)));

    const noCrate = await ck(['rescan', 'gamma', '--data', data]);
    expect(noCrate.code).toBe(1);
    expect(noCrate.stderr).toContain('no crate `gamma`');
    const noVersion = await ck(['rescan', 'alpha@9.9.9', '--data', data]);
    expect(noVersion.code).toBe(1);
    expect(noVersion.stderr).toContain('no version 9.9.9 of `alpha`');
    expect((await scanJobs()).length).toBe(before + 6);
  }, 120_000);

  it('queues source analyses with --analysis, for versions analysed before or never', async () => {
    const db = await openDatabase({ url: join(data, 'cratekeeper.sqlite') });
    const queued = () =>
      db.kysely
        .selectFrom('jobs')
        .select('payload')
        .where('kind', '=', 'analyze')
        .where('status', '=', 'queued')
        .execute();
    try {
      const before = (await queued()).length;
      const scansBefore = (await scanJobs()).length;
      const r = await ck(['rescan', '--analysis', 'alpha', '--data', data]);
      expect(r.stdout, r.stderr).toContain('queued 2 analysis jobs');
      const jobs = (await queued()).slice(before).map((j) => JSON.parse(j.payload) as { versionId: number });
      const alpha = await db.kysely
        .selectFrom('versions')
        .innerJoin('crates', 'crates.id', 'versions.crate_id')
        .select('versions.id')
        .where('crates.name', '=', 'alpha')
        .execute();
      expect(new Set(jobs.map((j) => j.versionId))).toEqual(new Set(alpha.map((v) => v.id)));
      expect((await scanJobs()).length).toBe(scansBefore);
    } finally {
      await db.close();
    }
  }, 120_000);

  it('collects orphaned blobs past the grace period, reporting what it removed and kept', async () => {
    const put = async (text: string, ageMs: number) => {
      const sum = createHash('sha256').update(text).digest('hex');
      const sub = join(data, 'crates', sum.slice(0, 2), sum.slice(2, 4));
      await mkdir(sub, { recursive: true });
      const path = join(sub, `${sum}.crate`);
      await writeFile(path, text);
      const t = new Date(Date.now() - ageMs);
      await utimes(path, t, t);
      return path;
    };
    // The imported crates' blobs are as old as the orphan: only references keep them.
    const root = join(data, 'crates');
    for (const f of await readdir(root, { recursive: true }))
      if (f.endsWith('.crate'))
        await utimes(join(root, f), new Date(0), new Date(Date.now() - 3 * 3_600_000));
    await put('an old orphan', 3 * 3_600_000);
    await put('a young orphan', 5 * 60_000);

    const dry = await ck(['gc', '--dry-run', '--json', '--data', data]);
    expect(dry.code, dry.stderr).toBe(0);
    const planned = JSON.parse(dry.stdout) as {
      dryRun: boolean;
      removed: { blobs: number; bytes: number };
      kept: { referenced: number; young: number };
    };
    expect(planned).toMatchObject({
      dryRun: true,
      removed: { blobs: 1, bytes: 'an old orphan'.length },
      kept: { referenced: 3, young: 1 },
    });
    const real = await ck(['gc', '--data', data]);
    expect(real.stdout).toMatch(/removed 1 blob .*13 B/);
    expect(real.stdout).toMatch(/kept 3 referenced/);
    const again = await ck(['gc', '--grace', '1', '--json', '--data', data]);
    expect(JSON.parse(again.stdout)).toMatchObject({
      removed: { blobs: 1 },
      kept: { referenced: 3, young: 0 },
    });
    const bad = await ck(['gc', '--grace', 'soon', '--data', data]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--grace');
  }, 120_000);
});
