// Search reads one index, not the crates table: its rows hold readmes (kilobytes each), and a
// scan over them made a count of matches cost milliseconds. `max_version` (the highest
// non-yanked published version by semver) is kept on the crate by the repository in the same
// transaction as every change of versions, so search needs no second query for it.
import { sql, type Kysely } from 'kysely';
import { pickMaxVersion } from '../../domain/semver.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('crates')
    .addColumn('max_version', 'text', (c) => c.notNull().defaultTo('0.0.0'))
    .execute();
  const rows = (
    await sql<{
      crate_id: number;
      num: string;
      yanked: number;
    }>`select crate_id, num, yanked from versions where status = 'published'`.execute(db)
  ).rows;
  const best = new Map<number, string>();
  for (const id of new Set(rows.map((r) => r.crate_id))) {
    best.set(id, pickMaxVersion(rows.filter((r) => r.crate_id === id)));
  }
  for (const [id, num] of best)
    await sql`update crates set max_version = ${num} where id = ${id}`.execute(db);
  // Ranking order first, then everything search filters on and returns: an index-only scan.
  await db.schema
    .createIndex('crates_search_cover')
    .on('crates')
    .columns([
      'downloads desc',
      'name',
      'id',
      'published_versions',
      'max_version',
      'description',
      'canonical_name',
    ])
    .execute();
}
