// What search ranks and filters by, kept on the crate's row so a search scans one table:
// `downloads`, the total ever counted (the download counter adds to it in the same
// transaction as the per-day rows; kept when a version is deleted, as crates.io does), and
// `published_versions`, how many versions reached the index (a crate with none is not
// listed). Triggers on `versions` keep the latter right for every writer (publish,
// quarantine decisions, deletes), so no code path has to remember it.
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await db.schema
    .alterTable('crates')
    .addColumn('downloads', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('crates')
    .addColumn('published_versions', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`update crates set
      downloads = coalesce((select sum(vd.downloads) from version_downloads vd
        join versions v on v.id = vd.version_id where v.crate_id = crates.id), 0),
      published_versions = (select count(*) from versions v
        where v.crate_id = crates.id and v.status = 'published')`.execute(db);
  // Ranking order for search (an empty query walks it and stops at the page).
  await db.schema.createIndex('crates_downloads').on('crates').columns(['downloads desc', 'name']).execute();

  if (dialect === 'postgres') {
    await sql`create function ck_versions_published() returns trigger language plpgsql as $$
      begin
        if tg_op in ('INSERT', 'UPDATE') and new.status = 'published' then
          update crates set published_versions = published_versions + 1 where id = new.crate_id;
        end if;
        if tg_op in ('DELETE', 'UPDATE') and old.status = 'published' then
          update crates set published_versions = published_versions - 1 where id = old.crate_id;
        end if;
        return null;
      end $$`.execute(db);
    await sql`create trigger versions_published after insert or delete or update of status on versions
      for each row execute function ck_versions_published()`.execute(db);
    return;
  }
  await sql`create trigger versions_published_insert after insert on versions
    when new.status = 'published'
    begin update crates set published_versions = published_versions + 1 where id = new.crate_id; end`.execute(
    db,
  );
  await sql`create trigger versions_published_delete after delete on versions
    when old.status = 'published'
    begin update crates set published_versions = published_versions - 1 where id = old.crate_id; end`.execute(
    db,
  );
  await sql`create trigger versions_published_status after update of status on versions
    when (old.status = 'published') <> (new.status = 'published')
    begin
      update crates set published_versions = published_versions
        + (case when new.status = 'published' then 1 else -1 end) where id = new.crate_id;
    end`.execute(db);
}
