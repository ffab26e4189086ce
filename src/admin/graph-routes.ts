// Graph queries over the registry's own crates for administrators: who depends on a crate
// or version range, dependency trees, why-paths, top crates, blast radius, statistics.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DependencyKind } from '../domain/index-line.js';
import {
  queryBlastRadius,
  queryDependents,
  queryStats,
  queryTop,
  queryTree,
  queryWhy,
} from '../graph/query-api.js';
import { SpecError, parseSpec } from '../graph/spec.js';
import type { EdgeFilterOptions } from '../graph/traversal.js';
import { badRequest, notFound } from '../registry/errors.js';
import type { RegistryServices } from '../registry/services.js';
import { requireCrateAccess, requireUnrestricted, type AdminActor } from './auth.js';

const KINDS: readonly DependencyKind[] = ['normal', 'build', 'dev'];

function filters(q: Record<string, string | undefined>): EdgeFilterOptions {
  const kinds = (q.kinds ?? 'normal,build').split(',').filter(Boolean) as DependencyKind[];
  for (const k of kinds) if (!KINDS.includes(k)) throw badRequest(`unknown dependency kind \`${k}\``);
  return { kinds, includeOptional: q.optional === 'true' };
}

function need(q: Record<string, string | undefined>, key: string): string {
  const v = q[key];
  if (!v) throw badRequest(`missing query parameter \`${key}\``);
  return v.slice(0, 300);
}

function int(q: Record<string, string | undefined>, key: string, fallback: number, max: number): number {
  const v = q[key] === undefined ? fallback : Number.parseInt(q[key]!, 10);
  if (!Number.isInteger(v) || v < 0) throw badRequest(`\`${key}\` must be a non-negative integer`);
  return Math.min(v, max);
}

export function registerGraphRoutes(
  app: FastifyInstance,
  services: RegistryServices,
  requireAdmin: (req: FastifyRequest) => Promise<AdminActor>,
): void {
  /** `crateParams` name the query parameters holding a crate spec (bound by a token's patterns). */
  const route = <T>(
    path: string,
    answer: (q: Record<string, string | undefined>) => Promise<T>,
    crateParams: string[] = [],
  ) =>
    app.get(path, async (req) => {
      const actor = await requireAdmin(req);
      const query = req.query as Record<string, string | undefined>;
      // A query about no crate in particular (stats, top) spans them all.
      if (crateParams.length === 0) requireUnrestricted(actor, 'a view across all crates');
      try {
        for (const key of crateParams) {
          const spec = query[key];
          if (spec) requireCrateAccess(actor, parseSpec(spec.slice(0, 300)).crate);
        }
        return await answer(query);
      } catch (err) {
        if (err instanceof SpecError)
          throw /unknown|no crate|not found/i.test(err.message)
            ? notFound(err.message)
            : badRequest(err.message);
        throw err;
      }
    });

  route('/api/admin/graph/stats', async () => queryStats(await services.graph.get()));
  route(
    '/api/admin/graph/dependents',
    async (q) =>
      queryDependents(await services.graph.get(), {
        spec: need(q, 'spec'),
        transitive: q.transitive === 'true',
        allVersions: q.all_versions === 'true',
        ...filters(q),
      }),
    ['spec'],
  );
  route(
    '/api/admin/graph/tree',
    async (q) =>
      queryTree(await services.graph.get(), {
        spec: need(q, 'spec'),
        depth: int(q, 'depth', 3, 20),
        ...filters(q),
      }),
    ['spec'],
  );
  route(
    '/api/admin/graph/why',
    async (q) =>
      queryWhy(await services.graph.get(), { from: need(q, 'from'), to: need(q, 'to'), ...filters(q) }),
    ['from', 'to'],
  );
  route('/api/admin/graph/top', async (q) => ({
    crates: queryTop(await services.graph.get(), { n: int(q, 'n', 20, 1000), ...filters(q) }),
  }));
  route(
    '/api/admin/graph/blast-radius',
    async (q) => queryBlastRadius(await services.graph.get(), { spec: need(q, 'spec'), ...filters(q) }),
    ['spec'],
  );
}
