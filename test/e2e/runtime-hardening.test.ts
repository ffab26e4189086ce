// Issue 15's hardening and observability on a running server, on both databases: rate limits
// answered in cargo's shape, security headers, request ids, ceilings, /metrics, /healthz and
// /readyz, token expiry and rotation.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { dropPostgresSchema } from '../../src/store/database.js';
import { createAdmin, signIn } from '../support/console-session.js';
import { DIALECTS, POSTGRES_URL } from '../support/databases.js';
import { publishMinimal } from '../support/publish-body.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';

describe.each(DIALECTS)('runtime hardening on %s', (dialect) => {
  let h: Harness | undefined;
  let schema: string | null = null;

  async function start(opts: Parameters<typeof startRegistry>[0] = {}): Promise<Harness> {
    schema = dialect === 'postgres' ? `ck_test_${randomBytes(6).toString('hex')}` : null;
    h = await startRegistry({
      ...opts,
      config: { metricsToken: METRICS_TOKEN, ...opts.config },
      ...(schema ? { database: { url: POSTGRES_URL, schema, poolSize: 8 } } : {}),
    });
    return h;
  }

  afterEach(async () => {
    await h?.close();
    if (schema) await dropPostgresSchema(POSTGRES_URL, schema);
    h = undefined;
  });

  it('limits new crates, updates and yanks per user with a 429 cargo prints', async () => {
    const x = await start({
      config: {
        rateLimits: {
          'publish-new': { rateMs: 600_000, burst: 2 },
          'publish-update': { rateMs: 600_000, burst: 1 },
          yank: { rateMs: 600_000, burst: 1 },
        },
        rateLimitContact: 'registry@example.org',
      },
    });
    const alice = await x.token('alice');
    const bob = await x.token('bob');
    expect((await publishMinimal(x.url, alice, 'rl-one', '1.0.0')).status).toBe(200);
    expect((await publishMinimal(x.url, alice, 'rl-two', '1.0.0')).status).toBe(200);
    const third = await publishMinimal(x.url, alice, 'rl-three', '1.0.0');
    expect(third.status).toBe(429);
    const retryAfter = Number(third.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(500);
    expect(retryAfter).toBeLessThanOrEqual(600);
    const body = (await third.json()) as { errors: { detail: string }[] };
    expect(body.errors[0]!.detail).toMatch(
      /^You have published too many new crates in a short period of time\. Please try again after \w{3}, \d\d \w{3} \d{4} [\d:]{8} GMT or email registry@example\.org to have your limit increased\.$/,
    );
    // Refused means nothing written: the name is still free, for bob too (his own bucket).
    expect(await x.services.crates.findByName('rl-three')).toBeUndefined();
    expect((await publishMinimal(x.url, bob, 'rl-three', '1.0.0')).status).toBe(200);
    // Updates have a bucket of their own.
    expect((await publishMinimal(x.url, alice, 'rl-one', '1.0.1')).status).toBe(200);
    const update = await publishMinimal(x.url, alice, 'rl-one', '1.0.2');
    expect(update.status).toBe(429);
    expect(((await update.json()) as { errors: { detail: string }[] }).errors[0]!.detail).toMatch(
      /too many updates to existing crates/,
    );
    // A publish refused for another reason (a duplicate) gives its token back.
    expect((await publishMinimal(x.url, bob, 'rl-three', '1.0.0')).status).toBe(409);
    expect((await publishMinimal(x.url, bob, 'rl-three', '1.0.1')).status).toBe(200);
    // Yanks: one, then 429 (unyank counts the same).
    const yank = (v: string) =>
      fetch(`${x.url}/api/v1/crates/rl-one/${v}/yank`, {
        method: 'DELETE',
        headers: { authorization: alice },
      });
    expect((await yank('1.0.0')).status).toBe(200);
    const second = await yank('1.0.1');
    expect(second.status).toBe(429);
    expect(((await second.json()) as { errors: { detail: string }[] }).errors[0]!.detail).toMatch(
      /yanked or unyanked too many versions/,
    );
    expect(
      (await x.services.crates.findVersion((await x.services.crates.findByName('rl-one'))!.id, '1.0.1'))
        ?.yanked,
    ).toBe(0);
    // An override lifts alice's burst; the hits were counted.
    const user = (await x.services.users.findByLogin('alice'))!;
    await x.services.rateLimits.setOverride({
      userId: user.id,
      action: 'publish-new',
      burst: 5,
      expiresAt: null,
      by: 'test',
    });
    expect((await publishMinimal(x.url, alice, 'rl-four', '1.0.0')).status).toBe(200);
    const metrics = await (
      await fetch(`${x.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    ).text();
    expect(metrics).toMatch(/cratekeeper_rate_limit_hits_total\{action="publish-new"\} 1/);
    expect(metrics).toMatch(/cratekeeper_rate_limit_hits_total\{action="yank"\} 1/);
    expect(metrics).toMatch(/cratekeeper_publishes_total\{outcome="rate-limited"\} 2/);
    expect(metrics).toMatch(/cratekeeper_publishes_total\{outcome="published"\} 6/);
  });

  it('limits console sign-ins per address', async () => {
    const x = await start({ config: { rateLimits: { 'sign-in': { rateMs: 600_000, burst: 2 } } } });
    await createAdmin(x, 'root', 'correct horse battery staple');
    const attempt = () =>
      fetch(`${x.url}/api/admin/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: 'root', password: 'correct horse battery staple' }),
      });
    expect((await attempt()).status).toBe(200);
    expect((await attempt()).status).toBe(200);
    const third = await attempt();
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await third.json()) as { errors: { detail: string }[] }).errors[0]!.detail).toMatch(
      /too many times in a short period of time.*ask the registry administrators/,
    );
  });

  it('sends security headers and request ids on every response', async () => {
    const x = await start();
    for (const path of ['/index/config.json', '/api/v1/crates?q=x', '/no/such/path', '/healthz']) {
      const res = await fetch(`${x.url}${path}`, { headers: { 'x-request-id': 'lb-1234.abc' } });
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
      expect(res.headers.get('cross-origin-opener-policy'), path).toBe('same-origin');
      expect(res.headers.get('cross-origin-resource-policy'), path).toBe('same-origin');
      // Plain http: no HSTS.
      expect(res.headers.get('strict-transport-security'), path).toBeNull();
      expect(res.headers.get('x-request-id'), path).toBe('lb-1234.abc');
    }
    // An id that is not sane is replaced by one of ours.
    const odd = await fetch(`${x.url}/healthz`, { headers: { 'x-request-id': 'a b"<script>' } });
    expect(odd.headers.get('x-request-id')).toMatch(/^req-[\w-]+-\w+$/);
    // Behind https (the public URL says so) HSTS is sent.
    x.services.config.publicUrl = 'https://registry.example.org';
    const tls = await fetch(`${x.url}/healthz`);
    expect(tls.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  });

  it('refuses searches and listings past the ceilings with a 400', async () => {
    const x = await start();
    const status = async (path: string) => {
      const res = await fetch(`${x.url}${path}`);
      return {
        status: res.status,
        detail: ((await res.json()) as { errors?: { detail: string }[] }).errors?.[0]?.detail,
      };
    };
    expect((await status('/api/v1/crates?q=a&per_page=100')).status).toBe(200);
    expect(await status('/api/v1/crates?q=a&per_page=101')).toEqual({
      status: 400,
      detail: '`per_page` must be at most 100',
    });
    expect((await status('/api/v1/crates?q=a&per_page=-1')).status).toBe(400);
    expect((await status('/api/v1/crates?q=a&per_page=100&page=100')).status).toBe(200);
    expect((await status('/api/v1/crates?q=a&per_page=100&page=101')).detail).toMatch(/too deep/);
    // The admin API authenticates before it looks at the query: an outsider learns nothing.
    expect(await status('/api/admin/audit-log?offset=99999999')).toEqual({
      status: 401,
      detail: 'sign in to the console first',
    });
    // An administrator is held to the same ceiling: a deep offset walks every row before it.
    const admin = await x.services.users.create({ login: 'ceiling-admin', isAdmin: true });
    const { token } = await x.services.tokens.create({ userId: admin.id, name: 'ops', scopes: ['admin'] });
    const asAdmin = async (path: string) => {
      const res = await fetch(`${x.url}${path}`, { headers: { authorization: token } });
      return {
        status: res.status,
        detail: ((await res.json()) as { errors?: { detail: string }[] }).errors?.[0]?.detail,
      };
    };
    expect((await asAdmin('/api/admin/audit-log?offset=10000')).status).toBe(200);
    expect(await asAdmin('/api/admin/audit-log?offset=10001')).toEqual({
      status: 400,
      detail: '`offset` must be at most 10000; narrow the query instead',
    });
    expect((await asAdmin('/api/admin/audit-log?offset=-1')).status).toBe(400);
  });

  it('reports health, readiness and metrics', async () => {
    const x = await start();
    expect(await (await fetch(`${x.url}/healthz`)).json()).toEqual({ ok: true });
    // The harness's worker has not started: not ready, with the reason.
    const notReady = await fetch(`${x.url}/readyz`);
    expect(notReady.status).toBe(503);
    const why = (await notReady.json()) as {
      ready: boolean;
      reason: string;
      checks: Record<string, { ok: boolean }>;
    };
    expect(why.ready).toBe(false);
    expect(why.checks.database!.ok).toBe(true);
    expect(why.checks.migrations!.ok).toBe(true);
    expect(why.reason).toMatch(/^worker: no worker heartbeat/);
    x.worker.start();
    await expect.poll(async () => (await fetch(`${x.url}/readyz`)).status, { timeout: 10_000 }).toBe(200);

    // /metrics needs its token.
    expect((await fetch(`${x.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${x.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(
      401,
    );
    const token = await x.token('carol');
    expect((await publishMinimal(x.url, token, 'metrics-crate', '0.1.0')).status).toBe(200);
    // Jobs from the publish: queued (or running, or done) — the queue is read at scrape time.
    await x.services.db.kysely
      .insertInto('jobs')
      .values({
        kind: 'test-kind',
        payload: '{}',
        status: 'queued',
        attempts: 0,
        max_attempts: 1,
        run_at: new Date(Date.now() + 3_600_000).toISOString(),
        locked_by: null,
        locked_at: null,
        last_error: null,
        created_at: new Date().toISOString(),
        finished_at: null,
      })
      .execute();
    await x.services.db.kysely
      .insertInto('alerts')
      .values({
        kind: 'test',
        severity: 'high',
        status: 'open',
        crate_name: 'metrics-crate',
        version: null,
        version_id: null,
        title: 't',
        details: '{}',
        score: 1,
        dedupe_key: 'k',
        created_at: new Date().toISOString(),
        updated_at: new Date().toISOString(),
      })
      .execute();
    await expect
      .poll(async () => (await x.services.security.queue.counts()).queued ?? 0, { timeout: 30_000 })
      .toBeLessThanOrEqual(1);
    const res = await fetch(`${x.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(
      /cratekeeper_http_requests_total\{method="PUT",route="\/api\/v1\/crates\/new",status="200"\} 1/,
    );
    expect(text).toMatch(/cratekeeper_http_requests_total\{method="GET",route="\/readyz",status="503"\} 1/);
    expect(text).toMatch(/cratekeeper_publishes_total\{outcome="published"\} 1/);
    expect(text).toMatch(/cratekeeper_jobs\{kind="test-kind",status="queued"\} 1/);
    expect(text).toMatch(/cratekeeper_alerts\{severity="high"\} 1/);
    expect(text).toMatch(/cratekeeper_alerts\{severity="critical"\} 0/);
    expect(text).toMatch(/cratekeeper_workers_alive 1/);
    // The worker ran the publish's scan and recorded how long it took.
    expect(text).toMatch(/cratekeeper_job_duration_seconds_count\{kind="scan",outcome="done"\} 1/);
  });

  it('gives tokens a 90-day default expiry, warns before it, and rotates atomically', async () => {
    const x = await start({ config: { rateLimits: { 'token-create': { rateMs: 600_000, burst: 10 } } } });
    const user = await x.services.users.create({ login: 'dave' });
    const { row } = await x.services.tokens.create({
      userId: user.id,
      name: 'ci',
      scopes: ['publish-new', 'publish-update'],
      cratePatterns: ['dave-*'],
    });
    const days = (Date.parse(row.expires_at!) - Date.parse(row.created_at)) / 86_400_000;
    expect(days).toBe(90);
    const never = await x.services.tokens.create({
      userId: user.id,
      name: 'forever',
      scopes: ['yank'],
      expiresInDays: null,
    });
    expect(never.row.expires_at).toBeNull();

    // A token 5 days from expiry: cargo's publish response carries the warning.
    const { token: soon, row: soonRow } = await x.services.tokens.create({
      userId: user.id,
      name: 'soon',
      scopes: ['publish-new'],
      expiresInDays: 5,
    });
    const res = await publishMinimal(x.url, soon, 'dave-crate', '1.0.0');
    expect(res.status).toBe(200);
    const { warnings } = (await res.json()) as { warnings: { other: string[] } };
    expect(warnings.other.join('\n')).toMatch(
      new RegExp(`#${soonRow.id}\\) expires in 5 days.*token rotate ${soonRow.id}`),
    );
    // The housekeeping claim marks it once across processes.
    expect((await x.services.tokens.claimExpiryWarnings(14)).map((t) => t.id)).toEqual([soonRow.id]);
    expect(await x.services.tokens.claimExpiryWarnings(14)).toEqual([]);

    // Rotation: same scopes and patterns, new secret, old one refused at once.
    const rotated = (await x.services.tokens.rotate(row.id))!;
    expect(rotated.row.scopes).toBe('publish-new,publish-update');
    expect(rotated.row.crate_patterns).toBe('["dave-*"]');
    expect(rotated.row.name).toBe('ci');
    expect(
      (Date.parse(rotated.row.expires_at!) - Date.parse(rotated.row.created_at)) / 86_400_000,
    ).toBeCloseTo(90, 5);
    expect(await x.services.tokens.authenticate(rotated.token)).not.toBeNull();
    const old = await x.services.db.kysely
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow();
    expect(old.revoked_at).not.toBeNull();
    // Rotating a revoked token is refused and creates nothing.
    const before = (await x.services.tokens.listForUser(user.id)).length;
    expect(await x.services.tokens.rotate(row.id)).toBeNull();
    expect(await x.services.tokens.listForUser(user.id)).toHaveLength(before);
  });

  it('shows the sudo window of a console session', async () => {
    const x = await start({ config: { sudoMs: 90_000 } });
    await createAdmin(x, 'root', 'correct horse battery staple');
    const session = await signIn(x, 'root', 'correct horse battery staple');
    const res = await session.call('GET', '/api/admin/session');
    const body = (await res.json()) as { reauthUntil: string; sudoSeconds: number };
    expect(body.sudoSeconds).toBe(90);
    const left = Date.parse(body.reauthUntil) - Date.now();
    expect(left).toBeGreaterThan(60_000);
    expect(left).toBeLessThanOrEqual(90_000);
  });
});
