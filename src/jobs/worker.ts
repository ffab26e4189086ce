// Runs queued jobs: claims one, runs its handler, records the outcome, repeats. Runs inside
// `cratekeeper serve` by default, or alone as `cratekeeper worker`.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { JobQueue } from '../store/jobs.js';
import type { JobRow } from '../store/schema.js';

export type JobHandler = (payload: unknown, job: JobRow) => Promise<void>;

export interface WorkerOptions {
  /** Idle wait between polls when the queue is empty (ms). */
  pollMs?: number;
  /** A running job whose worker has been silent this long is taken back (ms). */
  leaseMs?: number;
  onError?: (job: JobRow, err: unknown, outcome: 'retry' | 'failed') => void;
}

export class Worker {
  readonly id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly handlers = new Map<string, JobHandler>();
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private readonly pollMs: number;
  private readonly leaseMs: number;

  constructor(
    private readonly queue: JobQueue,
    private readonly options: WorkerOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 500;
    this.leaseMs = options.leaseMs ?? 10 * 60_000;
  }

  handle(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  /** Runs one ready job; false when there was none. */
  async runOne(): Promise<boolean> {
    const job = await this.queue.claim(this.id);
    if (!job) return false;
    const handler = this.handlers.get(job.kind);
    try {
      if (!handler) throw new Error(`no handler for job kind \`${job.kind}\``);
      await handler(JSON.parse(job.payload) as unknown, job);
      await this.queue.complete(job.id);
    } catch (err) {
      const outcome = await this.queue.fail(
        job,
        err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err),
      );
      this.options.onError?.(job, err, outcome);
    }
    return true;
  }

  /** Runs jobs until none is ready (tests and one-shot tools). */
  async drain(): Promise<number> {
    let n = 0;
    while (await this.runOne()) n++;
    return n;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      let lastRecovery = 0;
      while (this.running) {
        if (Date.now() - lastRecovery > Math.min(this.leaseMs, 60_000)) {
          lastRecovery = Date.now();
          await this.queue.recoverExpired(this.leaseMs).catch(() => 0);
        }
        const did = await this.runOne().catch(() => false);
        if (!did && this.running) {
          await new Promise<void>((resolve) => {
            this.wake = resolve;
            setTimeout(resolve, this.pollMs).unref();
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

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = null;
  }
}
