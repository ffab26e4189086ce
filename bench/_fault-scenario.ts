// The fault scenario shared by `npm run bench -- faults` and its short form in CI
// (test/e2e/faults.test.ts): mixed traffic against two `serve` processes and a `worker` on a
// PostgreSQL server of its own, while a serve and the worker are killed with SIGKILL at random
// moments, PostgreSQL is crash-restarted once and the S3-protocol server holding the blobs is
// stopped for 5 s. Afterwards it checks what must hold: every
// acknowledged publish present in the index with its file and `cksum`, every version scanned,
// no version without its file, no job whose effect happened twice, the audit chain intact, and
// that clients saw only retryable errors (connection failures, 502/503/504) during the outages.
import { createHash } from 'node:crypto';
import { indexPath } from '../src/domain/index-path.js';
import pg from 'pg';
import { Cluster, UNLIMITED_PUBLISHING_TOML } from './_cluster.js';
import { freePort } from './_lib.js';
import { PrivatePostgres } from './_private-postgres.js';
import { KINDS, runTraffic, seed, type Kind, type KindStats } from './_traffic.js';

export interface FaultOptions {
  seconds: number;
  publishesPerSecond: number;
  readers: number;
  entry: 'dist' | 'tsx';
  configToml?: string;
  log?: (line: string) => void;
}

export interface FaultReport {
  faults: string[];
  stats: Record<Kind, KindStats>;
  elapsedMs: number;
  acknowledged: number;
  /** Acknowledged publishes absent from the index or with another checksum there. */
  missingFromIndex: string[];
  /** Versions (acknowledged or not) whose download fails or has another checksum. */
  badFiles: string[];
  versions: number;
  unscanned: string[];
  duplicateScans: string[];
  duplicateAlerts: string[];
  /** Jobs still queued, running or failed for good after the drain. */
  unfinishedJobs: string[];
  auditChain: { ok: boolean; output: string };
  /** Client errors that are not retryable, by kind. */
  nonRetryable: { kind: Kind; count: number; samples: string[] }[];
  drainMs: number;
}

export async function runFaultScenario(opts: FaultOptions): Promise<FaultReport> {
  const log = opts.log ?? (() => {});
  const postgres = new PrivatePostgres(await freePort());
  postgres.start();
  const cluster = new Cluster({
    mode: 'cluster',
    servers: 2,
    workers: 1,
    databaseUrl: postgres.url,
    entry: opts.entry,
    blobs: 's3',
    configToml: UNLIMITED_PUBLISHING_TOML + (opts.configToml ?? ''),
  });
  const faults: string[] = [];
  try {
    await cluster.start();
    const seeded = await seed(
      cluster.baseUrls[0]!,
      cluster.token,
      ['fault-seed-a', 'fault-seed-b'],
      ['1.0.0'],
    );
    const serves = cluster.members.filter((m) => m.kind === 'serve');
    const worker = cluster.members.find((m) => m.kind === 'worker')!;
    const ms = opts.seconds * 1000;
    const jitter = () => (Math.random() - 0.5) * 0.1 * ms;
    const t0 = Date.now();
    const at = async (fraction: number, what: string, act: () => Promise<void> | void) => {
      const wait = t0 + fraction * ms + jitter() - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const start = Date.now();
      await act();
      faults.push(
        `${((start - t0) / 1000).toFixed(1)} s: ${what} (back after ${((Date.now() - start) / 1000).toFixed(1)} s)`,
      );
      log(faults.at(-1)!);
    };
    // Beside the process faults, so that it overlaps whatever runs then.
    const s3Outage = at(0.45, 'S3 server stopped for 5 s', async () => {
      await cluster.s3!.stop();
      await new Promise((r) => setTimeout(r, 5000));
      await cluster.s3!.restart();
    });
    const schedule = (async () => {
      await at(0.15, 'kill -9 serve #1', () => cluster.killAndRestart(serves[0]!));
      await at(0.35, 'kill -9 worker', () => cluster.killAndRestart(worker, 1000));
      await at(0.55, 'PostgreSQL crash-restart', () => postgres.crashRestart());
      await at(0.75, 'kill -9 serve #2', () => cluster.killAndRestart(serves[1]!));
      await at(0.85, 'kill -9 worker', () => cluster.killAndRestart(worker));
    })();
    const traffic = await runTraffic({
      // A load balancer sends nothing to a server that is down: route to those whose port answers.
      baseUrls: () => {
        const live = cluster.liveBaseUrls();
        return live.length > 0 ? live : cluster.baseUrls;
      },
      token: cluster.token,
      adminToken: cluster.adminToken,
      seconds: opts.seconds,
      publishesPerSecond: opts.publishesPerSecond,
      readers: opts.readers,
      seeded,
      publishCrates: Array.from({ length: 10 }, (_, i) => `fault-pub-${i}`),
    });
    await Promise.all([schedule, s3Outage]);
    const drainMs = await cluster.drainTime(180_000);
    log(`traffic done; queue drained in ${(drainMs / 1000).toFixed(1)} s`);

    const base = cluster.baseUrls[0]!;
    const missingFromIndex: string[] = [];
    const byCrate = new Map<string, Map<string, string>>();
    for (const p of traffic.published) {
      let lines = byCrate.get(p.name);
      if (!lines) {
        const res = await fetch(`${base}/index/${indexPath(p.name)}`);
        lines = new Map();
        if (res.ok) {
          for (const line of (await res.text()).split('\n').filter(Boolean)) {
            const entry = JSON.parse(line) as { vers: string; cksum: string };
            lines.set(entry.vers, entry.cksum);
          }
        }
        byCrate.set(p.name, lines);
      }
      if (lines.get(p.version) !== p.cksum) missingFromIndex.push(`${p.name}@${p.version}`);
    }

    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    try {
      await client.query(`SET search_path TO ${cluster.schemaName}`);
      const versions = (
        await client.query<{ name: string; num: string; checksum: string; id: number }>(
          'SELECT c.name, v.num, v.checksum, v.id FROM versions v JOIN crates c ON c.id = v.crate_id',
        )
      ).rows;
      const badFiles: string[] = [];
      for (const v of versions) {
        const res = await fetch(`${base}/api/v1/crates/${v.name}/${v.num}/download`);
        const body = Buffer.from(await res.arrayBuffer());
        const sum = createHash('sha256').update(body).digest('hex');
        if (!res.ok || sum !== v.checksum) badFiles.push(`${v.name}@${v.num} (HTTP ${res.status})`);
      }
      const list = async (sql: string) => (await client.query<{ what: string }>(sql)).rows.map((r) => r.what);
      const unscanned = await list(
        `SELECT c.name || '@' || v.num AS what FROM versions v JOIN crates c ON c.id = v.crate_id
         WHERE NOT EXISTS (SELECT 1 FROM scan_results s WHERE s.version_id = v.id)`,
      );
      const duplicateScans = await list(
        `SELECT version_id || ' x' || count(*) AS what FROM scan_results GROUP BY version_id HAVING count(*) > 1`,
      );
      const duplicateAlerts = await list(
        `SELECT dedupe_key || ' x' || count(*) AS what FROM alerts GROUP BY dedupe_key HAVING count(*) > 1`,
      );
      const unfinishedJobs = await list(
        `SELECT kind || '#' || id || ' ' || status AS what FROM jobs WHERE status <> 'done'`,
      );
      let auditChain: FaultReport['auditChain'];
      try {
        auditChain = { ok: true, output: cluster.cli(['audit-log', 'verify']).trim() };
      } catch (err) {
        const e = err as { stdout?: string; stderr?: string; message: string };
        auditChain = { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? e.message}`.trim() };
      }
      const nonRetryable = KINDS.map((kind) => {
        const s = traffic.stats[kind];
        return { kind, count: s.errors - s.retryable, samples: [...s.samples] };
      }).filter((r) => r.count > 0);
      return {
        faults,
        stats: traffic.stats,
        elapsedMs: traffic.elapsedMs,
        acknowledged: traffic.published.length,
        missingFromIndex,
        badFiles,
        versions: versions.length,
        unscanned,
        duplicateScans,
        duplicateAlerts,
        unfinishedJobs,
        auditChain,
        nonRetryable,
        drainMs,
      };
    } finally {
      await client.end();
    }
  } finally {
    await cluster.stop().catch(() => {});
    postgres.destroy();
  }
}

/** The checks that must hold, as failures (empty: all hold). */
export function faultFailures(r: FaultReport): string[] {
  const failures: string[] = [];
  const some = (what: string, items: string[]) => {
    if (items.length > 0) failures.push(`${what}: ${items.length} (${items.slice(0, 5).join(', ')})`);
  };
  some('acknowledged publishes missing from the index', r.missingFromIndex);
  some('versions without their file', r.badFiles);
  some('versions not scanned', r.unscanned);
  some('versions scanned twice', r.duplicateScans);
  some('alerts raised twice', r.duplicateAlerts);
  some('jobs not done', r.unfinishedJobs);
  if (!r.auditChain.ok) failures.push(`audit chain: ${r.auditChain.output}`);
  for (const e of r.nonRetryable)
    failures.push(`${e.count} non-retryable ${e.kind} errors (${e.samples.join(', ')})`);
  if (r.drainMs < 0) failures.push('the job queue did not drain');
  if (r.acknowledged === 0) failures.push('no publish was acknowledged');
  return failures;
}
