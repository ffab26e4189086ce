// Publish latency: median (and p90/p99) of publishing a ~100 KB crate over HTTP to a running
// server. The target excludes background jobs, so the server runs without its worker; the
// same run is then repeated with the worker scanning alongside, for comparison.
// Target: median under 100 ms.
//   npm run bench -- publish [--count 50] [--database-url postgres://…]
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeCrateArchive } from '../src/formats/crate-archive.js';
import { dropPostgresSchema } from '../src/store/database.js';
import { manifestToml, metadataFor, publishBody } from '../test/support/publish-body.js';
import { argValue, cli, freePort, median, percentile, startServe, stop, waitForHttp } from './_lib.js';

const count = Number(argValue('count', '50'));
const databaseUrl = argValue('database-url', '');

async function measure(worker: boolean): Promise<{ times: number[]; size: number }> {
  const work = await mkdtemp(join(tmpdir(), 'ck-bench-publish-'));
  let cleanup = async () => {};
  try {
    const data = join(work, 'data');
    // A schema of its own in PostgreSQL, dropped afterwards: the bench leaves nothing behind.
    const schema = `ck_bench_${randomBytes(4).toString('hex')}`;
    cleanup = databaseUrl ? () => dropPostgresSchema(databaseUrl, schema) : async () => {};
    const dbArgs = databaseUrl ? ['--database-url', databaseUrl, '--database-schema', schema] : [];
    cli(['user', 'add', 'bench', '--data', data, ...dbArgs]);
    const token = cli(['token', 'create', '--user', 'bench', '--data', data, ...dbArgs]).trim();
    // The benchmark publishes far faster than crates.io's buckets allow: lift them for its user.
    for (const action of ['publish-new', 'publish-update'])
      cli([
        'user',
        'rate-limit',
        'bench',
        '--action',
        action,
        '--burst',
        '1000000',
        '--reason',
        'benchmark',
        '--data',
        data,
        ...dbArgs,
      ]);
    const port = await freePort();
    const server = startServe(data, port, [...dbArgs, ...(worker ? [] : ['--no-worker'])]);
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/index/config.json`);
    // ~100 KB compressed: source text plus incompressible bytes, like a crate with test data.
    const bodies: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      const version = `1.0.${i}`;
      const crate = await writeCrateArchive(`bench-crate-${version}`, [
        { path: 'Cargo.toml', data: manifestToml('bench-crate', version) },
        { path: 'src/lib.rs', data: 'pub fn f() -> u32 { 42 }\n'.repeat(2000) },
        { path: 'tests/data.bin', data: randomBytes(95 * 1024) },
      ]);
      bodies.push(publishBody(metadataFor('bench-crate', version), crate));
    }
    const times: number[] = [];
    for (const body of bodies) {
      const t0 = performance.now();
      const res = await fetch(`${base}/api/v1/crates/new`, {
        method: 'PUT',
        headers: { authorization: token },
        body,
      });
      await res.arrayBuffer();
      times.push(performance.now() - t0);
      if (res.status !== 200) throw new Error(`publish failed: ${res.status}`);
    }
    await stop(server);
    return { times, size: median(bodies.map((b) => b.length)) };
  } finally {
    await rm(work, { recursive: true, force: true });
    await cleanup();
  }
}

const alone = await measure(false);
const withWorker = await measure(true);
const line = (label: string, t: number[]) =>
  `${label.padEnd(34)} median ${median(t).toFixed(1)} ms, p90 ${percentile(t, 90).toFixed(1)} ms, p99 ${percentile(t, 99).toFixed(1)} ms`;
console.log(
  `publish: ${count} publishes of a ${(alone.size / 1024).toFixed(0)} KB crate over HTTP (${databaseUrl ? 'PostgreSQL' : 'SQLite'})`,
);
console.log(line('background jobs excluded (target)', alone.times));
console.log(line('with the worker scanning alongside', withWorker.times));
const med = median(alone.times);
console.log(`target: median < 100 ms excluding background jobs: ${med < 100 ? 'met' : 'NOT met'}`);
if (med >= 100) process.exitCode = 1;
