// Console sign-in, sign-out and re-authentication. Throttling is decided before any password
// is checked (see LoginThrottle); checked failures and every lock go to the audit log, but a
// login that is no user is never written there (it is often a password typed in the wrong field).
import type { FastifyRequest } from 'fastify';
import { RegistryError, unauthorized } from '../registry/errors.js';
import { stringField } from '../registry/json-body.js';
import type { UserRow } from '../store/schema.js';
import type { AttemptResult } from '../store/sessions.js';
import { isLocked } from '../store/users.js';
import { Ok, ReauthAnswer, ReauthBody, SessionInfo, SignInBody } from './api-types.js';
import { sessionCookie, setNoStore } from './auth.js';
import { actorOf, adminRoute, type AdminContext } from './plugin.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function userJson(u: UserRow) {
  return {
    id: u.id,
    login: u.login,
    name: u.name,
    isAdmin: u.is_admin === 1,
    isAuditor: u.is_auditor === 1,
  };
}

function tooMany(until: string): RegistryError {
  const secs = Math.max(1, Math.ceil((Date.parse(until) - Date.now()) / 1000));
  return new RegistryError(
    429,
    secs < 60
      ? `too many sign-in attempts; try again in ${secs} second(s)`
      : `too many failed sign-ins; try again in ${Math.ceil(secs / 60)} minute(s)`,
    {},
    { 'retry-after': String(secs) },
  );
}

/** Who an audit entry about a sign-in attempt names: the user, or nobody in particular. */
function claimed(user: UserRow | undefined) {
  return user
    ? { actorId: user.id, actor: user.login, target: user.login }
    : { actorId: null, actor: 'unknown', target: '' };
}

export function registerSessionRoutes({ app, services, auth }: AdminContext): void {
  const { audit, sessions, users } = services;
  const throttle = () => services.throttle;
  const client = (req: FastifyRequest) => ({
    ip: req.ip ?? null,
    userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : null,
  });

  const auditLocks = async (result: AttemptResult, user: UserRow | undefined, ip: string | null) => {
    for (const lock of result.locks) {
      await audit.append({
        ...claimed(user),
        action: 'sign-in-locked',
        targetType: 'session',
        details: { scope: lock.scope, until: lock.until, failures: lock.failures },
        ip,
      });
    }
  };

  adminRoute(
    app,
    {
      method: 'POST',
      url: '/session',
      summary: 'Sign in (sets the session cookie)',
      description: 'Administrators and auditors; throttled per login and per address.',
      access: { public: true },
      body: SignInBody,
      response: SessionInfo,
    },
    async (req, reply) => {
      setNoStore(reply);
      const body = req.body;
      const login = stringField(body, 'login', { max: 100 });
      const password = body.password ?? '';
      const { ip, userAgent } = client(req);
      const user = await users.findByLogin(login);
      const current = await auth.session(req);
      // Both lookups run for unknown logins too, so the answer's timing says little about them.
      const knownAddress = await throttle().knows(user?.id ?? -1, ip);
      const trusted = user !== undefined && (knownAddress || current?.user.id === user.id);
      const result = await throttle().check({ login, ip, trusted }, password, user?.password_hash ?? null);
      await auditLocks(result, user, ip);
      if (result.refused) throw tooMany(result.retryAt);
      // Auditors sign in too: every admin route but the auditor's own still needs an administrator.
      const allowed =
        result.ok && user !== undefined && (user.is_admin === 1 || user.is_auditor === 1) && !isLocked(user);
      if (!allowed) {
        await audit.append({
          ...claimed(user),
          action: 'sign-in-failed',
          targetType: 'session',
          details: {
            userAgent,
            reason: !result.ok
              ? 'bad credentials'
              : user && isLocked(user)
                ? 'account locked'
                : 'not an administrator',
          },
          ip,
        });
        if (result.lockedUntil) throw tooMany(result.lockedUntil);
        await sleep(result.delayMs);
        throw unauthorized('wrong login or password, or not an administrator');
      }
      // The session, the throttle's reset and the audit entry commit together.
      const { token, session } = await services.db.kysely.transaction().execute(async (trx) => {
        await throttle().succeeded({ login, ip }, trx);
        await throttle().remember(user.id, ip, new Date(), trx);
        const created = await sessions.create(user.id, { ip, userAgent }, new Date(), trx);
        await audit.append(
          {
            actorId: user.id,
            actor: user.login,
            action: 'sign-in',
            targetType: 'session',
            target: user.login,
            details: { userAgent },
            ip,
          },
          new Date(),
          trx,
        );
        return created;
      });
      reply.header('set-cookie', sessionCookie(req, token));
      return {
        user: userJson(user),
        csrfToken: session.csrf_token,
        reauthUntil: session.reauth_until,
        sudoSeconds: sessions.reauthWindowMs / 1000,
      };
    },
  );

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/session',
      summary: 'The signed-in user and the CSRF token (null for a token holder, who has no session)',
      access: { auditor: 'or-admin' },
      response: SessionInfo,
    },
    async (req, reply) => {
      setNoStore(reply);
      const actor = actorOf(req);
      return {
        user: userJson(actor.user),
        csrfToken: actor.session?.csrf_token ?? null,
        reauthUntil: actor.session?.reauth_until ?? null,
        sudoSeconds: sessions.reauthWindowMs / 1000,
      };
    },
  );

  adminRoute(
    app,
    { method: 'DELETE', url: '/session', summary: 'Sign out', access: { auditor: 'or-admin' }, response: Ok },
    async (req, reply) => {
      const actor = actorOf(req);
      await services.db.kysely.transaction().execute(async (trx) => {
        if (actor.session) await sessions.delete(actor.session.id, trx);
        await audit.append(
          {
            actorId: actor.user.id,
            actor: actor.user.login,
            action: 'sign-out',
            targetType: 'session',
            target: actor.user.login,
            ip: actor.ip,
          },
          new Date(),
          trx,
        );
      });
      reply.header('set-cookie', sessionCookie(req, null));
      return { ok: true };
    },
  );

  adminRoute(
    app,
    {
      method: 'POST',
      url: '/session/reauth',
      summary: 'Confirm the password before destructive actions',
      // Auditors re-authenticate too (rotating their signing key); the role checks stay per route.
      access: { auditor: 'or-admin' },
      body: ReauthBody,
      response: ReauthAnswer,
    },
    async (req, reply) => {
      setNoStore(reply);
      const actor = actorOf(req);
      if (!actor.session) throw unauthorized('re-authentication is for console sessions');
      const password = req.body.password;
      const attempt = {
        login: actor.user.login,
        ip: actor.ip,
        // A stolen cookie must not buy unlimited guesses: only a known address is trusted here.
        trusted: await throttle().knows(actor.user.id, actor.ip),
      };
      const result = await throttle().check(
        attempt,
        typeof password === 'string' ? password : '',
        actor.user.password_hash,
      );
      await auditLocks(result, actor.user, actor.ip);
      if (result.refused) throw tooMany(result.retryAt);
      if (typeof password !== 'string' || !result.ok) {
        await audit.append({
          actorId: actor.user.id,
          actor: actor.user.login,
          action: 'reauth-failed',
          targetType: 'session',
          target: actor.user.login,
          ip: actor.ip,
        });
        if (result.lockedUntil) throw tooMany(result.lockedUntil);
        await sleep(result.delayMs);
        throw unauthorized('wrong password');
      }
      await throttle().succeeded(attempt);
      const until = await sessions.reauthenticated(actor.session.id);
      return { ok: true, reauthUntil: until };
    },
  );
}
