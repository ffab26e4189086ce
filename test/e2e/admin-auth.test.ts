// Who may use the admin API (token scopes and crate patterns) and how console sign-in resists
// guessing (atomic throttling before the password check, no lock-out of the real admin), on
// both databases.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dropPostgresSchema } from '../../src/store/database.js';
import { verifyPassword } from '../../src/store/passwords.js';
import { DEFAULT_TOKEN_SCOPES, TOKEN_SCOPES, type TokenScope } from '../../src/store/tokens.js';
import { createAdmin } from '../support/console-session.js';
import { DIALECTS, POSTGRES_URL } from '../support/databases.js';
import { repoRoot } from '../support/debian-corpus.js';
import { publishMinimal } from '../support/publish-body.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';
import { CLI_ARGV } from '../support/cli-process.js';

const PASSWORD = 'correct horse battery staple';

const publish = (h: Harness, token: string, name: string, version: string) =>
  publishMinimal(h.url, token, name, version);

/** A password check that counts how often it runs. */
function countingVerifier() {
  const counter = {
    calls: 0,
    verify: async (password: string, stored: string | null) => {
      counter.calls++;
      return verifyPassword(password, stored);
    },
  };
  return counter;
}

function ck(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(
      process.execPath,
      [...CLI_ARGV, ...args],
      { cwd: repoRoot, timeout: 120_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

describe.each(DIALECTS)('admin authentication on %s', (dialect) => {
  let h: Harness | undefined;
  let schema: string | null = null;

  async function start(opts: Parameters<typeof startRegistry>[0] = {}): Promise<Harness> {
    schema = dialect === 'postgres' ? `ck_test_${randomBytes(6).toString('hex')}` : null;
    h = await startRegistry({
      ...opts,
      ...(schema ? { database: { url: POSTGRES_URL, schema, poolSize: 8 } } : {}),
    });
    return h;
  }
  /** The CLI's database options for this harness. */
  const dbArgs = (x: Harness) =>
    schema ? ['--database-url', POSTGRES_URL, '--database-schema', schema] : ['--data', join(x.dir, 'data')];

  afterEach(async () => {
    await h?.close();
    if (schema) await dropPostgresSchema(POSTGRES_URL, schema);
    h = undefined;
  });

  const call = (x: Harness, token: string, method: string, path: string, body?: unknown) =>
    fetch(`${x.url}${path}`, {
      method,
      headers: {
        authorization: token,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  async function adminToken(x: Harness, scopes: TokenScope[], cratePatterns: string[] | null) {
    const root =
      (await x.services.users.findByLogin('root')) ??
      (await x.services.users.create({ login: 'root', isAdmin: true }));
    return x.services.tokens.create({ userId: root.id, name: 'ci', scopes, cratePatterns });
  }

  async function seed(x: Harness) {
    const alice = await x.token('alice');
    for (const name of ['serde', 'zzz-tool'])
      expect((await publish(x, alice, name, '1.0.0')).status).toBe(200);
  }

  it('never grants the admin scope by default, and only to administrators', async () => {
    const x = await start();
    expect(TOKEN_SCOPES).toContain('admin');
    expect(DEFAULT_TOKEN_SCOPES).not.toContain('admin');
    const bob = await x.services.users.create({ login: 'bob' });
    await expect(x.services.tokens.create({ userId: bob.id, name: 'x', scopes: ['admin'] })).rejects.toThrow(
      /administrator/,
    );
    const cli = await ck(['token', 'create', '--user', 'bob', '--scopes', 'yank,admin', ...dbArgs(x)]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/administrator/);
    await x.services.users.create({ login: 'root', isAdmin: true });
    const byDefault = await ck(['token', 'create', '--user', 'root', ...dbArgs(x)]);
    expect(byDefault.code, byDefault.stderr).toBe(0);
    const auth = await x.services.tokens.authenticate(byDefault.stdout.trim());
    expect(auth!.scopes).not.toContain('admin');
    expect((await call(x, byDefault.stdout.trim(), 'GET', '/api/admin/overview')).status).toBe(403);
    const explicit = await ck(['token', 'create', '--user', 'root', '--scopes', 'admin', ...dbArgs(x)]);
    expect(explicit.code, explicit.stderr).toBe(0);
    expect((await call(x, explicit.stdout.trim(), 'GET', '/api/admin/overview')).status).toBe(200);
  }, 180_000);

  it("refuses an administrator's CI token without the admin scope on every admin route", async () => {
    const x = await start();
    await seed(x);
    const { token } = await adminToken(x, ['publish-update'], ['zzz-*']);
    expect((await call(x, token, 'GET', '/api/admin/overview')).status).toBe(403);
    const lock = await call(x, token, 'POST', '/api/admin/users/alice/lock', { reason: 'stolen CI token' });
    expect(lock.status).toBe(403);
    expect(await lock.text()).toMatch(/`admin` scope/);
    for (const name of ['serde', 'zzz-tool']) {
      const del = await call(x, token, 'DELETE', `/api/admin/crates/${name}`, { reason: 'stolen CI token' });
      expect(del.status, name).toBe(403);
    }
    expect(await x.services.crates.findByName('serde')).toBeDefined();
    expect(await x.services.crates.findByName('zzz-tool')).toBeDefined();
    const alice = await x.services.users.findByLogin('alice');
    expect(alice!.lock_reason).toBeNull();
  });

  it('binds an admin token limited to crate patterns on every route that names a crate', async () => {
    const x = await start();
    await seed(x);
    const { token, row } = await adminToken(x, ['admin'], ['zzz-*']);
    const { alert } = await x.pipeline.alerts.raise({
      kind: 'typosquat',
      severity: 'high',
      crateName: 'serde',
      version: '1.0.0',
      versionId: null,
      title: 'serde imitates serde_json',
      details: {},
      score: 80,
      dedupeKey: 'scoped-token-alert',
    });
    const reason = 'automated response';
    const refused: [string, string, unknown?][] = [
      ['POST', '/api/admin/crates/serde/versions/1.0.0/yank', { reason }],
      ['POST', '/api/admin/crates/serde/versions/1.0.0/release', { reason }],
      ['DELETE', '/api/admin/crates/serde/versions/1.0.0', { reason }],
      ['DELETE', '/api/admin/crates/serde', { reason }],
      ['DELETE', '/api/admin/crates/serde/owners/alice', { reason }],
      ['GET', '/api/admin/crates/serde'],
      ['GET', '/api/admin/impact?crate=serde'],
      ['GET', `/api/admin/alerts/${alert.id}`],
      [
        'POST',
        `/api/admin/alerts/${alert.id}/triage`,
        { action: 'dismiss', resolution: 'false-positive', reason },
      ],
      ['POST', `/api/admin/alerts/${alert.id}/notes`, { note: 'hello' }],
      ['GET', '/api/admin/graph/dependents?spec=serde'],
      ['GET', '/api/admin/graph/tree?spec=serde@1.0.0'],
      ['GET', '/api/admin/graph/blast-radius?spec=serde'],
      ['GET', '/api/admin/graph/why?from=zzz-tool&to=serde'],
      ['POST', '/api/admin/names', { name: 'serde-evil', action: 'block', reason }],
      // Accounts are not crates: a token narrowed to some crates cannot act on users.
      ['POST', '/api/admin/users/alice/lock', { reason }],
      ['POST', '/api/admin/users/alice/tokens/revoke-all', { reason }],
      ['GET', '/api/admin/users/alice'],
      // Views across every crate would show the crates outside its patterns.
      ['GET', '/api/admin/overview'],
      ['GET', '/api/admin/alerts'],
      ['GET', '/api/admin/alerts?crate=serde'],
      ['GET', '/api/admin/search?q=serde'],
      ['GET', '/api/admin/audit-log'],
      ['GET', '/api/admin/quarantine'],
      ['GET', '/api/admin/jobs'],
      ['GET', '/api/admin/owner-invitations'],
      ['GET', '/api/admin/graph/stats'],
      ['GET', '/api/admin/graph/top'],
    ];
    for (const [method, path, body] of refused) {
      const res = await call(x, token, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    const serde = await x.services.crates.findByName('serde');
    expect((await x.services.crates.versions(serde!.id)).map((v) => v.yanked)).toEqual([0]);
    expect((await x.pipeline.alerts.get(alert.id))!.status).toBe('open');

    expect((await call(x, token, 'GET', '/api/admin/crates/zzz-tool')).status).toBe(200);
    expect((await call(x, token, 'GET', '/api/admin/graph/dependents?spec=zzz-tool')).status).toBe(200);
    const yank = await call(x, token, 'POST', '/api/admin/crates/zzz-tool/versions/1.0.0/yank', { reason });
    expect(yank.status).toBe(200);
    const del = await call(x, token, 'DELETE', '/api/admin/crates/zzz_tool', { reason });
    expect(del.status).toBe(200);
    const { entries } = await x.services.audit.list({ action: 'delete-crate' });
    expect(entries[0]!.actor).toBe('root');
    expect(JSON.parse(entries[0]!.details)).toMatchObject({ via: 'token', tokenId: row.id });
  });

  it('lets an admin-scoped token act without re-authentication, audited as a token action', async () => {
    const x = await start();
    await seed(x);
    const { token, row } = await adminToken(x, ['admin'], null);
    const lock = await call(x, token, 'POST', '/api/admin/users/alice/lock', { reason: 'incident 42' });
    expect(lock.status).toBe(200);
    const del = await call(x, token, 'DELETE', '/api/admin/crates/serde', { reason: 'incident 42' });
    expect(del.status).toBe(200);
    for (const action of ['lock-user', 'delete-crate']) {
      const { entries } = await x.services.audit.list({ action });
      expect(JSON.parse(entries[0]!.details), action).toMatchObject({ via: 'token', tokenId: row.id });
    }
  });

  const signInAs = (x: Harness, login: string, password: string, headers: Record<string, string> = {}) =>
    fetch(`${x.url}/api/admin/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ login, password }),
    });

  it('throttles a burst of concurrent guesses before any password check', async () => {
    const verifier = countingVerifier();
    const x = await start({ passwordVerifier: verifier });
    await createAdmin(x, 'root', PASSWORD);
    const burst = await Promise.all(
      Array.from({ length: 100 }, (_, i) => signInAs(x, 'root', `wrong password ${i}`)),
    );
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(new Set(statuses)).toEqual(new Set([401, 429]));
    const right = await signInAs(x, 'root', PASSWORD);
    expect(right.status).toBe(429);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(60);
    expect(verifier.calls).toBeLessThanOrEqual(5);
    const locks = await x.services.audit.list({ action: 'sign-in-locked' });
    expect(locks.total).toBe(1);
    expect(locks.entries[0]).toMatchObject({ actor: 'root', target: 'root', ip: '127.0.0.1' });
  }, 180_000);

  it('never writes a login that is not a user into the audit log', async () => {
    const x = await start();
    const typed = 'Hunter2-MyS3cretPassw0rd';
    const burst = await Promise.all(Array.from({ length: 10 }, () => signInAs(x, typed, 'whatever it is')));
    expect(burst.every((r) => r.status === 401 || r.status === 429)).toBe(true);
    const { entries } = await x.services.audit.list({ limit: 500 });
    const failed = entries.filter((e) => e.action === 'sign-in-failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(entries.some((e) => e.action === 'sign-in-locked')).toBe(true);
    for (const e of entries.filter((e) => e.action.startsWith('sign-in'))) {
      expect(e).toMatchObject({ actor: 'unknown', actor_id: null, target: '' });
    }
    expect(JSON.stringify(entries).toLowerCase()).not.toContain(typed.toLowerCase());
    const rows = await x.services.db.kysely.selectFrom('login_throttle').selectAll().execute();
    expect(JSON.stringify(rows).toLowerCase()).not.toContain(typed.toLowerCase());
  });

  it('caps guesses at a login from many addresses without locking out its owner', async () => {
    const verifier = countingVerifier();
    const x = await start({ config: { trustProxy: true }, passwordVerifier: verifier });
    await createAdmin(x, 'root', PASSWORD);
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    // The owner signed in from home before, and has a console session open elsewhere.
    expect((await signInAs(x, 'root', PASSWORD, from('198.51.100.7'))).status).toBe(200);
    const session = await signInAs(x, 'root', PASSWORD, from('198.51.100.8'));
    const cookie = (session.headers.get('set-cookie') ?? '').split(';')[0]!;
    verifier.calls = 0;
    const burst = await Promise.all(
      Array.from({ length: 40 }, (_, i) => signInAs(x, 'root', `guess ${i}`, from(`203.0.113.${i + 1}`))),
    );
    expect(burst.filter((r) => r.status >= 500)).toEqual([]);
    expect(burst.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    expect(verifier.calls).toBeLessThanOrEqual(20);
    // A new address is refused even with the right password…
    expect((await signInAs(x, 'root', PASSWORD, from('203.0.113.200'))).status).toBe(429);
    // …but the owner gets in from an address they used before, or with their session.
    expect((await signInAs(x, 'root', PASSWORD, from('198.51.100.7'))).status).toBe(200);
    expect((await signInAs(x, 'root', PASSWORD, { ...from('192.0.2.5'), cookie })).status).toBe(200);
    const locks = await x.services.audit.list({ action: 'sign-in-locked' });
    expect(locks.entries.map((e) => JSON.parse(e.details) as { scope: string })).toContainEqual(
      expect.objectContaining({ scope: 'login' }),
    );
  }, 180_000);

  it('`cratekeeper user unlock` clears the throttle and the account lock, audited', async () => {
    const x = await start();
    await createAdmin(x, 'root', PASSWORD);
    await Promise.all(Array.from({ length: 20 }, () => signInAs(x, 'root', 'wrong password!!')));
    expect((await signInAs(x, 'root', PASSWORD)).status).toBe(429);
    const root = await x.services.users.findByLogin('root');
    await x.services.users.lock(root!.id, 'suspicious activity', null);
    const unknown = await ck(['user', 'unlock', 'nobody-here', ...dbArgs(x)]);
    expect(unknown.code).toBe(1);
    const res = await ck(['user', 'unlock', 'root', ...dbArgs(x)]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('unlocked root');
    expect((await signInAs(x, 'root', PASSWORD)).status).toBe(200);
    const { entries } = await x.services.audit.list({ action: 'user-unlock' });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor: 'cli', target: 'root' });
    expect(JSON.parse(entries[0]!.details)).toMatchObject({ accountLock: true });
    expect(JSON.stringify(await x.services.audit.list({ limit: 500 }))).not.toContain('nobody-here');
  }, 180_000);
});
