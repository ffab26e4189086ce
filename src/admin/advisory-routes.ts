// Advisories in the admin API: the list, one advisory with its blast radius, and operators'
// own advisories for this registry's crates (authored in RustSec format, validated by the
// RustSec reader, audit-logged with a reason, withdrawn rather than deleted).
//
// Authored advisories get ids `<prefix>-<year>-<NNNN>` (`CK-2026-0001` by default): rustsec
// reads any id outside RUSTSEC/CVE/GHSA/TALOS as kind `Other`, so cargo-audit loads them. Their
// `source` is this registry's index, so they apply to this registry's crates only.
import { canonicalCrateName } from '../domain/crate-name.js';
import type { Transaction } from 'kysely';
import {
  AdvisoryFormatError,
  DRAFT_ADVISORY_ID,
  formatAdvisoryMarkdown,
  parseAdvisoryMarkdown,
} from '../formats/advisory-markdown.js';
import type { MaliciousOutcome } from '../jobs/advisory-sync.js';
import { RegistryError, badRequest, notFound } from '../registry/errors.js';
import { stringField } from '../registry/json-body.js';
import type { Advisory } from '../security/advisories/advisory.js';
import { advisoryAppliesToSource } from '../security/advisories/ranges.js';
import { advisoryScope, affectedNums } from '../security/advisories/registry-scope.js';
import { toAdvisory } from '../store/advisories.js';
import type { AdvisoryRow, Database } from '../store/schema.js';
import {
  AdvisoryBody,
  AdvisoryDetail,
  AdvisoryList,
  AdvisoryQuery,
  AdvisoryWriteAnswer,
  Params,
  ReasonBody,
  type AdvisorySummary,
  type VersionAdvisory,
} from './api-types.js';
import { advisoryBlastRadius } from './advisory-impact.js';
import { requireCrateAccess, type AdminActor } from './auth.js';
import { actorOf, adminRoute, type AdminContext } from './plugin.js';

/** Largest advisory file accepted from an operator (RustSec's largest is ~30 KB). */
export const MAX_AUTHORED_MARKDOWN = 64 * 1024;
const AUTHOR_BODY_LIMIT = 128 * 1024;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const int = (v: string | undefined, fallback: number, max: number) =>
  Math.min(Math.max(Number.parseInt(v ?? '', 10) || fallback, 0), max);

export function registerAdvisoryRoutes({ app, services, pipeline }: AdminContext): void {
  const sync = pipeline.advisorySync;
  const repo = sync.advisories;
  const db = services.db.kysely;

  const present = async (names: string[]): Promise<Set<string>> => {
    if (names.length === 0) return new Set();
    const rows = await db
      .selectFrom('crates')
      .select('canonical_name')
      .where('canonical_name', 'in', [...new Set(names)])
      .execute();
    return new Set(rows.map((r) => r.canonical_name));
  };

  const summary = (row: AdvisoryRow, isPresent: boolean) => advisorySummary(row, isPresent, sync.identity());

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/advisories',
      summary: 'Advisories held by the registry (synced and authored)',
      access: { allCrates: true },
      query: AdvisoryQuery,
      response: AdvisoryList,
    },
    async (req) => {
      const q = req.query;
      if (q.origin && q.origin !== 'synced' && q.origin !== 'authored')
        throw badRequest('`origin` must be `synced` or `authored`');
      const { total, advisories } = await repo.list({
        ...(q.q ? { q: q.q.slice(0, 100) } : {}),
        ...(q.category ? { category: q.category.slice(0, 64) } : {}),
        ...(q.origin ? { origin: q.origin as 'synced' | 'authored' } : {}),
        ...(q.crate ? { package: q.crate.slice(0, 64) } : {}),
        presentOnly: q.present === 'true',
        includeWithdrawn: q.withdrawn === 'true',
        limit: int(q.per_page, 50, 500),
        offset: int(q.offset, 0, Number.MAX_SAFE_INTEGER),
      });
      const here = await present(advisories.map((a) => a.canonical_package));
      return { total, advisories: advisories.map((a) => summary(a, here.has(a.canonical_package))) };
    },
  );

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/advisories/:id',
      summary: 'An advisory: its fields, the versions here it affects, and its blast radius with owners',
      // The advisory's crate is checked against a crate-limited token once it is read.
      access: {},
      params: Params.id,
      response: AdvisoryDetail,
    },
    async (req) => {
      const row = await advisoryOr404(req.params.id);
      requireCrateAccess(actorOf(req), row.package);
      const a = toAdvisory(row);
      const krate = row.collection === 'crates' ? await services.crates.findByName(row.package) : undefined;
      const versions = krate ? await services.crates.versions(krate.id) : [];
      const affected = new Set(
        affectedNums(
          a,
          versions.map((v) => v.num),
        ),
      );
      const affectedVersions = versions
        .filter((v) => affected.has(v.num))
        .map((v) => ({ num: v.num, status: v.status, yanked: v.yanked === 1 }));
      const blastRadius = krate
        ? await advisoryBlastRadius(
            db,
            await services.graph.get(),
            krate.name,
            affectedVersions.map((v) => v.num),
          )
        : null;
      const m = a.metadata;
      return {
        advisory: {
          ...summary(row, krate !== undefined),
          description: m.description,
          aliases: m.aliases,
          related: m.related,
          keywords: m.keywords,
          cvss: m.cvss,
          references: m.references,
          url: m.url,
          patched: a.versions.patched,
          unaffected: a.versions.unaffected,
          affectedFunctions: a.affected?.functions ?? {},
          markdown: row.markdown,
          author: row.author,
          createdAt: row.created_at,
          updatedAt: row.updated_at,
        },
        affectedVersions,
        blastRadius,
      };
    },
  );

  const advisoryOr404 = async (id: string): Promise<AdvisoryRow> => {
    const row = id.length <= 200 ? await repo.get(id) : undefined;
    if (!row) throw notFound(`no advisory \`${id.slice(0, 100)}\``);
    return row;
  };

  /** Reads, validates and completes an operator's advisory: this registry's source, the id given. */
  const readAuthored = async (
    body: { markdown: string; reason: string },
    actor: AdminActor,
    id: string | null,
  ): Promise<{ reason: string; advisory: Advisory; markdown: string; crate: string }> => {
    const markdown = body.markdown;
    if (typeof markdown !== 'string' || markdown.trim() === '')
      throw badRequest('`markdown` is required: the advisory in RustSec format');
    if (markdown.length > MAX_AUTHORED_MARKDOWN)
      throw new RegistryError(413, `the advisory is too long (at most ${MAX_AUTHORED_MARKDOWN} characters)`);
    const reason = stringField(body, 'reason', { min: 3 });
    // PostgreSQL text cannot hold NUL, and no advisory needs one.
    if (markdown.includes('\0')) throw badRequest('the advisory contains a NUL character');
    // A lone surrogate (possible through JSON escapes) would be stored as U+FFFD: refuse it.
    if (LONE_SURROGATE.test(markdown))
      throw badRequest('the advisory is not valid Unicode (a lone surrogate)');
    let parsed: Advisory;
    try {
      parsed = parseAdvisoryMarkdown(markdown.replace(/\r\n/g, '\n'), {
        collection: 'crates',
        database: 'local',
        file: 'authored',
      });
    } catch (err) {
      if (err instanceof AdvisoryFormatError)
        throw badRequest(`not a valid RustSec advisory: ${err.message}`);
      throw err;
    }
    const m = parsed.metadata;
    // The token's crate patterns are checked before anything else about the crate is told.
    requireCrateAccess(actor, m.package);
    const krate = await services.crates.findByName(m.package);
    if (!krate)
      throw badRequest(
        `\`${m.package}\` is not a crate in this registry; advisories are authored for its own crates`,
      );
    const own = sync.identity().source;
    if (m.source !== null && !advisoryAppliesToSource(parsed, own))
      throw badRequest(`\`source\` must be this registry (${own}) or left out`);
    if (id === null && m.id !== DRAFT_ADVISORY_ID)
      throw badRequest(`leave \`id = "${DRAFT_ADVISORY_ID}"\`: the registry assigns the id`);
    if (id !== null && m.id !== DRAFT_ADVISORY_ID && m.id !== id)
      throw badRequest(`the advisory's id is ${m.id}, not ${id}`);
    if (id === null && m.withdrawn !== null)
      throw badRequest('a new advisory cannot be withdrawn; withdraw it once it exists');
    const advisory: Advisory = {
      ...parsed,
      metadata: { ...m, id: id ?? DRAFT_ADVISORY_ID, package: krate.name, source: own },
    };
    try {
      // What the registry will serve must read back (the writer refuses e.g. lone surrogates).
      formatAdvisoryMarkdown(advisory);
    } catch (err) {
      if (err instanceof AdvisoryFormatError) throw badRequest(`cannot store this advisory: ${err.message}`);
      throw err;
    }
    return { reason, advisory, markdown, crate: krate.name };
  };

  /** Writes the advisory with its audit entry and what a malicious one sets off, in one transaction. */
  const write = async (
    trx: Transaction<Database>,
    actor: AdminActor,
    advisory: Advisory,
    action: string,
    reason: string,
  ): Promise<MaliciousOutcome | null> => {
    const file = formatAdvisoryMarkdown({
      ...advisory,
      origin: { database: 'local', file: `${advisory.metadata.id}.md` },
    });
    await repo.upsert(
      {
        advisory: {
          ...advisory,
          origin: {
            database: 'local',
            file: `crates/${advisory.metadata.package}/${advisory.metadata.id}.md`,
          },
        },
        markdown: file,
        origin: 'authored',
        author: { id: actor.user.id, login: actor.user.login },
      },
      new Date(),
      trx,
    );
    await services.audit.append(
      {
        actorId: actor.user.id,
        actor: actor.user.login,
        action,
        targetType: 'advisory',
        target: advisory.metadata.id,
        reason,
        details: {
          crate: advisory.metadata.package,
          title: advisory.metadata.title,
          categories: advisory.metadata.categories,
          withdrawn: advisory.metadata.withdrawn,
          via: actor.session ? 'console' : 'token',
        },
        ip: actor.ip,
      },
      new Date(),
      trx,
    );
    return sync.actOnMalicious(trx, advisory, {
      actor: actor.user.login,
      actorId: actor.user.id,
      reason: action,
    });
  };

  const answer = (id: string, outcome: MaliciousOutcome | null): AdvisoryWriteAnswer => {
    if (outcome && outcome.quarantined.length > 0) services.crateChanged(outcome.crate);
    pipeline.queue.ready();
    return { id, quarantined: outcome?.quarantined ?? [], alertId: outcome?.alertId ?? null };
  };

  adminRoute(
    app,
    {
      method: 'POST',
      url: '/advisories',
      summary: "Author an advisory for one of this registry's crates (RustSec Markdown, id assigned)",
      // The crate is named in the advisory: checked against a crate-limited token once parsed.
      access: {},
      body: AdvisoryBody,
      response: AdvisoryWriteAnswer,
      bodyLimit: AUTHOR_BODY_LIMIT,
    },
    async (req) => {
      const actor = actorOf(req);
      const { reason, advisory } = await readAuthored(req.body, actor, null);
      const year = new Date().getUTCFullYear();
      // Two operators at once may pick the same next id: the loser's insert fails and retries.
      for (let attempt = 0; ; attempt++) {
        try {
          const { id, outcome } = await db.transaction().execute(async (trx) => {
            const id = await repo.nextAuthoredId(sync.idPrefix, year, trx);
            const withId = { ...advisory, metadata: { ...advisory.metadata, id } };
            if (await repo.get(id, trx)) throw new Error('id taken');
            return { id, outcome: await write(trx, actor, withId, 'advisory-create', reason) };
          });
          return answer(id, outcome);
        } catch (err) {
          if (attempt >= 2 || err instanceof RegistryError) throw err;
        }
      }
    },
  );

  adminRoute(
    app,
    {
      method: 'PUT',
      url: '/advisories/:id',
      summary: 'Replace an authored advisory',
      access: {},
      params: Params.id,
      body: AdvisoryBody,
      response: AdvisoryWriteAnswer,
      bodyLimit: AUTHOR_BODY_LIMIT,
    },
    async (req) => {
      const actor = actorOf(req);
      const existing = await advisoryOr404(req.params.id);
      requireCrateAccess(actor, existing.package);
      if (existing.origin !== 'authored')
        throw badRequest(
          `${existing.id} was synced from ${existing.database}; only advisories authored here can be edited`,
        );
      const { reason, advisory, crate } = await readAuthored(req.body, actor, existing.id);
      if (canonicalCrateName(crate) !== existing.canonical_package)
        throw badRequest(
          `${existing.id} is for \`${existing.package}\`; author a new advisory for another crate`,
        );
      const outcome = await db
        .transaction()
        .execute((trx) => write(trx, actor, advisory, 'advisory-update', reason));
      return answer(existing.id, outcome);
    },
  );

  adminRoute(
    app,
    {
      method: 'POST',
      url: '/advisories/:id/withdraw',
      summary: 'Withdraw an authored advisory',
      access: {},
      params: Params.id,
      body: ReasonBody,
      response: AdvisoryWriteAnswer,
    },
    async (req) => {
      const actor = actorOf(req);
      const existing = await advisoryOr404(req.params.id);
      requireCrateAccess(actor, existing.package);
      const reason = stringField(req.body, 'reason', { min: 3 });
      if (existing.origin !== 'authored')
        throw badRequest(`${existing.id} was synced from ${existing.database}; its database withdraws it`);
      if (existing.withdrawn !== null)
        throw badRequest(`${existing.id} was withdrawn on ${existing.withdrawn}`);
      const a = toAdvisory(existing);
      const withdrawn: Advisory = {
        ...a,
        metadata: { ...a.metadata, withdrawn: new Date().toISOString().slice(0, 10) },
      };
      const outcome = await db
        .transaction()
        .execute((trx) => write(trx, actor, withdrawn, 'advisory-withdraw', reason));
      return answer(existing.id, outcome);
    },
  );
}

export function advisorySummary(
  row: AdvisoryRow,
  isPresent: boolean,
  identity: Parameters<typeof advisoryScope>[1],
): AdvisorySummary {
  return {
    id: row.id,
    package: row.package,
    title: row.title,
    date: row.date,
    categories: JSON.parse(row.categories) as string[],
    informational: row.informational,
    withdrawn: row.withdrawn,
    source: row.source,
    origin: row.origin,
    database: row.database,
    present: isPresent,
    scope: advisoryScope(toAdvisory(row), identity),
  };
}

/** The advisories a crate's versions carry, as the crate page shows them. */
export function versionAdvisories(
  rows: readonly AdvisoryRow[],
  nums: readonly string[],
  identity: Parameters<typeof advisoryScope>[1],
): Map<string, VersionAdvisory[]> {
  const out = new Map<string, VersionAdvisory[]>(nums.map((n) => [n, []]));
  for (const row of rows) {
    if (row.collection !== 'crates') continue;
    const a = toAdvisory(row);
    // Withdrawn advisories are listed against the versions they named, flagged as withdrawn.
    const live = a.metadata.withdrawn === null ? a : { ...a, metadata: { ...a.metadata, withdrawn: null } };
    const entry: VersionAdvisory = {
      id: row.id,
      title: row.title,
      informational: row.informational,
      categories: a.metadata.categories,
      withdrawn: row.withdrawn,
      patched: a.versions.patched,
      scope: advisoryScope(a, identity),
    };
    for (const num of affectedNums(live, nums)) out.get(num)?.push(entry);
  }
  return out;
}
