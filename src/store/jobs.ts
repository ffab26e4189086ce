// A job queue in the registry's own database. Workers claim one job at a time in a single
// statement (PostgreSQL: FOR UPDATE SKIP LOCKED, so workers never wait on each other);
// failures retry with exponential backoff. Workers register and heartbeat in `workers`; any
// worker returns to the queue the running jobs of a worker whose heartbeat went stale (it
// crashed or was killed), so they run again within seconds.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DialectName } from './dialect.js';
import type { Database, JobRow, WorkerRow } from './schema.js';
import { nowIso } from './time.js';

export interface EnqueueOptions {
  runAt?: Date;
  maxAttempts?: number;
}

export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  /** The wait after a run cut short by an unavailable backend, which does not count as an attempt. */
  transientDelayMs?: number;
}

/** A worker silent this long is taken for dead and its running jobs go back to the queue (ms). */
export const DEFAULT_STALE_AFTER_MS = 15_000;

export const DEFAULT_RETRY: RetryPolicy = {
  baseDelayMs: 2_000,
  maxDelayMs: 10 * 60_000,
  transientDelayMs: 5_000,
};

/** The job is no longer this run's (taken back from a worker taken for dead, or finished). */
export class JobSupersededError extends Error {
  constructor(job: Pick<JobRow, 'id' | 'kind'>) {
    super(`job #${job.id} (${job.kind}) is no longer held by this run; its effect is not written`);
    this.name = 'JobSupersededError';
  }
}

/**
 * One run of a claimed job, as its handler sees it. A handler whose effect is rows calls
 * `completeIn(trx)` in the transaction that writes them: the effect and "done" commit together,
 * so a crash or a lost connection between them cannot make the job run, and its effect happen,
 * twice.
 */
export interface JobRun {
  completeIn(trx: Transaction<Database>): Promise<void>;
}

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

  /**
   * Marks a job done. Given the worker that ran it, only while that worker still holds it: a
   * worker taken for dead must not overwrite the outcome of the run that replaced it.
   */
  async complete(id: number, now = new Date(), lockedBy?: string): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({ status: 'done', finished_at: nowIso(now), locked_by: null, locked_at: null, last_error: null })
      .where('id', '=', id)
      .$if(lockedBy !== undefined, (q) =>
        q.where('status', '=', 'running').where('locked_by', '=', lockedBy!),
      )
      .execute();
  }

  /**
   * Marks `job` done inside `trx`, only while it is still this run (same holder and attempt);
   * otherwise throws JobSupersededError, which rolls the caller's effect back with it.
   */
  async completeHeld(trx: Transaction<Database>, job: JobRow, now = new Date()): Promise<void> {
    const result = await trx
      .updateTable('jobs')
      .set({ status: 'done', finished_at: nowIso(now), locked_by: null, locked_at: null, last_error: null })
      .where('id', '=', job.id)
      .where('status', '=', 'running')
      .where('attempts', '=', job.attempts)
      .where((eb) =>
        job.locked_by === null ? eb('locked_by', 'is', null) : eb('locked_by', '=', job.locked_by),
      )
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw new JobSupersededError(job);
  }

  /**
   * Records a failure: the job runs again after a backoff (or `retryAt`), or fails for good after
   * its last attempt. Only while the job is still the run `job` describes (same holder and
   * attempt), so two workers recovering the same job count its attempt once.
   */
  async fail(
    job: JobRow,
    error: string,
    now = new Date(),
    retryAt?: Date,
    options: { transient?: boolean } = {},
  ): Promise<'retry' | 'failed' | 'superseded'> {
    // A backend that was down (the database, the blob store) is not the job's fault: the run
    // does not count as an attempt, and it is tried again after a short wait however long the
    // outage lasts.
    const transient = options.transient === true;
    const final = !transient && job.attempts >= job.max_attempts;
    const delay = transient
      ? (this.retry.transientDelayMs ?? DEFAULT_RETRY.transientDelayMs!)
      : Math.min(this.retry.baseDelayMs * 2 ** Math.max(job.attempts - 1, 0), this.retry.maxDelayMs);
    const result = await this.db
      .updateTable('jobs')
      .set({
        ...(transient ? { attempts: Math.max(job.attempts - 1, 0) } : {}),
        status: final ? 'failed' : 'queued',
        run_at: final ? job.run_at : nowIso(retryAt ?? new Date(now.getTime() + delay)),
        finished_at: final ? nowIso(now) : null,
        locked_by: null,
        locked_at: null,
        last_error: error.slice(0, 4000),
      })
      .where('id', '=', job.id)
      .where('status', '=', 'running')
      .where('attempts', '=', job.attempts)
      .where((eb) =>
        job.locked_by === null ? eb('locked_by', 'is', null) : eb('locked_by', '=', job.locked_by),
      )
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return 'superseded';
    return final ? 'failed' : 'retry';
  }

  /**
   * Puts back the jobs `workerId` holds while it holds none in hand: runs whose outcome could not
   * be recorded (the database went away between the run and the write). They run again, the
   * lost run not counted as an attempt.
   */
  async releaseHeld(workerId: string, now = new Date()): Promise<number> {
    const held = await this.db
      .selectFrom('jobs')
      .selectAll()
      .where('status', '=', 'running')
      .where('locked_by', '=', workerId)
      .execute();
    let released = 0;
    for (const job of held) {
      const outcome = await this.fail(job, 'the outcome of this run could not be recorded', now, now, {
        transient: true,
      });
      if (outcome !== 'superseded') released++;
    }
    return released;
  }

  /** Records a live worker; it must heartbeat more often than the stale limit from now on. */
  async registerWorker(worker: { id: string; host: string; pid: number }, now = new Date()): Promise<void> {
    const at = nowIso(now);
    await this.db
      .insertInto('workers')
      .values({ id: worker.id, host: worker.host, pid: worker.pid, started_at: at, heartbeat_at: at })
      .onConflict((oc) => oc.column('id').doUpdateSet({ heartbeat_at: at }))
      .execute();
  }

  /** The worker is alive. False when its row is gone (it was taken for dead; re-register). */
  async heartbeat(id: string, now = new Date()): Promise<boolean> {
    const result = await this.db
      .updateTable('workers')
      .set({ heartbeat_at: nowIso(now) })
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** A worker stopping cleanly: its finished jobs are recorded, so nothing is requeued. */
  async unregisterWorker(id: string): Promise<void> {
    await this.db.deleteFrom('workers').where('id', '=', id).execute();
  }

  async workers(): Promise<WorkerRow[]> {
    return this.db.selectFrom('workers').selectAll().orderBy('started_at').execute();
  }

  /**
   * Returns to the queue, ready at once, the running jobs whose worker's heartbeat is older than
   * `staleAfterMs` or whose worker has no row (it never registered, or stopped without
   * finishing them), and forgets stale workers. The attempt a job used counts, so a job that
   * kills its worker fails for good after its last attempt rather than loop forever.
   */
  async recoverAbandoned(staleAfterMs = DEFAULT_STALE_AFTER_MS, now = new Date()): Promise<number> {
    const cutoff = nowIso(new Date(now.getTime() - staleAfterMs));
    const abandoned = await this.db
      .selectFrom('jobs')
      .selectAll()
      .where('status', '=', 'running')
      .where((eb) =>
        eb.or([
          eb('locked_by', 'is', null),
          eb(
            'locked_by',
            'not in',
            eb.selectFrom('workers').select('workers.id').where('heartbeat_at', '>=', cutoff),
          ),
        ]),
      )
      .execute();
    let recovered = 0;
    for (const job of abandoned) {
      const outcome = await this.fail(
        job,
        `the worker ${job.locked_by ?? '(unknown)'} stopped before finishing (no heartbeat for ${Math.round(staleAfterMs / 1000)} s)`,
        now,
        now,
      );
      if (outcome !== 'superseded') recovered++;
    }
    await this.db.deleteFrom('workers').where('heartbeat_at', '<', cutoff).execute();
    return recovered;
  }

  /**
   * Returns to the queue the running jobs claimed longer than `leaseMs` ago, whatever their
   * worker's heartbeat says. Workers use `recoverAbandoned`; this is for tools and old rows.
   */
  async recoverExpired(leaseMs: number, now = new Date()): Promise<number> {
    const cutoff = nowIso(new Date(now.getTime() - leaseMs));
    const expired = await this.db
      .selectFrom('jobs')
      .selectAll()
      .where('status', '=', 'running')
      .where('locked_at', '<', cutoff)
      .execute();
    let n = 0;
    for (const job of expired)
      if ((await this.fail(job, 'the worker stopped before finishing (lease expired)', now)) !== 'superseded')
        n++;
    return n;
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
