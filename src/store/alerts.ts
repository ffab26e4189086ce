// Alerts for security responders: one row per distinct finding (its dedupe key), updated
// when the same check fires again rather than duplicated.
import type { Kysely } from 'kysely';
import type { AlertRow, AlertSeverity, AlertStatus, Database } from './schema.js';
import { nowIso } from './time.js';

export const SEVERITY_ORDER: readonly AlertSeverity[] = ['info', 'low', 'medium', 'high', 'critical'];

export function severityRank(s: string): number {
  return SEVERITY_ORDER.indexOf(s as AlertSeverity);
}

export interface NewAlert {
  kind: string;
  severity: AlertSeverity;
  crateName: string;
  version: string | null;
  versionId: number | null;
  title: string;
  details: unknown;
  score: number;
  dedupeKey: string;
}

export interface AlertFilter {
  kind?: string;
  severity?: AlertSeverity;
  minSeverity?: AlertSeverity;
  status?: AlertStatus;
  crateName?: string;
  limit?: number;
  offset?: number;
}

export class AlertRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Creates the alert, or refreshes an existing one with the same key; says which. */
  async raise(
    alert: NewAlert,
    now = new Date(),
    db: Kysely<Database> = this.db,
  ): Promise<{ alert: AlertRow; created: boolean }> {
    const existing = await db
      .selectFrom('alerts')
      .selectAll()
      .where('dedupe_key', '=', alert.dedupeKey)
      .executeTakeFirst();
    const at = nowIso(now);
    if (existing) {
      const updated = await db
        .updateTable('alerts')
        .set({
          severity: alert.severity,
          title: alert.title,
          details: JSON.stringify(alert.details),
          score: alert.score,
          updated_at: at,
        })
        .where('id', '=', existing.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return { alert: updated, created: false };
    }
    const created = await db
      .insertInto('alerts')
      .values({
        kind: alert.kind,
        severity: alert.severity,
        status: 'open',
        crate_name: alert.crateName,
        version: alert.version,
        version_id: alert.versionId,
        title: alert.title,
        details: JSON.stringify(alert.details),
        score: alert.score,
        dedupe_key: alert.dedupeKey,
        created_at: at,
        updated_at: at,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { alert: created, created: true };
  }

  async list(filter: AlertFilter = {}): Promise<{ total: number; alerts: AlertRow[] }> {
    let q = this.db.selectFrom('alerts');
    if (filter.kind) q = q.where('kind', '=', filter.kind);
    if (filter.severity) q = q.where('severity', '=', filter.severity);
    if (filter.minSeverity) {
      q = q.where(
        'severity',
        'in',
        SEVERITY_ORDER.slice(severityRank(filter.minSeverity)) as AlertSeverity[],
      );
    }
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.crateName) q = q.where('crate_name', '=', filter.crateName);
    const total = await q.select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirst();
    const alerts = await q
      .selectAll()
      .orderBy((eb) =>
        eb
          .case()
          .when('severity', '=', 'critical')
          .then(0)
          .when('severity', '=', 'high')
          .then(1)
          .when('severity', '=', 'medium')
          .then(2)
          .when('severity', '=', 'low')
          .then(3)
          .else(4)
          .end(),
      )
      .orderBy('score', 'desc')
      .orderBy('id', 'desc')
      .limit(Math.min(filter.limit ?? 50, 500))
      .offset(filter.offset ?? 0)
      .execute();
    return { total: Number(total?.n ?? 0), alerts };
  }

  async get(id: number): Promise<AlertRow | undefined> {
    return this.db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async setStatus(
    id: number,
    status: AlertStatus,
    now = new Date(),
    db: Kysely<Database> = this.db,
  ): Promise<void> {
    await db
      .updateTable('alerts')
      .set({ status, updated_at: nowIso(now) })
      .where('id', '=', id)
      .execute();
  }

  /** A responder's note on an alert (triage or follow-up). */
  async addNote(
    alertId: number,
    author: { id: number; login: string },
    note: string,
    now = new Date(),
    db: Kysely<Database> = this.db,
  ): Promise<void> {
    await db
      .insertInto('alert_notes')
      .values({ alert_id: alertId, user_id: author.id, login: author.login, note, created_at: nowIso(now) })
      .execute();
  }
}
