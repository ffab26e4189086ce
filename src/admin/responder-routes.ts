// The responder's routes: bulk triage, an alert's follow-up, the release check and quarantine
// queue, held names, provenance search and account-takeover signals with "revoke the token that
// published this". Every route has a full schema, typed by responder-types.ts (which the console
// imports); the admin plugin authenticates (see each route's `access`) and parses the body.
import { badRequest, notFound } from '../registry/errors.js';
import { SEVERITY_ORDER, type AlertFilter } from '../store/alerts.js';
import type { AlertSeverity, AlertStatus } from '../store/schema.js';
import { AdminActions, MAX_BULK_TRIAGE, actingAdminOf } from './admin-actions.js';
import type { Schema } from './api-schema.js';
import { TRIAGE_RESOLUTIONS } from './api-types.js';
import { requireCrateAccess } from './auth.js';
import { actorOf, adminRoute, type AdminContext } from './plugin.js';
import {
  alertFollowUp,
  nameHolds,
  provenanceSearch,
  quarantineQueue,
  takeoverSignals,
  type ProvenanceField,
} from './responder-reads.js';
import type {
  AlertFollowUpView,
  BulkTriageAnswer,
  NameHolds,
  ProvenanceAnswer,
  QuarantineQueue,
  ReleaseCheck,
  TakeoverSignals,
  TriageResolution,
} from './responder-types.js';

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
const resolutionSchema = nullable(obj({ resolution: str, by: strOrNull, at: strOrNull, auditId: intOrNull }));

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
};

export function registerResponderRoutes({ app, services, pipeline }: AdminContext): void {
  const actions = new AdminActions(services, pipeline.alerts, {
    deletedNameBlockDays: services.config.deletedNameBlockDays,
  });
  type VP = { name: string; version: string };
  const vp = versionParams as Schema<VP>;

  adminRoute(
    app,
    {
      method: 'POST',
      url: '/alerts/bulk-triage',
      summary: 'Settle many alerts with a structured reason and a note: by ids, or all a filter matches',
      access: { allCrates: true },
      body: schemas.bulkTriage.body as Schema<{
        ids?: number[];
        filter?: Record<string, string>;
        resolution: TriageResolution;
        note: string;
      }>,
      response: schemas.bulkTriage.response[200] as Schema<BulkTriageAnswer>,
    },
    async (req) => {
      const body = req.body;
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
      ) as Promise<BulkTriageAnswer>;
    },
  );

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/alerts/:id/follow-up',
      summary: "What was done about an alert: its subject's state, the actions and the resolution",
      // The alert's crate is known only once it is read: checked in the handler.
      access: {},
      params: schemas.followUp.params as Schema<{ id: string }>,
      response: schemas.followUp.response[200] as Schema<AlertFollowUpView>,
    },
    async (req) => {
      const alert = await pipeline.alerts.get(Number(req.params.id));
      if (!alert) throw notFound('no such alert');
      requireCrateAccess(actorOf(req), alert.crate_name);
      return alertFollowUp(services, pipeline.alerts, alert);
    },
  );

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/crates/:name/versions/:version/release-check',
      summary: "A held version's verdict, top findings and the confirmation its release needs",
      access: { crateParam: 'name' },
      params: vp,
      response: schemas.releaseCheck.response[200] as Schema<ReleaseCheck>,
    },
    async (req) => actions.releaseCheck(req.params.name, req.params.version),
  );

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/quarantine/queue',
      summary: 'Versions held in quarantine, oldest first, with verdicts and open alerts',
      access: { allCrates: true },
      response: schemas.quarantineQueue.response[200] as Schema<QuarantineQueue>,
    },
    async () => quarantineQueue(services),
  );

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/names',
      summary: 'Reserved and blocked names, and the names of deleted crates still held',
      access: { allCrates: true },
      response: schemas.names.response[200] as Schema<NameHolds>,
    },
    async () => nameHolds(services),
  );

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/provenance',
      summary: 'Versions by checksum, token name, client address or publisher',
      access: { allCrates: true },
      query: schemas.provenance.querystring as Schema<Partial<Record<ProvenanceField, string>>>,
      response: schemas.provenance.response[200] as Schema<ProvenanceAnswer>,
    },
    async (req) => {
      const q = req.query;
      const given = (['checksum', 'token', 'ip', 'publisher'] as const).filter((k) => q[k] !== undefined);
      if (given.length !== 1)
        throw badRequest('give exactly one of `checksum`, `token`, `ip` or `publisher`');
      const field = given[0]!;
      return provenanceSearch(services, field, q[field]!);
    },
  );

  adminRoute(
    app,
    {
      method: 'GET',
      url: '/crates/:name/versions/:version/signals',
      summary: 'Account-takeover signals of a version: publisher, token, address, user agent',
      access: { crateParam: 'name' },
      params: vp,
      response: schemas.signals.response[200] as Schema<TakeoverSignals>,
    },
    async (req) => takeoverSignals(services, req.params.name, req.params.version),
  );

  adminRoute(
    app,
    {
      method: 'POST',
      url: '/crates/:name/versions/:version/revoke-publishing-token',
      summary: 'Revoke the token that published this version',
      access: { crateParam: 'name', accounts: true },
      params: vp,
      body: schemas.revokePublishingToken.body as Schema<{ reason: string }>,
      response: schemas.revokePublishingToken.response[200] as Schema<{
        ok: true;
        id: number;
        user: string;
        alerts: { followed: number; settled: number };
      }>,
    },
    async (req) =>
      actions.revokePublishingToken(
        actingAdminOf(actorOf(req)),
        req.params.name,
        req.params.version,
        req.body.reason,
      ),
  );
}
