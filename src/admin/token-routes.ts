// An administrator's own API tokens, created from the console. Only from a signed-in session
// with a fresh password (never with a token: a stolen one must not make more of itself), each
// taking the owner's token-creation bucket and writing its audit entry in one transaction
// (token-issuing.ts). Tokens for other people stay with the operator's command line.
import { badRequest } from '../registry/errors.js';
import { validScopes, validateCratePattern } from '../store/tokens.js';
import { NewTokenAnswer, NewTokenBody } from './api-types.js';
import { tokenJson } from './admin-reads.js';
import { setNoStore } from './auth.js';
import { actorOf, adminRoute, type AdminContext } from './plugin.js';

export function registerTokenRoutes({ app, services }: AdminContext): void {
  adminRoute(
    app,
    {
      method: 'POST',
      url: '/me/tokens',
      summary: 'Create an API token for yourself (shown once)',
      description:
        'Session only, after re-authentication; limited by the token-creation rate limit (429 with Retry-After).',
      access: { sessionOnly: true, destructive: true, accounts: true },
      body: NewTokenBody,
      response: NewTokenAnswer,
    },
    async (req, reply) => {
      setNoStore(reply);
      const actor = actorOf(req);
      const body = req.body;
      const valid = <T>(read: () => T): T => {
        try {
          return read();
        } catch (err) {
          throw badRequest((err as Error).message);
        }
      };
      const scopes = valid(() => validScopes(body.scopes));
      if (scopes.includes('admin') && actor.user.is_admin !== 1)
        throw badRequest('the `admin` scope is only for administrators');
      const crates = body.crates ?? null;
      valid(() => crates?.forEach(validateCratePattern));
      const { token, row } = await services.tokenIssuing.create(
        {
          owner: actor.user,
          name: body.name.trim() || 'console',
          scopes,
          cratePatterns: crates && crates.length > 0 ? crates : null,
          ...(body.expiresInDays !== undefined ? { expiresInDays: body.expiresInDays } : {}),
          reason: body.reason?.trim() || null,
        },
        { id: actor.user.id, name: actor.user.login, ip: actor.ip },
      );
      return { token, created: tokenJson(row) };
    },
  );
}
