// Admin actions over HTTP: the request's shape and who may ask here, the actions themselves
// (reason, one transaction with the audit entry, derived data dropped after the commit) in
// AdminActions, which the `cratekeeper` incident commands call too.
import { stringField } from '../registry/json-body.js';
import { AdminActions, actingAdminOf } from './admin-actions.js';
import {
  DecideAnswer,
  DecideBody,
  DeleteCrateAnswer,
  DeleteCrateBody,
  LockAnswer,
  LockBody,
  NameBody,
  NoteBody,
  Ok,
  Params,
  ReasonBody,
  RemoveOwnerAnswer,
  RevokeAllAnswer,
  TriageAnswer,
  TriageBody,
  UnblockAnswer,
  UnlockAnswer,
  YankAnswer,
  YankBody,
} from './api-types.js';
import { actorOf, adminRoute, type AdminContext, type AdminRequest } from './plugin.js';

const reasonOf = (req: AdminRequest<unknown, unknown, { reason: string }>) =>
  stringField(req.body, 'reason', { min: 3 });
const acting = (req: AdminRequest) => actingAdminOf(actorOf(req));

export function registerActionRoutes({ app, services, pipeline }: AdminContext): void {
  const actions = new AdminActions(services, pipeline.alerts, {
    deletedNameBlockDays: services.config.deletedNameBlockDays,
  });

  adminRoute(
    app,
    {
      method: 'POST',
      url: '/alerts/:id/triage',
      summary:
        'Acknowledge, escalate, dismiss, resolve or reopen an alert; dismissing or resolving takes a structured `resolution`',
      access: {},
      params: Params.id,
      body: TriageBody,
      response: TriageAnswer,
    },
    // The action and resolution are checked before the reason, the reason as everywhere (at
    // least 3 characters).
    async (req) =>
      actions.triageAlert(acting(req), Number(req.params.id), {
        action: req.body.action,
        resolution: req.body.resolution,
        reason: req.body.reason,
        note: req.body.note,
      }),
  );

  adminRoute(
    app,
    {
      method: 'POST',
      url: '/alerts/:id/notes',
      summary: 'Add a note to an alert',
      access: {},
      params: Params.id,
      body: NoteBody,
      response: Ok,
    },
    async (req) =>
      actions.addAlertNote(acting(req), Number(req.params.id), stringField(req.body, 'note', { max: 5000 })),
  );

  for (const [verb, yanked] of [
    ['yank', true],
    ['unyank', false],
  ] as const) {
    adminRoute(
      app,
      {
        method: 'POST',
        url: `/crates/:name/versions/:version/${verb}`,
        summary: yanked
          ? 'Yank a version (`confirmed`: a confirmed threat, which resolves its alerts)'
          : 'Unyank a version',
        access: { crateParam: 'name' },
        params: Params.nameVersion,
        body: YankBody,
        response: YankAnswer,
      },
      // `confirmed`: the yank answers a confirmed threat, so it settles the version's alerts.
      async (req) =>
        actions.setYanked(
          acting(req),
          req.params.name,
          req.params.version,
          yanked,
          reasonOf(req),
          req.body.confirmed,
        ),
    );
  }

  for (const [verb, status] of [
    ['release', 'published'],
    ['reject', 'rejected'],
  ] as const) {
    adminRoute(
      app,
      {
        method: 'POST',
        url: `/crates/:name/versions/:version/${verb}`,
        summary:
          verb === 'release'
            ? 'Release a quarantined version (a critical verdict needs `confirm`: "crate@version")'
            : 'Reject a quarantined version',
        // Releasing is the riskiest action: it needs a fresh re-authentication, and a critical
        // verdict the typed `confirm` (checked in AdminActions, for the CLI too).
        access: { crateParam: 'name', ...(verb === 'release' ? { destructive: true } : {}) },
        params: Params.nameVersion,
        body: DecideBody,
        response: DecideAnswer,
      },
      async (req) =>
        actions.decide(
          acting(req),
          req.params.name,
          req.params.version,
          status,
          reasonOf(req),
          req.body.confirm,
        ),
    );
  }

  adminRoute(
    app,
    {
      method: 'DELETE',
      url: '/crates/:name/versions/:version',
      summary: 'Delete a version',
      access: { destructive: true, crateParam: 'name' },
      params: Params.nameVersion,
      body: ReasonBody,
      response: Ok,
    },
    async (req) => {
      await actions.deleteVersion(acting(req), req.params.name, req.params.version, reasonOf(req));
      return { ok: true };
    },
  );

  adminRoute(
    app,
    {
      method: 'DELETE',
      url: '/crates/:name',
      summary: 'Delete a crate and block its name',
      access: { destructive: true, crateParam: 'name' },
      params: Params.name,
      body: DeleteCrateBody,
      response: DeleteCrateAnswer,
    },
    async (req) => {
      const reason = reasonOf(req);
      const { blockedDays } = await actions.deleteCrate(
        acting(req),
        req.params.name,
        reason,
        req.body.blockDays,
      );
      return { ok: true, blockedDays };
    },
  );

  adminRoute(
    app,
    {
      method: 'DELETE',
      url: '/crates/:name/owners/:login',
      summary: "Remove an owner (and withdraw the user's pending invitation)",
      access: { crateParam: 'name' },
      params: Params.nameLogin,
      body: ReasonBody,
      response: RemoveOwnerAnswer,
    },
    async (req) => actions.removeOwner(acting(req), req.params.name, req.params.login, reasonOf(req)),
  );

  adminRoute(
    app,
    {
      method: 'POST',
      url: '/users/:login/lock',
      summary: 'Lock a user',
      access: { destructive: true, accounts: true },
      params: Params.login,
      body: LockBody,
      response: LockAnswer,
    },
    async (req) => {
      const reason = reasonOf(req);
      return actions.lockUser(acting(req), req.params.login, reason, req.body.until);
    },
  );

  adminRoute(
    app,
    {
      method: 'POST',
      url: '/users/:login/unlock',
      summary: 'Unlock a user and clear their sign-in throttle',
      access: { accounts: true },
      params: Params.login,
      body: ReasonBody,
      response: UnlockAnswer,
    },
    async (req) => {
      const { throttleEntries } = await actions.unlockUser(acting(req), req.params.login, reasonOf(req));
      return { ok: true, throttleEntries };
    },
  );

  adminRoute(
    app,
    {
      method: 'POST',
      url: '/users/:login/tokens/:id/revoke',
      summary: 'Revoke one token',
      access: { accounts: true },
      params: Params.loginId,
      body: ReasonBody,
      response: Ok,
    },
    async (req) => {
      const reason = reasonOf(req);
      await actions.revokeToken(acting(req), Number(req.params.id), reason, req.params.login);
      return { ok: true };
    },
  );

  adminRoute(
    app,
    {
      method: 'POST',
      url: '/users/:login/tokens/revoke-all',
      summary: "Revoke all of a user's tokens",
      access: { destructive: true, accounts: true },
      params: Params.login,
      body: ReasonBody,
      response: RevokeAllAnswer,
    },
    async (req) => actions.revokeAllTokens(acting(req), req.params.login, reasonOf(req)),
  );

  adminRoute(
    app,
    {
      method: 'POST',
      url: '/names',
      summary: 'Reserve or block a crate name',
      // The name is in the body: AdminActions checks a crate-limited token against it.
      access: {},
      body: NameBody,
      response: Ok,
    },
    async (req) => {
      const name = stringField(req.body, 'name', { max: 64 });
      return actions.reserveName(acting(req), name, req.body.action, req.body.reason);
    },
  );

  adminRoute(
    app,
    {
      method: 'DELETE',
      url: '/names/:name',
      summary: 'Lift the block or reservation of a crate name',
      access: { crateParam: 'name' },
      params: Params.name,
      body: ReasonBody,
      response: UnblockAnswer,
    },
    async (req) => actions.unblockName(acting(req), req.params.name, reasonOf(req)),
  );
}
