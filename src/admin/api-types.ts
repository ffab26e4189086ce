// The admin API's requests and answers, declared once: each schema validates or serialises its
// route (src/admin/*-routes.ts), makes the OpenAPI document, and gives the type that the
// handlers return and the console (src/web, through src/web/src/api-types.ts) reads.
// docs/admin-api.md explains them in prose.
//
// Response objects are closed unless built with S.openObject: Fastify's serialiser drops any
// property a response schema does not declare, so a field the console needs must be here.
// Imported by the console: no Node-only code, no imports from the server.
import { S, type Schema, type Static } from './api-schema.js';
import type {
  AlertActionTaken as AlertActionTakenT,
  AlertQueuePage as AlertQueuePageT,
  AlertQueueRow as AlertQueueRowT,
  AlertResolution as AlertResolutionT,
} from './responder-types.js';
import type { TopUnsafeAnswer as TopUnsafeAnswerT, UnsafeRank as UnsafeRankT } from './analysis-types.js';

export type { Static } from './api-schema.js';

// ---- vocabularies ---------------------------------------------------------------------------

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export const STATUSES = ['open', 'acknowledged', 'escalated', 'dismissed', 'resolved'] as const;
export const KINDS = ['scanner', 'typosquat', 'impersonation'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type AlertStatus = (typeof STATUSES)[number];
export type AlertKind = (typeof KINDS)[number];

/**
 * The structured reasons a responder settles an alert with: one scale for a single alert's
 * triage and for bulk triage, read by the server (which checks and records it), the CLI and the
 * console (which offers it). Each reason leaves the alert in one status: a confirmed threat is
 * resolved, the rest are dismissed.
 */
export const TRIAGE_RESOLUTIONS = [
  'false-positive',
  'confirmed-malicious',
  'accepted-risk',
  'duplicate',
] as const;
export type TriageResolution = (typeof TRIAGE_RESOLUTIONS)[number];
export const TRIAGE_SCALE: Record<
  TriageResolution,
  { label: string; text: string; settles: 'resolved' | 'dismissed'; means: string }
> = {
  'false-positive': {
    label: 'False positive',
    text: 'false positive',
    settles: 'dismissed',
    means: 'the check was wrong: nothing harmful is there',
  },
  'confirmed-malicious': {
    label: 'Confirmed malicious',
    text: 'confirmed malicious',
    settles: 'resolved',
    means: 'the threat is real and has been dealt with',
  },
  'accepted-risk': {
    label: 'Accepted risk',
    text: 'accepted risk',
    settles: 'dismissed',
    means: 'what was found is real but acceptable here',
  },
  duplicate: {
    label: 'Duplicate',
    text: 'duplicate',
    settles: 'dismissed',
    means: 'another alert covers the same thing',
  },
};

export function isTriageResolution(v: unknown): v is TriageResolution {
  return typeof v === 'string' && (TRIAGE_RESOLUTIONS as readonly string[]).includes(v);
}

/** The single-alert triage actions and the status each leaves the alert in. */
export const TRIAGE_ACTIONS = {
  acknowledge: 'acknowledged',
  escalate: 'escalated',
  dismiss: 'dismissed',
  resolve: 'resolved',
  reopen: 'open',
} as const satisfies Record<string, AlertStatus>;
export type TriageAction = keyof typeof TRIAGE_ACTIONS;

const str = S.string();
const nstr = S.nullable(S.string());
const int = S.integer();
const bool = S.boolean();
const strings = S.array(S.string());
const opt = S.optional;

/** A query parameter: query strings are text; the route reads numbers and flags from it. */
const q = (description: string, pattern?: string) =>
  S.optional(S.string({ description, maxLength: 300, ...(pattern ? { pattern } : {}) }));
const INT = '^[0-9]{1,15}$';
const FLAG = '^(true|false|1|0)$';
const page = { offset: q('rows to skip', INT), per_page: q('rows per page (at most 500)', INT) };

/** Path parameters, by name. */
export const Params = {
  id: S.object({ id: S.string({ maxLength: 200 }) }),
  name: S.object({ name: S.string({ maxLength: 200 }) }),
  login: S.object({ login: S.string({ maxLength: 200 }) }),
  nameVersion: S.object({ name: S.string({ maxLength: 200 }), version: S.string({ maxLength: 200 }) }),
  nameLogin: S.object({ name: S.string({ maxLength: 200 }), login: S.string({ maxLength: 200 }) }),
  loginId: S.object({ login: S.string({ maxLength: 200 }), id: S.string({ maxLength: 40 }) }),
};

// ---- errors and plain acknowledgements -------------------------------------------------------

/** Every error: cargo's shape, plus `reauth: true` when a password confirmation is needed. */
export const ErrorBody = S.openObject({
  errors: S.array(S.object({ detail: str })),
  reauth: opt(
    S.boolean({ description: 'confirm the password (POST /api/admin/session/reauth), then retry' }),
  ),
});
export type ErrorBody = Static<typeof ErrorBody>;

export const Ok = S.object({ ok: S.literal(true) });
export type Ok = Static<typeof Ok>;

/** Every action's body: why it is done (kept in the audit log). */
const reason = S.string({ description: 'why (at least 3 characters; kept in the audit log)' });
export const ReasonBody = S.object({ reason });
export type ReasonBody = Static<typeof ReasonBody>;

// ---- session --------------------------------------------------------------------------------

export const SessionUser = S.object({
  id: int,
  login: str,
  name: nstr,
  isAdmin: bool,
  isAuditor: bool,
});
export const SignInBody = S.object({ login: str, password: opt(str) });
export const SessionInfo = S.object({
  user: SessionUser,
  /** Null for a token holder, who has no session. */
  csrfToken: nstr,
  /** Sudo mode: destructive actions pass until then (null: not re-authenticated, or a token). */
  reauthUntil: nstr,
  /** How long a re-authentication opens sudo mode for. */
  sudoSeconds: S.number(),
});
export type SessionInfo = Static<typeof SessionInfo>;
export type SessionUser = Static<typeof SessionUser>;
export const ReauthBody = S.object({ password: opt(str) });
export const ReauthAnswer = S.object({ ok: S.literal(true), reauthUntil: str });

// ---- alerts ---------------------------------------------------------------------------------

const alertProps = {
  id: int,
  kind: S.string({ description: KINDS.join(', ') + ', or a kind added later' }),
  severity: S.enum(SEVERITIES),
  status: S.enum(STATUSES),
  crate: str,
  version: nstr,
  title: str,
  score: S.nullable(S.number()),
  details: S.unknown({ description: "the check's own JSON" }),
  created_at: str,
  updated_at: str,
};
export const Alert = S.object(alertProps);
export type Alert = Static<typeof Alert>;

export const AlertQuery = S.object({
  kind: q('alert kind'),
  severity: q('exactly this severity'),
  min_severity: q('this severity or worse'),
  status: q('alert status'),
  crate: q('crate name'),
  ...page,
});
// GET /alerts: each alert with its subject as it stands now and what was done about it. The
// types are responder-types.ts's (the console's pages use them); the annotation makes the
// compiler check that this schema describes exactly them.
const STATES = ['live', 'yanked', 'quarantined', 'rejected', 'deleted'] as const;
export const AlertActionTaken: Schema<AlertActionTakenT> = S.object({
  action: str,
  actor: str,
  at: str,
  reason: nstr,
  auditId: int,
  settled: bool,
});
export const AlertResolution: Schema<AlertResolutionT | null> = S.nullable(
  S.object({ resolution: str, by: nstr, at: nstr, auditId: S.nullable(int) }),
);
export const AlertQueueRow: Schema<AlertQueueRowT> = S.object({
  ...alertProps,
  state: S.enum(STATES),
  publisher: S.nullable(S.object({ login: str, locked: bool })),
  impact: S.nullable(S.object({ directDependents: int, transitiveDependents: int })),
  resolution: AlertResolution,
  lastAction: S.nullable(AlertActionTaken),
});
export const AlertQueuePage: Schema<AlertQueuePageT> = S.object({
  total: int,
  alerts: S.array(AlertQueueRow),
});

export const CodeLine = S.object({ n: int, text: str });
/** A scanner finding as the alert's details hold it, with the code around its line. */
export const Finding = S.openObject({
  ruleId: str,
  severity: S.enum(SEVERITIES),
  title: str,
  file: nstr,
  line: S.nullable(int),
  evidence: opt(str),
  why: opt(str),
  code: opt(S.nullable(S.array(CodeLine))),
});
export type Finding = Static<typeof Finding>;

export const VersionDiffSummary = S.object({
  previousVersion: nstr,
  addedDependencies: strings,
  removedDependencies: strings,
  buildScriptAdded: bool,
  binariesAdded: strings,
  filesAdded: int,
  filesRemoved: int,
  publisherChanged: S.nullable(S.object({ from: nstr, to: nstr })),
});

export const Evidence = S.object({
  kind: str,
  findings: opt(S.array(Finding)),
  squat: opt(
    S.object({
      /** The popular crate imitated. */
      target: str,
      targetOwners: strings,
      check: str,
      message: str,
      similarity: S.nullable(S.number()),
      /** The crates an impersonation check compared (its own JSON). */
      crates: opt(S.unknown()),
    }),
  ),
  diff: opt(S.nullable(VersionDiffSummary)),
});
export type Evidence = Static<typeof Evidence>;

/** A version's downloads: in all, and in the last 7 and 30 days (today included). */
export const VersionDownloads = S.object({ total: int, last7Days: int, last30Days: int });
export type VersionDownloads = Static<typeof VersionDownloads>;
/**
 * The crates, and their published versions, whose requirement on the crate accepts the version:
 * yanked or not, their lockfiles may pin it (the graph's resolved dependents skip yanked ones).
 */
export const RequirementDependents = S.object({ crates: int, versions: int });
export type RequirementDependents = Static<typeof RequirementDependents>;

export const Impact = S.object({
  crate: str,
  version: nstr,
  /** As a fresh resolution picks versions (a yanked version has none). */
  directDependents: int,
  transitiveDependents: int,
  versions: int,
  /** Of the version, or of every version of the crate. */
  downloads: VersionDownloads,
  requirementDependents: RequirementDependents,
});
export type Impact = Static<typeof Impact>;
export const ImpactQuery = S.object({ crate: q('crate name'), version: q('one version') });

export const AlertDetail = S.object({
  alert: Alert,
  notes: S.array(S.object({ at: str, user: str, note: str })),
  evidence: Evidence,
  impact: S.nullable(Impact),
});
export type AlertDetail = Static<typeof AlertDetail>;

export const TriageBody = S.object({
  action: opt(
    S.string({
      description:
        'acknowledge, escalate, dismiss, resolve or reopen; may be left out when `resolution` says it',
    }),
  ),
  resolution: opt(
    S.enum(TRIAGE_RESOLUTIONS, {
      description:
        'required to dismiss or resolve: confirmed-malicious resolves, the others dismiss (as in bulk triage)',
    }),
  ),
  reason,
  note: opt(S.nullable(S.string({ description: 'a note kept with the change' }))),
});
export type TriageBody = Static<typeof TriageBody>;
export const TriageAnswer = S.object({
  ok: S.literal(true),
  status: S.enum(STATUSES),
  resolution: S.nullable(S.enum(TRIAGE_RESOLUTIONS)),
});
export type TriageAnswer = Static<typeof TriageAnswer>;
export const NoteBody = S.object({ note: str });

// ---- overview, publishes, jobs --------------------------------------------------------------

export const Publish = S.object({
  crate: str,
  version: str,
  publishedAt: str,
  publisher: nstr,
  status: str,
  yanked: bool,
  verdict: nstr,
  clientIp: nstr,
  userAgent: nstr,
});
export type Publish = Static<typeof Publish>;

export const JobCounts = S.record(int, { description: 'background jobs by status' });
export const Overview = S.object({
  alerts: S.object({ open: int, bySeverity: S.record(int), byKind: S.record(int) }),
  recentPublishes: S.array(Publish),
  perDay: S.object({
    days: strings,
    publishes: S.array(int),
    alerts: S.array(int),
    downloads: S.array(int),
  }),
  jobs: JobCounts,
});
export type Overview = Static<typeof Overview>;
export const JobsAnswer = S.object({ counts: JobCounts });

// ---- advisories -----------------------------------------------------------------------------

/** How an advisory relates to this registry's crate of its package's name (docs/advisories.md). */
export const AdvisoryScope = S.enum(['applies', 'name-only']);
export type AdvisoryScope = Static<typeof AdvisoryScope>;

/** An advisory as a version lists it (crates.io's RustSec data shape, plus the scope). */
export const VersionAdvisory = S.object({
  id: str,
  title: str,
  informational: nstr,
  categories: strings,
  withdrawn: nstr,
  patched: strings,
  scope: AdvisoryScope,
});
export type VersionAdvisory = Static<typeof VersionAdvisory>;

const summaryProps = {
  id: str,
  package: str,
  title: str,
  date: str,
  categories: strings,
  informational: nstr,
  withdrawn: nstr,
  source: nstr,
  origin: S.enum(['synced', 'authored']),
  database: str,
  /** This registry has a crate of the package's name. */
  present: bool,
  scope: AdvisoryScope,
};
export const AdvisorySummary = S.object(summaryProps);
export type AdvisorySummary = Static<typeof AdvisorySummary>;

export const AdvisoryQuery = S.object({
  q: q('text in the id, title or package'),
  category: q('RustSec category'),
  origin: q('synced or authored'),
  crate: q('package name'),
  present: q('only crates this registry has', FLAG),
  withdrawn: q('include withdrawn ones', FLAG),
  ...page,
});
export const AdvisoryList = S.object({ total: int, advisories: S.array(AdvisorySummary) });
export type AdvisoryList = Static<typeof AdvisoryList>;

export const AdvisoryDependent = S.object({ crate: str, version: str, depth: int, owners: strings });
export type AdvisoryDependent = Static<typeof AdvisoryDependent>;

export const AdvisoryDetail = S.object({
  advisory: S.object({
    ...summaryProps,
    description: str,
    aliases: strings,
    related: strings,
    keywords: strings,
    cvss: nstr,
    references: strings,
    url: nstr,
    patched: strings,
    unaffected: strings,
    affectedFunctions: S.record(strings),
    markdown: str,
    author: nstr,
    createdAt: str,
    updatedAt: str,
  }),
  /** This registry's versions of the crate the advisory affects (empty when absent or withdrawn). */
  affectedVersions: S.array(S.object({ num: str, status: str, yanked: bool })),
  blastRadius: S.nullable(
    S.object({
      inIndex: strings,
      outOfIndex: strings,
      direct: int,
      transitive: int,
      dependents: S.array(AdvisoryDependent),
    }),
  ),
});
export type AdvisoryDetail = Static<typeof AdvisoryDetail>;

export const AdvisoryBody = S.object({
  markdown: S.string({ description: 'the advisory in RustSec Markdown (at most 64 KiB)' }),
  reason,
});
/** POST /api/admin/advisories, PUT …/{id}, POST …/{id}/withdraw. */
export const AdvisoryWriteAnswer = S.object({
  id: str,
  /** Versions quarantined because the advisory is malicious and applies here. */
  quarantined: strings,
  alertId: S.nullable(int),
});
export type AdvisoryWriteAnswer = Static<typeof AdvisoryWriteAnswer>;

// ---- crates ---------------------------------------------------------------------------------

export const Version = S.object({
  num: str,
  yanked: bool,
  status: str,
  checksum: str,
  size: int,
  publishedAt: str,
  publisher: nstr,
  tokenName: nstr,
  clientIp: nstr,
  userAgent: nstr,
  hasBuildScript: bool,
  scan: S.nullable(S.object({ verdict: str, findings: int })),
  downloads: VersionDownloads,
  /** Dependents whose requirement accepts this version, yanked or not. */
  dependents: RequirementDependents,
  /** Advisories affecting this version (withdrawn ones included, flagged). */
  advisories: S.array(VersionAdvisory),
});
export type Version = Static<typeof Version>;

export const CrateInfo = S.object({
  name: str,
  description: nstr,
  homepage: nstr,
  repository: nstr,
  documentation: nstr,
  keywords: strings,
  categories: strings,
  createdAt: str,
  updatedAt: str,
  downloads: int,
  /** Null when no version is live (all held, rejected or deleted). */
  maxVersion: nstr,
});
export type CrateInfo = Static<typeof CrateInfo>;

export const Owner = S.object({ login: str, name: nstr });
export type Owner = Static<typeof Owner>;

export const CrateDetail = S.object({
  crate: CrateInfo,
  owners: S.array(Owner),
  versions: S.array(Version),
  /** Every advisory naming the crate. */
  advisories: S.array(AdvisorySummary),
  alerts: S.array(Alert),
  downloadsPerDay: S.array(S.object({ date: str, downloads: int })),
  dependents: S.object({ direct: strings, directCount: int, transitiveCount: int }),
});
export type CrateDetail = Static<typeof CrateDetail>;

export const DeleteCrateBody = S.object({
  reason,
  blockDays: opt(S.integer({ minimum: 0, maximum: 36500, description: 'days the name stays blocked' })),
});
export const DeleteCrateAnswer = S.object({ ok: S.literal(true), blockedDays: int });
/** Yank's body: `confirmed` marks the yank as the answer to a confirmed threat (it settles the alerts). */
export const YankBody = S.object({
  reason,
  confirmed: opt(S.boolean({ description: "a confirmed threat: resolves the version's open alerts" })),
});
/** Release's body: a critical verdict needs `confirm`, typed exactly as `crate@version`. */
export const DecideBody = S.object({
  reason,
  confirm: opt(S.string({ maxLength: 200, description: 'for a critical verdict: `crate@version`' })),
});
/** The alerts an action was recorded on (`followed`), and how many of them it settled. */
export const AlertCounts = S.object({ followed: int, settled: int });
export type AlertCounts = Static<typeof AlertCounts>;
export const YankAnswer = S.object({
  ok: S.literal(true),
  crate: str,
  version: str,
  yanked: bool,
  alerts: AlertCounts,
});
export const DecideAnswer = S.object({
  ok: S.literal(true),
  crate: str,
  version: str,
  status: str,
  alerts: AlertCounts,
});
export const RemoveOwnerAnswer = S.object({
  ok: S.literal(true),
  removed: bool,
  invitationCancelled: bool,
});

export const QuarantineList = S.object({
  versions: S.array(S.object({ crate: str, version: str, published_at: str })),
});
export type QuarantineList = Static<typeof QuarantineList>;

// ---- users and tokens -----------------------------------------------------------------------

const userProps = {
  id: int,
  login: str,
  name: nstr,
  email: nstr,
  isAdmin: bool,
  lockedUntil: nstr,
  lockReason: nstr,
  createdAt: str,
};
export const User = S.object(userProps);
export type User = Static<typeof User>;
/** A row of GET /users: the user, whether locked now, and their last successful sign-in. */
export const UserListRow = S.object({ ...userProps, locked: bool, lastSignInAt: nstr });
export type UserListRow = Static<typeof UserListRow>;
export const UserList = S.object({ users: S.array(UserListRow) });
export type UserList = Static<typeof UserList>;

const tokenProps = {
  id: int,
  name: str,
  scopes: strings,
  /** Crate-name patterns the token is limited to; null for every crate. */
  crates: S.nullable(strings),
  createdAt: str,
  lastUsedAt: nstr,
  expiresAt: nstr,
  revokedAt: nstr,
};
export const Token = S.object(tokenProps);
export type Token = Static<typeof Token>;
export const TokenQuery = S.object({ user: q('login of the owner') });
export const TokenListRow = S.object({ ...tokenProps, user: str });
export type TokenListRow = Static<typeof TokenListRow>;
export const TokenList = S.object({ tokens: S.array(TokenListRow) });

export const UserDetail = S.object({
  user: User,
  crates: S.array(S.object({ name: str, maxVersion: nstr })),
  tokens: S.array(Token),
  publishes: S.array(Publish),
  signIns: S.array(S.object({ at: str, ip: nstr, userAgent: nstr, success: bool })),
});
export type UserDetail = Static<typeof UserDetail>;

export const LockBody = S.object({
  reason,
  until: opt(S.nullable(S.string({ description: 'a future date (ISO 8601); left out: until unlocked' }))),
});
export const LockAnswer = S.object({ ok: S.literal(true), until: nstr, alerts: AlertCounts });
export const UnlockAnswer = S.object({ ok: S.literal(true), throttleEntries: int });
export const RevokeAllAnswer = S.object({ ok: S.literal(true), revoked: int });

export const NewTokenBody = S.object({
  name: S.string({ minLength: 1, maxLength: 64, description: 'a name to recognise the token by' }),
  scopes: S.array(S.string({ maxLength: 32 }), {
    minItems: 1,
    maxItems: 8,
    description: 'publish-new, publish-update, yank, change-owners, admin',
  }),
  crates: opt(S.nullable(S.array(S.string({ maxLength: 64 }), { maxItems: 50 }))),
  expiresInDays: opt(
    S.nullable(S.integer({ minimum: 1, maximum: 3650, description: 'left out: the default; null: never' })),
  ),
  reason: opt(S.string({ maxLength: 2000, description: 'why (kept in the audit log)' })),
});
export type NewTokenBody = Static<typeof NewTokenBody>;
/** The secret is in this answer only. */
export const NewTokenAnswer = S.object({ token: str, created: Token });
export type NewTokenAnswer = Static<typeof NewTokenAnswer>;

export const NameBody = S.object({
  name: str,
  action: S.string({ description: 'reserve or block' }),
  reason,
});
export const UnblockAnswer = S.object({ ok: S.literal(true), kind: str });

// ---- search and the audit log ---------------------------------------------------------------

export const SearchQuery = S.object({ q: q('text to look for') });
export const SearchResult = S.object({
  crates: S.array(S.object({ name: str, description: nstr, maxVersion: nstr })),
  users: S.array(S.object({ login: str, name: nstr })),
  alerts: S.array(
    S.object({ id: int, title: str, severity: S.enum(SEVERITIES), status: S.enum(STATUSES), crate: str }),
  ),
});
export type SearchResult = Static<typeof SearchResult>;

export const AuditEntry = S.object({
  id: int,
  at: str,
  actor: nstr,
  action: str,
  targetType: nstr,
  target: nstr,
  reason: nstr,
  details: S.unknown(),
  ip: nstr,
  hash: str,
  prevHash: nstr,
});
export type AuditEntry = Static<typeof AuditEntry>;
export const AuditQuery = S.object({
  action: q('action name'),
  actor: q('login of the actor'),
  target: q('target name'),
  ...page,
});
export const AuditPage = S.object({ total: int, entries: S.array(AuditEntry) });
export const AuditVerify = S.object({
  ok: bool,
  checked: int,
  firstBroken: S.nullable(S.object({ id: int, reason: str })),
});
export type AuditVerify = Static<typeof AuditVerify>;

// ---- owner invitations ----------------------------------------------------------------------

/** A pending owner invitation (GET /api/admin/owner-invitations). */
export const OwnerInvitation = S.object({
  id: int,
  crate: str,
  crateId: int,
  invitee: str,
  inviter: nstr,
  createdAt: str,
  expiresAt: str,
  /** Past its expiry: it can no longer be accepted, only declined. */
  expired: bool,
});
export type OwnerInvitation = Static<typeof OwnerInvitation>;
export const InvitationQuery = S.object({
  crate: q('crate name'),
  invitee: q('login of the invitee'),
  include_expired: q('list lapsed invitations too (the default)', FLAG),
  ...page,
});
export const OwnerInvitationList = S.object({ total: int, invitations: S.array(OwnerInvitation) });
export type OwnerInvitationList = Static<typeof OwnerInvitationList>;
/** The answer to POST /api/admin/owner-invitations/{id}/accept or …/decline. */
export const OwnerInvitationAnswer = S.object({ crate: str, accepted: bool });
export type OwnerInvitationAnswer = Static<typeof OwnerInvitationAnswer>;

// ---- the ecosystem graph --------------------------------------------------------------------

// The graph answers are those of `cratekeeper graph --json` (src/graph/query-api.ts, docs/graph.md):
// the fields the console reads are declared, the rest pass through as they are.
const graphFilters = {
  kinds: q('dependency kinds, comma-separated (normal, build, dev; default normal,build)'),
  optional: q('follow optional dependencies too', FLAG),
};
export const GraphDependentsQuery = S.object({
  spec: q('crate, crate@version or crate@requirement'),
  transitive: q('transitive dependents', FLAG),
  all_versions: q('every version of each dependent, not only its latest', FLAG),
  ...graphFilters,
});
export const GraphTreeQuery = S.object({
  spec: q('crate@version'),
  depth: q('levels (at most 20)', INT),
  ...graphFilters,
});
export const GraphWhyQuery = S.object({ from: q('the dependent'), to: q('the dependency'), ...graphFilters });
export const GraphTopQuery = S.object({ n: q('how many (at most 1000)', INT), ...graphFilters });
export const GraphSpecQuery = S.object({
  spec: q('crate, crate@version or crate@requirement'),
  ...graphFilters,
});

export const DependentsAnswer = S.openObject({
  count: int,
  crates: int,
  dependents: S.array(S.openObject({ crate: str, version: str, yanked: bool, latest: bool, depth: int })),
});
export type DependentsAnswer = Static<typeof DependentsAnswer>;
export const GraphAnswer = S.openObject({}, { description: 'see docs/graph.md' });
export const GraphTop = S.object({ crates: S.array(S.openObject({ rank: int, crate: str })) });

// ---- the diff viewer ------------------------------------------------------------------------

// Two versions of a crate compared file by file, with the `to` version's scanner findings on
// each file and line (GET /api/admin/crates/{name}/diff and …/diff/file).
export const DIFF_CHANGES = ['added', 'removed', 'modified', 'unchanged'] as const;
export type DiffChange = (typeof DIFF_CHANGES)[number];
/** `text` files have line counts and hunks; the others are compared by hash only. */
export type DiffContent = 'text' | 'binary' | 'too-large';

export const DiffQuery = S.object({ from: q('one version'), to: q('the other version') });
export const DiffFileQuery = S.object({
  from: q('one version'),
  to: q('the other version'),
  path: S.optional(S.string({ description: 'the file', maxLength: 2048 })),
  context: q('context lines around each change (0–100, default 3)'),
});

const findingProps = {
  ruleId: str,
  severity: S.enum(SEVERITIES),
  title: str,
  file: nstr,
  line: S.nullable(int),
  evidence: opt(str),
  why: opt(str),
};
export const DiffFinding = S.object(findingProps);
export type DiffFinding = Static<typeof DiffFinding>;

export const DiffFileSide = S.object({ size: int, sha256: str });
export type DiffFileSide = Static<typeof DiffFileSide>;
const side = S.nullable(DiffFileSide);

export const DiffVersion = S.object({
  version: str,
  checksum: str,
  size: int,
  status: str,
  yanked: bool,
  publishedAt: str,
  /** The newest scan of the version, or null when it has not been scanned. */
  scan: S.nullable(S.object({ verdict: str, findings: int })),
});
export type DiffVersion = Static<typeof DiffVersion>;

const change = S.enum(DIFF_CHANGES);
export const DiffFileEntry = S.object({
  path: str,
  change,
  old: side,
  new: side,
  content: S.enum(['text', 'binary', 'too-large']),
  linesAdded: S.nullable(int),
  linesRemoved: S.nullable(int),
  /** Findings of the `to` version's scan on this file. */
  findings: S.array(DiffFinding),
});
export type DiffFileEntry = Static<typeof DiffFileEntry>;

const pathCalls = S.object({ path: str, calls: int });
const counterChange = S.object({
  counter: S.enum(['functions', 'exprs', 'itemImpls', 'itemTraits', 'methods'] as const),
  before: int,
  after: int,
});
export const DiffAnalysisSide = S.object({
  version: str,
  /** `pending`: not analysed (yet); `failed`: the analysis could not run. */
  status: S.enum(['analyzed', 'failed', 'pending'] as const),
  /** Unsafe items in the files the build uses. */
  unsafeUsed: S.nullable(int),
  forbidsUnsafe: S.nullable(bool),
  /** The analysis kept facts per file (rows analysed before they were kept have none). */
  perFile: bool,
});
/** One file's analysis facts that differ between the two versions. */
export const DiffFileFacts = S.object({
  path: str,
  /** Unsafe items in the file (all kinds); null where that version has no such file analysed. */
  unsafeBefore: S.nullable(int),
  unsafeAfter: S.nullable(int),
  /** The kinds of unsafe item whose count changed. */
  unsafe: S.array(counterChange),
  /** Calls into other crates that the `to` version's file makes and the `from` version's does not. */
  callsAdded: S.array(pathCalls),
  callsRemoved: S.array(pathCalls),
});
export type DiffFileFacts = Static<typeof DiffFileFacts>;
export const DiffAnalysis = S.object({
  from: DiffAnalysisSide,
  to: DiffAnalysisSide,
  /** Both versions analysed: what changed in the used files' unsafe counts, kind by kind. */
  unsafe: S.nullable(S.array(counterChange)),
  /** Function paths in other crates the `to` version calls and the `from` version does not. */
  callsAdded: S.nullable(S.array(S.object({ crate: str, path: str, calls: int }))),
  callsRemoved: S.nullable(S.array(S.object({ crate: str, path: str, calls: int }))),
  /** Files whose facts changed (empty unless both versions have per-file facts). */
  files: S.array(DiffFileFacts),
});
export type DiffAnalysis = Static<typeof DiffAnalysis>;

export const CrateDiff = S.object({
  crate: str,
  from: DiffVersion,
  to: DiffVersion,
  files: S.array(DiffFileEntry),
  totals: S.object({
    added: int,
    removed: int,
    modified: int,
    unchanged: int,
    linesAdded: int,
    linesRemoved: int,
  }),
  /** Some line counts come from an approximate diff (the work cap was reached). */
  approximate: bool,
  /** Findings of the `to` version not tied to a file (manifest, registry checks). */
  crateFindings: S.array(DiffFinding),
  /** What the source analysis says changed; null when neither version has been analysed. */
  analysis: S.nullable(DiffAnalysis),
});
export type CrateDiff = Static<typeof CrateDiff>;

export const DiffLine = S.object({
  kind: S.enum(['context', 'add', 'del']),
  oldLine: S.nullable(int),
  newLine: S.nullable(int),
  text: str,
  /** `crlf`, or `none` for a last line without a newline; absent for `\n`. */
  eol: opt(S.enum(['crlf', 'none'])),
  clipped: opt(S.literal(true)),
});
export type DiffLine = Static<typeof DiffLine>;

export const DiffHunk = S.object({
  oldStart: int,
  oldLines: int,
  newStart: int,
  newLines: int,
  lines: S.array(DiffLine),
});
export type DiffHunk = Static<typeof DiffHunk>;

export const DiffBody = S.union([
  S.object({
    kind: S.literal('text'),
    changed: bool,
    added: int,
    removed: int,
    hunks: S.array(DiffHunk),
    approximate: bool,
    truncated: bool,
  }),
  S.object({
    kind: S.enum(['binary', 'too-large']),
    changed: bool,
    oldSha256: nstr,
    newSha256: nstr,
    reason: str,
  }),
]);
export type DiffBody = Static<typeof DiffBody>;

export const FileDiffAnswer = S.object({
  crate: str,
  from: str,
  to: str,
  path: str,
  change,
  old: side,
  new: side,
  diff: DiffBody,
  /** The `to` version's findings on this file; `shown` when their line is in a hunk. */
  findings: S.array(S.object({ ...findingProps, shown: bool })),
});
export type FileDiffAnswer = Static<typeof FileDiffAnswer>;

// ---- the audit authority (cargo-vet) --------------------------------------------------------

/**
 * An auditor's signing key with its validity interval: it signs from `createdAt` until
 * `retiredAt` (rotated out or the role revoked); `revokedAt` marks it compromised, and then every
 * audit it signed fails verification.
 */
export const AuditorKeyJson = S.object({
  keyId: str,
  publicKey: str,
  createdAt: str,
  retiredAt: nstr,
  revokedAt: nstr,
  revokedReason: nstr,
  state: S.enum(['current', 'retired', 'revoked'] as const),
  auditsSigned: int,
});
export type AuditorKeyJson = Static<typeof AuditorKeyJson>;
export const AuditorList = S.object({
  auditors: S.array(
    S.object({
      login: str,
      name: nstr,
      isAuditor: S.boolean(),
      keys: S.array(AuditorKeyJson),
    }),
  ),
});
export type AuditorList = Static<typeof AuditorList>;
export const KeyIdParams = S.object({ keyId: S.string({ pattern: '^[0-9a-f]{32}$' }) });
export const RotateKeyAnswer = S.object({
  ok: S.literal(true),
  keyId: str,
  publicKey: str,
  /** The key retired by the rotation (null when there was none). */
  retiredKeyId: nstr,
});
export type RotateKeyAnswer = Static<typeof RotateKeyAnswer>;
export const RevokeKeyAnswer = S.object({
  ok: S.literal(true),
  keyId: str,
  /** Audits signed with it, which now fail verification. */
  auditsAffected: int,
  /** The new key made for an auditor whose current key was revoked. */
  replacementKeyId: nstr,
});
export type RevokeKeyAnswer = Static<typeof RevokeKeyAnswer>;
export const GrantAnswer = S.object({ ok: S.literal(true), login: str, keyId: str });
export const RevokeAuditorAnswer = S.object({ ok: S.literal(true), retiredKeys: int });
export const CriteriaList = S.object({
  builtIn: S.array(S.openObject({ name: str, description: str })),
  custom: S.array(S.object({ name: str, description: str, implies: strings, createdAt: str })),
});
export const CriteriaBody = S.object({
  name: str,
  description: S.string({ description: 'what the criteria certifies' }),
  implies: opt(S.unknown({ description: 'criteria names this one implies (a name or a list)' })),
  reason,
});
export const CriteriaAnswer = S.object({ ok: S.literal(true), name: str });

export const VetAudit = S.object({
  id: int,
  crate: str,
  kind: str,
  version: nstr,
  delta: nstr,
  violation: nstr,
  criteria: strings,
  who: str,
  notes: nstr,
  checksums: S.array(S.object({ version: str, sha256: str })),
  keyId: str,
  signature: str,
  signatureValid: bool,
  problems: strings,
  createdAt: str,
});
export type VetAudit = Static<typeof VetAudit>;
export const VetAuditList = S.object({ audits: S.array(VetAudit) });
export const VetAuditBody = S.object({
  version: opt(S.nullable(S.string({ description: 'a full audit of this version' }))),
  delta: opt(S.nullable(S.string({ description: 'a delta audit, "A -> B"' }))),
  violation: opt(S.nullable(S.string({ description: 'a version requirement that violates the criteria' }))),
  criteria: S.unknown({ description: 'a criteria name or a list of them' }),
  notes: opt(S.nullable(S.string({ description: 'free text (at most 10,000 characters)' }))),
  reason,
});
export const VetAuditAnswer = S.object({ ok: S.literal(true), audit: VetAudit });

// ---- source analysis ------------------------------------------------------------------------

// GET /analysis/top-unsafe: the types are analysis-types.ts's; the annotation makes the compiler
// check that this schema describes exactly them.
export const UnsafeRank: Schema<UnsafeRankT> = S.object({
  crate: str,
  version: str,
  unsafeUsed: int,
  forbidsUnsafe: bool,
  transitiveUnsafe: int,
  analyzedDependencies: int,
});
export type UnsafeRank = UnsafeRankT;
export const TopUnsafeAnswer: Schema<TopUnsafeAnswerT> = S.object({ crates: S.array(UnsafeRank) });
export type TopUnsafeAnswer = TopUnsafeAnswerT;
export const TopUnsafeQuery = S.object({ limit: q('crates to list, 1–500 (default 20)', '^[0-9]{1,4}$') });

// ---- this document --------------------------------------------------------------------------

export const OpenApiDocument = S.openObject({ openapi: str, paths: S.openObject({}) });
