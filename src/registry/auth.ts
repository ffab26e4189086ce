// Token authentication and authorization for registry requests. Cargo sends the token
// as the raw `Authorization` header value; `Bearer …` is accepted too.
import type { FastifyRequest } from 'fastify';
import { isLocked } from '../store/users.js';
import {
  cratePatternMatches,
  type AuthenticatedToken,
  type TokenRepository,
  type TokenScope,
} from '../store/tokens.js';
import { forbidden, unauthorized } from './errors.js';

export function presentedToken(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  const trimmed = value.trim();
  const bearer = /^Bearer\s+(.+)$/i.exec(trimmed);
  return (bearer ? bearer[1]! : trimmed) || null;
}

/** The token's holder, or a 401/403 that cargo shows as the reason. */
export async function requireToken(
  tokens: TokenRepository,
  header: string | string[] | undefined,
): Promise<AuthenticatedToken> {
  const token = presentedToken(header);
  if (!token) {
    throw unauthorized(
      'this action requires authentication: run `cargo login --registry <name>` with a token from this registry',
    );
  }
  const auth = await tokens.authenticate(token);
  if (!auth) throw forbidden('authentication failed: the token is invalid, expired or revoked');
  if (isLocked(auth.user)) {
    // The reason stays internal (it may name an investigation); the user is told whom to ask.
    const until = auth.user.locked_until ? ` until ${auth.user.locked_until}` : '';
    throw forbidden(`this account is locked${until}: contact the registry administrators`);
  }
  return auth;
}

/** Refuses unless the token carries `scope` and, when it is limited to crate patterns, one matches. */
export function requireScope(auth: AuthenticatedToken, scope: TokenScope, crateName: string): void {
  if (!auth.scopes.includes(scope)) {
    throw forbidden(
      `this token does not have the required permissions to perform this action (needs the \`${scope}\` scope)`,
    );
  }
  if (auth.cratePatterns && !auth.cratePatterns.some((p) => cratePatternMatches(p, crateName))) {
    throw forbidden(
      `this token does not have the required permissions to perform this action on crate \`${crateName}\``,
    );
  }
}

// The token a route's `onRequest` hook checked, kept per request for its handler.
const authenticated = new WeakMap<FastifyRequest, AuthenticatedToken>();

/**
 * An `onRequest` hook that authenticates from the headers alone, before any body is read: an
 * anonymous or bad token costs the server no body bytes. The handler gets it with `tokenOf`.
 */
export function tokenBeforeBody(tokens: TokenRepository): (req: FastifyRequest) => Promise<void> {
  return async (req) => {
    authenticated.set(req, await requireToken(tokens, req.headers.authorization));
  };
}

/** The token `tokenBeforeBody` authenticated for this request. */
export function tokenOf(req: FastifyRequest): AuthenticatedToken {
  const auth = authenticated.get(req);
  // A programming error (the route lacks the hook), never a client's.
  if (!auth) throw new Error(`route ${req.routeOptions.url ?? req.url} has no tokenBeforeBody hook`);
  return auth;
}
