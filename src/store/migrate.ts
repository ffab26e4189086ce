// Applies pending migrations in order, each in its own transaction, recording them in
// `cratekeeper_migrations`. It looks at no other table: Kysely's own migrator introspects
// every schema of the database, which races with other tenants creating and dropping theirs.
import { sql, type Kysely } from 'kysely';
import type { DialectName } from './dialect.js';
import { migrations } from './migrations/index.js';

/** Any constant: one migrating process at a time per PostgreSQL database. */
const MIGRATION_LOCK = 7_314_160;

export async function migrate(db: Kysely<unknown>, dialect: DialectName): Promise<string[]> {
  return db.connection().execute(async (conn) => {
    if (dialect === 'postgres') await sql`select pg_advisory_lock(${MIGRATION_LOCK})`.execute(conn);
    try {
      await sql`create table if not exists cratekeeper_migrations (name text primary key, applied_at text not null)`.execute(
        conn,
      );
      let done = new Set(
        (await sql<{ name: string }>`select name from cratekeeper_migrations`.execute(conn)).rows.map(
          (r) => r.name,
        ),
      );
      // Databases made by earlier builds recorded their migrations in Kysely's table: adopt them.
      if (done.size === 0) {
        const legacy =
          dialect === 'postgres'
            ? (
                await sql<{ t: string | null }>`select to_regclass('kysely_migration')::text as t`.execute(
                  conn,
                )
              ).rows[0]?.t
            : (
                await sql<{
                  t: string;
                }>`select name as t from sqlite_master where type = 'table' and name = 'kysely_migration'`.execute(
                  conn,
                )
              ).rows[0]?.t;
        if (legacy) {
          const names = (
            await sql<{ name: string }>`select name from kysely_migration`.execute(conn)
          ).rows.map((r) => r.name);
          for (const name of names) {
            await sql`insert into cratekeeper_migrations (name, applied_at) values (${name}, ${new Date().toISOString()})`.execute(
              conn,
            );
          }
          done = new Set(names);
        }
      }
      const applied: string[] = [];
      for (const name of Object.keys(migrations).sort()) {
        if (done.has(name)) continue;
        await conn.transaction().execute(async (trx) => {
          await migrations[name]!.up(trx, dialect);
          await sql`insert into cratekeeper_migrations (name, applied_at) values (${name}, ${new Date().toISOString()})`.execute(
            trx,
          );
        });
        applied.push(name);
      }
      return applied;
    } finally {
      if (dialect === 'postgres') await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`.execute(conn);
    }
  });
}
