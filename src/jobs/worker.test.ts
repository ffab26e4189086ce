// Workers heartbeat; a worker that dies (SIGKILL, mid-job, in another process) has its job
// taken back within seconds by another worker, on both databases.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS, POSTGRES_URL } from '../../test/support/databases.js';
import { repoRoot } from '../../test/support/debian-corpus.js';
import { dropPostgresSchema, openDatabase, type Db } from '../store/database.js';
import { JobQueue } from '../store/jobs.js';
import { Worker } from './worker.js';

const child = join(repoRoot, 'test/support/worker-child.ts');

function spawnWorker(env: Record<string, string>): {
  proc: ChildProcess;
  lines: string[];
  exited: Promise<void>;
} {
  const proc = spawn(process.execPath, ['--import', 'tsx', child], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  proc.stdout!.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return { proc, lines, exited };
}

async function until(check: () => Promise<boolean> | boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(DIALECTS)('worker crash recovery on %s', (dialect) => {
  let db: Db;
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;
  let queue: JobQueue;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    if (dialect === 'sqlite') {
      const dir = await mkdtemp(join(tmpdir(), 'ck-worker-'));
      env = { CK_DB_URL: join(dir, 'test.sqlite') };
      db = await openDatabase({ url: env.CK_DB_URL! });
      cleanup = () => rm(dir, { recursive: true, force: true });
    } else {
      const schema = `ck_test_${randomBytes(6).toString('hex')}`;
      env = { CK_DB_URL: POSTGRES_URL, CK_DB_SCHEMA: schema };
      db = await openDatabase({ url: POSTGRES_URL, schema, poolSize: 4 });
      cleanup = () => dropPostgresSchema(POSTGRES_URL, schema);
    }
    queue = new JobQueue(db.kysely, db.dialect);
  });
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await db.close();
    await cleanup();
  });

  it('takes back within seconds the job of a worker killed mid-job, and completes it', async () => {
    const job = await queue.enqueue('hang', {});
    const w = spawnWorker(env);
    children.push(w.proc);
    await until(() => w.lines.includes(`started ${job.id}`), 20_000);
    const childId = w.lines.find((l) => l.startsWith('worker '))!.slice('worker '.length);
    w.proc.kill('SIGKILL');
    await w.exited;
    expect(await queue.get(job.id)).toMatchObject({ status: 'running', locked_by: childId });

    const killedAt = Date.now();
    const worker = new Worker(queue, { pollMs: 50, heartbeatMs: 200, staleAfterMs: 1_000 });
    const ran: number[] = [];
    worker.handle('hang', async (_p, j) => {
      ran.push(j.attempts);
    });
    worker.start();
    try {
      await until(async () => (await queue.get(job.id))?.status === 'done', 10_000);
    } finally {
      await worker.stop();
    }
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    expect(ran).toEqual([2]);
    // The dead worker's row was cleared; the live one removed its own on stop.
    expect(await db.kysely.selectFrom('workers').selectAll().execute()).toEqual([]);
  }, 60_000);

  it('fails for good a job that SIGKILLs every worker that runs it', async () => {
    const job = await queue.enqueue('poison', {}, { maxAttempts: 2 });
    for (let i = 0; i < 2; i++) {
      const w = spawnWorker(env);
      children.push(w.proc);
      await w.exited; // it took the job back from the previous one, ran it, and died
      expect(w.lines).toContain(`started ${job.id}`);
    }
    const worker = new Worker(queue, { pollMs: 50, heartbeatMs: 200, staleAfterMs: 1_000 });
    worker.handle('poison', () => Promise.reject(new Error('must not run again')));
    worker.start();
    try {
      await until(async () => (await queue.get(job.id))?.status === 'failed', 10_000);
    } finally {
      await worker.stop();
    }
    const row = await queue.get(job.id);
    expect(row?.attempts).toBe(2);
    expect(row?.last_error).toMatch(/worker .* stopped/);
  }, 90_000);
});
