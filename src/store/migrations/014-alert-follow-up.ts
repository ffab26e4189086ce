// Alerts follow the actions taken on what they are about: every admin action on the alert's
// version, crate or publisher is recorded against the alert (with the audit entry that holds
// it), and an alert settled by an action or by triage keeps how it was settled (a structured
// resolution, by whom, when, which audit entry).
import type { Kysely } from 'kysely';
import { idColumn, type DialectName } from '../dialect.js';

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await idColumn(db.schema.createTable('alert_actions'), dialect)
    .addColumn('alert_id', 'integer', (c) => c.notNull().references('alerts.id').onDelete('cascade'))
    /** The audit action: yank, delete-version, reject, release, lock-user, bulk-triage, … */
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    /** The audit entry that records the action (the log is append-only, so this stays valid). */
    .addColumn('audit_id', 'integer', (c) => c.notNull())
    /** 1 when the action settled (resolved or dismissed) the alert. */
    .addColumn('settled', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('alert_actions_alert')
    .on('alert_actions')
    .columns(['alert_id', 'id'])
    .execute();
  for (const [name, type] of [
    /** false-positive, confirmed-malicious, accepted-risk, duplicate, or the settling action. */
    ['resolution', 'text'],
    ['resolved_by', 'text'],
    ['resolved_at', 'text'],
    ['resolution_audit_id', 'integer'],
  ] as const) {
    await db.schema.alterTable('alerts').addColumn(name, type).execute();
  }
  // The queue and the follow-ups find a version's alerts by the version's row.
  await db.schema.createIndex('alerts_version').on('alerts').column('version_id').execute();
}
