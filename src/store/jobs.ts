// A job queue in the registry's own database. Workers claim one job at a time in a single
// statement (PostgreSQL: FOR UPDATE SKIP LOCKED, so workers never wait on each other);
// failures retry with exponential backoff; a job whose worker died is claimed again once
// its lease runs out.
import { sql, type Kysely } from 'kysely';
import type { DialectName } from './dialect.js';
import type { Database, JobRow } from './schema.js';
import { nowIso } from './time.js';

export interface EnqueueOptions {
  runAt?: Date;
  maxAttempts?: number;
}

export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseDelayMs: 2_000, maxDelayMs: 10 * 60_000 };

export class JobQueue {
  private readonly readyListeners = new Set<() => void>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {}

  /**
   * Queues a job. Given a transaction, the job commits with it: the jobs table is the outbox of
   * whatever that transaction records, so a crash can never keep the record and lose its job.
   * The caller then calls `ready()` after its commit; without a transaction the job is
   * committed at once and workers are woken here.
   */
  async enqueue(
    kind: string,
    payload: unknown,
    options: EnqueueOptions = {},
    db: Kysely<Database> = this.db,
  ): Promise<JobRow> {
    const now = new Date();
    const job = await db
      .insertInto('jobs')
      .values({
        kind,
        payload: JSON.stringify(payload),
        status: 'queued',
        attempts: 0,
        max_attempts: options.maxAttempts ?? 5,
        run_at: nowIso(options.runAt ?? now),
        locked_by: null,
        locked_at: null,
        last_error: null,
        created_at: nowIso(now),
        finished_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (db === this.db) this.ready();
    return job;
  }

  /** Takes the oldest ready job for `worker`, or null when none is ready. */
  async claim(worker: string, now = new Date()): Promise<JobRow | null> {
    const at = nowIso(now);
    const lock = this.dialect === 'postgres' ? sql`for update skip locked` : sql``;
    const result = await sql<JobRow>`
      update jobs set status = 'running', locked_by = ${worker}, locked_at = ${at}, attempts = attempts + 1
      where id = (
        select id from jobs where status = 'queued' and run_at <= ${at}
        order by run_at, id limit 1 ${lock}
      )
      returning *`.execute(this.db);
    return result.rows[0] ?? null;
  }

  async complete(id: number, now = new Date()): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({ status: 'done', finished_at: nowIso(now), locked_by: null, locked_at: null, last_error: null })
      .where('id', '=', id)
      .execute();
  }

  /** Records a failure: the job runs again after a backoff, or fails for good after its last attempt. */
  async fail(job: JobRow, error: string, now = new Date()): Promise<'retry' | 'failed'> {
    const final = job.attempts >= job.max_attempts;
    const delay = Math.min(
      this.retry.baseDelayMs * 2 ** Math.max(job.attempts - 1, 0),
      this.retry.maxDelayMs,
    );
    await this.db
      .updateTable('jobs')
      .set({
        status: final ? 'failed' : 'queued',
        run_at: final ? job.run_at : nowIso(new Date(now.getTime() + delay)),
        finished_at: final ? nowIso(now) : null,
        locked_by: null,
        locked_at: null,
        last_error: error.slice(0, 4000),
      })
      .where('id', '=', job.id)
      .execute();
    return final ? 'failed' : 'retry';
  }

  /**
   * Returns to the queue the running jobs whose lease has expired: their worker crashed or was
   * killed. The attempt they used counts, so a job that kills its worker cannot loop forever.
   */
  async recoverExpired(leaseMs: number, now = new Date()): Promise<number> {
    const cutoff = nowIso(new Date(now.getTime() - leaseMs));
    const expired = await this.db
      .selectFrom('jobs')
      .selectAll()
      .where('status', '=', 'running')
      .where('locked_at', '<', cutoff)
      .execute();
    for (const job of expired)
      await this.fail(job, 'the worker stopped before finishing (lease expired)', now);
    return expired.length;
  }

  async counts(): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom('jobs')
      .select(['status', (eb) => eb.fn.countAll<string | number>().as('n')])
      .groupBy('status')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  /** Subscribes an in-process worker to "jobs were committed": it wakes instead of polling. */
  onReady(listener: () => void): () => void {
    this.readyListeners.add(listener);
    return () => this.readyListeners.delete(listener);
  }

  /** Says that jobs were committed (called after the transaction that queued them). */
  ready(): void {
    for (const listener of this.readyListeners) listener();
  }

  async get(id: number): Promise<JobRow | undefined> {
    return this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  }
}
