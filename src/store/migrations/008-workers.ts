// Live workers and their heartbeats, so a dead worker's jobs are taken back within seconds
// rather than after a lease; and an index for the blob collector's reference checks.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('workers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('pid', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('heartbeat_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('jobs_status_locked_by')
    .ifNotExists()
    .on('jobs')
    .columns(['status', 'locked_by'])
    .execute();
  await db.schema.createIndex('versions_checksum').ifNotExists().on('versions').column('checksum').execute();
}
