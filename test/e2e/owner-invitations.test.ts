// Owner invitations over HTTP, as crates.io serves them: `cargo owner --add` invites, the
// invitee lists and answers through /api/v1/me/crate_owner_invitations (or the emailed token),
// admins see every pending invitation in the console API. Hostile callers get clear refusals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OwnerInvitations } from '../../src/store/owner-invitations.js';
import { addDays } from '../../src/store/time.js';
import { createAdmin, signIn, type ConsoleSession } from '../support/console-session.js';
import { publishMinimal } from '../support/publish-body.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';

const PASSWORD = 'correct horse battery staple';

interface ErrorAnswer {
  errors: { detail: string }[];
}

describe('owner invitations', () => {
  let h: Harness;
  let alice: string;
  let bob: string;
  let carol: string;
  let root: ConsoleSession;
  let crateId: number;

  const call = async (method: string, path: string, token: string | null, body?: unknown) => {
    const res = await fetch(`${h.url}${path}`, {
      method,
      headers: token ? { authorization: token } : {},
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : null) as unknown };
  };
  const detail = (json: unknown) => (json as ErrorAnswer).errors[0]!.detail;
  const invite = (login: string, crate = 'shared', token = alice) =>
    call('PUT', `/api/v1/crates/${crate}/owners`, token, { users: [login] });
  const answer = (token: string | null, id: number | string, accepted: boolean, bodyId: unknown = id) =>
    call('PUT', `/api/v1/me/crate_owner_invitations/${id}`, token, {
      crate_owner_invite: { crate_id: bodyId, accepted },
    });
  const publish = (token: string, name: string, version: string) =>
    publishMinimal(h.url, token, name, version);

  beforeAll(async () => {
    h = await startRegistry();
    alice = await h.token('alice');
    bob = await h.token('bob');
    carol = await h.token('carol');
    await createAdmin(h, 'root', PASSWORD);
    root = await signIn(h, 'root', PASSWORD);
    expect((await publish(alice, 'shared', '1.0.0')).status).toBe(200);
    expect((await publish(alice, 'other', '1.0.0')).status).toBe(200);
    crateId = (await h.services.crates.findByName('shared'))!.id;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('invites instead of adding, with the message crates.io sends', async () => {
    const r = await invite('bob');
    expect(r).toEqual({
      status: 200,
      json: { ok: true, msg: 'user bob has been invited to be an owner of crate shared' },
    });
    expect(await h.services.crates.isOwner(crateId, (await h.services.users.findByLogin('bob'))!.id)).toBe(
      false,
    );
    expect((await publish(bob, 'shared', '1.1.0')).status).toBe(403);

    const again = await invite('bob');
    expect((again.json as { msg: string }).msg).toMatch(/bob already had a pending invitation .* renewed/);
    const owner = await invite('alice');
    expect(owner.status).toBe(400);
    expect(detail(owner.json)).toBe('`alice` is already an owner');
  });

  it('lists the invitee’s pending invitations in crates.io’s shapes', async () => {
    const bobUser = (await h.services.users.findByLogin('bob'))!;
    const aliceUser = (await h.services.users.findByLogin('alice'))!;
    const v1 = await call('GET', '/api/v1/me/crate_owner_invitations', bob);
    expect(v1.status).toBe(200);
    expect(v1.json).toMatchObject({
      crate_owner_invitations: [
        {
          crate_id: crateId,
          crate_name: 'shared',
          invitee_id: bobUser.id,
          inviter_id: aliceUser.id,
          invited_by_username: 'alice',
          created_at: expect.any(String),
          expires_at: expect.any(String),
        },
      ],
      users: expect.arrayContaining([
        expect.objectContaining({ id: aliceUser.id, login: 'alice' }),
        expect.objectContaining({ id: bobUser.id, login: 'bob' }),
      ]),
    });
    const priv = await call('GET', `/api/private/crate_owner_invitations?invitee_id=${bobUser.id}`, bob);
    expect(priv.status).toBe(200);
    expect(priv.json).toMatchObject({
      invitations: [
        { crate_id: crateId, crate_name: 'shared', invitee_id: bobUser.id, inviter_id: aliceUser.id },
      ],
      meta: { next_page: null },
    });
    // Only the invitee may ask for their list; only owners for a crate's.
    const spy = await call('GET', `/api/private/crate_owner_invitations?invitee_id=${bobUser.id}`, carol);
    expect(spy.status).toBe(403);
    expect((await call('GET', '/api/private/crate_owner_invitations?crate_name=shared', carol)).status).toBe(
      403,
    );
    const byOwner = await call('GET', '/api/private/crate_owner_invitations?crate_name=shared', alice);
    expect((byOwner.json as { invitations: unknown[] }).invitations).toHaveLength(1);
    expect((await call('GET', '/api/private/crate_owner_invitations', bob)).status).toBe(400);
    expect((await call('GET', '/api/v1/me/crate_owner_invitations', null)).status).toBe(401);
    expect(
      (await call('GET', '/api/v1/me/crate_owner_invitations', carol)).json as {
        crate_owner_invitations: [];
      },
    ).toMatchObject({ crate_owner_invitations: [] });
  });

  it('refuses bad crate ids, other users, and tokens without the change-owners scope', async () => {
    for (const bad of ['abc', '-1', '1.5', '99999999999999999999']) {
      const r = await answer(bob, bad, true, 1);
      expect(r.status, bad).toBe(400);
    }
    const mismatch = await answer(bob, crateId, true, crateId + 1);
    expect(mismatch.status).toBe(400);
    const unknown = await answer(bob, 424242, true);
    expect(unknown.status).toBe(404);
    const junk = await call(
      'PUT',
      `/api/v1/me/crate_owner_invitations/${crateId}`,
      bob,
      '{"crate_owner_invite":1}',
    );
    expect(junk.status).toBe(400);
    // Carol has no invitation for this crate: she cannot accept Bob's.
    const stolen = await answer(carol, crateId, true);
    expect(stolen.status).toBe(404);
    const publishOnly = await h.token('bob', ['publish-update']);
    const scoped = await answer(publishOnly, crateId, true);
    expect(scoped.status).toBe(403);
    expect(detail(scoped.json)).toMatch(/change-owners/);
    const otherCrate = await h.token('bob', ['change-owners'], ['other']);
    expect((await answer(otherCrate, crateId, true)).status).toBe(403);
    expect((await answer(null, crateId, true)).status).toBe(401);
    expect(await h.services.crates.isOwner(crateId, (await h.services.users.findByLogin('carol'))!.id)).toBe(
      false,
    );
  });

  it('accepts through the API: the invitee becomes an owner and can publish', async () => {
    const r = await answer(bob, crateId, true);
    expect(r).toEqual({
      status: 200,
      json: { crate_owner_invitation: { crate_id: crateId, accepted: true } },
    });
    expect((await publish(bob, 'shared', '1.1.0')).status).toBe(200);
    // Answered: nothing left to accept.
    expect((await answer(bob, crateId, true)).status).toBe(404);
    const { entries } = await h.services.audit.list({ target: 'shared' });
    expect(entries.map((e) => e.action)).toEqual(
      expect.arrayContaining(['owner-invite', 'owner-invite-renew', 'owner-invite-accept']),
    );
  });

  it('declines, and removing a login cancels its pending invitation', async () => {
    await invite('carol');
    expect((await answer(carol, crateId, false)).json).toEqual({
      crate_owner_invitation: { crate_id: crateId, accepted: false },
    });
    expect((await call('GET', '/api/v1/me/crate_owner_invitations', carol)).json).toMatchObject({
      crate_owner_invitations: [],
    });
    await invite('carol');
    const removed = await call('DELETE', '/api/v1/crates/shared/owners', alice, { users: ['carol'] });
    expect(removed.status).toBe(200);
    expect((removed.json as { msg: string }).msg).toMatch(/invitation .*carol.* cancelled/);
    expect((await answer(carol, crateId, true)).status).toBe(404);
  });

  it('accepts with the token, refuses bad, foreign and expired tokens', async () => {
    const carolUser = (await h.services.users.findByLogin('carol'))!;
    const krate = (await h.services.crates.findByName('other'))!;
    const aliceUser = (await h.services.users.findByLogin('alice'))!;
    const invitations = new OwnerInvitations(h.services.db.kysely, h.services.audit);
    const { token } = await invitations.invite(krate, carolUser, { id: aliceUser.id, login: 'alice' }, {});
    expect((await call('PUT', '/api/v1/me/crate_owner_invitations/accept/not-a-token', null)).status).toBe(
      404,
    );
    // Someone else signed in holding Carol's link is refused.
    const foreign = await call('PUT', `/api/v1/me/crate_owner_invitations/accept/${token}`, bob);
    expect(foreign.status).toBe(403);
    const ok = await call('PUT', `/api/v1/me/crate_owner_invitations/accept/${token}`, null);
    expect(ok).toEqual({
      status: 200,
      json: { crate_owner_invitation: { crate_id: krate.id, accepted: true } },
    });
    expect(await h.services.crates.isOwner(krate.id, carolUser.id)).toBe(true);

    const bobUser = (await h.services.users.findByLogin('bob'))!;
    const old = await invitations.invite(
      krate,
      bobUser,
      { id: aliceUser.id, login: 'alice' },
      {},
      addDays(new Date(), -31),
    );
    const expired = await call('PUT', `/api/v1/me/crate_owner_invitations/accept/${old.token}`, null);
    expect(expired.status).toBe(410);
    expect(detail(expired.json)).toMatch(/invitation to become an owner of the other crate expired/);
    expect(await h.services.crates.isOwner(krate.id, bobUser.id)).toBe(false);
  });

  it('lets only one of two concurrent accepts through', async () => {
    const dave = await h.token('dave');
    await invite('dave');
    const results = await Promise.all([answer(dave, crateId, true), answer(dave, crateId, true)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 404]);
    const accepts = (await h.services.audit.list({ action: 'owner-invite-accept' })).entries.filter((e) =>
      e.details.includes('"invitee":"dave"'),
    );
    expect(accepts).toHaveLength(1);
  });

  it('shows admins every pending invitation, and lets an admin who is the invitee answer', async () => {
    const rootUser = (await h.services.users.findByLogin('root'))!;
    await invite('root');
    await invite('bob', 'other');
    const list = await root.call('GET', '/api/admin/owner-invitations');
    expect(list.status).toBe(200);
    const body = (await list.json()) as {
      total: number;
      invitations: { id: number; crate: string; invitee: string; inviter: string; expired: boolean }[];
    };
    expect(body.invitations.map((i) => [i.crate, i.invitee, i.inviter, i.expired])).toEqual(
      expect.arrayContaining([
        ['shared', 'root', 'alice', false],
        ['other', 'bob', 'alice', false],
      ]),
    );
    const forBob = body.invitations.find((i) => i.invitee === 'bob')!;
    const forRoot = body.invitations.find((i) => i.invitee === 'root')!;
    const notMine = await root.call('POST', `/api/admin/owner-invitations/${forBob.id}/accept`);
    expect(notMine.status).toBe(403);
    const noCsrf = await root.call('POST', `/api/admin/owner-invitations/${forRoot.id}/accept`, undefined, {
      csrf: false,
    });
    expect(noCsrf.status).toBe(403);
    const accepted = await root.call('POST', `/api/admin/owner-invitations/${forRoot.id}/accept`);
    expect(accepted.status).toBe(200);
    expect(await h.services.crates.isOwner(crateId, rootUser.id)).toBe(true);
    expect((await root.call('POST', `/api/admin/owner-invitations/${forRoot.id}/decline`)).status).toBe(404);
    expect((await root.call('POST', '/api/admin/owner-invitations/abc/accept')).status).toBe(400);
    // A non-admin token cannot read the admin list.
    expect((await call('GET', '/api/admin/owner-invitations', bob)).status).toBe(403);
  });
});
