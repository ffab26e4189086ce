// This registry's own advisories as a database clients consume: `cratekeeper audit --db URL`
// reads the `.tar.gz`; extracted, `cargo audit --db DIR --no-fetch` reads it too. The same
// advisories as OSV JSON: one per id, or all of them in `all.zip` as osv.dev serves them.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { formatOsv } from '../../formats/advisory-osv.js';
import { writeZip } from '../../formats/zip-writer.js';
import { toAdvisory } from '../../store/advisories.js';
import { requireToken } from '../auth.js';
import { advisoryDbTarGz, ownAdvisoryFiles } from '../advisory-db.js';
import { notFound } from '../errors.js';
import type { RegistryServices } from '../services.js';

export function registerAdvisoryDb(app: FastifyInstance, services: RegistryServices): void {
  const repo = services.security.advisorySync.advisories;
  const allowed = async (req: FastifyRequest) => {
    if (services.config.authRequired) await requireToken(services.tokens, req.headers.authorization);
  };
  const osv = (row: Awaited<ReturnType<typeof repo.authored>>[number]) =>
    formatOsv(toAdvisory(row), { modified: row.updated_at.replace(/\.\d{3}Z$/, 'Z') });

  app.get('/advisory-db.tar.gz', async (req, reply) => {
    await allowed(req);
    const bytes = await advisoryDbTarGz(await ownAdvisoryFiles(repo));
    return reply
      .type('application/gzip')
      .header('content-disposition', 'attachment; filename="advisory-db.tar.gz"')
      .header('cache-control', 'no-cache')
      .send(bytes);
  });

  // osv.dev's layout: every advisory as `<id>.json` in one zip.
  app.get('/advisory-db/osv/all.zip', async (req, reply) => {
    await allowed(req);
    const rows = await repo.authored();
    const zip = writeZip(
      rows.map((r) => ({ name: `${r.id}.json`, data: `${JSON.stringify(osv(r), null, 2)}\n` })),
    );
    return reply
      .type('application/zip')
      .header('content-disposition', 'attachment; filename="all.zip"')
      .header('cache-control', 'no-cache')
      .send(zip);
  });

  app.get('/advisory-db/osv/:file', async (req, reply) => {
    await allowed(req);
    const file = (req.params as { file: string }).file;
    const id = file.endsWith('.json') ? file.slice(0, -5) : null;
    const row = id && id.length <= 200 ? await repo.get(id) : undefined;
    // Only this registry's own advisories: synced ones are served by their databases.
    if (!row || row.origin !== 'authored')
      throw notFound(`no advisory \`${file.slice(0, 100)}\` in this registry's database`);
    return reply.header('cache-control', 'no-cache').send(osv(row));
  });
}
