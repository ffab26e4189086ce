// The token buckets on both databases: crates.io's refill arithmetic, overrides that expire,
// and the property that matters with several processes: concurrent takes never overdraw.
import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS, openTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { RateLimiter, type RateLimitSettings, DEFAULT_RATE_LIMITS } from './rate-limits.js';

const T0 = new Date('2026-03-01T12:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

describe.each(DIALECTS)('rate limits on %s', (dialect) => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.cleanup();
    t = undefined;
  });

  async function setup(settings: Partial<RateLimitSettings> = {}) {
    t = await openTestDatabase(dialect);
    const user = await t.db.kysely
      .insertInto('users')
      .values({
        login: 'alice',
        name: null,
        email: null,
        is_admin: 0,
        password_hash: null,
        locked_until: null,
        lock_reason: null,
        created_at: T0.toISOString(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const refused: string[] = [];
    const limiter = new RateLimiter(t.db.kysely, { ...DEFAULT_RATE_LIMITS, ...settings }, (a) =>
      refused.push(a),
    );
    return { limiter, userId: user.id, refused };
  }

  it('allows the burst, refuses the next, and refills one token per rate', async () => {
    const { limiter, userId, refused } = await setup();
    // publish-new: burst 5, one every 10 minutes.
    for (let i = 0; i < 5; i++) {
      const r = await limiter.take({ userId }, 'publish-new', at(i * 1000));
      expect(r).toEqual({ ok: true, remaining: 4 - i });
    }
    const sixth = await limiter.take({ userId }, 'publish-new', at(10_000));
    expect(sixth.ok).toBe(false);
    // The first refill is one rate after the bucket was created (full at T0).
    if (!sixth.ok) expect(sixth.retryAt.toISOString()).toBe(at(600_000).toISOString());
    expect(refused).toEqual(['publish-new']);
    // 9 minutes 59 s: still nothing; at 10 minutes one token, and only one.
    expect((await limiter.take({ userId }, 'publish-new', at(599_000))).ok).toBe(false);
    expect(await limiter.take({ userId }, 'publish-new', at(600_000))).toEqual({ ok: true, remaining: 0 });
    expect((await limiter.take({ userId }, 'publish-new', at(600_500))).ok).toBe(false);
    // Another action and another user have buckets of their own.
    expect((await limiter.take({ userId }, 'publish-update', at(600_500))).ok).toBe(true);
    expect((await limiter.take({ userId: userId + 1000 }, 'publish-new', at(600_500))).ok).toBe(true);
  });

  it('keeps fractional progress and never fills past the burst', async () => {
    const { limiter, userId } = await setup({ yank: { rateMs: 1000, burst: 3 } });
    for (let i = 0; i < 3; i++) expect((await limiter.take({ userId }, 'yank', T0)).ok).toBe(true);
    // 2.5 rates later: two tokens; the half rate carries over to the next refill.
    expect(await limiter.take({ userId }, 'yank', at(2500))).toEqual({ ok: true, remaining: 1 });
    expect(await limiter.take({ userId }, 'yank', at(2600))).toEqual({ ok: true, remaining: 0 });
    expect(await limiter.take({ userId }, 'yank', at(3000))).toEqual({ ok: true, remaining: 0 });
    // A day idle fills the bucket to its burst, not beyond.
    expect(await limiter.take({ userId }, 'yank', at(86_400_000))).toEqual({ ok: true, remaining: 2 });
  });

  it('applies an override until it expires', async () => {
    const { limiter, userId } = await setup({ 'publish-new': { rateMs: 600_000, burst: 1 } });
    expect((await limiter.take({ userId }, 'publish-new', T0)).ok).toBe(true);
    expect((await limiter.take({ userId }, 'publish-new', T0)).ok).toBe(false);
    // Setting an override refills the bucket at the new burst at once.
    await limiter.setOverride(
      { userId, action: 'publish-new', burst: 3, expiresAt: at(60_000), by: 'test' },
      T0,
    );
    for (let i = 0; i < 3; i++) expect((await limiter.take({ userId }, 'publish-new', at(i))).ok).toBe(true);
    expect((await limiter.take({ userId }, 'publish-new', at(10))).ok).toBe(false);
    expect(await limiter.overrides(userId)).toMatchObject([
      { login: 'alice', action: 'publish-new', burst: 3 },
    ]);
    // Expired: the configured burst of 1 applies again (after the refill, one token).
    expect(await limiter.burstFor({ userId }, 'publish-new', at(60_001))).toBe(1);
    expect(await limiter.removeOverride(userId, 'publish-new')).toBe(true);
    expect(await limiter.removeOverride(userId, 'publish-new')).toBe(false);
    await expect(
      limiter.setOverride({ userId, action: 'yank', burst: 0, expiresAt: null, by: 'test' }),
    ).rejects.toThrow(/burst/);
  });

  it('never lets concurrent takes overdraw the bucket', async () => {
    const { limiter, userId } = await setup({ 'publish-update': { rateMs: 3_600_000, burst: 4 } });
    const results = await Promise.all(
      Array.from({ length: 12 }, () => limiter.take({ userId }, 'publish-update', T0)),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(4);
    // Inside transactions (as a publish does), a refused take that rolls back changes nothing.
    const inTrx = await t!.db.kysely
      .transaction()
      .execute((trx) => limiter.take({ userId }, 'publish-update', T0, trx));
    expect(inTrx.ok).toBe(false);
  });

  it('counts sign-ins per address', async () => {
    const { limiter } = await setup({ 'sign-in': { rateMs: 60_000, burst: 2 } });
    expect((await limiter.take({ ip: '192.0.2.1' }, 'sign-in', T0)).ok).toBe(true);
    expect((await limiter.take({ ip: '192.0.2.1' }, 'sign-in', T0)).ok).toBe(true);
    expect((await limiter.take({ ip: '192.0.2.1' }, 'sign-in', T0)).ok).toBe(false);
    expect((await limiter.take({ ip: '192.0.2.2' }, 'sign-in', T0)).ok).toBe(true);
  });
});
