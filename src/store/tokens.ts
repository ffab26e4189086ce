// API tokens: random secrets shown once, stored only as a SHA-256 hash, with scopes,
// optional crate-name patterns and an optional expiry (crates.io's token model).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
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

export function parseScopes(text: string): TokenScope[] {
  const scopes = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of scopes) {
    if (!(TOKEN_SCOPES as readonly string[]).includes(s)) {
      throw new Error(`unknown scope \`${s}\`; known scopes: ${TOKEN_SCOPES.join(', ')}`);
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

export class TokenRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(input: {
    userId: number;
    name: string;
    scopes: TokenScope[];
    cratePatterns?: string[] | null;
    expiresInDays?: number | null;
  }): Promise<{ token: string; row: TokenRow }> {
    if (input.scopes.length === 0) throw new Error('a token needs at least one scope');
    if (input.scopes.includes('admin')) {
      const owner = await this.db
        .selectFrom('users')
        .select('is_admin')
        .where('id', '=', input.userId)
        .executeTakeFirst();
      if (owner?.is_admin !== 1) throw new Error('the `admin` scope is only for administrators');
    }
    for (const p of input.cratePatterns ?? []) validateCratePattern(p);
    if (input.expiresInDays !== undefined && input.expiresInDays !== null) {
      if (!Number.isFinite(input.expiresInDays) || input.expiresInDays <= 0) {
        throw new Error('expiry must be a positive number of days');
      }
    }
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const now = new Date();
    const row = await this.db
      .insertInto('api_tokens')
      .values({
        user_id: input.userId,
        name: input.name,
        token_hash: hashToken(token),
        scopes: input.scopes.join(','),
        crate_patterns: input.cratePatterns?.length ? JSON.stringify(input.cratePatterns) : null,
        created_at: nowIso(now),
        expires_at: input.expiresInDays ? nowIso(addDays(now, input.expiresInDays)) : null,
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
