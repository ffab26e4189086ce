// A worker in a child process, for tests that SIGKILL it mid-job. Database from CK_DB_URL
// (and CK_DB_SCHEMA for PostgreSQL); prints its id, then `started <job id>` as a job begins.
import { openDatabase } from '../../src/store/database.js';
import { JobQueue } from '../../src/store/jobs.js';
import { Worker } from '../../src/jobs/worker.js';

const db = await openDatabase({
  url: process.env.CK_DB_URL!,
  ...(process.env.CK_DB_SCHEMA ? { schema: process.env.CK_DB_SCHEMA, poolSize: 2 } : {}),
});
const worker = new Worker(new JobQueue(db.kysely, db.dialect), {
  pollMs: 50,
  heartbeatMs: 200,
  staleAfterMs: 1_000,
});
// Never finishes: the parent kills this process while the job runs.
worker.handle('hang', async (_payload, job) => {
  process.stdout.write(`started ${job.id}\n`);
  await new Promise(() => {});
});
// A job that takes its worker down with it, every time.
worker.handle('poison', async (_payload, job) => {
  process.stdout.write(`started ${job.id}\n`);
  process.kill(process.pid, 'SIGKILL');
  await new Promise(() => {});
});
process.stdout.write(`worker ${worker.id}\n`);
setInterval(() => {}, 1_000); // the worker's timers are unref'd
worker.start();
