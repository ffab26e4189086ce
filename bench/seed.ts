// Seeding: import the whole Debian corpus (~1,500 real crates) into a fresh registry through
// the publish checks. Target: under 60 s.
//   npm run bench -- seed [--database-url postgres://…]
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { dropPostgresSchema } from '../src/store/database.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { argValue, cli, debianCorpus } from './_lib.js';

const databaseUrl = argValue('database-url', '');
const corpus = debianCorpus();
const work = await mkdtemp(join(tmpdir(), 'ck-bench-seed-'));
// A schema of its own in PostgreSQL, dropped afterwards: the bench leaves nothing behind.
const schema = `ck_bench_${randomBytes(4).toString('hex')}`;
try {
  const t0 = performance.now();
  const out = cli([
    'import',
    'crates',
    corpus,
    '--data',
    join(work, 'data'),
    '--json',
    ...(databaseUrl ? ['--database-url', databaseUrl, '--database-schema', schema] : []),
  ]);
  const secs = (performance.now() - t0) / 1000;
  const result = JSON.parse(out) as {
    imported: number;
    skipped: unknown[];
    failed: { file: string; reason: string }[];
  };
  const total = result.imported + result.skipped.length + result.failed.length;
  console.log(
    `seed: ${total} Debian crates into a fresh registry (${databaseUrl ? 'PostgreSQL' : 'SQLite'})`,
  );
  console.log(
    `imported ${result.imported}, refused ${result.failed.length}, in ${secs.toFixed(1)} s wall (including process start) — ${(total / secs).toFixed(0)} crates/s`,
  );
  console.log(`target: < 60 s: ${secs < 60 ? 'met' : 'NOT met'}`);
  if (secs >= 60) process.exitCode = 1;
} finally {
  await rm(work, { recursive: true, force: true });
  if (databaseUrl) await dropPostgresSchema(databaseUrl, schema);
}
