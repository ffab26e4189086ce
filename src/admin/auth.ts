// Who is calling the admin API. Console sessions (cookie + CSRF token on every mutation,
// a recent re-authentication for destructive actions) or an admin's API token that carries the
// `admin` scope (automation; no cookie, so no CSRF exposure), bound by its crate patterns.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requireToken } from '../registry/auth.js';
import { RegistryError, forbidden, unauthorized } from '../registry/errors.js';
import type { RegistryServices } from '../registry/services.js';
import type { SessionRow, UserRow } from '../store/schema.js';
import { SESSION_MAX_MS } from '../store/sessions.js';
import { cratePatternMatches } from '../store/tokens.js';
import { isLocked } from '../store/users.js';

export const SESSION_COOKIE = 'ck_session';

export interface AdminActor {
  user: UserRow;
  session: SessionRow | null;
  /** The API token used instead of a session, with the crates it is limited to (null: all). */
  token: { id: number; cratePatterns: string[] | null } | null;
  ip: string | null;
}

export interface AdminCheck {
  /** A recent re-authentication is needed (sessions only). */
  destructive?: boolean;
  /** The route names this crate: a token limited to crate patterns must match it. */
  crate?: string;
  /** The route acts on accounts or tokens, which no crate pattern covers. */
  accounts?: boolean;
  /**
   * The route lists or summarises every crate (overview, search, audit log, queues): a token
   * limited to some crates would see the others through it, so it is refused.
   */
  allCrates?: boolean;
  /**
   * The route is an auditor's (recording a cargo-vet audit): it needs the auditor role instead
   * of administrator, with the same session, CSRF and token rules; `or-admin`: either role
   * (reads an auditor needs, such as the criteria and a crate's audits).
   */
  auditor?: boolean | 'or-admin';
  /**
   * The route mints credentials: only a signed-in session may call it, never a token (a stolen
   * token must not be able to make more of itself), as crates.io creates tokens.
   */
  sessionOnly?: boolean;
}

/**
 * Who may call a route, declared in its `config.access` and checked by the admin plugin's one
 * hook before any body is read (see plugin.ts). Checks that depend on stored data (the crate of
 * an alert or an advisory) stay in the handler, with `requireCrateAccess(actorOf(req), …)`.
 */
export interface RouteAccess extends Omit<AdminCheck, 'crate'> {
  /** No authentication: signing in, the OpenAPI document. */
  public?: true;
  /** The path parameter that names a crate (a crate-limited token must match it). */
  crateParam?: string;
  /**
   * Query parameters naming a crate or a graph spec (`serde@1.0`), each checked like crateParam
   * when given. Without crateParam or crateQuery, nothing about crates is checked here.
   */
  crateQuery?: readonly string[];
}

/** Refuses a token limited to crate patterns none of which matches `crateName`. */
export function requireCrateAccess(actor: Pick<AdminActor, 'token'>, crateName: string): void {
  const patterns = actor.token?.cratePatterns;
  if (patterns && !patterns.some((p) => cratePatternMatches(p, crateName))) {
    throw forbidden(
      `this token is limited to crates ${patterns.join(', ')}: not \`${crateName.slice(0, 100)}\``,
    );
  }
}

/** Refuses a token limited to crate patterns, for what lies outside any of them. */
export function requireUnrestricted(actor: AdminActor, what = 'acting on accounts'): void {
  if (actor.token?.cratePatterns) {
    throw forbidden(`this token is limited to some crates; ${what} needs an unrestricted token`);
  }
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
    const actor = await this.authenticate(req, check);
    if (check.crate !== undefined) requireCrateAccess(actor, check.crate);
    if (check.accounts) requireUnrestricted(actor);
    if (check.allCrates) requireUnrestricted(actor, 'a view across all crates');
    return actor;
  }

  private async authenticate(req: FastifyRequest, check: AdminCheck): Promise<AdminActor> {
    const ip = req.ip ?? null;
    if (req.headers.authorization) {
      if (check.sessionOnly) throw forbidden('tokens are created from a console session, not with a token');
      const auth = await requireToken(this.services.tokens, req.headers.authorization);
      requireRole(auth.user, check);
      // Registry scopes say nothing about the admin API: a publish token of an administrator
      // (say, in CI) must not be able to lock users or delete crates.
      if (!auth.scopes.includes('admin')) {
        throw forbidden('this token does not have the `admin` scope the admin API needs');
      }
      // Tokens are not asked to re-authenticate (there is no password to ask for): the
      // explicitly requested `admin` scope is what stands for it.
      return {
        user: auth.user,
        session: null,
        token: { id: auth.token.id, cratePatterns: auth.cratePatterns },
        ip,
      };
    }
    const current = await this.session(req);
    if (!current) throw unauthorized('sign in to the console first');
    const { session, user } = current;
    // An auditor route is checked for its role after the CSRF token (below), so an
    // administrator's forged request is refused as forged either way.
    if (!check.auditor) requireRole(user, check);
    if (isLocked(user)) throw forbidden('this account is locked');
    const mutation = req.method !== 'GET' && req.method !== 'HEAD';
    if (mutation) {
      const sent = req.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !sameSecret(sent, session.csrf_token)) {
        throw forbidden('missing or wrong CSRF token: reload the console and try again');
      }
    }
    if (check.auditor) requireRole(user, check);
    if (check.destructive && (!session.reauth_until || session.reauth_until < new Date().toISOString())) {
      throw new RegistryError(403, 'confirm your password to do this', { reauth: true });
    }
    return { user, session, token: null, ip };
  }
}

function requireRole(user: UserRow, check: AdminCheck): void {
  if (check.auditor === 'or-admin') {
    if (user.is_auditor !== 1 && user.is_admin !== 1)
      throw forbidden('this needs an administrator or an auditor');
  } else if (check.auditor) {
    if (user.is_auditor !== 1) throw forbidden('this needs the auditor role');
  } else if (user.is_admin !== 1) throw forbidden('this needs an administrator');
}

export function setNoStore(reply: FastifyReply): void {
  reply.header('cache-control', 'no-store');
}
