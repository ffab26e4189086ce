// Source analysis in the admin API: what the `analyze` job stored for each version (cargo-geiger's
// unsafe counts, the crates and functions it calls), who in the registry calls a crate, which
// dependents call an advisory's affected functions, and the crates with the most unsafe code.
// Shapes: src/admin/analysis-types.ts.
import { badRequest, notFound } from '../registry/errors.js';
import { toAdvisory } from '../store/advisories.js';
import type { CrateRow, VersionRow } from '../store/schema.js';
import { advisoryCallers, topUnsafe, versionAnalysis, versionListEntry } from './analysis-reads.js';
import type { AdvisoryCallersAnswer, CrateAnalysisList, VersionAnalysisAnswer } from './analysis-types.js';
import { TopUnsafeAnswer, TopUnsafeQuery } from './api-types.js';
import type { Schema } from './api-schema.js';
import { requireCrateAccess } from './auth.js';
import { actorOf, adminRoute, type AdminContext } from './plugin.js';

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const num = { type: 'number' } as const;
const bool = { type: 'boolean' } as const;
const nullable = (t: 'string' | 'integer' | 'number' | 'boolean') => ({ type: [t, 'null'] }) as const;
const obj = (properties: Record<string, unknown>) => ({
  type: 'object',
  properties,
  required: Object.keys(properties),
  additionalProperties: false,
});
const list = (items: unknown) => ({ type: 'array', items });
const status = { type: 'string', enum: ['analyzed', 'failed', 'pending'] } as const;
const count = obj({ safe: int, unsafe: int });
const counters = obj({
  functions: count,
  exprs: count,
  itemImpls: count,
  itemTraits: count,
  methods: count,
});
const pathCalls = list(obj({ path: str, calls: int }));
const name = { type: 'string', minLength: 1, maxLength: 64 } as const;

const versionAnswer = obj({
  crate: str,
  version: str,
  status,
  analyzedAt: nullable('string'),
  unsafe: {
    anyOf: [
      { type: 'null' },
      obj({
        used: counters,
        unused: counters,
        unsafeUsed: int,
        forbidsUnsafe: bool,
        parsedFraction: num,
      }),
    ],
  },
  error: nullable('string'),
  callsInto: list(obj({ crate: str, inRegistry: bool, calls: int, paths: pathCalls })),
  calledBy: list(
    obj({
      crate: str,
      version: str,
      status: str,
      calls: int,
      paths: pathCalls,
      requirement: nullable('string'),
      acceptsThisVersion: bool,
    }),
  ),
});

export function registerAnalysisRoutes({ app, services, pipeline }: AdminContext): void {
  const db = services.db.kysely;
  const repo = pipeline.analyses;

  const crateOr404 = async (n: string): Promise<CrateRow> => {
    const krate = await services.crates.findByName(n);
    if (!krate) throw notFound(`no crate \`${n.slice(0, 64)}\``);
    return krate;
  };
  const versionOr404 = async (krate: CrateRow, num: string): Promise<VersionRow> => {
    const v = num.length <= 100 ? await services.crates.findVersion(krate.id, num) : undefined;
    if (!v) throw notFound(`no version ${krate.name}@${num.slice(0, 100)}`);
    return v;
  };

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/crates/:name/analysis',
      summary: "Source analysis of each of a crate's versions: unsafe counts and status",
      access: { crateParam: 'name', auditor: 'or-admin' },
      params: obj({ name }) as Schema<{ name: string }>,
      response: obj({
        crate: str,
        versions: list(
          obj({
            version: str,
            status,
            unsafeUsed: nullable('integer'),
            forbidsUnsafe: nullable('boolean'),
            parsedFraction: nullable('number'),
            callsInto: int,
          }),
        ),
      }) as Schema<CrateAnalysisList>,
    },
    async (req): Promise<CrateAnalysisList> => {
      const { name: crateName } = req.params;
      const krate = await crateOr404(crateName);
      const versions = await services.crates.versions(krate.id);
      const rows = await repo.forVersions(versions.map((v) => v.id));
      return {
        crate: krate.name,
        versions: versions.map((v) => versionListEntry(v, rows.get(v.id))),
      };
    },
  );

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/crates/:name/versions/:version/analysis',
      summary:
        "One version's source analysis: unsafe counts, the crates and paths it calls, and the registry's versions calling this crate",
      access: { crateParam: 'name', auditor: 'or-admin' },
      params: obj({ name, version: { type: 'string', minLength: 1, maxLength: 100 } }) as Schema<{
        name: string;
        version: string;
      }>,
      response: versionAnswer as Schema<VersionAnalysisAnswer>,
    },
    async (req): Promise<VersionAnalysisAnswer> => {
      const { name: crateName, version } = req.params;
      const krate = await crateOr404(crateName);
      return versionAnalysis(db, repo, krate, await versionOr404(krate, version));
    },
  );

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/advisories/:id/callers',
      summary: "The registry's versions that call an advisory's affected functions",
      // The advisory's crate is known only once it is read: checked in the handler.
      access: {},
      params: obj({ id: { type: 'string', minLength: 1, maxLength: 200 } }) as Schema<{ id: string }>,
      response: obj({
        advisory: str,
        crate: str,
        functions: list(str),
        callers: list(
          obj({
            crate: str,
            version: str,
            status: str,
            latest: bool,
            calls: int,
            functions: list(obj({ path: str, calls: int, affected: str })),
          }),
        ),
      }) as Schema<AdvisoryCallersAnswer>,
    },
    async (req): Promise<AdvisoryCallersAnswer> => {
      const actor = actorOf(req);
      const { id } = req.params;
      const row = await pipeline.advisorySync.advisories.get(id);
      if (!row) throw notFound(`no advisory \`${id.slice(0, 100)}\``);
      requireCrateAccess(actor, row.package);
      const functions = Object.keys(toAdvisory(row).affected?.functions ?? {}).sort();
      const callers =
        row.collection === 'crates' && functions.length > 0
          ? await advisoryCallers(repo, await services.graph.get(), row.package, functions)
          : [];
      return { advisory: row.id, crate: row.package, functions, callers };
    },
  );

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/analysis/top-unsafe',
      summary: 'Crates with the most unsafe code (newest live version), and with their dependencies',
      access: { allCrates: true },
      query: TopUnsafeQuery,
      response: TopUnsafeAnswer,
    },
    async (req): Promise<TopUnsafeAnswer> => {
      const { limit } = req.query;
      const n = limit === undefined ? 20 : Number(limit);
      if (n < 1 || n > 500) throw badRequest('`limit` must be 1–500');
      return { crates: await topUnsafe(db, repo, await services.graph.get(), n) };
    },
  );
}
