// Who is calling the admin API. Console sessions (cookie + CSRF token on every mutation,
// a recent re-authentication for destructive actions) or an admin's API token (automation;
// no cookie, so no CSRF exposure).
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requireToken } from '../registry/auth.js';
import { RegistryError, forbidden, unauthorized } from '../registry/errors.js';
import type { RegistryServices } from '../registry/services.js';
import type { SessionRow, UserRow } from '../store/schema.js';
import { SESSION_MAX_MS } from '../store/sessions.js';
import { isLocked } from '../store/users.js';

export const SESSION_COOKIE = 'ck_session';

export interface AdminActor {
  user: UserRow;
  session: SessionRow | null;
  ip: string | null;
}

export interface AdminCheck {
  /** A recent re-authentication is needed (sessions only). */
  destructive?: boolean;
}

export function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function sessionCookie(req: FastifyRequest, token: string | null): string {
  const secure = req.protocol === 'https' ? '; Secure' : '';
  return token === null
    ? `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure}`
    : `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MAX_MS / 1000}${secure}`;
}

export class AdminAuth {
  constructor(private readonly services: RegistryServices) {}

  /** The signed-in session (any user), or null. */
  async session(req: FastifyRequest): Promise<{ session: SessionRow; user: UserRow } | null> {
    const token = cookieValue(req.headers.cookie, SESSION_COOKIE);
    if (!token) return null;
    const session = await this.services.sessions.find(token);
    if (!session) return null;
    const user = await this.services.users.findById(session.user_id);
    return user ? { session, user } : null;
  }

  async require(req: FastifyRequest, check: AdminCheck = {}): Promise<AdminActor> {
    const ip = req.ip ?? null;
    if (req.headers.authorization) {
      const auth = await requireToken(this.services.tokens, req.headers.authorization);
      if (auth.user.is_admin !== 1) throw forbidden('this needs an administrator');
      return { user: auth.user, session: null, ip };
    }
    const current = await this.session(req);
    if (!current) throw unauthorized('sign in to the console first');
    const { session, user } = current;
    if (user.is_admin !== 1) throw forbidden('this needs an administrator');
    if (isLocked(user)) throw forbidden('this account is locked');
    const mutation = req.method !== 'GET' && req.method !== 'HEAD';
    if (mutation) {
      const sent = req.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !sameSecret(sent, session.csrf_token)) {
        throw forbidden('missing or wrong CSRF token: reload the console and try again');
      }
    }
    if (check.destructive && (!session.reauth_until || session.reauth_until < new Date().toISOString())) {
      throw new RegistryError(403, 'confirm your password to do this', { reauth: true });
    }
    return { user, session, ip };
  }
}

export function setNoStore(reply: FastifyReply): void {
  reply.header('cache-control', 'no-store');
}
