// Creating API tokens over HTTP (the console's POST /api/admin/me/tokens), on both databases:
// only from a signed-in session with a fresh password, never with a token; the token-creation
// rate limit answers 429 with Retry-After and writes nothing; a bad request creates nothing; each
// token is created with its audit entry.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { dropPostgresSchema } from '../../src/store/database.js';
import { createAdmin, signIn } from '../support/console-session.js';
import { DIALECTS, POSTGRES_URL } from '../support/databases.js';
import { publishMinimal } from '../support/publish-body.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';

const PASSWORD = 'correct horse battery staple';

describe.each(DIALECTS)('token creation over HTTP on %s', (dialect) => {
  let h: Harness | undefined;
  let schema: string | null = null;

  async function start(opts: Parameters<typeof startRegistry>[0] = {}): Promise<Harness> {
    schema = dialect === 'postgres' ? `ck_test_${randomBytes(6).toString('hex')}` : null;
    h = await startRegistry({ ...opts, ...(schema ? { database: { url: POSTGRES_URL, schema } } : {}) });
    await createAdmin(h, 'root', PASSWORD);
    return h;
  }

  afterEach(async () => {
    await h?.close();
    if (schema) await dropPostgresSchema(POSTGRES_URL, schema);
    h = undefined;
  });

  const tokenCount = async (x: Harness) =>
    Number(
      (
        await x.services.db.kysely
          .selectFrom('api_tokens')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('creates a working token for the signed-in administrator, audited, within the rate limit', async () => {
    const x = await start({ config: { rateLimits: { 'token-create': { rateMs: 600_000, burst: 2 } } } });
    const session = await signIn(x, 'root', PASSWORD);
    const create = (body: unknown) => session.call('POST', '/api/admin/me/tokens', body);

    const first = await create({ name: 'ci', scopes: ['publish-new', 'publish-update'], expiresInDays: 30 });
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const made = (await first.json()) as {
      token: string;
      created: { id: number; name: string; scopes: string[]; expiresAt: string | null };
    };
    expect(made.created).toMatchObject({ name: 'ci', scopes: ['publish-new', 'publish-update'] });
    expect(Date.parse(made.created.expiresAt!) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    // The secret works with cargo's API, as any token the CLI makes.
    expect((await publishMinimal(x.url, made.token, 'made-over-http', '1.0.0')).status).toBe(200);
    const entries = await x.services.audit.list({ action: 'token-create', limit: 10, offset: 0 });
    expect(entries.entries.map((e) => e.target)).toEqual([`root/ci#${made.created.id}`]);
    expect(entries.entries[0]!.actor).toBe('root');

    // Bad requests create nothing and take nothing from the bucket.
    expect((await create({ name: 'x', scopes: ['publish-everything'] })).status).toBe(400);
    expect((await create({ name: 'x', scopes: [] })).status).toBe(400);
    expect((await create({ name: 'x', scopes: ['yank'], crates: ['no spaces allowed'] })).status).toBe(400);
    expect((await create({ name: 'x', scopes: ['yank'], expiresInDays: 0 })).status).toBe(400);
    expect(await tokenCount(x)).toBe(1);

    expect((await create({ name: 'second', scopes: ['yank'], expiresInDays: null })).status).toBe(200);
    const limited = await create({ name: 'third', scopes: ['yank'] });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as { errors: { detail: string }[] }).errors[0]!.detail).toMatch(
      /too many API tokens/,
    );
    expect(await tokenCount(x)).toBe(2);
    expect((await x.services.audit.list({ action: 'token-create', limit: 10, offset: 0 })).total).toBe(2);
  });

  it('refuses a token, a forged request and a stale session', async () => {
    const x = await start({ config: { sudoMs: 1 } });
    const user = (await x.services.users.findByLogin('root'))!;
    const { token } = await x.services.tokens.create({ userId: user.id, name: 'ops', scopes: ['admin'] });
    const withToken = await fetch(`${x.url}/api/admin/me/tokens`, {
      method: 'POST',
      headers: { authorization: token, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'more', scopes: ['admin'] }),
    });
    expect(withToken.status).toBe(403);
    expect(await withToken.text()).toMatch(/console session, not with a token/);

    const session = await signIn(x, 'root', PASSWORD);
    const forged = await session.call(
      'POST',
      '/api/admin/me/tokens',
      { name: 'f', scopes: ['yank'] },
      { csrf: false },
    );
    expect(forged.status).toBe(403);
    await new Promise((r) => setTimeout(r, 5));
    const stale = await session.call('POST', '/api/admin/me/tokens', { name: 's', scopes: ['yank'] });
    expect(stale.status).toBe(403);
    expect(((await stale.json()) as { reauth?: boolean }).reauth).toBe(true);
    expect(await tokenCount(x)).toBe(1);
  });
});
