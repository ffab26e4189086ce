// The sparse index (cargo's `sparse+` protocol): config.json and one file per crate, with
// ETag / Last-Modified revalidation so cargo's cache costs one 304.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { nameFromIndexPath } from '../../domain/index-path.js';
import { requireToken } from '../auth.js';
import { errorBody } from '../errors.js';
import type { RegistryServices } from '../services.js';

export function registerSparseIndex(app: FastifyInstance, services: RegistryServices): void {
  const { config } = services;

  const guard = async (req: FastifyRequest, reply: FastifyReply): Promise<boolean> => {
    if (!config.authRequired) return true;
    if (!req.headers.authorization) {
      // Cargo fetches config.json anonymously first; a 401 tells it to send the token.
      void reply
        .code(401)
        .header('www-authenticate', 'Cargo login_url="' + config.publicUrl + '/"')
        .send(errorBody('this registry requires authentication: configure a token for it'));
      return false;
    }
    await requireToken(services.tokens, req.headers.authorization);
    return true;
  };

  app.get('/index/config.json', async (req, reply) => {
    if (!(await guard(req, reply))) return reply;
    const body: Record<string, unknown> = {
      dl: `${config.publicUrl}/api/v1/crates`,
      api: config.publicUrl,
    };
    if (config.authRequired) body['auth-required'] = true;
    return reply.header('cache-control', 'no-cache').send(body);
  });

  app.get('/index/*', async (req, reply) => {
    if (!(await guard(req, reply))) return reply;
    const path = (req.params as { '*': string })['*'];
    const name = nameFromIndexPath(path);
    if (!name) return reply.code(404).send(errorBody(`not an index path: ${path.slice(0, 200)}`));
    // A name no crate can have is answered by the cache without an entry or a database query.
    const file = await services.indexCache.get(name);
    if (!file)
      return reply.code(404).send(errorBody(`no crate named \`${name.slice(0, 100)}\` in this registry`));
    reply.header('etag', file.etag).header('last-modified', file.lastModified);
    // Private index files must not be stored by shared caches.
    reply.header(
      'cache-control',
      config.authRequired ? 'private, no-cache' : 'public, max-age=0, must-revalidate',
    );
    const inm = req.headers['if-none-match'];
    if (inm && inm.split(',').some((t) => t.trim() === file.etag)) return reply.code(304).send();
    const ims = req.headers['if-modified-since'];
    if (!inm && ims && ims === file.lastModified) return reply.code(304).send();
    return reply.type('text/plain; charset=utf-8').send(file.body);
  });
}
