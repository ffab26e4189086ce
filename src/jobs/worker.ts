// Runs queued jobs: claims one, runs its handler, records the outcome, repeats. Runs inside
// `cratekeeper serve` by default, or alone as `cratekeeper worker`.
//
// A worker registers in the `workers` table and heartbeats every few seconds while it lives
// (also while a job runs). Every worker, including one just started, takes back the running
// jobs of workers whose heartbeat went stale, so a crashed or killed worker's job runs again
// within seconds. Handlers run in the event loop: one that blocks it for longer than the stale
// limit is taken for dead, so long synchronous work belongs in a worker thread.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { DEFAULT_STALE_AFTER_MS, type JobQueue, type JobRun } from '../store/jobs.js';
import { BlobStoreUnavailableError } from '../store/blob-store.js';
import { isDatabaseUnavailable } from '../store/database.js';
import type { JobRow } from '../store/schema.js';

/**
 * Runs one job. A handler that writes its effect in a transaction calls `run.completeIn(trx)`
 * there; otherwise the worker marks the job done once the handler returns.
 */
export type JobHandler = (payload: unknown, job: JobRow, run: JobRun) => Promise<void>;

export interface WorkerOptions {
  /** Idle wait between polls when the queue is empty (ms). */
  pollMs?: number;
  /** How often this worker records that it is alive (ms). */
  heartbeatMs?: number;
  /** A worker silent this long is taken for dead and its running jobs are taken back (ms). */
  staleAfterMs?: number;
  onError?: (job: JobRow, err: unknown, outcome: 'retry' | 'failed' | 'superseded') => void;
  /** After every job this worker ran, with how long it took (the metrics' histograms). */
  onFinished?: (job: JobRow, seconds: number, outcome: 'done' | 'retry' | 'failed' | 'superseded') => void;
}

export class Worker {
  readonly id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly handlers = new Map<string, JobHandler>();
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private registered: Promise<void> | null = null;
  private readonly pollMs: number;
  private readonly heartbeatMs: number;
  private readonly staleAfterMs: number;

  constructor(
    private readonly queue: JobQueue,
    private readonly options: WorkerOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 500;
    this.staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
    // Three beats per stale period: one lost write does not make a live worker look dead.
    this.heartbeatMs = options.heartbeatMs ?? Math.max(Math.floor(this.staleAfterMs / 3), 50);
  }

  handle(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  /** Registers this worker and starts its heartbeat; a claim by an unregistered id is taken back. */
  private register(): Promise<void> {
    this.registered ??= (async () => {
      await this.queue.registerWorker({ id: this.id, host: hostname(), pid: process.pid });
      this.heartbeatTimer = setInterval(() => {
        void this.queue
          .heartbeat(this.id)
          .then(async (alive) => {
            // Taken for dead (e.g. the database was unreachable for a while): come back.
            if (!alive && this.heartbeatTimer)
              await this.queue.registerWorker({ id: this.id, host: hostname(), pid: process.pid });
          })
          .catch(() => undefined);
      }, this.heartbeatMs);
      this.heartbeatTimer.unref();
    })().catch((err: unknown) => {
      this.registered = null;
      throw err;
    });
    return this.registered;
  }

  private async unregister(): Promise<void> {
    if (!this.registered) return;
    await this.registered.catch(() => undefined);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    this.registered = null;
    await this.queue.unregisterWorker(this.id).catch(() => undefined);
  }

  /** Runs one ready job; false when there was none. */
  async runOne(): Promise<boolean> {
    await this.register();
    const job = await this.queue.claim(this.id);
    if (!job) return false;
    const handler = this.handlers.get(job.kind);
    const started = process.hrtime.bigint();
    const took = () => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      if (!handler) throw new Error(`no handler for job kind \`${job.kind}\``);
      let completedInTransaction = false;
      await handler(JSON.parse(job.payload) as unknown, job, {
        completeIn: async (trx) => {
          await this.queue.completeHeld(trx, job);
          completedInTransaction = true;
        },
      });
      const seconds = took();
      if (!completedInTransaction) await this.queue.complete(job.id, new Date(), this.id);
      this.options.onFinished?.(job, seconds, 'done');
    } catch (err) {
      const seconds = took();
      const transient = err instanceof BlobStoreUnavailableError || isDatabaseUnavailable(err);
      // When even this write fails (the database is gone), the job stays held by this worker
      // until its next recovery pass puts it back (releaseHeld).
      const outcome = await this.queue.fail(
        job,
        err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err),
        new Date(),
        undefined,
        { transient },
      );
      this.options.onError?.(job, err, outcome);
      this.options.onFinished?.(job, seconds, outcome);
    }
    return true;
  }

  /** Runs jobs until none is ready (tests and one-shot tools). */
  async drain(): Promise<number> {
    let n = 0;
    try {
      await this.queue.recoverAbandoned(this.staleAfterMs);
      await this.queue.releaseHeld(this.id);
      while (await this.runOne()) n++;
    } finally {
      if (!this.running) await this.unregister();
    }
    return n;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      let lastRecovery = 0;
      while (this.running) {
        // At start-up first, then about every heartbeat: a dead worker's jobs come back soon.
        if (Date.now() - lastRecovery >= this.heartbeatMs) {
          lastRecovery = Date.now();
          // No job is in hand here: any this worker still holds lost its outcome.
          await this.register()
            .then(() => this.queue.recoverAbandoned(this.staleAfterMs))
            .then(() => this.queue.releaseHeld(this.id))
            .catch(() => 0);
        }
        const did = await this.runOne().catch(() => false);
        if (!did && this.running) {
          await new Promise<void>((resolve) => {
            this.wake = resolve;
            setTimeout(resolve, Math.min(this.pollMs, this.heartbeatMs)).unref();
          });
          this.wake = null;
        }
      }
    })();
  }

  /** Wakes an idle worker at once (after this process enqueued something). */
  nudge(): void {
    this.wake?.();
  }

  /** Finishes the job in hand, then leaves: the row goes, nothing this worker finished is requeued. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = null;
    await this.unregister();
  }
}
