// The answers of the responder routes (responder-routes.ts), declared once: the server builds
// them and the console (src/web) imports this module, so the two cannot drift. Plain types and
// constants only: nothing here may import Node modules, as the console's bundle includes it.
import { TRIAGE_RESOLUTIONS, TRIAGE_SCALE, type TriageResolution } from './api-types.js';

/** Where a version (or the crate, for a crate-wide alert) stands now. */
export type VersionState = 'live' | 'yanked' | 'quarantined' | 'rejected' | 'deleted';

/** The structured reasons of triage: the scale declared once in api-types.ts. */
export type { TriageResolution } from './api-types.js';

/** How each resolution reads: the triage reasons and the actions that settle alerts. */
export const RESOLUTION_TEXT: Record<string, string> = {
  ...Object.fromEntries(TRIAGE_RESOLUTIONS.map((r) => [r, TRIAGE_SCALE[r].text])),
  yank: 'version yanked (confirmed)',
  reject: 'version rejected from quarantine',
  'delete-version': 'version deleted',
  'delete-crate': 'crate deleted',
};

/** An admin action recorded on an alert, with the audit entry that holds it. */
export interface AlertActionTaken {
  action: string;
  actor: string;
  at: string;
  reason: string | null;
  auditId: number;
  /** The action settled (resolved or dismissed) the alert. */
  settled: boolean;
}

export interface AlertResolution {
  resolution: string;
  by: string | null;
  at: string | null;
  auditId: number | null;
}

export interface QueuePublisher {
  login: string;
  locked: boolean;
}

/** One row of the alert queue (GET /api/admin/alerts): the alert and what it is about, now. */
export interface AlertQueueRow {
  id: number;
  kind: string;
  severity: 'info' | 'low' | 'medium' | 'high' | 'critical';
  status: 'open' | 'acknowledged' | 'escalated' | 'dismissed' | 'resolved';
  crate: string;
  version: string | null;
  title: string;
  score: number | null;
  details: unknown;
  created_at: string;
  updated_at: string;
  state: VersionState;
  publisher: QueuePublisher | null;
  /** Crates depending on the version (or crate) directly, and through others. */
  impact: { directDependents: number; transitiveDependents: number } | null;
  resolution: AlertResolution | null;
  lastAction: AlertActionTaken | null;
}

export interface AlertQueuePage {
  total: number;
  alerts: AlertQueueRow[];
}

/** GET /api/admin/alerts/{id}/follow-up: what was done about an alert, and what still applies. */
export interface AlertFollowUpView {
  id: number;
  crate: string;
  version: string | null;
  state: VersionState;
  crateExists: boolean;
  publisher: (QueuePublisher & { isAdmin: boolean }) | null;
  resolution: AlertResolution | null;
  actions: AlertActionTaken[];
}

export interface BulkTriageAnswer {
  ok: true;
  status: string;
  resolution: TriageResolution;
  count: number;
  ids: number[];
}

export interface ReleaseFindingSummary {
  ruleId: string;
  severity: string;
  title: string;
  file: string | null;
  line: number | null;
}

/** GET …/versions/{version}/release-check: what the release dialog shows and demands. */
export interface ReleaseCheck {
  crate: string;
  version: string;
  status: string;
  verdict: string | null;
  findingCount: number;
  topFindings: ReleaseFindingSummary[];
  /** Type exactly this to release (a critical verdict), or null. */
  confirmText: string | null;
}

/** One version held in quarantine (GET /api/admin/quarantine/queue), oldest first. */
export interface HeldVersion {
  crate: string;
  version: string;
  publishedAt: string;
  publisher: string | null;
  verdict: string | null;
  findingCount: number;
  topFinding: string | null;
  openAlerts: number;
}

export interface QuarantineQueue {
  versions: HeldVersion[];
}

export interface NameHold {
  name: string;
  kind: string;
  reason: string | null;
  createdAt: string;
}

/** GET /api/admin/names: reserved and blocked names, and names of deleted crates still held. */
export interface NameHolds {
  names: NameHold[];
  deletedCrates: { name: string; deletedAt: string; availableAt: string; reason: string | null }[];
}

/** A version found by its provenance (GET /api/admin/provenance). */
export interface ProvenanceHit {
  crate: string;
  version: string;
  state: VersionState;
  checksum: string;
  publishedAt: string;
  publisher: string | null;
  tokenId: number | null;
  tokenName: string | null;
  clientIp: string | null;
  userAgent: string | null;
}

export interface ProvenanceAnswer {
  /** What matched: checksum, token, ip or publisher. */
  field: string;
  versions: ProvenanceHit[];
}

/** GET …/versions/{version}/signals: what suggests the account that published it was taken over. */
export interface TakeoverSignals {
  crate: string;
  version: string;
  previousVersion: string | null;
  publisher: string | null;
  previousPublisher: string | null;
  publisherChanged: boolean;
  token: {
    id: number;
    name: string;
    createdAt: string;
    /** How old the token was when the version was published. */
    ageAtPublishDays: number;
    revoked: boolean;
  } | null;
  tokenChanged: boolean;
  /** The token was made less than a day before the publish. */
  youngToken: boolean;
  clientIp: string | null;
  /** The address block (/24, /48) this user never published from before. */
  newIpRange: string | null;
  userAgent: string | null;
  newUserAgent: boolean;
  /** How many of the signals above are raised. */
  raised: number;
}
