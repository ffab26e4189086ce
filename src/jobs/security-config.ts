// The security pipeline's settings: quarantine, typosquat corpus, popularity window, sandboxed build.
import { defaultTyposquatConfig, type TyposquatConfig } from '../security/typosquat/index.js';
import { defaultAdvisoryConfig, type AdvisoryConfig } from './advisory-sync.js';

export type QuarantinePolicy = 'off' | 'high' | 'critical';

export interface SecurityConfig {
  /** Versions whose scan verdict is at or above this wait for an administrator. */
  quarantine: QuarantinePolicy;
  typosquat: TyposquatConfig;
  /** How long the popular-crate corpus is reused before it is rebuilt (ms). */
  corpusRefreshMs: number;
  /** Window for "recent downloads" when ranking popular crates (crates.io: 90 days). */
  downloadWindowDays: number;
  /** The sandboxed build of build scripts and proc-macros (off unless enabled). */
  detonate: DetonateConfig;
  /** Advisory syncs and what a malicious advisory does (`[advisories]`). */
  advisories: AdvisoryConfig;
  /**
   * `[security] release_requires_criteria`: releasing a version from quarantine needs a validly
   * signed audit of this registry certifying this criteria (or one implying it) for that version.
   */
  releaseRequiresCriteria?: string;
}

export interface DetonateConfig {
  /** Queue a `detonate` job with every publish; the worker needs cargo, bwrap and strace. */
  enabled: boolean;
  /** Wall-clock limit per crate (ms). */
  timeoutMs: number;
  /** Address-space limit inside the sandbox (MiB). */
  memoryMiB: number;
  /** Rust toolchain sysroot; default: what `rustc --print sysroot` says on the worker. */
  toolchain?: string;
}

export function defaultSecurityConfig(overrides: Partial<SecurityConfig> = {}): SecurityConfig {
  return {
    quarantine: 'off',
    typosquat: defaultTyposquatConfig(),
    corpusRefreshMs: 5 * 60_000,
    downloadWindowDays: 90,
    ...overrides,
    detonate: { enabled: false, timeoutMs: 120_000, memoryMiB: 4096, ...overrides.detonate },
    advisories: defaultAdvisoryConfig(overrides.advisories),
  };
}
