// The audit log: every admin action and security event, append-only and hash-chained.
// Each entry stores the previous entry's hash and its own hash over its content and that
// link, so an edited, deleted or reordered entry breaks the chain at that point.
import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DialectName } from './dialect.js';
import type { AuditRow, Database } from './schema.js';
import { nowIso } from './time.js';

export const GENESIS_HASH = '0'.repeat(64);
/** Any constant: serializes appends on PostgreSQL so two writers never fork the chain. */
const APPEND_LOCK = 7_314_159;

export interface AuditEvent {
  actorId: number | null;
  /** The actor's login, or `system`/`cli` for the registry itself. */
  actor: string;
  action: string;
  targetType: 'crate' | 'version' | 'user' | 'token' | 'alert' | 'name' | 'session' | 'registry' | 'advisory';
  target: string;
  reason?: string | null;
  details?: Record<string, unknown>;
  ip?: string | null;
}

type Hashed = Pick<
  AuditRow,
  | 'at'
  | 'actor_id'
  | 'actor'
  | 'action'
  | 'target_type'
  | 'target'
  | 'reason'
  | 'details'
  | 'ip'
  | 'prev_hash'
>;

/** The hash of an entry: SHA-256 over its fields in a fixed order, the previous hash included. */
export function entryHash(e: Hashed): string {
  const canonical = JSON.stringify([
    e.prev_hash,
    e.at,
    e.actor_id,
    e.actor,
    e.action,
    e.target_type,
    e.target,
    e.reason,
    e.details,
    e.ip,
  ]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

export interface AuditFilter {
  action?: string;
  actor?: string;
  target?: string;
  limit?: number;
  offset?: number;
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  firstBroken: { id: number; reason: string } | null;
}

export class AuditLog {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
  ) {}

  /**
   * Appends an entry. Given `trx`, the entry is part of that transaction (an action and its
   * record commit together or not at all); otherwise it gets a transaction of its own.
   */
  async append(event: AuditEvent, now = new Date(), trx?: Transaction<Database>): Promise<AuditRow> {
    if (trx) return this.appendIn(trx, event, now);
    return this.db.transaction().execute((t) => this.appendIn(t, event, now));
  }

  private async appendIn(trx: Transaction<Database>, event: AuditEvent, now: Date): Promise<AuditRow> {
    if (this.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${APPEND_LOCK})`.execute(trx);
    const last = await trx
      .selectFrom('audit_log')
      .select('hash')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    const entry: Hashed = {
      at: nowIso(now),
      actor_id: event.actorId,
      actor: event.actor,
      action: event.action,
      target_type: event.targetType,
      target: event.target,
      reason: event.reason ?? null,
      details: JSON.stringify(event.details ?? {}),
      ip: event.ip ?? null,
      prev_hash: last?.hash ?? GENESIS_HASH,
    };
    return trx
      .insertInto('audit_log')
      .values({ ...entry, hash: entryHash(entry) })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async list(filter: AuditFilter = {}): Promise<{ total: number; entries: AuditRow[] }> {
    let q = this.db.selectFrom('audit_log');
    if (filter.action) q = q.where('action', '=', filter.action);
    if (filter.actor) q = q.where('actor', '=', filter.actor);
    if (filter.target) q = q.where('target', '=', filter.target);
    const total = await q.select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirst();
    const entries = await q
      .selectAll()
      .orderBy('id', 'desc')
      .limit(Math.min(filter.limit ?? 50, 500))
      .offset(filter.offset ?? 0)
      .execute();
    return { total: Number(total?.n ?? 0), entries };
  }

  /** Recomputes the chain from the first entry and names the first one that does not hold. */
  async verify(onProgress?: (checked: number) => void): Promise<VerifyResult> {
    let prev = GENESIS_HASH;
    let checked = 0;
    let after = 0;
    for (;;) {
      const page = await this.db
        .selectFrom('audit_log')
        .selectAll()
        .where('id', '>', after)
        .orderBy('id')
        .limit(5000)
        .execute();
      if (page.length === 0) break;
      for (const row of page) {
        if (row.prev_hash !== prev) {
          return {
            ok: false,
            checked,
            firstBroken: {
              id: row.id,
              reason:
                'its link to the previous entry does not match (an entry before it was removed or changed)',
            },
          };
        }
        if (entryHash(row) !== row.hash) {
          return {
            ok: false,
            checked,
            firstBroken: {
              id: row.id,
              reason: 'its content does not match its hash (the entry was changed)',
            },
          };
        }
        prev = row.hash;
        checked++;
      }
      after = page[page.length - 1]!.id;
      onProgress?.(checked);
    }
    return { ok: true, checked, firstBroken: null };
  }
}
