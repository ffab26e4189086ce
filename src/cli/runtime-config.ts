// `[limits]`, `[tokens]`, `[admin]`, `[metrics]` and `[server] hsts_max_age_seconds`: the
// hardening and observability settings of docs/operations.md, checked when the file is read.
import type { RegistryConfigOverrides } from '../registry/config.js';
import { DEFAULT_RATE_LIMITS, type RateLimitSettings, type RateLimitedAction } from '../store/rate-limits.js';
import { section, type ConfigTable } from './config-file.js';
import { ConfigError } from './config-schema.js';

export interface MetricsListener {
  host: string;
  port: number;
}

const ACTION_TABLES: Record<string, RateLimitedAction> = {
  publish_new: 'publish-new',
  publish_update: 'publish-update',
  yank: 'yank',
  sign_in: 'sign-in',
  token_create: 'token-create',
};

function whole(table: ConfigTable, where: string, key: string, min: number, max: number): number | undefined {
  const v = table[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new ConfigError(
      `[${where}] ${key} must be a whole number from ${min} to ${max}, not ${JSON.stringify(v)}`,
    );
  return v;
}

function text(table: ConfigTable, where: string, key: string): string | undefined {
  const v = table[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.trim() === '')
    throw new ConfigError(`[${where}] ${key} must be a non-empty string`);
  return v;
}

export function runtimeConfigFrom(file: ConfigTable): {
  overrides: RegistryConfigOverrides;
  metricsListener: MetricsListener | null;
} {
  const overrides: RegistryConfigOverrides = {};
  const limits = section(file, 'limits');
  const rateLimits: Partial<RateLimitSettings> = {};
  for (const [table, action] of Object.entries(ACTION_TABLES)) {
    const t = section(limits, table);
    const rate = whole(t, `limits.${table}`, 'rate_seconds', 1, 86_400);
    const burst = whole(t, `limits.${table}`, 'burst', 1, 1_000_000);
    if (rate !== undefined || burst !== undefined)
      rateLimits[action] = {
        rateMs: rate !== undefined ? rate * 1000 : DEFAULT_RATE_LIMITS[action].rateMs,
        burst: burst ?? DEFAULT_RATE_LIMITS[action].burst,
      };
  }
  if (Object.keys(rateLimits).length) overrides.rateLimits = rateLimits;
  const contact = text(limits, 'limits', 'contact');
  if (contact !== undefined) overrides.rateLimitContact = contact;
  const perPage = whole(limits, 'limits', 'max_per_page', 1, 1000);
  const offset = whole(limits, 'limits', 'max_offset', 100, 10_000_000);
  if (perPage !== undefined || offset !== undefined)
    overrides.ceilings = {
      ...(perPage !== undefined ? { maxPerPage: perPage } : {}),
      ...(offset !== undefined ? { maxSearchOffset: offset } : {}),
    };

  const tokens = section(file, 'tokens');
  const expiry = whole(tokens, 'tokens', 'default_expiry_days', 0, 3650);
  if (expiry !== undefined) overrides.tokenDefaultExpiryDays = expiry === 0 ? null : expiry;
  const warning = whole(tokens, 'tokens', 'expiry_warning_days', 1, 365);
  if (warning !== undefined) overrides.tokenExpiryWarningDays = warning;

  const sudo = whole(section(file, 'admin'), 'admin', 'sudo_minutes', 1, 240);
  if (sudo !== undefined) overrides.sudoMs = sudo * 60_000;

  const hsts = whole(section(file, 'server'), 'server', 'hsts_max_age_seconds', 0, 2 * 365 * 86_400);
  if (hsts !== undefined) overrides.hstsMaxAgeSeconds = hsts;

  const metrics = section(file, 'metrics');
  const token = text(metrics, 'metrics', 'token');
  if (token !== undefined) {
    if (token.length < 16) throw new ConfigError('[metrics] token must be at least 16 characters');
    overrides.metricsToken = token;
  }
  const port = whole(metrics, 'metrics', 'port', 0, 65535);
  const host = text(metrics, 'metrics', 'host');
  if (host !== undefined && port === undefined) throw new ConfigError('[metrics] host needs a port');
  return { overrides, metricsListener: port === undefined ? null : { host: host ?? '127.0.0.1', port } };
}
