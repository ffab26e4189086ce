// Registry settings, with crates.io's limits as defaults.
import { DEFAULT_RATE_LIMITS, type RateLimitSettings } from '../store/rate-limits.js';

export type QuarantinePolicy = 'off' | 'high' | 'critical';

export interface RegistryLimits {
  /** Largest `.crate` accepted (crates.io: 10 MiB). */
  maxUploadBytes: number;
  /** Largest JSON metadata document in a publish body. */
  maxMetadataBytes: number;
  /** Largest total size of a crate's unpacked files. */
  maxUnpackedBytes: number;
  maxArchiveEntries: number;
  maxDependencies: number;
  maxFeatures: number;
  maxKeywords: number;
  maxCategories: number;
}

export interface RegistryConfig {
  /** Absolute base URL clients reach the server at, used in config.json (no trailing slash). */
  publicUrl: string;
  /** Private mode: index, downloads and API all need a token (cargo's `auth-required`). */
  authRequired: boolean;
  limits: RegistryLimits;
  /** Days a deleted crate's name stays blocked. */
  deletedNameBlockDays: number;
  /** How long a rendered index file is served from memory before it is re-read (ms). */
  indexCacheTtlMs: number;
  /** Trust X-Forwarded-For for the client IP recorded in provenance (behind a proxy). */
  trustProxy: boolean;
  /** Token buckets of rate-limited actions (see store/rate-limits.ts). */
  rateLimits: RateLimitSettings;
  /** Named in a rate-limit refusal as whom to email for a higher limit (null: "the administrators"). */
  rateLimitContact: string | null;
  /** Days a new token lives unless asked otherwise (null: no expiry by default). */
  tokenDefaultExpiryDays: number | null;
  /** A token this close to its expiry is flagged in `token list` and its owner is told (days). */
  tokenExpiryWarningDays: number;
  /** How long a console re-authentication ("sudo mode") lasts for destructive actions (ms). */
  sudoMs: number;
  /** Strict-Transport-Security max-age when the public URL is https (0: no header). */
  hstsMaxAgeSeconds: number;
  /** Bearer token /metrics on the main port asks for (null: /metrics is not served there). */
  metricsToken: string | null;
  /** Ceilings on the work one request may ask for (see docs/operations.md). */
  ceilings: RequestCeilings;
}

export interface RequestCeilings {
  /** Largest `per_page` of a search. */
  maxPerPage: number;
  /** Deepest result a search may page to (`page × per_page`). */
  maxSearchOffset: number;
}

export const DEFAULT_CEILINGS: RequestCeilings = { maxPerPage: 100, maxSearchOffset: 10_000 };

export const DEFAULT_LIMITS: RegistryLimits = {
  maxUploadBytes: 10 * 1024 * 1024,
  maxMetadataBytes: 2 * 1024 * 1024,
  maxUnpackedBytes: 512 * 1024 * 1024,
  maxArchiveEntries: 20_000,
  maxDependencies: 500,
  maxFeatures: 300,
  maxKeywords: 5,
  maxCategories: 5,
};

export type RegistryConfigOverrides = Partial<Omit<RegistryConfig, 'limits' | 'rateLimits' | 'ceilings'>> & {
  limits?: Partial<RegistryLimits>;
  rateLimits?: Partial<RateLimitSettings>;
  ceilings?: Partial<RequestCeilings>;
};

export function defaultRegistryConfig(overrides: RegistryConfigOverrides = {}): RegistryConfig {
  return {
    publicUrl: 'http://127.0.0.1:8080',
    authRequired: false,
    deletedNameBlockDays: 30,
    indexCacheTtlMs: 30_000,
    trustProxy: false,
    rateLimitContact: null,
    tokenDefaultExpiryDays: 90,
    tokenExpiryWarningDays: 14,
    sudoMs: 5 * 60_000,
    hstsMaxAgeSeconds: 365 * 86_400,
    metricsToken: null,
    ...overrides,
    limits: { ...DEFAULT_LIMITS, ...overrides.limits },
    rateLimits: { ...DEFAULT_RATE_LIMITS, ...overrides.rateLimits },
    ceilings: { ...DEFAULT_CEILINGS, ...overrides.ceilings },
  };
}
