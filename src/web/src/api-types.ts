// The admin API's answers, as docs/admin-api.md describes them. Fields the contract leaves open
// are optional so the pages render whatever the server adds or leaves out.

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export type AlertStatus = 'open' | 'acknowledged' | 'escalated' | 'dismissed' | 'resolved';
export type AlertKind = 'scanner' | 'typosquat' | 'impersonation';

export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
export const STATUSES: readonly AlertStatus[] = [
  'open',
  'acknowledged',
  'escalated',
  'dismissed',
  'resolved',
];
export const KINDS: readonly AlertKind[] = ['scanner', 'typosquat', 'impersonation'];

export interface User {
  id: number;
  login: string;
  name: string | null;
  isAdmin: boolean;
  lockedUntil?: string | null;
  lockReason?: string | null;
  locked?: boolean;
  createdAt?: string;
}

export interface SessionInfo {
  user: User;
  csrfToken: string;
  reauthUntil?: string | null;
}

export interface Alert {
  id: number;
  kind: AlertKind | string;
  severity: Severity;
  status: AlertStatus;
  crate: string;
  version: string | null;
  title: string;
  score: number | null;
  details: unknown;
  created_at: string;
  updated_at: string;
}

export interface Publish {
  crate: string;
  version: string;
  publishedAt: string;
  publisher: string | null;
  status: string;
  yanked: boolean;
  verdict: string | null;
  clientIp?: string | null;
  userAgent?: string | null;
}

export interface Overview {
  alerts: {
    open: number;
    bySeverity: Partial<Record<Severity, number>>;
    byKind: Record<string, number>;
  };
  recentPublishes: Publish[];
  perDay: { days: string[]; publishes: number[]; alerts: number[]; downloads: number[] };
  /** Background jobs by status (scans, typosquat checks). */
  jobs?: Record<string, number>;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  title: string;
  file: string | null;
  line: number | null;
  evidence?: string;
  why?: string;
  code?: { n: number; text: string }[];
}

export interface Evidence {
  kind: string;
  findings?: Finding[];
  squat?: {
    target: string;
    targetOwners: string[];
    check: string;
    message: string;
    similarity: number | null;
  };
  diff?: {
    previousVersion: string | null;
    addedDependencies: string[];
    removedDependencies: string[];
    buildScriptAdded: boolean;
    binariesAdded: string[];
    publisherChanged: boolean | { from: string | null; to: string | null };
  };
}

export interface Impact {
  crate: string;
  version: string | null;
  directDependents: number;
  transitiveDependents: number;
  versions: number;
}

export interface AlertDetail {
  alert: Alert;
  notes: { at: string; user: string; note: string }[];
  evidence: Evidence | null;
  impact: Impact | null;
}

export interface Version {
  num: string;
  yanked: boolean;
  status: string;
  checksum: string;
  size: number;
  publishedAt: string;
  publisher: string | null;
  tokenName: string | null;
  clientIp: string | null;
  userAgent: string | null;
  hasBuildScript: boolean;
  scan: { verdict: string; findings: number | unknown[] } | null;
  /** Advisories affecting this version (withdrawn ones included, flagged). */
  advisories?: VersionAdvisory[];
}

export interface CrateInfo {
  name: string;
  description?: string | null;
  homepage?: string | null;
  repository?: string | null;
  documentation?: string | null;
  keywords?: string[];
  categories?: string[];
  downloads?: number;
  createdAt?: string;
  updatedAt?: string;
  created_at?: string;
  updated_at?: string;
  maxVersion?: string | null;
}

export type Owner = string | { login: string; name?: string | null; kind?: string };

export interface CrateDetail {
  crate: CrateInfo;
  owners: Owner[];
  versions: Version[];
  alerts: Alert[];
  downloadsPerDay: { date: string; downloads: number }[];
  dependents: { direct: string[]; directCount: number; transitiveCount: number };
  /** Every advisory naming the crate. */
  advisories?: AdvisorySummary[];
}

export interface Token {
  id: number;
  name: string;
  scopes: string[] | string | null;
  /** Crate-name patterns the token is limited to; null for every crate. */
  crates?: string[] | null;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

export interface UserDetail {
  user: User;
  crates: { name: string; maxVersion: string | null }[];
  tokens: Token[];
  publishes: Publish[];
  signIns: { at: string; ip: string | null; userAgent: string | null; success: boolean }[];
}

export interface SearchResult {
  crates: { name: string; description: string | null; maxVersion: string | null }[];
  users: { login: string; name: string | null }[];
  alerts: { id: number; title: string; severity: Severity; status: AlertStatus; crate?: string }[];
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string | null;
  action: string;
  targetType: string | null;
  target: string | null;
  reason: string | null;
  details: unknown;
  ip: string | null;
  hash: string;
  prevHash: string | null;
}

export interface AuditVerify {
  ok: boolean;
  checked: number;
  firstBroken: null | { id: number; reason: string };
}

export interface DependentsAnswer {
  count: number;
  crates: number;
  dependents: { crate: string; version: string; yanked: boolean; latest: boolean; depth: number }[];
}

/** A pending owner invitation (GET /api/admin/owner-invitations). The server builds these too. */
export interface OwnerInvitation {
  id: number;
  crate: string;
  crateId: number;
  invitee: string;
  inviter: string | null;
  createdAt: string;
  expiresAt: string;
  /** Past its expiry: it can no longer be accepted, only declined. */
  expired: boolean;
}

export interface OwnerInvitationList {
  total: number;
  invitations: OwnerInvitation[];
}

/** The answer to POST /api/admin/owner-invitations/{id}/accept or …/decline. */
export interface OwnerInvitationAnswer {
  crate: string;
  accepted: boolean;
}

/** How an advisory relates to this registry's crate of its package's name (see docs/advisories.md). */
export type AdvisoryScope = 'applies' | 'name-only';

/** An advisory as a version lists it (crates.io's RustSec data shape, plus the scope). */
export interface VersionAdvisory {
  id: string;
  title: string;
  informational: string | null;
  categories: string[];
  withdrawn: string | null;
  patched: string[];
  scope: AdvisoryScope;
}

/** One row of GET /api/admin/advisories. The server builds these too. */
export interface AdvisorySummary {
  id: string;
  package: string;
  title: string;
  date: string;
  categories: string[];
  informational: string | null;
  withdrawn: string | null;
  source: string | null;
  origin: 'synced' | 'authored';
  database: string;
  /** This registry has a crate of the package's name. */
  present: boolean;
  scope: AdvisoryScope;
}

export interface AdvisoryList {
  total: number;
  advisories: AdvisorySummary[];
}

export interface AdvisoryDependent {
  crate: string;
  version: string;
  depth: number;
  owners: string[];
}

/** GET /api/admin/advisories/{id}. */
export interface AdvisoryDetail {
  advisory: AdvisorySummary & {
    description: string;
    aliases: string[];
    related: string[];
    keywords: string[];
    cvss: string | null;
    references: string[];
    url: string | null;
    patched: string[];
    unaffected: string[];
    affectedFunctions: Record<string, string[]>;
    markdown: string;
    author: string | null;
    createdAt: string;
    updatedAt: string;
  };
  /** This registry's versions of the crate the advisory affects (empty when absent or withdrawn). */
  affectedVersions: { num: string; status: string; yanked: boolean }[];
  blastRadius: {
    inIndex: string[];
    outOfIndex: string[];
    direct: number;
    transitive: number;
    dependents: AdvisoryDependent[];
  } | null;
}

/** POST /api/admin/advisories, PUT …/{id}, POST …/{id}/withdraw. */
export interface AdvisoryWriteAnswer {
  id: string;
  /** Versions quarantined because the advisory is malicious and applies here. */
  quarantined: string[];
  alertId: number | null;
}

// The diff viewer (GET /api/admin/crates/{name}/diff and …/diff/file): two versions of a crate
// compared file by file, with the `to` version's scanner findings on each file and line.

export type DiffChange = 'added' | 'removed' | 'modified' | 'unchanged';
/** `text` files have line counts and hunks; the others are compared by hash only. */
export type DiffContent = 'text' | 'binary' | 'too-large';

export interface DiffFinding {
  ruleId: string;
  severity: Severity;
  title: string;
  file: string | null;
  line: number | null;
  evidence?: string;
  why?: string;
}

export interface DiffFileSide {
  size: number;
  sha256: string;
}

export interface DiffVersion {
  version: string;
  checksum: string;
  size: number;
  status: string;
  yanked: boolean;
  publishedAt: string;
  /** The newest scan of the version, or null when it has not been scanned. */
  scan: { verdict: string; findings: number } | null;
}

export interface DiffFileEntry {
  path: string;
  change: DiffChange;
  old: DiffFileSide | null;
  new: DiffFileSide | null;
  content: DiffContent;
  linesAdded: number | null;
  linesRemoved: number | null;
  /** Findings of the `to` version's scan on this file. */
  findings: DiffFinding[];
}

export interface CrateDiff {
  crate: string;
  from: DiffVersion;
  to: DiffVersion;
  files: DiffFileEntry[];
  totals: Record<DiffChange, number> & { linesAdded: number; linesRemoved: number };
  /** Some line counts come from an approximate diff (the work cap was reached). */
  approximate: boolean;
  /** Findings of the `to` version not tied to a file (manifest, registry checks). */
  crateFindings: DiffFinding[];
  /** Source-analysis facts per file, when the registry stores them (not yet: always null). */
  analysis: null;
}

export interface DiffLine {
  kind: 'context' | 'add' | 'del';
  oldLine: number | null;
  newLine: number | null;
  text: string;
  /** `crlf`, or `none` for a last line without a newline; absent for `\n`. */
  eol?: 'crlf' | 'none';
  clipped?: true;
}

export interface DiffHunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: DiffLine[];
}

export type DiffBody =
  | {
      kind: 'text';
      changed: boolean;
      added: number;
      removed: number;
      hunks: DiffHunk[];
      approximate: boolean;
      truncated: boolean;
    }
  | {
      kind: 'binary' | 'too-large';
      changed: boolean;
      oldSha256: string | null;
      newSha256: string | null;
      reason: string;
    };

export interface FileDiffAnswer {
  crate: string;
  from: string;
  to: string;
  path: string;
  change: DiffChange;
  old: DiffFileSide | null;
  new: DiffFileSide | null;
  diff: DiffBody;
  /** The `to` version's findings on this file; `shown` when their line is in a hunk. */
  findings: (DiffFinding & { shown: boolean })[];
}
