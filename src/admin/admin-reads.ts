// Reads shared by the admin API and the local `cratekeeper` incident commands, so both answer
// in the same shape: users, tokens, the quarantine queue.
import type { RegistryServices } from '../registry/services.js';
import type { TokenRow, UserRow } from '../store/schema.js';
import { isLocked } from '../store/users.js';

export function userJson(u: UserRow) {
  return {
    id: u.id,
    login: u.login,
    name: u.name,
    email: u.email,
    isAdmin: u.is_admin === 1,
    lockedUntil: u.locked_until,
    lockReason: u.lock_reason,
    createdAt: u.created_at,
  };
}

export function tokenJson(t: TokenRow) {
  return {
    id: t.id,
    name: t.name,
    scopes: t.scopes.split(','),
    crates: t.crate_patterns ? (JSON.parse(t.crate_patterns) as string[]) : null,
    createdAt: t.created_at,
    lastUsedAt: t.last_used_at,
    expiresAt: t.expires_at,
    revokedAt: t.revoked_at,
  };
}

/** Every user, with lock state and last successful sign-in (two queries, whatever the count). */
export async function listUsers(services: RegistryServices) {
  const db = services.db.kysely;
  const rows = await db.selectFrom('users').selectAll().orderBy('login').execute();
  const last = await db
    .selectFrom('sign_in_addresses')
    .select(['user_id', (eb) => eb.fn.max('last_at').as('at')])
    .groupBy('user_id')
    .execute();
  const lastAt = new Map(last.map((r) => [r.user_id, r.at as string]));
  return {
    users: rows.map((u) => ({ ...userJson(u), locked: isLocked(u), lastSignInAt: lastAt.get(u.id) ?? null })),
  };
}

/** Every token (of one user when `login` is given), newest last, with its owner's login. */
export async function listTokens(services: RegistryServices, login?: string) {
  const rows = await services.db.kysely
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .selectAll('api_tokens')
    .select('users.login')
    .$if(login !== undefined, (q) => q.where('users.login', '=', login!))
    .orderBy('api_tokens.id')
    .execute();
  return { tokens: rows.map((r) => ({ ...tokenJson(r), user: r.login })) };
}

export async function listQuarantine(services: RegistryServices) {
  const rows = await services.db.kysely
    .selectFrom('versions')
    .innerJoin('crates', 'crates.id', 'versions.crate_id')
    .select(['crates.name', 'versions.num', 'versions.published_at'])
    .where('versions.status', '=', 'quarantined')
    .orderBy('versions.id')
    .execute();
  return { versions: rows.map((r) => ({ crate: r.name, version: r.num, published_at: r.published_at })) };
}
