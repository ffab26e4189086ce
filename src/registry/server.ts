// The HTTP server: cargo's registry API and sparse index, with errors in the shape cargo
// prints (`{"errors":[{"detail":"…"}]}`).
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { DEFAULT_BODY_TIMEOUTS, readBody, type BodyRouteConfig } from './body-reader.js';
import { RegistryError, badRequest, errorBody } from './errors.js';
import { registerAdvisoryDb } from './routes/advisory-db.js';
import { registerCratesApi } from './routes/crates-api.js';
import { registerVetAuthorityRoutes } from './routes/vet-authority.js';
import { registerOwnerInvitationRoutes } from './routes/owner-invitations.js';
import { registerSecurityStatus } from './routes/security-status.js';
import { registerSparseIndex } from './routes/sparse-index.js';
import { BlobStoreUnavailableError } from '../store/blob-store.js';
import { isDatabaseUnavailable } from '../store/database.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerMetricsRoute } from './routes/metrics.js';
import { rateLimited } from './rate-limit-errors.js';
import { securityHeaders } from './security-headers.js';
import type { RegistryServices } from './services.js';

export interface ServerOptions {
  /** Log every request (info level). Without it, only errors are logged: every 5xx still is. */
  logger?: boolean;
  /** Where log lines go (standard error by default). */
  logStream?: NodeJS.WritableStream;
  /** Stall and total deadlines for request bodies. */
  bodyTimeouts?: { idleMs: number; totalMs: number };
}

const INTERNAL_ERROR = (id: string) =>
  `internal server error; the registry administrators can find the details in the log under request id ${id}`;

/** The 400 for a URL that cannot be what cargo sends; null when it is fine. */
function urlProblem(url: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(url);
  } catch {
    return 'malformed percent-encoding in the URL';
  }
  if (decoded.includes('\0')) return 'the URL contains a NUL byte';
  return null;
}

/**
 * Without `--log` Fastify's logger stays off (a child logger per request costs a third of the
 * index's throughput); failures are still written, one JSON line each, with the request id.
 */
function errorLine(stream: NodeJS.WritableStream, reqId: string, req: FastifyRequest, err: unknown): void {
  const e = err instanceof Error ? err : new Error(String(err));
  stream.write(
    JSON.stringify({
      level: 50,
      time: Date.now(),
      reqId,
      req: { method: req.method, url: req.url.slice(0, 500) },
      err: { type: e.name, message: e.message, stack: e.stack },
      msg: 'request failed',
    }) + '\n',
  );
}

/** An incoming X-Request-Id is kept when it is short and plain (it goes into every log line). */
const SANE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:/@+=-]{0,127}$/;

/**
 * What the log never shows: tokens, cookies, CSRF tokens, passwords. Fastify's request
 * serializer logs no headers or bodies, but a log call that passes a request, a reply or a
 * body still goes through these paths.
 */
export const LOG_REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'body.password',
  'password',
  'token',
  'csrfToken',
];

export function buildServer(services: RegistryServices, options: ServerOptions = {}): FastifyInstance {
  const timeouts = options.bodyTimeouts ?? DEFAULT_BODY_TIMEOUTS;
  const idPrefix = randomBytes(6).toString('base64url');
  let requestCount = 0;
  const app = Fastify({
    logger: options.logger
      ? {
          level: 'info',
          redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
          stream: options.logStream ?? process.stderr,
        }
      : false,
    // An id from a proxy in front is kept, so one id follows the request through both logs.
    // Otherwise: unique across processes (a random prefix per server) and cheap (a counter),
    // so an id in an error body finds one log line.
    requestIdHeader: false,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      if (typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming)) return incoming;
      return `req-${idPrefix}-${(++requestCount).toString(36)}`;
    },
    trustProxy: services.config.trustProxy,
    bodyLimit: 1024 * 1024,
    // Route schemas (the admin API's) check what clients send as sent: a number is not a
    // string. Fastify's default would turn `{"notes": 3}` into "3" before the handler sees it.
    ajv: { customOptions: { coerceTypes: false } },
    // Bad percent-encoding in a path is the client's error, in cargo's shape.
    frameworkErrors: (err, _req, res) => {
      void (res as FastifyReply)
        .code(400)
        .header('connection', 'close')
        .send(
          errorBody(err.code === 'FST_ERR_BAD_URL' ? 'malformed percent-encoding in the URL' : err.message),
        );
    },
    // Requests Node's parser refuses (NUL or control bytes in headers, bad framing, header timeouts).
    clientErrorHandler: (err: NodeJS.ErrnoException, socket) => {
      if (!socket.writable) return socket.destroy();
      const [status, reason] =
        err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout']
          : err.code === 'HPE_HEADER_OVERFLOW'
            ? [431, 'Request Header Fields Too Large']
            : [400, 'Bad Request'];
      const body = JSON.stringify(
        errorBody(
          `malformed request: ${status === 400 ? 'the request line or a header is invalid' : reason}`,
        ),
      );
      socket.end(
        `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    },
  });

  // Before routing work: a NUL byte or broken percent-encoding anywhere in the URL, its params or
  // its query never reaches a route (PostgreSQL refuses NUL in text: that would be a 500).
  // Params and query are decoded from the URL, so checking the decoded URL covers them; a URL
  // with neither `%` nor NUL (nearly every request) needs no decoding at all.
  app.addHook('onRequest', (req, reply, done) => {
    void reply.header('x-request-id', String(req.id));
    const url = req.url;
    const problem = url.includes('%') || url.includes('\0') ? urlProblem(url) : null;
    done(problem ? badRequest(problem) : undefined);
  });

  // Every answer, errors and 404s included, carries the security headers; a route that set
  // its own (the console's CSP) keeps it.
  const headers = securityHeaders(services.config);
  app.addHook('onSend', (_req, reply, _payload, done) => {
    for (const [name, value] of headers) if (!reply.hasHeader(name)) void reply.header(name, value);
    done();
  });

  // Requests by route pattern (not the URL: crate names would make a label per crate).
  const { metrics } = services;
  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const method = req.method;
    metrics.requests.inc({ method, route, status: String(reply.statusCode) });
    metrics.requestSeconds.observe({ method, route }, reply.elapsedTime / 1000);
    done();
  });

  // A ceiling on how far any listing may be paged (the admin API's `offset`): a deep offset
  // makes the database walk every row before it.
  const { ceilings } = services.config;
  app.addHook('preValidation', (req, _reply, done) => {
    const offset = (req.query as Record<string, unknown> | undefined)?.offset;
    if (offset !== undefined) {
      if (typeof offset !== 'string' || !/^\d{1,9}$/.test(offset))
        return done(badRequest('`offset` must be a whole number'));
      if (Number(offset) > ceilings.maxSearchOffset)
        return done(
          badRequest(`\`offset\` must be at most ${ceilings.maxSearchOffset}; narrow the query instead`),
        );
    }
    done();
  });

  // Console sign-ins, counted per client address in the shared database (the failure throttle
  // of LoginThrottle comes on top, per login).
  app.addHook('preHandler', async (req) => {
    if (req.method !== 'POST' || req.routeOptions.url !== '/api/admin/session') return;
    const now = new Date();
    const taken = await services.rateLimits.take({ ip: req.ip ?? null }, 'sign-in', now);
    if (!taken.ok) throw rateLimited('sign-in', taken.retryAt, services.config.rateLimitContact, now);
  });

  // Bodies are read raw: cargo's publish body is binary, and owner changes are parsed by the
  // route so a bad body gets a cargo-shaped error rather than the framework's. They are streamed
  // with the route's limit and cut when they stall.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (req, payload, done) => {
    const config = req.routeOptions.config as BodyRouteConfig;
    const length = Number.parseInt(req.headers['content-length'] ?? '', 10);
    readBody(payload, {
      limit: req.routeOptions.bodyLimit ?? 1024 * 1024,
      declaredLength: Number.isFinite(length) ? length : null,
      ...timeouts,
      ...(config.inspectBody ? { inspect: config.inspectBody() } : {}),
    }).then(
      (body) => done(null, body),
      (err: Error) => done(err, undefined),
    );
  });

  const logFailure = (req: FastifyRequest, err: unknown) => {
    if (options.logger) req.log.error({ err }, 'request failed');
    else errorLine(options.logStream ?? process.stderr, String(req.id), req, err);
  };

  app.setErrorHandler((err, req, reply) => {
    // A reply before the body was read (a refused token, a refused length, a stall) closes the
    // connection, so the rest of the body is never read.
    if (!req.raw.complete) void reply.header('connection', 'close');
    if (err instanceof RegistryError) {
      if (err.status >= 500) logFailure(req, err);
      return reply.code(err.status).headers(err.headers).send(errorBody(err.detail, err.extra));
    }
    const e = err as { statusCode?: number; code?: string; message: string };
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.code(413).send(errorBody('the request body is larger than this registry accepts'));
    }
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      return reply.code(e.statusCode).send(errorBody(e.message));
    }
    // A backend down for the moment (PostgreSQL restarting, the S3 endpoint unreachable) is a
    // 503 with Retry-After: cargo and load balancers retry it, and nothing was committed. It is
    // logged as a warning without a stack: an outage makes one per request.
    const unavailable =
      err instanceof BlobStoreUnavailableError
        ? 'file store'
        : isDatabaseUnavailable(err)
          ? 'database'
          : null;
    if (unavailable && options.logger)
      req.log.warn({ backend: unavailable, error: e.message }, 'backend unavailable');
    else logFailure(req, err);
    if (unavailable) {
      return reply
        .code(503)
        .header('retry-after', '1')
        .send(
          errorBody(
            `the registry's ${unavailable} is unavailable for the moment; try again (request ${String(req.id)})`,
          ),
        );
    }
    return reply.code(500).send(errorBody(INTERNAL_ERROR(String(req.id))));
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send(errorBody(`no such endpoint: ${req.method} ${req.url.slice(0, 200)}`)),
  );

  registerSparseIndex(app, services);
  registerCratesApi(app, services);
  registerOwnerInvitationRoutes(app, services);
  registerSecurityStatus(app, services);
  registerAdvisoryDb(app, services);
  registerVetAuthorityRoutes(app, services);
  registerHealthRoutes(app, services);
  registerMetricsRoute(app, services);
  return app;
}
