// What the console's pages read: overview, alert detail with evidence, crate and user
// pages, search, the audit log, and the impact figures shown before an action.
import { sql } from 'kysely';
import { queryDependents } from '../graph/query-api.js';
import { badRequest, notFound } from '../registry/errors.js';
import type { RegistryServices } from '../registry/services.js';
import { SEVERITY_ORDER } from '../store/alerts.js';
import type {
  AlertRow,
  AlertSeverity,
  AlertStatus,
  AuditRow,
  CrateRow,
  VersionRow,
} from '../store/schema.js';
import { listQuarantine, listTokens, listUsers, tokenJson, userJson } from './admin-reads.js';
import {
  AlertDetail,
  AlertQuery,
  AlertQueuePage,
  AuditPage,
  AuditQuery,
  AuditVerify,
  CrateDetail,
  Impact as ImpactSchema,
  type Impact as ImpactAnswer,
  ImpactQuery,
  JobsAnswer,
  Overview,
  Params,
  QuarantineList,
  SearchQuery,
  SearchResult,
  STATUSES,
  TokenList,
  TokenQuery,
  UserDetail,
  UserList,
  type Alert,
  type Evidence,
  type Publish,
  type Version,
} from './api-types.js';
import { requireCrateAccess } from './auth.js';
import { codeAround, diffAgainstPrevious } from './evidence.js';
import { advisorySummary, versionAdvisories } from './advisory-routes.js';
import { actorOf, adminRoute, type AdminContext } from './plugin.js';
import { versionReach } from './version-reach.js';
import { alertQueue } from './responder-reads.js';

export function alertJson(a: AlertRow): Alert {
  return {
    id: a.id,
    kind: a.kind,
    severity: a.severity,
    status: a.status,
    crate: a.crate_name,
    version: a.version,
    title: a.title,
    score: a.score,
    details: JSON.parse(a.details) as unknown,
    created_at: a.created_at,
    updated_at: a.updated_at,
  };
}

export function auditJson(e: AuditRow) {
  return {
    id: e.id,
    at: e.at,
    actor: e.actor,
    action: e.action,
    targetType: e.target_type,
    target: e.target,
    reason: e.reason,
    details: JSON.parse(e.details) as unknown,
    ip: e.ip,
    hash: e.hash,
    prevHash: e.prev_hash,
  };
}

const day = (d: Date) => d.toISOString().slice(0, 10);
const int = (v: string | undefined, fallback: number, max: number) =>
  Math.min(Math.max(Number.parseInt(v ?? '', 10) || fallback, 0), max);

export type Impact = ImpactAnswer;

export async function impactOf(
  services: RegistryServices,
  crateName: string,
  version: string | null,
): Promise<Impact> {
  const krate = await services.crates.findByName(crateName);
  if (!krate) throw notFound(`no crate \`${crateName.slice(0, 100)}\``);
  const all = await services.crates.versions(krate.id);
  const touched = version ? all.filter((v) => v.num === version) : all;
  const reach = await versionReach(services.db.kysely, krate.id, krate.name, touched);
  const graph = await services.graph.get();
  const spec = version ? `${krate.name}@${version}` : krate.name;
  const count = (transitive: boolean) => {
    try {
      return queryDependents(graph, { spec, transitive, kinds: ['normal', 'build'], includeOptional: true })
        .crates;
    } catch {
      return 0; // a version outside the index (quarantined) has no dependents
    }
  };
  return {
    crate: krate.name,
    version,
    directDependents: count(false),
    transitiveDependents: count(true),
    versions: version ? 1 : all.length,
    downloads: reach.crate.downloads,
    requirementDependents: reach.crate.dependents,
  };
}

/**
 * The crate page's versions as one read model: publisher, token, newest scan, downloads and
 * requirement dependents of every version in five queries whatever the number of versions.
 */
async function versionsOf(
  services: RegistryServices,
  krate: CrateRow,
  versions: readonly VersionRow[],
): Promise<Omit<Version, 'advisories'>[]> {
  const db = services.db.kysely;
  const who = await db
    .selectFrom('versions')
    .leftJoin('users', 'users.id', 'versions.published_by')
    .leftJoin('api_tokens', 'api_tokens.id', 'versions.token_id')
    .select(['versions.id', 'users.login', 'api_tokens.name as tokenName'])
    .where('versions.crate_id', '=', krate.id)
    .execute();
  const byId = new Map(who.map((r) => [r.id, r]));
  const scans = await db
    .selectFrom('scan_results')
    .innerJoin('versions', 'versions.id', 'scan_results.version_id')
    .select(['scan_results.version_id', 'scan_results.verdict', 'scan_results.findings'])
    .where('versions.crate_id', '=', krate.id)
    .orderBy('scan_results.id', 'asc')
    .execute();
  const latest = new Map(scans.map((r) => [r.version_id, r])); // later rows win
  const { byVersion } = await versionReach(db, krate.id, krate.name, versions);
  return versions.map((v) => {
    const scan = latest.get(v.id);
    const reach = byVersion.get(v.num)!;
    return {
      num: v.num,
      yanked: v.yanked === 1,
      status: v.status,
      checksum: v.checksum,
      size: v.size,
      publishedAt: v.published_at,
      publisher: byId.get(v.id)?.login ?? null,
      tokenName: byId.get(v.id)?.tokenName ?? null,
      clientIp: v.client_ip,
      userAgent: v.user_agent,
      hasBuildScript: v.has_build_script === 1,
      scan: scan
        ? { verdict: scan.verdict, findings: (JSON.parse(scan.findings) as unknown[]).length }
        : null,
      downloads: reach.downloads,
      dependents: reach.dependents,
    };
  });
}

export function registerReadRoutes({ app, services, pipeline }: AdminContext): void {
  const db = services.db.kysely;

  const publishRows = (filter: { userId?: number; limit: number }) =>
    db
      .selectFrom('versions')
      .innerJoin('crates', 'crates.id', 'versions.crate_id')
      .leftJoin('users', 'users.id', 'versions.published_by')
      .select([
        'crates.name',
        'versions.id',
        'versions.num',
        'versions.published_at',
        'versions.status',
        'versions.yanked',
        'versions.client_ip',
        'versions.user_agent',
        'users.login',
      ])
      .$if(filter.userId !== undefined, (q) => q.where('versions.published_by', '=', filter.userId!))
      .orderBy('versions.id', 'desc')
      .limit(filter.limit)
      .execute();

  /** A page of publishes as the console lists them: two queries, whatever the page size. */
  const publishesJson = async (filter: { userId?: number; limit: number }): Promise<Publish[]> => {
    const rows = await publishRows(filter);
    const verdicts = await pipeline.scans.latestVerdicts(rows.map((r) => r.id));
    return rows.map((r) => ({
      crate: r.name,
      version: r.num,
      publishedAt: r.published_at,
      publisher: r.login,
      status: r.status,
      yanked: r.yanked === 1,
      clientIp: r.client_ip,
      userAgent: r.user_agent,
      verdict: verdicts.get(r.id) ?? null,
    }));
  };

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/overview',
      summary: 'Open alerts, recent publishes, per-day charts, job counts',
      access: { allCrates: true },
      response: Overview,
    },
    async () => {
      const open = await db
        .selectFrom('alerts')
        .select(['severity', 'kind', (eb) => eb.fn.countAll<string | number>().as('n')])
        .where('status', 'in', ['open', 'escalated'])
        .groupBy(['severity', 'kind'])
        .execute();
      const bySeverity: Record<string, number> = Object.fromEntries(SEVERITY_ORDER.map((s) => [s, 0]));
      const byKind: Record<string, number> = {};
      let total = 0;
      for (const r of open) {
        bySeverity[r.severity] = (bySeverity[r.severity] ?? 0) + Number(r.n);
        byKind[r.kind] = (byKind[r.kind] ?? 0) + Number(r.n);
        total += Number(r.n);
      }
      const days: string[] = [];
      for (let i = 29; i >= 0; i--) days.push(day(new Date(Date.now() - i * 86_400_000)));
      const perDay = async (table: 'versions' | 'alerts', column: 'published_at' | 'created_at') => {
        const rows = await sql<{ d: string; n: string | number }>`
        select substr(${sql.ref(column)}, 1, 10) as d, count(*) as n from ${sql.table(table)}
        where ${sql.ref(column)} >= ${days[0]!} group by substr(${sql.ref(column)}, 1, 10)`.execute(db);
        const m = new Map(rows.rows.map((r) => [r.d, Number(r.n)]));
        return days.map((d) => m.get(d) ?? 0);
      };
      const dl = await db
        .selectFrom('version_downloads')
        .select(['date', (eb) => eb.fn.sum<string | number>('downloads').as('n')])
        .where('date', '>=', days[0]!)
        .groupBy('date')
        .execute();
      const dlMap = new Map(dl.map((r) => [r.date, Number(r.n)]));
      return {
        alerts: { open: total, bySeverity, byKind },
        recentPublishes: await publishesJson({ limit: 15 }),
        perDay: {
          days,
          publishes: await perDay('versions', 'published_at'),
          alerts: await perDay('alerts', 'created_at'),
          downloads: days.map((d) => dlMap.get(d) ?? 0),
        },
        jobs: await pipeline.queue.counts(),
      };
    },
  );

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/alerts',
      summary: 'The alert queue, newest first',
      access: { allCrates: true },
      query: AlertQuery,
      // Each alert with its subject as it stands now (state, publisher, impact) and what was done.
      response: AlertQueuePage,
    },
    async (req) => {
      const q = req.query;
      for (const key of ['severity', 'min_severity'] as const) {
        if (q[key] && !SEVERITY_ORDER.includes(q[key] as AlertSeverity))
          throw badRequest(`unknown severity \`${q[key]}\``);
      }
      if (q.status && !(STATUSES as readonly string[]).includes(q.status))
        throw badRequest(`unknown status \`${q.status}\``);
      return alertQueue(services, pipeline.alerts, {
        ...(q.kind ? { kind: q.kind } : {}),
        ...(q.severity ? { severity: q.severity as AlertSeverity } : {}),
        ...(q.min_severity ? { minSeverity: q.min_severity as AlertSeverity } : {}),
        ...(q.status ? { status: q.status as AlertStatus } : {}),
        ...(q.crate ? { crateName: q.crate } : {}),
        limit: Math.min(Number.parseInt(q.per_page ?? '50', 10) || 50, 500),
        offset: Math.max(Number.parseInt(q.offset ?? '0', 10) || 0, 0),
      });
    },
  );

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/jobs',
      summary: 'Background job counts by status',
      access: { allCrates: true },
      response: JobsAnswer,
    },
    async () => ({ counts: await pipeline.queue.counts() }),
  );

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/alerts/:id',
      summary: 'An alert with its evidence, notes and impact',
      // The alert's crate is checked against a crate-limited token once the alert is read.
      access: {},
      params: Params.id,
      response: AlertDetail,
    },
    async (req) => {
      const id = Number(req.params.id);
      const alert = Number.isInteger(id) ? await pipeline.alerts.get(id) : undefined;
      if (!alert) throw notFound('no such alert');
      requireCrateAccess(actorOf(req), alert.crate_name);
      const notes = await db
        .selectFrom('alert_notes')
        .selectAll()
        .where('alert_id', '=', id)
        .orderBy('id')
        .execute();
      const details = JSON.parse(alert.details) as Record<string, unknown>;
      const version = alert.version_id
        ? await db.selectFrom('versions').selectAll().where('id', '=', alert.version_id).executeTakeFirst()
        : undefined;
      const evidence: Evidence = { kind: alert.kind };
      if (alert.kind === 'scanner') {
        const findings = (details.findings ?? []) as NonNullable<Evidence['findings']>;
        const bytes = version ? await services.blobs.get(version.checksum) : null;
        const code = bytes
          ? await codeAround(
              bytes,
              findings.filter((f) => f.file && f.line).map((f) => ({ file: f.file!, line: f.line! })),
            ).catch(() => new Map())
          : new Map();
        evidence.findings = findings.map((f) => ({
          ...f,
          code: f.file && f.line ? (code.get(`${f.file}:${f.line}`) ?? null) : null,
        }));
      }
      if (alert.kind === 'typosquat' || alert.kind === 'impersonation') {
        const text = (v: unknown) => (typeof v === 'string' ? v : '');
        evidence.squat = {
          target: text(details.target),
          targetOwners: Array.isArray(details.targetOwners) ? details.targetOwners.map(String) : [],
          check: text(details.kind),
          message: text(details.message),
          similarity: typeof details.similarity === 'number' ? details.similarity : null,
          crates: details.crates ?? null,
        };
      }
      if (version) evidence.diff = await diffAgainstPrevious(services, version).catch(() => null);
      let impact: Impact | null = null;
      if (await services.crates.findByName(alert.crate_name))
        impact = await impactOf(services, alert.crate_name, alert.version);
      return {
        alert: alertJson(alert),
        notes: notes.map((n) => ({ at: n.created_at, user: n.login, note: n.note })),
        evidence,
        impact,
      };
    },
  );

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/crates/:name',
      summary:
        'A crate: metadata, owners, versions with provenance, scans, advisories, downloads, dependents',
      description:
        "Auditors read it too (what they review); for them the publishers' addresses and user agents are left out.",
      // Auditor-readable: what an audit needs, and no action (those routes stay admin-only).
      access: { crateParam: 'name', auditor: 'or-admin' },
      params: Params.name,
      response: CrateDetail,
    },
    async (req) => {
      const name = req.params.name;
      const isAdmin = actorOf(req).user.is_admin === 1;
      const krate = await services.crates.findByName(name);
      if (!krate) throw notFound(`no crate \`${name.slice(0, 100)}\``);
      const versions = await services.crates.versions(krate.id);
      const since = day(new Date(Date.now() - 89 * 86_400_000));
      const downloads = await db
        .selectFrom('version_downloads')
        .innerJoin('versions', 'versions.id', 'version_downloads.version_id')
        .select([
          'version_downloads.date',
          (eb) => eb.fn.sum<string | number>('version_downloads.downloads').as('n'),
        ])
        .where('versions.crate_id', '=', krate.id)
        .where('version_downloads.date', '>=', since)
        .groupBy('version_downloads.date')
        .orderBy('version_downloads.date')
        .execute();
      const graph = await services.graph.get();
      let direct: string[] = [];
      let transitiveCount = 0;
      try {
        const d = queryDependents(graph, {
          spec: krate.name,
          kinds: ['normal', 'build'],
          includeOptional: true,
        });
        direct = [...new Set(d.dependents.map((x) => x.crate))].sort();
        transitiveCount = queryDependents(graph, {
          spec: krate.name,
          transitive: true,
          kinds: ['normal', 'build'],
          includeOptional: true,
        }).crates;
      } catch {
        // no version in the index (all quarantined): no dependents
      }
      const alerts = await pipeline.alerts.list({ crateName: krate.name, limit: 100 });
      const identity = pipeline.advisorySync.identity();
      const advisoryRows = await pipeline.advisorySync.advisories.forPackage(krate.name);
      const byVersion = versionAdvisories(
        advisoryRows,
        versions.map((v) => v.num),
        identity,
      );
      const newestFirst = [...versions].reverse();
      return {
        crate: {
          name: krate.name,
          description: krate.description,
          homepage: krate.homepage,
          repository: krate.repository,
          documentation: krate.documentation,
          keywords: JSON.parse(krate.keywords) as string[],
          categories: JSON.parse(krate.categories) as string[],
          createdAt: krate.created_at,
          updatedAt: krate.updated_at,
          downloads: await services.crates.downloadsOf(krate.id),
          // Null when no version is live (all held, rejected or deleted), rather than "0.0.0".
          maxVersion: (await services.crates.maxVersions([krate.id])).get(krate.id) ?? null,
        },
        owners: (await services.crates.owners(krate.id)).map((o) => ({ login: o.login, name: o.name })),
        versions: (await versionsOf(services, krate, newestFirst)).map((v) => ({
          ...v,
          // Where a publisher was is personal data an audit does not need: administrators only.
          ...(isAdmin ? {} : { clientIp: null, userAgent: null, tokenName: null }),
          advisories: byVersion.get(v.num) ?? [],
        })),
        advisories: advisoryRows.map((r) => advisorySummary(r, true, identity)),
        alerts: alerts.alerts.map(alertJson),
        downloadsPerDay: downloads.map((d) => ({ date: d.date, downloads: Number(d.n) })),
        dependents: { direct, directCount: direct.length, transitiveCount },
      };
    },
  );

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/users/:login',
      summary: 'A user: crates, tokens, publishes, sign-ins',
      access: { accounts: true },
      params: Params.login,
      response: UserDetail,
    },
    async (req) => {
      const login = req.params.login;
      const user = await services.users.findByLogin(login);
      if (!user) throw notFound(`no user \`${login.slice(0, 60)}\``);
      const owned = await db
        .selectFrom('crate_owners')
        .innerJoin('crates', 'crates.id', 'crate_owners.crate_id')
        .select(['crates.id', 'crates.name'])
        .where('crate_owners.user_id', '=', user.id)
        .orderBy('crates.name')
        .execute();
      const signIns = await db
        .selectFrom('audit_log')
        .selectAll()
        .where('action', 'in', ['sign-in', 'sign-in-failed'])
        .where('target', '=', user.login)
        .orderBy('id', 'desc')
        .limit(50)
        .execute();
      const latest = await services.crates.maxVersions(owned.map((c) => c.id));
      return {
        user: userJson(user),
        crates: owned.map((c) => ({ name: c.name, maxVersion: latest.get(c.id) ?? null })),
        tokens: (await services.tokens.listForUser(user.id)).map(tokenJson),
        publishes: await publishesJson({ userId: user.id, limit: 100 }),
        signIns: signIns.map((s) => ({
          at: s.at,
          ip: s.ip,
          userAgent: (JSON.parse(s.details) as { userAgent?: string }).userAgent ?? null,
          success: s.action === 'sign-in',
        })),
      };
    },
  );

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/search',
      summary: 'Search crates, users and alerts',
      access: { allCrates: true },
      query: SearchQuery,
      response: SearchResult,
    },
    async (req) => {
      const q = String(req.query.q ?? '')
        .trim()
        .slice(0, 100);
      if (!q) throw badRequest('missing query parameter `q`');
      const like = `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const crates = await services.crates.search(q, 20, 0);
      const users = await db
        .selectFrom('users')
        .select(['login', 'name'])
        .where((eb) =>
          eb.or([
            sql<boolean>`lower(login) like ${like} escape '\\'`,
            sql<boolean>`lower(coalesce(name, '')) like ${like} escape '\\'`,
          ]),
        )
        .orderBy('login')
        .limit(20)
        .execute();
      const alerts = await db
        .selectFrom('alerts')
        .select(['id', 'title', 'severity', 'status', 'crate_name'])
        .where((eb) => eb.or([sql<boolean>`lower(title) like ${like} escape '\\'`, eb('crate_name', '=', q)]))
        .orderBy('id', 'desc')
        .limit(20)
        .execute();
      return {
        crates: crates.crates.map((c) => ({
          name: c.name,
          description: c.description,
          maxVersion: c.max_version,
        })),
        users,
        alerts: alerts.map((a) => ({
          id: a.id,
          title: a.title,
          severity: a.severity,
          status: a.status,
          crate: a.crate_name,
        })),
      };
    },
  );

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/audit-log',
      summary: 'The audit log, newest first',
      access: { allCrates: true },
      query: AuditQuery,
      response: AuditPage,
    },
    async (req) => {
      const q = req.query;
      const { total, entries } = await services.audit.list({
        ...(q.action ? { action: q.action } : {}),
        ...(q.actor ? { actor: q.actor } : {}),
        ...(q.target ? { target: q.target } : {}),
        limit: int(q.per_page, 50, 500),
        offset: int(q.offset, 0, Number.MAX_SAFE_INTEGER),
      });
      return { total, entries: entries.map(auditJson) };
    },
  );

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/audit-log/verify',
      summary: "Verify the audit log's hash chain",
      access: { allCrates: true },
      response: AuditVerify,
    },
    async () => services.audit.verify(),
  );

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/impact',
      summary: 'Dependents a crate or version has (for confirmations)',
      access: { crateQuery: ['crate'] },
      query: ImpactQuery,
      response: ImpactSchema,
    },
    async (req) => {
      const q = req.query;
      if (!q.crate) throw badRequest('missing query parameter `crate`');
      return impactOf(services, q.crate, q.version ?? null);
    },
  );

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/quarantine',
      summary: 'Versions held for review',
      access: { allCrates: true },
      response: QuarantineList,
    },
    async () => listQuarantine(services),
  );

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/users',
      summary: 'Every user, with admin and lock state',
      access: { accounts: true },
      response: UserList,
    },
    async () => listUsers(services),
  );

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/tokens',
      summary: 'API tokens (of one user with `user`)',
      access: { accounts: true },
      query: TokenQuery,
      response: TokenList,
    },
    async (req) => {
      const login = req.query.user;
      if (login !== undefined && !(await services.users.findByLogin(login)))
        throw notFound(`no user \`${login.slice(0, 60)}\``);
      return listTokens(services, login);
    },
  );
}
