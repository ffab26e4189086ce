// Sparse-index throughput and latency: index-file GETs at 64 connections on loopback,
// cratekeeper side by side with nginx serving the same files from disk, in one run.
// Targets: at least 50% of nginx's requests/s, p99 under 20 ms.
//   npm run bench -- sparse-index [--seconds 20] [--connections 64]
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { indexPath } from '../src/domain/index-path.js';
import {
  argValue,
  cli,
  debianCorpus,
  freePort,
  repoRoot,
  runWrk,
  startServe,
  stop,
  waitForHttp,
  type WrkResult,
} from './_lib.js';

const seconds = Number(argValue('seconds', '20'));
const connections = Number(argValue('connections', '64'));

execFileSync('bash', [join(repoRoot, 'scripts/install-bench-tools.sh')], { stdio: 'inherit' });
const work = await mkdtemp(join(tmpdir(), 'ck-bench-index-'));
try {
  const data = join(work, 'data');
  process.stderr.write('seeding the registry with the Debian corpus…\n');
  cli(['import', 'crates', debianCorpus(), '--data', data]);
  const db = new BetterSqlite3(join(data, 'cratekeeper.sqlite'), { readonly: true });
  const names = (db.prepare('select name from crates order by name').all() as { name: string }[]).map(
    (r) => r.name,
  );
  db.close();
  const paths = names.map((n) => `/index/${indexPath(n)}`);

  const port = await freePort();
  // The import queued a scan and a typosquat job per version; index serving is measured on its
  // own (`serve --no-worker`), not racing ~3,000 background scans for the two cores.
  const server = startServe(data, port, ['--no-worker']);
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/index/config.json`);

  // The same bytes on disk for nginx.
  const root = join(work, 'www');
  for (const p of paths) {
    const res = await fetch(base + p);
    if (res.status !== 200) throw new Error(`${p}: ${res.status}`);
    await mkdir(dirname(join(root, p)), { recursive: true });
    await writeFile(join(root, p), Buffer.from(await res.arrayBuffer()));
  }
  const nginxPort = await freePort();
  const conf = join(work, 'nginx.conf');
  await writeFile(
    conf,
    `worker_processes 2;\npid ${work}/nginx.pid;\nerror_log ${work}/nginx-error.log;\nuser root;\n` +
      `events { worker_connections 4096; }\n` +
      `http {\n  access_log off;\n  sendfile on;\n  tcp_nopush on;\n  default_type text/plain;\n` +
      `  client_body_temp_path ${work}/nb; proxy_temp_path ${work}/np; fastcgi_temp_path ${work}/nf; uwsgi_temp_path ${work}/nu; scgi_temp_path ${work}/ns;\n` +
      `  server { listen 127.0.0.1:${nginxPort}; root ${root}; etag on; }\n}\n`,
  );
  const nginx = spawn('nginx', ['-c', conf, '-p', work, '-g', 'daemon off;'], { stdio: 'inherit' });
  await waitForHttp(`http://127.0.0.1:${nginxPort}${paths[0]}`);

  const script = join(work, 'paths.lua');
  await writeFile(
    script,
    `local paths = {${paths.map((p) => JSON.stringify(p)).join(',')}}\n` +
      `local i = 0\nrequest = function()\n  i = i + 1\n  return wrk.format("GET", paths[(i % #paths) + 1])\nend\n`,
  );

  const measure = async (url: string): Promise<WrkResult> => {
    await runWrk(url, { connections, seconds: 2, script }); // warm-up
    return runWrk(url, { connections, seconds, script });
  };
  process.stderr.write(`measuring nginx and cratekeeper, ${seconds} s each…\n`);
  const ng = await measure(`http://127.0.0.1:${nginxPort}`);
  const ck = await measure(base);
  nginx.kill('SIGQUIT');
  await stop(server);

  const ratio = ck.requestsPerSec / ng.requestsPerSec;
  const row = (name: string, r: WrkResult) =>
    `${name.padEnd(13)} ${r.requestsPerSec.toFixed(0).padStart(9)} ${r.p50Ms.toFixed(2).padStart(8)} ${r.p99Ms.toFixed(2).padStart(8)}${r.non2xx ? `  non-2xx: ${r.non2xx}` : ''}${r.errors ? `  ${r.errors}` : ''}`;
  console.log(
    `sparse index: GETs of ${paths.length} index files, ${connections} connections, ${seconds} s each, loopback`,
  );
  console.log(`${''.padEnd(13)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}`);
  console.log(row('nginx', ng));
  console.log(row('cratekeeper', ck));
  const okRatio = ratio >= 0.5;
  const okP99 = ck.p99Ms < 20;
  console.log(
    `cratekeeper/nginx throughput: ${(ratio * 100).toFixed(0)}% (target ≥ 50%: ${okRatio ? 'met' : 'NOT met'})`,
  );
  console.log(`cratekeeper p99: ${ck.p99Ms.toFixed(2)} ms (target < 20 ms: ${okP99 ? 'met' : 'NOT met'})`);
  if (!okRatio || !okP99) process.exitCode = 1;
} finally {
  await rm(work, { recursive: true, force: true });
}
