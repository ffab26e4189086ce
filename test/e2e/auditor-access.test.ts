// Auditor least privilege, on SQLite and PostgreSQL: an auditor who is not an administrator
// reads what an audit needs (the crate page, its source analyses, the diff viewer, the audit
// status and form) and nothing else; every other admin route, each action among them, answers
// 403 and changes nothing; the set of routes open to auditors is exactly the declared one; a
// signed-in user with neither role gets 403 everywhere.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrateDetail } from '../../src/admin/api-types.js';
import { dropPostgresSchema } from '../../src/store/database.js';
import { createAdmin, signIn, type ConsoleSession } from '../support/console-session.js';
import { DIALECTS, POSTGRES_URL } from '../support/databases.js';
import { publishMinimal } from '../support/publish-body.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';

const PASSWORD = 'correct horse battery staple';

/** Everything an auditor may call; every other admin route needs an administrator. */
const AUDITOR_ROUTES = [
  'DELETE /api/admin/session',
  'GET /api/admin/crates/{name}',
  'GET /api/admin/crates/{name}/analysis',
  'GET /api/admin/crates/{name}/diff',
  'GET /api/admin/crates/{name}/diff/file',
  'GET /api/admin/crates/{name}/versions/{version}/analysis',
  'GET /api/admin/crates/{name}/vet/audits',
  'GET /api/admin/crates/{name}/vet/status',
  'GET /api/admin/session',
  'GET /api/admin/vet/criteria',
  'GET /api/admin/vet/imports',
  'GET /api/admin/vet/me',
  'POST /api/admin/crates/{name}/vet/audits',
  'POST /api/admin/session/reauth',
  'POST /api/admin/vet/me/key/rotate',
];

/** What the console's crate page, diff viewer and audit form read. */
const AUDIT_READS = [
  '/api/admin/crates/mid',
  '/api/admin/crates/mid/analysis',
  '/api/admin/crates/mid/versions/1.0.0/analysis',
  '/api/admin/crates/mid/diff?from=1.0.0&to=1.1.0',
  '/api/admin/crates/mid/diff/file?from=1.0.0&to=1.1.0&path=Cargo.toml',
  '/api/admin/crates/mid/vet/status',
  '/api/admin/crates/mid/vet/audits',
  '/api/admin/vet/criteria',
  '/api/admin/vet/me',
];

interface OpenApi {
  paths: Record<string, Record<string, { security?: unknown[]; 'x-access'?: { auditor?: unknown } }>>;
}

describe.each(DIALECTS)('auditor least privilege (%s)', { timeout: 120_000 }, (dialect) => {
  let h: Harness;
  let admin: ConsoleSession;
  let ada: ConsoleSession;
  let plain: ConsoleSession;
  const schema = `ck_aa_${randomBytes(5).toString('hex')}`;

  beforeAll(async () => {
    h = await startRegistry(
      dialect === 'postgres' ? { database: { url: POSTGRES_URL, schema, poolSize: 4 } } : {},
    );
    await createAdmin(h, 'root', PASSWORD);
    await createAdmin(h, 'ada', PASSWORD, false);
    await createAdmin(h, 'pat', PASSWORD, false);
    admin = await signIn(h, 'root', PASSWORD);
    const alice = await h.token('alice');
    for (const v of ['1.0.0', '1.1.0'])
      expect((await publishMinimal(h.url, alice, 'mid', v)).status).toBe(200);
    const grant = await admin.call('POST', '/api/admin/vet/auditors/ada', { reason: 'security team' });
    expect(grant.status, await grant.clone().text()).toBe(200);
    ada = await signIn(h, 'ada', PASSWORD);
    // pat has neither role, so cannot sign in: a session is made for the test, as a stolen or
    // left-over one would be.
    const { token, session } = await h.services.sessions.create(
      (await h.services.users.findByLogin('pat'))!.id,
      { ip: null, userAgent: null },
    );
    plain = { ...admin, cookie: `ck_session=${token}`, csrf: session.csrf_token };
    plain.call = (method, path, body) =>
      fetch(`${h.url}${path}`, {
        method,
        headers: {
          cookie: `ck_session=${token}`,
          'x-csrf-token': session.csrf_token,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
  });
  afterAll(async () => {
    await h?.close();
    if (dialect === 'postgres') await dropPostgresSchema(POSTGRES_URL, schema);
  });

  it('lets a non-admin auditor read the crate page, analyses, diffs and audits; not a plain user', async () => {
    for (const path of AUDIT_READS) {
      const res = await ada.call('GET', path);
      expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
      const refused = await plain.call('GET', path);
      expect(refused.status, path).toBe(403);
    }
    // The crate page without what an audit does not need: where publishers were.
    const forAuditor = (await (await ada.call('GET', '/api/admin/crates/mid')).json()) as CrateDetail;
    const forAdmin = (await (await admin.call('GET', '/api/admin/crates/mid')).json()) as CrateDetail;
    expect(forAuditor.versions.map((v) => v.num)).toEqual(['1.1.0', '1.0.0']);
    expect(forAuditor.versions.every((v) => v.clientIp === null && v.userAgent === null)).toBe(true);
    expect(forAdmin.versions.every((v) => typeof v.clientIp === 'string')).toBe(true);
    expect(forAuditor.versions[0]!.publisher).toBe('alice');
  });

  it('refuses every admin action to an auditor, and changes nothing', async () => {
    const v = '/api/admin/crates/mid/versions/1.0.0';
    const attempts: [string, string][] = [
      ['POST', `${v}/yank`],
      ['POST', `${v}/unyank`],
      ['POST', `${v}/release`],
      ['POST', `${v}/reject`],
      ['DELETE', v],
      ['DELETE', '/api/admin/crates/mid'],
      ['DELETE', '/api/admin/crates/mid/owners/alice'],
      ['POST', '/api/admin/users/alice/lock'],
      ['POST', '/api/admin/vet/auditors/pat'],
      ['POST', '/api/admin/vet/criteria'],
    ];
    for (const [method, path] of attempts) {
      const res = await ada.call(method, path, { reason: 'not mine to do', name: 'x', description: 'x' });
      expect(res.status, `${method} ${path}`).toBe(403);
      const detail = ((await res.json()) as { errors: { detail: string }[] }).errors[0]!.detail;
      expect(detail, `${method} ${path}`).toMatch(/needs an administrator/);
    }
    const krate = (await h.services.crates.findByName('mid'))!;
    expect((await h.services.crates.versions(krate.id)).map((x) => [x.num, x.yanked, x.status])).toEqual([
      ['1.0.0', 0, 'published'],
      ['1.1.0', 0, 'published'],
    ]);
    expect((await h.services.users.findByLogin('alice'))!.locked_until ?? null).toBeNull();
    expect((await h.services.users.findByLogin('pat'))!.is_auditor).toBe(0);
  });

  it('opens exactly the declared routes to auditors, and refuses every other one', async () => {
    const doc = (await (await fetch(`${h.url}/api/admin/openapi.json`)).json()) as OpenApi;
    const open: string[] = [];
    const closed: { method: string; path: string }[] = [];
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops)) {
        if (Array.isArray(op.security) && op.security.length === 0) continue; // public
        if (op['x-access']?.auditor) open.push(`${method.toUpperCase()} ${path}`);
        else closed.push({ method: method.toUpperCase(), path });
      }
    expect(open.sort()).toEqual(AUDITOR_ROUTES);
    expect(closed.length).toBeGreaterThan(40);
    for (const r of closed) {
      const path = r.path
        .replace('{id}', '1')
        .replace('{name}', 'mid')
        .replace('{version}', '1.0.0')
        .replace('{login}', 'alice')
        .replace('{keyId}', '0'.repeat(32));
      const res = await ada.call(r.method, path, r.method === 'GET' ? undefined : { reason: 'probing' });
      expect(res.status, `${r.method} ${path}`).toBe(403);
    }
    // A user with neither role is refused the auditor's routes too.
    for (const route of AUDITOR_ROUTES.filter((r) => r.startsWith('GET ')))
      for (const path of [route.slice(4).replace('{name}', 'mid').replace('{version}', '1.0.0')])
        expect((await plain.call('GET', path)).status, path).toBe(403);
  });

  it('lets an auditor sign out, which ends only that session', async () => {
    const other = await signIn(h, 'ada', PASSWORD);
    expect((await other.call('DELETE', '/api/admin/session')).status).toBe(200);
    expect((await other.call('GET', '/api/admin/vet/me')).status).toBe(401);
    expect((await ada.call('GET', '/api/admin/vet/me')).status).toBe(200);
  });
});
