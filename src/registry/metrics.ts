// Prometheus metrics of one registry process (prom-client). Counters and histograms are this
// process's own (Prometheus scrapes every process and sums them); what is shared between
// processes — the job queue, alerts, live workers — is read from the database at scrape time, so
// every process reports the same, correct figures.
import { sql } from 'kysely';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from '../store/database.js';
import { DEFAULT_STALE_AFTER_MS } from '../store/jobs.js';
import { nowIso } from '../store/time.js';

export type PublishOutcome = 'published' | 'quarantined' | 'refused' | 'rate-limited' | 'error';

export class RegistryMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly requestSeconds: Histogram<'method' | 'route'>;
  readonly publishes: Counter<'outcome'>;
  readonly rateLimitHits: Counter<'action'>;
  readonly jobSeconds: Histogram<'kind' | 'outcome'>;
  private db: Db | null = null;

  constructor() {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'cratekeeper_http_requests_total',
      help: 'HTTP requests answered, by route pattern and status code',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.requestSeconds = new Histogram({
      name: 'cratekeeper_http_request_duration_seconds',
      help: 'Time to answer HTTP requests, by route pattern',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    });
    this.publishes = new Counter({
      name: 'cratekeeper_publishes_total',
      help: 'Publishes through the API, by outcome',
      labelNames: ['outcome'],
      registers,
    });
    this.rateLimitHits = new Counter({
      name: 'cratekeeper_rate_limit_hits_total',
      help: 'Requests refused by a rate limit, by action',
      labelNames: ['action'],
      registers,
    });
    this.jobSeconds = new Histogram({
      name: 'cratekeeper_job_duration_seconds',
      help: 'Time background jobs ran in this process (scan, detonate, typosquat, …), by outcome',
      labelNames: ['kind', 'outcome'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900],
      registers,
    });
    const queued = new Gauge({
      name: 'cratekeeper_jobs',
      help: 'Jobs in the shared queue, by kind and status (queued, running, failed), read from the database',
      labelNames: ['kind', 'status'],
      registers,
      collect: async () => {
        queued.reset();
        for (const r of await this.jobCounts()) queued.set({ kind: r.kind, status: r.status }, r.n);
      },
    });
    const oldest = new Gauge({
      name: 'cratekeeper_jobs_oldest_queued_age_seconds',
      help: 'Age of the oldest job ready to run, by kind (0 when none waits), read from the database',
      labelNames: ['kind'],
      registers,
      collect: async () => {
        oldest.reset();
        const now = Date.now();
        for (const r of await this.oldestQueued()) {
          oldest.set({ kind: r.kind }, Math.max(0, (now - Date.parse(r.oldest)) / 1000));
        }
      },
    });
    const alerts = new Gauge({
      name: 'cratekeeper_alerts',
      help: 'Security alerts still open or escalated, by severity, read from the database',
      labelNames: ['severity'],
      registers,
      collect: async () => {
        alerts.reset();
        for (const severity of ['info', 'low', 'medium', 'high', 'critical']) alerts.set({ severity }, 0);
        for (const r of await this.openAlerts()) alerts.set({ severity: r.severity }, r.n);
      },
    });
    const workers = new Gauge({
      name: 'cratekeeper_workers_alive',
      help: 'Workers whose heartbeat is recent, read from the database',
      registers,
      collect: async () => {
        workers.set(await this.liveWorkers());
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'cratekeeper_process_' });
  }

  /** The database the scrape-time gauges read (set once the services are wired). */
  attach(db: Db): void {
    this.db = db;
  }

  publishOutcome(outcome: PublishOutcome): void {
    this.publishes.inc({ outcome });
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private async jobCounts(): Promise<{ kind: string; status: string; n: number }[]> {
    if (!this.db) return [];
    const rows = await this.db.kysely
      .selectFrom('jobs')
      .select(['kind', 'status', (eb) => eb.fn.countAll<string | number>().as('n')])
      .where('status', 'in', ['queued', 'running', 'failed'])
      .groupBy(['kind', 'status'])
      .execute();
    return rows.map((r) => ({ kind: r.kind, status: r.status, n: Number(r.n) }));
  }

  private async oldestQueued(): Promise<{ kind: string; oldest: string }[]> {
    if (!this.db) return [];
    const rows = await this.db.kysely
      .selectFrom('jobs')
      .select(['kind', (eb) => eb.fn.min<string>('run_at').as('oldest')])
      .where('status', '=', 'queued')
      .where('run_at', '<=', nowIso())
      .groupBy('kind')
      .execute();
    return rows;
  }

  private async openAlerts(): Promise<{ severity: string; n: number }[]> {
    if (!this.db) return [];
    const rows = await this.db.kysely
      .selectFrom('alerts')
      .select(['severity', (eb) => eb.fn.countAll<string | number>().as('n')])
      .where('status', 'in', ['open', 'escalated', 'acknowledged'])
      .groupBy('severity')
      .execute();
    return rows.map((r) => ({ severity: r.severity, n: Number(r.n) }));
  }

  private async liveWorkers(): Promise<number> {
    if (!this.db) return 0;
    const since = nowIso(new Date(Date.now() - DEFAULT_STALE_AFTER_MS));
    const row = await sql<{
      n: string | number;
    }>`select count(*) as n from workers where heartbeat_at > ${since}`.execute(this.db.kysely);
    return Number(row.rows[0]?.n ?? 0);
  }
}
