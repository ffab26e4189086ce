// The admin API under /api/admin and the console that uses it (see docs/admin-api.md).
import type { FastifyInstance } from 'fastify';
import type { SecurityPipeline } from '../jobs/security-pipeline.js';
import { badRequest } from '../registry/errors.js';
import type { RegistryServices } from '../registry/services.js';
import { SEVERITY_ORDER } from '../store/alerts.js';
import type { AlertSeverity, AlertStatus } from '../store/schema.js';
import { registerActionRoutes } from './action-routes.js';
import { registerAdvisoryRoutes } from './advisory-routes.js';
import { AdminAuth } from './auth.js';
import { registerConsole } from './console-static.js';
import { registerDiffRoutes } from './diff-routes.js';
import { registerGraphRoutes } from './graph-routes.js';
import { registerInvitationRoutes } from './invitation-routes.js';
import { openApiDocument } from './openapi.js';
import { registerReadRoutes } from './read-routes.js';
import { alertQueue } from './responder-reads.js';
import { registerResponderRoutes } from './responder-routes.js';
import { registerSessionRoutes } from './session-routes.js';
import { registerVetRoutes } from './vet-routes.js';

const STATUSES: readonly AlertStatus[] = ['open', 'acknowledged', 'escalated', 'dismissed', 'resolved'];

export function registerAdminRoutes(
  app: FastifyInstance,
  services: RegistryServices,
  pipeline: SecurityPipeline,
): void {
  const auth = new AdminAuth(services);

  // Admin answers are per-user and never cached; they may only be framed by nobody.
  app.addHook('onSend', async (req, reply) => {
    if (req.url.startsWith('/api/admin')) {
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
      reply.header('x-content-type-options', 'nosniff');
      reply.header('x-frame-options', 'DENY');
    }
  });

  registerSessionRoutes(app, services, auth);
  registerReadRoutes(app, services, pipeline, auth);
  registerActionRoutes(app, services, pipeline, auth, {
    deletedNameBlockDays: services.config.deletedNameBlockDays,
  });
  registerGraphRoutes(app, services, (req) => auth.require(req));
  registerInvitationRoutes(app, services, auth);
  registerAdvisoryRoutes(app, services, pipeline, auth);
  registerDiffRoutes(app, services, pipeline, auth);
  registerVetRoutes(app, services, auth);
  registerResponderRoutes(app, services, pipeline, auth, {
    deletedNameBlockDays: services.config.deletedNameBlockDays,
  });
  registerConsole(app);

  app.get('/api/admin/openapi.json', async () => openApiDocument());

  app.get('/api/admin/alerts', async (req) => {
    await auth.require(req, { allCrates: true });
    const q = req.query as Record<string, string | undefined>;
    for (const key of ['severity', 'min_severity'] as const) {
      if (q[key] && !SEVERITY_ORDER.includes(q[key] as AlertSeverity))
        throw badRequest(`unknown severity \`${q[key]}\``);
    }
    if (q.status && !STATUSES.includes(q.status as AlertStatus))
      throw badRequest(`unknown status \`${q.status}\``);
    // Each alert with its subject as it stands now (state, publisher, impact) and what was done.
    return alertQueue(services, pipeline.alerts, {
      ...(q.kind ? { kind: q.kind } : {}),
      ...(q.severity ? { severity: q.severity as AlertSeverity } : {}),
      ...(q.min_severity ? { minSeverity: q.min_severity as AlertSeverity } : {}),
      ...(q.status ? { status: q.status as AlertStatus } : {}),
      ...(q.crate ? { crateName: q.crate } : {}),
      limit: Math.min(Number.parseInt(q.per_page ?? '50', 10) || 50, 500),
      offset: Math.max(Number.parseInt(q.offset ?? '0', 10) || 0, 0),
    });
  });

  app.get('/api/admin/jobs', async (req) => {
    await auth.require(req, { allCrates: true });
    return { counts: await pipeline.queue.counts() };
  });
}
