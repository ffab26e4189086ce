// The real RustSec snapshot (1,225 advisories) synced into a registry on both databases:
// every advisory stored in one transaction, a second sync that changes nothing, withdrawn
// advisories kept but not listed, and the malicious ones naming crates present here acted on
// by the rule (alert always; quarantine in crates.io-mirror mode). Then the CLI does the same.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAdvisoryConfig } from '../../src/jobs/advisory-sync.js';
import { defaultSecurityConfig } from '../../src/jobs/security-config.js';
import { defaultRegistryConfig } from '../../src/registry/config.js';
import { createServices, type RegistryServices } from '../../src/registry/services.js';
import type { Advisory, AdvisoryIndex } from '../../src/security/advisories/advisory.js';
import { loadAdvisoryDatabases } from '../../src/security/advisories/database.js';
import { FsBlobStore } from '../../src/store/blob-store.js';
import { DIALECTS, openTestDatabase, type TestDatabase } from '../support/databases.js';
import { runCli } from '../support/cli-process.js';
import { repoRoot } from '../support/paths.js';
import { minimalPublishRecord } from '../support/publish-record.js';

const SNAPSHOT = join(repoRoot, '..', 'shared', 'data', 'rustsec-advisory-db-2026-08-21.tar.gz');

let index: AdvisoryIndex;
let malicious: Advisory;
let vulnerable: Advisory;

beforeAll(async () => {
  index = await loadAdvisoryDatabases([SNAPSHOT]);
  // A malicious crate whose advisory names every version, and an ordinary vulnerability.
  malicious = index.advisories.find(
    (a) =>
      a.metadata.categories.includes('malicious') &&
      a.metadata.withdrawn === null &&
      a.versions.patched.length === 0 &&
      a.versions.unaffected.length === 0,
  )!;
  vulnerable = index.advisories.find(
    (a) =>
      !a.metadata.categories.includes('malicious') &&
      a.metadata.informational === null &&
      a.metadata.withdrawn === null &&
      a.versions.patched.length > 0 &&
      a.metadata.collection === 'crates',
  )!;
}, 60_000);

describe.each(DIALECTS)('the RustSec snapshot synced on %s', { timeout: 120_000 }, (dialect) => {
  let t: TestDatabase;
  let blobDir: string;
  let services: RegistryServices;

  beforeAll(async () => {
    t = await openTestDatabase(dialect);
    blobDir = await mkdtemp(join(tmpdir(), 'ck-snap-'));
    services = createServices(t.db, new FsBlobStore(blobDir), defaultRegistryConfig(), {
      security: defaultSecurityConfig({ advisories: defaultAdvisoryConfig({ cratesIoMirror: true }) }),
    });
    const user = await services.users.create({ login: 'mirror' });
    for (const [name, version] of [
      [malicious.metadata.package, '0.1.0'],
      [vulnerable.metadata.package, '0.0.1'],
    ] as const)
      await t.db.kysely
        .transaction()
        .execute((trx) => services.crates.publish(trx, minimalPublishRecord(name, version, user.id)));
  });
  afterAll(async () => {
    await services?.security.close();
    await t?.cleanup();
    await rm(blobDir, { recursive: true, force: true });
  });

  it('stores all 1,225, reports problems and withdrawn ones, and acts on the malicious crate present', async () => {
    expect(index.advisories).toHaveLength(1225);
    const withdrawn = index.advisories.filter((a) => a.metadata.withdrawn !== null).length;
    expect(withdrawn).toBeGreaterThan(0);
    const r = await services.security.advisorySync.apply(index);
    expect(r).toMatchObject({ added: 1225, updated: 0, unchanged: 0, withdrawn });
    expect(r.problems).toHaveLength(index.problems.length);
    expect(r.malicious).toEqual([
      expect.objectContaining({
        advisory: malicious.metadata.id,
        crate: malicious.metadata.package,
        scope: 'applies',
        quarantined: ['0.1.0'],
      }),
    ]);
    const repo = services.security.advisorySync.advisories;
    expect((await repo.list({ includeWithdrawn: true, limit: 1 })).total).toBe(1225);
    expect((await repo.list({ limit: 1 })).total).toBe(1225 - withdrawn);
    expect((await repo.list({ category: 'malicious', includeWithdrawn: true, limit: 1 })).total).toBe(
      index.advisories.filter((a) => a.metadata.categories.includes('malicious')).length,
    );
    // A stored row reads back as the advisory it was.
    const row = await repo.get(vulnerable.metadata.id);
    expect(row!.markdown).toContain(`id = "${vulnerable.metadata.id}"`);
    const { toAdvisory } = await import('../../src/store/advisories.js');
    expect(toAdvisory(row!).metadata).toEqual(vulnerable.metadata);
    expect(toAdvisory(row!).ranges).toEqual(vulnerable.ranges);
  });

  it('changes nothing the second time', async () => {
    const alertsBefore = (await services.security.alerts.list({})).total;
    const r = await services.security.advisorySync.apply(index);
    expect(r).toMatchObject({ added: 0, updated: 0, withdrawn: 0, unchanged: 1225, malicious: [] });
    expect((await services.security.alerts.list({})).total).toBe(alertsBefore);
  });
});

describe('cratekeeper advisories sync', { timeout: 180_000 }, () => {
  it('syncs the snapshot into a data directory and reports it, idempotently', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ck-snap-cli-'));
    try {
      expect((await runCli(['init', '--data', dir])).code).toBe(0);
      const first = await runCli(['advisories', 'sync', '--data', dir, '--from', SNAPSHOT, '--json']);
      expect(first.code, first.stderr).toBe(0);
      const report = JSON.parse(first.stdout) as { added: number; unchanged: number; problems: unknown[] };
      expect(report.added).toBe(1225);
      const second = await runCli(['advisories', 'sync', '--data', dir, '--from', SNAPSHOT]);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toMatch(/0 added, 0 updated, 0 withdrawn, 1225 unchanged/);
      // Synced advisories are not this registry's own: the export has none of them.
      const exported = await runCli([
        'advisories',
        'export',
        '--data',
        dir,
        '--out',
        join(dir, 'own-db'),
        '--git',
      ]);
      expect(exported.code, exported.stderr).toBe(0);
      expect(exported.stdout).toMatch(/wrote 0 advisories to .*own-db \(commit [0-9a-f]{12}\)/);
      const bad = await runCli(['advisories', 'sync', '--data', dir, '--from', join(dir, 'missing.tar.gz')]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/missing\.tar\.gz/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
