// The job queue on both databases: ordering, exclusive claims under concurrency, retries
// with backoff, and recovery of jobs whose worker died.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS, openTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { Worker } from '../jobs/worker.js';
import { BlobStoreUnavailableError } from './blob-store.js';
import { JobQueue, JobSupersededError } from './jobs.js';

describe.each(DIALECTS)('job queue on %s', (dialect) => {
  let t: TestDatabase;
  let queue: JobQueue;

  beforeEach(async () => {
    t = await openTestDatabase(dialect);
    queue = new JobQueue(t.db.kysely, t.db.dialect, { baseDelayMs: 1000, maxDelayMs: 4000 });
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('claims ready jobs oldest first and never a future one', async () => {
    const a = await queue.enqueue('scan', { n: 1 });
    const b = await queue.enqueue('scan', { n: 2 });
    await queue.enqueue('scan', { n: 3 }, { runAt: new Date(Date.now() + 60_000) });
    expect((await queue.claim('w'))?.id).toBe(a.id);
    const second = await queue.claim('w');
    expect(second?.id).toBe(b.id);
    expect(second?.status).toBe('running');
    expect(second?.attempts).toBe(1);
    expect(second?.locked_by).toBe('w');
    expect(await queue.claim('w')).toBeNull();
    expect(await queue.claim('w', new Date(Date.now() + 61_000))).not.toBeNull();
  });

  it('completes a job in the transaction of its effect, and rolls the effect back once superseded', async () => {
    await queue.enqueue('scan', { n: 1 });
    const job = (await queue.claim('w1'))!;
    // Another worker took the job back (this one was taken for dead) and claimed it again.
    await t.db.kysely
      .updateTable('jobs')
      .set({ status: 'queued', locked_by: null })
      .where('id', '=', job.id)
      .execute();
    const again = (await queue.claim('w2'))!;
    // The effect: a follow-up job, written in the same transaction as the completion.
    const effect = async (trx: Parameters<JobQueue['completeHeld']>[0], run: typeof job) => {
      await queue.enqueue('effect', { by: run.locked_by }, {}, trx);
      await queue.completeHeld(trx, run);
    };
    await expect(t.db.kysely.transaction().execute((trx) => effect(trx, job))).rejects.toBeInstanceOf(
      JobSupersededError,
    );
    await t.db.kysely.transaction().execute((trx) => effect(trx, again));
    const effects = await t.db.kysely
      .selectFrom('jobs')
      .select('payload')
      .where('kind', '=', 'effect')
      .execute();
    expect(effects.map((e) => JSON.parse(e.payload) as unknown)).toEqual([{ by: 'w2' }]);
    const row = await t.db.kysely
      .selectFrom('jobs')
      .select(['status', 'locked_by'])
      .where('id', '=', job.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'done', locked_by: null });
  });

  it('does not count runs cut short by an unavailable backend, however many', async () => {
    const patient = new JobQueue(t.db.kysely, t.db.dialect, {
      baseDelayMs: 1000,
      maxDelayMs: 4000,
      transientDelayMs: 0,
    });
    const { id } = await patient.enqueue('scan', {}, { maxAttempts: 2 });
    const worker = new Worker(patient);
    let calls = 0;
    worker.handle('scan', () => {
      calls++;
      // The S3 endpoint down for longer than the job's attempts would last.
      if (calls <= 6) return Promise.reject(new BlobStoreUnavailableError(new Error('connect ECONNREFUSED')));
      return Promise.resolve();
    });
    for (let i = 0; i < 7; i++) await worker.runOne();
    const row = await t.db.kysely
      .selectFrom('jobs')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(calls).toBe(7);
    expect(row.status).toBe('done');
    expect(row.attempts).toBe(1);
  });

  it('puts back a job whose outcome could not be recorded, without counting the lost run', async () => {
    const { id } = await queue.enqueue('scan', {});
    const job = (await queue.claim('w1'))!;
    expect(job.id).toBe(id);
    // The run ended, but the database was gone when its outcome was to be written.
    expect(await queue.releaseHeld('w2')).toBe(0);
    expect(await queue.releaseHeld('w1')).toBe(1);
    const row = await t.db.kysely
      .selectFrom('jobs')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'queued', attempts: 0, locked_by: null });
  });

  it('gives each job to exactly one of many concurrent claimers', async () => {
    for (let i = 0; i < 40; i++) await queue.enqueue('scan', { i });
    const claimed: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (;;) {
          const job = await queue.claim(`w${w}`);
          if (!job) return;
          claimed.push(job.id);
        }
      }),
    );
    expect(claimed).toHaveLength(40);
    expect(new Set(claimed).size).toBe(40);
  });

  it('retries with exponential backoff, then fails for good', async () => {
    await queue.enqueue('flaky', {}, { maxAttempts: 3 });
    const t0 = new Date();
    const first = (await queue.claim('w', t0))!;
    expect(await queue.fail(first, 'boom', t0)).toBe('retry');
    expect(await queue.claim('w', new Date(t0.getTime() + 500))).toBeNull(); // 1 s backoff
    const second = (await queue.claim('w', new Date(t0.getTime() + 1000)))!;
    expect(second.attempts).toBe(2);
    expect(second.last_error).toBe('boom');
    expect(await queue.fail(second, 'boom again', t0)).toBe('retry');
    expect(await queue.claim('w', new Date(t0.getTime() + 1500))).toBeNull(); // 2 s backoff
    const third = (await queue.claim('w', new Date(t0.getTime() + 2000)))!;
    expect(await queue.fail(third, 'still broken', t0)).toBe('failed');
    const row = await queue.get(third.id);
    expect(row?.status).toBe('failed');
    expect(row?.last_error).toBe('still broken');
    expect(await queue.claim('w', new Date(t0.getTime() + 60_000))).toBeNull();
  });

  it('runs a job again when its worker died mid-way', async () => {
    const job = await queue.enqueue('scan', {});
    const t0 = new Date();
    await queue.claim('dead-worker', t0);
    expect(await queue.recoverExpired(60_000, new Date(t0.getTime() + 30_000))).toBe(0);
    expect(await queue.recoverExpired(60_000, new Date(t0.getTime() + 61_000))).toBe(1);
    const again = await queue.claim('new-worker', new Date(t0.getTime() + 120_000));
    expect(again?.id).toBe(job.id);
    expect(again?.attempts).toBe(2);
    expect(again?.last_error).toMatch(/lease expired/);
  });

  it('takes back at once the jobs of a worker whose heartbeat went stale or whose row is missing', async () => {
    const a = await queue.enqueue('scan', { a: 1 });
    const b = await queue.enqueue('scan', { b: 1 });
    const c = await queue.enqueue('scan', { c: 1 });
    const t0 = new Date(Date.now() + 1);
    const at = (s: number) => new Date(t0.getTime() + s * 1000);
    await queue.registerWorker({ id: 'alive', host: 'h', pid: 1 }, t0);
    await queue.registerWorker({ id: 'dead', host: 'h', pid: 2 }, t0);
    expect((await queue.claim('alive', t0))?.id).toBe(a.id);
    expect((await queue.claim('dead', t0))?.id).toBe(b.id);
    expect((await queue.claim('ghost', t0))?.id).toBe(c.id); // a worker that never registered
    await queue.heartbeat('alive', at(10));
    expect(await queue.recoverAbandoned(15_000, at(10))).toBe(1); // ghost's
    expect(await queue.recoverAbandoned(15_000, at(16))).toBe(1); // dead's: silent for 16 s
    expect((await queue.get(a.id))?.status).toBe('running');
    // Ready again at once, with the lost attempt counted.
    const again = [await queue.claim('alive', at(16)), await queue.claim('alive', at(16))];
    expect(again.map((j) => j?.id).sort()).toEqual([b.id, c.id].sort());
    for (const j of again) {
      expect(j?.attempts).toBe(2);
      expect(j?.last_error).toMatch(/worker .* stopped/);
    }
    // The dead worker's row is gone; a zombie that wakes up cannot complete a job taken from it.
    expect((await t.db.kysely.selectFrom('workers').select('id').execute()).map((w) => w.id)).toEqual([
      'alive',
    ]);
    await queue.complete(b.id, at(17), 'dead');
    expect((await queue.get(b.id))?.status).toBe('running');
    await queue.complete(b.id, at(17), 'alive');
    expect((await queue.get(b.id))?.status).toBe('done');
    await queue.unregisterWorker('alive');
    expect(await t.db.kysely.selectFrom('workers').select('id').execute()).toEqual([]);
  });

  it('fails for good a job that keeps killing its worker', async () => {
    const job = await queue.enqueue('poison', {}, { maxAttempts: 3 });
    let now = new Date();
    for (let i = 0; i < 3; i++) {
      await queue.registerWorker({ id: `w${i}`, host: 'h', pid: i }, now);
      expect((await queue.claim(`w${i}`, now))?.id).toBe(job.id);
      now = new Date(now.getTime() + 20_000); // w_i died: no heartbeat since
      expect(await queue.recoverAbandoned(15_000, now)).toBe(1);
    }
    const row = await queue.get(job.id);
    expect(row?.status).toBe('failed');
    expect(row?.attempts).toBe(3);
    expect(await queue.claim('w9', new Date(now.getTime() + 3_600_000))).toBeNull();
  });

  it('runs handlers, records failures, and reports unknown kinds', async () => {
    const worker = new Worker(queue);
    const seen: unknown[] = [];
    worker.handle('ok', async (payload) => {
      seen.push(payload);
    });
    worker.handle('bad', async () => {
      throw new Error('handler exploded');
    });
    const ok = await queue.enqueue('ok', { hello: 'world' });
    const bad = await queue.enqueue('bad', {}, { maxAttempts: 1 });
    const unknown = await queue.enqueue('mystery', {}, { maxAttempts: 1 });
    expect(await worker.drain()).toBe(3);
    expect(seen).toEqual([{ hello: 'world' }]);
    expect((await queue.get(ok.id))?.status).toBe('done');
    expect((await queue.get(bad.id))?.last_error).toMatch(/^handler exploded/);
    expect((await queue.get(unknown.id))?.last_error).toMatch(/no handler for job kind `mystery`/);
    expect(await queue.counts()).toEqual({ done: 1, failed: 2 });
  });
});
