// The admin API as one encapsulated Fastify plugin under /api/admin. Every route is declared
// with adminRoute(): its access (who may call it), its schemas (params, query, body, answer) and
// a summary. One onRequest hook authenticates and authorises from the headers, the path and the
// query alone, before any body is read, and puts the caller on the request (actorOf). The
// routes' schemas validate requests, serialise answers and make /api/admin/openapi.json, so a
// route cannot exist undocumented: one without a summary, an answer schema or an access
// declaration stops the server from starting.
import type {
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  RouteHandlerMethod,
} from 'fastify';
import type { SecurityPipeline } from '../jobs/security-pipeline.js';
import { SpecError, parseSpec } from '../graph/spec.js';
import { badRequest, errorBody } from '../registry/errors.js';
import type { RegistryServices } from '../registry/services.js';
import type { Schema } from './api-schema.js';
import { ErrorBody, OpenApiDocument } from './api-types.js';
import { AdminAuth, requireCrateAccess, type AdminActor, type RouteAccess } from './auth.js';
import { openApiDocument, type DocumentedRoute } from './openapi.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The admin API's caller, set by the plugin's hook (null on public routes). */
    adminActor: AdminActor | null;
  }
}

export interface AdminApiOptions {
  services: RegistryServices;
  pipeline: SecurityPipeline;
}

/** What a route module gets: the plugin's instance and what its handlers use. */
export interface AdminContext extends AdminApiOptions {
  app: FastifyInstance;
  auth: AdminAuth;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface AdminRouteSpec<P, Q, B, R> {
  method: Method;
  /** Relative to /api/admin, in Fastify's syntax (`/crates/:name`). */
  url: string;
  /** One line for the OpenAPI document; `description` for more. */
  summary: string;
  description?: string;
  access: RouteAccess;
  params?: Schema<P>;
  query?: Schema<Q>;
  body?: Schema<B>;
  /** The 200 answer. Properties it does not declare are dropped from the answer. */
  response: Schema<R>;
  bodyLimit?: number;
}

export type AdminRequest<P = unknown, Q = unknown, B = unknown> = FastifyRequest<{
  Params: P;
  Querystring: Q;
  Body: B;
}>;

/** Declares one admin route; the handler's answer is checked against the response schema's type. */
export function adminRoute<P = unknown, Q = unknown, B = unknown, R = unknown>(
  app: FastifyInstance,
  spec: AdminRouteSpec<P, Q, B, R>,
  handler: (req: AdminRequest<P, Q, B>, reply: FastifyReply) => Promise<R>,
): void {
  app.route({
    method: spec.method,
    url: spec.url,
    ...(spec.bodyLimit !== undefined ? { bodyLimit: spec.bodyLimit } : {}),
    schema: {
      summary: spec.summary,
      ...(spec.description ? { description: spec.description } : {}),
      ...(spec.params ? { params: spec.params } : {}),
      ...(spec.query ? { querystring: spec.query } : {}),
      ...(spec.body ? { body: spec.body } : {}),
      response: { 200: spec.response, '4xx': ErrorBody },
    } as Record<string, unknown>,
    config: { access: spec.access },
    handler: handler as unknown as RouteHandlerMethod,
  });
}

/** The caller the hook authenticated: for handlers of routes that are not public. */
export function actorOf(req: FastifyRequest): AdminActor {
  // A programming error (a public route asking for its caller), never a client's.
  if (!req.adminActor)
    throw new Error(`route ${req.routeOptions.url ?? req.url} has no authenticated caller`);
  return req.adminActor;
}

const accessOf = (req: FastifyRequest): RouteAccess | undefined =>
  (req.routeOptions.config as { access?: RouteAccess }).access;

/** The crate a query parameter names: a crate name or a graph spec (`serde@^1.0`). */
function crateOfQuery(value: string): string {
  try {
    return parseSpec(value.slice(0, 300)).crate;
  } catch (err) {
    if (err instanceof SpecError) throw badRequest(err.message);
    throw err;
  }
}

/** ajv's first error in the registry's words: which field, what is wrong with it. */
function schemaError(
  errors: { instancePath: string; keyword: string; params: Record<string, unknown>; message?: string }[],
  dataVar: string,
): Error {
  const e = errors[0];
  if (!e) return badRequest(`invalid ${dataVar}`);
  const where =
    dataVar === 'querystring' ? 'query parameter ' : dataVar === 'params' ? 'path parameter ' : '';
  const path = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const field = `${where}\`${path}\``;
  if (e.keyword === 'required')
    return badRequest(`${where}\`${String(e.params.missingProperty)}\` is required`);
  if (path === '') return badRequest(dataVar === 'body' ? 'expected a JSON object' : `invalid ${dataVar}`);
  switch (e.keyword) {
    case 'type':
      return badRequest(`${field} must be ${String(e.params.type).replace(/,/g, ' or ')}`);
    case 'maxLength':
      return badRequest(`${field} is too long (at most ${String(e.params.limit)} characters)`);
    case 'pattern':
      return badRequest(`${field} is not in the expected form`);
    case 'enum':
      return badRequest(`${field} must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`);
    default:
      return badRequest(`${field} ${e.message ?? 'is invalid'}`);
  }
}

/** Reads a raw JSON body (the server reads every body as bytes) into the value the schema checks. */
function parseJsonBody(req: FastifyRequest): void {
  const raw = req.body;
  const wantsBody = (req.routeOptions.schema as { body?: unknown } | undefined)?.body !== undefined;
  if (raw === undefined || raw === null || (Buffer.isBuffer(raw) && raw.length === 0)) {
    req.body = undefined;
    if (wantsBody) throw badRequest('expected a JSON body');
    return;
  }
  if (!Buffer.isBuffer(raw)) return;
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw badRequest('invalid JSON body');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw badRequest('expected a JSON object');
  req.body = value;
}

export type RouteModule = (ctx: AdminContext) => void;

/**
 * The plugin. `modules` register the routes (each a `(ctx) => void` calling adminRoute on
 * ctx.app); register it with `{ prefix: '/api/admin' }`, without fastify-plugin, so its hooks
 * stay inside.
 */
export function adminApi(modules: readonly RouteModule[]): FastifyPluginAsync<AdminApiOptions> {
  return async (app, { services, pipeline }) => {
    const auth = new AdminAuth(services);
    const routes: DocumentedRoute[] = [];

    app.addHook('onRoute', (route) => {
      const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter(
        (m) => m !== 'HEAD' && m !== 'OPTIONS',
      );
      if (methods.length === 0) return;
      const name = `${methods.join(',')} ${route.url}`;
      const schema = (route.schema ?? {}) as DocumentedRoute['schema'];
      const access = (route.config as { access?: RouteAccess } | undefined)?.access;
      if (!schema.summary)
        throw new Error(`admin route ${name} has no summary: declare it with adminRoute()`);
      if (!schema.response?.[200]) throw new Error(`admin route ${name} has no response schema`);
      if (!access) throw new Error(`admin route ${name} declares no access`);
      if (access.crateParam && !route.url.includes(`:${access.crateParam}`))
        throw new Error(`admin route ${name}: crateParam \`${access.crateParam}\` is not in its path`);
      for (const method of methods) routes.push({ method: method as Method, url: route.url, schema, access });
    });

    app.decorateRequest('adminActor', null);

    // The one authentication hook. onRequest runs before the body is read (Fastify parses it
    // after this), so an anonymous caller costs no body bytes and a refused one gets its answer
    // with the connection closed (see the server's error handler).
    app.addHook('onRequest', async (req) => {
      if (req.is404) return;
      const access = accessOf(req);
      if (!access) throw new Error(`admin route ${req.routeOptions.url} declares no access`);
      if (access.public) return;
      const { crateParam, crateQuery, public: _public, ...check } = access;
      const params = req.params as Record<string, string | undefined>;
      const actor = await auth.require(req, {
        ...check,
        ...(crateParam !== undefined ? { crate: params[crateParam] ?? '' } : {}),
      });
      const query = req.query as Record<string, unknown>;
      for (const key of crateQuery ?? []) {
        const value = query[key];
        if (typeof value === 'string' && value !== '') requireCrateAccess(actor, crateOfQuery(value));
      }
      req.adminActor = actor;
    });

    app.addHook('preValidation', async (req) => parseJsonBody(req));
    app.setSchemaErrorFormatter((errors, dataVar) => schemaError(errors as never, dataVar));

    // Admin answers are per-user and never cached; they may only be framed by nobody.
    app.addHook('onSend', async (_req, reply) => {
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
      reply.header('x-content-type-options', 'nosniff');
      reply.header('x-frame-options', 'DENY');
    });
    app.setNotFoundHandler((req, reply) =>
      reply.code(404).send(errorBody(`no such endpoint: ${req.method} ${req.url.slice(0, 200)}`)),
    );

    let document: Record<string, unknown> | null = null;
    adminRoute(
      app,
      {
        method: 'GET',
        url: '/openapi.json',
        summary: 'This description of the admin API (OpenAPI 3.1), made from the routes themselves',
        access: { public: true },
        response: OpenApiDocument,
      },
      async () => (document ??= openApiDocument(routes)) as never,
    );

    const ctx: AdminContext = { app, services, pipeline, auth };
    for (const register of modules) register(ctx);
  };
}
