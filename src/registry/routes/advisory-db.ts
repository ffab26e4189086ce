// This registry's own advisories as a database clients consume: `cratekeeper audit --db URL`
// reads the `.tar.gz`; extracted, `cargo audit --db DIR --no-fetch` reads it too.
import type { FastifyInstance } from 'fastify';
import { requireToken } from '../auth.js';
import { advisoryDbTarGz, ownAdvisoryFiles } from '../advisory-db.js';
import type { RegistryServices } from '../services.js';

export function registerAdvisoryDb(app: FastifyInstance, services: RegistryServices): void {
  const repo = services.security.advisorySync.advisories;
  app.get('/advisory-db.tar.gz', async (req, reply) => {
    if (services.config.authRequired) await requireToken(services.tokens, req.headers.authorization);
    const bytes = await advisoryDbTarGz(await ownAdvisoryFiles(repo));
    return reply
      .type('application/gzip')
      .header('content-disposition', 'attachment; filename="advisory-db.tar.gz"')
      .header('cache-control', 'no-cache')
      .send(bytes);
  });
}
