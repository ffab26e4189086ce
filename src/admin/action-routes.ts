// Admin actions over HTTP: authentication and the request's shape here, the actions themselves
// (reason, one transaction with the audit entry, derived data dropped after the commit) in
// AdminActions, which the `cratekeeper` incident commands call too.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SecurityPipeline } from '../jobs/security-pipeline.js';
import { jsonBody, stringField } from '../registry/json-body.js';
import type { RegistryServices } from '../registry/services.js';
import { AdminActions, actingAdminOf } from './admin-actions.js';
import type { AdminAuth } from './auth.js';

export function registerActionRoutes(
  app: FastifyInstance,
  services: RegistryServices,
  pipeline: SecurityPipeline,
  auth: AdminAuth,
  options: { deletedNameBlockDays: number },
): void {
  const actions = new AdminActions(services, pipeline.alerts, options);
  const reasonOf = (req: FastifyRequest) => stringField(jsonBody(req), 'reason', { min: 3 });
  const idOf = (req: FastifyRequest) => Number((req.params as { id: string }).id);
  type VP = { name: string; version: string };

  app.post('/api/admin/alerts/:id/triage', async (req) => {
    const actor = actingAdminOf(await auth.require(req));
    const body = jsonBody(req);
    // The action is checked before the reason, the reason as everywhere (at least 3 characters).
    return actions.triageAlert(actor, idOf(req), String(body.action ?? ''), body.reason, body.note);
  });

  app.post('/api/admin/alerts/:id/notes', async (req) => {
    const actor = actingAdminOf(await auth.require(req));
    const note = stringField(jsonBody(req), 'note', { max: 5000 });
    return actions.addAlertNote(actor, idOf(req), note);
  });

  const yank = (yanked: boolean) => async (req: FastifyRequest) => {
    const { name, version } = req.params as VP;
    const actor = actingAdminOf(await auth.require(req, { crate: name }));
    // `confirmed`: the yank answers a confirmed threat, so it settles the version's alerts.
    return actions.setYanked(actor, name, version, yanked, reasonOf(req), jsonBody(req).confirmed);
  };
  app.post('/api/admin/crates/:name/versions/:version/yank', yank(true));
  app.post('/api/admin/crates/:name/versions/:version/unyank', yank(false));

  const decide = (status: 'published' | 'rejected') => async (req: FastifyRequest) => {
    const { name, version } = req.params as VP;
    // Releasing is the riskiest action: it needs a fresh re-authentication, and a critical
    // verdict the typed `confirm` (checked in AdminActions, for the CLI too).
    const actor = actingAdminOf(
      await auth.require(req, { crate: name, ...(status === 'published' ? { destructive: true } : {}) }),
    );
    return actions.decide(actor, name, version, status, reasonOf(req), jsonBody(req).confirm);
  };
  app.post('/api/admin/crates/:name/versions/:version/release', decide('published'));
  app.post('/api/admin/crates/:name/versions/:version/reject', decide('rejected'));

  app.delete('/api/admin/crates/:name/versions/:version', async (req) => {
    const { name, version } = req.params as VP;
    const actor = actingAdminOf(await auth.require(req, { destructive: true, crate: name }));
    await actions.deleteVersion(actor, name, version, reasonOf(req));
    return { ok: true };
  });

  app.delete('/api/admin/crates/:name', async (req) => {
    const name = (req.params as { name: string }).name;
    const actor = actingAdminOf(await auth.require(req, { destructive: true, crate: name }));
    const body = jsonBody(req);
    const reason = stringField(body, 'reason', { min: 3 });
    const { blockedDays } = await actions.deleteCrate(actor, name, reason, body.blockDays);
    return { ok: true, blockedDays };
  });

  app.delete('/api/admin/crates/:name/owners/:login', async (req) => {
    const { name, login } = req.params as { name: string; login: string };
    const actor = actingAdminOf(await auth.require(req, { crate: name }));
    return actions.removeOwner(actor, name, login, reasonOf(req));
  });

  app.post('/api/admin/users/:login/lock', async (req) => {
    const actor = actingAdminOf(await auth.require(req, { destructive: true, accounts: true }));
    const body = jsonBody(req);
    const reason = stringField(body, 'reason', { min: 3 });
    return actions.lockUser(actor, (req.params as { login: string }).login, reason, body.until);
  });

  app.post('/api/admin/users/:login/unlock', async (req) => {
    const actor = actingAdminOf(await auth.require(req, { accounts: true }));
    const { throttleEntries } = await actions.unlockUser(
      actor,
      (req.params as { login: string }).login,
      reasonOf(req),
    );
    return { ok: true, throttleEntries };
  });

  app.post('/api/admin/users/:login/tokens/:id/revoke', async (req) => {
    const actor = actingAdminOf(await auth.require(req, { accounts: true }));
    const reason = reasonOf(req);
    const { login, id } = req.params as { login: string; id: string };
    await actions.revokeToken(actor, Number(id), reason, login);
    return { ok: true };
  });

  app.post('/api/admin/users/:login/tokens/revoke-all', async (req) => {
    const actor = actingAdminOf(await auth.require(req, { destructive: true, accounts: true }));
    return actions.revokeAllTokens(actor, (req.params as { login: string }).login, reasonOf(req));
  });

  app.post('/api/admin/names', async (req) => {
    const actor = actingAdminOf(await auth.require(req));
    const body = jsonBody(req);
    const name = stringField(body, 'name', { max: 64 });
    return actions.reserveName(actor, name, body.action, body.reason);
  });

  app.delete('/api/admin/names/:name', async (req) => {
    const name = (req.params as { name: string }).name;
    const actor = actingAdminOf(await auth.require(req, { crate: name }));
    return actions.unblockName(actor, name, reasonOf(req));
  });
}
