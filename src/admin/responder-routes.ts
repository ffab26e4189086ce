// The responder's routes: bulk triage, an alert's follow-up, the release check and quarantine
// queue, held names, provenance search and account-takeover signals with "revoke the token that
// published this". Every route has a full schema. Authentication runs before the body is parsed
// and validated (preValidation), so an outsider is refused as an outsider, never as a bad request.
import type { FastifyInstance, FastifyRequest, FastifySchema } from 'fastify';
import type { SecurityPipeline } from '../jobs/security-pipeline.js';
import { badRequest, notFound } from '../registry/errors.js';
import { jsonBody } from '../registry/json-body.js';
import type { RegistryServices } from '../registry/services.js';
import { SEVERITY_ORDER, TRIAGE_RESOLUTIONS, type AlertFilter } from '../store/alerts.js';
import type { AlertSeverity, AlertStatus } from '../store/schema.js';
import { AdminActions, MAX_BULK_TRIAGE, actingAdminOf } from './admin-actions.js';
import { requireCrateAccess, type AdminActor, type AdminAuth, type AdminCheck } from './auth.js';
import {
  alertFollowUp,
  nameHolds,
  provenanceSearch,
  quarantineQueue,
  takeoverSignals,
  type ProvenanceField,
} from './responder-reads.js';

const STATUSES: readonly AlertStatus[] = ['open', 'acknowledged', 'escalated', 'dismissed', 'resolved'];
const STATES = ['live', 'yanked', 'quarantined', 'rejected', 'deleted'];

// JSON-schema building blocks. Response schemas list every field: Fastify's serializer drops
// what a response schema does not name.
const str = { type: 'string' } as const;
const strOrNull = { type: ['string', 'null'] } as const;
const int = { type: 'integer' } as const;
const intOrNull = { type: ['integer', 'null'] } as const;
const bool = { type: 'boolean' } as const;
const obj = (properties: Record<string, unknown>, required = Object.keys(properties)) => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});
const nullable = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: 'null' }] });
const versionParams = obj({
  name: { type: 'string', maxLength: 64 },
  version: { type: 'string', maxLength: 100 },
});

const actionTaken = obj({
  action: str,
  actor: str,
  at: str,
  reason: strOrNull,
  auditId: int,
  settled: bool,
});
export const resolutionSchema = nullable(
  obj({ resolution: str, by: strOrNull, at: strOrNull, auditId: intOrNull }),
);

/** One row of GET /api/admin/alerts (responder-types AlertQueueRow), for its response schema. */
export const alertQueueRowSchema = obj({
  id: int,
  kind: str,
  severity: { type: 'string', enum: SEVERITY_ORDER },
  status: { type: 'string', enum: STATUSES },
  crate: str,
  version: strOrNull,
  title: str,
  score: { type: ['number', 'null'] },
  details: {},
  created_at: str,
  updated_at: str,
  state: { type: 'string', enum: STATES },
  publisher: nullable(obj({ login: str, locked: bool })),
  impact: nullable(obj({ directDependents: int, transitiveDependents: int })),
  resolution: resolutionSchema,
  lastAction: nullable(actionTaken),
});

const alertFilterSchema = obj(
  {
    status: { type: 'string', enum: STATUSES },
    kind: { type: 'string', maxLength: 100 },
    severity: { type: 'string', enum: SEVERITY_ORDER },
    min_severity: { type: 'string', enum: SEVERITY_ORDER },
    crate: { type: 'string', maxLength: 64 },
  },
  [],
);

const schemas = {
  bulkTriage: {
    body: obj(
      {
        ids: {
          type: 'array',
          items: { type: 'integer', minimum: 1 },
          minItems: 1,
          maxItems: MAX_BULK_TRIAGE,
        },
        filter: alertFilterSchema,
        resolution: { type: 'string', enum: TRIAGE_RESOLUTIONS },
        note: { type: 'string', minLength: 3, maxLength: 2000 },
      },
      ['resolution', 'note'],
    ),
    response: {
      200: obj({
        ok: { type: 'boolean', const: true },
        status: str,
        resolution: str,
        count: int,
        ids: { type: 'array', items: int },
      }),
    },
  },
  followUp: {
    params: obj({ id: { type: 'string', pattern: '^[0-9]{1,12}$' } }),
    response: {
      200: obj({
        id: int,
        crate: str,
        version: strOrNull,
        state: { type: 'string', enum: STATES },
        crateExists: bool,
        publisher: nullable(obj({ login: str, locked: bool, isAdmin: bool })),
        resolution: resolutionSchema,
        actions: { type: 'array', items: actionTaken },
      }),
    },
  },
  releaseCheck: {
    params: versionParams,
    response: {
      200: obj({
        crate: str,
        version: str,
        status: str,
        verdict: strOrNull,
        findingCount: int,
        topFindings: {
          type: 'array',
          items: obj({ ruleId: str, severity: str, title: str, file: strOrNull, line: intOrNull }),
        },
        confirmText: strOrNull,
      }),
    },
  },
  quarantineQueue: {
    response: {
      200: obj({
        versions: {
          type: 'array',
          items: obj({
            crate: str,
            version: str,
            publishedAt: str,
            publisher: strOrNull,
            verdict: strOrNull,
            findingCount: int,
            topFinding: strOrNull,
            openAlerts: int,
          }),
        },
      }),
    },
  },
  names: {
    response: {
      200: obj({
        names: { type: 'array', items: obj({ name: str, kind: str, reason: strOrNull, createdAt: str }) },
        deletedCrates: {
          type: 'array',
          items: obj({ name: str, deletedAt: str, availableAt: str, reason: strOrNull }),
        },
      }),
    },
  },
  provenance: {
    querystring: obj(
      {
        checksum: { type: 'string', pattern: '^[0-9a-fA-F]{8,64}$' },
        token: { type: 'string', minLength: 1, maxLength: 100 },
        ip: { type: 'string', pattern: '^[0-9a-fA-F:.]{2,45}$' },
        publisher: { type: 'string', minLength: 1, maxLength: 100 },
      },
      [],
    ),
    response: {
      200: obj({
        field: str,
        versions: {
          type: 'array',
          items: obj({
            crate: str,
            version: str,
            state: { type: 'string', enum: STATES },
            checksum: str,
            publishedAt: str,
            publisher: strOrNull,
            tokenId: intOrNull,
            tokenName: strOrNull,
            clientIp: strOrNull,
            userAgent: strOrNull,
          }),
        },
      }),
    },
  },
  signals: {
    params: versionParams,
    response: {
      200: obj({
        crate: str,
        version: str,
        previousVersion: strOrNull,
        publisher: strOrNull,
        previousPublisher: strOrNull,
        publisherChanged: bool,
        token: nullable(
          obj({ id: int, name: str, createdAt: str, ageAtPublishDays: { type: 'number' }, revoked: bool }),
        ),
        tokenChanged: bool,
        youngToken: bool,
        clientIp: strOrNull,
        newIpRange: strOrNull,
        userAgent: strOrNull,
        newUserAgent: bool,
        raised: int,
      }),
    },
  },
  revokePublishingToken: {
    params: versionParams,
    body: obj({ reason: { type: 'string', minLength: 3, maxLength: 2000 } }),
    response: {
      200: obj({
        ok: { type: 'boolean', const: true },
        id: int,
        user: str,
        alerts: obj({ followed: int, settled: int }),
      }),
    },
  },
} satisfies Record<string, FastifySchema>;

export function registerResponderRoutes(
  app: FastifyInstance,
  services: RegistryServices,
  pipeline: SecurityPipeline,
  auth: AdminAuth,
  options: { deletedNameBlockDays: number },
): void {
  const actions = new AdminActions(services, pipeline.alerts, options);
  const actors = new WeakMap<FastifyRequest, AdminActor>();
  const actorOf = (req: FastifyRequest): AdminActor => {
    const a = actors.get(req);
    if (!a) throw new Error('responder route without its authentication hook');
    return a;
  };
  /** Authenticates first, then turns a mutation's raw body into the object its schema checks. */
  const authenticate =
    (check: (req: FastifyRequest) => AdminCheck) =>
    async (req: FastifyRequest): Promise<void> => {
      actors.set(req, await auth.require(req, check(req)));
      if (req.method !== 'GET') req.body = jsonBody(req);
    };
  const crateOf = (req: FastifyRequest) => (req.params as { name: string }).name;
  type VP = { name: string; version: string };

  app.post(
    '/api/admin/alerts/bulk-triage',
    {
      schema: schemas.bulkTriage,
      config: {
        summary: 'Settle many alerts with a structured reason and a note: by ids, or all a filter matches',
      },
      preValidation: authenticate(() => ({ allCrates: true })),
    },
    async (req) => {
      const body = req.body as {
        ids?: number[];
        filter?: Record<string, string>;
        resolution: string;
        note: string;
      };
      const f = body.filter;
      const filter: AlertFilter | undefined = f
        ? {
            ...(f.status ? { status: f.status as AlertStatus } : {}),
            ...(f.kind ? { kind: f.kind } : {}),
            ...(f.severity ? { severity: f.severity as AlertSeverity } : {}),
            ...(f.min_severity ? { minSeverity: f.min_severity as AlertSeverity } : {}),
            ...(f.crate ? { crateName: f.crate } : {}),
          }
        : undefined;
      return actions.bulkTriage(
        actingAdminOf(actorOf(req)),
        { ...(body.ids ? { ids: body.ids } : {}), ...(filter ? { filter } : {}) },
        body.resolution,
        body.note,
      );
    },
  );

  app.get(
    '/api/admin/alerts/:id/follow-up',
    {
      schema: schemas.followUp,
      config: {
        summary: "What was done about an alert: its subject's state, the actions and the resolution",
      },
      preValidation: authenticate(() => ({})),
    },
    async (req) => {
      const id = Number((req.params as { id: string }).id);
      const alert = await pipeline.alerts.get(id);
      if (!alert) throw notFound('no such alert');
      requireCrateAccess(actorOf(req), alert.crate_name);
      return alertFollowUp(services, pipeline.alerts, alert);
    },
  );

  app.get(
    '/api/admin/crates/:name/versions/:version/release-check',
    {
      schema: schemas.releaseCheck,
      config: { summary: "A held version's verdict, top findings and the confirmation its release needs" },
      preValidation: authenticate((req) => ({ crate: crateOf(req) })),
    },
    async (req) => {
      const { name, version } = req.params as VP;
      return actions.releaseCheck(name, version);
    },
  );

  app.get(
    '/api/admin/quarantine/queue',
    {
      schema: schemas.quarantineQueue,
      config: { summary: 'Versions held in quarantine, oldest first, with verdicts and open alerts' },
      preValidation: authenticate(() => ({ allCrates: true })),
    },
    async () => quarantineQueue(services),
  );

  app.get(
    '/api/admin/names',
    {
      schema: schemas.names,
      config: { summary: 'Reserved and blocked names, and the names of deleted crates still held' },
      preValidation: authenticate(() => ({ allCrates: true })),
    },
    async () => nameHolds(services),
  );

  app.get(
    '/api/admin/provenance',
    {
      schema: schemas.provenance,
      config: { summary: 'Versions by checksum, token name, client address or publisher' },
      preValidation: authenticate(() => ({ allCrates: true })),
    },
    async (req) => {
      const q = req.query as Partial<Record<ProvenanceField, string>>;
      const given = (['checksum', 'token', 'ip', 'publisher'] as const).filter((k) => q[k] !== undefined);
      if (given.length !== 1)
        throw badRequest('give exactly one of `checksum`, `token`, `ip` or `publisher`');
      const field = given[0]!;
      return provenanceSearch(services, field, q[field]!);
    },
  );

  app.get(
    '/api/admin/crates/:name/versions/:version/signals',
    {
      schema: schemas.signals,
      config: { summary: 'Account-takeover signals of a version: publisher, token, address, user agent' },
      preValidation: authenticate((req) => ({ crate: crateOf(req) })),
    },
    async (req) => {
      const { name, version } = req.params as VP;
      return takeoverSignals(services, name, version);
    },
  );

  app.post(
    '/api/admin/crates/:name/versions/:version/revoke-publishing-token',
    {
      schema: schemas.revokePublishingToken,
      config: { summary: 'Revoke the token that published this version' },
      preValidation: authenticate((req) => ({ crate: crateOf(req), accounts: true })),
    },
    async (req) => {
      const { name, version } = req.params as VP;
      const { reason } = req.body as { reason: string };
      return actions.revokePublishingToken(actingAdminOf(actorOf(req)), name, version, reason);
    },
  );
}
