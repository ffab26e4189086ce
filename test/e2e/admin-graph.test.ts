// Graph queries over the registry's own crates through the admin API, kept current as
// versions are published and yanked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCrateArchive } from '../../src/formats/crate-archive.js';
import type { PublishDependency } from '../../src/domain/publish-metadata.js';
import { manifestToml, metadataFor, publishBody } from '../support/publish-body.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';

const dep = (name: string, req: string, kind: PublishDependency['kind'] = 'normal'): PublishDependency => ({
  name,
  version_req: req,
  features: [],
  optional: false,
  default_features: true,
  target: null,
  kind,
});

describe('admin graph API', () => {
  let h: Harness;
  let alice: string;
  let admin: string;
  const publish = async (name: string, version: string, deps: PublishDependency[] = []) => {
    const crate = await writeCrateArchive(`${name}-${version}`, [
      { path: 'Cargo.toml', data: manifestToml(name, version) },
    ]);
    const res = await fetch(`${h.url}/api/v1/crates/new`, {
      method: 'PUT',
      headers: { authorization: alice },
      body: publishBody(metadataFor(name, version, { deps }), crate),
    });
    expect(res.status).toBe(200);
  };
  const get = async (path: string, token: string | null = admin) => {
    const res = await fetch(`${h.url}/api/admin/graph/${path}`, {
      headers: token ? { authorization: token } : {},
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    h = await startRegistry();
    alice = await h.token('alice');
    await h.services.users.create({ login: 'root', isAdmin: true });
    admin = await h.token('root', ['admin']);
    await publish('core-lib', '1.0.0');
    await publish('core-lib', '1.1.0');
    await publish('middle', '0.3.0', [dep('core-lib', '^1.0')]);
    await publish('app-one', '2.0.0', [dep('middle', '0.3')]);
    await publish('app-two', '1.0.0', [dep('core-lib', '=1.0.0'), dep('app-one', '2', 'dev')]);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers dependents, blast radius, why-paths, trees, top and stats', async () => {
    const direct = await get('dependents?spec=core-lib');
    expect(direct.status).toBe(200);
    expect((direct.body.dependents as { crate: string }[]).map((d) => d.crate).sort()).toEqual([
      'app-two',
      'middle',
    ]);
    const transitive = await get('dependents?spec=core-lib&transitive=true');
    expect((transitive.body.dependents as { crate: string }[]).map((d) => d.crate).sort()).toEqual([
      'app-one',
      'app-two',
      'middle',
    ]);
    // Only app-two pins 1.0.0; middle's ^1.0 resolves to 1.1.0.
    const pinned = await get('dependents?spec=core-lib@1.0.0&transitive=true');
    expect((pinned.body.dependents as { crate: string }[]).map((d) => d.crate)).toEqual(['app-two']);
    const blast = await get('blast-radius?spec=core-lib@<1.1.0');
    expect(blast.status).toBe(200);
    expect(JSON.stringify(blast.body)).toContain('app-two');
    const why = await get('why?from=app-one&to=core-lib');
    expect((why.body.from as { crate: string }).crate).toBe('app-one');
    expect((why.body.path as { crate: string; req: string }[]).map((s) => `${s.crate} ${s.req}`)).toEqual([
      'middle 0.3',
      'core-lib ^1.0',
    ]);
    const tree = await get('tree?spec=app-one&depth=5');
    expect(JSON.stringify(tree.body)).toContain('"core-lib"');
    const top = await get('top?n=1');
    expect((top.body.crates as { crate: string }[])[0]!.crate).toBe('core-lib');
    const stats = await get('stats');
    expect(stats.body).toMatchObject({ crates: 4 });
  });

  it('reflects a yank at once', async () => {
    const yank = await fetch(`${h.url}/api/v1/crates/core-lib/1.1.0/yank`, {
      method: 'DELETE',
      headers: { authorization: alice },
    });
    expect(yank.status).toBe(200);
    // With 1.1.0 yanked, middle's ^1.0 now resolves to 1.0.0.
    const pinned = await get('dependents?spec=core-lib@1.0.0');
    expect((pinned.body.dependents as { crate: string }[]).map((d) => d.crate).sort()).toEqual([
      'app-two',
      'middle',
    ]);
  });

  it('refuses bad queries and non-admins', async () => {
    expect((await get('dependents')).status).toBe(400);
    expect((await get('dependents?spec=no-such-crate')).status).toBe(404);
    expect((await get('dependents?spec=core-lib&kinds=weird')).status).toBe(400);
    expect((await get('stats', null)).status).toBe(401);
    expect((await get('stats', alice)).status).toBe(403);
  });
});
