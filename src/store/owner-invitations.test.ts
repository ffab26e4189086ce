// Owner invitations on both databases: invite, renew, accept, decline, cancel and expire, each
// with its audit entry, and exactly one winner when the same invitation is accepted twice at once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DIALECTS,
  openTestDatabase,
  type TestDatabase,
  insertBareCrate,
} from '../../test/support/databases.js';
import { AuditLog } from './audit-log.js';
import { CrateRepository } from './crates.js';
import { INVITATION_DAYS, OwnerInvitations } from './owner-invitations.js';
import type { CrateRow, UserRow } from './schema.js';
import { hashToken } from './tokens.js';
import { addDays, nowIso } from './time.js';
import { UserRepository } from './users.js';

describe.each(DIALECTS)('owner invitations on %s', (dialect) => {
  let t: TestDatabase;
  let invitations: OwnerInvitations;
  let audit: AuditLog;
  let crates: CrateRepository;
  let alice: UserRow;
  let bob: UserRow;
  let carol: UserRow;
  let krate: CrateRow;
  const by = (u: UserRow) => ({ id: u.id, login: u.login });

  beforeEach(async () => {
    t = await openTestDatabase(dialect);
    audit = new AuditLog(t.db.kysely, t.db.dialect);
    crates = new CrateRepository(t.db.kysely);
    invitations = new OwnerInvitations(t.db.kysely, audit);
    const users = new UserRepository(t.db.kysely);
    alice = await users.create({ login: 'alice' });
    bob = await users.create({ login: 'bob' });
    carol = await users.create({ login: 'carol' });
    krate = await insertBareCrate(t.db, 'mycrate');
    await crates.addOwner(krate.id, alice.id, null);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const actions = async () => (await audit.list()).entries.map((e) => e.action).reverse();

  it('invites with a 30-day expiry and a token stored only as its hash', async () => {
    const t0 = new Date('2026-03-01T00:00:00.000Z');
    const r = await invitations.invite(krate, bob, by(alice), {}, t0);
    expect(r.kind).toBe('invited');
    expect(r.token).toMatch(/^[\w-]{43}$/);
    const row = await t.db.kysely.selectFrom('crate_owner_invitations').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      crate_id: krate.id,
      invitee_id: bob.id,
      inviter_id: alice.id,
      created_at: nowIso(t0),
      expires_at: nowIso(addDays(t0, INVITATION_DAYS)),
      token_hash: hashToken(r.token!),
    });
    expect(JSON.stringify(row)).not.toContain(r.token!);
    expect(await crates.isOwner(krate.id, bob.id)).toBe(false);
    const [entry] = (await audit.list()).entries;
    expect(entry).toMatchObject({ action: 'owner-invite', actor: 'alice', target: 'mycrate' });
    expect(JSON.parse(entry!.details)).toMatchObject({ invitee: 'bob', expiresAt: row.expires_at });
    expect(entry!.details).not.toContain(r.token!);
  });

  it('renews a pending invitation: new token and expiry, the old token stops working', async () => {
    const first = await invitations.invite(krate, bob, by(alice), {}, new Date('2026-03-01T00:00:00Z'));
    const again = await invitations.invite(krate, bob, by(alice), {}, new Date('2026-03-10T00:00:00Z'));
    expect(again.kind).toBe('renewed');
    const rows = await t.db.kysely.selectFrom('crate_owner_invitations').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.expires_at).toBe('2026-04-09T00:00:00.000Z');
    expect((await invitations.acceptByToken(first.token!, null, {})).kind).toBe('not-found');
    expect(
      (await invitations.acceptByToken(again.token!, null, {}, new Date('2026-03-11T00:00:00Z'))).kind,
    ).toBe('accepted');
    expect(await actions()).toEqual(['owner-invite', 'owner-invite-renew', 'owner-invite-accept']);
  });

  it('refuses to invite an existing owner', async () => {
    expect((await invitations.invite(krate, alice, by(alice), {})).kind).toBe('already-owner');
    expect(await t.db.kysely.selectFrom('crate_owner_invitations').selectAll().execute()).toEqual([]);
  });

  it('accepts: the invitee becomes an owner, the invitation is gone, the audit entry names both', async () => {
    await invitations.invite(krate, bob, by(alice), {});
    const r = await invitations.respond(krate.id, bob, true, {});
    expect(r.kind).toBe('accepted');
    expect(await crates.isOwner(krate.id, bob.id)).toBe(true);
    expect((await crates.owners(krate.id)).map((o) => o.login)).toEqual(['alice', 'bob']);
    expect(await invitations.repository.list({ includeExpired: true })).toEqual([]);
    const [entry] = (await audit.list()).entries;
    expect(entry).toMatchObject({ action: 'owner-invite-accept', actor: 'bob', target: 'mycrate' });
    expect(JSON.parse(entry!.details)).toMatchObject({ invitee: 'bob', inviter: 'alice' });
    // Answered once: a second answer finds nothing.
    expect((await invitations.respond(krate.id, bob, true, {})).kind).toBe('not-found');
  });

  it('declines without making an owner', async () => {
    await invitations.invite(krate, bob, by(alice), {});
    expect((await invitations.respond(krate.id, bob, false, {})).kind).toBe('declined');
    expect(await crates.isOwner(krate.id, bob.id)).toBe(false);
    expect(await actions()).toEqual(['owner-invite', 'owner-invite-decline']);
  });

  it('finds invitations only by their invitee: another user cannot answer one', async () => {
    await invitations.invite(krate, bob, by(alice), {});
    expect((await invitations.respond(krate.id, carol, true, {})).kind).toBe('not-found');
    expect(await crates.isOwner(krate.id, carol.id)).toBe(false);
    const { token } = await invitations.invite(krate, bob, by(alice), {});
    // Carol holding Bob's link is refused too.
    expect((await invitations.acceptByToken(token!, carol, {})).kind).toBe('wrong-user');
    expect(await crates.isOwner(krate.id, carol.id)).toBe(false);
    expect(await crates.isOwner(krate.id, bob.id)).toBe(false);
  });

  it('does not accept an expired invitation, and records the expiry once', async () => {
    const t0 = new Date('2026-03-01T00:00:00Z');
    const { token } = await invitations.invite(krate, bob, by(alice), {}, t0);
    const late = addDays(t0, INVITATION_DAYS);
    const r = await invitations.acceptByToken(token!, null, {}, late);
    expect(r).toMatchObject({ kind: 'expired', crateName: 'mycrate' });
    expect(await crates.isOwner(krate.id, bob.id)).toBe(false);
    expect((await invitations.respond(krate.id, bob, true, {}, late)).kind).toBe('not-found');
    expect(await actions()).toEqual(['owner-invite', 'owner-invite-expire']);
  });

  it('lists pending invitations with names, hides expired ones unless asked, and sweeps them', async () => {
    const t0 = new Date('2026-03-01T00:00:00Z');
    await invitations.invite(krate, bob, by(alice), {}, t0);
    await invitations.invite(krate, carol, by(alice), {}, addDays(t0, 20));
    const at = addDays(t0, 31);
    expect((await invitations.repository.list({ now: at })).map((i) => i.invitee_login)).toEqual(['carol']);
    const all = await invitations.repository.list({ now: at, includeExpired: true });
    expect(all.map((i) => [i.crate_name, i.invitee_login, i.inviter_login])).toEqual([
      ['mycrate', 'bob', 'alice'],
      ['mycrate', 'carol', 'alice'],
    ]);
    expect((await invitations.repository.list({ inviteeId: bob.id, includeExpired: true })).length).toBe(1);
    expect(await invitations.expireDue(at)).toBe(1);
    expect(await invitations.expireDue(at)).toBe(0);
    expect(await actions()).toEqual(['owner-invite', 'owner-invite', 'owner-invite-expire']);
  });

  it('cancels a pending invitation', async () => {
    const { token } = await invitations.invite(krate, bob, by(alice), {});
    expect(await invitations.cancel(krate, bob, by(alice), {})).toBe(true);
    expect(await invitations.cancel(krate, bob, by(alice), {})).toBe(false);
    expect((await invitations.acceptByToken(token!, null, {})).kind).toBe('not-found');
    expect(await actions()).toEqual(['owner-invite', 'owner-invite-cancel']);
  });

  it('gives a concurrent double accept exactly one winner', async () => {
    const { token } = await invitations.invite(krate, bob, by(alice), {});
    const results = await Promise.all([
      invitations.acceptByToken(token!, null, {}),
      invitations.respond(krate.id, bob, true, {}),
      invitations.acceptByToken(token!, bob, {}),
      invitations.respond(krate.id, bob, true, {}),
    ]);
    expect(results.filter((r) => r.kind === 'accepted')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'not-found')).toHaveLength(3);
    expect((await crates.owners(krate.id)).map((o) => o.login)).toEqual(['alice', 'bob']);
    expect((await actions()).filter((a) => a === 'owner-invite-accept')).toHaveLength(1);
    expect((await audit.verify()).ok).toBe(true);
  });

  it('ignores junk tokens', async () => {
    await invitations.invite(krate, bob, by(alice), {});
    for (const junk of ['', 'x', 'a'.repeat(10_000), "' or 1=1 --"]) {
      expect((await invitations.acceptByToken(junk, null, {})).kind).toBe('not-found');
    }
  });
});
