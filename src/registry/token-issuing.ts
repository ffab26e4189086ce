// Issuing and rotating API tokens, from the command line and from the admin API alike. One
// transaction holds the owner's token-creation bucket, the new token and its audit entry: a
// refused creation takes nothing and writes nothing, and a token never exists unaudited.
import type { Kysely } from 'kysely';
import type { AuditLog } from '../store/audit-log.js';
import type { RateLimiter } from '../store/rate-limits.js';
import type { Database, TokenRow, UserRow } from '../store/schema.js';
import type { TokenRepository, TokenScope } from '../store/tokens.js';
import { rateLimited } from './rate-limit-errors.js';

/** Who asks: an administrator (console or admin token) or the operator's command line. */
export interface TokenIssuingActor {
  id: number | null;
  /** The actor's login, or `cli`. */
  name: string;
  ip?: string | null;
}

export interface NewToken {
  owner: UserRow;
  name: string;
  scopes: TokenScope[];
  cratePatterns: string[] | null;
  /** Undefined: the registry's default lifetime; null: never expires. */
  expiresInDays?: number | null;
  reason?: string | null;
}

export class TokenIssuing {
  constructor(
    private readonly deps: {
      db: Kysely<Database>;
      tokens: TokenRepository;
      rateLimits: RateLimiter;
      audit: AuditLog;
      rateLimitContact: () => string | null;
    },
  ) {}

  /** A new token for `input.owner`; its secret is in the answer only. Refused: 429 (RegistryError). */
  async create(
    input: NewToken,
    actor: TokenIssuingActor,
    now = new Date(),
  ): Promise<{ token: string; row: TokenRow }> {
    const { db, tokens, audit } = this.deps;
    return db.transaction().execute(async (trx) => {
      await this.take(input.owner.id, now, trx);
      const created = await tokens.create(
        {
          userId: input.owner.id,
          name: input.name,
          scopes: input.scopes,
          cratePatterns: input.cratePatterns,
          ...(input.expiresInDays !== undefined ? { expiresInDays: input.expiresInDays } : {}),
        },
        trx,
      );
      await audit.append(
        {
          actorId: actor.id,
          actor: actor.name,
          action: 'token-create',
          targetType: 'token',
          target: `${input.owner.login}/${created.row.name}#${created.row.id}`,
          reason: input.reason ?? null,
          details: { scopes: input.scopes, crates: input.cratePatterns, expiresAt: created.row.expires_at },
          ip: actor.ip ?? null,
        },
        now,
        trx,
      );
      return created;
    });
  }

  /**
   * A new secret for a live token (same owner, name, scopes, crates and lifetime), the old one
   * revoked in the same transaction; null when it is revoked or expired already.
   */
  async rotate(
    tokenId: number,
    actor: TokenIssuingActor,
    now = new Date(),
  ): Promise<{ token: string; row: TokenRow; previous: TokenRow; owner: string } | null> {
    const { db, tokens, audit } = this.deps;
    return db.transaction().execute(async (trx) => {
      const current = await trx
        .selectFrom('api_tokens')
        .innerJoin('users', 'users.id', 'api_tokens.user_id')
        .select(['api_tokens.user_id', 'users.login'])
        .where('api_tokens.id', '=', tokenId)
        .executeTakeFirst();
      if (!current) return null;
      await this.take(current.user_id, now, trx);
      const rotated = await tokens.rotate(tokenId, now, trx);
      if (!rotated) return null;
      await audit.append(
        {
          actorId: actor.id,
          actor: actor.name,
          action: 'token-rotate',
          targetType: 'token',
          target: `${current.login}/${rotated.row.name}#${rotated.row.id}`,
          details: { previous: rotated.previous.id, expiresAt: rotated.row.expires_at },
          ip: actor.ip ?? null,
        },
        now,
        trx,
      );
      return { ...rotated, owner: current.login };
    });
  }

  private async take(userId: number, now: Date, trx: Kysely<Database>): Promise<void> {
    const taken = await this.deps.rateLimits.take({ userId }, 'token-create', now, trx);
    if (!taken.ok) throw rateLimited('token-create', taken.retryAt, this.deps.rateLimitContact(), now);
  }
}
