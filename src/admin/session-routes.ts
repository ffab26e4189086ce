// Console sign-in, sign-out and re-authentication, with throttling of failures and every
// attempt in the audit log.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RegistryError, forbidden, unauthorized } from '../registry/errors.js';
import { jsonBody, stringField } from '../registry/json-body.js';
import type { RegistryServices } from '../registry/services.js';
import { verifyPassword } from '../store/passwords.js';
import type { UserRow } from '../store/schema.js';
import { isLocked } from '../store/users.js';
import { sessionCookie, setNoStore, type AdminAuth } from './auth.js';

const IP_MAX_FAILURES = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function userJson(u: UserRow) {
  return { id: u.id, login: u.login, name: u.name, isAdmin: u.is_admin === 1 };
}

function tooMany(until: string): RegistryError {
  const secs = Math.max(1, Math.ceil((Date.parse(until) - Date.now()) / 1000));
  return new RegistryError(
    429,
    `too many failed sign-ins; try again in ${Math.ceil(secs / 60)} minute(s)`,
    {},
    { 'retry-after': String(secs) },
  );
}

export function registerSessionRoutes(
  app: FastifyInstance,
  services: RegistryServices,
  auth: AdminAuth,
): void {
  const { throttle, audit, sessions, users } = services;
  const client = (req: FastifyRequest) => ({
    ip: req.ip ?? null,
    userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : null,
  });

  app.post('/api/admin/session', async (req, reply) => {
    setNoStore(reply);
    const body = jsonBody(req);
    const login = stringField(body, 'login', { max: 100 });
    const password = typeof body.password === 'string' ? body.password : '';
    const { ip, userAgent } = client(req);
    const loginKey = `login:${login.toLowerCase()}`;
    const ipKey = `ip:${ip ?? 'unknown'}`;
    for (const key of [loginKey, ipKey]) {
      const state = await throttle.state(key);
      if (state.lockedUntil) throw tooMany(state.lockedUntil);
    }
    const user = await users.findByLogin(login);
    const ok = await verifyPassword(password, user?.password_hash ?? null);
    const allowed = ok && user !== undefined && user.is_admin === 1 && !isLocked(user);
    if (!allowed) {
      const byLogin = await throttle.fail(loginKey);
      await throttle.fail(ipKey, new Date(), IP_MAX_FAILURES);
      await audit.append({
        actorId: user?.id ?? null,
        actor: login.slice(0, 100),
        action: 'sign-in-failed',
        targetType: 'session',
        target: login.slice(0, 100),
        details: {
          userAgent,
          reason: !ok
            ? 'bad credentials'
            : user && isLocked(user)
              ? 'account locked'
              : 'not an administrator',
        },
        ip,
      });
      await sleep(byLogin.delayMs);
      if (byLogin.lockedUntil) throw tooMany(byLogin.lockedUntil);
      throw unauthorized('wrong login or password, or not an administrator');
    }
    await throttle.succeed(loginKey);
    const { token, session } = await sessions.create(user.id, { ip, userAgent });
    await audit.append({
      actorId: user.id,
      actor: user.login,
      action: 'sign-in',
      targetType: 'session',
      target: user.login,
      details: { userAgent },
      ip,
    });
    reply.header('set-cookie', sessionCookie(req, token));
    return { user: userJson(user), csrfToken: session.csrf_token, reauthUntil: session.reauth_until };
  });

  app.get('/api/admin/session', async (req, reply) => {
    setNoStore(reply);
    if (req.headers.authorization) {
      // A token holder has no session (and needs no CSRF token), but is checked the same way.
      const actor = await auth.require(req);
      return { user: userJson(actor.user), csrfToken: null, reauthUntil: null };
    }
    const current = await auth.session(req);
    if (!current) throw unauthorized('not signed in');
    if (current.user.is_admin !== 1) throw forbidden('this needs an administrator');
    return {
      user: userJson(current.user),
      csrfToken: current.session.csrf_token,
      reauthUntil: current.session.reauth_until,
    };
  });

  app.delete('/api/admin/session', async (req, reply) => {
    const actor = await auth.require(req);
    if (actor.session) await sessions.delete(actor.session.id);
    await audit.append({
      actorId: actor.user.id,
      actor: actor.user.login,
      action: 'sign-out',
      targetType: 'session',
      target: actor.user.login,
      ip: actor.ip,
    });
    reply.header('set-cookie', sessionCookie(req, null));
    return { ok: true };
  });

  app.post('/api/admin/session/reauth', async (req, reply) => {
    setNoStore(reply);
    const actor = await auth.require(req);
    if (!actor.session) throw unauthorized('re-authentication is for console sessions');
    const key = `login:${actor.user.login.toLowerCase()}`;
    const state = await throttle.state(key);
    if (state.lockedUntil) throw tooMany(state.lockedUntil);
    const password = jsonBody(req).password;
    if (typeof password !== 'string' || !(await verifyPassword(password, actor.user.password_hash))) {
      const r = await throttle.fail(key);
      await audit.append({
        actorId: actor.user.id,
        actor: actor.user.login,
        action: 'reauth-failed',
        targetType: 'session',
        target: actor.user.login,
        ip: actor.ip,
      });
      await sleep(r.delayMs);
      if (r.lockedUntil) throw tooMany(r.lockedUntil);
      throw unauthorized('wrong password');
    }
    await throttle.succeed(key);
    const until = await sessions.reauthenticated(actor.session.id);
    return { ok: true, reauthUntil: until };
  });
}
