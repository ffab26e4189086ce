// Graph queries over the registry's own crates for administrators: who depends on a crate
// or version range, dependency trees, why-paths, top crates, blast radius, statistics.
import type { DependencyKind } from '../domain/index-line.js';
import {
  queryBlastRadius,
  queryDependents,
  queryStats,
  queryTop,
  queryTree,
  queryWhy,
} from '../graph/query-api.js';
import { SpecError } from '../graph/spec.js';
import type { EdgeFilterOptions } from '../graph/traversal.js';
import { badRequest, notFound } from '../registry/errors.js';
import type { Schema } from './api-schema.js';
import {
  DependentsAnswer,
  GraphAnswer,
  GraphDependentsQuery,
  GraphSpecQuery,
  GraphTop,
  GraphTopQuery,
  GraphTreeQuery,
  GraphWhyQuery,
} from './api-types.js';
import { adminRoute, type AdminContext } from './plugin.js';

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

export function registerGraphRoutes({ app, services }: AdminContext): void {
  /**
   * `crateQuery` names the query parameters holding a crate spec (bound by a token's crate
   * patterns); a query about no crate in particular (stats, top) spans them all.
   */
  const route = <Q extends Record<string, string | undefined>, R>(
    path: string,
    summary: string,
    query: Schema<Q> | undefined,
    response: Schema<R>,
    answer: (q: Q) => Promise<R>,
    crateQuery: string[] = [],
  ) =>
    adminRoute(
      app,
      {
        method: 'GET',
        url: path,
        summary,
        access: crateQuery.length ? { crateQuery } : { allCrates: true },
        ...(query ? { query } : {}),
        response,
      },
      async (req) => {
        try {
          return await answer((req.query ?? {}) as Q);
        } catch (err) {
          if (err instanceof SpecError)
            throw /unknown|no crate|not found/i.test(err.message)
              ? notFound(err.message)
              : badRequest(err.message);
          throw err;
        }
      },
    );

  route('/graph/stats', 'Ecosystem graph statistics', undefined, GraphAnswer, async () =>
    queryStats(await services.graph.get()),
  );
  route(
    '/graph/dependents',
    'Direct or transitive dependents of a crate, version or range',
    GraphDependentsQuery,
    DependentsAnswer,
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
    '/graph/tree',
    'Dependency tree of a version',
    GraphTreeQuery,
    GraphAnswer,
    async (q) =>
      queryTree(await services.graph.get(), {
        spec: need(q, 'spec'),
        depth: int(q, 'depth', 3, 20),
        ...filters(q),
      }),
    ['spec'],
  );
  route(
    '/graph/why',
    'Shortest dependency path from one crate to another',
    GraphWhyQuery,
    GraphAnswer,
    async (q) =>
      queryWhy(await services.graph.get(), { from: need(q, 'from'), to: need(q, 'to'), ...filters(q) }),
    ['from', 'to'],
  );
  route('/graph/top', 'Top crates by transitive dependents', GraphTopQuery, GraphTop, async (q) => ({
    crates: queryTop(await services.graph.get(), { n: int(q, 'n', 20, 1000), ...filters(q) }),
  }));
  route(
    '/graph/blast-radius',
    'Crates whose latest version resolves to an affected version',
    GraphSpecQuery,
    GraphAnswer,
    async (q) => queryBlastRadius(await services.graph.get(), { spec: need(q, 'spec'), ...filters(q) }),
    ['spec'],
  );
}
