// Registry users: the people who own crates and hold tokens.
import type { Kysely } from 'kysely';
import type { Database, UserRow } from './schema.js';
import { hashPassword } from './passwords.js';
import { nowIso } from './time.js';

const LOGIN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,38}$/;

export function loginError(login: string): string | null {
  return LOGIN.test(login)
    ? null
    : `invalid login \`${login.slice(0, 60)}\`: use 1-39 ASCII letters, digits, \`-\` or \`_\`, starting with a letter or digit`;
}

export class UserRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(input: {
    login: string;
    name?: string | null;
    email?: string | null;
    isAdmin?: boolean;
  }): Promise<UserRow> {
    const err = loginError(input.login);
    if (err) throw new Error(err);
    if (await this.findByLogin(input.login)) throw new Error(`user \`${input.login}\` already exists`);
    return this.db
      .insertInto('users')
      .values({
        login: input.login,
        name: input.name ?? null,
        email: input.email ?? null,
        is_admin: input.isAdmin ? 1 : 0,
        password_hash: null,
        locked_until: null,
        lock_reason: null,
        created_at: nowIso(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Logins are matched case-insensitively, as on GitHub and crates.io. */
  async findByLogin(login: string): Promise<UserRow | undefined> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where((eb) => eb(eb.fn('lower', ['login']), '=', login.toLowerCase()))
      .executeTakeFirst();
  }

  async findById(id: number): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async setPasswordHash(id: number, hash: string | null, db: Kysely<Database> = this.db): Promise<void> {
    await db.updateTable('users').set({ password_hash: hash }).where('id', '=', id).execute();
  }

  /** Locks the account until `until` (ISO time), or until unlocked when `until` is null. */
  async lock(
    id: number,
    reason: string,
    until: string | null,
    db: Kysely<Database> = this.db,
  ): Promise<void> {
    await db
      .updateTable('users')
      .set({ lock_reason: reason, locked_until: until })
      .where('id', '=', id)
      .execute();
  }

  async unlock(id: number, db: Kysely<Database> = this.db): Promise<void> {
    await db
      .updateTable('users')
      .set({ lock_reason: null, locked_until: null })
      .where('id', '=', id)
      .execute();
  }

  async setPassword(id: number, password: string, db: Kysely<Database> = this.db): Promise<void> {
    await this.setPasswordHash(id, await hashPassword(password), db);
  }

  async setAdmin(id: number, isAdmin: boolean): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ is_admin: isAdmin ? 1 : 0 })
      .where('id', '=', id)
      .execute();
  }
}

/** Whether a user is locked now (a lock with no end date lasts until it is lifted). */
export function isLocked(user: Pick<UserRow, 'locked_until' | 'lock_reason'>, now = new Date()): boolean {
  if (user.locked_until === null) return user.lock_reason !== null;
  return user.locked_until > nowIso(now);
}
