// Console sessions (the cookie holds a random token; only its hash is stored) and the
// throttle that slows and then locks repeated failed sign-ins.
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, SessionRow } from './schema.js';
import { nowIso } from './time.js';

export const SESSION_IDLE_MS = 2 * 3600_000;
export const SESSION_MAX_MS = 12 * 3600_000;
export const REAUTH_WINDOW_MS = 5 * 60_000;

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

export class SessionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(
    userId: number,
    client: { ip: string | null; userAgent: string | null },
    now = new Date(),
  ): Promise<{ token: string; session: SessionRow }> {
    const token = randomBytes(32).toString('base64url');
    const session = await this.db
      .insertInto('sessions')
      .values({
        id: sha256(token),
        user_id: userId,
        csrf_token: randomBytes(32).toString('base64url'),
        created_at: nowIso(now),
        expires_at: nowIso(new Date(now.getTime() + SESSION_MAX_MS)),
        last_seen_at: nowIso(now),
        // Signing in is itself a fresh authentication.
        reauth_until: nowIso(new Date(now.getTime() + REAUTH_WINDOW_MS)),
        ip: client.ip,
        user_agent: client.userAgent?.slice(0, 500) ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { token, session };
  }

  /** The live session for a cookie value, refreshing its idle timer; null when expired or unknown. */
  async find(token: string, now = new Date()): Promise<SessionRow | null> {
    if (!token || token.length > 200) return null;
    const row = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', sha256(token))
      .executeTakeFirst();
    if (!row) return null;
    const at = nowIso(now);
    const idleCutoff = nowIso(new Date(now.getTime() - SESSION_IDLE_MS));
    if (row.expires_at <= at || row.last_seen_at < idleCutoff) {
      await this.db.deleteFrom('sessions').where('id', '=', row.id).execute();
      return null;
    }
    if (Date.parse(row.last_seen_at) < now.getTime() - 60_000) {
      await this.db.updateTable('sessions').set({ last_seen_at: at }).where('id', '=', row.id).execute();
    }
    return row;
  }

  async reauthenticated(id: string, now = new Date()): Promise<string> {
    const until = nowIso(new Date(now.getTime() + REAUTH_WINDOW_MS));
    await this.db.updateTable('sessions').set({ reauth_until: until }).where('id', '=', id).execute();
    return until;
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', id).execute();
  }

  async deleteForUser(userId: number): Promise<void> {
    await this.db.deleteFrom('sessions').where('user_id', '=', userId).execute();
  }
}

export interface ThrottleState {
  lockedUntil: string | null;
  failures: number;
}

/**
 * Failed sign-ins per key (login and client IP): each failure waits longer before answering,
 * and after `maxFailures` within the window the key is locked for `lockMs`.
 */
export class LoginThrottle {
  constructor(
    private readonly db: Kysely<Database>,
    readonly settings = {
      maxFailures: 5,
      windowMs: 15 * 60_000,
      lockMs: 15 * 60_000,
      baseDelayMs: 200,
      maxDelayMs: 3000,
    },
  ) {}

  async state(key: string, now = new Date()): Promise<ThrottleState> {
    const row = await this.db
      .selectFrom('login_throttle')
      .selectAll()
      .where('key', '=', key)
      .executeTakeFirst();
    if (!row) return { lockedUntil: null, failures: 0 };
    const at = nowIso(now);
    const windowStart = nowIso(new Date(now.getTime() - this.settings.windowMs));
    if (row.locked_until && row.locked_until > at)
      return { lockedUntil: row.locked_until, failures: row.failures };
    if (row.first_failure_at < windowStart || (row.locked_until && row.locked_until <= at))
      return { lockedUntil: null, failures: 0 };
    return { lockedUntil: null, failures: row.failures };
  }

  /** Records a failure; returns how long to delay the answer and whether the key is now locked. */
  async fail(
    key: string,
    now = new Date(),
    maxFailures = this.settings.maxFailures,
  ): Promise<{ delayMs: number; lockedUntil: string | null }> {
    const current = await this.state(key, now);
    const failures = current.failures + 1;
    const lockedUntil =
      failures >= maxFailures ? nowIso(new Date(now.getTime() + this.settings.lockMs)) : null;
    const values = {
      failures,
      first_failure_at: current.failures === 0 ? nowIso(now) : undefined,
      locked_until: lockedUntil,
    };
    const existing = await this.db
      .selectFrom('login_throttle')
      .select('key')
      .where('key', '=', key)
      .executeTakeFirst();
    if (existing) {
      await this.db
        .updateTable('login_throttle')
        .set({
          failures,
          locked_until: lockedUntil,
          ...(values.first_failure_at ? { first_failure_at: values.first_failure_at } : {}),
        })
        .where('key', '=', key)
        .execute();
    } else {
      await this.db
        .insertInto('login_throttle')
        .values({ key, failures, first_failure_at: nowIso(now), locked_until: lockedUntil })
        .execute();
    }
    const delayMs = Math.min(this.settings.baseDelayMs * 2 ** (failures - 1), this.settings.maxDelayMs);
    return { delayMs, lockedUntil };
  }

  async succeed(key: string): Promise<void> {
    await this.db.deleteFrom('login_throttle').where('key', '=', key).execute();
  }
}
