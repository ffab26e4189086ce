// Response shapes of the console's audit-authority reads (src/admin/vet-console-routes.ts) and of
// the existing vet routes the console calls, shared by server and console. No imports: the
// console bundles this file by relative path.

/** A signing key and its validity interval (see AuditorKeyJson in api-types.ts). */
export interface AuditorKey {
  keyId: string;
  /** SPKI PEM. */
  publicKey: string;
  /** Signs from then… */
  createdAt: string;
  /** …until then (rotated out, or the role revoked); null while current. */
  retiredAt: string | null;
  /** Compromised: every audit it signed fails verification. */
  revokedAt: string | null;
  revokedReason: string | null;
  state: 'current' | 'retired' | 'revoked';
  auditsSigned: number;
}

/** POST /api/admin/vet/me/key/rotate. */
export interface RotateKeyAnswer {
  ok: true;
  keyId: string;
  publicKey: string;
  retiredKeyId: string | null;
}

export interface AuditorSelf {
  login: string;
  name: string | null;
  isAuditor: boolean;
  /** Current key first; retired and revoked keys stay listed (retired keys' audits stay verifiable). */
  keys: AuditorKey[];
  /** Audits this user recorded. */
  auditsRecorded: number;
}

export interface CriteriaInfo {
  name: string;
  description: string;
  implies: string[];
}

/** GET /api/admin/vet/criteria. */
export interface CriteriaAnswer {
  builtIn: CriteriaInfo[];
  custom: (CriteriaInfo & { createdAt: string })[];
}

/** One audit as the vet routes answer it. */
export interface VetAudit {
  id: number;
  crate: string;
  kind: 'full' | 'delta' | 'violation';
  version: string | null;
  delta: string | null;
  violation: string | null;
  criteria: string[];
  who: string;
  notes: string | null;
  checksums: { version: string; sha256: string }[];
  keyId: string;
  signature: string;
  signatureValid: boolean;
  problems: string[];
  createdAt: string;
}

export interface RecordAuditAnswer {
  ok: true;
  audit: VetAudit;
}

export interface CertifiedBy {
  auditId: number;
  who: string;
  /** `full 1.0.0` or `delta 1.0.0 -> 1.1.0`: the audit that completes the chain here. */
  how: string;
  signatureValid: boolean;
}

export interface CertifiedCriteria {
  criteria: string;
  /** The audits along the chain that certifies it (a full audit, then deltas). */
  by: CertifiedBy[];
  /** Certified only through a criteria that implies it. */
  implied: boolean;
}

export interface VersionAuditStatus {
  version: string;
  checksum: string;
  status: string;
  certified: CertifiedCriteria[];
  /** Violation audits whose requirement covers this version. */
  violations: { auditId: number; who: string; violation: string; criteria: string[] }[];
  /** Audits naming this version whose signature does not verify (they certify nothing). */
  invalid: number[];
}

export interface CrateAuditStatus {
  crate: string;
  versions: VersionAuditStatus[];
}

export interface ImportedAudit {
  crate: string;
  kind: 'full' | 'delta' | 'violation';
  /** `1.0.0`, `1.0.0 -> 1.1.0` or the violation requirement. */
  target: string;
  criteria: string[];
  who: string[];
  notes: string | null;
}

export interface ImportedAuditSet {
  name: string;
  source: string;
  auditCount: number;
  importedAt: string;
  /** At most 500 shown; `auditCount` says how many there are. */
  audits: ImportedAudit[];
}

export interface ImportedAuditSets {
  imports: ImportedAuditSet[];
}
