// API tokens: random secrets shown once, stored only as a SHA-256 hash, with scopes,
// optional crate-name patterns and an optional expiry (crates.io's token model).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { canonicalCrateName } from '../domain/crate-name.js';
import type { Database, TokenRow, UserRow } from './schema.js';
import { addDays, nowIso } from './time.js';

export const TOKEN_SCOPES = ['publish-new', 'publish-update', 'yank', 'change-owners', 'admin'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];
/**
 * What a token gets when no scopes are asked for: the registry scopes. `admin` (the admin API)
 * is never among them, so a CI token cannot act as an administrator unless asked for explicitly.
 */
export const DEFAULT_TOKEN_SCOPES: readonly TokenScope[] = TOKEN_SCOPES.filter((s) => s !== 'admin');

const TOKEN_PREFIX = 'ck_';
const PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}\*?$|^\*$/;

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Comma-separated scopes (the CLI's `--scopes`), checked as `validScopes` does. */
export function parseScopes(text: string): TokenScope[] {
  return validScopes(
    text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

/** Known scopes, at least one, without repeats; otherwise an Error naming the bad one. */
export function validScopes(scopes: readonly string[]): TokenScope[] {
  for (const s of scopes) {
    if (!(TOKEN_SCOPES as readonly string[]).includes(s)) {
      throw new Error(`unknown scope \`${s.slice(0, 40)}\`; known scopes: ${TOKEN_SCOPES.join(', ')}`);
    }
  }
  if (scopes.length === 0) throw new Error('a token needs at least one scope');
  return [...new Set(scopes)] as TokenScope[];
}

export function validateCratePattern(pattern: string): void {
  if (!PATTERN.test(pattern)) {
    throw new Error(
      `invalid crate pattern \`${pattern.slice(0, 80)}\`: a crate name, optionally ending in \`*\``,
    );
  }
}

/** crates.io's crate scopes: an exact name, or a prefix followed by `*`; `-` and `_` are equivalent. */
export function cratePatternMatches(pattern: string, crateName: string): boolean {
  const name = canonicalCrateName(crateName);
  if (pattern.endsWith('*')) return name.startsWith(canonicalCrateName(pattern.slice(0, -1)));
  return name === canonicalCrateName(pattern);
}

export interface AuthenticatedToken {
  token: TokenRow;
  user: UserRow;
  scopes: TokenScope[];
  cratePatterns: string[] | null;
}

/** What a new token lives unless told otherwise (`[tokens] default_expiry_days`). */
export const DEFAULT_TOKEN_EXPIRY_DAYS = 90;

export class TokenRepository {
  constructor(
    private readonly db: Kysely<Database>,
    /** Days a token lives when `expiresInDays` is not given; null: no expiry by default. */
    readonly defaultExpiryDays: number | null = DEFAULT_TOKEN_EXPIRY_DAYS,
  ) {}

  async create(
    input: {
      userId: number;
      name: string;
      scopes: TokenScope[];
      cratePatterns?: string[] | null;
      /** Undefined: the default lifetime; null: never expires. */
      expiresInDays?: number | null;
    },
    db: Kysely<Database> = this.db,
  ): Promise<{ token: string; row: TokenRow }> {
    if (input.scopes.length === 0) throw new Error('a token needs at least one scope');
    if (input.scopes.includes('admin')) {
      const owner = await db
        .selectFrom('users')
        .select('is_admin')
        .where('id', '=', input.userId)
        .executeTakeFirst();
      if (owner?.is_admin !== 1) throw new Error('the `admin` scope is only for administrators');
    }
    for (const p of input.cratePatterns ?? []) validateCratePattern(p);
    const days = input.expiresInDays === undefined ? this.defaultExpiryDays : input.expiresInDays;
    if (days !== null) {
      if (!Number.isFinite(days) || days <= 0) {
        throw new Error('expiry must be a positive number of days');
      }
    }
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const now = new Date();
    const row = await db
      .insertInto('api_tokens')
      .values({
        user_id: input.userId,
        name: input.name,
        token_hash: hashToken(token),
        scopes: input.scopes.join(','),
        crate_patterns: input.cratePatterns?.length ? JSON.stringify(input.cratePatterns) : null,
        created_at: nowIso(now),
        expires_at: days !== null ? nowIso(addDays(now, days)) : null,
        last_used_at: null,
        revoked_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { token, row };
  }

  /**
   * The token's owner when `presented` is a live token. The lookup is by hash, and the stored
   * hash is compared again in constant time so no branch depends on the secret's bytes.
   */
  async authenticate(presented: string, now = new Date()): Promise<AuthenticatedToken | null> {
    if (presented.length === 0 || presented.length > 512) return null;
    const hash = hashToken(presented);
    const row = await this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('token_hash', '=', hash)
      .executeTakeFirst();
    if (!row) return null;
    if (!timingSafeEqual(Buffer.from(row.token_hash, 'hex'), Buffer.from(hash, 'hex'))) return null;
    if (row.revoked_at !== null) return null;
    if (row.expires_at !== null && row.expires_at <= nowIso(now)) return null;
    const user = await this.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', row.user_id)
      .executeTakeFirst();
    if (!user) return null;
    // Writing on every request would turn index reads into writes; a minute's precision is enough.
    const stale = row.last_used_at === null || Date.parse(row.last_used_at) < now.getTime() - 60_000;
    if (stale) {
      await this.db
        .updateTable('api_tokens')
        .set({ last_used_at: nowIso(now) })
        .where('id', '=', row.id)
        .execute();
    }
    return {
      token: row,
      user,
      scopes: row.scopes.split(',').filter(Boolean) as TokenScope[],
      cratePatterns: row.crate_patterns ? (JSON.parse(row.crate_patterns) as string[]) : null,
    };
  }

  async listForUser(userId: number): Promise<TokenRow[]> {
    return this.db.selectFrom('api_tokens').selectAll().where('user_id', '=', userId).orderBy('id').execute();
  }

  async revoke(tokenId: number, now = new Date(), db: Kysely<Database> = this.db): Promise<boolean> {
    const res = await db
      .updateTable('api_tokens')
      .set({ revoked_at: nowIso(now) })
      .where('id', '=', tokenId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /**
   * A new secret for a live token: same owner, name, scopes and crate patterns, and the same
   * lifetime counted from now (none if it had none). The old token is revoked in the same
   * transaction, so there is never a moment with neither or both live; a token revoked or
   * expired meanwhile is refused (null).
   */
  async rotate(
    tokenId: number,
    now = new Date(),
    trx?: Transaction<Database>,
  ): Promise<{ token: string; row: TokenRow; previous: TokenRow } | null> {
    if (!trx) return this.db.transaction().execute((t) => this.rotate(tokenId, now, t));
    const previous = await trx
      .updateTable('api_tokens')
      .set({ revoked_at: nowIso(now) })
      .where('id', '=', tokenId)
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', nowIso(now))]))
      .returningAll()
      .executeTakeFirst();
    if (!previous) return null;
    const lifetimeDays =
      previous.expires_at === null
        ? null
        : (Date.parse(previous.expires_at) - Date.parse(previous.created_at)) / 86_400_000;
    const created = await this.create(
      {
        userId: previous.user_id,
        name: previous.name,
        scopes: previous.scopes.split(',').filter(Boolean) as TokenScope[],
        cratePatterns: previous.crate_patterns ? (JSON.parse(previous.crate_patterns) as string[]) : null,
        expiresInDays: lifetimeDays === null ? null : Math.max(lifetimeDays, 1 / 1440),
      },
      trx,
    );
    return { ...created, previous };
  }

  /**
   * Live tokens expiring within `withinDays` whose owner was not yet warned, marked as warned
   * in the same statement (so two processes never both send the warning).
   */
  async claimExpiryWarnings(withinDays: number, now = new Date()): Promise<TokenRow[]> {
    return this.db
      .updateTable('api_tokens')
      .set({ expiry_warned_at: nowIso(now) })
      .where('revoked_at', 'is', null)
      .where('expiry_warned_at', 'is', null)
      .where('expires_at', 'is not', null)
      .where('expires_at', '>', nowIso(now))
      .where('expires_at', '<=', nowIso(addDays(now, withinDays)))
      .returningAll()
      .execute();
  }

  async revokeAllForUser(userId: number, now = new Date(), db: Kysely<Database> = this.db): Promise<number> {
    const res = await db
      .updateTable('api_tokens')
      .set({ revoked_at: nowIso(now) })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }
}
