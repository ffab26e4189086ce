// The store against both databases it supports: the same assertions on SQLite and PostgreSQL.
import { HELD_FOR_REVIEW_CRATE } from '../domain/crate-name.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS, openTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { CrateRepository, DuplicateVersionError, NotOwnerError, type PublishRecord } from './crates.js';
import { TokenRepository, cratePatternMatches, hashToken } from './tokens.js';
import { UserRepository, isLocked } from './users.js';

function record(
  name: string,
  version: string,
  userId: number,
  extra: Partial<PublishRecord> = {},
): PublishRecord {
  return {
    name,
    version,
    versionNoBuild: version.replace(/\+.*$/, ''),
    checksum: 'a'.repeat(64),
    size: 123,
    status: 'published',
    features: { default: ['std'], std: [] },
    features2: {},
    links: null,
    rustVersion: '1.70',
    license: 'MIT',
    licenseFile: null,
    description: `about ${name}`,
    authors: ['A <a@example.invalid>'],
    hasBuildScript: false,
    isProcMacro: false,
    dependencies: [],
    crateMeta: {
      description: `about ${name}`,
      homepage: null,
      documentation: null,
      repository: null,
      readme: null,
      keywords: ['k'],
      categories: [],
    },
    provenance: { userId, tokenId: null, clientIp: '127.0.0.1', userAgent: 'cargo 1.95.0' },
    publishedAt: new Date('2026-01-02T03:04:05.678Z'),
    ...extra,
  };
}

describe.each(DIALECTS)('store on %s', (dialect) => {
  let t: TestDatabase;
  let users: UserRepository;
  let tokens: TokenRepository;
  let crates: CrateRepository;
  /** A publish in a transaction of its own, as the publish service runs it. */
  const publish = (r: PublishRecord) => t.db.kysely.transaction().execute((trx) => crates.publish(trx, r));

  beforeEach(async () => {
    t = await openTestDatabase(dialect);
    users = new UserRepository(t.db.kysely);
    tokens = new TokenRepository(t.db.kysely);
    crates = new CrateRepository(t.db.kysely);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('creates users, finds them case-insensitively and refuses duplicates and bad logins', async () => {
    const alice = await users.create({ login: 'Alice', isAdmin: true });
    expect(alice.is_admin).toBe(1);
    expect((await users.findByLogin('alice'))?.id).toBe(alice.id);
    await expect(users.create({ login: 'ALICE' })).rejects.toThrow(/already exists/);
    await expect(users.create({ login: 'bad login' })).rejects.toThrow(/invalid login/);
    expect(isLocked(alice)).toBe(false);
    expect(isLocked({ locked_until: null, lock_reason: 'abuse' })).toBe(true);
    expect(isLocked({ locked_until: '2000-01-01T00:00:00.000Z', lock_reason: 'old' })).toBe(false);
  });

  it('stores only a token hash, authenticates, expires and revokes', async () => {
    const u = await users.create({ login: 'tok' });
    const { token, row } = await tokens.create({
      userId: u.id,
      name: 'ci',
      scopes: ['publish-update'],
      cratePatterns: ['serde*'],
    });
    expect(row.token_hash).toBe(hashToken(token));
    expect(JSON.stringify(row)).not.toContain(token);
    const auth = await tokens.authenticate(token);
    expect(auth?.user.login).toBe('tok');
    expect(auth?.scopes).toEqual(['publish-update']);
    expect(auth?.cratePatterns).toEqual(['serde*']);
    expect((await tokens.listForUser(u.id))[0]!.last_used_at).not.toBeNull();
    expect(await tokens.authenticate(token + 'x')).toBeNull();
    expect(await tokens.authenticate('')).toBeNull();

    const expiring = await tokens.create({ userId: u.id, name: 'short', scopes: ['yank'], expiresInDays: 1 });
    expect(await tokens.authenticate(expiring.token, new Date(Date.now() + 2 * 86_400_000))).toBeNull();
    expect(await tokens.authenticate(expiring.token)).not.toBeNull();

    expect(await tokens.revoke(row.id)).toBe(true);
    expect(await tokens.revoke(row.id)).toBe(false);
    expect(await tokens.authenticate(token)).toBeNull();
    expect(await tokens.revokeAllForUser(u.id)).toBe(1);
    expect(await tokens.authenticate(expiring.token)).toBeNull();
    await expect(
      tokens.create({ userId: u.id, name: 'bad', scopes: ['yank'], cratePatterns: ['bad pattern'] }),
    ).rejects.toThrow(/invalid crate pattern/);
  });

  it('matches crate patterns as crates.io does', () => {
    expect(cratePatternMatches('serde', 'serde')).toBe(true);
    expect(cratePatternMatches('serde', 'serde_json')).toBe(false);
    expect(cratePatternMatches('serde*', 'serde_json')).toBe(true);
    expect(cratePatternMatches('tokio-*', 'tokio_util')).toBe(true);
    expect(cratePatternMatches('*', 'anything')).toBe(true);
  });

  it('publishes in one transaction and renders index lines', async () => {
    const u = await users.create({ login: 'pub' });
    await publish(record('base', '1.0.0', u.id));
    const { crate, version, newCrate } = await publish(
      record('top', '0.2.0+meta', u.id, {
        features2: { serde: ['dep:serde'] },
        dependencies: [
          {
            crateName: 'base',
            explicitName: 'b',
            req: '^1',
            features: ['x'],
            optional: true,
            defaultFeatures: false,
            target: 'cfg(unix)',
            kind: 'normal',
            registry: null,
          },
          {
            crateName: 'base',
            explicitName: null,
            req: '^1.0',
            features: [],
            optional: false,
            defaultFeatures: true,
            target: null,
            kind: 'dev',
            registry: null,
          },
        ],
      }),
    );
    expect(newCrate).toBe(true);
    expect(version.num).toBe('0.2.0+meta');
    expect(version.client_ip).toBe('127.0.0.1');
    expect(version.user_agent).toBe('cargo 1.95.0');
    expect(await crates.isOwner(crate.id, u.id)).toBe(true);
    const lines = await crates.indexLines(crate.id);
    expect(lines).toEqual([
      {
        name: 'top',
        vers: '0.2.0+meta',
        deps: [
          {
            name: 'b',
            req: '^1',
            features: ['x'],
            optional: true,
            default_features: false,
            target: 'cfg(unix)',
            kind: 'normal',
            package: 'base',
          },
          {
            name: 'base',
            req: '^1.0',
            features: [],
            optional: false,
            default_features: true,
            target: null,
            kind: 'dev',
          },
        ],
        cksum: 'a'.repeat(64),
        features: { default: ['std'], std: [] },
        features2: { serde: ['dep:serde'] },
        v: 2,
        yanked: false,
        links: null,
        rust_version: '1.70',
        pubtime: '2026-01-02T03:04:05Z',
      },
    ]);
    // A version differing only in build metadata is a duplicate; nothing of it is written.
    await expect(publish(record('top', '0.2.0', u.id))).rejects.toThrow(DuplicateVersionError);
    expect(await crates.versions(crate.id)).toHaveLength(1);
    expect(await t.db.kysely.selectFrom('dependencies').selectAll().execute()).toHaveLength(2);
  });

  it('rolls back a publish that fails half way', async () => {
    const u = await users.create({ login: 'rb' });
    const bad = record('halfway', '1.0.0', u.id, {
      dependencies: [
        // kind is NOT NULL: the dependency insert fails after the crate and version rows.
        {
          crateName: 'x',
          explicitName: null,
          req: '^1',
          features: [],
          optional: false,
          defaultFeatures: true,
          target: null,
          kind: null as never,
          registry: null,
        },
      ],
    });
    await expect(publish(bad)).rejects.toThrow();
    expect(await crates.findByName('halfway')).toBeUndefined();
    expect(await t.db.kysely.selectFrom('versions').selectAll().execute()).toEqual([]);
  });

  it('lands concurrent first publishes of different versions of a new crate', async () => {
    const u = await users.create({ login: 'racer' });
    const nums = ['1.0.0', '1.0.1', '1.0.2', '1.1.0', '2.0.0', '2.0.1'];
    const results = await Promise.allSettled(nums.map((n) => publish(record('fresh', n, u.id))));
    expect(results.filter((r) => r.status === 'rejected').map((r) => String(r.reason))).toEqual([]);
    const krate = await crates.findByName('fresh');
    expect((await crates.versions(krate!.id)).map((v) => v.num).sort()).toEqual([...nums].sort());
    expect((await crates.owners(krate!.id)).map((o) => o.login)).toEqual(['racer']);
    const created = results.filter((r) => r.status === 'fulfilled' && r.value.newCrate);
    expect(created).toHaveLength(1);
  });

  it('refuses a racing first publish by someone who does not own the crate it lost to', async () => {
    const a = await users.create({ login: 'first' });
    const b = await users.create({ login: 'second' });
    await publish(record('taken', '1.0.0', a.id));
    await expect(publish(record('taken', '1.0.1', b.id))).rejects.toThrow(NotOwnerError);
    await expect(publish(record('Taken', '1.0.1', a.id))).rejects.toThrow(/previously named `taken`/);
  });

  it('never reuses a deleted version number, nor those of a deleted crate', async () => {
    const u = await users.create({ login: 'del' });
    const { version } = await publish(record('gone', '1.0.0', u.id));
    await publish(record('gone', '1.1.0', u.id));
    await crates.deleteVersion(version.id);
    await expect(publish(record('gone', '1.0.0', u.id))).rejects.toThrow(/never reused/);
    await expect(publish(record('gone', '1.0.0+other', u.id))).rejects.toThrow(DuplicateVersionError);
    const krate = await crates.findByName('gone');
    await crates.deleteCrate(krate!.id, 0, 'test', new Date(Date.now() - 1000));
    // The name is free again (no block period), the numbers it used are not.
    await expect(publish(record('gone', '1.1.0', u.id))).rejects.toThrow(/never reused/);
    expect((await publish(record('gone', '1.2.0', u.id))).newCrate).toBe(true);
  });

  it('yanks, keeps quarantined versions unresolvable in the index, and picks the max version', async () => {
    const u = await users.create({ login: 'y' });
    const a = await publish(record('lib', '1.0.0', u.id));
    const b = await publish(record('lib', '1.10.0', u.id));
    await publish(record('lib', '1.9.0', u.id));
    await publish(record('lib', '2.0.0', u.id, { status: 'quarantined' }));
    expect(await crates.maxVersion(a.crate.id)).toBe('1.10.0');
    await crates.setYanked(b.version.id, true);
    expect(await crates.maxVersion(a.crate.id)).toBe('1.9.0');
    const lines = await crates.indexLines(a.crate.id);
    expect(lines.map((l) => [l.vers, l.yanked])).toEqual([
      ['1.0.0', false],
      ['1.10.0', true],
      ['1.9.0', false],
      ['2.0.0', false],
    ]);
    const heldDeps = (v: string) => lines.find((l) => l.vers === v)!.deps.map((d) => d.name);
    expect(heldDeps('2.0.0')).toEqual([HELD_FOR_REVIEW_CRATE]);
    expect(heldDeps('1.9.0')).toEqual([]);
    const live = await crates.indexLines(a.crate.id, { held: 'omit' });
    expect(live.map((l) => l.vers)).toEqual(['1.0.0', '1.10.0', '1.9.0']);
    expect((await crates.findVersion(a.crate.id, '1.10.0'))?.yanked_at).not.toBeNull();
    await crates.setYanked(b.version.id, false);
    expect(await crates.maxVersion(a.crate.id)).toBe('1.10.0');
  });

  it('manages owners, counts downloads and searches', async () => {
    const u = await users.create({ login: 'o1' });
    const v = await users.create({ login: 'o2' });
    const { crate, version } = await publish(record('serde-like', '1.0.0', u.id));
    const other = record('other', '1.0.0', u.id);
    other.crateMeta.description = 'mentions serde in passing';
    await publish(other);
    expect(await crates.addOwner(crate.id, v.id, u.id)).toBe(true);
    expect(await crates.addOwner(crate.id, v.id, u.id)).toBe(false);
    expect((await crates.owners(crate.id)).map((o) => o.login)).toEqual(['o1', 'o2']);
    expect(await crates.removeOwner(crate.id, v.id)).toBe(true);
    expect((await crates.owners(crate.id)).map((o) => o.login)).toEqual(['o1']);

    await crates.recordDownload(version.id, '2026-01-01');
    await crates.recordDownload(version.id, '2026-01-01');
    await crates.recordDownload(version.id, '2026-01-02');
    expect(await crates.downloadsOf(crate.id)).toBe(3);

    const hits = await crates.search('serde', 10, 0);
    expect(hits.total).toBe(2);
    expect(hits.crates.map((c) => c.name)).toEqual(['serde-like', 'other']);
    expect(hits.crates[0]).toEqual({
      name: 'serde-like',
      max_version: '1.0.0',
      description: 'about serde-like',
      downloads: 3,
    });
    // LIKE wildcards in the query are literal characters.
    await publish(record('percent', '1.0.0', u.id));
    expect((await crates.search('%', 10, 0)).total).toBe(0);
    expect((await crates.search('serde_', 10, 0)).crates.map((c) => c.name)).toEqual(['serde-like']);
    expect((await crates.search('serde_like', 10, 0)).crates.map((c) => c.name)).toEqual(['serde-like']);
    expect((await crates.search('100%_', 10, 0)).total).toBe(0);
    expect((await crates.search('serde', 1, 1)).crates.map((c) => c.name)).toEqual(['other']);
  });

  it('lists every crate for an empty search, each with its max version, in one page query', async () => {
    const u = await users.create({ login: 'e' });
    const a = await publish(record('alpha', '1.0.0', u.id));
    const top = await publish(record('alpha', '1.10.0', u.id));
    await publish(record('alpha', '1.9.0', u.id));
    await crates.setYanked(top.version.id, true);
    const b = await publish(record('beta', '0.1.0', u.id));
    await publish(record('beta', '0.2.0', u.id, { status: 'quarantined' }));
    const hidden = await publish(record('hidden', '1.0.0', u.id, { status: 'quarantined' }));
    await crates.recordDownload(b.version.id, '2026-01-01');
    // Which crates are listed follows every status change and deletion (triggers, migration 005).
    await crates.setStatus(hidden.version.id, 'published');
    expect((await crates.search('hidden', 10, 0)).crates.map((c) => c.name)).toEqual(['hidden']);
    await crates.setStatus(hidden.version.id, 'rejected');
    expect((await crates.search('hidden', 10, 0)).total).toBe(0);
    await crates.setStatus(hidden.version.id, 'published');
    await crates.deleteVersion(hidden.version.id);
    expect((await crates.search('hidden', 10, 0)).total).toBe(0);
    const all = await crates.search('', 10, 0);
    expect(all.total).toBe(2);
    expect(all.crates.map((c) => [c.name, c.max_version, c.downloads])).toEqual([
      ['beta', '0.1.0', 1],
      ['alpha', '1.9.0', 0],
    ]);
    expect((await crates.search('  ', 1, 1)).crates.map((c) => c.name)).toEqual(['alpha']);
    const past = await crates.search('', 10, 10);
    expect(past).toEqual({ total: 2, crates: [] });
    expect(a.crate.id).toBeGreaterThan(0);
  });

  it('builds the ecosystem graph of its crates, leaving quarantined versions out', async () => {
    const u = await users.create({ login: 'g' });
    const dep = (name: string, req: string, extra: Partial<PublishRecord['dependencies'][number]> = {}) => ({
      crateName: name,
      explicitName: null,
      req,
      features: [],
      optional: false,
      defaultFeatures: true,
      target: null,
      kind: 'normal' as const,
      registry: null,
      ...extra,
    });
    await publish(record('leaf', '1.0.0', u.id));
    await publish(record('leaf', '1.2.0', u.id));
    await publish(record('leaf', '1.3.0', u.id, { status: 'quarantined' }));
    await publish(record('mid', '0.1.0', u.id, { dependencies: [dep('leaf', '^1.0')] }));
    await publish(
      record('app', '1.0.0', u.id, {
        dependencies: [dep('mid', '0.1', { explicitName: 'm' }), dep('leaf', '^9', { kind: 'dev' })],
      }),
    );
    const { queryDependents } = await import('../graph/query-api.js');
    const { buildRegistryGraph } = await import('./registry-graph.js');
    const g = await buildRegistryGraph(t.db.kysely);
    const deps = (a: { dependents: { crate: string; version: string; depth: number }[] }) =>
      a.dependents.map((d) => `${d.crate}@${d.version}:${d.depth}`).sort();
    expect(deps(queryDependents(g, { spec: 'leaf' }))).toEqual(['mid@0.1.0:1']);
    expect(deps(queryDependents(g, { spec: 'leaf', transitive: true }))).toEqual([
      'app@1.0.0:2',
      'mid@0.1.0:1',
    ]);
    // mid's ^1.0 resolves to 1.2.0: 1.3.0 is quarantined, so it is not in the graph at all.
    expect(queryDependents(g, { spec: 'leaf@1.2.0', transitive: true }).targets).toEqual(['1.2.0']);
    expect(queryDependents(g, { spec: 'leaf@1.3.0' }).targets).toEqual([]);
  });

  it('counts distinct dependent crates, by real name, ignoring itself and other registries', async () => {
    const u = await users.create({ login: 'dc' });
    const dep = (name: string, extra: Partial<PublishRecord['dependencies'][number]> = {}) => ({
      crateName: name,
      explicitName: null,
      req: '^1',
      features: [],
      optional: false,
      defaultFeatures: true,
      target: null,
      kind: 'normal' as const,
      registry: null,
      ...extra,
    });
    const { crate: lib } = await publish(
      record('my-lib', '1.0.0', u.id, { dependencies: [dep('my-lib', { kind: 'dev' })] }),
    );
    await publish(record('a', '1.0.0', u.id, { dependencies: [dep('my_lib')] }));
    await publish(record('a', '1.1.0', u.id, { dependencies: [dep('my-lib')] }));
    await publish(
      record('b', '1.0.0', u.id, {
        dependencies: [dep('my-lib', { explicitName: 'renamed', kind: 'build' })],
      }),
    );
    await publish(
      record('c', '1.0.0', u.id, {
        dependencies: [dep('my-lib', { registry: 'https://github.com/rust-lang/crates.io-index' })],
      }),
    );
    expect(await crates.dependentCount(lib.id)).toBe(2);
    const stats = await crates.popularityStats('2000-01-01');
    expect(stats.find((s) => s.name === 'my-lib')?.dependents).toBe(2);
  });

  it('blocks reserved and recently deleted names', async () => {
    await crates.reserveName('Company-Internal', 'ours');
    expect(await crates.isReserved('company_internal')).toBe(true);
    expect(await crates.isReserved('company')).toBe(false);
    await t.db.kysely
      .insertInto('deleted_crates')
      .values({
        name: 'gone',
        canonical_name: 'gone',
        deleted_at: '2026-01-01T00:00:00.000Z',
        available_at: '2026-02-01T00:00:00.000Z',
        reason: 'malware',
      })
      .execute();
    expect(await crates.deletedNameBlockedUntil('gone', new Date('2026-01-15T00:00:00Z'))).toBe(
      '2026-02-01T00:00:00.000Z',
    );
    expect(await crates.deletedNameBlockedUntil('gone', new Date('2026-03-01T00:00:00Z'))).toBeNull();
  });
});
