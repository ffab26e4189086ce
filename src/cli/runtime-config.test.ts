import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-schema.js';
import { runtimeConfigFrom } from './runtime-config.js';

describe('[limits], [tokens], [admin], [metrics]', () => {
  it('reads every key into the registry config', () => {
    const { overrides, metricsListener } = runtimeConfigFrom({
      limits: {
        contact: 'help@example.org',
        max_per_page: 50,
        publish_new: { burst: 2 },
        yank: { rate_seconds: 5 },
      },
      tokens: { default_expiry_days: 0, expiry_warning_days: 7 },
      admin: { sudo_minutes: 10 },
      server: { hsts_max_age_seconds: 0 },
      metrics: { token: 'a-long-enough-metrics-token', port: 9464 },
    });
    expect(overrides).toEqual({
      rateLimits: { 'publish-new': { rateMs: 600_000, burst: 2 }, yank: { rateMs: 5000, burst: 100 } },
      rateLimitContact: 'help@example.org',
      ceilings: { maxPerPage: 50 },
      tokenDefaultExpiryDays: null,
      tokenExpiryWarningDays: 7,
      sudoMs: 600_000,
      hstsMaxAgeSeconds: 0,
      metricsToken: 'a-long-enough-metrics-token',
    });
    expect(metricsListener).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(runtimeConfigFrom({})).toEqual({ overrides: {}, metricsListener: null });
  });

  it.each([
    [{ limits: { publish_new: { burst: 0 } } }, /\[limits.publish_new\] burst must be a whole number from 1/],
    [{ tokens: { default_expiry_days: 1.5 } }, /default_expiry_days must be a whole number/],
    [{ metrics: { token: 'short' } }, /at least 16 characters/],
    [{ metrics: { host: '0.0.0.0' } }, /host needs a port/],
    [{ admin: { sudo_minutes: 0 } }, /sudo_minutes/],
  ])('refuses %j', (table, message) => {
    expect(() => runtimeConfigFrom(table)).toThrow(ConfigError);
    expect(() => runtimeConfigFrom(table)).toThrow(message);
  });
});
