// Per-version downloads (in all, last 7 and 30 days) and the dependents whose requirement
// accepts a version, on the crate page and in the impact figures every action dialog shows, on
// both databases. A yanked version keeps its dependents: their lockfiles pin it.
import { randomBytes } from 'node:crypto';
import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrateDetail, Impact } from '../../src/admin/api-types.js';
import { versionReach } from '../../src/admin/version-reach.js';
import { writeCrateArchive } from '../../src/formats/crate-archive.js';
import { dropPostgresSchema } from '../../src/store/database.js';
import { DIALECTS, POSTGRES_URL } from '../support/databases.js';
import { manifestToml, metadataFor, normalDependency, publishBody } from '../support/publish-body.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';

const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString().slice(0, 10);

describe.each(DIALECTS)('version reach on %s', (dialect) => {
  let h: Harness;
  let schema: string | null = null;
  let admin: string;

  const publish = async (token: string, name: string, version: string, deps: [string, string][] = []) => {
    const crate = await writeCrateArchive(`${name}-${version}`, [
      { path: 'Cargo.toml', data: manifestToml(name, version) },
    ]);
    const res = await fetch(`${h.url}/api/v1/crates/new`, {
      method: 'PUT',
      headers: { authorization: token },
      body: publishBody(
        metadataFor(name, version, { deps: deps.map(([d, req]) => normalDependency(d, req)) }),
        crate,
      ),
    });
    expect(res.status, await res.clone().text()).toBe(200);
  };
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${h.url}${path}`, {
      method,
      headers: { authorization: admin, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
    return (await res.json()) as T;
  };
  const versionId = async (name: string, num: string) => {
    const krate = await h.services.crates.findByName(name);
    return (await h.services.crates.findVersion(krate!.id, num))!.id;
  };

  beforeAll(async () => {
    schema = dialect === 'postgres' ? `ck_test_${randomBytes(6).toString('hex')}` : null;
    h = await startRegistry(schema ? { database: { url: POSTGRES_URL, schema, poolSize: 8 } } : {});
    await h.services.users.create({ login: 'root', isAdmin: true });
    admin = await h.token('root', ['admin']);
    const alice = await h.token('alice');
    const bob = await h.token('bob');
    for (const v of ['1.0.0', '1.1.0', '2.0.0']) await publish(alice, 'base', v);
    await publish(bob, 'user-a', '1.0.0', [['base', '^1']]);
    await publish(bob, 'user-a', '1.1.0', [['base', '^1.1']]);
    await publish(bob, 'user-b', '1.0.0', [['base', '=1.0.0']]);
    await publish(bob, 'user-c', '1.0.0', [['base', '^2']]);
    // A dev-dependency is no dependent: nothing downstream builds it.
    const dev = { ...normalDependency('base', '^1'), kind: 'dev' as const };
    const crate = await writeCrateArchive('tester-1.0.0', [
      { path: 'Cargo.toml', data: manifestToml('tester', '1.0.0') },
    ]);
    const res = await fetch(`${h.url}/api/v1/crates/new`, {
      method: 'PUT',
      headers: { authorization: bob },
      body: publishBody(metadataFor('tester', '1.0.0', { deps: [dev] }), crate),
    });
    expect(res.status).toBe(200);
    const v100 = await versionId('base', '1.0.0');
    await h.services.db.kysely
      .insertInto('version_downloads')
      .values([
        { version_id: v100, date: daysAgo(0), downloads: 5 },
        { version_id: v100, date: daysAgo(10), downloads: 7 },
        { version_id: v100, date: daysAgo(100), downloads: 11 },
        { version_id: await versionId('base', '2.0.0'), date: daysAgo(3), downloads: 2 },
      ])
      .execute();
    await call('POST', '/api/admin/crates/base/versions/1.0.0/yank', { reason: 'superseded by 1.1.0' });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    if (schema) await dropPostgresSchema(POSTGRES_URL, schema);
  });

  it('counts the dependents of a yanked version by requirement, and its downloads by period', async () => {
    const impact = await call<Impact>('GET', '/api/admin/impact?crate=base&version=1.0.0');
    // No fresh resolution picks a yanked version, but user-a 1.0.0 (^1) and user-b (=1.0.0) accept it.
    expect(impact.directDependents).toBe(0);
    expect(impact.requirementDependents).toEqual({ crates: 2, versions: 2 });
    expect(impact.downloads).toEqual({ total: 23, last7Days: 5, last30Days: 12 });
    // The whole crate, as the delete-crate dialog shows it: each dependent counted once.
    const crate = await call<Impact>('GET', '/api/admin/impact?crate=base');
    expect(crate.requirementDependents).toEqual({ crates: 3, versions: 4 });
    expect(crate.downloads).toEqual({ total: 25, last7Days: 7, last30Days: 14 });
  });

  it('shows each version’s downloads and requirement dependents on the crate page', async () => {
    const detail = await call<CrateDetail>('GET', '/api/admin/crates/base');
    const byNum = Object.fromEntries(detail.versions.map((v) => [v.num, v]));
    expect(byNum['1.0.0']).toMatchObject({
      yanked: true,
      downloads: { total: 23, last7Days: 5, last30Days: 12 },
      dependents: { crates: 2, versions: 2 },
    });
    expect(byNum['1.1.0']).toMatchObject({
      downloads: { total: 0, last7Days: 0, last30Days: 0 },
      dependents: { crates: 1, versions: 2 },
    });
    expect(byNum['2.0.0']).toMatchObject({
      downloads: { total: 2, last7Days: 2, last30Days: 2 },
      dependents: { crates: 1, versions: 1 },
    });
  });

  it('reads every version’s reach in two queries, whatever the number of versions', async () => {
    const counted = async () => {
      let n = 0;
      const counter: KyselyPlugin = {
        transformQuery: (args) => {
          n++;
          return args.node;
        },
        transformResult: async (args) => args.result,
      };
      const krate = (await h.services.crates.findByName('base'))!;
      const versions = await h.services.crates.versions(krate.id);
      await versionReach(h.services.db.kysely.withPlugin(counter), krate.id, krate.name, versions);
      return { n, versions: versions.length };
    };
    const before = await counted();
    const alice = await h.token('alice');
    for (const v of ['2.1.0', '2.2.0', '2.3.0']) await publish(alice, 'base', v);
    const after = await counted();
    expect(after.versions).toBe(before.versions + 3);
    expect(after.n).toBe(2);
    expect(before.n).toBe(2);
  });
});
