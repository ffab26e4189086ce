// The admin API under /api/admin (one plugin, see plugin.ts and docs/admin-api.md) and the
// console that uses it.
import type { FastifyInstance } from 'fastify';
import type { SecurityPipeline } from '../jobs/security-pipeline.js';
import type { RegistryServices } from '../registry/services.js';
import { registerActionRoutes } from './action-routes.js';
import { registerAdvisoryRoutes } from './advisory-routes.js';
import { registerAnalysisRoutes } from './analysis-routes.js';
import { registerConsole } from './console-static.js';
import { registerDiffRoutes } from './diff-routes.js';
import { registerGraphRoutes } from './graph-routes.js';
import { registerInvitationRoutes } from './invitation-routes.js';
import { adminApi, type RouteModule } from './plugin.js';
import { registerReadRoutes } from './read-routes.js';
import { registerResponderRoutes } from './responder-routes.js';
import { registerSessionRoutes } from './session-routes.js';
import { registerTokenRoutes } from './token-routes.js';
import { registerVetConsoleRoutes } from './vet-console-routes.js';
import { registerVetRoutes } from './vet-routes.js';

/** Every module of admin routes; a new one is added here. */
export const ADMIN_ROUTE_MODULES: readonly RouteModule[] = [
  registerSessionRoutes,
  registerReadRoutes,
  registerActionRoutes,
  registerGraphRoutes,
  registerInvitationRoutes,
  registerAdvisoryRoutes,
  registerDiffRoutes,
  registerVetRoutes,
  registerAnalysisRoutes,
  registerVetConsoleRoutes,
  registerResponderRoutes,
  registerTokenRoutes,
];

export function registerAdminRoutes(
  app: FastifyInstance,
  services: RegistryServices,
  pipeline: SecurityPipeline,
): void {
  void app.register(adminApi(ADMIN_ROUTE_MODULES), { prefix: '/api/admin', services, pipeline });
  registerConsole(app);
}
