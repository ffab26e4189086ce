// Migrations on both databases: everything applies once, a second run applies nothing, and
// two processes opening the same new database at once do not trip over each other.
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS, POSTGRES_URL, openTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { dropPostgresSchema, openDatabase } from './database.js';
import { migrate } from './migrate.js';
import { migrations } from './migrations/index.js';

describe.each(DIALECTS)('migrations on %s', (dialect) => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await openTestDatabase(dialect);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('records every migration once and applies nothing the second time', async () => {
    const rows = await t.db.kysely.selectNoFrom((eb) => eb.val(1).as('x')).execute();
    expect(rows).toHaveLength(1);
    expect(await migrate(t.db.kysely as never, t.db.dialect)).toEqual([]);
    const { rows: applied } = await (
      await import('kysely')
    ).sql<{ name: string }>`select name from cratekeeper_migrations order by name`.execute(t.db.kysely);
    expect(applied.map((r) => r.name)).toEqual(Object.keys(migrations).sort());
  });
});

describe('migrations on postgres, concurrently', () => {
  it('lets two processes open one new schema at the same time', async () => {
    const schema = `ck_test_${randomBytes(6).toString('hex')}`;
    try {
      const [a, b] = await Promise.all([
        openDatabase({ url: POSTGRES_URL, schema, poolSize: 2 }),
        openDatabase({ url: POSTGRES_URL, schema, poolSize: 2 }),
      ]);
      const users = await a.kysely.selectFrom('users').selectAll().execute();
      expect(users).toEqual([]);
      await Promise.all([a.close(), b.close()]);
    } finally {
      await dropPostgresSchema(POSTGRES_URL, schema);
    }
  });
});
