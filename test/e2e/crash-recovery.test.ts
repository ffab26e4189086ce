// The server is SIGKILLed in the middle of a stream of publishes, then restarted: every
// version in the index has its file, its audit entry and a scan (result or queued job); the
// jobs the dead process was running finish within 30 s; after GC no orphan file is left.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeCrateArchive } from '../../src/formats/crate-archive.js';
import { defaultRegistryConfig } from '../../src/registry/config.js';
import { openRegistry, type RegistryServices } from '../../src/registry/services.js';
import { dropPostgresSchema } from '../../src/store/database.js';
import { DIALECTS, POSTGRES_URL } from '../support/databases.js';
import { exited, runCli, startServe } from '../support/cli-process.js';
import { manifestToml, metadataFor, publishBody } from '../support/publish-body.js';

async function filesUnder(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => e.name);
  } catch {
    return [];
  }
}

async function body(i: number): Promise<Buffer> {
  const name = `crash-${i % 5}`;
  const version = `1.0.${Math.floor(i / 5)}`;
  const crate = await writeCrateArchive(`${name}-${version}`, [
    { path: 'Cargo.toml', data: manifestToml(name, version) },
    { path: 'src/lib.rs', data: `pub fn n() -> u32 { ${i} }\n${'// padding\n'.repeat(200)}` },
  ]);
  return publishBody(metadataFor(name, version), crate);
}

describe.each(DIALECTS)('a server killed mid-publish on %s', (dialect) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('loses nothing and finishes interrupted jobs after a restart', { timeout: 180_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ck-crash-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const data = join(dir, 'data');
    const schema = dialect === 'postgres' ? `ck_crash_${randomBytes(6).toString('hex')}` : null;
    if (schema) cleanups.push(() => dropPostgresSchema(POSTGRES_URL, schema));
    const dbArgs = schema ? ['--database-url', POSTGRES_URL, '--database-schema', schema] : [];
    const open = () =>
      openRegistry({
        dataDir: data,
        config: defaultRegistryConfig(),
        ...(schema ? { database: { url: POSTGRES_URL, schema } } : {}),
      });
    let services: RegistryServices = await open();
    const user = await services.users.create({ login: 'pub' });
    const { token } = await services.tokens.create({
      userId: user.id,
      name: 'crash',
      scopes: ['publish-new', 'publish-update'],
    });
    await services.close();

    const first = await startServe(['--data', data, ...dbArgs]);
    let sent = 0;
    let stop = false;
    const publisher = async () => {
      while (!stop) {
        const i = sent++;
        try {
          const res = await fetch(`${first.url}/api/v1/crates/new`, {
            method: 'PUT',
            headers: { authorization: token },
            body: await body(i),
          });
          await res.arrayBuffer();
        } catch {
          return; // the server is gone
        }
      }
    };
    const streams = Array.from({ length: 4 }, publisher);
    await new Promise((r) => setTimeout(r, 2500));
    first.child.kill('SIGKILL');
    stop = true;
    await Promise.all(streams);
    await exited(first.child);

    const second = await startServe(['--data', data, ...dbArgs]);
    services = await open();
    try {
      const versions = await services.db.kysely
        .selectFrom('versions')
        .innerJoin('crates', 'crates.id', 'versions.crate_id')
        .select(['versions.id', 'versions.num', 'versions.checksum', 'crates.name'])
        .execute();
      expect(versions.length).toBeGreaterThan(5);
      for (const v of versions) {
        expect(await services.blobs.has(v.checksum), `${v.name}@${v.num} file`).toBe(true);
        const audit = await services.audit.list({ action: 'publish', target: `${v.name}@${v.num}` });
        expect(audit.total, `${v.name}@${v.num} audit entry`).toBe(1);
        const res = await fetch(`${second.url}/api/v1/crates/${v.name}/${v.num}/download`);
        expect(res.status, `${v.name}@${v.num} download`).toBe(200);
        await res.arrayBuffer();
      }
      // Every version has a scan: done, or queued/running and finished within 30 s of restart.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const scanned = await services.db.kysely.selectFrom('scan_results').select('version_id').execute();
        const done = new Set(scanned.map((s) => s.version_id));
        const missing = versions.filter((v) => !done.has(v.id));
        const pending = await services.db.kysely
          .selectFrom('jobs')
          .select(['status'])
          .where('status', 'in', ['queued', 'running'])
          .execute();
        if (missing.length === 0 && pending.length === 0) break;
        if (Date.now() > deadline) {
          throw new Error(`after 30 s: ${missing.length} versions unscanned, ${pending.length} jobs pending`);
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      second.child.kill('SIGTERM');
      await exited(second.child);
      await services.close();
    }

    // The collector leaves exactly the referenced files.
    const gc = await runCli(['gc', '--grace', '0', '--data', data, ...dbArgs]);
    expect(gc.code, gc.stdout).toBe(0);
    services = await open();
    try {
      const sums = new Set(
        (await services.db.kysely.selectFrom('versions').select('checksum').execute()).map((v) => v.checksum),
      );
      const files = await filesUnder(join(data, 'crates'));
      expect(files.filter((f) => f.startsWith('.tmp-'))).toEqual([]);
      expect(files.filter((f) => !sums.has(f.replace(/\.crate$/, '')))).toEqual([]);
      expect(files).toHaveLength(sums.size);
    } finally {
      await services.close();
    }
  });
});
