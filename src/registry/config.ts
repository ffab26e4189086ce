// Registry settings, with crates.io's limits as defaults.
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
}

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

export type RegistryConfigOverrides = Partial<Omit<RegistryConfig, 'limits'>> & {
  limits?: Partial<RegistryLimits>;
};

export function defaultRegistryConfig(overrides: RegistryConfigOverrides = {}): RegistryConfig {
  return {
    publicUrl: 'http://127.0.0.1:8080',
    authRequired: false,
    deletedNameBlockDays: 30,
    indexCacheTtlMs: 30_000,
    trustProxy: false,
    ...overrides,
    limits: { ...DEFAULT_LIMITS, ...overrides.limits },
  };
}
