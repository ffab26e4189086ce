// Owner invitations in the console: every pending invitation for admins (crate, invitee,
// inviter, age, expiry), and an admin who is the invitee may answer their own here. Nobody
// answers for someone else, admins included: an owner must have said yes themselves.
import { expiredError, parseId } from '../registry/routes/owner-invitations.js';
import { forbidden, notFound } from '../registry/errors.js';
import { isExpired, type InvitationView } from '../store/owner-invitations.js';
import {
  InvitationQuery,
  OwnerInvitationAnswer,
  OwnerInvitationList,
  Params,
  type OwnerInvitation,
} from './api-types.js';
import { actorOf, adminRoute, type AdminContext } from './plugin.js';

export function invitationJson(v: InvitationView, now = new Date()): OwnerInvitation {
  return {
    id: v.id,
    crate: v.crate_name,
    crateId: v.crate_id,
    invitee: v.invitee_login,
    inviter: v.inviter_login,
    createdAt: v.created_at,
    expiresAt: v.expires_at,
    expired: isExpired(v, now),
  };
}

export function registerInvitationRoutes({ app, services }: AdminContext): void {
  const { invitations } = services;

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/owner-invitations',
      summary: 'Pending owner invitations: crate, invitee, inviter, created, expiry (expired ones flagged)',
      access: { allCrates: true },
      query: InvitationQuery,
      response: OwnerInvitationList,
    },
    async (req) => {
      const q = req.query;
      const filter: { crateId?: number; inviteeId?: number } = {};
      if (q.crate) {
        const krate = await services.crates.findByName(q.crate);
        if (!krate) return { total: 0, invitations: [] };
        filter.crateId = krate.id;
      }
      if (q.invitee) {
        const user = await services.users.findByLogin(q.invitee);
        if (!user) return { total: 0, invitations: [] };
        filter.inviteeId = user.id;
      }
      // Lapsed invitations stay listed (flagged) until they are answered, replaced or swept:
      // an admin should see them; `include_expired=0` leaves them out.
      const includeExpired = q.include_expired !== '0' && q.include_expired !== 'false';
      const limit = Math.min(Math.max(Number.parseInt(q.per_page ?? '100', 10) || 100, 1), 500);
      const offset = Math.max(Number.parseInt(q.offset ?? '0', 10) || 0, 0);
      const now = new Date();
      const [total, rows] = await Promise.all([
        invitations.repository.count({ ...filter, includeExpired, now }),
        invitations.repository.list({ ...filter, includeExpired, now, limit, offset }),
      ]);
      return { total, invitations: rows.map((r) => invitationJson(r, now)) };
    },
  );

  for (const accepted of [true, false]) {
    adminRoute(
      app,
      {
        method: 'POST',
        url: `/owner-invitations/:id/${accepted ? 'accept' : 'decline'}`,
        summary: `${accepted ? 'Accept' : 'Decline'} an owner invitation addressed to the signed-in admin`,
        access: {},
        params: Params.id,
        response: OwnerInvitationAnswer,
      },
      async (req) => {
        const actor = actorOf(req);
        const id = parseId(req.params.id, 'invitation id');
        const view = await invitations.repository.viewById(id);
        if (!view) throw notFound(`no pending owner invitation #${id}`);
        if (view.invitee_id !== actor.user.id) {
          throw forbidden(`only the invitee (${view.invitee_login}) can answer this invitation`);
        }
        const r = await invitations.respond(view.crate_id, actor.user, accepted, {
          ip: actor.ip,
          details: { via: 'console' },
        });
        if (r.kind === 'expired') throw expiredError(r.crateName);
        if (r.kind !== 'accepted' && r.kind !== 'declined')
          throw notFound(`no pending owner invitation #${id}`);
        return { crate: r.crateName, accepted };
      },
    );
  }
}
