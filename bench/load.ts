// Load test: 60 s of mixed traffic (sparse-index reads, downloads, searches, console API reads,
// and publishes at 10/s) against two stateless `serve` processes and one `worker` sharing
// PostgreSQL with the blobs on an S3-protocol server (s3rver), then the same traffic against one single-process SQLite server, side by side.
// Reports throughput, p50/p99 per kind, errors, peak RSS and how long the job queue took to
// drain after the traffic ended.
// Targets (issue 15): zero errors, index p99 < 20 ms, publish p99 < 250 ms, queue drained
// within 10 s of the end.
//   npm run bench -- load [--seconds 60] [--publish-rate 10] [--readers 8]
//                         [--database-url postgres://postgres@127.0.0.1:5432/test] [--only cluster|single]
import { Cluster, UNLIMITED_PUBLISHING_TOML, type ClusterOptions } from './_cluster.js';
import { argValue } from './_lib.js';
import { KINDS, runTraffic, seed, summarise } from './_traffic.js';

const seconds = Number(argValue('seconds', '60'));
const publishRate = Number(argValue('publish-rate', '10'));
const readers = Number(argValue('readers', '8'));
const databaseUrl = argValue('database-url', 'postgres://postgres@127.0.0.1:5432/test');
const only = argValue('only', '');

const CONFIG = UNLIMITED_PUBLISHING_TOML;

interface Outcome {
  label: string;
  rows: ReturnType<typeof summarise>[];
  drainMs: number;
  rss: { kind: string; mb: number }[];
  published: number;
}

async function measure(label: string, options: ClusterOptions): Promise<Outcome> {
  const cluster = new Cluster(options);
  try {
    await cluster.start();
    const seedCrates = Array.from({ length: 20 }, (_, i) => `load-seed-${i}`);
    const seeded = await seed(cluster.baseUrls[0]!, cluster.token, seedCrates, ['1.0.0', '1.1.0', '1.2.0']);
    // Let the seed's scans finish so they do not count against the measured drain.
    await cluster.drainTime();
    process.stderr.write(`${label}: ${seconds} s of traffic…\n`);
    const { stats, published, elapsedMs } = await runTraffic({
      baseUrls: () => cluster.baseUrls,
      token: cluster.token,
      adminToken: cluster.adminToken,
      seconds,
      publishesPerSecond: publishRate,
      readers,
      seeded,
      publishCrates: Array.from({ length: 50 }, (_, i) => `load-pub-${i}`),
    });
    const drainMs = await cluster.drainTime();
    return {
      label,
      rows: KINDS.map((k) => summarise(stats[k], elapsedMs)),
      drainMs,
      rss: cluster.members.map((m) => ({ kind: m.kind, mb: m.peakRss / 2 ** 20 })),
      published: published.length,
    };
  } finally {
    await cluster.stop();
  }
}

const outcomes: Outcome[] = [];
if (only !== 'single')
  outcomes.push(
    await measure('2 serve + 1 worker, PostgreSQL, S3', {
      mode: 'cluster',
      servers: 2,
      workers: 1,
      databaseUrl,
      blobs: 's3',
      configToml: CONFIG,
    }),
  );
if (only !== 'cluster')
  outcomes.push(await measure('1 serve, SQLite', { mode: 'single', configToml: CONFIG }));

const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '-');
for (const o of outcomes) {
  console.log(`\n${o.label}`);
  console.log('kind      req/s   p50 ms   p99 ms   errors');
  KINDS.forEach((k, i) => {
    const r = o.rows[i]!;
    console.log(
      `${k.padEnd(8)} ${fmt(r.perSecond).padStart(6)} ${fmt(r.p50, 2).padStart(8)} ${fmt(r.p99, 2).padStart(8)} ${String(r.errors).padStart(8)}${r.samples.length ? `  (${r.samples.join(', ')})` : ''}`,
    );
  });
  console.log(`publishes acknowledged: ${o.published}`);
  console.log(
    `queue drained ${o.drainMs < 0 ? 'NOT within 120 s' : `${(o.drainMs / 1000).toFixed(1)} s after the end`}`,
  );
  console.log(`peak RSS: ${o.rss.map((r) => `${r.kind} ${fmt(r.mb, 0)} MB`).join(', ')}`);
}

console.log('\ntargets: zero errors, index p99 < 20 ms, publish p99 < 250 ms, queue drained within 10 s');
for (const o of outcomes) {
  const errors = o.rows.reduce((n, r) => n + r.errors, 0);
  const index = o.rows[KINDS.indexOf('index')]!;
  const publish = o.rows[KINDS.indexOf('publish')]!;
  const checks = [
    `errors ${errors} ${errors === 0 ? 'met' : 'NOT met'}`,
    `index p99 ${fmt(index.p99, 2)} ms ${index.p99 < 20 ? 'met' : 'NOT met'}`,
    `publish p99 ${fmt(publish.p99, 1)} ms ${publish.p99 < 250 ? 'met' : 'NOT met'}`,
    `drain ${o.drainMs < 0 ? '>120 s' : `${(o.drainMs / 1000).toFixed(1)} s`} ${o.drainMs >= 0 && o.drainMs <= 10_000 ? 'met' : 'NOT met'}`,
  ];
  console.log(`${o.label}: ${checks.join('; ')}`);
}
