// Advisory syncs on both databases, through the registry's real wiring: upsert by id in one
// transaction, an idempotent second sync, withdrawn advisories, authored ids kept, and the
// malicious-advisory rule (critical alert; quarantine only where the advisory applies).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS, openTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { minimalPublishRecord } from '../../test/support/publish-record.js';
import { HELD_FOR_REVIEW_CRATE } from '../domain/crate-name.js';
import { formatAdvisoryMarkdown, parseAdvisoryMarkdown } from '../formats/advisory-markdown.js';
import { AlertRaiser } from './alert-raiser.js';
import { AdvisorySync, defaultAdvisoryConfig } from './advisory-sync.js';
import { defaultRegistryConfig } from '../registry/config.js';
import { createServices, type RegistryServices } from '../registry/services.js';
import type { Advisory, AdvisoryIndex } from '../security/advisories/advisory.js';
import { FsBlobStore } from '../store/blob-store.js';
import { defaultSecurityConfig } from './security-config.js';

const PUBLIC_URL = 'http://registry.example.test';
const OWN_SOURCE = `sparse+${PUBLIC_URL}/index/`;

function advisory(
  id: string,
  pkg: string,
  opts: {
    categories?: string[];
    patched?: string[];
    unaffected?: string[];
    source?: string;
    withdrawn?: string;
    title?: string;
  } = {},
): Advisory {
  const lines = [
    '```toml',
    '[advisory]',
    `id = "${id}"`,
    `package = "${pkg}"`,
    'date = "2026-03-01"',
    ...(opts.categories ? [`categories = ${JSON.stringify(opts.categories)}`] : []),
    ...(opts.source ? [`source = "${opts.source}"`] : []),
    ...(opts.withdrawn ? [`withdrawn = "${opts.withdrawn}"`] : []),
    '',
    '[versions]',
    `patched = ${JSON.stringify(opts.patched ?? [])}`,
    ...(opts.unaffected ? [`unaffected = ${JSON.stringify(opts.unaffected)}`] : []),
    '```',
    '',
    `# ${opts.title ?? `Problem in ${pkg}`}`,
    '',
    'Details.',
    '',
  ];
  return parseAdvisoryMarkdown(lines.join('\n'), {
    collection: 'crates',
    database: 'test-db',
    file: `crates/${pkg}/${id}.md`,
  });
}

function indexOf(advisories: Advisory[]): AdvisoryIndex {
  return {
    advisories,
    problems: [],
    databases: [{ label: 'test-db', advisoryCount: advisories.length, lastCommit: null, lastUpdated: null }],
    get: (id) => advisories.find((a) => a.metadata.id === id),
    forPackage: (name) => advisories.filter((a) => a.metadata.package === name),
  };
}

describe.each(DIALECTS)('advisory sync on %s', (dialect) => {
  let t: TestDatabase;
  let blobDir: string;
  let services: RegistryServices;

  const open = (mirror = false) => {
    services = createServices(
      t.db,
      new FsBlobStore(blobDir),
      defaultRegistryConfig({ publicUrl: PUBLIC_URL }),
      {
        security: defaultSecurityConfig({
          advisories: { ...defaultSecurityConfig().advisories, cratesIoMirror: mirror },
        }),
      },
    );
    return services;
  };

  const publish = async (name: string, version: string) => {
    const user =
      (await services.users.findByLogin('alice')) ?? (await services.users.create({ login: 'alice' }));
    await t.db.kysely
      .transaction()
      .execute((trx) => services.crates.publish(trx, minimalPublishRecord(name, version, user.id)));
  };
  const statuses = async (name: string) => {
    const krate = await services.crates.findByName(name);
    return Object.fromEntries((await services.crates.versions(krate!.id)).map((v) => [v.num, v.status]));
  };

  beforeEach(async () => {
    t = await openTestDatabase(dialect);
    blobDir = await mkdtemp(join(tmpdir(), 'ck-adv-blobs-'));
    open();
  });
  afterEach(async () => {
    await services.security.close();
    await t.cleanup();
    await rm(blobDir, { recursive: true, force: true });
  });

  it('adds, then finds nothing to do the second time, then updates what changed', async () => {
    const sync = services.security.advisorySync;
    const a = advisory('RUSTSEC-2026-0001', 'alpha', { patched: ['>= 1.2.0'] });
    const b = advisory('RUSTSEC-2026-0002', 'beta');
    const first = await sync.apply(indexOf([a, b]));
    expect(first).toMatchObject({ added: 2, updated: 0, unchanged: 0, withdrawn: 0, malicious: [] });
    const second = await sync.apply(indexOf([a, b]));
    expect(second).toMatchObject({ added: 0, updated: 0, unchanged: 2 });
    const a2 = advisory('RUSTSEC-2026-0001', 'alpha', { patched: ['>= 1.3.0'] });
    const third = await sync.apply(indexOf([a2, b]));
    expect(third).toMatchObject({ added: 0, updated: 1, unchanged: 1 });
    const row = await sync.advisories.get('RUSTSEC-2026-0001');
    expect(JSON.parse(row!.versions)).toEqual({ patched: ['>= 1.3.0'], unaffected: [] });
    expect(row!.markdown).toContain('patched = [">= 1.3.0"]');
    expect(row!.origin).toBe('synced');
  });

  it('counts an advisory withdrawn by this sync once, and never alerts on it', async () => {
    await publish('gamma', '1.0.0');
    const sync = services.security.advisorySync;
    await sync.apply(indexOf([advisory('RUSTSEC-2026-0003', 'gamma')]));
    const withdrawn = advisory('RUSTSEC-2026-0003', 'gamma', {
      withdrawn: '2026-04-01',
      categories: ['malicious'],
      source: OWN_SOURCE,
    });
    const r = await sync.apply(indexOf([withdrawn]));
    expect(r).toMatchObject({ updated: 1, withdrawn: 1, malicious: [] });
    expect((await sync.apply(indexOf([withdrawn]))).withdrawn).toBe(0);
    expect((await services.security.alerts.list({ kind: 'advisory' })).total).toBe(0);
    expect(await statuses('gamma')).toEqual({ '1.0.0': 'published' });
  });

  it('quarantines the affected versions when a malicious advisory names this registry, with a critical alert and audit entries', async () => {
    await publish('evil', '1.0.0');
    await publish('evil', '1.1.0');
    await publish('evil', '2.0.0');
    const sync = services.security.advisorySync;
    const r = await sync.apply(
      indexOf([
        advisory('CK-2026-0007', 'evil', {
          categories: ['malicious'],
          source: OWN_SOURCE,
          patched: ['>= 2.0.0'],
        }),
      ]),
    );
    expect(r.malicious).toEqual([
      expect.objectContaining({
        crate: 'evil',
        scope: 'applies',
        affected: ['1.0.0', '1.1.0'],
        quarantined: ['1.0.0', '1.1.0'],
      }),
    ]);
    expect(await statuses('evil')).toEqual({
      '1.0.0': 'quarantined',
      '1.1.0': 'quarantined',
      '2.0.0': 'published',
    });
    const { alerts } = await services.security.alerts.list({ kind: 'advisory' });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ severity: 'critical', crate_name: 'evil', status: 'open' });
    const audit = await services.audit.list({ action: 'advisory-quarantine' });
    expect(audit.entries.map((e) => e.target).sort()).toEqual(['evil@1.0.0', 'evil@1.1.0']);
    // The sparse index lists them only with a dependency nothing satisfies: no resolution picks them.
    const lines = await services.crates.indexLines((await services.crates.findByName('evil'))!.id);
    const held = (vers: string) =>
      lines.find((l) => l.vers === vers)!.deps.some((d) => d.name === HELD_FOR_REVIEW_CRATE);
    expect([held('1.0.0'), held('1.1.0'), held('2.0.0')]).toEqual([true, true, false]);
    // A re-sync of the same advisory changes nothing: a released version stays released.
    const v = await services.crates.findVersion((await services.crates.findByName('evil'))!.id, '1.0.0');
    await services.crates.setStatus(v!.id, 'published');
    await sync.apply(
      indexOf([
        advisory('CK-2026-0007', 'evil', {
          categories: ['malicious'],
          source: OWN_SOURCE,
          patched: ['>= 2.0.0'],
        }),
      ]),
    );
    expect((await statuses('evil'))['1.0.0']).toBe('published');
  });

  it('alerts on a crates.io malicious advisory naming a crate here, and quarantines only in mirror mode', async () => {
    await publish('typo-crate', '0.1.0');
    const mal = advisory('RUSTSEC-2026-0100', 'typo-crate', { categories: ['malicious'] });
    const r = await services.security.advisorySync.apply(indexOf([mal]));
    expect(r.malicious).toEqual([
      expect.objectContaining({ scope: 'name-only', affected: ['0.1.0'], quarantined: [] }),
    ]);
    expect(await statuses('typo-crate')).toEqual({ '0.1.0': 'published' });
    const alert = (await services.security.alerts.list({ kind: 'advisory' })).alerts[0]!;
    expect(alert.severity).toBe('critical');
    expect(alert.title).toMatch(/name of a crate reported as malicious/);

    await services.security.close();
    open(true);
    const other = advisory('RUSTSEC-2026-0101', 'typo-crate', {
      categories: ['malicious'],
      title: 'Second report',
    });
    const mirrored = await services.security.advisorySync.apply(indexOf([other]));
    expect(mirrored.malicious).toEqual([
      expect.objectContaining({ scope: 'applies', quarantined: ['0.1.0'] }),
    ]);
    expect(await statuses('typo-crate')).toEqual({ '0.1.0': 'quarantined' });
  });

  it('does not act on a malicious advisory for another registry, nor for a crate that is not here', async () => {
    await publish('shared-name', '1.0.0');
    const r = await services.security.advisorySync.apply(
      indexOf([
        advisory('OTHER-2026-0001', 'shared-name', {
          categories: ['malicious'],
          source: 'sparse+https://other.example/index/',
        }),
        advisory('RUSTSEC-2026-0200', 'absent-crate', { categories: ['malicious'] }),
      ]),
    );
    expect(r.malicious).toEqual([
      expect.objectContaining({ crate: 'shared-name', scope: 'name-only', quarantined: [] }),
    ]);
    expect(await statuses('shared-name')).toEqual({ '1.0.0': 'published' });
  });

  it('keeps an authored advisory when a database reuses its id, reporting it', async () => {
    const sync = services.security.advisorySync;
    const own = advisory('CK-2026-0001', 'alpha', { source: OWN_SOURCE });
    await sync.advisories.upsert({ advisory: own, markdown: 'authored text', origin: 'authored' });
    const r = await sync.apply(indexOf([advisory('CK-2026-0001', 'alpha', { title: 'Impostor' })]));
    expect(r.added + r.updated).toBe(0);
    expect(r.problems).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/authored in this registry/) }),
    ]);
    expect((await sync.advisories.get('CK-2026-0001'))!.title).toBe('Problem in alpha');
  });

  it('reports and skips an advisory that cannot be stored as a RustSec file, keeping the rest', async () => {
    const good = advisory('RUSTSEC-2026-0301', 'beta');
    const broken = advisory('RUSTSEC-2026-0300', 'beta');
    broken.metadata.title = 'two\nlines'; // the writer refuses it: it could not be read back
    const nul = advisory('RUSTSEC-2026-0302', 'beta');
    nul.metadata.description = 'a\u0000b';
    const r = await services.security.advisorySync.apply(indexOf([good, broken, nul]));
    expect(r).toMatchObject({ added: 1 });
    expect(r.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^not stored: .*single line/),
      'not stored: the advisory contains a NUL character',
    ]);
    expect((await services.security.advisorySync.advisories.list({})).advisories.map((a) => a.id)).toEqual([
      'RUSTSEC-2026-0301',
    ]);
  });

  it('writes nothing when storing one advisory of the sync fails', async () => {
    await publish('evil', '1.0.0');
    // The formats seam: the second advisory's file cannot be written for a reason that is
    // not the advisory's fault, so the whole sync rolls back.
    let calls = 0;
    const sync = new AdvisorySync({
      db: t.db.kysely,
      crates: services.crates,
      audit: services.audit,
      raiser: new AlertRaiser(services.security.alerts, services.security.notifier),
      queue: services.security.queue,
      config: defaultAdvisoryConfig(),
      formats: {
        load: () => Promise.reject(new Error('unused')),
        formatMarkdown: (a) => {
          if (++calls === 2) throw new Error('disk full');
          return formatAdvisoryMarkdown(a);
        },
      },
      publicUrl: () => PUBLIC_URL,
      cratesChanged: () => {},
    });
    const good = advisory('CK-2026-0009', 'evil', { categories: ['malicious'], source: OWN_SOURCE });
    await expect(sync.apply(indexOf([good, advisory('RUSTSEC-2026-0300', 'beta')]))).rejects.toThrow(
      /disk full/,
    );
    expect((await sync.advisories.list({ includeWithdrawn: true })).total).toBe(0);
    expect(await statuses('evil')).toEqual({ '1.0.0': 'published' });
    expect((await services.security.alerts.list({})).total).toBe(0);
  });

  it('lists by crate, category, presence and text', async () => {
    await publish('alpha', '1.0.0');
    const sync = services.security.advisorySync;
    await sync.apply(
      indexOf([
        advisory('RUSTSEC-2026-0001', 'alpha', { categories: ['memory-corruption'] }),
        advisory('RUSTSEC-2026-0002', 'beta', { categories: ['malicious'] }),
        advisory('RUSTSEC-2026-0003', 'beta', { withdrawn: '2026-05-01' }),
      ]),
    );
    const ids = async (f: Parameters<typeof sync.advisories.list>[0]) =>
      (await sync.advisories.list(f)).advisories.map((a) => a.id);
    expect(await ids({})).toEqual(['RUSTSEC-2026-0002', 'RUSTSEC-2026-0001']);
    expect(await ids({ includeWithdrawn: true, package: 'beta' })).toEqual([
      'RUSTSEC-2026-0003',
      'RUSTSEC-2026-0002',
    ]);
    expect(await ids({ category: 'malicious' })).toEqual(['RUSTSEC-2026-0002']);
    expect(await ids({ presentOnly: true })).toEqual(['RUSTSEC-2026-0001']);
    expect(await ids({ q: '0001' })).toEqual(['RUSTSEC-2026-0001']);
    expect(await ids({ q: '100%_' })).toEqual([]);
    expect(await sync.advisories.nextAuthoredId('CK', 2026)).toBe('CK-2026-0001');
  });

  it('runs a scheduled sync as a job: the worker reads the configured database', async () => {
    await services.security.close();
    const db = join(blobDir, 'advisory-db');
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(join(db, 'crates', 'alpha'), { recursive: true });
    await writeFile(
      join(db, 'crates', 'alpha', 'RUSTSEC-2026-0001.md'),
      '```toml\n[advisory]\nid = "RUSTSEC-2026-0001"\npackage = "alpha"\ndate = "2026-03-01"\n\n[versions]\npatched = [">= 1.0.0"]\n```\n\n# Alpha is broken\n\nDetails.\n',
    );
    services = createServices(
      t.db,
      new FsBlobStore(blobDir),
      defaultRegistryConfig({ publicUrl: PUBLIC_URL }),
      {
        security: defaultSecurityConfig({
          advisories: { ...defaultSecurityConfig().advisories, sources: [db], syncIntervalMinutes: 30 },
        }),
      },
    );
    const { Worker } = await import('./worker.js');
    const worker = new Worker(services.security.queue);
    services.security.register(worker);
    expect(await services.security.advisorySync.scheduleDue()).toBe(true);
    expect(await worker.drain()).toBe(1);
    expect((await services.security.advisorySync.advisories.get('RUSTSEC-2026-0001'))!.title).toBe(
      'Alpha is broken',
    );
    expect(await services.security.queue.counts()).toEqual({ done: 1 });
  });

  it('queues a scheduled sync only when due and none is pending', async () => {
    await services.security.close();
    services = createServices(
      t.db,
      new FsBlobStore(blobDir),
      defaultRegistryConfig({ publicUrl: PUBLIC_URL }),
      {
        security: defaultSecurityConfig({
          advisories: {
            ...defaultSecurityConfig().advisories,
            sources: ['/nonexistent'],
            syncIntervalMinutes: 60,
          },
        }),
      },
    );
    const sync = services.security.advisorySync;
    expect(await sync.scheduleDue()).toBe(true);
    expect(await sync.scheduleDue()).toBe(false); // one is queued
    const job = await services.security.queue.claim('w');
    await services.security.queue.complete(job!.id);
    expect(await sync.scheduleDue()).toBe(false); // finished just now
    expect(await sync.scheduleDue(new Date(Date.now() + 61 * 60_000))).toBe(true);
  });
});
