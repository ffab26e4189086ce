// Source analysis in the admin API: what the `analyze` job stored for each version (cargo-geiger's
// unsafe counts, the crates and functions it calls), who in the registry calls a crate, which
// dependents call an advisory's affected functions, and the crates with the most unsafe code.
// Shapes: src/admin/analysis-types.ts.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, notFound } from '../registry/errors.js';
import type { RegistryServices } from '../registry/services.js';
import type { SecurityPipeline } from '../jobs/security-pipeline.js';
import { toAdvisory } from '../store/advisories.js';
import type { CrateRow, VersionRow } from '../store/schema.js';
import { advisoryCallers, topUnsafe, versionAnalysis, versionListEntry } from './analysis-reads.js';
import type {
  AdvisoryCallersAnswer,
  CrateAnalysisList,
  TopUnsafeAnswer,
  VersionAnalysisAnswer,
} from './analysis-types.js';
import { requireCrateAccess, type AdminAuth } from './auth.js';

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
// Error bodies may carry more than `detail` (`reauth`): kept as they are.
const ERROR = { type: 'object', additionalProperties: true };
const errors = { 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR };
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

export function registerAnalysisRoutes(
  app: FastifyInstance,
  services: RegistryServices,
  pipeline: SecurityPipeline,
  auth: AdminAuth,
): void {
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

  app.get(
    '/api/admin/crates/:name/analysis',
    {
      config: { summary: "Source analysis of each of a crate's versions: unsafe counts and status" },
      schema: {
        params: obj({ name }),
        response: {
          200: obj({
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
          }),
          ...errors,
        },
      },
    },
    async (req): Promise<CrateAnalysisList> => {
      const { name: crateName } = req.params as { name: string };
      await auth.require(req, { crate: crateName });
      const krate = await crateOr404(crateName);
      const versions = await services.crates.versions(krate.id);
      const rows = await repo.forVersions(versions.map((v) => v.id));
      return {
        crate: krate.name,
        versions: versions.map((v) => versionListEntry(v, rows.get(v.id))),
      };
    },
  );

  app.get(
    '/api/admin/crates/:name/versions/:version/analysis',
    {
      config: {
        summary:
          "One version's source analysis: unsafe counts, the crates and paths it calls, and the registry's versions calling this crate",
      },
      schema: {
        params: obj({ name, version: { type: 'string', minLength: 1, maxLength: 100 } }),
        response: { 200: versionAnswer, ...errors },
      },
    },
    async (req): Promise<VersionAnalysisAnswer> => {
      const { name: crateName, version } = req.params as { name: string; version: string };
      await auth.require(req, { crate: crateName });
      const krate = await crateOr404(crateName);
      return versionAnalysis(db, repo, krate, await versionOr404(krate, version));
    },
  );

  app.get(
    '/api/admin/advisories/:id/callers',
    {
      config: { summary: "The registry's versions that call an advisory's affected functions" },
      schema: {
        params: obj({ id: { type: 'string', minLength: 1, maxLength: 200 } }),
        response: {
          200: obj({
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
                functions: pathCalls,
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (req: FastifyRequest): Promise<AdvisoryCallersAnswer> => {
      const actor = await auth.require(req);
      const { id } = req.params as { id: string };
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

  app.get(
    '/api/admin/analysis/top-unsafe',
    {
      config: {
        summary: 'Crates with the most unsafe code (newest live version), and with their dependencies',
      },
      schema: {
        querystring: {
          type: 'object',
          properties: { limit: { type: 'string', pattern: '^[0-9]{1,4}$' } },
        },
        response: {
          200: obj({
            crates: list(
              obj({
                crate: str,
                version: str,
                unsafeUsed: int,
                forbidsUnsafe: bool,
                transitiveUnsafe: int,
                analyzedDependencies: int,
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (req): Promise<TopUnsafeAnswer> => {
      await auth.require(req, { allCrates: true });
      const { limit } = req.query as { limit?: string };
      const n = limit === undefined ? 20 : Number(limit);
      if (n < 1 || n > 500) throw badRequest('`limit` must be 1–500');
      return { crates: await topUnsafe(db, repo, await services.graph.get(), n) };
    },
  );
}
