// Admin actions. Each needs a reason, is written to the audit log with who, when and from
// where in the same transaction as the action (both commit or neither), and after the commit
// drops whatever was derived from the data it changed (index files, the graph). Reads that
// decide the action happen before the transaction: on SQLite the transaction holds the one
// connection, so nothing inside it may query outside `trx`.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Transaction } from 'kysely';
import { crateNameError } from '../domain/crate-name.js';
import type { SecurityPipeline } from '../jobs/security-pipeline.js';
import { badRequest, notFound } from '../registry/errors.js';
import { jsonBody, stringField } from '../registry/json-body.js';
import type { RegistryServices } from '../registry/services.js';
import type { AlertStatus, CrateRow, Database, UserRow, VersionRow } from '../store/schema.js';
import { requireCrateAccess, type AdminActor, type AdminAuth } from './auth.js';
import { impactOf } from './read-routes.js';

/** How the admin acted, for audit details. */
const via = (actor: AdminActor) => ({
  via: actor.session ? 'console' : 'token',
  ...(actor.token ? { tokenId: actor.token.id } : {}),
});

const TRIAGE: Record<string, AlertStatus> = {
  acknowledge: 'acknowledged',
  escalate: 'escalated',
  dismiss: 'dismissed',
  resolve: 'resolved',
  reopen: 'open',
};

export function registerActionRoutes(
  app: FastifyInstance,
  services: RegistryServices,
  pipeline: SecurityPipeline,
  auth: AdminAuth,
  options: { deletedNameBlockDays: number },
): void {
  const db = services.db.kysely;
  const reasonOf = (req: FastifyRequest) => stringField(jsonBody(req), 'reason', { min: 3 });

  /** The action's audit entry, written in the action's transaction so both commit or neither. */
  const record = (
    trx: Transaction<Database>,
    actor: AdminActor,
    action: string,
    targetType: Parameters<typeof services.audit.append>[0]['targetType'],
    target: string,
    reason: string,
    details: Record<string, unknown> = {},
  ) =>
    services.audit.append(
      {
        actorId: actor.user.id,
        actor: actor.user.login,
        action,
        targetType,
        target,
        reason,
        details: { ...details, ...via(actor) },
        ip: actor.ip,
      },
      new Date(),
      trx,
    );
  /** One request, one transaction: the action's writes and its audit entry. */
  const inTransaction = <T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> =>
    db.transaction().execute(fn);

  const crateOr404 = async (name: string): Promise<CrateRow> => {
    const krate = await services.crates.findByName(name);
    if (!krate) throw notFound(`no crate \`${name.slice(0, 100)}\``);
    return krate;
  };
  const versionOr404 = async (krate: CrateRow, num: string): Promise<VersionRow> => {
    const v = await services.crates.findVersion(krate.id, num);
    if (!v) throw notFound(`no version ${krate.name}@${num.slice(0, 100)}`);
    return v;
  };
  const userOr404 = async (login: string): Promise<UserRow> => {
    const user = await services.users.findByLogin(login);
    if (!user) throw notFound(`no user \`${login.slice(0, 60)}\``);
    return user;
  };
  type VP = { name: string; version: string };
  app.post('/api/admin/alerts/:id/triage', async (req) => {
    const actor = await auth.require(req);
    const body = jsonBody(req);
    const action = String(body.action ?? '');
    const status = TRIAGE[action];
    if (!status) throw badRequest(`\`action\` must be one of ${Object.keys(TRIAGE).join(', ')}`);
    const reason = stringField(body, 'reason', { min: 3 });
    const id = Number((req.params as { id: string }).id);
    const alert = Number.isInteger(id) ? await pipeline.alerts.get(id) : undefined;
    if (!alert) throw notFound('no such alert');
    requireCrateAccess(actor, alert.crate_name);
    const note = typeof body.note === 'string' && body.note.trim() ? body.note.trim().slice(0, 5000) : null;
    await inTransaction(async (trx) => {
      const now = new Date();
      await pipeline.alerts.setStatus(id, status, now, trx);
      if (note) await pipeline.alerts.addNote(id, actor.user, note, now, trx);
      await record(trx, actor, `alert-${action}`, 'alert', String(id), reason, {
        crate: alert.crate_name,
        from: alert.status,
        to: status,
        note,
      });
    });
    return { ok: true, status };
  });

  app.post('/api/admin/alerts/:id/notes', async (req) => {
    const actor = await auth.require(req);
    const note = stringField(jsonBody(req), 'note', { max: 5000 });
    const id = Number((req.params as { id: string }).id);
    const alert = Number.isInteger(id) ? await pipeline.alerts.get(id) : undefined;
    if (!alert) throw notFound('no such alert');
    requireCrateAccess(actor, alert.crate_name);
    await inTransaction(async (trx) => {
      await pipeline.alerts.addNote(id, actor.user, note, new Date(), trx);
      await record(trx, actor, 'alert-note', 'alert', String(id), 'note added', { note });
    });
    return { ok: true };
  });

  const yank = (yanked: boolean) => async (req: FastifyRequest) => {
    const { name, version } = req.params as VP;
    const actor = await auth.require(req, { crate: name });
    const reason = reasonOf(req);
    const krate = await crateOr404(name);
    const v = await versionOr404(krate, version);
    const impact = await impactOf(services, krate.name, v.num);
    await inTransaction(async (trx) => {
      const now = new Date();
      await services.crates.setYanked(v.id, yanked, now, trx);
      await services.crates.touch(krate.id, now, trx);
      await record(trx, actor, yanked ? 'yank' : 'unyank', 'version', `${krate.name}@${v.num}`, reason, {
        impact,
      });
    });
    services.crateChanged(krate.name);
    return { ok: true, crate: krate.name, version: v.num, yanked };
  };
  app.post('/api/admin/crates/:name/versions/:version/yank', yank(true));
  app.post('/api/admin/crates/:name/versions/:version/unyank', yank(false));

  const decide = (status: 'published' | 'rejected') => async (req: FastifyRequest) => {
    const { name, version } = req.params as VP;
    const actor = await auth.require(req, { crate: name });
    const reason = reasonOf(req);
    const krate = await crateOr404(name);
    const v = await versionOr404(krate, version);
    if (v.status !== 'quarantined')
      throw badRequest(`${krate.name}@${v.num} is not in quarantine (it is ${v.status})`);
    const required = pipeline.config.releaseRequiresCriteria;
    if (status === 'published' && required && !(await services.vet.certifies(krate.name, v.num, required))) {
      throw badRequest(
        `${krate.name}@${v.num} cannot leave quarantine: this registry requires an audit certifying \`${required}\` for it ([security] release_requires_criteria), and it has none with a valid signature`,
      );
    }
    await inTransaction(async (trx) => {
      await services.crates.setStatus(v.id, status, trx);
      await services.crates.touch(krate.id, new Date(), trx);
      await record(
        trx,
        actor,
        status === 'published' ? 'release' : 'reject',
        'version',
        `${krate.name}@${v.num}`,
        reason,
      );
    });
    services.crateChanged(krate.name);
    return { ok: true, crate: krate.name, version: v.num, status };
  };
  app.post('/api/admin/crates/:name/versions/:version/release', decide('published'));
  app.post('/api/admin/crates/:name/versions/:version/reject', decide('rejected'));

  app.delete('/api/admin/crates/:name/versions/:version', async (req) => {
    const { name, version } = req.params as VP;
    const actor = await auth.require(req, { destructive: true, crate: name });
    const reason = reasonOf(req);
    const krate = await crateOr404(name);
    const v = await versionOr404(krate, version);
    const impact = await impactOf(services, krate.name, v.num);
    // The file is not deleted here: once no version references it, the blob GC removes it
    // after its grace period, so a rolled-back delete never loses a file.
    await inTransaction(async (trx) => {
      const now = new Date();
      await services.crates.deleteVersion(v.id, now, trx);
      await services.crates.touch(krate.id, now, trx);
      await record(trx, actor, 'delete-version', 'version', `${krate.name}@${v.num}`, reason, {
        checksum: v.checksum,
        impact,
      });
    });
    services.crateChanged(krate.name);
    return { ok: true };
  });

  app.delete('/api/admin/crates/:name', async (req) => {
    const name = (req.params as { name: string }).name;
    const actor = await auth.require(req, { destructive: true, crate: name });
    const body = jsonBody(req);
    const reason = stringField(body, 'reason', { min: 3 });
    const blockDays = body.blockDays === undefined ? options.deletedNameBlockDays : Number(body.blockDays);
    if (!Number.isInteger(blockDays) || blockDays < 0 || blockDays > 36500)
      throw badRequest('`blockDays` must be a whole number of days');
    const krate = await crateOr404(name);
    const impact = await impactOf(services, krate.name, null);
    // Files are left to the blob GC, as for a deleted version.
    await inTransaction(async (trx) => {
      await services.crates.deleteCrate(krate.id, blockDays, reason, new Date(), trx);
      await record(trx, actor, 'delete-crate', 'crate', krate.name, reason, { blockDays, impact });
    });
    services.crateChanged(krate.name);
    return { ok: true, blockedDays: blockDays };
  });

  app.delete('/api/admin/crates/:name/owners/:login', async (req) => {
    const { name, login } = req.params as { name: string; login: string };
    const actor = await auth.require(req, { crate: name });
    const reason = reasonOf(req);
    const krate = await crateOr404(name);
    const user = await userOr404(login);
    // Removing an owner also withdraws their pending invitation, else they could accept it and
    // be back; both (and their audit entries) commit together.
    const outcome = await inTransaction(async (trx) => {
      const now = new Date();
      const removed = await services.crates.removeOwner(krate.id, user.id, trx);
      if (removed)
        await record(trx, actor, 'owner-remove', 'crate', krate.name, reason, { owner: user.login });
      const invitationCancelled = await services.invitations.cancel(
        krate,
        user,
        { id: actor.user.id, login: actor.user.login },
        { ip: actor.ip, details: { ...via(actor), reason } },
        now,
        trx,
      );
      return { removed, invitationCancelled };
    });
    if (!outcome.removed && !outcome.invitationCancelled)
      throw badRequest(`${user.login} neither owns ${krate.name} nor has a pending invitation for it`);
    return { ok: true, ...outcome };
  });

  app.post('/api/admin/users/:login/lock', async (req) => {
    const actor = await auth.require(req, { destructive: true, accounts: true });
    const body = jsonBody(req);
    const reason = stringField(body, 'reason', { min: 3 });
    let until: string | null = null;
    if (body.until !== undefined && body.until !== null && body.until !== '') {
      const t = Date.parse(String(body.until));
      if (!Number.isFinite(t) || t <= Date.now()) throw badRequest('`until` must be a future date');
      until = new Date(t).toISOString();
    }
    const user = await userOr404((req.params as { login: string }).login);
    if (user.id === actor.user.id) throw badRequest('you cannot lock your own account');
    await inTransaction(async (trx) => {
      await services.users.lock(user.id, reason, until, trx);
      // A locked account's console sessions end now; its tokens are refused while locked.
      await services.sessions.deleteForUser(user.id, trx);
      await record(trx, actor, 'lock-user', 'user', user.login, reason, { until });
    });
    return { ok: true, until };
  });

  app.post('/api/admin/users/:login/unlock', async (req) => {
    const actor = await auth.require(req, { accounts: true });
    const reason = reasonOf(req);
    const user = await userOr404((req.params as { login: string }).login);
    const accountLock = user.lock_reason !== null || user.locked_until !== null;
    // As `cratekeeper user unlock`: the failed sign-ins counted against the login go too, or a
    // throttle lock would keep the unlocked user out.
    const throttleEntries = await inTransaction(async (trx) => {
      await services.users.unlock(user.id, trx);
      const cleared = await services.throttle.clearLogin(user.login, trx);
      await record(trx, actor, 'unlock-user', 'user', user.login, reason, {
        accountLock,
        throttleEntries: cleared,
      });
      return cleared;
    });
    return { ok: true, throttleEntries };
  });

  app.post('/api/admin/users/:login/tokens/:id/revoke', async (req) => {
    const actor = await auth.require(req, { accounts: true });
    const reason = reasonOf(req);
    const { login, id } = req.params as { login: string; id: string };
    const user = await userOr404(login);
    const token = (await services.tokens.listForUser(user.id)).find((t) => t.id === Number(id));
    if (!token) throw notFound(`${user.login} has no token ${String(id).slice(0, 20)}`);
    await inTransaction(async (trx) => {
      // The update is the check: of two concurrent revokes only one writes and is recorded.
      if (!(await services.tokens.revoke(token.id, new Date(), trx)))
        throw badRequest('that token is already revoked');
      await record(trx, actor, 'revoke-token', 'token', `${user.login}/${token.name}#${token.id}`, reason);
    });
    return { ok: true };
  });

  app.post('/api/admin/users/:login/tokens/revoke-all', async (req) => {
    const actor = await auth.require(req, { destructive: true, accounts: true });
    const reason = reasonOf(req);
    const user = await userOr404((req.params as { login: string }).login);
    const revoked = await inTransaction(async (trx) => {
      const n = await services.tokens.revokeAllForUser(user.id, new Date(), trx);
      await record(trx, actor, 'revoke-all-tokens', 'user', user.login, reason, { revoked: n });
      return n;
    });
    return { ok: true, revoked };
  });

  app.post('/api/admin/names', async (req) => {
    const actor = await auth.require(req);
    const body = jsonBody(req);
    const name = stringField(body, 'name', { max: 64 });
    const action = body.action;
    if (action !== 'reserve' && action !== 'block') throw badRequest('`action` must be `reserve` or `block`');
    const reason = stringField(body, 'reason', { min: 3 });
    const err = crateNameError(name);
    if (err) throw badRequest(err);
    requireCrateAccess(actor, name);
    await inTransaction(async (trx) => {
      await services.crates.reserveName(name, reason, action === 'block' ? 'blocked' : 'reserved', trx);
      await record(trx, actor, action === 'block' ? 'block-name' : 'reserve-name', 'name', name, reason);
    });
    return { ok: true };
  });
}
