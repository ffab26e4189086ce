// The HTTP server: cargo's registry API and sparse index, with errors in the shape cargo
// prints (`{"errors":[{"detail":"…"}]}`).
import Fastify, { type FastifyInstance } from 'fastify';
import { RegistryError, errorBody } from './errors.js';
import { registerCratesApi } from './routes/crates-api.js';
import { registerOwnerInvitationRoutes } from './routes/owner-invitations.js';
import { registerSparseIndex } from './routes/sparse-index.js';
import type { RegistryServices } from './services.js';

export interface ServerOptions {
  logger?: boolean;
}

export function buildServer(services: RegistryServices, options: ServerOptions = {}): FastifyInstance {
  const app = Fastify({
    logger: options.logger
      ? {
          level: 'info',
          // Tokens and session cookies never reach the log.
          redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
        }
      : false,
    trustProxy: services.config.trustProxy,
    bodyLimit: 1024 * 1024,
  });

  // Bodies are read raw: cargo's publish body is binary, and owner changes are parsed by the
  // route so a bad body gets a cargo-shaped error rather than the framework's.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof RegistryError) {
      return reply.code(err.status).headers(err.headers).send(errorBody(err.detail, err.extra));
    }
    const e = err as { statusCode?: number; code?: string; message: string };
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.code(413).send(errorBody('the request body is larger than this registry accepts'));
    }
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      return reply.code(e.statusCode).send(errorBody(e.message));
    }
    req.log.error(err);
    return reply
      .code(500)
      .send(errorBody('internal server error; the registry administrators have the details in the log'));
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send(errorBody(`no such endpoint: ${req.method} ${req.url.slice(0, 200)}`)),
  );

  registerSparseIndex(app, services);
  registerCratesApi(app, services);
  registerOwnerInvitationRoutes(app, services);
  app.get('/health', async () => ({ ok: true }));
  return app;
}
