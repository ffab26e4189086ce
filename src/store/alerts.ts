// Alerts for security responders: one row per distinct finding (its dedupe key), updated
// when the same check fires again rather than duplicated.
import { sql, type Kysely } from 'kysely';
import type { AlertActionRow, AlertRow, AlertSeverity, AlertStatus, Database } from './schema.js';
import { nowIso } from './time.js';

export const SEVERITY_ORDER: readonly AlertSeverity[] = ['info', 'low', 'medium', 'high', 'critical'];

export function severityRank(s: string): number {
  return SEVERITY_ORDER.indexOf(s as AlertSeverity);
}

/** What an admin action is about, to find the alerts it follows up on. */
export type AlertSubject =
  | { kind: 'version'; crateName: string; version: string }
  | { kind: 'crate'; crateName: string }
  /** The versions a user published. */
  | { kind: 'publisher'; userId: number }
  /** The versions published with a token. */
  | { kind: 'token'; tokenId: number };

export interface AlertFollowUp {
  action: string;
  actor: string;
  reason: string;
  auditId: number;
  /**
   * Settles the alerts with this status and resolution: those not already resolved, or every
   * one when `override` (a responder's explicit triage, which may correct an earlier one).
   */
  settle?: { status: AlertStatus; resolution: string; override?: boolean };
}

/** Critical first, then high, medium, low, info. */
const SEVERITY_FIRST = sql<number>`case alerts.severity when 'critical' then 0 when 'high' then 1 when 'medium' then 2 when 'low' then 3 else 4 end`;

const SETTLED: readonly AlertStatus[] = ['resolved', 'dismissed'];

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

  /** The alerts a filter selects, as a query to count, page or collect ids from. */
  private filtered(filter: AlertFilter, db: Kysely<Database> = this.db) {
    let q = db.selectFrom('alerts');
    if (filter.kind) q = q.where('alerts.kind', '=', filter.kind);
    if (filter.severity) q = q.where('alerts.severity', '=', filter.severity);
    if (filter.minSeverity) {
      q = q.where(
        'alerts.severity',
        'in',
        SEVERITY_ORDER.slice(severityRank(filter.minSeverity)) as AlertSeverity[],
      );
    }
    if (filter.status) q = q.where('alerts.status', '=', filter.status);
    if (filter.crateName) q = q.where('alerts.crate_name', '=', filter.crateName);
    return q;
  }

  /**
   * A page of the queue with what each alert is about, now, in one query: the version's state
   * and publisher (joined, not looked up per row), and whether the crate still exists.
   */
  async queuePage(filter: AlertFilter = {}) {
    const q = this.filtered(filter);
    const total = await q.select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirst();
    const rows = await q
      .leftJoin('versions', 'versions.id', 'alerts.version_id')
      .leftJoin('users', 'users.id', 'versions.published_by')
      .leftJoin('crates', 'crates.name', 'alerts.crate_name')
      .selectAll('alerts')
      .select([
        'versions.status as version_status',
        'versions.yanked as version_yanked',
        'users.login as publisher_login',
        'users.locked_until as publisher_locked_until',
        'users.lock_reason as publisher_lock_reason',
        'crates.id as crate_id',
      ])
      .orderBy(SEVERITY_FIRST)
      .orderBy('alerts.score', 'desc')
      .orderBy('alerts.id', 'desc')
      .limit(Math.min(filter.limit ?? 50, 500))
      .offset(filter.offset ?? 0)
      .execute();
    return { total: Number(total?.n ?? 0), rows };
  }

  /** Ids of the alerts a filter selects, at most `cap` (bulk triage over "all matching"). */
  async idsMatching(filter: AlertFilter, cap: number, db: Kysely<Database> = this.db): Promise<number[]> {
    const rows = await this.filtered(filter, db).select('id').orderBy('id').limit(cap).execute();
    return rows.map((r) => r.id);
  }

  /** The alerts with these ids (those that exist), by id. */
  async getMany(ids: readonly number[], db: Kysely<Database> = this.db): Promise<AlertRow[]> {
    if (ids.length === 0) return [];
    return db
      .selectFrom('alerts')
      .selectAll()
      .where('id', 'in', [...new Set(ids)])
      .orderBy('id')
      .execute();
  }

  async list(filter: AlertFilter = {}): Promise<{ total: number; alerts: AlertRow[] }> {
    const q = this.filtered(filter);
    const total = await q.select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirst();
    const alerts = await q
      .selectAll()
      .orderBy(SEVERITY_FIRST)
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
      .set({
        status,
        updated_at: nowIso(now),
        // An alert taken back into the queue no longer carries how it was settled.
        ...(SETTLED.includes(status)
          ? {}
          : { resolution: null, resolved_by: null, resolved_at: null, resolution_audit_id: null }),
      })
      .where('id', '=', id)
      .execute();
  }

  /** The ids of the alerts about a version, a crate, a publisher's or a token's versions. */
  async idsAbout(subject: AlertSubject, db: Kysely<Database> = this.db): Promise<number[]> {
    let q = db.selectFrom('alerts').select('alerts.id');
    switch (subject.kind) {
      case 'version':
        q = q.where('crate_name', '=', subject.crateName).where('version', '=', subject.version);
        break;
      case 'crate':
        q = q.where('crate_name', '=', subject.crateName);
        break;
      case 'publisher':
        q = q
          .innerJoin('versions', 'versions.id', 'alerts.version_id')
          .where('versions.published_by', '=', subject.userId);
        break;
      case 'token':
        q = q
          .innerJoin('versions', 'versions.id', 'alerts.version_id')
          .where('versions.token_id', '=', subject.tokenId);
        break;
    }
    const rows = await q.orderBy('alerts.id').execute();
    return rows.map((r) => r.id);
  }

  /**
   * Records an admin action on each of these alerts and, when the action settles them,
   * resolves them with its reason. Run it in the action's transaction, after its audit entry.
   * Returns the ids it settled (an alert already resolved keeps its first resolution).
   */
  async followUp(
    ids: readonly number[],
    f: AlertFollowUp,
    now = new Date(),
    db: Kysely<Database> = this.db,
  ): Promise<number[]> {
    if (ids.length === 0) return [];
    const at = nowIso(now);
    let settled: number[] = [];
    if (f.settle) {
      const rows = await db
        .updateTable('alerts')
        .set({
          status: f.settle.status,
          resolution: f.settle.resolution,
          resolved_by: f.actor,
          resolved_at: at,
          resolution_audit_id: f.auditId,
          updated_at: at,
        })
        .where('id', 'in', [...ids])
        .$if(!f.settle.override, (q) => q.where('status', '!=', 'resolved'))
        .returning('id')
        .execute();
      settled = rows.map((r) => r.id);
    }
    const done = new Set(settled);
    await db
      .insertInto('alert_actions')
      .values(
        ids.map((id) => ({
          alert_id: id,
          action: f.action,
          actor: f.actor,
          at,
          reason: f.reason,
          audit_id: f.auditId,
          settled: done.has(id) ? (1 as const) : (0 as const),
        })),
      )
      .execute();
    return settled;
  }

  /** The actions recorded on these alerts, oldest first, by alert (one query for a page). */
  async actionsOf(ids: readonly number[]): Promise<Map<number, AlertActionRow[]>> {
    const out = new Map<number, AlertActionRow[]>();
    if (ids.length === 0) return out;
    const rows = await this.db
      .selectFrom('alert_actions')
      .selectAll()
      .where('alert_id', 'in', [...new Set(ids)])
      .orderBy('id')
      .execute();
    for (const r of rows) {
      const list = out.get(r.alert_id) ?? [];
      list.push(r);
      out.set(r.alert_id, list);
    }
    return out;
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
