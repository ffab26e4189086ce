// The admin API's OpenAPI 3.1 description, served at /api/admin/openapi.json, made from the
// routes the admin plugin registered (their schemas and access), so it lists exactly the routes
// that exist. docs/admin-api.md explains the shapes in prose.
import type { RouteAccess } from './auth.js';
import { ErrorBody } from './api-types.js';

export interface DocumentedRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Fastify's path, prefix included (`/api/admin/crates/:name`). */
  url: string;
  schema: {
    summary?: string;
    description?: string;
    params?: JsonSchema;
    querystring?: JsonSchema;
    body?: JsonSchema;
    response?: Record<string, JsonSchema>;
  };
  access: RouteAccess;
}

type JsonSchema = Record<string, unknown>;

/** `/crates/:name/versions/:version` → `/crates/{name}/versions/{version}`. */
export function openApiPath(url: string): string {
  return url.replace(/:(\w+)/g, '{$1}');
}

/** Who may call the route, in words (the description) and as the `x-access` extension. */
function accessNotes(a: RouteAccess): string[] {
  const notes: string[] = [];
  if (a.public) return ['No authentication.'];
  notes.push(
    a.auditor === true
      ? 'Needs the auditor role.'
      : a.auditor === 'or-admin'
        ? 'Needs an administrator or an auditor.'
        : 'Needs an administrator.',
  );
  if (a.destructive) notes.push('A console session needs a recent re-authentication.');
  if (a.crateParam || a.crateQuery)
    notes.push('A token limited to crate patterns must match the crate named.');
  if (a.allCrates) notes.push('Spans every crate: a token limited to crate patterns is refused.');
  if (a.accounts) notes.push('Acts on accounts: a token limited to crate patterns is refused.');
  return notes;
}

function parameters(where: 'path' | 'query', schema: JsonSchema | undefined): JsonSchema[] {
  if (!schema) return [];
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => {
    const { description, ...rest } = s;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });

export function openApiDocument(routes: readonly DocumentedRoute[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of [...routes].sort((a, b) => a.url.localeCompare(b.url))) {
    const { schema, access } = r;
    const params = [...parameters('path', schema.params), ...parameters('query', schema.querystring)];
    const ok = schema.response?.[200] ?? {};
    const notes = accessNotes(access);
    (paths[openApiPath(r.url)] ??= {})[r.method.toLowerCase()] = {
      summary: schema.summary,
      description: [schema.description, ...notes].filter(Boolean).join(' '),
      ...(params.length ? { parameters: params } : {}),
      ...(schema.body ? { requestBody: { required: true, content: json(schema.body) } } : {}),
      responses: {
        '200': { description: 'ok', content: json(ok) },
        '4xx': {
          description: 'refused; `detail` says why',
          content: json({ $ref: '#/components/schemas/Errors' }),
        },
      },
      ...(access.public ? { security: [] } : {}),
      'x-access': access,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'cratekeeper admin API',
      version: '0.1.0',
      description:
        'See docs/admin-api.md. Mutations from a console session need the X-CSRF-Token header; ' +
        'an API token needs the `admin` scope.',
    },
    servers: [{ url: '/' }],
    security: [{ session: [] }, { token: [] }],
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'ck_session' },
        token: { type: 'apiKey', in: 'header', name: 'Authorization' },
      },
      schemas: { Errors: ErrorBody },
    },
    paths,
  };
}
