// Cargo's web API: publish, yank/unyank, owners, search, download.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Transaction } from 'kysely';
import { requireScope, requireToken, tokenBeforeBody, tokenOf } from '../auth.js';
import type { BodyRouteConfig } from '../body-reader.js';
import { BlobCache } from '../blob-cache.js';
import { RegistryError, badRequest, forbidden, notFound } from '../errors.js';
import { rateLimited } from '../rate-limit-errors.js';
import { jsonBody } from '../json-body.js';
import { publishBodyInspector } from '../publish-body.js';
import type { RegistryServices } from '../services.js';
import type { RequestCeilings } from '../config.js';
import { INVITATION_DAYS } from '../../store/owner-invitations.js';
import type { AuthenticatedToken } from '../../store/tokens.js';
import type { CrateRow, Database, UserRow } from '../../store/schema.js';

/**
 * `per_page` and `page` of a search, refused with a 400 past the ceilings: a deep offset costs
 * the database a scan of every row before it, and nobody pages through 10,000 results.
 */
export function searchPaging(
  query: { per_page?: unknown; page?: unknown },
  ceilings: RequestCeilings,
): { perPage: number; page: number } {
  const whole = (v: unknown, name: string, fallback: number): number => {
    if (v === undefined || v === '') return fallback;
    if (typeof v !== 'string' || !/^\d{1,9}$/.test(v) || Number(v) < 1)
      throw badRequest(`\`${name}\` must be a whole number of at least 1`);
    return Number(v);
  };
  const perPage = whole(query.per_page, 'per_page', 10);
  if (perPage > ceilings.maxPerPage) throw badRequest(`\`per_page\` must be at most ${ceilings.maxPerPage}`);
  const page = whole(query.page, 'page', 1);
  if ((page - 1) * perPage >= ceilings.maxSearchOffset)
    throw badRequest(
      `the page is too deep: at most the first ${ceilings.maxSearchOffset} results can be paged through; refine the query instead`,
    );
  return { perPage, page };
}

/** A warning for a token that expires within `days`; null otherwise. */
export function expiryWarning(auth: AuthenticatedToken, days: number, now = Date.now()): string | null {
  const expires = auth.token.expires_at;
  if (!expires) return null;
  const left = Date.parse(expires) - now;
  if (left > days * 86_400_000) return null;
  const n = Math.max(1, Math.ceil(left / 86_400_000));
  return `the token used (\`${auth.token.name}\`, #${auth.token.id}) expires in ${n} day${n === 1 ? '' : 's'}, on ${expires}: replace it with \`cratekeeper token rotate ${auth.token.id}\` and update the secret where it is used`;
}

interface CrateVersionParams {
  name: string;
  version: string;
}

function client(req: FastifyRequest) {
  const ua = req.headers['user-agent'];
  return { ip: req.ip ?? null, userAgent: typeof ua === 'string' ? ua : null };
}

export function registerCratesApi(app: FastifyInstance, services: RegistryServices): void {
  const { crates, users, tokens, config } = services;

  const crateOr404 = async (name: string): Promise<CrateRow> => {
    const krate = await crates.findByName(name);
    if (!krate) throw notFound(`crate \`${name.slice(0, 100)}\` does not exist`);
    return krate;
  };

  /** Records what a token holder did through cargo in the audit log, in the action's transaction. */
  const audit = (
    trx: Transaction<Database>,
    req: FastifyRequest,
    auth: AuthenticatedToken,
    action: string,
    targetType: 'crate' | 'version',
    target: string,
    details: Record<string, unknown> = {},
  ) =>
    services.audit.append(
      {
        actorId: auth.user.id,
        actor: auth.user.login,
        action,
        targetType,
        target,
        details: { ...details, via: 'cargo', tokenId: auth.token.id },
        ip: req.ip ?? null,
      },
      new Date(),
      trx,
    );

  const requireOwner = async (auth: AuthenticatedToken, krate: CrateRow): Promise<void> => {
    if (!(await crates.isOwner(krate.id, auth.user.id))) {
      throw forbidden(`you are not an owner of crate \`${krate.name}\``);
    }
  };

  // Token routes with bodies authenticate from the headers before any body byte is read.
  const tokenFirst = tokenBeforeBody(tokens);

  const publishConfig: BodyRouteConfig = { inspectBody: () => publishBodyInspector(config.limits) };
  app.put(
    '/api/v1/crates/new',
    {
      bodyLimit: config.limits.maxUploadBytes + config.limits.maxMetadataBytes + 8,
      onRequest: tokenFirst,
      config: publishConfig,
    },
    async (req) => {
      const auth = tokenOf(req);
      if (!Buffer.isBuffer(req.body)) throw badRequest('expected a publish body');
      const { metrics } = services;
      try {
        const published = await services.publisher.publishBody(
          req.body,
          { user: auth.user, token: auth },
          client(req),
        );
        metrics.publishOutcome(published.version.status === 'quarantined' ? 'quarantined' : 'published');
        // Cargo prints `warnings.other` after the upload: the place a CI job's log shows it.
        const expiring = expiryWarning(auth, config.tokenExpiryWarningDays);
        if (expiring) published.warnings.other.push(expiring);
        return { warnings: published.warnings };
      } catch (err) {
        const status = err instanceof RegistryError ? err.status : 500;
        metrics.publishOutcome(status === 429 ? 'rate-limited' : status < 500 ? 'refused' : 'error');
        throw err;
      }
    },
  );

  const setYanked = (yanked: boolean) => async (req: FastifyRequest) => {
    const { name, version } = req.params as CrateVersionParams;
    const auth = tokenOf(req);
    requireScope(auth, 'yank', name);
    const krate = await crateOr404(name);
    await requireOwner(auth, krate);
    const v = await crates.findVersion(krate.id, version);
    if (!v) throw notFound(`crate \`${krate.name}\` does not have a version \`${version.slice(0, 100)}\``);
    if ((v.yanked === 1) !== yanked) {
      // The flag, the index file's Last-Modified and the audit entry commit together or not at all.
      await services.db.kysely.transaction().execute(async (trx) => {
        const now = new Date();
        // crates.io's yank bucket counts yanks and unyanks alike; a refusal changes nothing.
        const taken = await services.rateLimits.take({ userId: auth.user.id }, 'yank', now, trx);
        if (!taken.ok) throw rateLimited('yank', taken.retryAt, config.rateLimitContact, now);
        await crates.setYanked(v.id, yanked, now, trx);
        await crates.touch(krate.id, now, trx);
        await audit(trx, req, auth, yanked ? 'yank' : 'unyank', 'version', `${krate.name}@${v.num}`);
      });
      // Derived caches are dropped only once the change is visible to other readers.
      services.crateChanged(krate.name);
    }
    return { ok: true };
  };
  // Yank and unyank take no body; whatever is sent is not read for an unknown token either.
  const yankRoute = { onRequest: tokenFirst, bodyLimit: 64 * 1024 };
  app.delete('/api/v1/crates/:name/:version/yank', yankRoute, setYanked(true));
  app.put('/api/v1/crates/:name/:version/unyank', yankRoute, setYanked(false));

  app.get('/api/v1/crates/:name/owners', async (req) => {
    const { name } = req.params as { name: string };
    if (config.authRequired) await requireToken(tokens, req.headers.authorization);
    const krate = await crateOr404(name);
    const owners = await crates.owners(krate.id);
    return { users: owners.map((u) => ({ id: u.id, login: u.login, name: u.name })) };
  });

  // Adding an owner invites them, as on crates.io: they become an owner only by accepting
  // (routes/owner-invitations.ts). Removing also withdraws a pending invitation.
  const { invitations } = services;
  const changeOwners = (add: boolean) => async (req: FastifyRequest) => {
    const { name } = req.params as { name: string };
    const auth = tokenOf(req);
    requireScope(auth, 'change-owners', name);
    const krate = await crateOr404(name);
    await requireOwner(auth, krate);
    const body = jsonBody(req) as { users?: unknown; owners?: unknown };
    const logins = body.users ?? body.owners;
    if (!Array.isArray(logins) || logins.length === 0 || logins.some((l) => typeof l !== 'string')) {
      throw badRequest('expected `users`: a list of logins');
    }
    if (logins.length > 20) throw badRequest('at most 20 owners can be changed at once');
    const found: UserRow[] = [];
    for (const login of logins as string[]) {
      const user = await users.findByLogin(login);
      if (!user) throw notFound(`could not find user with login \`${login.slice(0, 60)}\``);
      if (!found.some((f) => f.id === user.id)) found.push(user);
    }
    const actor = { id: auth.user.id, login: auth.user.login };
    const context = { ip: req.ip ?? null, details: { via: 'cargo', tokenId: auth.token.id } };
    if (add) {
      for (const user of found) {
        if (await crates.isOwner(krate.id, user.id))
          throw badRequest(`\`${user.login}\` is already an owner`);
      }
      // One transaction: either every login is invited or none is.
      const msgs = await services.db.kysely.transaction().execute(async (trx) => {
        const out: string[] = [];
        for (const user of found) {
          const r = await invitations.invite(krate, user, actor, context, new Date(), trx);
          if (r.kind === 'already-owner') throw badRequest(`\`${user.login}\` is already an owner`);
          out.push(
            r.kind === 'renewed'
              ? `user ${user.login} already had a pending invitation to be an owner of crate ${krate.name}; it has been renewed for ${INVITATION_DAYS} days`
              : `user ${user.login} has been invited to be an owner of crate ${krate.name}`,
          );
        }
        return out;
      });
      // crates.io joins the messages for several logins with a comma.
      return { ok: true, msg: msgs.join(',') };
    }
    const current = await crates.owners(krate.id);
    const remaining = current.filter((o) => !found.some((f) => f.id === o.id));
    if (remaining.length === 0) throw badRequest('cannot remove all individual owners of a crate');
    // One transaction: every removal and withdrawal commits with its audit entry, or none does.
    const { removed, withdrawn } = await services.db.kysely.transaction().execute(async (trx) => {
      const out = { removed: [] as string[], withdrawn: [] as string[] };
      for (const user of found) {
        if (await crates.removeOwner(krate.id, user.id, trx)) {
          out.removed.push(user.login);
          await audit(trx, req, auth, 'owner-remove', 'crate', krate.name, { owner: user.login });
        }
        if (await invitations.cancel(krate, user, actor, context, new Date(), trx)) {
          out.withdrawn.push(user.login);
        }
      }
      return out;
    });
    const msgs = [
      ...(removed.length
        ? [`user ${removed.join(', ')} has been removed as an owner of crate ${krate.name}`]
        : []),
      ...(withdrawn.length
        ? [
            `the invitation of user ${withdrawn.join(', ')} to be an owner of crate ${krate.name} has been cancelled`,
          ]
        : []),
    ];
    if (msgs.length === 0)
      msgs.push(`${found.map((u) => u.login).join(', ')} did not own crate ${krate.name}`);
    return { ok: true, msg: msgs.join(',') };
  };
  const ownersRoute = { onRequest: tokenFirst, bodyLimit: 64 * 1024 };
  app.put('/api/v1/crates/:name/owners', ownersRoute, changeOwners(true));
  app.delete('/api/v1/crates/:name/owners', ownersRoute, changeOwners(false));

  app.get('/api/v1/crates', async (req) => {
    if (config.authRequired) await requireToken(tokens, req.headers.authorization);
    const query = req.query as { q?: string; per_page?: string; page?: string };
    const q = typeof query.q === 'string' ? query.q.slice(0, 200) : '';
    const { perPage, page } = searchPaging(query, config.ceilings);
    const key = q.trim().toLowerCase();
    await services.changes.sync(); // other processes' publishes change the totals too
    const known = services.searchTotals.get(key);
    const { total, crates: hits } = await crates.search(q, perPage, (page - 1) * perPage, known);
    if (known === undefined) services.searchTotals.set(key, total);
    return {
      crates: hits.map((h) => ({
        name: h.name,
        max_version: h.max_version,
        description: h.description,
        downloads: h.downloads,
      })),
      meta: { total },
    };
  });

  const blobCache = new BlobCache(services.blobs);
  app.get('/api/v1/crates/:name/:version/download', async (req, reply) => {
    const { name, version } = req.params as CrateVersionParams;
    if (config.authRequired) await requireToken(tokens, req.headers.authorization);
    // One query on the hot path; the crate lookup only tells a missing crate from a missing version.
    await services.changes.sync(); // a yank or quarantine in another process applies at once
    let v = services.downloadTargets.get(name, version);
    if (!v) {
      v = await crates.downloadTarget(name, version);
      if (v?.status === 'published') services.downloadTargets.set(name, version, v);
    }
    if (!v || v.status !== 'published') {
      const krate = v ? { name: v.crateName } : await crateOr404(name);
      throw notFound(
        `crate \`${krate.name}\` does not have a downloadable version \`${version.slice(0, 100)}\``,
      );
    }
    const bytes = await blobCache.get(v.checksum);
    if (!bytes) throw notFound(`the file of ${v.crateName}@${v.num} is missing from storage`);
    // Counted in memory, written in batches: a download is no database write.
    services.downloads.record(v.versionId);
    return reply
      .type('application/gzip')
      .header('content-disposition', `attachment; filename="${v.crateName}-${v.num}.crate"`)
      .header(
        'cache-control',
        config.authRequired ? 'private, max-age=31536000, immutable' : 'public, max-age=31536000, immutable',
      )
      .send(bytes);
  });
}
