// Migrations on both databases: everything applies once, a second run applies nothing, and
// two processes opening the same new database at once do not trip over each other.
import { randomBytes } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS, POSTGRES_URL, openTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { dropPostgresSchema, openDatabase } from './database.js';
import { migrate } from './migrate.js';
import { migrations } from './migrations/index.js';
import type { Database } from './schema.js';
import { UserRepository } from './users.js';

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

describe('migration 017 on a database of the previous build', () => {
  it('moves the role-revocation retirements of auditor keys to retired_at, where they now belong', async () => {
    const db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }),
    });
    try {
      for (const name of Object.keys(migrations).sort())
        if (name < '017') await migrations[name]!.up(db as never, 'sqlite');
      const ada = await new UserRepository(db).create({ login: 'ada' });
      const key = (id: string, revoked: string | null) => ({
        key_id: id,
        user_id: ada.id,
        public_key: 'pem',
        private_key_enc: 'enc',
        created_at: '2026-01-01T00:00:00.000Z',
        revoked_at: revoked,
      });
      await (db as unknown as Kysely<{ vet_auditor_keys: ReturnType<typeof key> }>)
        .insertInto('vet_auditor_keys')
        .values([key('old', '2026-02-01T00:00:00.000Z'), key('live', null)])
        .execute();
      await migrations['017-key-rotation-file-facts']!.up(db as never, 'sqlite');
      const rows = await db
        .selectFrom('vet_auditor_keys')
        .select(['key_id', 'retired_at', 'revoked_at'])
        .orderBy('key_id')
        .execute();
      expect(rows).toEqual([
        { key_id: 'live', retired_at: null, revoked_at: null },
        { key_id: 'old', retired_at: '2026-02-01T00:00:00.000Z', revoked_at: null },
      ]);
    } finally {
      await db.destroy();
    }
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
