// Download throughput: `.crate` GETs against a running server, side by side with sparse-index
// GETs of the same crates in the same run (the index is served from memory, the cheapest thing
// the registry does). Downloads are counted in memory and flushed in batches, so a download
// costs reads, not a database write. Target: downloads at least 50% of index req/s.
//   npm run bench -- downloads [--seconds 10] [--connections 64] [--crates 20]
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { indexPath } from '../src/domain/index-path.js';
import { writeCrateArchive } from '../src/formats/crate-archive.js';
import { manifestToml, metadataFor, publishBody } from '../test/support/publish-body.js';
import {
  argValue,
  cli,
  freePort,
  repoRoot,
  runWrk,
  startServe,
  stop,
  waitForHttp,
  type WrkResult,
} from './_lib.js';

const seconds = Number(argValue('seconds', '10'));
const connections = Number(argValue('connections', '64'));
const count = Number(argValue('crates', '20'));

execFileSync('bash', [join(repoRoot, 'scripts/install-bench-tools.sh')], { stdio: 'inherit' });
const work = await mkdtemp(join(tmpdir(), 'ck-bench-dl-'));
try {
  const data = join(work, 'data');
  cli(['user', 'add', 'bench', '--data', data]);
  const token = cli(['token', 'create', '--user', 'bench', '--data', data]).trim();
  const port = await freePort();
  const server = startServe(data, port, ['--no-worker']);
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/index/config.json`);

  const names = Array.from({ length: count }, (_, i) => `bench-dl-${i}`);
  for (const name of names) {
    // A small crate (a few KB), like most of the ecosystem's.
    const crate = await writeCrateArchive(`${name}-1.0.0`, [
      { path: 'Cargo.toml', data: manifestToml(name, '1.0.0') },
      { path: 'src/lib.rs', data: `pub fn f() -> u32 { ${name.length} }\n`.repeat(100) },
    ]);
    const res = await fetch(`${base}/api/v1/crates/new`, {
      method: 'PUT',
      headers: { authorization: token },
      body: publishBody(metadataFor(name, '1.0.0'), crate),
    });
    if (res.status !== 200) throw new Error(`publish ${name}: ${res.status} ${await res.text()}`);
  }

  const script = async (file: string, paths: string[]) => {
    await writeFile(
      file,
      `local paths = {${paths.map((p) => JSON.stringify(p)).join(',')}}\n` +
        `local i = 0\nrequest = function()\n  i = i + 1\n  return wrk.format("GET", paths[(i % #paths) + 1])\nend\n`,
    );
    return file;
  };
  const indexScript = await script(
    join(work, 'index.lua'),
    names.map((n) => `/index/${indexPath(n)}`),
  );
  const dlScript = await script(
    join(work, 'dl.lua'),
    names.map((n) => `/api/v1/crates/${n}/1.0.0/download`),
  );
  const measure = async (s: string): Promise<WrkResult> => {
    await runWrk(base, { connections, seconds: 2, script: s }); // warm-up
    return runWrk(base, { connections, seconds, script: s });
  };
  process.stderr.write(`measuring index and download GETs, ${seconds} s each…\n`);
  const idx = await measure(indexScript);
  const dl = await measure(dlScript);
  await stop(server); // a clean stop flushes the counts

  // Every counted download reached the database.
  const { default: BetterSqlite3 } = await import('better-sqlite3');
  const db = new BetterSqlite3(join(data, 'cratekeeper.sqlite'), { readonly: true });
  const stored = (
    db.prepare('select coalesce(sum(downloads), 0) as n from version_downloads').get() as { n: number }
  ).n;
  db.close();

  const row = (name: string, r: WrkResult) =>
    `${name.padEnd(13)} ${r.requestsPerSec.toFixed(0).padStart(9)} ${r.p50Ms.toFixed(2).padStart(8)} ${r.p99Ms.toFixed(2).padStart(8)}${r.non2xx ? `  non-2xx: ${r.non2xx}` : ''}${r.errors ? `  ${r.errors}` : ''}`;
  console.log(`downloads: GETs of ${count} crates, ${connections} connections, ${seconds} s each, loopback`);
  console.log(`${''.padEnd(13)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}`);
  console.log(row('sparse index', idx));
  console.log(row('downloads', dl));
  const ratio = dl.requestsPerSec / idx.requestsPerSec;
  const ok = ratio >= 0.5;
  console.log(
    `downloads/index throughput: ${(ratio * 100).toFixed(0)}% (target ≥ 50%: ${ok ? 'met' : 'NOT met'})`,
  );
  console.log(`download counts in the database after a clean stop: ${stored}`);
  if (!ok) process.exitCode = 1;
} finally {
  await rm(work, { recursive: true, force: true });
}
