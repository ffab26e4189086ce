// Owner invitations, crates.io's semantics: `cargo owner --add` invites, the invitee accepts
// (or declines) before becoming an owner, and an invitation lapses after 30 days. Each action
// and its audit entry commit in one transaction. The acceptance token is random, handed out
// once and stored only as its SHA-256 hash.
import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { AuditLog } from './audit-log.js';
import type { Database, OwnerInvitationRow, UserRow } from './schema.js';
import { hashToken } from './tokens.js';
import { addDays, nowIso } from './time.js';

/** crates.io's `ownership_invitations_expiration`. */
export const INVITATION_DAYS = 30;

/** An invitation with the names a list shows. */
export interface InvitationView extends OwnerInvitationRow {
  crate_name: string;
  invitee_login: string;
  inviter_login: string | null;
}

export interface InvitationFilter {
  inviteeId?: number;
  crateId?: number;
  /** Expired invitations are left out unless asked for (crates.io lists only live ones). */
  includeExpired?: boolean;
  now?: Date;
  limit?: number;
  offset?: number;
}

/** Who acts, as the audit log names them. */
export interface Actor {
  id: number | null;
  login: string;
}

/** Where the action came from, for the audit entry. */
export interface ActionContext {
  ip?: string | null;
  details?: Record<string, unknown>;
}

export type InviteOutcome =
  | { kind: 'invited' | 'renewed'; token: string; invitation: OwnerInvitationRow }
  | { kind: 'already-owner'; token?: undefined };

export type AnswerOutcome =
  | { kind: 'accepted' | 'declined'; invitation: OwnerInvitationRow; crateName: string }
  | { kind: 'expired'; crateName: string }
  | { kind: 'not-found' }
  /** The token belongs to someone else's invitation (only from `acceptByToken`). */
  | { kind: 'wrong-user' };

type Db = Kysely<Database> | Transaction<Database>;

/** Tokens are 32 random bytes in base64url; anything else cannot match, so it is not looked up. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,128}$/;

export class OwnerInvitationRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async find(crateId: number, inviteeId: number, trx: Db = this.db): Promise<OwnerInvitationRow | undefined> {
    return trx
      .selectFrom('crate_owner_invitations')
      .selectAll()
      .where('crate_id', '=', crateId)
      .where('invitee_id', '=', inviteeId)
      .executeTakeFirst();
  }

  async findById(id: number, trx: Db = this.db): Promise<OwnerInvitationRow | undefined> {
    return trx.selectFrom('crate_owner_invitations').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async findByToken(token: string, trx: Db = this.db): Promise<OwnerInvitationRow | undefined> {
    if (!TOKEN_SHAPE.test(token)) return undefined;
    return trx
      .selectFrom('crate_owner_invitations')
      .selectAll()
      .where('token_hash', '=', hashToken(token))
      .executeTakeFirst();
  }

  /** Creates the invitation, or renews the pending one (new token, inviter and expiry). */
  async upsert(
    trx: Db,
    input: { crateId: number; inviteeId: number; inviterId: number | null },
    now: Date,
    days = INVITATION_DAYS,
  ): Promise<{ row: OwnerInvitationRow; token: string }> {
    const token = randomBytes(32).toString('base64url');
    const fields = {
      inviter_id: input.inviterId,
      token_hash: hashToken(token),
      created_at: nowIso(now),
      expires_at: nowIso(addDays(now, days)),
    };
    const row = await trx
      .insertInto('crate_owner_invitations')
      .values({ crate_id: input.crateId, invitee_id: input.inviteeId, ...fields })
      // Two owners inviting the same user at once both end with one invitation.
      .onConflict((oc) => oc.columns(['crate_id', 'invitee_id']).doUpdateSet(fields))
      .returningAll()
      .executeTakeFirstOrThrow();
    return { row, token };
  }

  /**
   * Removes the invitation and returns it, or undefined when it is already gone. This is the
   * claim that makes answers exclusive: of two concurrent answers only one deletes the row.
   */
  async take(trx: Db, id: number): Promise<OwnerInvitationRow | undefined> {
    return trx.deleteFrom('crate_owner_invitations').where('id', '=', id).returningAll().executeTakeFirst();
  }

  async isOwner(trx: Db, crateId: number, userId: number): Promise<boolean> {
    const row = await trx
      .selectFrom('crate_owners')
      .select('user_id')
      .where('crate_id', '=', crateId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** The owner row an accepted invitation becomes; false when the user already owned the crate. */
  async addOwner(
    trx: Db,
    crateId: number,
    userId: number,
    addedBy: number | null,
    now: Date,
  ): Promise<boolean> {
    const res = await trx
      .insertInto('crate_owners')
      .values({ crate_id: crateId, user_id: userId, created_at: nowIso(now), added_by: addedBy })
      .onConflict((oc) => oc.columns(['crate_id', 'user_id']).doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  private view(trx: Db) {
    return trx
      .selectFrom('crate_owner_invitations as i')
      .innerJoin('crates as c', 'c.id', 'i.crate_id')
      .innerJoin('users as invitee', 'invitee.id', 'i.invitee_id')
      .leftJoin('users as inviter', 'inviter.id', 'i.inviter_id');
  }

  private filtered(filter: InvitationFilter, trx: Db) {
    let q = this.view(trx);
    if (filter.inviteeId !== undefined) q = q.where('i.invitee_id', '=', filter.inviteeId);
    if (filter.crateId !== undefined) q = q.where('i.crate_id', '=', filter.crateId);
    if (!filter.includeExpired) q = q.where('i.expires_at', '>', nowIso(filter.now ?? new Date()));
    return q;
  }

  async list(filter: InvitationFilter = {}, trx: Db = this.db): Promise<InvitationView[]> {
    return this.filtered(filter, trx)
      .selectAll('i')
      .select(['c.name as crate_name', 'invitee.login as invitee_login', 'inviter.login as inviter_login'])
      .orderBy('i.crate_id')
      .orderBy('i.invitee_id')
      .limit(Math.min(filter.limit ?? 500, 500))
      .offset(filter.offset ?? 0)
      .execute();
  }

  async count(filter: InvitationFilter = {}): Promise<number> {
    const row = await this.filtered(filter, this.db)
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async viewById(id: number, trx: Db = this.db): Promise<InvitationView | undefined> {
    return this.view(trx)
      .selectAll('i')
      .select(['c.name as crate_name', 'invitee.login as invitee_login', 'inviter.login as inviter_login'])
      .where('i.id', '=', id)
      .executeTakeFirst();
  }
}

export const isExpired = (row: Pick<OwnerInvitationRow, 'expires_at'>, now = new Date()): boolean =>
  row.expires_at <= nowIso(now);

/** The actions on invitations, each committed together with its audit entry. */
export class OwnerInvitations {
  readonly repository: OwnerInvitationRepository;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly audit: AuditLog,
  ) {
    this.repository = new OwnerInvitationRepository(db);
  }

  /** Invites `invitee` (or renews their pending invitation). The token is for the invitee only. */
  async invite(
    krate: { id: number; name: string },
    invitee: Pick<UserRow, 'id' | 'login'>,
    inviter: Actor,
    ctx: ActionContext,
    now = new Date(),
    trx?: Transaction<Database>,
  ): Promise<InviteOutcome> {
    if (!trx) return this.db.transaction().execute((t) => this.invite(krate, invitee, inviter, ctx, now, t));
    const repo = this.repository;
    if (await repo.isOwner(trx, krate.id, invitee.id)) return { kind: 'already-owner' };
    const existing = await repo.find(krate.id, invitee.id, trx);
    if (existing && isExpired(existing, now)) {
      await this.record(
        trx,
        systemActor,
        'owner-invite-expire',
        krate.name,
        existing,
        invitee.login,
        {},
        now,
      );
    }
    const renewing = existing !== undefined && !isExpired(existing, now);
    const { row, token } = await repo.upsert(
      trx,
      { crateId: krate.id, inviteeId: invitee.id, inviterId: inviter.id },
      now,
    );
    await this.record(
      trx,
      inviter,
      renewing ? 'owner-invite-renew' : 'owner-invite',
      krate.name,
      row,
      invitee.login,
      ctx,
      now,
    );
    return { kind: renewing ? 'renewed' : 'invited', token, invitation: row };
  }

  /** The invitee's answer to their invitation for crate `crateId` (crates.io: PUT …/:crate_id). */
  async respond(
    crateId: number,
    invitee: Pick<UserRow, 'id' | 'login'>,
    accepted: boolean,
    ctx: ActionContext,
    now = new Date(),
  ): Promise<AnswerOutcome> {
    return this.db.transaction().execute(async (trx) => {
      const row = await this.repository.find(crateId, invitee.id, trx);
      if (!row) return { kind: 'not-found' } as const;
      return this.settle(trx, row.id, invitee, accepted, ctx, now);
    });
  }

  /**
   * Accepts with the invitation's token (crates.io: PUT …/accept/:token). The token is the
   * credential; when the caller is also signed in, they must be the invitee.
   */
  async acceptByToken(
    token: string,
    caller: Pick<UserRow, 'id'> | null,
    ctx: ActionContext,
    now = new Date(),
  ): Promise<AnswerOutcome> {
    const found = await this.repository.findByToken(token);
    if (!found) return { kind: 'not-found' };
    if (caller && caller.id !== found.invitee_id) return { kind: 'wrong-user' };
    return this.db.transaction().execute(async (trx) => {
      const invitee = await trx
        .selectFrom('users')
        .select(['id', 'login'])
        .where('id', '=', found.invitee_id)
        .executeTakeFirst();
      if (!invitee) return { kind: 'not-found' } as const;
      return this.settle(
        trx,
        found.id,
        invitee,
        true,
        { ...ctx, details: { ...ctx.details, via: 'token' } },
        now,
      );
    });
  }

  /**
   * Withdraws a pending invitation (`cargo owner --remove`, an admin removing an owner); false
   * when there was none. Given `trx`, it commits with the caller's other writes.
   */
  async cancel(
    krate: { id: number; name: string },
    invitee: Pick<UserRow, 'id' | 'login'>,
    actor: Actor,
    ctx: ActionContext,
    now = new Date(),
    trx?: Transaction<Database>,
  ): Promise<boolean> {
    if (!trx) return this.db.transaction().execute((t) => this.cancel(krate, invitee, actor, ctx, now, t));
    const row = await this.repository.find(krate.id, invitee.id, trx);
    const taken = row && (await this.repository.take(trx, row.id));
    if (!taken) return false;
    await this.record(trx, actor, 'owner-invite-cancel', krate.name, taken, invitee.login, ctx, now);
    return true;
  }

  /** Removes lapsed invitations, one audit entry each; returns how many. */
  async expireDue(now = new Date()): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const due = await this.repository.list({ includeExpired: true, now }, trx);
      let n = 0;
      for (const v of due) {
        if (!isExpired(v, now)) continue;
        // A concurrent sweep or answer may have taken it first: only the taker records it.
        if (!(await this.repository.take(trx, v.id))) continue;
        await this.record(trx, systemActor, 'owner-invite-expire', v.crate_name, v, v.invitee_login, {}, now);
        n++;
      }
      return n;
    });
  }

  private async settle(
    trx: Transaction<Database>,
    id: number,
    invitee: Pick<UserRow, 'id' | 'login'>,
    accepted: boolean,
    ctx: ActionContext,
    now: Date,
  ): Promise<AnswerOutcome> {
    const row = await this.repository.take(trx, id);
    if (!row) return { kind: 'not-found' };
    const krate = await trx
      .selectFrom('crates')
      .select('name')
      .where('id', '=', row.crate_id)
      .executeTakeFirstOrThrow();
    const actor = { id: invitee.id, login: invitee.login };
    // Declining a lapsed invitation is fine (it only removes it, as on crates.io); accepting is not.
    if (accepted && isExpired(row, now)) {
      await this.record(trx, actor, 'owner-invite-expire', krate.name, row, invitee.login, ctx, now);
      return { kind: 'expired', crateName: krate.name };
    }
    if (accepted) await this.repository.addOwner(trx, row.crate_id, invitee.id, row.inviter_id, now);
    await this.record(
      trx,
      actor,
      accepted ? 'owner-invite-accept' : 'owner-invite-decline',
      krate.name,
      row,
      invitee.login,
      ctx,
      now,
    );
    return { kind: accepted ? 'accepted' : 'declined', invitation: row, crateName: krate.name };
  }

  private async record(
    trx: Transaction<Database>,
    actor: Actor,
    action: string,
    crateName: string,
    row: OwnerInvitationRow,
    inviteeLogin: string,
    ctx: ActionContext,
    now: Date,
  ): Promise<void> {
    const inviter =
      row.inviter_id === null
        ? null
        : ((await trx.selectFrom('users').select('login').where('id', '=', row.inviter_id).executeTakeFirst())
            ?.login ?? null);
    await this.audit.append(
      {
        actorId: actor.id,
        actor: actor.login,
        action,
        targetType: 'crate',
        target: crateName,
        details: {
          ...ctx.details,
          invitee: inviteeLogin,
          inviter,
          createdAt: row.created_at,
          expiresAt: row.expires_at,
        },
        ip: ctx.ip ?? null,
      },
      now,
      trx,
    );
  }
}

const systemActor: Actor = { id: null, login: 'system' };
