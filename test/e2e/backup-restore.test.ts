// Backup and restore. SQLite: `cratekeeper backup` (another process) runs while publishes keep
// landing; the backup restores into an empty directory as a registry that serves the same index
// and files for every version it holds, and whose audit chain verifies. Restore refuses a
// non-empty directory and a damaged backup. PostgreSQL: the documented procedure (pg_dump of the
// registry's schema + a copy of the blob store, pg_restore into a scratch database) gives the same.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultRegistryConfig } from '../../src/registry/config.js';
import { openRegistry, type RegistryServices } from '../../src/registry/services.js';
import { createApp } from '../../src/cli/app.js';
import { runCli } from '../support/cli-process.js';
import { POSTGRES_URL } from '../support/databases.js';
import { publishMinimal } from '../support/publish-body.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';

const run = promisify(execFile);

/** Publishes in the background until stopped; resolves with the number acknowledged. */
function publishing(h: Harness, token: string, prefix: string): { stop: () => Promise<number> } {
  let stopped = false;
  let ok = 0;
  const stream = async (s: number) => {
    for (let i = 0; !stopped; i++) {
      const res = await publishMinimal(h.url, token, `${prefix}-${s}`, `1.0.${i}`);
      if (res.status === 200) ok++;
      await res.arrayBuffer();
    }
  };
  const streams = [0, 1, 2].map(stream);
  return {
    stop: async () => {
      stopped = true;
      await Promise.all(streams);
      return ok;
    },
  };
}

/** Checks a registry against itself: every version's index line and file, and the audit chain. */
async function checkRegistry(services: RegistryServices, url: string): Promise<number> {
  const versions = await services.db.kysely
    .selectFrom('versions')
    .innerJoin('crates', 'crates.id', 'versions.crate_id')
    .select(['crates.name', 'versions.num', 'versions.checksum'])
    .execute();
  for (const v of versions) {
    const index = await (
      await fetch(`${url}/index/${v.name.slice(0, 2)}/${v.name.slice(2, 4)}/${v.name}`)
    ).text();
    const line = index
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { vers: string; cksum: string })
      .find((l) => l.vers === v.num);
    expect(line?.cksum, `${v.name}@${v.num} in the index`).toBe(v.checksum);
    const res = await fetch(`${url}/api/v1/crates/${v.name}/${v.num}/download`);
    expect(res.status).toBe(200);
    expect(
      createHash('sha256')
        .update(Buffer.from(await res.arrayBuffer()))
        .digest('hex'),
    ).toBe(v.checksum);
  }
  const audit = await services.audit.verify();
  expect(audit).toMatchObject({ ok: true });
  expect(audit.checked).toBeGreaterThanOrEqual(versions.length);
  return versions.length;
}

async function serveRegistry(
  services: RegistryServices,
): Promise<{ url: string; close: () => Promise<void> }> {
  const { server } = createApp(services);
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    close: async () => {
      await server.close();
      await services.close();
    },
  };
}

describe('backup and restore', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  });

  it(
    'SQLite: an online backup during publishes restores to a registry that serves the same',
    { timeout: 180_000 },
    async () => {
      const h = await startRegistry();
      cleanups.push(() => h.close());
      const token = await h.token('pub');
      const work = await mkdtemp(join(tmpdir(), 'ck-backup-'));
      cleanups.push(() => rm(work, { recursive: true, force: true }));
      const data = join(h.dir, 'data');
      for (let i = 0; i < 3; i++)
        expect((await publishMinimal(h.url, token, `before-${i}`, '1.0.0')).status).toBe(200);

      const traffic = publishing(h, token, 'during');
      await new Promise((r) => setTimeout(r, 500));
      const backup = await runCli(['backup', '--data', data, '--out', join(work, 'backup'), '--json']);
      const acknowledged = await traffic.stop();
      expect(backup.code, backup.stderr).toBe(0);
      expect(acknowledged).toBeGreaterThan(0);
      const manifest = JSON.parse(backup.stdout) as { blobs: { count: number }; files: { name: string }[] };
      expect(manifest.blobs.count).toBeGreaterThanOrEqual(3);
      expect(manifest.files.map((f) => f.name)).toEqual(['vet-signing.key']);

      // A second backup into the same place is refused.
      const again = await runCli(['backup', '--data', data, '--out', join(work, 'backup')]);
      expect(again.code).not.toBe(0);
      expect(again.stderr).toMatch(/not empty/);

      // Restore refuses a directory that holds anything, and leaves it as it was.
      const busy = join(work, 'busy');
      await mkdir(busy);
      await writeFile(join(busy, 'keep.txt'), 'x');
      const refused = await runCli(['restore', '--from', join(work, 'backup'), '--data', busy]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/not empty/);
      expect(await readdir(busy)).toEqual(['keep.txt']);

      const restoredDir = join(work, 'restored');
      const restored = await runCli(['restore', '--from', join(work, 'backup'), '--data', restoredDir]);
      expect(restored.code, restored.stderr).toBe(0);
      const services = await openRegistry({ dataDir: restoredDir, config: defaultRegistryConfig() });
      const server = await serveRegistry(services);
      cleanups.push(server.close);
      const n = await checkRegistry(services, server.url);
      expect(n).toBe(manifest.blobs.count); // one blob per version: each publish has its own bytes
      // Every restored version is one the source registry has, with the same checksum.
      for (const v of await services.db.kysely.selectFrom('versions').select(['id', 'checksum']).execute()) {
        const source = await h.services.db.kysely
          .selectFrom('versions')
          .select('checksum')
          .where('id', '=', v.id)
          .executeTakeFirst();
        expect(source?.checksum).toBe(v.checksum);
      }

      // A damaged backup is refused with nothing restored.
      const damaged = join(work, 'damaged');
      await cp(join(work, 'backup'), damaged, { recursive: true });
      const blobs = (await readdir(join(damaged, 'crates'), { recursive: true })).filter((f) =>
        f.endsWith('.crate'),
      );
      await writeFile(join(damaged, 'crates', blobs[0]!), 'tampered');
      const bad = await runCli(['restore', '--from', damaged, '--data', join(work, 'never')]);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/does not match its checksum/);
      await expect(readdir(join(work, 'never'))).rejects.toThrow();
    },
  );

  it(
    'PostgreSQL: pg_dump of the schema and a blob copy restore into a scratch database',
    { timeout: 180_000 },
    async () => {
      const schema = `ck_backup_${randomBytes(6).toString('hex')}`;
      const scratch = `ck_restore_${randomBytes(6).toString('hex')}`;
      const h = await startRegistry({ database: { url: POSTGRES_URL, schema } });
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      cleanups.push(async () => {
        await admin.query(`DROP DATABASE IF EXISTS "${scratch}" WITH (FORCE)`);
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await admin.end();
      });
      cleanups.push(() => h.close());
      const token = await h.token('pub');
      for (let i = 0; i < 4; i++)
        expect((await publishMinimal(h.url, token, `pgcrate-${i}`, '0.1.0')).status).toBe(200);
      const work = await mkdtemp(join(tmpdir(), 'ck-pgbackup-'));
      cleanups.push(() => rm(work, { recursive: true, force: true }));

      // The procedure of docs/deployment.md: dump first, then copy the blobs (a blob is never
      // removed while referenced, so every blob the dump references is in the later copy).
      const dump = join(work, 'registry.dump');
      await run('pg_dump', ['--format=custom', `--schema=${schema}`, `--file=${dump}`, POSTGRES_URL]);
      await cp(join(h.dir, 'data', 'crates'), join(work, 'restored', 'crates'), { recursive: true });
      await cp(join(h.dir, 'data', 'vet-signing.key'), join(work, 'restored', 'vet-signing.key'));

      await admin.query(`CREATE DATABASE "${scratch}"`);
      const scratchUrl = POSTGRES_URL.replace(/\/[^/]*$/, `/${scratch}`);
      await run('pg_restore', ['--no-owner', `--dbname=${scratchUrl}`, dump]);
      const services = await openRegistry({
        dataDir: join(work, 'restored'),
        config: defaultRegistryConfig(),
        database: { url: scratchUrl, schema },
      });
      const server = await serveRegistry(services);
      cleanups.push(server.close);
      expect(await checkRegistry(services, server.url)).toBe(4);
      // The change triggers came along: a publish on the restored registry is served at once.
      expect((await publishMinimal(server.url, token, 'pgcrate-new', '0.1.0')).status).toBe(200);
      expect((await fetch(`${server.url}/index/pg/cr/pgcrate-new`)).status).toBe(200);
    },
  );
});
