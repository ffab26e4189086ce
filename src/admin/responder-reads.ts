// The responder's read models: the alert queue with each alert's subject as it stands now, an
// alert's follow-up, the quarantine queue, held names, provenance search and account-takeover
// signals. Each page is read with a fixed number of queries, whatever its length.
import { sql } from 'kysely';
import { queryDependents } from '../graph/query-api.js';
import { notFound } from '../registry/errors.js';
import type { RegistryServices } from '../registry/services.js';
import type { AlertFilter, AlertRepository } from '../store/alerts.js';
import type { AlertActionRow, AlertRow } from '../store/schema.js';
import { isLocked } from '../store/users.js';
import type {
  AlertActionTaken,
  AlertFollowUpView,
  AlertQueuePage,
  AlertQueueRow,
  AlertResolution,
  HeldVersion,
  NameHolds,
  ProvenanceAnswer,
  QuarantineQueue,
  TakeoverSignals,
  VersionState,
} from './responder-types.js';
import { alertJson } from './read-routes.js';

export function actionJson(a: AlertActionRow): AlertActionTaken {
  return {
    action: a.action,
    actor: a.actor,
    at: a.at,
    reason: a.reason,
    auditId: a.audit_id,
    settled: a.settled === 1,
  };
}

export function resolutionJson(a: AlertRow): AlertResolution | null {
  if (a.resolution === null) return null;
  return { resolution: a.resolution, by: a.resolved_by, at: a.resolved_at, auditId: a.resolution_audit_id };
}

function stateOf(
  alert: Pick<AlertRow, 'version'>,
  crateExists: boolean,
  version: { status: string | null; yanked: number | null } | null,
): VersionState {
  if (!crateExists) return 'deleted';
  if (alert.version === null) return 'live';
  if (!version || version.status === null) return 'deleted';
  if (version.status === 'quarantined') return 'quarantined';
  if (version.status === 'rejected') return 'rejected';
  return version.yanked === 1 ? 'yanked' : 'live';
}

/** Dependents from the in-memory graph; none for what the index does not hold. */
function dependentsIn(
  graph: Awaited<ReturnType<RegistryServices['graph']['get']>>,
  spec: string,
): { directDependents: number; transitiveDependents: number } {
  const count = (transitive: boolean) => {
    try {
      return queryDependents(graph, { spec, transitive, kinds: ['normal', 'build'], includeOptional: true })
        .crates;
    } catch {
      return 0;
    }
  };
  return { directDependents: count(false), transitiveDependents: count(true) };
}

export async function alertQueue(
  services: RegistryServices,
  alerts: AlertRepository,
  filter: AlertFilter,
): Promise<AlertQueuePage> {
  const { total, rows } = await alerts.queuePage(filter);
  const actions = await alerts.actionsOf(rows.map((r) => r.id));
  const graph = await services.graph.get();
  return {
    total,
    alerts: rows.map((r): AlertQueueRow => {
      const state = stateOf(
        r,
        r.crate_id !== null,
        r.version_status === null ? null : { status: r.version_status, yanked: r.version_yanked },
      );
      const last = actions.get(r.id)?.at(-1);
      return {
        ...(alertJson(r) as Omit<
          AlertQueueRow,
          'state' | 'publisher' | 'impact' | 'resolution' | 'lastAction'
        >),
        state,
        publisher: r.publisher_login
          ? {
              login: r.publisher_login,
              locked: isLocked({
                locked_until: r.publisher_locked_until,
                lock_reason: r.publisher_lock_reason,
              }),
            }
          : null,
        impact:
          state === 'deleted' || state === 'rejected' || state === 'quarantined'
            ? null
            : dependentsIn(graph, r.version ? `${r.crate_name}@${r.version}` : r.crate_name),
        resolution: resolutionJson(r),
        lastAction: last ? actionJson(last) : null,
      };
    }),
  };
}

export async function alertFollowUp(
  services: RegistryServices,
  alerts: AlertRepository,
  alert: AlertRow,
): Promise<AlertFollowUpView> {
  const db = services.db.kysely;
  const krate = await services.crates.findByName(alert.crate_name);
  const version =
    alert.version_id === null
      ? undefined
      : await db
          .selectFrom('versions')
          .select(['status', 'yanked', 'published_by'])
          .where('id', '=', alert.version_id)
          .executeTakeFirst();
  const publisher = version?.published_by ? await services.users.findById(version.published_by) : undefined;
  const actions = (await alerts.actionsOf([alert.id])).get(alert.id) ?? [];
  return {
    id: alert.id,
    crate: alert.crate_name,
    version: alert.version,
    state: stateOf(alert, krate !== undefined, version ?? null),
    crateExists: krate !== undefined,
    publisher: publisher
      ? { login: publisher.login, locked: isLocked(publisher), isAdmin: publisher.is_admin === 1 }
      : null,
    resolution: resolutionJson(alert),
    actions: actions.map(actionJson),
  };
}

interface Finding {
  severity?: unknown;
  title?: unknown;
}
const SEVERITY_RANK: Record<string, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

/** What is held in quarantine, oldest first, with verdicts: three queries. */
export async function quarantineQueue(services: RegistryServices): Promise<QuarantineQueue> {
  const db = services.db.kysely;
  const rows = await db
    .selectFrom('versions')
    .innerJoin('crates', 'crates.id', 'versions.crate_id')
    .leftJoin('users', 'users.id', 'versions.published_by')
    .select(['versions.id', 'crates.name', 'versions.num', 'versions.published_at', 'users.login'])
    .where('versions.status', '=', 'quarantined')
    .orderBy('versions.published_at')
    .orderBy('versions.id')
    .execute();
  const ids = rows.map((r) => r.id);
  const scans = new Map<number, { verdict: string; findings: string }>();
  const open = new Map<number, number>();
  if (ids.length > 0) {
    for (const s of await db
      .selectFrom('scan_results')
      .select(['version_id', 'verdict', 'findings'])
      .where('version_id', 'in', ids)
      .orderBy('id')
      .execute())
      scans.set(s.version_id, s); // later rows win
    for (const a of await db
      .selectFrom('alerts')
      .select(['version_id', (eb) => eb.fn.countAll<string | number>().as('n')])
      .where('version_id', 'in', ids)
      .where('status', 'in', ['open', 'acknowledged', 'escalated'])
      .groupBy('version_id')
      .execute())
      if (a.version_id !== null) open.set(a.version_id, Number(a.n));
  }
  return {
    versions: rows.map((r): HeldVersion => {
      const scan = scans.get(r.id);
      const findings = scan ? (JSON.parse(scan.findings) as Finding[]) : [];
      const top = [...findings].sort(
        (a, b) => (SEVERITY_RANK[String(b.severity)] ?? -1) - (SEVERITY_RANK[String(a.severity)] ?? -1),
      )[0];
      return {
        crate: r.name,
        version: r.num,
        publishedAt: r.published_at,
        publisher: r.login,
        verdict: scan?.verdict ?? null,
        findingCount: findings.length,
        topFinding: top ? String(top.title ?? '') : null,
        openAlerts: open.get(r.id) ?? 0,
      };
    }),
  };
}

export async function nameHolds(services: RegistryServices, now = new Date()): Promise<NameHolds> {
  const db = services.db.kysely;
  const names = await db.selectFrom('reserved_names').selectAll().orderBy('name').execute();
  const deleted = await db
    .selectFrom('deleted_crates')
    .selectAll()
    .where('available_at', '>', now.toISOString())
    .orderBy('deleted_at', 'desc')
    .execute();
  return {
    names: names.map((n) => ({ name: n.name, kind: n.kind, reason: n.reason, createdAt: n.created_at })),
    deletedCrates: deleted.map((d) => ({
      name: d.name,
      deletedAt: d.deleted_at,
      availableAt: d.available_at,
      reason: d.reason,
    })),
  };
}

export type ProvenanceField = 'checksum' | 'token' | 'ip' | 'publisher';

const likePrefix = (s: string) => `${s.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Versions by provenance: a checksum (or its first 8+ hex digits), a token's name, a client
 * address (or its start, `10.1.`), a publisher's login. Newest first, at most 100.
 */
export async function provenanceSearch(
  services: RegistryServices,
  field: ProvenanceField,
  value: string,
): Promise<ProvenanceAnswer> {
  const db = services.db.kysely;
  let q = db
    .selectFrom('versions')
    .innerJoin('crates', 'crates.id', 'versions.crate_id')
    .leftJoin('users', 'users.id', 'versions.published_by')
    .leftJoin('api_tokens', 'api_tokens.id', 'versions.token_id')
    .select([
      'crates.name',
      'versions.num',
      'versions.status',
      'versions.yanked',
      'versions.checksum',
      'versions.published_at',
      'versions.client_ip',
      'versions.user_agent',
      'versions.token_id',
      'users.login',
      'api_tokens.name as token_name',
    ]);
  const v = value.trim();
  switch (field) {
    case 'checksum':
      q = q.where(sql<boolean>`versions.checksum like ${likePrefix(v)} escape '\\'`);
      break;
    case 'token':
      q = q.where(sql<boolean>`lower(api_tokens.name) = ${v.toLowerCase()}`);
      break;
    case 'ip':
      q = q.where(sql<boolean>`lower(versions.client_ip) like ${likePrefix(v)} escape '\\'`);
      break;
    case 'publisher':
      q = q.where(sql<boolean>`lower(users.login) = ${v.toLowerCase()}`);
      break;
  }
  const rows = await q.orderBy('versions.id', 'desc').limit(100).execute();
  return {
    field,
    versions: rows.map((r) => ({
      crate: r.name,
      version: r.num,
      state: stateOf({ version: r.num }, true, { status: r.status, yanked: r.yanked }),
      checksum: r.checksum,
      publishedAt: r.published_at,
      publisher: r.login,
      tokenId: r.token_id,
      tokenName: r.token_name,
      clientIp: r.client_ip,
      userAgent: r.user_agent,
    })),
  };
}

/** The address block a client address belongs to: /24 for IPv4, /48 for IPv6. */
export function addressRange(ip: string | null): string | null {
  if (!ip) return null;
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/i.exec(ip);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0/24`;
  if (ip.includes(':')) {
    // Expand `::` far enough to read the first three groups.
    const [head = '', tail] = ip.toLowerCase().split('::');
    const groups = head ? head.split(':') : [];
    if (tail !== undefined) while (groups.length < 3) groups.push('0');
    if (groups.length < 3) return null;
    return `${groups
      .slice(0, 3)
      .map((g) => g.replace(/^0+(?=.)/, ''))
      .join(':')}::/48`;
  }
  return null;
}

/**
 * Account-takeover signals of one version against the crate's previous version and the
 * publisher's own history: a different publisher or token, an address block or user agent the
 * publisher never published from before, a token made shortly before the publish.
 */
export async function takeoverSignals(
  services: RegistryServices,
  name: string,
  num: string,
): Promise<TakeoverSignals> {
  const db = services.db.kysely;
  const krate = await services.crates.findByName(name);
  if (!krate) throw notFound(`no crate \`${name.slice(0, 100)}\``);
  const v = await services.crates.findVersion(krate.id, num);
  if (!v) throw notFound(`no version ${krate.name}@${num.slice(0, 100)}`);
  const prev = await db
    .selectFrom('versions')
    .leftJoin('users', 'users.id', 'versions.published_by')
    .select(['versions.num', 'versions.published_by', 'versions.token_id', 'users.login'])
    .where('versions.crate_id', '=', krate.id)
    .where('versions.id', '<', v.id)
    .orderBy('versions.id', 'desc')
    .executeTakeFirst();
  const publisher = v.published_by ? await services.users.findById(v.published_by) : undefined;
  const token = v.token_id
    ? await db.selectFrom('api_tokens').selectAll().where('id', '=', v.token_id).executeTakeFirst()
    : undefined;
  // The publisher's earlier publishes, of any crate: where from and with what.
  const history = v.published_by
    ? await db
        .selectFrom('versions')
        .select(['client_ip', 'user_agent'])
        .where('published_by', '=', v.published_by)
        .where('id', '<', v.id)
        .execute()
    : [];
  const range = addressRange(v.client_ip);
  const knownRanges = new Set(history.map((h) => addressRange(h.client_ip)));
  const knownAgents = new Set(history.map((h) => h.user_agent));
  const publisherChanged = prev !== undefined && prev.published_by !== v.published_by;
  const tokenChanged = prev !== undefined && prev.token_id !== v.token_id;
  // A first publish has no history to differ from: nothing is "new" about it yet.
  const newIpRange = history.length > 0 && range !== null && !knownRanges.has(range) ? range : null;
  const newUserAgent = history.length > 0 && v.user_agent !== null && !knownAgents.has(v.user_agent);
  const ageAtPublishDays = token
    ? Math.max(0, (Date.parse(v.published_at) - Date.parse(token.created_at)) / 86_400_000)
    : null;
  const youngToken = ageAtPublishDays !== null && ageAtPublishDays < 1;
  return {
    crate: krate.name,
    version: v.num,
    previousVersion: prev?.num ?? null,
    publisher: publisher?.login ?? null,
    previousPublisher: prev?.login ?? null,
    publisherChanged,
    token: token
      ? {
          id: token.id,
          name: token.name,
          createdAt: token.created_at,
          ageAtPublishDays: Math.round(ageAtPublishDays! * 10) / 10,
          revoked: token.revoked_at !== null,
        }
      : null,
    tokenChanged,
    youngToken,
    clientIp: v.client_ip,
    newIpRange,
    userAgent: v.user_agent,
    newUserAgent,
    raised: [publisherChanged, tokenChanged, newIpRange !== null, newUserAgent, youngToken].filter(Boolean)
      .length,
  };
}
