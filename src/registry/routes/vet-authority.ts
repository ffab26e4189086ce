// What the registry publishes as an audit authority: `GET /vet/audits.toml` (its criteria and
// every importable, validly signed audit, in cargo-vet's format, for `[imports.NAME] url = …`),
// auditors' public keys at `GET /vet/keys/LOGIN`, and crates.io's `GET /api/v1/crates/NAME`
// shape with `versions[].published_by` and `trustpub_data`, which cargo-vet reads to reify
// wildcard audits (`format.rs` `CratesAPICrate`).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { keyState } from '../../security/vet/key-validity.js';
import { requireToken } from '../auth.js';
import { notFound } from '../errors.js';
import type { RegistryServices } from '../services.js';

export function registerVetAuthorityRoutes(app: FastifyInstance, services: RegistryServices): void {
  const { config, tokens } = services;
  const gate = async (req: FastifyRequest) => {
    if (config.authRequired) await requireToken(tokens, req.headers.authorization);
  };
  const cacheControl = () => (config.authRequired ? 'private, no-cache' : 'public, max-age=60');

  app.get('/vet/audits.toml', async (req, reply) => {
    await gate(req);
    reply.header('content-type', 'text/plain; charset=utf-8').header('cache-control', cacheControl());
    return services.vet.auditsToml();
  });

  app.get('/vet/keys/:login', async (req, reply) => {
    await gate(req);
    const login = (req.params as { login: string }).login;
    const user = await services.users.findByLogin(login);
    const keys = user ? await services.vet.repo.keysOf(user.id) : [];
    // Users who never audited have no keys: the answer does not say whether the login exists.
    if (!user || keys.length === 0) throw notFound(`no auditor keys for \`${login.slice(0, 60)}\``);
    reply.header('cache-control', cacheControl());
    return {
      login: user.login,
      name: user.name,
      auditor: user.is_auditor === 1,
      keys: keys.map((k) => ({
        key_id: k.key_id,
        algorithm: 'ed25519',
        public_key: k.public_key,
        // Valid for audits recorded from created_at until retired_at; none once revoked_at is set.
        created_at: k.created_at,
        retired_at: k.retired_at,
        revoked_at: k.revoked_at,
        status: keyState(k),
      })),
    };
  });

  app.get('/api/v1/crates/:name', async (req, reply) => {
    await gate(req);
    const name = (req.params as { name: string }).name;
    const krate = await services.crates.findByName(name);
    if (!krate) throw notFound(`crate \`${name.slice(0, 100)}\` does not exist`);
    // Only versions in the index: a quarantined or rejected one is not public.
    const versions = (await services.crates.versions(krate.id)).filter((v) => v.status === 'published');
    const publisherIds = [
      ...new Set(versions.map((v) => v.published_by).filter((id): id is number => id !== null)),
    ];
    const publishers = new Map(
      (await Promise.all(publisherIds.map((id) => services.users.findById(id))))
        .filter((u) => u !== undefined)
        .map((u) => [u.id, u]),
    );
    reply.header(
      'cache-control',
      config.authRequired ? 'private, no-cache' : 'public, max-age=0, must-revalidate',
    );
    const newest = [...versions].reverse()[0]?.num ?? null;
    return {
      crate: {
        id: krate.name,
        name: krate.name,
        description: krate.description,
        homepage: krate.homepage,
        documentation: krate.documentation,
        repository: krate.repository,
        created_at: krate.created_at,
        updated_at: krate.updated_at,
        max_version: krate.max_version,
        newest_version: newest,
        downloads: krate.downloads,
        versions: versions.map((v) => v.id).reverse(),
      },
      versions: [...versions].reverse().map((v) => {
        const by = v.published_by === null ? undefined : publishers.get(v.published_by);
        return {
          id: v.id,
          crate: krate.name,
          num: v.num,
          created_at: v.published_at,
          updated_at: v.yanked_at ?? v.published_at,
          yanked: v.yanked === 1,
          checksum: v.checksum,
          crate_size: v.size,
          license: v.license,
          rust_version: v.rust_version,
          dl_path: `/api/v1/crates/${krate.name}/${v.num}/download`,
          published_by: by ? { id: by.id, login: by.login, name: by.name, avatar: null, url: null } : null,
          // This registry has no trusted publishing: every publish is by a token's owner.
          trustpub_data: null,
        };
      }),
    };
  });
}
