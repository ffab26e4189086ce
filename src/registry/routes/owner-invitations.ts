// The invitee's side of owner invitations, with crates.io's routes and JSON shapes: list them,
// accept or decline one by crate id, or accept with the token the invitation carries.
//
// Token rule. crates.io lets these endpoints be used with a session cookie or a legacy token
// without scopes; a scoped token is refused, and a crate-scoped token may only act on crates
// it matches. This registry has no unscoped tokens and no registry-side sessions, so an
// invitee's API token must carry the `change-owners` scope (answering changes a crate's
// owners), and a token limited to crate patterns sees and answers only invitations for crates
// it matches. Accepting with the invitation's token needs no API token, as on crates.io: the
// token is the credential; when an API token is sent as well, it must be the invitee's.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { InvitationView } from '../../store/owner-invitations.js';
import type { UserRow } from '../../store/schema.js';
import { cratePatternMatches, type AuthenticatedToken } from '../../store/tokens.js';
import { isLocked } from '../../store/users.js';
import { requireToken } from '../auth.js';
import { RegistryError, badRequest, forbidden, notFound } from '../errors.js';
import { jsonBody } from '../json-body.js';
import type { RegistryServices } from '../services.js';

const MAX_ID = 2_147_483_647;

/** A positive database id from a path or query value, or a 400. */
export function parseId(value: unknown, what: string): number {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^[1-9]\d{0,9}$/.test(text) || Number(text) > MAX_ID) {
    throw badRequest(`invalid ${what} \`${String(text).slice(0, 40)}\`: expected a positive integer`);
  }
  return Number(text);
}

/** crates.io's answer for a lapsed invitation. */
export const expiredError = (crateName: string) =>
  new RegistryError(
    410,
    `The invitation to become an owner of the ${crateName} crate expired. ` +
      'Please reach out to an owner of the crate to request a new invitation.',
  );

const publicUser = (u: UserRow) => ({ id: u.id, login: u.login, name: u.name, avatar: null, url: null });

export function registerOwnerInvitationRoutes(app: FastifyInstance, services: RegistryServices): void {
  const { invitations } = services;
  const { tokens, users } = services;

  const authenticate = async (req: FastifyRequest): Promise<AuthenticatedToken> => {
    const auth = await requireToken(tokens, req.headers.authorization);
    if (!auth.scopes.includes('change-owners')) {
      throw forbidden(
        'this token does not have the required permissions to perform this action (needs the `change-owners` scope)',
      );
    }
    return auth;
  };
  const crateAllowed = (auth: AuthenticatedToken, crateName: string) =>
    !auth.cratePatterns || auth.cratePatterns.some((p) => cratePatternMatches(p, crateName));
  const context = (req: FastifyRequest, auth: AuthenticatedToken | null) => ({
    ip: req.ip ?? null,
    details: { via: 'api', ...(auth ? { tokenId: auth.token.id } : {}) },
  });

  /** The users an invitation list names, each once, by id. */
  const usersOf = async (rows: InvitationView[]) => {
    const ids = [
      ...new Set(rows.flatMap((r) => [r.invitee_id, ...(r.inviter_id === null ? [] : [r.inviter_id])])),
    ];
    const found = await Promise.all(ids.sort((a, b) => a - b).map((id) => users.findById(id)));
    return found.filter((u): u is UserRow => u !== undefined).map(publicUser);
  };
  const privateJson = (r: InvitationView) => ({
    invitee_id: r.invitee_id,
    inviter_id: r.inviter_id,
    crate_id: r.crate_id,
    crate_name: r.crate_name,
    created_at: r.created_at,
    expires_at: r.expires_at,
  });
  const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store');

  app.get('/api/v1/me/crate_owner_invitations', async (req, reply) => {
    const auth = await authenticate(req);
    const rows = (await invitations.repository.list({ inviteeId: auth.user.id })).filter((r) =>
      crateAllowed(auth, r.crate_name),
    );
    noStore(reply);
    return {
      crate_owner_invitations: rows.map((r) => ({
        ...privateJson(r),
        invited_by_username: r.inviter_login ?? 'ghost',
      })),
      users: await usersOf(rows),
    };
  });

  app.get('/api/private/crate_owner_invitations', async (req, reply) => {
    const auth = await authenticate(req);
    const q = req.query as { invitee_id?: string; crate_name?: string };
    let rows: InvitationView[];
    if (typeof q.crate_name === 'string') {
      const krate = await services.crates.findByName(q.crate_name);
      if (!krate) throw notFound(`crate \`${q.crate_name.slice(0, 100)}\` does not exist`);
      if (!(await services.crates.isOwner(krate.id, auth.user.id)) || !crateAllowed(auth, krate.name)) {
        throw forbidden('only crate owners can query pending invitations for their crate');
      }
      rows = await invitations.repository.list({ crateId: krate.id });
    } else if (q.invitee_id !== undefined) {
      if (parseId(q.invitee_id, 'invitee_id') !== auth.user.id) {
        throw forbidden('only the invitee can query their pending invitations');
      }
      rows = (await invitations.repository.list({ inviteeId: auth.user.id })).filter((r) =>
        crateAllowed(auth, r.crate_name),
      );
    } else {
      throw badRequest('missing or invalid filter: give `invitee_id` or `crate_name`');
    }
    noStore(reply);
    // One page holds every pending invitation the filter can match (at most 500).
    return { invitations: rows.map(privateJson), users: await usersOf(rows), meta: { next_page: null } };
  });

  app.put('/api/v1/me/crate_owner_invitations/:crate_id', async (req) => {
    const auth = await authenticate(req);
    const crateId = parseId((req.params as { crate_id: string }).crate_id, 'crate_id');
    const invite = jsonBody(req).crate_owner_invite as { crate_id?: unknown; accepted?: unknown } | undefined;
    if (
      typeof invite !== 'object' ||
      invite === null ||
      typeof invite.accepted !== 'boolean' ||
      typeof invite.crate_id !== 'number'
    ) {
      throw badRequest('expected `{"crate_owner_invite":{"crate_id":<id>,"accepted":true|false}}`');
    }
    // crates.io reads the id from the body; a body naming another crate than the path is a mistake.
    if (invite.crate_id !== crateId) throw badRequest('`crate_id` in the body does not match the path');
    const krate = await services.db.kysely
      .selectFrom('crates')
      .select(['id', 'name'])
      .where('id', '=', crateId)
      .executeTakeFirst();
    const none = () =>
      notFound(`you have no pending invitation to be an owner of the crate with id ${crateId}`);
    if (!krate) throw none();
    if (!crateAllowed(auth, krate.name)) {
      throw forbidden(
        `this token does not have the required permissions to perform this action on crate \`${krate.name}\``,
      );
    }
    const r = await invitations.respond(krate.id, auth.user, invite.accepted, context(req, auth));
    if (r.kind === 'expired') throw expiredError(r.crateName);
    if (r.kind !== 'accepted' && r.kind !== 'declined') throw none();
    return { crate_owner_invitation: { crate_id: krate.id, accepted: invite.accepted } };
  });

  app.put('/api/v1/me/crate_owner_invitations/accept/:token', async (req) => {
    const { token } = req.params as { token: string };
    const auth = req.headers.authorization ? await requireToken(tokens, req.headers.authorization) : null;
    const found = await invitations.repository.findByToken(token);
    const none = () =>
      notFound('no pending invitation has this token: it was answered, withdrawn or replaced by a newer one');
    if (!found) throw none();
    // Without an API token nothing else checks the account: a locked invitee cannot accept.
    const invitee = await users.findById(found.invitee_id);
    if (!invitee) throw none();
    if (isLocked(invitee)) throw forbidden('this account is locked: contact the registry administrators');
    const r = await invitations.acceptByToken(token, auth?.user ?? null, context(req, auth));
    if (r.kind === 'wrong-user') {
      throw forbidden('this invitation is for another user: accept it as the user who was invited');
    }
    if (r.kind === 'expired') throw expiredError(r.crateName);
    if (r.kind !== 'accepted') throw none();
    return { crate_owner_invitation: { crate_id: r.invitation.crate_id, accepted: true } };
  });
}
