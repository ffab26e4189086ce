// Opens the database (SQLite file by default, PostgreSQL when given a postgres:// URL) and
// brings its schema up to date.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import type { DialectName } from './dialect.js';
import { migrate } from './migrate.js';
import type { Database } from './schema.js';

export interface DatabaseConfig {
  /** `postgres://…` for PostgreSQL; otherwise a SQLite file path (or `:memory:`). */
  url: string;
  /** PostgreSQL schema to use (created when missing); lets tests and tenants share a database. */
  schema?: string;
  /** PostgreSQL pool size. */
  poolSize?: number;
}

export interface Db {
  kysely: Kysely<Database>;
  dialect: DialectName;
  close(): Promise<void>;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openDatabase(config: DatabaseConfig): Promise<Db> {
  const dialect: DialectName = isPostgresUrl(config.url) ? 'postgres' : 'sqlite';
  let kysely: Kysely<Database>;
  if (dialect === 'postgres') {
    if (config.schema !== undefined && !SCHEMA_NAME.test(config.schema)) {
      throw new Error(`invalid PostgreSQL schema name: ${config.schema}`);
    }
    if (config.schema) {
      // Create the schema with a one-off client so the pool can pin search_path to it.
      const client = new pg.Client({ connectionString: config.url });
      await client.connect();
      try {
        await client
          .query(`CREATE SCHEMA IF NOT EXISTS "${config.schema}"`)
          .catch((err: { code?: string }) => {
            // Two processes creating it at once: the loser's duplicate error means it exists now.
            if (err.code !== '23505' && err.code !== '42P06') throw err;
          });
      } finally {
        await client.end();
      }
    }
    const pool = new pg.Pool({
      connectionString: config.url,
      max: config.poolSize ?? 10,
      ...(config.schema ? { options: `-c search_path=${config.schema}` } : {}),
    });
    // An idle connection the server ends (restart, failover, idle timeout) is an 'error' event on
    // the pool; unhandled, it would end the process. The pool drops that connection and opens
    // another on the next query, so a server restart costs the requests in flight, not the process.
    pool.on('error', (err) => {
      process.stderr.write(
        `cratekeeper: lost an idle PostgreSQL connection (${err.message}); reconnecting on next use\n`,
      );
    });
    // A connection checked out (inside a transaction, between two statements) gets its 'error'
    // event on the client, where the pool has no listener: unhandled, it too would end the
    // process. The statement that uses the client next fails instead, and the pool discards it.
    pool.on('connect', (client) => {
      client.on('error', () => undefined);
    });
    kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  } else {
    if (config.url !== ':memory:') mkdirSync(dirname(config.url), { recursive: true });
    const sqlite = new BetterSqlite3(config.url);
    // WAL lets readers (index, downloads) proceed while a publish writes.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingStatements(sqlite) }) });
  }
  const db: Db = { kysely, dialect, close: () => kysely.destroy() };
  try {
    await migrate(db.kysely as Kysely<unknown>, dialect);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}

/**
 * Kysely prepares every query anew; on the hot paths (index misses, downloads, search) the
 * prepare is a tenth of the CPU. Statements are reusable (SQLite re-prepares them itself after
 * a schema change) and one connection runs one query at a time, so a bounded cache by SQL
 * text is safe.
 */
function cachingStatements(db: BetterSqlite3.Database, max = 500): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => db.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (stmt) {
        cache.delete(sql); // re-inserted below: the Map's order is least recently used first
      } else {
        stmt = db.prepare(sql);
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, stmt);
      return stmt;
    },
  };
}

/** Drops a PostgreSQL schema and everything in it (tests clean up with this). */
export async function dropPostgresSchema(url: string, schema: string): Promise<void> {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid PostgreSQL schema name: ${schema}`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);

/**
 * Whether an error means the database is unreachable for now (PostgreSQL restarting, failing
 * over, out of connections; SQLite busy past its timeout) rather than that the request is wrong:
 * such requests are answered 503 with Retry-After, which clients and load balancers retry.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  // PostgreSQL SQLSTATE: class 08 connection exceptions, 57P01-57P03 shutdown / not accepting
  // connections yet, 53300 too many connections.
  if (/^08[0-9A-Z]{3}$/.test(code) || ['57P01', '57P02', '57P03', '53300'].includes(code)) return true;
  if (UNAVAILABLE_NODE_CODES.has(code)) return true;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT') return true;
  const message = typeof e.message === 'string' ? e.message : '';
  // node-postgres reports a connection the server closed mid-query, or one used again after it
  // was lost (inside a transaction), without a code.
  return (
    /^Connection terminated( unexpectedly|due to connection timeout)?$/.test(message) ||
    message === 'Client has encountered a connection error and is not queryable'
  );
}
