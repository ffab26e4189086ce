// Search throughput and latency: `GET /api/v1/crates?q=a&per_page=100` over 5,000 crates (each
// with a few versions and download counts), against a running server on loopback.
// Targets: at least 1,000 req/s, p99 under 50 ms.
//   npm run bench -- search [--seconds 10] [--connections 16] [--crates 5000] [--database-url postgres://…]
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { indexPath } from '../src/domain/index-path.js';
import { dropPostgresSchema, openDatabase } from '../src/store/database.js';
import { CrateRepository } from '../src/store/crates.js';
import { minimalPublishRecord } from '../test/support/publish-record.js';
import { UserRepository } from '../src/store/users.js';
import { argValue, freePort, repoRoot, runWrk, startServe, stop, waitForHttp } from './_lib.js';

const seconds = Number(argValue('seconds', '10'));
const connections = Number(argValue('connections', '16'));
const count = Number(argValue('crates', '5000'));
const databaseUrl = argValue('database-url', '');

// Deterministic pseudo-random words, so every run searches the same registry.
let seed = 42;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const syllables = [
  'ser',
  'tok',
  'io',
  'rand',
  'log',
  'mio',
  'hyp',
  'er',
  'byt',
  'es',
  'cl',
  'ap',
  'syn',
  'quo',
  'te',
  'lib',
  'num',
  'zip',
];
const word = (n: number) =>
  Array.from({ length: n }, () => syllables[Math.floor(rand() * syllables.length)]).join('');

const record = (name: string, version: string, userId: number, description: string) =>
  minimalPublishRecord(name, version, userId, {
    checksum: randomBytes(32).toString('hex'),
    size: 1000,
    description,
    crateMeta: { description },
    publishedAt: new Date(),
  });

execFileSync('bash', [join(repoRoot, 'scripts/install-bench-tools.sh')], { stdio: 'inherit' });
const work = await mkdtemp(join(tmpdir(), 'ck-bench-search-'));
const schema = `ck_bench_${randomBytes(4).toString('hex')}`;
try {
  const data = join(work, 'data');
  process.stderr.write(`seeding ${count} crates…\n`);
  const db = await openDatabase(
    databaseUrl ? { url: databaseUrl, schema } : { url: join(data, 'cratekeeper.sqlite') },
  );
  const crates = new CrateRepository(db.kysely);
  const user = await new UserRepository(db.kysely).create({ login: 'bench' });
  const seen = new Set<string>();
  const downloads: { versionId: number; date: string; count: number }[] = [];
  while (seen.size < count) {
    const name = `${word(2)}-${word(1)}${seen.size}`;
    seen.add(name);
    const description = `${word(2)} ${word(3)} for ${word(2)}`;
    const versions = 1 + Math.floor(rand() * 4);
    for (let v = 0; v < versions; v++) {
      const { version } = await db.kysely
        .transaction()
        .execute((trx) =>
          crates.publish(trx, record(name, `0.${v}.${Math.floor(rand() * 20)}`, user.id, description)),
        );
      downloads.push({ versionId: version.id, date: '2026-11-30', count: Math.floor(rand() * 10_000) });
    }
  }
  await crates.recordDownloads(downloads);
  await db.close();

  const port = await freePort();
  const dbArgs = databaseUrl ? ['--database-url', databaseUrl, '--database-schema', schema] : [];
  const server = startServe(data, port, ['--no-worker', ...dbArgs]);
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/index/config.json`);
  const url = `${base}/api/v1/crates?q=a&per_page=100`;
  const sample = (await (await fetch(url)).json()) as { crates: unknown[]; meta: { total: number } };
  process.stderr.write(`q=a matches ${sample.meta.total} crates; measuring for ${seconds} s…\n`);
  await runWrk(url, { connections, seconds: 2 }); // warm-up
  const r = await runWrk(url, { connections, seconds });
  // A reference on the same machine in the same run: an index file served from memory.
  const indexUrl = `${base}/index/${indexPath([...seen][0]!)}`;
  await runWrk(indexUrl, { connections, seconds: 2 });
  const idx = await runWrk(indexUrl, { connections, seconds: 10 });
  await stop(server);

  console.log(
    `search: q=a&per_page=100 over ${count} crates (${sample.meta.total} match, ${sample.crates.length} per page), ${databaseUrl ? 'PostgreSQL' : 'SQLite'}, ${connections} connections, ${seconds} s, loopback`,
  );
  console.log(
    `req/s ${r.requestsPerSec.toFixed(0)}, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms${r.non2xx ? `, non-2xx: ${r.non2xx}` : ''}${r.errors ? `, ${r.errors}` : ''}`,
  );
  console.log(
    `reference, one sparse-index file from memory: req/s ${idx.requestsPerSec.toFixed(0)}, p99 ${idx.p99Ms.toFixed(2)} ms (search is ${((r.requestsPerSec / idx.requestsPerSec) * 100).toFixed(1)}% of it)`,
  );
  const okRps = r.requestsPerSec >= 1000;
  const okP99 = r.p99Ms < 50;
  console.log(
    `throughput target ≥ 1,000 req/s: ${okRps ? 'met' : 'NOT met'}; p99 target < 50 ms: ${okP99 ? 'met' : 'NOT met'}`,
  );
  if (!okRps || !okP99) process.exitCode = 1;
} finally {
  await rm(work, { recursive: true, force: true });
  if (databaseUrl) await dropPostgresSchema(databaseUrl, schema);
}
