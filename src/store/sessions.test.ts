// The sign-in throttle on both databases: concurrent attempts reserve slots atomically (no
// error, a bounded number of password checks), a known owner skips the wider ceilings, and
// counters that have run out are forgotten.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS, openTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { LoginThrottle } from './sessions.js';

describe.each(DIALECTS)('login throttle on %s', (dialect) => {
  let t: TestDatabase;
  let checks: number;
  let throttle: LoginThrottle;
  const verifier = {
    verify: async (password: string) => {
      checks++;
      return password === 'right';
    },
  };

  beforeEach(async () => {
    t = await openTestDatabase(dialect);
    checks = 0;
    throttle = new LoginThrottle(t.db.kysely, {}, verifier);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const attempt = (ip: string, trusted = false) => ({ login: 'Root', ip, trusted });

  it('lets one of a burst through to the password check and locks the pair', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, () => throttle.check(attempt('10.0.0.1'), 'wrong', null)),
    );
    expect(results.filter((r) => !r.refused)).toHaveLength(checks);
    expect(checks).toBeLessThanOrEqual(2);
    const locks = results.flatMap((r) => r.locks);
    expect(locks).toEqual([expect.objectContaining({ scope: 'client', failures: 5 })]);
    const after = await throttle.check(attempt('10.0.0.1'), 'right', null);
    expect(after.refused).toBe(true);
    // Another address is not affected, and logins match case-insensitively.
    const elsewhere = await throttle.check({ login: 'root', ip: '10.0.0.2', trusted: false }, 'right', null);
    expect(elsewhere).toMatchObject({ refused: false, ok: true });
  });

  it('caps a login from many addresses, except for its known owner', async () => {
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => throttle.check(attempt(`10.1.0.${i}`), 'wrong', null)),
    );
    expect(checks).toBe(throttle.settings.loginMaxFailures);
    expect(results.flatMap((r) => r.locks)).toEqual([expect.objectContaining({ scope: 'login' })]);
    expect((await throttle.check(attempt('10.2.0.1'), 'right', null)).refused).toBe(true);
    expect(await throttle.check(attempt('10.2.0.2', true), 'right', null)).toMatchObject({ ok: true });
    expect(await throttle.clearLogin('ROOT')).toBeGreaterThan(1);
    expect(await throttle.check(attempt('10.2.0.1'), 'right', null)).toMatchObject({ ok: true });
  });

  it('forgets counters whose window and lock have passed', async () => {
    const long = new Date(Date.now() - 24 * 3600_000);
    await throttle.check(attempt('10.3.0.1'), 'wrong', null, long);
    await throttle.check(attempt('10.3.0.2'), 'wrong', null);
    const keys = await t.db.kysely.selectFrom('login_throttle').select('key').execute();
    // The day-old attempt's three counters are gone; today's client counter is kept.
    expect(keys.map((k) => k.key).filter((k) => k.startsWith('client:'))).toHaveLength(1);
    expect(keys.some((k) => k.key === 'ip:10.3.0.1')).toBe(false);
  });
});
