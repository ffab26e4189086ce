// The two databases every store test runs against: a fresh SQLite file and a fresh schema
// in the local PostgreSQL (127.0.0.1:5432, database `test`; override with TEST_DATABASE_URL).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropPostgresSchema, openDatabase, type Db } from '../../src/store/database.js';
import type { NewVersion } from '../../src/store/schema.js';

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  db: Db;
  cleanup(): Promise<void>;
}

export const DIALECTS = ['sqlite', 'postgres'] as const;

export async function openTestDatabase(dialect: (typeof DIALECTS)[number]): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'ck-db-'));
    const db = await openDatabase({ url: join(dir, 'test.sqlite') });
    return {
      db,
      cleanup: async () => {
        await db.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `ck_test_${randomBytes(6).toString('hex')}`;
  const db = await openDatabase({ url: POSTGRES_URL, schema, poolSize: 4 });
  return {
    db,
    cleanup: async () => {
      await db.close();
      await dropPostgresSchema(POSTGRES_URL, schema);
    },
  };
}

/** A crate row with no versions, for tests of what hangs off a crate. */
export function insertBareCrate(db: Db, name: string) {
  const now = new Date().toISOString();
  return db.kysely
    .insertInto('crates')
    .values({
      name,
      canonical_name: name.toLowerCase().replaceAll('-', '_'),
      description: null,
      homepage: null,
      documentation: null,
      repository: null,
      readme: null,
      keywords: '[]',
      categories: '[]',
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A published version row with nothing but its number and checksum, for tests below the publish path. */
export function bareVersionRow(crateId: number, num: string, checksum = 'a'.repeat(64)): NewVersion {
  return {
    crate_id: crateId,
    num,
    num_no_build: num,
    checksum,
    size: 1,
    yanked: 0,
    yanked_at: null,
    status: 'published',
    features: '{}',
    features2: '{}',
    links: null,
    rust_version: null,
    license: null,
    license_file: null,
    description: null,
    authors: '[]',
    has_build_script: 0,
    is_proc_macro: 0,
    published_at: new Date().toISOString(),
    published_by: null,
    token_id: null,
    client_ip: null,
    user_agent: null,
  };
}
