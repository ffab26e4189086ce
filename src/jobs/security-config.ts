// The security pipeline's settings: quarantine, typosquat corpus, popularity window.
import { defaultTyposquatConfig, type TyposquatConfig } from '../security/typosquat/index.js';

export type QuarantinePolicy = 'off' | 'high' | 'critical';

export interface SecurityConfig {
  /** Versions whose scan verdict is at or above this wait for an administrator. */
  quarantine: QuarantinePolicy;
  typosquat: TyposquatConfig;
  /** How long the popular-crate corpus is reused before it is rebuilt (ms). */
  corpusRefreshMs: number;
  /** Window for "recent downloads" when ranking popular crates (crates.io: 90 days). */
  downloadWindowDays: number;
}

export function defaultSecurityConfig(overrides: Partial<SecurityConfig> = {}): SecurityConfig {
  return {
    quarantine: 'off',
    typosquat: defaultTyposquatConfig(),
    corpusRefreshMs: 5 * 60_000,
    downloadWindowDays: 90,
    ...overrides,
  };
}
