// Per-subject token buckets, crates.io's `publish_limit_buckets` design: a bucket holds up to
// `burst` tokens and gains one every `rate`; an action takes one or is refused. The refill and
// the take are one upsert whose `where` refuses an empty bucket, so two processes (or two
// requests in one) can never both take the last token: PostgreSQL locks the conflicting row for
// the update and re-reads it, SQLite has one writer. The state lives only in the database, so
// every `serve` process sharing it enforces the same limit.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import { nowIso } from './time.js';

export const RATE_LIMITED_ACTIONS = [
  'publish-new',
  'publish-update',
  'yank',
  'sign-in',
  'token-create',
] as const;
export type RateLimitedAction = (typeof RATE_LIMITED_ACTIONS)[number];

export interface BucketSettings {
  /** One token comes back every `rateMs`. */
  rateMs: number;
  /** The most tokens a bucket holds (and a new bucket starts with). */
  burst: number;
}

export type RateLimitSettings = Record<RateLimitedAction, BucketSettings>;

/** crates.io's publish and yank buckets; sign-ins are per client address, token creation per user. */
export const DEFAULT_RATE_LIMITS: RateLimitSettings = {
  'publish-new': { rateMs: 10 * 60_000, burst: 5 },
  'publish-update': { rateMs: 60_000, burst: 30 },
  yank: { rateMs: 60_000, burst: 100 },
  'sign-in': { rateMs: 6_000, burst: 30 },
  'token-create': { rateMs: 60_000, burst: 10 },
};

/** Who a bucket belongs to: a user, or (before sign-in) a client address. */
export type RateLimitSubject = { userId: number } | { ip: string | null };

export type TakeResult =
  { ok: true; remaining: number } | { ok: false; retryAt: Date; burst: number; rateMs: number };

export interface RateLimitOverride {
  userId: number;
  login: string;
  action: RateLimitedAction;
  burst: number;
  expiresAt: string | null;
  createdAt: string;
  createdBy: string;
}

export function isRateLimitedAction(s: string): s is RateLimitedAction {
  return (RATE_LIMITED_ACTIONS as readonly string[]).includes(s);
}

const subjectKey = (s: RateLimitSubject) => ('userId' in s ? `user:${s.userId}` : `ip:${s.ip ?? 'unknown'}`);

export class RateLimiter {
  constructor(
    private readonly db: Kysely<Database>,
    readonly settings: RateLimitSettings = DEFAULT_RATE_LIMITS,
    /** Told of every refusal (the metrics count them). */
    private readonly onRefused: (action: RateLimitedAction) => void = () => {},
  ) {}

  /** The burst that applies to a user: a live override, else the configured one. */
  async burstFor(
    subject: RateLimitSubject,
    action: RateLimitedAction,
    now = new Date(),
    db: Kysely<Database> = this.db,
  ): Promise<number> {
    const configured = this.settings[action].burst;
    if (!('userId' in subject)) return configured;
    const row = await db
      .selectFrom('rate_limit_overrides')
      .select('burst')
      .where('user_id', '=', subject.userId)
      .where('action', '=', action)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', nowIso(now))]))
      .executeTakeFirst();
    return row?.burst ?? configured;
  }

  /**
   * Takes a token for `action`, refilling first. Pass the action's transaction as `db` to have
   * a publish that fails later give its token back (the update rolls back with it).
   */
  async take(
    subject: RateLimitSubject,
    action: RateLimitedAction,
    now = new Date(),
    db: Kysely<Database> = this.db,
  ): Promise<TakeResult> {
    const { rateMs } = this.settings[action];
    const burst = await this.burstFor(subject, action, now, db);
    const key = subjectKey(subject);
    const at = sql<number>`cast(${now.getTime()} as bigint)`;
    const rate = sql<number>`cast(${rateMs} as bigint)`;
    const cap = sql<number>`cast(${burst} as integer)`;
    const last = sql.ref('rate_limit_buckets.last_refill_ms');
    // Whole refills since the last one; none when another process's clock was ahead.
    const refills = sql<number>`(case when ${at} > ${last} then (${at} - ${last}) / ${rate} else 0 end)`;
    const available = sql<number>`(rate_limit_buckets.tokens + ${refills})`;
    const result = await sql<{ tokens: number }>`
      insert into rate_limit_buckets (subject, action, tokens, last_refill_ms)
      values (${key}, ${action}, ${cap} - 1, ${at})
      on conflict (subject, action) do update set
        tokens = (case when ${available} > ${cap} then ${cap} else ${available} end) - 1,
        last_refill_ms = case when ${available} >= ${cap} then ${at} else ${last} + ${refills} * ${rate} end
      where ${available} >= 1
      returning tokens`.execute(db);
    const row = result.rows[0];
    if (row) return { ok: true, remaining: Number(row.tokens) };
    this.onRefused(action);
    const bucket = await db
      .selectFrom('rate_limit_buckets')
      .select('last_refill_ms')
      .where('subject', '=', key)
      .where('action', '=', action)
      .executeTakeFirst();
    // Refused means no whole refill since `last_refill_ms`: the next token comes one rate after it.
    const next = bucket ? Number(bucket.last_refill_ms) + rateMs : now.getTime() + rateMs;
    return { ok: false, retryAt: new Date(Math.max(next, now.getTime() + 1000)), burst, rateMs };
  }

  async setOverride(
    input: { userId: number; action: RateLimitedAction; burst: number; expiresAt: Date | null; by: string },
    now = new Date(),
    db: Kysely<Database> = this.db,
  ): Promise<void> {
    if (!Number.isInteger(input.burst) || input.burst < 1 || input.burst > 1_000_000)
      throw new Error('the burst must be a whole number from 1 to 1000000');
    if (input.expiresAt && input.expiresAt.getTime() <= now.getTime())
      throw new Error('the override must expire in the future');
    const values = {
      burst: input.burst,
      expires_at: input.expiresAt ? nowIso(input.expiresAt) : null,
      created_at: nowIso(now),
      created_by: input.by,
    };
    await db
      .insertInto('rate_limit_overrides')
      .values({ user_id: input.userId, action: input.action, ...values })
      .onConflict((oc) => oc.columns(['user_id', 'action']).doUpdateSet(values))
      .execute();
    // The user asked for more now: their bucket starts over, full at the new burst.
    await db
      .deleteFrom('rate_limit_buckets')
      .where('subject', '=', subjectKey({ userId: input.userId }))
      .where('action', '=', input.action)
      .execute();
  }

  async removeOverride(
    userId: number,
    action: RateLimitedAction,
    db: Kysely<Database> = this.db,
  ): Promise<boolean> {
    const res = await db
      .deleteFrom('rate_limit_overrides')
      .where('user_id', '=', userId)
      .where('action', '=', action)
      .executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  /** Overrides (of one user when given), expired ones included: they say what applied. */
  async overrides(userId?: number): Promise<RateLimitOverride[]> {
    const rows = await this.db
      .selectFrom('rate_limit_overrides')
      .innerJoin('users', 'users.id', 'rate_limit_overrides.user_id')
      .selectAll('rate_limit_overrides')
      .select('users.login')
      .$if(userId !== undefined, (q) => q.where('rate_limit_overrides.user_id', '=', userId!))
      .orderBy('users.login')
      .orderBy('rate_limit_overrides.action')
      .execute();
    return rows.map((r) => ({
      userId: r.user_id,
      login: r.login,
      action: r.action as RateLimitedAction,
      burst: r.burst,
      expiresAt: r.expires_at,
      createdAt: r.created_at,
      createdBy: r.created_by,
    }));
  }
}
