// The admin API under /api/admin: alerts and quarantine decisions. Callers are
// administrators, authenticated by an API token of an admin user.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SecurityPipeline } from '../jobs/security-pipeline.js';
import { registerGraphRoutes } from './graph-routes.js';
import { requireToken } from '../registry/auth.js';
import { badRequest, forbidden, notFound } from '../registry/errors.js';
import type { RegistryServices } from '../registry/services.js';
import { SEVERITY_ORDER } from '../store/alerts.js';
import type { AlertRow, AlertSeverity, AlertStatus } from '../store/schema.js';

const STATUSES: readonly AlertStatus[] = ['open', 'acknowledged', 'escalated', 'dismissed', 'resolved'];

function alertJson(a: AlertRow) {
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

function reasonOf(req: FastifyRequest): string {
  let body: unknown = null;
  if (Buffer.isBuffer(req.body) && req.body.length > 0) {
    try {
      body = JSON.parse(req.body.toString('utf8'));
    } catch {
      throw badRequest('invalid JSON body');
    }
  }
  const reason = (body as { reason?: unknown } | null)?.reason;
  if (typeof reason !== 'string' || reason.trim().length < 3)
    throw badRequest('a reason (at least 3 characters) is required');
  return reason.trim().slice(0, 2000);
}

export function registerAdminRoutes(
  app: FastifyInstance,
  services: RegistryServices,
  pipeline: SecurityPipeline,
): void {
  const requireAdmin = async (req: FastifyRequest) => {
    const auth = await requireToken(services.tokens, req.headers.authorization);
    if (auth.user.is_admin !== 1) throw forbidden('this action needs an administrator');
    return auth.user;
  };

  app.get('/api/admin/alerts', async (req) => {
    await requireAdmin(req);
    const q = req.query as Record<string, string | undefined>;
    if (q.severity && !SEVERITY_ORDER.includes(q.severity as AlertSeverity))
      throw badRequest(`unknown severity \`${q.severity}\``);
    if (q.min_severity && !SEVERITY_ORDER.includes(q.min_severity as AlertSeverity))
      throw badRequest(`unknown severity \`${q.min_severity}\``);
    if (q.status && !STATUSES.includes(q.status as AlertStatus))
      throw badRequest(`unknown status \`${q.status}\``);
    const { total, alerts } = await pipeline.alerts.list({
      ...(q.kind ? { kind: q.kind } : {}),
      ...(q.severity ? { severity: q.severity as AlertSeverity } : {}),
      ...(q.min_severity ? { minSeverity: q.min_severity as AlertSeverity } : {}),
      ...(q.status ? { status: q.status as AlertStatus } : {}),
      ...(q.crate ? { crateName: q.crate } : {}),
      limit: Math.min(Number.parseInt(q.per_page ?? '50', 10) || 50, 500),
      offset: Math.max(Number.parseInt(q.offset ?? '0', 10) || 0, 0),
    });
    return { total, alerts: alerts.map(alertJson) };
  });

  app.get('/api/admin/alerts/:id', async (req) => {
    await requireAdmin(req);
    const id = Number((req.params as { id: string }).id);
    const alert = Number.isInteger(id) ? await pipeline.alerts.get(id) : undefined;
    if (!alert) throw notFound('no such alert');
    return alertJson(alert);
  });

  app.get('/api/admin/quarantine', async (req) => {
    await requireAdmin(req);
    const rows = await services.db.kysely
      .selectFrom('versions')
      .innerJoin('crates', 'crates.id', 'versions.crate_id')
      .select(['crates.name', 'versions.num', 'versions.published_at', 'versions.id'])
      .where('versions.status', '=', 'quarantined')
      .orderBy('versions.id')
      .execute();
    return { versions: rows.map((r) => ({ crate: r.name, version: r.num, published_at: r.published_at })) };
  });

  const decide = (status: 'published' | 'rejected') => async (req: FastifyRequest) => {
    await requireAdmin(req);
    const { name, version } = req.params as { name: string; version: string };
    const reason = reasonOf(req);
    const krate = await services.crates.findByName(name);
    const v = krate ? await services.crates.findVersion(krate.id, version) : undefined;
    if (!krate || !v) throw notFound(`no version ${name}@${version}`);
    if (v.status !== 'quarantined')
      throw badRequest(`${krate.name}@${v.num} is not in quarantine (it is ${v.status})`);
    await services.crates.setStatus(v.id, status);
    await services.crates.touch(krate.id);
    services.crateChanged(krate.name);
    return { ok: true, crate: krate.name, version: v.num, status, reason };
  };
  app.post('/api/admin/crates/:name/:version/release', decide('published'));
  app.post('/api/admin/crates/:name/:version/reject', decide('rejected'));

  registerGraphRoutes(app, services, requireAdmin);

  app.get('/api/admin/jobs', async (req) => {
    await requireAdmin(req);
    return { counts: await pipeline.queue.counts() };
  });
}
