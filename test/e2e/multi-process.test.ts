// Beyond one machine, on one PostgreSQL database and one S3-protocol server: two `serve`
// processes (no worker of their own) and separate `worker` processes, as behind a load balancer.
// - What one serve process changes, the other serves at once: publish through A, read the index
//   and download through B immediately; yank through B, A's index shows the yank immediately.
// - Blobs live in the bucket; `cratekeeper gc` on S3 removes an old orphan and keeps the rest.
// - The static index in the bucket follows every change, written by the worker's jobs.
// - Two worker processes take jobs with SKIP LOCKED: every job runs exactly once.
import { ListObjectsV2Command, GetObjectCommand } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRegistryConfig } from '../../src/registry/config.js';
import { openRegistry } from '../../src/registry/services.js';
import { dropPostgresSchema } from '../../src/store/database.js';
import { s3ClientFor } from '../../src/store/s3-blob-store.js';
import { CLI_ARGV, exited, runCli, startServe, type ServeProcess } from '../support/cli-process.js';
import { POSTGRES_URL } from '../support/databases.js';
import { repoRoot } from '../support/paths.js';
import { publishMinimal } from '../support/publish-body.js';
import { startS3, type TestS3 } from '../support/s3-server.js';

function startWorker(args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...CLI_ARGV, 'worker', ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/worker \S+ running/.test(out)) resolve(child);
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${out}`)));
  });
}

async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  ms = 90_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('two serve processes and workers on one PostgreSQL database, blobs on S3', () => {
  let dir: string;
  let s3: TestS3;
  let schema: string;
  let config: string;
  let common: string[];
  let token: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ck-multi-'));
    s3 = await startS3();
    schema = `ck_multi_${randomBytes(6).toString('hex')}`;
    config = join(dir, 'cratekeeper.toml');
    await writeFile(
      config,
      `[server]\npublic_url = "https://crates.example"\n\n${s3.configToml('crates/')}\n[storage.index]\nenabled = true\nprefix = "index/"\nmax_age_seconds = 30\n\n[gc]\non_start = false\n\n[limits.publish_new]\nburst = 1000\n`,
    );
    common = [
      '--data',
      join(dir, 'data'),
      '--database-url',
      POSTGRES_URL,
      '--database-schema',
      schema,
      '--config',
      config,
    ];
    const services = await openRegistry({
      dataDir: join(dir, 'data'),
      config: defaultRegistryConfig(),
      database: { url: POSTGRES_URL, schema },
    });
    const user = await services.users.create({ login: 'pub' });
    ({ token } = await services.tokens.create({
      userId: user.id,
      name: 'multi',
      scopes: ['publish-new', 'publish-update', 'yank'],
    }));
    await services.close();
  }, 60_000);

  afterAll(async () => {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map(exited));
    await dropPostgresSchema(POSTGRES_URL, schema);
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  });

  it(
    'publish through A is served by B at once; a yank through B shows through A; gc and the static index on S3',
    { timeout: 180_000 },
    async () => {
      const [a, b]: [ServeProcess, ServeProcess] = await Promise.all([
        startServe([...common, '--no-worker']),
        startServe([...common, '--no-worker']),
      ]);
      children.push(a.child, b.child);
      children.push(await startWorker(common));

      // Warm B's caches with the crate missing, so a stale cache would show.
      expect((await fetch(`${b.url}/index/mu/lt/multi-demo`)).status).toBe(404);
      expect((await fetch(`${b.url}/api/v1/crates/multi-demo/1.0.0/download`)).status).toBe(404);

      const published = await publishMinimal(a.url, token, 'multi-demo', '1.0.0');
      expect(published.status, await published.clone().text()).toBe(200);
      const index = await fetch(`${b.url}/index/mu/lt/multi-demo`);
      expect(index.status).toBe(200);
      const line = JSON.parse((await index.text()).trim()) as {
        vers: string;
        cksum: string;
        yanked: boolean;
      };
      expect(line).toMatchObject({ vers: '1.0.0', yanked: false });
      const download = await fetch(`${b.url}/api/v1/crates/multi-demo/1.0.0/download`);
      expect(download.status).toBe(200);
      const bytes = Buffer.from(await download.arrayBuffer());
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(line.cksum);

      // Warm A's cache with the unyanked file, then yank through B.
      expect(JSON.parse((await (await fetch(`${a.url}/index/mu/lt/multi-demo`)).text()).trim()).yanked).toBe(
        false,
      );
      const yank = await fetch(`${b.url}/api/v1/crates/multi-demo/1.0.0/yank`, {
        method: 'DELETE',
        headers: { authorization: token },
      });
      expect(yank.status).toBe(200);
      expect(JSON.parse((await (await fetch(`${a.url}/index/mu/lt/multi-demo`)).text()).trim()).yanked).toBe(
        true,
      );

      // The blob is in the bucket, under the configured prefix.
      const client = s3ClientFor(s3.settings());
      const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'crates/' }));
      expect(listed.Contents?.map((o) => o.Key)).toEqual([
        `crates/${line.cksum.slice(0, 2)}/${line.cksum.slice(2, 4)}/${line.cksum}.crate`,
      ]);

      // The worker publishes the static index: config.json and the crate's file, latest state (yanked).
      const read = async (key: string) => {
        try {
          const out = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
          return { body: await out.Body!.transformToString(), cacheControl: out.CacheControl };
        } catch {
          return null;
        }
      };
      const staticFile = await until('the yanked static index file', async () => {
        const f = await read('index/mu/lt/multi-demo');
        return f && JSON.parse(f.body.trim()).yanked === true ? f : null;
      });
      expect(staticFile.cacheControl).toBe('public, max-age=30');
      const staticConfig = await until('config.json', () => read('index/config.json'));
      expect(JSON.parse(staticConfig.body)).toEqual({
        dl: 'https://crates.example/api/v1/crates',
        api: 'https://crates.example',
      });

      // gc on S3: an old orphan goes, the referenced blob stays.
      const orphan = Buffer.from('not a crate anyone references');
      const orphanSum = createHash('sha256').update(orphan).digest('hex');
      await s3.store('crates/').put(orphanSum, orphan);
      await s3.age(
        `crates/${orphanSum.slice(0, 2)}/${orphanSum.slice(2, 4)}/${orphanSum}.crate`,
        2 * 3_600_000,
      );
      const gc = await runCli(['gc', ...common, '--json']);
      expect(gc.code, gc.stderr).toBe(0);
      const report = JSON.parse(gc.stdout) as { removed: { blobs: number }; kept: { young: number } };
      expect(report.removed.blobs).toBe(1);
      expect(await s3.store('crates/').has(orphanSum)).toBe(false);
      expect(await s3.store('crates/').has(line.cksum)).toBe(true);
      expect((await fetch(`${b.url}/api/v1/crates/multi-demo/1.0.0/download`)).status).toBe(200);
    },
  );

  it('two worker processes run every job exactly once', { timeout: 180_000 }, async () => {
    children.push(await startWorker(common));
    const serve = await startServe([...common, '--no-worker']);
    children.push(serve.child);
    for (let i = 0; i < 12; i++) {
      const res = await publishMinimal(serve.url, token, `many-${i}`, '0.1.0');
      expect(res.status).toBe(200);
    }
    const services = await openRegistry({
      dataDir: join(dir, 'data'),
      config: defaultRegistryConfig(),
      database: { url: POSTGRES_URL, schema },
    });
    try {
      await until(
        'every job done',
        async () => {
          const open = await services.db.kysely
            .selectFrom('jobs')
            .select('id')
            .where('status', 'in', ['queued', 'running'])
            .execute();
          return open.length === 0;
        },
        90_000,
      );
      const jobs = await services.db.kysely.selectFrom('jobs').selectAll().execute();
      expect(jobs.length).toBeGreaterThan(24);
      for (const j of jobs)
        expect({ id: j.id, kind: j.kind, status: j.status, attempts: j.attempts }).toMatchObject({
          status: 'done',
          attempts: 1,
        });
      // A scan that ran twice would have left two results.
      const scans = await services.db.kysely.selectFrom('scan_results').select('version_id').execute();
      const versions = await services.db.kysely.selectFrom('versions').select('id').execute();
      expect(scans.map((s) => s.version_id).sort()).toEqual(versions.map((v) => v.id).sort());
      expect((await services.db.kysely.selectFrom('workers').select('id').execute()).length).toBe(2);
    } finally {
      await services.close();
    }
  });
});
