// Table types for Kysely. Booleans are 0/1 integers and times are ISO-8601 UTC strings in both
// dialects, so rows read the same from SQLite and PostgreSQL.
import type { Generated, Insertable, Selectable } from 'kysely';

export type Bool = 0 | 1;

export interface UsersTable {
  id: Generated<number>;
  login: string;
  name: string | null;
  email: string | null;
  is_admin: Bool;
  password_hash: string | null;
  locked_until: string | null;
  lock_reason: string | null;
  created_at: string;
  /** May record signed cargo-vet audits (migration 012). */
  is_auditor: Generated<Bool>;
}

export interface ApiTokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  /** SHA-256 of the token, hex: the token itself is never stored. */
  token_hash: string;
  /** Comma-separated scopes (publish-new, publish-update, yank, change-owners). */
  scopes: string;
  /** JSON array of crate-name patterns, or null for any crate. */
  crate_patterns: string | null;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  /** When the owner was told the token expires soon (migration 013). */
  expiry_warned_at: Generated<string | null>;
}

export interface CratesTable {
  id: Generated<number>;
  name: string;
  canonical_name: string;
  description: string | null;
  homepage: string | null;
  documentation: string | null;
  repository: string | null;
  readme: string | null;
  keywords: string;
  categories: string;
  created_at: string;
  updated_at: string;
  /** Total downloads ever counted (kept when a version is deleted, as crates.io does). */
  downloads: Generated<number>;
  /** Versions that reached the index, kept by triggers on `versions` (migration 005). */
  published_versions: Generated<number>;
  /** Highest non-yanked published version, kept by CrateRepository with every version change. */
  max_version: Generated<string>;
}

export type VersionStatus = 'published' | 'quarantined' | 'rejected';

export interface VersionsTable {
  id: Generated<number>;
  crate_id: number;
  num: string;
  /** The version without build metadata: two versions differing only there collide. */
  num_no_build: string;
  checksum: string;
  size: number;
  yanked: Bool;
  yanked_at: string | null;
  status: VersionStatus;
  features: string;
  features2: string;
  links: string | null;
  rust_version: string | null;
  license: string | null;
  license_file: string | null;
  description: string | null;
  authors: string;
  has_build_script: Bool;
  is_proc_macro: Bool;
  published_at: string;
  published_by: number | null;
  token_id: number | null;
  client_ip: string | null;
  user_agent: string | null;
}

export interface DependenciesTable {
  id: Generated<number>;
  version_id: number;
  /** The real crate name. */
  crate_name: string;
  /** The key used in Cargo.toml when renamed with `package = …`. */
  explicit_name: string | null;
  req: string;
  features: string;
  optional: Bool;
  default_features: Bool;
  target: string | null;
  kind: 'normal' | 'build' | 'dev';
  registry: string | null;
}

export interface CrateOwnersTable {
  crate_id: number;
  user_id: number;
  created_at: string;
  added_by: number | null;
}

/** A pending invitation to become an owner; accepting turns it into a `crate_owners` row. */
export interface CrateOwnerInvitationsTable {
  id: Generated<number>;
  crate_id: number;
  invitee_id: number;
  inviter_id: number | null;
  /** SHA-256 of the acceptance token, hex. */
  token_hash: string;
  created_at: string;
  expires_at: string;
}

export interface VersionDownloadsTable {
  version_id: number;
  date: string;
  downloads: number;
}

export interface ReservedNamesTable {
  canonical_name: string;
  name: string;
  /** `reserved` (held for someone) or `blocked` (refused for good). */
  kind: Generated<string>;
  reason: string | null;
  created_at: string;
}

export interface DeletedCratesTable {
  id: Generated<number>;
  name: string;
  canonical_name: string;
  deleted_at: string;
  available_at: string;
  reason: string | null;
}

export interface DeletedVersionsTable {
  canonical_name: string;
  num: string;
  num_no_build: string;
  deleted_at: string;
}

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

export interface JobsTable {
  id: Generated<number>;
  kind: string;
  payload: string;
  status: JobStatus;
  attempts: number;
  max_attempts: number;
  run_at: string;
  locked_by: string | null;
  locked_at: string | null;
  last_error: string | null;
  created_at: string;
  finished_at: string | null;
}

/** A running worker; its jobs go back to the queue when its heartbeat goes stale. */
export interface WorkersTable {
  id: string;
  host: string;
  pid: number;
  started_at: string;
  heartbeat_at: string;
}

export type AlertSeverity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export type AlertStatus = 'open' | 'acknowledged' | 'escalated' | 'dismissed' | 'resolved';

export interface AlertsTable {
  id: Generated<number>;
  /** typosquat, impersonation, scanner, … */
  kind: string;
  severity: AlertSeverity;
  status: AlertStatus;
  crate_name: string;
  version: string | null;
  version_id: number | null;
  title: string;
  /** JSON evidence, shaped by the kind. */
  details: string;
  score: number;
  /** One alert per finding: repeated checks update it rather than pile up. */
  dedupe_key: string;
  created_at: string;
  updated_at: string;
  /** How the alert was settled (migration 014): a triage resolution or the settling action. */
  resolution: Generated<string | null>;
  resolved_by: Generated<string | null>;
  resolved_at: Generated<string | null>;
  resolution_audit_id: Generated<number | null>;
}

/** An admin action taken on what an alert is about (migration 014). */
export interface AlertActionsTable {
  id: Generated<number>;
  alert_id: number;
  action: string;
  actor: string;
  at: string;
  reason: string | null;
  audit_id: number;
  settled: Bool;
}

export interface ScanResultsTable {
  id: Generated<number>;
  version_id: number;
  verdict: string;
  findings: string;
  capabilities: string;
  stats: string;
  created_at: string;
}

export interface SessionsTable {
  /** SHA-256 of the session cookie's value. */
  id: string;
  user_id: number;
  csrf_token: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
  reauth_until: string | null;
  ip: string | null;
  user_agent: string | null;
}

export interface LoginThrottleTable {
  /** `client:<login hash>:<address>`, `login:<login hash>` or `ip:<address>`. */
  key: string;
  failures: number;
  first_failure_at: string;
  locked_until: string | null;
}

/** A token bucket of a rate-limited action (migration 013). */
export interface RateLimitBucketsTable {
  subject: string;
  action: string;
  tokens: number;
  /** Epoch milliseconds (PostgreSQL returns bigint as a string). */
  last_refill_ms: number | string;
}

/** A user's own burst for an action, until `expires_at` (null: until removed). */
export interface RateLimitOverridesTable {
  user_id: number;
  action: string;
  burst: number;
  expires_at: string | null;
  created_at: string;
  created_by: string;
}

/** Where a user has signed in successfully (see LoginThrottle: known addresses). */
export interface SignInAddressesTable {
  user_id: number;
  ip: string;
  first_at: string;
  last_at: string;
}

export interface AlertNotesTable {
  id: Generated<number>;
  alert_id: number;
  user_id: number | null;
  login: string;
  note: string;
  created_at: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  actor_id: number | null;
  actor: string;
  action: string;
  target_type: string;
  target: string;
  reason: string | null;
  details: string;
  ip: string | null;
  prev_hash: string;
  hash: string;
}

export interface VersionFilesTable {
  version_id: number;
  path: string;
  sha256: string;
  size: number;
}

export type AdvisoryOrigin = 'synced' | 'authored';

export interface AdvisoriesTable {
  /** The advisory's id (`RUSTSEC-2024-0001`, `CK-2026-0001`, …). */
  id: string;
  package: string;
  canonical_package: string;
  collection: string;
  /** The registry the package lives in, as a cargo SourceId; null = crates.io. */
  source: string | null;
  title: string;
  date: string;
  /** JSON array of categories (copied out of `metadata` for filtering). */
  categories: string;
  informational: string | null;
  withdrawn: string | null;
  /** JSON AdvisoryMetadata. */
  metadata: string;
  /** JSON AdvisoryVersions. */
  versions: string;
  /** JSON AdvisoryAffected or null. */
  affected: string | null;
  /** JSON `[{introduced, fixed}]` as version strings (null = open), from the reader. */
  ranges: string;
  /** The advisory as a RustSec-format Markdown file. */
  markdown: string;
  /** SHA-256 of what was synced: an unchanged advisory is not rewritten. */
  content_hash: string;
  origin: AdvisoryOrigin;
  /** The database label it was synced from; `local` for authored ones. */
  database: string;
  file: string | null;
  author_id: number | null;
  author: string | null;
  created_at: string;
  updated_at: string;
}

export interface VetAuditorKeysTable {
  key_id: string;
  user_id: number;
  public_key: string;
  private_key_enc: string;
  /** Valid from; audits recorded from then until `retired_at` verify with this key. */
  created_at: string;
  /** Compromised (migration 017): every audit it signed fails verification. */
  revoked_at: string | null;
  /** No longer signs (rotated out or the role revoked); null while current. */
  retired_at: string | null;
  revoked_reason: string | null;
}

export interface VetCriteriaTable {
  name: string;
  description: string;
  implies: string;
  created_at: string;
}

export type VetAuditKind = 'full' | 'delta' | 'violation';

export interface VetAuditsTable {
  id: Generated<number>;
  crate_name: string;
  canonical_name: string;
  kind: VetAuditKind;
  version: string | null;
  delta_from: string | null;
  delta_to: string | null;
  violation: string | null;
  criteria: string;
  who: string;
  notes: string | null;
  checksums: string;
  signature: string;
  key_id: string;
  importable: Generated<Bool>;
  created_at: string;
  recorded_by: number | null;
}

export interface VetImportsTable {
  name: string;
  source: string;
  audits_toml: string;
  audit_count: number;
  imported_at: string;
}

/** Source analysis of a version's `.crate` (migration 016). */
export interface VersionAnalysesTable {
  version_id: number;
  counts: string | null;
  unsafe_used: number;
  forbids_unsafe: Bool;
  parsed_fraction: number;
  error: string | null;
  invocations: string;
  analyzed_at: string;
  /** Per-file facts (migration 017); null on rows analysed before. */
  files: string | null;
}

/** One function path a version calls in another crate (migration 016). */
export interface VersionCalleesTable {
  version_id: number;
  callee_crate: string;
  path: string;
  calls: number;
}

/** One `pub use` re-export of a version's lib (migration 019). */
export interface VersionReexportsTable {
  version_id: number;
  path: string;
  target_crate: string;
  target_path: string;
  glob: Bool;
}

export interface Database {
  users: UsersTable;
  api_tokens: ApiTokensTable;
  crates: CratesTable;
  versions: VersionsTable;
  dependencies: DependenciesTable;
  crate_owners: CrateOwnersTable;
  crate_owner_invitations: CrateOwnerInvitationsTable;
  version_downloads: VersionDownloadsTable;
  reserved_names: ReservedNamesTable;
  deleted_crates: DeletedCratesTable;
  deleted_versions: DeletedVersionsTable;
  jobs: JobsTable;
  alerts: AlertsTable;
  scan_results: ScanResultsTable;
  sessions: SessionsTable;
  login_throttle: LoginThrottleTable;
  sign_in_addresses: SignInAddressesTable;
  alert_notes: AlertNotesTable;
  alert_actions: AlertActionsTable;
  audit_log: AuditLogTable;
  version_files: VersionFilesTable;
  workers: WorkersTable;
  advisories: AdvisoriesTable;
  vet_auditor_keys: VetAuditorKeysTable;
  vet_criteria: VetCriteriaTable;
  vet_audits: VetAuditsTable;
  vet_imports: VetImportsTable;
  version_analyses: VersionAnalysesTable;
  version_callees: VersionCalleesTable;
  version_reexports: VersionReexportsTable;
  registry_state: RegistryStateTable;
  crate_changes: CrateChangesTable;
  rate_limit_buckets: RateLimitBucketsTable;
  rate_limit_overrides: RateLimitOverridesTable;
}

/** One row (id 1): the count of index changes, and whether they queue static-index publishes. */
export interface RegistryStateTable {
  id: number;
  /** bigint: pg returns it as a string. */
  generation: string | number;
  static_index: number;
}

/** Which crate each index change (by generation) was about; written by triggers (migration 015). */
export interface CrateChangesTable {
  generation: string | number;
  canonical_name: string;
  changed_at: string;
}

export type UserRow = Selectable<UsersTable>;
export type TokenRow = Selectable<ApiTokensTable>;
export type CrateRow = Selectable<CratesTable>;
export type VersionRow = Selectable<VersionsTable>;
export type DependencyRow = Selectable<DependenciesTable>;
export type NewVersion = Insertable<VersionsTable>;
export type JobRow = Selectable<JobsTable>;
export type WorkerRow = Selectable<WorkersTable>;
export type AlertRow = Selectable<AlertsTable>;
export type AlertActionRow = Selectable<AlertActionsTable>;
export type ScanResultRow = Selectable<ScanResultsTable>;
export type SessionRow = Selectable<SessionsTable>;
export type AuditRow = Selectable<AuditLogTable>;
export type OwnerInvitationRow = Selectable<CrateOwnerInvitationsTable>;
export type AdvisoryRow = Selectable<AdvisoriesTable>;
export type VetAuditRow = Selectable<VetAuditsTable>;
export type VetAuditorKeyRow = Selectable<VetAuditorKeysTable>;
export type VetCriteriaRow = Selectable<VetCriteriaTable>;
export type VetImportRow = Selectable<VetImportsTable>;
export type VersionAnalysisRow = Selectable<VersionAnalysesTable>;
