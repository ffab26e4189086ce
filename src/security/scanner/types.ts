// Public types of the malicious-crate scanner: what a scan reports and what the registry
// may tell it. The pipeline (jobs/) and the CLI depend on these shapes.

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

export const SEVERITIES: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

/** Where a file's code runs: build scripts and proc-macros run on the developer's machine at build time. */
export type FileContext =
  'build-script' | 'proc-macro' | 'library' | 'binary' | 'test' | 'example' | 'bench' | 'other';

export interface Finding {
  ruleId: string;
  severity: Severity;
  title: string;
  /** Path inside the crate (no `name-version/` prefix), or null for crate-level findings. */
  file: string | null;
  line: number | null;
  evidence: string;
  why: string;
  context?: FileContext;
}

export interface ScanReport {
  crate: { name: string; version: string };
  verdict: Severity | 'clean';
  findings: Finding[];
  /** What the crate's code can do, as `context:capability` (e.g. `build-script:network`). */
  capabilities: string[];
  /** Normal and build dependencies as declared in the manifest; the multi-crate mode follows them. */
  dependencies?: { name: string; req: string; kind: 'normal' | 'build' }[];
  stats: { files: number; rustFiles: number; bytes: number; ms: number };
}

export interface DependencyInfo {
  createdAt: string;
  dependents: number;
  owners: string[];
  verdict?: Severity | 'clean';
}

/**
 * What the registry knows about the crate being scanned (all optional); used by registry-aware
 * rules. Plain data only (records, arrays, a Map, a Date): it is posted to scan worker threads,
 * so the caller looks everything up beforehand.
 */
export interface RegistryContext {
  previousVersion?: {
    version: string;
    hasBuildScript: boolean;
    dependencies: string[];
    publisher: string | null;
    /** path → sha256 (hex) of the previous version's files */
    files?: Map<string, string>;
  } | null;
  publisher?: string | null;
  /**
   * The crate's owners before this release (none for a new crate). A dependency they or the
   * publisher own is a sibling.
   */
  owners?: string[];
  publisherFirstSeen?: string | null;
  /**
   * What the registry knows about each normal/build dependency, keyed by canonical crate name
   * (`canonicalCrateName`: lower case, `-` as `_`); a dependency missing here is unknown.
   */
  dependencyInfo?: Record<string, DependencyInfo>;
  recentYanks?: { version: string; yankedAt: string }[];
  /**
   * sha256 (hex) of a file of this crate → the popular crates (other than this one and its
   * publisher's own) that ship an identical file. Only hashes with holders need to be present.
   */
  popularFileHashes?: Record<string, string[]>;
  /**
   * The popular crate this one most resembles (shared files, `[lib] name`, repository or
   * homepage, README), with the Rust sources of its newest non-yanked version, bounded; the
   * `registry.clone` rule compares the two function by function. Absent when none matches.
   */
  cloneCandidate?: CloneCandidate | null;
  now?: Date;
}

/** Why a popular crate was chosen as the original a crate may copy. */
export type CloneReason = 'shared-files' | 'lib-name' | 'repository' | 'homepage' | 'readme';

export interface CloneCandidate {
  name: string;
  version: string;
  reasons: CloneReason[];
  /** Rust files of this crate identical (by hash) to one of the candidate's crate's files. */
  sharedFiles: number;
  /** Rust sources of that version (tests, examples and benches left out), in path order. */
  sources: { path: string; text: string }[];
  /** Sources were left out to stay within the bounds. */
  truncated: boolean;
}

export function severityRank(s: Severity | 'clean'): number {
  return s === 'clean' ? -1 : SEVERITIES.indexOf(s);
}

export function maxSeverity(a: Severity | 'clean', b: Severity | 'clean'): Severity | 'clean' {
  return severityRank(a) >= severityRank(b) ? a : b;
}

export function atLeast(s: Severity | 'clean', threshold: Severity): boolean {
  return severityRank(s) >= severityRank(threshold);
}

export function isSeverity(s: string): s is Severity {
  return (SEVERITIES as readonly string[]).includes(s);
}
