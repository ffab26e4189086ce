// A crate's total downloads kept on its row, so that search ranks by a column instead of
// summing version_downloads for every matching crate, with an index for the ranking. The
// download counter adds to it in the same transaction as the per-day rows.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('crates')
    .addColumn('downloads', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`update crates set downloads = coalesce((
      select sum(vd.downloads) from version_downloads vd
      join versions v on v.id = vd.version_id
      where v.crate_id = crates.id), 0)`.execute(db);
  await db.schema.createIndex('crates_downloads').on('crates').columns(['downloads desc', 'name']).execute();
}
