// Cross-process change tracking of what the sparse index shows, kept by the database itself:
// triggers on `versions` (rows that reach the index, their yank state and index fields) and
// `crates` (deletion) record every change in the transaction that makes it, whichever code
// path or process made it (a serve process, a worker, a CLI command). From this:
// - `registry_state.generation` counts changes; `crate_changes` says which crate each was.
//   Server processes read the generation per request (one single-row read, shared by the
//   requests that arrive together) and drop what they cached of the crates changed since
//   their last look (change-feed.ts), so no process serves a stale index file.
// - when `registry_state.static_index` is 1, each change also queues an `index-publish` job
//   (the jobs table is the outbox), which writes the crate's index file to static storage.
//
// PostgreSQL: the triggers are deferred to commit, so the one row they update is locked only
// while a transaction commits, after all its other locks. Generations are then handed out in
// commit order, which is what lets a reader trust "nothing below my generation is missing".
// SQLite has one writer at a time, so plain triggers give the same order.
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/** The version columns the index shows (or that decide whether a version is shown). */
const INDEX_COLUMNS = ['status', 'yanked', 'checksum', 'features', 'features2', 'links', 'rust_version'];

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('registry_state')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('generation', 'bigint', (c) => c.notNull())
    .addColumn('static_index', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`insert into registry_state (id, generation, static_index) values (1, 0, 0)`.execute(db);
  await db.schema
    .createTable('crate_changes')
    .addColumn('generation', 'bigint', (c) => c.primaryKey())
    .addColumn('canonical_name', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'text', (c) => c.notNull())
    .execute();
  if (dialect === 'postgres') await postgresTriggers(db);
  else await sqliteTriggers(db);
}

const PG_NOW = sql.raw(`to_char(now() at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

async function postgresTriggers(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function ck_record_crate_change(crate_name text, canonical text) returns void as $$
    declare
      gen bigint;
      ts text := ${PG_NOW};
      publish integer;
    begin
      update registry_state set generation = generation + 1 where id = 1
        returning generation, static_index into gen, publish;
      insert into crate_changes (generation, canonical_name, changed_at) values (gen, canonical, ts);
      if publish = 1 then
        insert into jobs (kind, payload, status, attempts, max_attempts, run_at, created_at)
          values ('index-publish', json_build_object('crate', crate_name)::text, 'queued', 0, 5, ts, ts);
      end if;
    end $$ language plpgsql`.execute(db);
  const changed = INDEX_COLUMNS.map((c) => `old.${c} is distinct from new.${c}`).join(' or ');
  await sql`
    create function ck_versions_changed() returns trigger as $$
    declare
      c record;
    begin
      if tg_op = 'UPDATE' and not (${sql.raw(changed)}) then
        return null;
      end if;
      -- Deferred to commit: the crate may have been deleted since (its own trigger records that).
      select name, canonical_name into c from crates where id = coalesce(new.crate_id, old.crate_id);
      if found then
        perform ck_record_crate_change(c.name, c.canonical_name);
      end if;
      return null;
    end $$ language plpgsql`.execute(db);
  await sql`
    create function ck_crates_deleted() returns trigger as $$
    begin
      perform ck_record_crate_change(old.name, old.canonical_name);
      return null;
    end $$ language plpgsql`.execute(db);
  await sql`
    create constraint trigger versions_index_changed after insert or update or delete on versions
      deferrable initially deferred for each row execute function ck_versions_changed()`.execute(db);
  await sql`
    create constraint trigger crates_index_deleted after delete on crates
      deferrable initially deferred for each row execute function ck_crates_deleted()`.execute(db);
}

async function sqliteTriggers(db: Kysely<unknown>): Promise<void> {
  const now = `strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`;
  // One body per event: SQLite triggers cannot call a shared function.
  const record = (crate: string) => `
    update registry_state set generation = generation + 1 where id = 1;
    insert into crate_changes (generation, canonical_name, changed_at)
      select s.generation, c.canonical_name, ${now} from registry_state s, (${crate}) c where s.id = 1;
    insert into jobs (kind, payload, status, attempts, max_attempts, run_at, created_at)
      select 'index-publish', json_object('crate', c.name), 'queued', 0, 5, ${now}, ${now}
      from registry_state s, (${crate}) c where s.id = 1 and s.static_index = 1;`;
  const crateOf = (row: 'new' | 'old') =>
    `select name, canonical_name from crates where id = ${row}.crate_id`;
  const changed = INDEX_COLUMNS.map((c) => `old.${c} is not new.${c}`).join(' or ');
  await sql
    .raw(
      `create trigger versions_index_inserted after insert on versions begin ${record(crateOf('new'))} end`,
    )
    .execute(db);
  await sql
    .raw(
      `create trigger versions_index_updated after update on versions when ${changed} begin ${record(crateOf('new'))} end`,
    )
    .execute(db);
  await sql
    .raw(`create trigger versions_index_deleted after delete on versions begin ${record(crateOf('old'))} end`)
    .execute(db);
  await sql
    .raw(
      `create trigger crates_index_deleted after delete on crates begin ${record('select old.name as name, old.canonical_name as canonical_name')} end`,
    )
    .execute(db);
}
