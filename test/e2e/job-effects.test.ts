// A job's effect and its completion commit together, on both databases: when the write that
// marks a scan done is lost (a PostgreSQL restart between the two, a worker killed between
// them), the scan does not run again and its report is not recorded twice. The fault benchmark
// found this as "versions scanned twice".
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { dropPostgresSchema } from '../../src/store/database.js';
import { DIALECTS, POSTGRES_URL } from '../support/databases.js';
import { publishMinimal } from '../support/publish-body.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';

describe.each(DIALECTS)('job effects on %s', (dialect) => {
  let h: Harness | undefined;
  let schema: string | null = null;

  afterEach(async () => {
    await h?.close();
    if (schema) await dropPostgresSchema(POSTGRES_URL, schema);
    h = undefined;
  });

  it('records a scan once even when the separate "done" write would have been lost', async () => {
    schema = dialect === 'postgres' ? `ck_test_${randomBytes(6).toString('hex')}` : null;
    const x = (h = await startRegistry(schema ? { database: { url: POSTGRES_URL, schema } } : {}));
    const token = await x.token('alice');
    expect((await publishMinimal(x.url, token, 'once-only', '1.0.0')).status).toBe(200);

    // Every write that marks a job done outside the job's own transaction fails, as a
    // connection lost right after the effect committed would.
    const queue = x.services.security.queue;
    const complete = queue.complete.bind(queue);
    queue.complete = () => Promise.reject(new Error('Connection terminated unexpectedly'));
    try {
      await x.worker.drain();
    } finally {
      queue.complete = complete;
    }

    const db = x.services.db.kysely;
    const scans = await db.selectFrom('scan_results').select('version_id').execute();
    expect(scans).toHaveLength(1);
    const jobs = await db
      .selectFrom('jobs')
      .select(['kind', 'status', 'attempts'])
      .where('kind', '=', 'scan')
      .execute();
    expect(jobs).toEqual([{ kind: 'scan', status: 'done', attempts: 1 }]);
  });
});
