// Console sessions (the cookie holds a random token; only its hash is stored) and the
// throttle that slows and then locks repeated failed sign-ins.
import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { verifyPassword } from './passwords.js';
import type { Database, SessionRow } from './schema.js';
import { nowIso } from './time.js';

export const SESSION_IDLE_MS = 2 * 3600_000;
export const SESSION_MAX_MS = 12 * 3600_000;
/** The default "sudo mode" after a (re-)authentication; `RegistryConfig.sudoMs` overrides it. */
export const REAUTH_WINDOW_MS = 5 * 60_000;

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

export class SessionRepository {
  constructor(
    private readonly db: Kysely<Database>,
    /** How long a (re-)authentication lets destructive admin actions through. */
    readonly reauthWindowMs: number = REAUTH_WINDOW_MS,
  ) {}

  async create(
    userId: number,
    client: { ip: string | null; userAgent: string | null },
    now = new Date(),
    db: Kysely<Database> = this.db,
  ): Promise<{ token: string; session: SessionRow }> {
    const token = randomBytes(32).toString('base64url');
    const session = await db
      .insertInto('sessions')
      .values({
        id: sha256(token),
        user_id: userId,
        csrf_token: randomBytes(32).toString('base64url'),
        created_at: nowIso(now),
        expires_at: nowIso(new Date(now.getTime() + SESSION_MAX_MS)),
        last_seen_at: nowIso(now),
        // Signing in is itself a fresh authentication.
        reauth_until: nowIso(new Date(now.getTime() + this.reauthWindowMs)),
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
    const until = nowIso(new Date(now.getTime() + this.reauthWindowMs));
    await this.db.updateTable('sessions').set({ reauth_until: until }).where('id', '=', id).execute();
    return until;
  }

  async delete(id: string, db: Kysely<Database> = this.db): Promise<void> {
    await db.deleteFrom('sessions').where('id', '=', id).execute();
  }

  async deleteForUser(userId: number, db: Kysely<Database> = this.db): Promise<void> {
    await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
  }
}

/** The password check behind sign-in; only the throttle calls it, once it has allowed the attempt. */
export interface PasswordVerifier {
  verify(password: string, stored: string | null): Promise<boolean>;
}

export const scryptPasswords: PasswordVerifier = { verify: verifyPassword };

export interface ThrottleSettings {
  /** Attempts per (login, client address) in the window; the last one locks that pair. */
  clientMaxFailures: number;
  /** Attempts per login from anywhere (not counted from the owner's known addresses and sessions). */
  loginMaxFailures: number;
  /** Attempts per client address across logins (not counted for the owner's known addresses and sessions). */
  ipMaxFailures: number;
  windowMs: number;
  lockMs: number;
  /** Backoff per (login, address): the n-th attempt waits base·2ⁿ⁻¹ ms, at most maxDelayMs, for the next. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_THROTTLE: ThrottleSettings = {
  clientMaxFailures: 5,
  loginMaxFailures: 20,
  ipMaxFailures: 50,
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
  baseDelayMs: 200,
  maxDelayMs: 3000,
};

export type ThrottleScope = 'client' | 'login' | 'ip';

export interface SignInAttempt {
  /** As typed; only its hash is stored. */
  login: string;
  ip: string | null;
  /**
   * The login's owner is known here (an address they signed in from before, or a live session
   * of theirs): the per-login and per-address ceilings do not apply, so guesses from elsewhere
   * cannot lock them out. The per-(login, address) backoff and lock always apply.
   */
  trusted: boolean;
}

/** A key that became locked while reserving this attempt (to be audited). */
export interface ThrottleLock {
  scope: ThrottleScope;
  until: string;
  failures: number;
}

export type AttemptResult =
  | { refused: true; retryAt: string; locks: ThrottleLock[] }
  | {
      refused: false;
      ok: boolean;
      /** How long to wait before answering a failure (the backoff of this pair). */
      delayMs: number;
      /** Set when this attempt locked a key: a failure is then answered with 429. */
      lockedUntil: string | null;
      locks: ThrottleLock[];
    };

interface KeyPolicy {
  scope: ThrottleScope;
  key: string;
  max: number;
  backoff: boolean;
}

type ThrottleRow = { failures: number; locked_until: string | null };

const loginHash = (login: string) => sha256(`cratekeeper-login:${login.toLowerCase()}`);

/**
 * Failed sign-ins, decided before the password is checked. Each attempt atomically reserves a
 * slot on its keys with one upsert whose `where` refuses keys that are backing off or locked
 * (`locked_until` in the future), so concurrent guesses cannot all pass a check made before any
 * of them was counted, and a refused attempt never runs the password hash. A reservation counts
 * as a failure until the attempt succeeds.
 */
export class LoginThrottle {
  readonly settings: ThrottleSettings;

  constructor(
    private readonly db: Kysely<Database>,
    settings: Partial<ThrottleSettings> = {},
    private readonly passwords: PasswordVerifier = scryptPasswords,
  ) {
    this.settings = { ...DEFAULT_THROTTLE, ...settings };
  }

  private policies(attempt: SignInAttempt): KeyPolicy[] {
    const h = loginHash(attempt.login);
    const ip = attempt.ip ?? 'unknown';
    const { clientMaxFailures, loginMaxFailures, ipMaxFailures } = this.settings;
    const keys: KeyPolicy[] = [
      { scope: 'client', key: `client:${h}:${ip}`, max: clientMaxFailures, backoff: true },
    ];
    if (!attempt.trusted) {
      keys.push({ scope: 'login', key: `login:${h}`, max: loginMaxFailures, backoff: false });
      keys.push({ scope: 'ip', key: `ip:${ip}`, max: ipMaxFailures, backoff: false });
    }
    return keys;
  }

  private delayAfter(failures: number): number {
    return Math.min(this.settings.baseDelayMs * 2 ** (failures - 1), this.settings.maxDelayMs);
  }

  /** `locked_until` after the attempt numbered `n`: a lock at the ceiling, else the backoff. */
  private nextLock(p: KeyPolicy, n: RawBuilder<number>, now: Date): RawBuilder<string | null> {
    const at = (ms: number) => nowIso(new Date(now.getTime() + ms));
    const steps = p.backoff
      ? Array.from(
          { length: Math.max(p.max - 1, 0) },
          (_, i) => sql`when ${n} = ${i + 1} then ${at(this.delayAfter(i + 1))}`,
        )
      : [];
    return sql<
      string | null
    >`case when ${n} >= ${p.max} then ${at(this.settings.lockMs)} ${sql.join(steps, sql` `)} else null end`;
  }

  /** Reserves an attempt on `p.key`; null when the key is backing off or locked. */
  private async reserve(p: KeyPolicy, now: Date): Promise<ThrottleRow | null> {
    const at = nowIso(now);
    const windowStart = nowIso(new Date(now.getTime() - this.settings.windowMs));
    const expired = sql<boolean>`login_throttle.first_failure_at < ${windowStart}`;
    const n = sql<number>`(case when ${expired} then 1 else login_throttle.failures + 1 end)`;
    const first = p.max <= 1 ? this.settings.lockMs : p.backoff ? this.delayAfter(1) : null;
    const row = await this.db
      .insertInto('login_throttle')
      .values({
        key: p.key,
        failures: 1,
        first_failure_at: at,
        locked_until: first === null ? null : nowIso(new Date(now.getTime() + first)),
      })
      .onConflict((oc) =>
        oc
          .column('key')
          .doUpdateSet({
            failures: n,
            first_failure_at: sql<string>`case when ${expired} then ${at} else login_throttle.first_failure_at end`,
            locked_until: this.nextLock(p, n, now),
          })
          .where((eb) =>
            eb.or([
              eb('login_throttle.locked_until', 'is', null),
              eb('login_throttle.locked_until', '<=', at),
            ]),
          ),
      )
      .returning(['failures', 'locked_until'])
      .executeTakeFirst();
    return row ?? null;
  }

  /**
   * A refused attempt on a pair that is only backing off still counts, so hammering a login
   * from one address ends in its lock rather than in a free guess whenever the backoff lapses.
   */
  private async countRefused(p: KeyPolicy, now: Date): Promise<ThrottleRow | null> {
    const lock = nowIso(new Date(now.getTime() + this.settings.lockMs));
    const row = await this.db
      .updateTable('login_throttle')
      .set({
        failures: sql<number>`failures + 1`,
        locked_until: sql<
          string | null
        >`case when failures + 1 >= ${p.max} then ${lock} else locked_until end`,
      })
      .where('key', '=', p.key)
      .where('failures', '<', p.max)
      .returning(['failures', 'locked_until'])
      .executeTakeFirst();
    return row ?? null;
  }

  private async lockedUntil(key: string): Promise<string> {
    const row = await this.db
      .selectFrom('login_throttle')
      .select('locked_until')
      .where('key', '=', key)
      .executeTakeFirst();
    return row?.locked_until ?? nowIso();
  }

  /**
   * Reserves the attempt on every key that applies, in a fixed order (so concurrent attempts
   * never wait on each other crosswise), and only then checks the password.
   */
  async check(
    attempt: SignInAttempt,
    password: string,
    storedHash: string | null,
    now = new Date(),
  ): Promise<AttemptResult> {
    const locks: ThrottleLock[] = [];
    let delayMs = 0;
    let lockedUntil: string | null = null;
    for (const p of this.policies(attempt)) {
      const row = await this.reserve(p, now);
      if (!row) {
        const counted = p.backoff ? await this.countRefused(p, now) : null;
        if (counted && counted.failures === p.max && counted.locked_until) {
          locks.push({ scope: p.scope, until: counted.locked_until, failures: counted.failures });
        }
        return { refused: true, retryAt: counted?.locked_until ?? (await this.lockedUntil(p.key)), locks };
      }
      if (row.failures >= p.max && row.locked_until) {
        locks.push({ scope: p.scope, until: row.locked_until, failures: row.failures });
        lockedUntil = row.locked_until;
      } else if (p.backoff) {
        delayMs = this.delayAfter(row.failures);
      }
    }
    await this.prune(now);
    const ok = await this.passwords.verify(password, storedHash);
    return { refused: false, ok, delayMs, lockedUntil, locks };
  }

  /**
   * Drops counters whose window and lock are over (they would start afresh anyway), so hashes of
   * mistyped logins do not pile up. Runs at most as often as the password hash does.
   */
  private async prune(now: Date): Promise<void> {
    const windowStart = nowIso(new Date(now.getTime() - this.settings.windowMs));
    await this.db
      .deleteFrom('login_throttle')
      .where('first_failure_at', '<', windowStart)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', nowIso(now))]))
      .execute();
  }

  /** A successful sign-in: this pair starts over. The wider counters keep the reserved attempt. */
  async succeeded(
    attempt: Pick<SignInAttempt, 'login' | 'ip'>,
    db: Kysely<Database> = this.db,
  ): Promise<void> {
    const key = `client:${loginHash(attempt.login)}:${attempt.ip ?? 'unknown'}`;
    await db.deleteFrom('login_throttle').where('key', '=', key).execute();
  }

  /** Forgets every failure counted against `login` (from every address); returns how many keys. */
  async clearLogin(login: string, db: Kysely<Database> = this.db): Promise<number> {
    const h = loginHash(login);
    const res = await db
      .deleteFrom('login_throttle')
      .where((eb) => eb.or([eb('key', '=', `login:${h}`), eb('key', 'like', `client:${h}:%`)]))
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  /** Remembers a successful sign-in's address as one of the user's known addresses. */
  async remember(
    userId: number,
    ip: string | null,
    now = new Date(),
    db: Kysely<Database> = this.db,
  ): Promise<void> {
    if (!ip) return;
    await db
      .insertInto('sign_in_addresses')
      .values({ user_id: userId, ip, first_at: nowIso(now), last_at: nowIso(now) })
      .onConflict((oc) => oc.columns(['user_id', 'ip']).doUpdateSet({ last_at: nowIso(now) }))
      .execute();
  }

  async knows(userId: number, ip: string | null): Promise<boolean> {
    if (!ip) return false;
    const row = await this.db
      .selectFrom('sign_in_addresses')
      .select('user_id')
      .where('user_id', '=', userId)
      .where('ip', '=', ip)
      .executeTakeFirst();
    return row !== undefined;
  }
}
