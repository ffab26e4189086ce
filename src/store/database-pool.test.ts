import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, POSTGRES_URL, type TestDatabase } from '../../test/support/databases.js';
import { isDatabaseUnavailable } from './database.js';

describe('the PostgreSQL pool', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase('postgres');
  });
  afterAll(() => t.cleanup());

  it('survives the server ending an idle connection, and reconnects on the next query', async () => {
    const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(t.db.kysely);
    const pid = rows[0]!.pid;
    // What a server restart or failover does to every connection: terminate it while idle.
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    try {
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    } finally {
      await admin.end();
    }
    // The idle client's 'error' arrives asynchronously; unhandled, it ends the process.
    await new Promise((r) => setTimeout(r, 300));
    const again = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(t.db.kysely);
    expect(again.rows[0]!.pid).not.toBe(pid);
  });

  it('survives the server ending a connection held by a transaction between two statements', async () => {
    const outcome = await t.db.kysely
      .transaction()
      .execute(async (trx) => {
        const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx);
        const admin = new pg.Client({ connectionString: POSTGRES_URL });
        await admin.connect();
        try {
          await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
        } finally {
          await admin.end();
        }
        // The checked-out client's 'error' arrives while no query runs on it: unhandled, it ends
        // the process (what a PostgreSQL restart did to a worker between two statements).
        await new Promise((r) => setTimeout(r, 300));
        await sql`SELECT 1`.execute(trx);
        return 'committed';
      })
      .catch((err: unknown) => err);
    expect(outcome).not.toBe('committed');
    expect(isDatabaseUnavailable(outcome)).toBe(true);
    const after = await sql<{ one: number }>`SELECT 1 AS one`.execute(t.db.kysely);
    expect(after.rows[0]!.one).toBe(1);
  });
});

describe('isDatabaseUnavailable', () => {
  it('tells an unreachable database from a failing query', () => {
    expect(
      isDatabaseUnavailable({
        code: '57P01',
        message: 'terminating connection due to administrator command',
      }),
    ).toBe(true);
    expect(isDatabaseUnavailable({ code: '08006' })).toBe(true);
    expect(
      isDatabaseUnavailable({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' }),
    ).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(
      isDatabaseUnavailable(new Error('Client has encountered a connection error and is not queryable')),
    ).toBe(true);
    expect(isDatabaseUnavailable({ code: 'SQLITE_BUSY' })).toBe(true);
    expect(isDatabaseUnavailable({ code: '23505', message: 'duplicate key value' })).toBe(false);
    expect(isDatabaseUnavailable({ code: '42P01', message: 'relation does not exist' })).toBe(false);
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });
});
