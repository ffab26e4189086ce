// The admin plugin refuses to start with a route it could not document or protect, and its one
// hook answers before a body is read.
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { S } from './api-schema.js';
import { adminApi, adminRoute, type RouteModule } from './plugin.js';

const services = {} as never;
const pipeline = {} as never;

async function start(module: RouteModule) {
  const app = Fastify();
  await app.register(adminApi([module]), { prefix: '/api/admin', services, pipeline });
  await app.ready();
  return app;
}

describe('admin plugin', () => {
  it('refuses a route without a summary, an answer schema or an access declaration', async () => {
    await expect(start(({ app }) => app.get('/bare', async () => ({})))).rejects.toThrow(/no summary/);
    await expect(
      start(({ app }) => app.get('/x', { schema: { summary: 'x' } as never, config: {} }, async () => ({}))),
    ).rejects.toThrow(/no response schema/);
    await expect(
      start(({ app }) =>
        app.get('/x', { schema: { summary: 'x', response: { 200: {} } } as never }, async () => ({})),
      ),
    ).rejects.toThrow(/declares no access/);
    await expect(
      start(({ app }) =>
        adminRoute(
          app,
          { method: 'GET', url: '/x', summary: 'x', access: { crateParam: 'name' }, response: S.object({}) },
          async () => ({}),
        ),
      ),
    ).rejects.toThrow(/crateParam `name` is not in its path/);
  });

  it('documents what it registered, and drops what an answer schema leaves out', async () => {
    const app = await start(({ app }) =>
      adminRoute(
        app,
        {
          method: 'GET',
          url: '/things/:id',
          summary: 'A thing',
          access: { public: true },
          params: S.object({ id: S.string() }),
          response: S.object({ id: S.string() }),
        },
        async (req) => ({ id: req.params.id, secret: 'x' }) as { id: string },
      ),
    );
    const thing = await app.inject({ method: 'GET', url: '/api/admin/things/7' });
    expect(thing.json()).toEqual({ id: '7' });
    expect(thing.headers['cache-control']).toBe('no-store');
    const doc = (await app.inject({ method: 'GET', url: '/api/admin/openapi.json' })).json() as {
      paths: Record<string, Record<string, { summary: string; parameters: { name: string; in: string }[] }>>;
    };
    expect(Object.keys(doc.paths).sort()).toEqual(['/api/admin/openapi.json', '/api/admin/things/{id}']);
    expect(doc.paths['/api/admin/things/{id}']!.get!.summary).toBe('A thing');
    expect(doc.paths['/api/admin/things/{id}']!.get!.parameters).toMatchObject([{ name: 'id', in: 'path' }]);
    await app.close();
  });
});
