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

/** What the registry knows about the crate being scanned (all optional); used by registry-aware rules. */
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
  publisherFirstSeen?: string | null;
  dependencyInfo?: (name: string) => DependencyInfo | null;
  recentYanks?: { version: string; yankedAt: string }[];
  /** Popular crate names that contain a file with this sha256 (hex). */
  popularFileHashes?: (sha256: string) => string[];
  now?: Date;
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
