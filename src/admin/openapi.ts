// The admin API's OpenAPI 3.1 description, served at /api/admin/openapi.json. One table of
// routes drives it; docs/admin-api.md explains the shapes in prose.
type Method = 'get' | 'post' | 'put' | 'delete';

interface Route {
  method: Method;
  path: string;
  summary: string;
  /** Body fields: name → [type, required]. */
  body?: Record<string, [string, boolean]>;
  query?: string[];
  destructive?: boolean;
  public?: boolean;
}

const REASON: Record<string, [string, boolean]> = { reason: ['string', true] };

const ROUTES: Route[] = [
  {
    method: 'post',
    path: '/api/admin/session',
    summary: 'Sign in (sets the session cookie)',
    body: { login: ['string', true], password: ['string', true] },
    public: true,
  },
  { method: 'get', path: '/api/admin/session', summary: 'The signed-in user and CSRF token' },
  { method: 'delete', path: '/api/admin/session', summary: 'Sign out' },
  {
    method: 'post',
    path: '/api/admin/session/reauth',
    summary: 'Confirm the password before destructive actions',
    body: { password: ['string', true] },
  },
  { method: 'get', path: '/api/admin/overview', summary: 'Open alerts, recent publishes, per-day charts' },
  {
    method: 'get',
    path: '/api/admin/alerts',
    summary: 'Alert queue',
    query: ['kind', 'severity', 'min_severity', 'status', 'crate', 'offset', 'per_page'],
  },
  { method: 'get', path: '/api/admin/alerts/{id}', summary: 'Alert with evidence, notes and impact' },
  {
    method: 'post',
    path: '/api/admin/alerts/{id}/triage',
    summary: 'Acknowledge, escalate, dismiss, resolve or reopen',
    body: { action: ['string', true], ...REASON, note: ['string', false] },
  },
  {
    method: 'post',
    path: '/api/admin/alerts/{id}/notes',
    summary: 'Add a note',
    body: { note: ['string', true] },
  },
  {
    method: 'get',
    path: '/api/admin/crates/{name}',
    summary: 'Crate: metadata, owners, versions with provenance, scans, downloads, dependents',
  },
  {
    method: 'get',
    path: '/api/admin/crates/{name}/diff',
    summary:
      'File tree diff of two versions (either direction): change kinds, sizes, line counts, the `to` version findings per file',
    query: ['from', 'to'],
  },
  {
    method: 'get',
    path: '/api/admin/crates/{name}/diff/file',
    summary: "One file's hunks between two versions, with the `to` version's findings on their lines",
    query: ['from', 'to', 'path', 'context'],
  },
  {
    method: 'delete',
    path: '/api/admin/crates/{name}',
    summary: 'Delete a crate and block its name',
    body: { ...REASON, blockDays: ['integer', false] },
    destructive: true,
  },
  {
    method: 'post',
    path: '/api/admin/crates/{name}/versions/{version}/yank',
    summary: 'Yank a version (`confirmed`: a confirmed threat, which resolves its alerts)',
    body: { ...REASON, confirmed: ['boolean', false] },
  },
  {
    method: 'post',
    path: '/api/admin/crates/{name}/versions/{version}/unyank',
    summary: 'Unyank a version',
    body: REASON,
  },
  {
    method: 'post',
    path: '/api/admin/crates/{name}/versions/{version}/release',
    summary: 'Release a quarantined version (a critical verdict needs `confirm`: "crate@version")',
    body: { ...REASON, confirm: ['string', false] },
    destructive: true,
  },
  {
    method: 'post',
    path: '/api/admin/crates/{name}/versions/{version}/reject',
    summary: 'Reject a quarantined version',
    body: REASON,
  },
  {
    method: 'delete',
    path: '/api/admin/crates/{name}/versions/{version}',
    summary: 'Delete a version',
    body: REASON,
    destructive: true,
  },
  {
    method: 'delete',
    path: '/api/admin/crates/{name}/owners/{login}',
    summary: "Remove an owner (and withdraw the user's pending invitation)",
    body: REASON,
  },
  {
    method: 'get',
    path: '/api/admin/owner-invitations',
    summary: 'Pending owner invitations: crate, invitee, inviter, created, expiry (expired ones flagged)',
    query: ['crate', 'invitee', 'include_expired', 'offset', 'per_page'],
  },
  {
    method: 'post',
    path: '/api/admin/owner-invitations/{id}/accept',
    summary: 'Accept an owner invitation addressed to the signed-in admin',
  },
  {
    method: 'post',
    path: '/api/admin/owner-invitations/{id}/decline',
    summary: 'Decline an owner invitation addressed to the signed-in admin',
  },
  { method: 'get', path: '/api/admin/users/{login}', summary: 'User: crates, tokens, publishes, sign-ins' },
  {
    method: 'post',
    path: '/api/admin/users/{login}/lock',
    summary: 'Lock a user',
    body: { ...REASON, until: ['string', false] },
    destructive: true,
  },
  {
    method: 'post',
    path: '/api/admin/users/{login}/unlock',
    summary: 'Unlock a user and clear their sign-in throttle',
    body: REASON,
  },
  {
    method: 'post',
    path: '/api/admin/users/{login}/tokens/{id}/revoke',
    summary: 'Revoke one token',
    body: REASON,
  },
  {
    method: 'post',
    path: '/api/admin/users/{login}/tokens/revoke-all',
    summary: "Revoke all of a user's tokens",
    body: REASON,
    destructive: true,
  },
  {
    method: 'post',
    path: '/api/admin/names',
    summary: 'Reserve or block a crate name',
    body: { name: ['string', true], action: ['string', true], ...REASON },
  },
  {
    method: 'delete',
    path: '/api/admin/names/{name}',
    summary: 'Lift the block or reservation of a crate name',
    body: REASON,
  },
  { method: 'get', path: '/api/admin/search', summary: 'Search crates, users and alerts', query: ['q'] },
  {
    method: 'get',
    path: '/api/admin/audit-log',
    summary: 'Audit log',
    query: ['action', 'actor', 'target', 'offset', 'per_page'],
  },
  { method: 'get', path: '/api/admin/audit-log/verify', summary: 'Verify the hash chain' },
  {
    method: 'get',
    path: '/api/admin/impact',
    summary: 'Dependents a crate or version has (for confirmations)',
    query: ['crate', 'version'],
  },
  { method: 'get', path: '/api/admin/quarantine', summary: 'Versions held for review' },
  // The responder routes (responder-routes.ts).
  {
    method: 'post',
    path: '/api/admin/alerts/bulk-triage',
    summary: 'Settle many alerts with a structured reason and a note: by ids, or all a filter matches',
    body: {
      ids: ['array', false],
      filter: ['object', false],
      resolution: ['string', true],
      note: ['string', true],
    },
  },
  {
    method: 'get',
    path: '/api/admin/alerts/{id}/follow-up',
    summary: "What was done about an alert: its subject's state, the actions and the resolution",
  },
  {
    method: 'get',
    path: '/api/admin/crates/{name}/versions/{version}/release-check',
    summary: "A held version's verdict, top findings and the confirmation its release needs",
  },
  {
    method: 'get',
    path: '/api/admin/quarantine/queue',
    summary: 'Versions held in quarantine, oldest first, with verdicts and open alerts',
  },
  {
    method: 'get',
    path: '/api/admin/names',
    summary: 'Reserved and blocked names, and the names of deleted crates still held',
  },
  {
    method: 'get',
    path: '/api/admin/provenance',
    summary: 'Versions by checksum, token name, client address or publisher',
    query: ['checksum', 'token', 'ip', 'publisher'],
  },
  {
    method: 'get',
    path: '/api/admin/crates/{name}/versions/{version}/signals',
    summary: 'Account-takeover signals of a version: publisher, token, address, user agent',
  },
  {
    method: 'post',
    path: '/api/admin/crates/{name}/versions/{version}/revoke-publishing-token',
    summary: 'Revoke the token that published this version',
    body: REASON,
  },
  { method: 'get', path: '/api/admin/users', summary: 'Every user, with admin and lock state' },
  {
    method: 'get',
    path: '/api/admin/tokens',
    summary: 'API tokens (of one user with `user`)',
    query: ['user'],
  },
  { method: 'get', path: '/api/admin/jobs', summary: 'Background job counts' },
  { method: 'get', path: '/api/admin/graph/stats', summary: 'Ecosystem graph statistics' },
  {
    method: 'get',
    path: '/api/admin/graph/dependents',
    summary: 'Direct or transitive dependents',
    query: ['spec', 'transitive', 'all_versions', 'kinds', 'optional'],
  },
  {
    method: 'get',
    path: '/api/admin/graph/tree',
    summary: 'Dependency tree of a version',
    query: ['spec', 'depth', 'kinds', 'optional'],
  },
  {
    method: 'get',
    path: '/api/admin/graph/why',
    summary: 'Shortest dependency path',
    query: ['from', 'to', 'kinds', 'optional'],
  },
  {
    method: 'get',
    path: '/api/admin/graph/top',
    summary: 'Top crates by transitive dependents',
    query: ['n', 'kinds', 'optional'],
  },
  {
    method: 'get',
    path: '/api/admin/graph/blast-radius',
    summary: 'Crates whose latest version resolves to an affected version',
    query: ['spec', 'kinds', 'optional'],
  },
  {
    method: 'get',
    path: '/api/admin/advisories',
    summary: 'Advisories held by the registry (synced and authored)',
    query: ['q', 'category', 'origin', 'crate', 'present', 'withdrawn', 'offset', 'per_page'],
  },
  {
    method: 'get',
    path: '/api/admin/advisories/{id}',
    summary: 'An advisory: its fields, the versions here it affects, and its blast radius with owners',
  },
  {
    method: 'post',
    path: '/api/admin/advisories',
    summary: "Author an advisory for one of this registry's crates (RustSec Markdown, id assigned)",
    body: { markdown: ['string', true], ...REASON },
  },
  {
    method: 'put',
    path: '/api/admin/advisories/{id}',
    summary: 'Replace an authored advisory',
    body: { markdown: ['string', true], ...REASON },
  },
  {
    method: 'post',
    path: '/api/admin/advisories/{id}/withdraw',
    summary: 'Withdraw an authored advisory',
    body: REASON,
  },
  { method: 'get', path: '/api/admin/vet/auditors', summary: 'Auditors and their Ed25519 public keys' },
  {
    method: 'post',
    path: '/api/admin/vet/auditors/{login}',
    summary: 'Grant the auditor role (the registry generates the signing key)',
    body: REASON,
  },
  {
    method: 'delete',
    path: '/api/admin/vet/auditors/{login}',
    summary: 'Revoke the auditor role (its keys are retired, old audits stay verifiable)',
    body: REASON,
  },
  { method: 'get', path: '/api/admin/vet/criteria', summary: 'Built-in and registry-defined audit criteria' },
  {
    method: 'post',
    path: '/api/admin/vet/criteria',
    summary: 'Define a criteria (name, description, implies)',
    body: { name: ['string', true], description: ['string', true], implies: ['array', false], ...REASON },
  },
  {
    method: 'get',
    path: '/api/admin/crates/{name}/vet/audits',
    summary: "A crate's signed audits with signature validity",
  },
  {
    method: 'post',
    path: '/api/admin/crates/{name}/vet/audits',
    summary: 'Record a signed audit (auditor role): one of version, delta "A -> B", violation',
    body: {
      version: ['string', false],
      delta: ['string', false],
      violation: ['string', false],
      criteria: ['array', true],
      notes: ['string', false],
      ...REASON,
    },
  },
];

const ERROR = {
  description: 'error',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Errors' } } },
};

export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const params = [
      ...[...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
        name: m[1],
        in: 'path',
        required: true,
        schema: { type: 'string' },
      })),
      ...(r.query ?? []).map((q) => ({ name: q, in: 'query', required: false, schema: { type: 'string' } })),
    ];
    const op: Record<string, unknown> = {
      summary: r.summary + (r.destructive ? ' (needs a recent re-authentication)' : ''),
      ...(params.length ? { parameters: params } : {}),
      responses: { '200': { description: 'ok' }, '400': ERROR, '401': ERROR, '403': ERROR, '404': ERROR },
      ...(r.public ? { security: [] } : {}),
    };
    if (r.body) {
      op.requestBody = {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              properties: Object.fromEntries(Object.entries(r.body).map(([k, [type]]) => [k, { type }])),
              required: Object.entries(r.body)
                .filter(([, [, req]]) => req)
                .map(([k]) => k),
            },
          },
        },
      };
    }
    (paths[r.path] ??= {})[r.method] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'cratekeeper admin API',
      version: '0.1.0',
      description: 'See docs/admin-api.md. Mutations from a console session need the X-CSRF-Token header.',
    },
    servers: [{ url: '/' }],
    security: [{ session: [] }, { token: [] }],
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'ck_session' },
        token: { type: 'apiKey', in: 'header', name: 'Authorization' },
      },
      schemas: {
        Errors: {
          type: 'object',
          properties: {
            errors: { type: 'array', items: { type: 'object', properties: { detail: { type: 'string' } } } },
          },
        },
      },
    },
    paths,
  };
}

/** The routes the document lists, for the test that checks every one refuses outsiders. */
export function documentedRoutes(): { method: Method; path: string; public: boolean }[] {
  return ROUTES.map((r) => ({ method: r.method, path: r.path, public: r.public === true }));
}
