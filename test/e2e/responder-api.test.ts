// The responder routes on both databases: alerts follow the actions on their version, crate,
// publisher or token (inside the action's transaction), the queue shows each subject's state,
// bulk triage settles many alerts at once with one audit entry each, releasing from quarantine
// needs a fresh password and, for a critical verdict, the typed version; held names, provenance
// search and account-takeover signals.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropPostgresSchema } from '../../src/store/database.js';
import type { AlertRow } from '../../src/store/schema.js';
import type {
  AlertFollowUpView,
  AlertQueuePage,
  NameHolds,
  ProvenanceAnswer,
  QuarantineQueue,
  ReleaseCheck,
  TakeoverSignals,
} from '../../src/admin/responder-types.js';
import { DIALECTS, POSTGRES_URL } from '../support/databases.js';
import { createAdmin, signIn, type ConsoleSession } from '../support/console-session.js';
import { publishMinimal } from '../support/publish-body.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';

const PASSWORD = 'correct horse battery staple';

describe.each(DIALECTS)('responder API on %s', (dialect) => {
  let h: Harness;
  let schema: string | null = null;
  let admin: ConsoleSession;
  let alice: string;
  let mallory: string;

  const publish = async (token: string, name: string, version: string) =>
    expect((await publishMinimal(h.url, token, name, version)).status).toBe(200);
  const versionId = async (name: string, num: string) => {
    const krate = await h.services.crates.findByName(name);
    return (await h.services.crates.findVersion(krate!.id, num))!.id;
  };
  let seq = 0;
  /** An alert about `name@version`, as a scanner finding would raise it. */
  const raise = async (name: string, version: string, severity: AlertRow['severity'] = 'high') =>
    (
      await h.pipeline.alerts.raise({
        kind: 'scanner',
        severity,
        crateName: name,
        version,
        versionId: await versionId(name, version),
        title: `${name}@${version}: suspicious #${++seq}`,
        details: { findings: [] },
        score: 50,
        dedupeKey: `test:${name}@${version}:${seq}`,
      })
    ).alert;
  const get = async <T>(path: string): Promise<T> => {
    const res = await admin.call('GET', path);
    expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
    return (await res.json()) as T;
  };
  const post = (path: string, body: unknown) => admin.call('POST', path, body);
  const followUp = (id: number) => get<AlertFollowUpView>(`/api/admin/alerts/${id}/follow-up`);
  const auditCount = async () =>
    Number(
      (
        await h.services.db.kysely
          .selectFrom('audit_log')
          .select((eb) => eb.fn.countAll<string | number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    schema = dialect === 'postgres' ? `ck_test_${randomBytes(6).toString('hex')}` : null;
    h = await startRegistry(schema ? { database: { url: POSTGRES_URL, schema, poolSize: 8 } } : {});
    await createAdmin(h, 'root', PASSWORD);
    admin = await signIn(h, 'root', PASSWORD);
    alice = await h.token('alice');
    mallory = await h.token('mallory');
    for (const v of ['1.0.0', '1.1.0', '1.2.0', '1.3.0']) await publish(alice, 'victim', v);
    await publish(alice, 'doomed', '0.1.0');
    await publish(alice, 'doomed', '0.2.0');
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    if (schema) await dropPostgresSchema(POSTGRES_URL, schema);
  });

  it('records a precautionary yank on the alert and leaves it open; a confirmed yank resolves it', async () => {
    const a = await raise('victim', '1.0.0');
    const other = await raise('victim', '1.1.0');
    let res = await post('/api/admin/crates/victim/versions/1.0.0/yank', {
      reason: 'precaution while we look',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ alerts: { followed: 1, settled: 0 } });
    let f = await followUp(a.id);
    expect(f.state).toBe('yanked');
    expect(f.resolution).toBeNull();
    expect(f.actions).toEqual([
      expect.objectContaining({
        action: 'yank',
        actor: 'root',
        reason: 'precaution while we look',
        settled: false,
      }),
    ]);
    expect((await h.pipeline.alerts.get(a.id))!.status).toBe('open');
    // The linked audit entry is the yank's, and names the alert.
    const entry = await h.services.db.kysely
      .selectFrom('audit_log')
      .selectAll()
      .where('id', '=', f.actions[0]!.auditId)
      .executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ action: 'yank', target: 'victim@1.0.0' });
    expect(JSON.parse(entry.details)).toMatchObject({ alerts: [a.id], confirmed: false });

    await post('/api/admin/crates/victim/versions/1.0.0/unyank', { reason: 'back while checking' });
    res = await post('/api/admin/crates/victim/versions/1.0.0/yank', {
      reason: 'confirmed credential stealer',
      confirmed: true,
    });
    expect(await res.json()).toMatchObject({ alerts: { followed: 1, settled: 1 } });
    f = await followUp(a.id);
    expect(f.actions.map((x) => x.action)).toEqual(['yank', 'unyank', 'yank']);
    expect(f.resolution).toMatchObject({ resolution: 'yank', by: 'root', auditId: f.actions[2]!.auditId });
    expect((await h.pipeline.alerts.get(a.id))!.status).toBe('resolved');
    // Another version's alert is untouched.
    expect((await followUp(other.id)).actions).toEqual([]);
    // `confirmed` must be a boolean: nothing changes otherwise.
    res = await post('/api/admin/crates/victim/versions/1.1.0/yank', {
      reason: 'typo in body',
      confirmed: 'yes',
    });
    expect(res.status).toBe(400);
    expect((await followUp(other.id)).state).toBe('live');
  });

  it('settles the alerts of a deleted version and of a deleted crate; the queue shows them deleted', async () => {
    const v = await raise('victim', '1.2.0', 'critical');
    const c1 = await raise('doomed', '0.1.0');
    const c2 = await raise('doomed', '0.2.0');
    expect(
      (await admin.call('DELETE', '/api/admin/crates/victim/versions/1.2.0', { reason: 'malware file' }))
        .status,
    ).toBe(200);
    expect(
      (await admin.call('DELETE', '/api/admin/crates/doomed', { reason: 'malicious crate' })).status,
    ).toBe(200);
    for (const [id, resolution] of [
      [v.id, 'delete-version'],
      [c1.id, 'delete-crate'],
      [c2.id, 'delete-crate'],
    ] as const) {
      const f = await followUp(id);
      expect(f.state, `alert ${id}`).toBe('deleted');
      expect(f.resolution?.resolution).toBe(resolution);
      expect(f.publisher).toBeNull();
    }
    expect((await followUp(c1.id)).crateExists).toBe(false);
    const queue = await get<AlertQueuePage>('/api/admin/alerts?status=resolved&per_page=100');
    const row = queue.alerts.find((r) => r.id === v.id)!;
    expect(row).toMatchObject({
      state: 'deleted',
      impact: null,
      resolution: { resolution: 'delete-version' },
    });
    expect(row.lastAction).toMatchObject({ action: 'delete-version', actor: 'root', settled: true });
  });

  it('shows state, publisher and dependents in the queue, and records a lock on the publisher’s alerts', async () => {
    const a = await raise('victim', '1.3.0');
    let queue = await get<AlertQueuePage>('/api/admin/alerts?crate=victim&per_page=100');
    let row = queue.alerts.find((r) => r.id === a.id)!;
    expect(row).toMatchObject({
      state: 'live',
      publisher: { login: 'alice', locked: false },
      impact: { directDependents: 0, transitiveDependents: 0 },
      resolution: null,
      lastAction: null,
    });
    expect(queue.alerts.find((r) => r.version === '1.0.0')?.state).toBe('yanked');

    await h.services.db.kysely
      .updateTable('sessions')
      .set({ reauth_until: new Date(Date.now() + 60_000).toISOString() })
      .execute();
    expect((await post('/api/admin/users/alice/lock', { reason: 'account looks taken over' })).status).toBe(
      200,
    );
    queue = await get<AlertQueuePage>('/api/admin/alerts?crate=victim&per_page=100');
    row = queue.alerts.find((r) => r.id === a.id)!;
    expect(row.publisher).toEqual({ login: 'alice', locked: true });
    expect(row.lastAction).toMatchObject({
      action: 'lock-user',
      reason: 'account looks taken over',
      settled: false,
    });
    expect(row.status).toBe('open');
    expect((await followUp(a.id)).publisher).toMatchObject({ login: 'alice', locked: true });
    expect((await post('/api/admin/users/alice/unlock', { reason: 'owner confirmed by phone' })).status).toBe(
      200,
    );
    expect((await followUp(a.id)).actions.map((x) => x.action)).toEqual(['lock-user', 'unlock-user']);
  });

  it('bulk-triages by ids and by filter: one transaction, one audit entry per alert', async () => {
    await publish(mallory, 'noisy', '1.0.0');
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await raise('noisy', '1.0.0', 'low')).id);
    const before = await auditCount();

    // A bad resolution, a missing id: refused whole, nothing written.
    expect(
      (await post('/api/admin/alerts/bulk-triage', { ids, resolution: 'meh', note: 'all fine' })).status,
    ).toBe(400);
    const missing = await post('/api/admin/alerts/bulk-triage', {
      ids: [...ids, 99_999],
      resolution: 'false-positive',
      note: 'all fine',
    });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('99999');
    expect(
      (await post('/api/admin/alerts/bulk-triage', { resolution: 'duplicate', note: 'neither' })).status,
    ).toBe(400);
    expect(await auditCount()).toBe(before);
    expect((await h.pipeline.alerts.get(ids[0]!))!.status).toBe('open');

    let res = await post('/api/admin/alerts/bulk-triage', {
      ids: ids.slice(0, 2),
      resolution: 'false-positive',
      note: 'test fixture strings',
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ count: 2, status: 'dismissed', resolution: 'false-positive' });
    expect(await auditCount()).toBe(before + 2);
    const f = await followUp(ids[0]!);
    expect(f.resolution).toMatchObject({ resolution: 'false-positive', by: 'root' });
    expect(f.actions[0]).toMatchObject({
      action: 'alert-bulk-triage',
      reason: 'false positive: test fixture strings',
    });

    res = await post('/api/admin/alerts/bulk-triage', {
      filter: { crate: 'noisy', status: 'open' },
      resolution: 'confirmed-malicious',
      note: 'the whole crate is bad',
    });
    expect(await res.json()).toMatchObject({ count: 1, ids: [ids[2]], status: 'resolved' });
    const entries = await h.services.db.kysely
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'alert-bulk-triage')
      .orderBy('id')
      .execute();
    expect(entries.map((e) => e.target)).toEqual(ids.map(String));
    expect(JSON.parse(entries[2]!.details)).toMatchObject({
      resolution: 'confirmed-malicious',
      from: 'open',
      to: 'resolved',
    });
    // Reopening takes the resolution away.
    await post(`/api/admin/alerts/${ids[2]}/triage`, { action: 'reopen', reason: 'not so sure' });
    expect((await followUp(ids[2]!)).resolution).toBeNull();
  });

  it('settles a single alert with a reason from the same scale, shown in its history', async () => {
    await publish(alice, 'single', '1.0.0');
    const a = await raise('single', '1.0.0', 'medium');
    const b = await raise('single', '1.0.0', 'medium');
    const triage = (id: number, body: Record<string, unknown>) =>
      post(`/api/admin/alerts/${id}/triage`, body);
    const before = await auditCount();
    // Dismissing or resolving without a structured reason, with one off the scale, or with one
    // that settles the other way: refused, nothing written.
    for (const [body, text] of [
      [{ action: 'dismiss', reason: 'looks fine' }, /`resolution` is required to dismiss/],
      [{ action: 'resolve', reason: 'dealt with' }, /`resolution` is required to resolve/],
      [{ resolution: 'meh', reason: 'looks fine' }, /resolution/],
      [{ action: 'resolve', resolution: 'false-positive', reason: 'x'.repeat(5) }, /dismisses an alert/],
      [{ action: 'acknowledge', resolution: 'duplicate', reason: 'x'.repeat(5) }, /settles an alert/],
      [{ reason: 'neither' }, /send `action`/],
    ] as const) {
      const res = await triage(a.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.text(), JSON.stringify(body)).toMatch(text);
    }
    expect(await auditCount()).toBe(before);
    expect((await h.pipeline.alerts.get(a.id))!.status).toBe('open');

    // Acknowledging is recorded on the alert's history too, without settling it.
    let res = await triage(a.id, { action: 'acknowledge', reason: 'looking into it' });
    expect(await res.json()).toEqual({ ok: true, status: 'acknowledged', resolution: null });
    // The reason alone says what to do: accepted risk dismisses.
    res = await triage(a.id, { resolution: 'accepted-risk', reason: 'vendored on purpose', note: 'asked' });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toEqual({ ok: true, status: 'dismissed', resolution: 'accepted-risk' });
    let f = await followUp(a.id);
    expect(f.resolution).toMatchObject({ resolution: 'accepted-risk', by: 'root' });
    expect(f.actions.map((x) => [x.action, x.reason, x.settled])).toEqual([
      ['alert-acknowledge', 'looking into it', false],
      ['alert-dismiss', 'accepted risk: vendored on purpose', true],
    ]);
    expect(f.resolution!.auditId).toBe(f.actions[1]!.auditId);
    const entry = await h.services.db.kysely
      .selectFrom('audit_log')
      .selectAll()
      .where('id', '=', f.actions[1]!.auditId)
      .executeTakeFirstOrThrow();
    expect(entry.action).toBe('alert-dismiss');
    expect(JSON.parse(entry.details)).toMatchObject({
      resolution: 'accepted-risk',
      from: 'acknowledged',
      to: 'dismissed',
      note: 'asked',
    });
    // The queue shows the structured reason, as for bulk triage.
    const queue = await get<{ alerts: { id: number; resolution: { resolution: string } | null }[] }>(
      '/api/admin/alerts?crate=single&status=dismissed',
    );
    expect(queue.alerts.map((x) => [x.id, x.resolution?.resolution])).toEqual([[a.id, 'accepted-risk']]);

    // An explicit action that agrees with the reason; reopening takes the resolution away.
    res = await triage(b.id, { action: 'resolve', resolution: 'confirmed-malicious', reason: 'payload' });
    expect(await res.json()).toMatchObject({ status: 'resolved', resolution: 'confirmed-malicious' });
    await triage(b.id, { action: 'reopen', reason: 'not so sure' });
    f = await followUp(b.id);
    expect(f.resolution).toBeNull();
    expect(f.actions.map((x) => x.action)).toEqual(['alert-resolve', 'alert-reopen']);
    expect((await h.pipeline.alerts.get(b.id))!.status).toBe('open');
  });

  it('releases from quarantine only after a fresh password and, for a critical verdict, the typed version', async () => {
    await publish(mallory, 'held', '0.1.0');
    await publish(mallory, 'held', '0.2.0');
    for (const num of ['0.1.0', '0.2.0'])
      await h.services.crates.setStatus(await versionId('held', num), 'quarantined');
    await h.pipeline.scans.save({
      versionId: await versionId('held', '0.2.0'),
      verdict: 'critical',
      findings: [
        {
          ruleId: 'net-exfil',
          severity: 'critical',
          title: 'sends ~/.ssh to a webhook',
          file: 'build.rs',
          line: 4,
        },
        {
          ruleId: 'env-read',
          severity: 'medium',
          title: 'reads environment variables',
          file: 'build.rs',
          line: 2,
        },
      ],
      capabilities: [],
      stats: {},
    });
    const alert = await raise('held', '0.2.0', 'critical');

    const queue = await get<QuarantineQueue>('/api/admin/quarantine/queue');
    expect(queue.versions.map((v) => `${v.crate}@${v.version}:${v.verdict}`)).toEqual([
      'held@0.1.0:null',
      'held@0.2.0:critical',
    ]);
    expect(queue.versions[1]).toMatchObject({
      findingCount: 2,
      topFinding: 'sends ~/.ssh to a webhook',
      openAlerts: 1,
    });

    const check = await get<ReleaseCheck>('/api/admin/crates/held/versions/0.2.0/release-check');
    expect(check).toMatchObject({ verdict: 'critical', confirmText: 'held@0.2.0', findingCount: 2 });
    expect(check.topFindings[0]).toMatchObject({ ruleId: 'net-exfil', file: 'build.rs', line: 4 });
    expect(
      (await get<ReleaseCheck>('/api/admin/crates/held/versions/0.1.0/release-check')).confirmText,
    ).toBeNull();

    await h.services.db.kysely
      .updateTable('sessions')
      .set({ reauth_until: '2000-01-01T00:00:00.000Z' })
      .execute();
    const stale = await post('/api/admin/crates/held/versions/0.1.0/release', { reason: 'reviewed, clean' });
    expect(stale.status).toBe(403);
    expect(await stale.json()).toMatchObject({ reauth: true });
    expect((await post('/api/admin/session/reauth', { password: PASSWORD })).status).toBe(200);
    expect(
      (await post('/api/admin/crates/held/versions/0.1.0/release', { reason: 'reviewed, clean' })).status,
    ).toBe(200);

    for (const confirm of [undefined, 'held@0.1.0', 'HELD@0.2.0']) {
      const res = await post('/api/admin/crates/held/versions/0.2.0/release', {
        reason: 'reviewed',
        confirm,
      });
      expect(res.status, String(confirm)).toBe(400);
      expect(await res.text()).toContain('critical scan verdict');
    }
    expect((await followUp(alert.id)).state).toBe('quarantined');
    const ok = await post('/api/admin/crates/held/versions/0.2.0/release', {
      reason: 'false positive: webhook is ours',
      confirm: 'held@0.2.0',
    });
    expect(ok.status).toBe(200);
    const f = await followUp(alert.id);
    expect(f.state).toBe('live');
    expect(f.actions).toEqual([expect.objectContaining({ action: 'release', settled: false })]);
  });

  it('lists held names, finds versions by provenance, and shows takeover signals with a one-step token revoke', async () => {
    await post('/api/admin/names', { name: 'reserved-one', action: 'block', reason: 'known malware name' });
    const names = await get<NameHolds>('/api/admin/names');
    expect(names.names).toEqual([expect.objectContaining({ name: 'reserved-one', kind: 'blocked' })]);
    expect(names.deletedCrates.map((d) => d.name)).toEqual(['doomed']);

    // victim 1.3.0 is published again by someone else, with a new token, from a new block.
    const owner = await h.services.users.findByLogin('alice');
    const thief = await h.services.tokens.create({
      userId: owner!.id,
      name: 'laptop-new',
      scopes: ['publish-update'],
    });
    await publish(thief.token, 'victim', '1.4.0');
    const id = await versionId('victim', '1.4.0');
    await h.services.db.kysely
      .updateTable('versions')
      .set({ client_ip: '203.0.113.9', user_agent: 'curl/8.0' })
      .where('id', '=', id)
      .execute();
    const s = await get<TakeoverSignals>('/api/admin/crates/victim/versions/1.4.0/signals');
    expect(s).toMatchObject({
      previousVersion: '1.3.0',
      publisher: 'alice',
      publisherChanged: false,
      tokenChanged: true,
      youngToken: true,
      newIpRange: '203.0.113.0/24',
      newUserAgent: true,
      token: { name: 'laptop-new', revoked: false },
      raised: 4,
    });
    expect((await get<TakeoverSignals>('/api/admin/crates/victim/versions/1.1.0/signals')).raised).toBe(1); // young token only

    const byIp = await get<ProvenanceAnswer>('/api/admin/provenance?ip=203.0.113.');
    expect(byIp.versions.map((v) => `${v.crate}@${v.version}`)).toEqual(['victim@1.4.0']);
    const checksum = byIp.versions[0]!.checksum;
    expect(
      (await get<ProvenanceAnswer>(`/api/admin/provenance?checksum=${checksum.slice(0, 12)}`)).versions,
    ).toHaveLength(1);
    expect(
      (await get<ProvenanceAnswer>('/api/admin/provenance?token=LAPTOP-NEW')).versions[0]?.tokenName,
    ).toBe('laptop-new');
    expect(
      (await get<ProvenanceAnswer>('/api/admin/provenance?publisher=mallory')).versions.map((v) => v.crate),
    ).toEqual(['held', 'held', 'noisy']);
    expect((await admin.call('GET', '/api/admin/provenance?ip=1.2.3.4&publisher=alice')).status).toBe(400);
    expect((await admin.call('GET', '/api/admin/provenance?checksum=nothex')).status).toBe(400);

    const alert = await raise('victim', '1.4.0');
    const res = await post('/api/admin/crates/victim/versions/1.4.0/revoke-publishing-token', {
      reason: 'token used from an unknown network',
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({
      id: s.token!.id,
      user: 'alice',
      alerts: { followed: 1, settled: 0 },
    });
    expect((await followUp(alert.id)).actions[0]).toMatchObject({ action: 'revoke-token' });
    expect(
      (await get<TakeoverSignals>('/api/admin/crates/victim/versions/1.4.0/signals')).token?.revoked,
    ).toBe(true);
    // The same token cannot be revoked twice; the refusal records nothing.
    expect(
      (await post('/api/admin/crates/victim/versions/1.4.0/revoke-publishing-token', { reason: 'again' }))
        .status,
    ).toBe(400);
    expect((await followUp(alert.id)).actions).toHaveLength(1);
  });

  it('refuses outsiders before reading the body, and a token limited to some crates where it sees all', async () => {
    const anon = await fetch(`${h.url}/api/admin/alerts/bulk-triage`, { method: 'POST', body: 'not json' });
    expect(anon.status).toBe(401);
    const root = await h.services.users.findByLogin('root');
    const limited = await h.services.tokens.create({
      userId: root!.id,
      name: 'limited',
      scopes: ['admin'],
      cratePatterns: ['victim'],
    });
    const res = await fetch(`${h.url}/api/admin/alerts/bulk-triage`, {
      method: 'POST',
      headers: { authorization: limited.token, 'content-type': 'application/json' },
      body: JSON.stringify({ ids: [1], resolution: 'duplicate', note: 'dup' }),
    });
    expect(res.status).toBe(403);
    const signals = await fetch(`${h.url}/api/admin/crates/held/versions/0.1.0/signals`, {
      headers: { authorization: limited.token },
    });
    expect(signals.status).toBe(403);
  });
});
