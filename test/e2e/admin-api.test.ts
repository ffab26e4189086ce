// The admin API: who may call it, sign-in with throttling, re-authentication, every action
// with its audit entry, and an audit log that detects tampering.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRIAGE_RESOLUTIONS } from '../../src/admin/api-types.js';
import { writeCrateArchive } from '../../src/formats/crate-archive.js';
import { repoRoot } from '../support/debian-corpus.js';
import { createAdmin, signIn, type ConsoleSession } from '../support/console-session.js';
import { manifestToml, metadataFor, publishBody, publishMinimal } from '../support/publish-body.js';
import { minimalPublishRecord } from '../support/publish-record.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';
import { CLI_ARGV } from '../support/cli-process.js';

const PASSWORD = 'correct horse battery staple';

const publish = (h: Harness, token: string, name: string, version: string) =>
  publishMinimal(h.url, token, name, version);

describe('admin API', () => {
  let h: Harness;
  let admin: ConsoleSession;
  let plain: ConsoleSession;
  let alice: string;

  beforeAll(async () => {
    h = await startRegistry();
    await createAdmin(h, 'root', PASSWORD);
    await createAdmin(h, 'someone', PASSWORD, false);
    admin = await signIn(h, 'root', PASSWORD);
    alice = await h.token('alice');
    expect((await publish(h, alice, 'victim', '1.0.0')).status).toBe(200);
    expect((await publish(h, alice, 'victim', '1.1.0')).status).toBe(200);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refuses every route to anonymous callers, non-admins, and mutations without the CSRF token', async () => {
    // A non-admin cannot even get a session.
    await expect(signIn(h, 'someone', PASSWORD)).rejects.toThrow(/401/);
    const nonAdminToken = await h.token('bob');
    const { token: someoneSessionToken } = await h.services.sessions.create(
      (await h.services.users.findByLogin('someone'))!.id,
      { ip: null, userAgent: null },
    );
    plain = { ...admin, cookie: `ck_session=${someoneSessionToken}` };
    // Every route the server registered, from the document it makes of them.
    const doc = (await (await fetch(`${h.url}/api/admin/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => !(Array.isArray(op.security) && op.security.length === 0))
        .map(([method]) => ({ method, path })),
    );
    expect(routes.length).toBeGreaterThan(50);
    for (const r of routes) {
      const path = r.path
        .replace('{id}', '1')
        .replace('{name}', 'victim')
        .replace('{version}', '1.0.0')
        .replace('{login}', 'alice');
      const method = r.method.toUpperCase();
      const anon = await fetch(`${h.url}${path}`, { method });
      expect(anon.status, `${method} ${path} anonymous`).toBe(401);
      const asUser = await fetch(`${h.url}${path}`, {
        method,
        headers: { cookie: plain.cookie, 'x-csrf-token': 'x' },
      });
      expect(asUser.status, `${method} ${path} non-admin session`).toBe(403);
      const withToken = await fetch(`${h.url}${path}`, { method, headers: { authorization: nonAdminToken } });
      expect(withToken.status, `${method} ${path} non-admin token`).toBe(403);
      if (method !== 'GET') {
        const noCsrf = await admin.call(method, path, { reason: 'testing csrf' }, { csrf: false });
        expect(noCsrf.status, `${method} ${path} without CSRF`).toBe(403);
        expect(((await noCsrf.json()) as { errors: { detail: string }[] }).errors[0]!.detail).toMatch(/CSRF/);
      }
    }
    // The CSRF refusals changed nothing.
    const krate = await h.services.crates.findByName('victim');
    expect((await h.services.crates.versions(krate!.id)).map((v) => v.yanked)).toEqual([0, 0]);
  });

  it('sets a hardened session cookie and serves the session', async () => {
    expect(admin.setCookie).toMatch(
      /^ck_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/,
    );
    const res = await admin.call('GET', '/api/admin/session');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toMatchObject({ user: { login: 'root', isAdmin: true }, csrfToken: admin.csrf });
  });

  it('slows down and then locks repeated failed sign-ins, and logs them', async () => {
    await createAdmin(h, 'target', PASSWORD);
    const attempt = (password: string) =>
      fetch(`${h.url}/api/admin/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: 'target', password }),
      });
    const statuses: number[] = [];
    const t0 = Date.now();
    for (let i = 0; i < 5; i++) statuses.push((await attempt('wrong password!')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    expect(Date.now() - t0).toBeGreaterThan(200 + 400 + 800 + 1600); // growing delays
    const locked = await attempt(PASSWORD);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(60);
    const failures = await h.services.audit.list({ action: 'sign-in-failed', target: 'target' });
    expect(failures.total).toBe(5);
  }, 60_000);

  it('asks for a fresh password before destructive actions', async () => {
    const session = await signIn(h, 'root', PASSWORD);
    // Let the re-authentication that comes with signing in lapse.
    const id = createHash('sha256').update(session.cookie.split('=')[1]!).digest('hex');
    await h.services.db.kysely
      .updateTable('sessions')
      .set({ reauth_until: '2000-01-01T00:00:00.000Z' })
      .where('id', '=', id)
      .execute();
    const refused = await session.call('POST', '/api/admin/users/alice/tokens/revoke-all', {
      reason: 'compromised laptop',
    });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ reauth: true });
    expect(
      (await session.call('POST', '/api/admin/session/reauth', { password: 'nope nope nope' })).status,
    ).toBe(401);
    expect((await session.call('POST', '/api/admin/session/reauth', { password: PASSWORD })).status).toBe(
      200,
    );
    const spare = await h.token('spare');
    const ok = await session.call('POST', '/api/admin/users/spare/tokens/revoke-all', {
      reason: 'rotating credentials',
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ revoked: 1 });
    expect(await h.services.tokens.authenticate(spare)).toBeNull();
  });

  it('requires a reason and records who did what, when, from where and why', async () => {
    const noReason = await admin.call('POST', '/api/admin/crates/victim/versions/1.1.0/yank', {});
    expect(noReason.status).toBe(400);
    const impact = (await (
      await admin.call('GET', '/api/admin/impact?crate=victim&version=1.1.0')
    ).json()) as Record<string, number>;
    expect(impact).toMatchObject({ crate: 'victim', version: '1.1.0', directDependents: 0, versions: 1 });
    const yank = await admin.call('POST', '/api/admin/crates/victim/versions/1.1.0/yank', {
      reason: 'malicious build script',
    });
    expect(yank.status).toBe(200);
    const line = (await (await fetch(`${h.url}/index/vi/ct/victim`)).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { vers: string; yanked: boolean });
    expect(line.map((l) => [l.vers, l.yanked])).toEqual([
      ['1.0.0', false],
      ['1.1.0', true],
    ]);
    const { entries } = (await (await admin.call('GET', '/api/admin/audit-log?action=yank')).json()) as {
      entries: { actor: string; target: string; reason: string; ip: string; details: { via: string } }[];
    };
    expect(entries[0]).toMatchObject({
      actor: 'root',
      target: 'victim@1.1.0',
      reason: 'malicious build script',
      ip: '127.0.0.1',
      details: { via: 'console' },
    });
  });

  it("marks yanked versions in recent publishes and in a user's history", async () => {
    expect((await publish(h, alice, 'shown-yanked', '1.0.0')).status).toBe(200);
    const yanked = await admin.call('POST', '/api/admin/crates/shown-yanked/versions/1.0.0/yank', {
      reason: 'broken release',
    });
    expect(yanked.status).toBe(200);
    type Row = { crate: string; version: string; yanked: boolean };
    const overview = (await (await admin.call('GET', '/api/admin/overview')).json()) as {
      recentPublishes: Row[];
    };
    expect(overview.recentPublishes.find((p) => p.crate === 'shown-yanked')).toMatchObject({ yanked: true });
    const user = (await (await admin.call('GET', '/api/admin/users/alice')).json()) as { publishes: Row[] };
    expect(user.publishes.find((p) => p.crate === 'shown-yanked')).toMatchObject({ yanked: true });
    expect(user.publishes.some((p) => p.yanked === false)).toBe(true);
  });

  it('says a crate has no live version when its only one is held, instead of "0.0.0"', async () => {
    const user = await h.services.users.findByLogin('alice');
    await h.services.db.kysely.transaction().execute((trx) =>
      h.services.crates.publish(
        trx,
        minimalPublishRecord('held-only', '0.3.0', user!.id, {
          status: 'quarantined',
          publishedAt: new Date(),
        }),
      ),
    );
    const body = (await (await admin.call('GET', '/api/admin/crates/held-only')).json()) as {
      crate: { maxVersion: string | null };
    };
    expect(body.crate.maxVersion).toBeNull();
    await publish(h, alice, 'held-only', '0.2.0');
    const after = (await (await admin.call('GET', '/api/admin/crates/held-only')).json()) as {
      crate: { maxVersion: string | null };
    };
    expect(after.crate.maxVersion).toBe('0.2.0');
  });

  it('locks and unlocks a user, whose tokens stop working meanwhile', async () => {
    expect(
      (
        await admin.call('POST', '/api/admin/users/alice/lock', {
          reason: 'investigating',
          until: new Date(Date.now() + 86_400_000).toISOString(),
        })
      ).status,
    ).toBe(200);
    const refused = await publish(h, alice, 'victim', '1.2.0');
    expect(refused.status).toBe(403);
    const detail = ((await refused.json()) as { errors: { detail: string }[] }).errors[0]!.detail;
    expect(detail).toMatch(/locked until .*: contact the registry administrators/);
    // The reason is for the administrators, not the locked user.
    expect(detail).not.toContain('investigating');
    expect((await admin.call('POST', '/api/admin/users/alice/unlock', { reason: 'cleared' })).status).toBe(
      200,
    );
    expect((await publish(h, alice, 'victim', '1.2.0')).status).toBe(200);
  });

  it('revokes one token, removes an owner, reserves and blocks names', async () => {
    const other = await h.token('carol');
    const carol = (await (await admin.call('GET', '/api/admin/users/carol')).json()) as {
      tokens: { id: number }[];
    };
    expect(
      (
        await admin.call('POST', `/api/admin/users/carol/tokens/${carol.tokens[0]!.id}/revoke`, {
          reason: 'leaked in CI log',
        })
      ).status,
    ).toBe(200);
    expect(await h.services.tokens.authenticate(other)).toBeNull();

    const krate = await h.services.crates.findByName('victim');
    const dave = await h.services.users.create({ login: 'dave' });
    await h.services.crates.addOwner(krate!.id, dave.id, null);
    expect(
      (await admin.call('DELETE', '/api/admin/crates/victim/owners/dave', { reason: 'not a maintainer' }))
        .status,
    ).toBe(200);
    expect((await h.services.crates.owners(krate!.id)).map((o) => o.login)).toEqual(['alice']);

    expect(
      (
        await admin.call('POST', '/api/admin/names', {
          name: 'acme-internal',
          action: 'reserve',
          reason: 'held for ACME',
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await admin.call('POST', '/api/admin/names', {
          name: 'evil-name',
          action: 'block',
          reason: 'known malware name',
        })
      ).status,
    ).toBe(200);
    const reserved = await publish(h, alice, 'acme_internal', '0.1.0');
    expect(reserved.status).toBe(400);
    expect(await reserved.text()).toContain('reserved name');
    const blocked = await publish(h, alice, 'evil-name', '0.1.0');
    expect(blocked.status).toBe(400);
    expect(await blocked.text()).toContain('is blocked on this registry');
    expect(
      (await admin.call('POST', '/api/admin/names', { name: '9bad', action: 'block', reason: 'x'.repeat(5) }))
        .status,
    ).toBe(400);
  });

  it('triages alerts with notes', async () => {
    const { alert } = await h.pipeline.alerts.raise({
      kind: 'typosquat',
      severity: 'high',
      crateName: 'victim',
      version: '1.0.0',
      versionId: null,
      title: 'victim imitates victor',
      details: {
        target: 'victor',
        targetOwners: ['vic'],
        kind: 'typo',
        message: 'uses a common typo for victor',
      },
      score: 80,
      dedupeKey: 'test-alert',
    });
    expect(
      (await admin.call('POST', `/api/admin/alerts/${alert.id}/triage`, { action: 'dismiss' })).status,
    ).toBe(400);
    expect(
      (
        await admin.call('POST', `/api/admin/alerts/${alert.id}/triage`, {
          action: 'dismiss',
          resolution: 'false-positive',
          reason: 'same team, different name',
          note: 'confirmed with owners',
        })
      ).status,
    ).toBe(200);
    expect(
      (await admin.call('POST', `/api/admin/alerts/${alert.id}/notes`, { note: 'follow up in a week' }))
        .status,
    ).toBe(200);
    const detail = (await (await admin.call('GET', `/api/admin/alerts/${alert.id}`)).json()) as {
      alert: { status: string };
      notes: { note: string; user: string }[];
      evidence: { squat: { target: string } };
    };
    expect(detail.alert.status).toBe('dismissed');
    expect(detail.notes.map((n) => n.note)).toEqual(['confirmed with owners', 'follow up in a week']);
    expect(detail.evidence.squat.target).toBe('victor');
  });

  it('deletes a version and a crate, blocking the name for the configured time', async () => {
    expect(
      (
        await admin.call('DELETE', '/api/admin/crates/victim/versions/1.2.0', {
          reason: 'published by mistake',
        })
      ).status,
    ).toBe(200);
    const krate = await h.services.crates.findByName('victim');
    expect((await h.services.crates.versions(krate!.id)).map((v) => v.num)).toEqual(['1.0.0', '1.1.0']);
    expect(
      (await admin.call('DELETE', '/api/admin/crates/victim', { reason: 'malware', blockDays: 30 })).status,
    ).toBe(200);
    expect(await h.services.crates.findByName('victim')).toBeUndefined();
    expect((await fetch(`${h.url}/index/vi/ct/victim`)).status).toBe(404);
    const again = await publish(h, alice, 'victim', '2.0.0');
    expect(again.status).toBe(400);
    expect(((await again.json()) as { errors: { detail: string }[] }).errors[0]!.detail).toMatch(
      /recently deleted/,
    );
  });

  it('shows what a release added since the previous version', async () => {
    const publishFiles = async (
      version: string,
      files: { path: string; data: string | Buffer }[],
      deps: string[] = [],
    ) => {
      const crate = await writeCrateArchive(`diffed-${version}`, [
        { path: 'Cargo.toml', data: manifestToml('diffed', version) },
        ...files,
      ]);
      const meta = metadataFor('diffed', version, {
        deps: deps.map((name) => ({
          name,
          version_req: '^1',
          features: [],
          optional: false,
          default_features: true,
          target: null,
          kind: 'normal' as const,
          registry: 'https://github.com/rust-lang/crates.io-index',
        })),
      });
      const res = await fetch(`${h.url}/api/v1/crates/new`, {
        method: 'PUT',
        headers: { authorization: alice },
        body: publishBody(meta, crate),
      });
      expect(res.status).toBe(200);
    };
    await publishFiles('1.0.0', [{ path: 'src/lib.rs', data: 'pub fn f() {}\n' }]);
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(60, 1)]);
    await publishFiles(
      '1.0.1',
      [
        { path: 'src/lib.rs', data: 'pub fn f() {}\n' },
        { path: 'bin/helper', data: elf },
        { path: 'docs/MZ-notes.txt', data: 'MZ is how this note happens to start, and it is plain text.\n' },
      ],
      ['reqwest'],
    );
    const krate = await h.services.crates.findByName('diffed');
    const v = await h.services.crates.findVersion(krate!.id, '1.0.1');
    const { alert } = await h.pipeline.alerts.raise({
      kind: 'scanner',
      severity: 'high',
      crateName: 'diffed',
      version: '1.0.1',
      versionId: v!.id,
      title: 'diffed changed',
      details: { findings: [] },
      score: 60,
      dedupeKey: 'diff-test',
    });
    const detail = (await (await admin.call('GET', `/api/admin/alerts/${alert.id}`)).json()) as {
      evidence: { diff: Record<string, unknown> };
    };
    expect(detail.evidence.diff).toMatchObject({
      previousVersion: '1.0.0',
      addedDependencies: ['reqwest'],
      removedDependencies: [],
      binariesAdded: ['bin/helper'],
      filesAdded: 2,
      filesRemoved: 0,
      publisherChanged: null,
    });
  });

  it('serves the OpenAPI description', async () => {
    type Op = {
      summary?: string;
      security?: unknown[];
      parameters?: { name: string; in: string }[];
      requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> };
      responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
    };
    const doc = (await (await fetch(`${h.url}/api/admin/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, Op>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    const yank = doc.paths['/api/admin/crates/{name}/versions/{version}/yank']?.post;
    expect(yank?.parameters?.map((p) => `${p.in}:${p.name}`)).toEqual(['path:name', 'path:version']);
    expect(Object.keys(yank?.requestBody?.content['application/json']?.schema.properties ?? {})).toEqual([
      'reason',
      'confirmed',
    ]);
    // Single and bulk triage document the one scale of resolutions the console offers.
    const resolutionsOf = (path: string) =>
      (
        doc.paths[path]?.post?.requestBody?.content['application/json']?.schema.properties?.resolution as
          { enum?: string[] } | undefined
      )?.enum;
    expect(resolutionsOf('/api/admin/alerts/{id}/triage')).toEqual([...TRIAGE_RESOLUTIONS]);
    expect(resolutionsOf('/api/admin/alerts/bulk-triage')).toEqual([...TRIAGE_RESOLUTIONS]);
    const ops = Object.entries(doc.paths).flatMap(([path, byMethod]) =>
      Object.entries(byMethod).map(([method, op]) => ({ name: `${method} ${path}`, op })),
    );
    // Every route the server has is described: a summary and the schema of its answer.
    for (const { name, op } of ops) {
      expect(op.summary, name).toBeTruthy();
      expect(op.responses['200']?.content?.['application/json']?.schema, name).toBeTruthy();
    }
    expect(ops.filter((o) => o.op.security?.length === 0).map((o) => o.name)).toEqual([
      'get /api/admin/openapi.json',
      'post /api/admin/session',
    ]);
  });

  it('keeps a hash chain that names the first tampered entry', async () => {
    const ok = (await (await admin.call('GET', '/api/admin/audit-log/verify')).json()) as {
      ok: boolean;
      checked: number;
    };
    expect(ok.ok).toBe(true);
    expect(ok.checked).toBeGreaterThan(10);
    // The database refuses edits of the log…
    await expect(
      h.services.db.kysely
        .updateTable('audit_log')
        .set({ reason: 'nothing to see' })
        .where('action', '=', 'yank')
        .execute(),
    ).rejects.toThrow(/append-only/);
    await expect(
      h.services.db.kysely.deleteFrom('audit_log').where('action', '=', 'yank').execute(),
    ).rejects.toThrow(/append-only/);
    // …so an attacker with the file drops the trigger first; the chain still gives them away.
    const file = new BetterSqlite3(join(h.dir, 'data', 'cratekeeper.sqlite'));
    const target = file.prepare("select id from audit_log where action = 'yank'").get() as { id: number };
    file.exec('drop trigger audit_log_no_update');
    file.prepare('update audit_log set reason = ? where id = ?').run('routine cleanup', target.id);
    file.close();
    const broken = (await (await admin.call('GET', '/api/admin/audit-log/verify')).json()) as {
      ok: boolean;
      firstBroken: { id: number };
    };
    expect(broken).toMatchObject({ ok: false, firstBroken: { id: target.id } });
    const cli = await new Promise<{ code: number; stdout: string }>((resolve) =>
      execFile(
        process.execPath,
        [...CLI_ARGV, 'audit-log', 'verify', '--data', join(h.dir, 'data')],
        { cwd: repoRoot },
        (err, stdout) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout }),
      ),
    );
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(`audit log BROKEN at entry ${target.id}`);
  });

  it('signs out', async () => {
    const session = await signIn(h, 'root', PASSWORD);
    const out = await session.call('DELETE', '/api/admin/session');
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/ck_session=; .*Max-Age=0/);
    expect((await session.call('GET', '/api/admin/overview')).status).toBe(401);
  });
});

describe('behind a TLS-terminating proxy', () => {
  it('marks the session cookie Secure and records the client address only when the proxy is trusted', async () => {
    for (const trustProxy of [true, false]) {
      const h = await startRegistry({ config: { trustProxy } });
      try {
        await createAdmin(h, 'root', PASSWORD);
        const res = await fetch(`${h.url}/api/admin/session`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-forwarded-proto': 'https',
            'x-forwarded-for': '203.0.113.9',
          },
          body: JSON.stringify({ login: 'root', password: PASSWORD }),
        });
        expect(res.status).toBe(200);
        const cookie = res.headers.get('set-cookie') ?? '';
        expect(cookie.endsWith('; Secure'), cookie).toBe(trustProxy);
        const { entries } = await h.services.audit.list({ action: 'sign-in' });
        expect(entries[0]!.ip).toBe(trustProxy ? '203.0.113.9' : '127.0.0.1');
      } finally {
        await h.close();
      }
    }
  });
});
