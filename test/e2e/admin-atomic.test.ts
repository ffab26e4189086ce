// One request, one transaction: an admin action (or cargo's yank) and its audit entry commit
// together or not at all, on both databases. A failing audit append leaves the action undone;
// a failure after the append (a later write, the commit) leaves no audit entry behind.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { dropPostgresSchema } from '../../src/store/database.js';
import { isLocked } from '../../src/store/users.js';
import { DIALECTS, POSTGRES_URL } from '../support/databases.js';
import { publishMinimal } from '../support/publish-body.js';
import { createAdmin, signIn } from '../support/console-session.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';

const PASSWORD = 'correct horse battery staple';

const publish = (h: Harness, token: string, name: string, version: string) =>
  publishMinimal(h.url, token, name, version);

describe.each(DIALECTS)('admin actions and their audit entries on %s', (dialect) => {
  let h: Harness;
  let schema: string | null = null;
  let alice: string;
  let rootToken: string;

  beforeAll(async () => {
    schema = dialect === 'postgres' ? `ck_test_${randomBytes(6).toString('hex')}` : null;
    h = await startRegistry(schema ? { database: { url: POSTGRES_URL, schema, poolSize: 8 } } : {});
    alice = await h.token('alice');
    for (const v of ['1.0.0', '1.1.0', '1.2.0'])
      expect((await publish(h, alice, 'atom', v)).status).toBe(200);
    const root = await h.services.users.create({ login: 'root', isAdmin: true });
    rootToken = (await h.services.tokens.create({ userId: root.id, name: 'ci', scopes: ['admin'] })).token;
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    if (schema) await dropPostgresSchema(POSTGRES_URL, schema);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const admin = (method: string, path: string, body: unknown) =>
    fetch(`${h.url}${path}`, {
      method,
      headers: { authorization: rootToken, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const cargoYank = (version: string) =>
    fetch(`${h.url}/api/v1/crates/atom/${version}/yank`, {
      method: 'DELETE',
      headers: { authorization: alice },
    });

  /** The audit append refuses: nothing may have been written. */
  const failAppend = () =>
    vi.spyOn(h.services.audit, 'append').mockRejectedValueOnce(new Error('audit log unavailable'));
  /** The append goes through, then the request fails (a later write, the commit): no entry may remain. */
  const failAfterAppend = () => {
    const real = h.services.audit.append.bind(h.services.audit);
    return vi.spyOn(h.services.audit, 'append').mockImplementationOnce(async (...args) => {
      await real(...args);
      throw new Error('crashed after the audit append');
    });
  };
  const entries = async (action: string, target: string) =>
    (await h.services.audit.list({ action, target })).total;
  const version = async (num: string) => {
    const krate = await h.services.crates.findByName('atom');
    return h.services.crates.findVersion(krate!.id, num);
  };

  it('sign-in and sign-out: the session and its audit entry commit together', async () => {
    await createAdmin(h, 'keeper', PASSWORD);
    const sessionsOf = async () => {
      const user = await h.services.users.findByLogin('keeper');
      return h.services.db.kysely
        .selectFrom('sessions')
        .selectAll()
        .where('user_id', '=', user!.id)
        .execute();
    };
    const signInRequest = () =>
      fetch(`${h.url}/api/admin/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: 'keeper', password: PASSWORD }),
      });
    failAppend();
    expect((await signInRequest()).status).toBe(500);
    expect(await sessionsOf()).toEqual([]);
    // The failed attempt's throttle reset rolled back with it: the attempt still counts.
    await h.services.throttle.clearLogin('keeper');
    failAfterAppend();
    expect((await signInRequest()).status).toBe(500);
    expect(await sessionsOf()).toEqual([]);
    expect(await entries('sign-in', 'keeper')).toBe(0);
    await h.services.throttle.clearLogin('keeper');

    const session = await signIn(h, 'keeper', PASSWORD);
    expect(await sessionsOf()).toHaveLength(1);
    failAppend();
    expect((await session.call('DELETE', '/api/admin/session')).status).toBe(500);
    expect(await sessionsOf()).toHaveLength(1);
    expect((await session.call('DELETE', '/api/admin/session')).status).toBe(200);
    expect(await sessionsOf()).toEqual([]);
    expect(await entries('sign-out', 'keeper')).toBe(1);
    await h.services.throttle.clearLogin('keeper'); // leave no counters for the tests after this one
  });

  it("cargo's yank: no yank without its audit entry, no entry without the yank", async () => {
    failAppend();
    expect((await cargoYank('1.0.0')).status).toBe(500);
    expect((await version('1.0.0'))!.yanked).toBe(0);

    failAfterAppend();
    expect((await cargoYank('1.0.0')).status).toBe(500);
    expect((await version('1.0.0'))!.yanked).toBe(0);
    expect(await entries('yank', 'atom@1.0.0')).toBe(0);

    // The version's flag is written, then the crate's timestamp fails: the flag is rolled back.
    vi.spyOn(h.services.crates, 'touch').mockRejectedValueOnce(new Error('disk full'));
    expect((await cargoYank('1.0.0')).status).toBe(500);
    expect((await version('1.0.0'))!.yanked).toBe(0);
    expect(await entries('yank', 'atom@1.0.0')).toBe(0);

    expect((await cargoYank('1.0.0')).status).toBe(200);
    expect((await version('1.0.0'))!.yanked).toBe(1);
    expect(await entries('yank', 'atom@1.0.0')).toBe(1);
    const index = await (await fetch(`${h.url}/index/at/om/atom`)).text();
    expect(index).toContain('"vers":"1.0.0"');
    expect(JSON.parse(index.split('\n')[0]!)).toMatchObject({ vers: '1.0.0', yanked: true });
  });

  it('admin yank: all or nothing', async () => {
    const yank = () =>
      admin('POST', '/api/admin/crates/atom/versions/1.1.0/yank', { reason: 'malicious build script' });
    failAppend();
    expect((await yank()).status).toBe(500);
    expect((await version('1.1.0'))!.yanked).toBe(0);

    failAfterAppend();
    expect((await yank()).status).toBe(500);
    expect((await version('1.1.0'))!.yanked).toBe(0);
    expect(await entries('yank', 'atom@1.1.0')).toBe(0);

    vi.spyOn(h.services.crates, 'touch').mockRejectedValueOnce(new Error('disk full'));
    expect((await yank()).status).toBe(500);
    expect((await version('1.1.0'))!.yanked).toBe(0);

    expect((await yank()).status).toBe(200);
    expect((await version('1.1.0'))!.yanked).toBe(1);
    expect(await entries('yank', 'atom@1.1.0')).toBe(1);
  });

  it('delete version: all or nothing, and the file is left to the garbage collector', async () => {
    const del = () =>
      admin('DELETE', '/api/admin/crates/atom/versions/1.2.0', { reason: 'published by mistake' });
    const checksum = (await version('1.2.0'))!.checksum;
    failAppend();
    expect((await del()).status).toBe(500);
    expect(await version('1.2.0')).toBeDefined();
    expect(await h.services.blobs.has(checksum)).toBe(true);

    failAfterAppend();
    expect((await del()).status).toBe(500);
    expect(await version('1.2.0')).toBeDefined();
    expect(await entries('delete-version', 'atom@1.2.0')).toBe(0);

    // The version row goes, then a later write fails: the version (and its file) must stay.
    vi.spyOn(h.services.crates, 'touch').mockRejectedValueOnce(new Error('disk full'));
    expect((await del()).status).toBe(500);
    expect(await version('1.2.0')).toBeDefined();
    expect(await h.services.blobs.has(checksum)).toBe(true);
    expect(await entries('delete-version', 'atom@1.2.0')).toBe(0);
    // A retired number would refuse a republish: it must not be retired either.
    const retired = await h.services.db.kysely
      .selectFrom('deleted_versions')
      .select('num')
      .where('canonical_name', '=', 'atom')
      .execute();
    expect(retired).toEqual([]);

    expect((await del()).status).toBe(200);
    expect(await version('1.2.0')).toBeUndefined();
    expect(await entries('delete-version', 'atom@1.2.0')).toBe(1);
    // Unreferenced now, but removed only by the blob GC after its grace period.
    expect(await h.services.blobs.has(checksum)).toBe(true);
  });

  it('lock user: all or nothing, sessions included', async () => {
    const bob = await h.services.users.create({ login: 'bob' });
    await h.services.sessions.create(bob.id, { ip: null, userAgent: null });
    const sessions = async () =>
      (await h.services.db.kysely.selectFrom('sessions').select('id').where('user_id', '=', bob.id).execute())
        .length;
    const lock = () => admin('POST', '/api/admin/users/bob/lock', { reason: 'compromised laptop' });
    failAppend();
    expect((await lock()).status).toBe(500);
    expect(isLocked((await h.services.users.findById(bob.id))!)).toBe(false);
    expect(await sessions()).toBe(1);

    failAfterAppend();
    expect((await lock()).status).toBe(500);
    expect(isLocked((await h.services.users.findById(bob.id))!)).toBe(false);
    expect(await entries('lock-user', 'bob')).toBe(0);

    // The account is locked, then ending its sessions fails: the lock is rolled back too.
    vi.spyOn(h.services.sessions, 'deleteForUser').mockRejectedValueOnce(new Error('disk full'));
    expect((await lock()).status).toBe(500);
    expect(isLocked((await h.services.users.findById(bob.id))!)).toBe(false);
    expect(await entries('lock-user', 'bob')).toBe(0);

    expect((await lock()).status).toBe(200);
    expect(isLocked((await h.services.users.findById(bob.id))!)).toBe(true);
    expect(await sessions()).toBe(0);
    expect(await entries('lock-user', 'bob')).toBe(1);
  });

  it('unlock user: also clears the sign-in throttle of the login, in the same transaction', async () => {
    const carol = await h.services.users.create({ login: 'carol' });
    await h.services.users.lock(carol.id, 'suspicious', null);
    // Failed sign-ins counted against the login (the real attempts take seconds of backoff).
    await h.services.throttle.check({ login: 'carol', ip: '192.0.2.7', trusted: false }, 'wrong', null);
    const throttled = async () =>
      (await h.services.db.kysely.selectFrom('login_throttle').select('key').execute()).filter(
        (r) => r.key.startsWith('client:') || r.key.startsWith('login:'),
      ).length;
    expect(await throttled()).toBeGreaterThan(0);
    const unlock = () => admin('POST', '/api/admin/users/carol/unlock', { reason: 'owner confirmed' });

    failAppend();
    expect((await unlock()).status).toBe(500);
    expect(isLocked((await h.services.users.findById(carol.id))!)).toBe(true);
    expect(await throttled()).toBeGreaterThan(0);

    expect((await unlock()).status).toBe(200);
    expect(isLocked((await h.services.users.findById(carol.id))!)).toBe(false);
    expect(await throttled()).toBe(0);
    const [entry] = (await h.services.audit.list({ action: 'unlock-user', target: 'carol' })).entries;
    expect(JSON.parse(entry!.details)).toMatchObject({ throttleEntries: expect.any(Number) });
  });

  it('revoke token: all or nothing', async () => {
    const dave = await h.token('dave');
    const row = (await h.services.tokens.authenticate(dave))!.token;
    const revoke = () =>
      admin('POST', `/api/admin/users/dave/tokens/${row.id}/revoke`, { reason: 'leaked in a CI log' });
    const target = `dave/${row.name}#${row.id}`;
    failAppend();
    expect((await revoke()).status).toBe(500);
    expect(await h.services.tokens.authenticate(dave)).not.toBeNull();

    failAfterAppend();
    expect((await revoke()).status).toBe(500);
    expect(await h.services.tokens.authenticate(dave)).not.toBeNull();
    expect(await entries('revoke-token', target)).toBe(0);

    expect((await revoke()).status).toBe(200);
    expect(await h.services.tokens.authenticate(dave)).toBeNull();
    expect(await entries('revoke-token', target)).toBe(1);
  });

  it('triage an alert: status, note and audit entry all or nothing', async () => {
    const { alert } = await h.pipeline.alerts.raise({
      kind: 'typosquat',
      severity: 'high',
      crateName: 'atom',
      version: '1.0.0',
      versionId: null,
      title: 'atom imitates atoms',
      details: {},
      score: 80,
      dedupeKey: `atomic-${dialect}`,
    });
    const triage = () =>
      admin('POST', `/api/admin/alerts/${alert.id}/triage`, {
        action: 'dismiss',
        resolution: 'false-positive',
        reason: 'same team',
        note: 'confirmed with the owners',
      });
    const notes = async () =>
      (
        await h.services.db.kysely
          .selectFrom('alert_notes')
          .select('id')
          .where('alert_id', '=', alert.id)
          .execute()
      ).length;
    failAppend();
    expect((await triage()).status).toBe(500);
    expect((await h.pipeline.alerts.get(alert.id))!.status).toBe('open');
    expect(await notes()).toBe(0);

    failAfterAppend();
    expect((await triage()).status).toBe(500);
    expect((await h.pipeline.alerts.get(alert.id))!.status).toBe('open');
    expect(await notes()).toBe(0);
    expect((await h.pipeline.alerts.actionsOf([alert.id])).size).toBe(0);
    expect(await entries('alert-dismiss', String(alert.id))).toBe(0);

    expect((await triage()).status).toBe(200);
    expect((await h.pipeline.alerts.get(alert.id))!).toMatchObject({
      status: 'dismissed',
      resolution: 'false-positive',
    });
    expect(await notes()).toBe(1);
    expect((await h.pipeline.alerts.actionsOf([alert.id])).get(alert.id)?.length).toBe(1);
    expect(await entries('alert-dismiss', String(alert.id))).toBe(1);
  });

  it("admin owner removal also cancels the user's pending invitation, all or nothing", async () => {
    const krate = (await h.services.crates.findByName('atom'))!;
    const erin = await h.services.users.create({ login: 'erin' });
    const frank = await h.services.users.create({ login: 'frank' });
    await h.services.crates.addOwner(krate.id, frank.id, null);
    const invite = await fetch(`${h.url}/api/v1/crates/atom/owners`, {
      method: 'PUT',
      headers: { authorization: alice, 'content-type': 'application/json' },
      body: JSON.stringify({ users: ['erin'] }),
    });
    expect(invite.status).toBe(200);
    const pending = async () =>
      (await h.services.invitations.repository.find(krate.id, erin.id)) !== undefined;
    expect(await pending()).toBe(true);

    // Not an owner, but invited: the invitation is withdrawn.
    failAppend();
    expect(
      (await admin('DELETE', '/api/admin/crates/atom/owners/erin', { reason: 'not a maintainer' })).status,
    ).toBe(500);
    expect(await pending()).toBe(true);
    expect(
      (await admin('DELETE', '/api/admin/crates/atom/owners/erin', { reason: 'not a maintainer' })).status,
    ).toBe(200);
    expect(await pending()).toBe(false);
    expect(await entries('owner-invite-cancel', 'atom')).toBe(1);
    // Neither owner nor invited: nothing to remove.
    expect(
      (await admin('DELETE', '/api/admin/crates/atom/owners/erin', { reason: 'not a maintainer' })).status,
    ).toBe(400);

    failAfterAppend();
    expect(
      (await admin('DELETE', '/api/admin/crates/atom/owners/frank', { reason: 'left the team' })).status,
    ).toBe(500);
    expect(await h.services.crates.isOwner(krate.id, frank.id)).toBe(true);
    expect(await entries('owner-remove', 'atom')).toBe(0);
    expect(
      (await admin('DELETE', '/api/admin/crates/atom/owners/frank', { reason: 'left the team' })).status,
    ).toBe(200);
    expect(await h.services.crates.isOwner(krate.id, frank.id)).toBe(false);
    expect(await entries('owner-remove', 'atom')).toBe(1);
  });
});
