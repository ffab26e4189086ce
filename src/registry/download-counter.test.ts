// Download counts are aggregated in memory and written in batches: one write per flush, none
// lost on a clean close, on both databases.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DIALECTS, openTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { minimalPublishRecord } from '../../test/support/publish-record.js';
import { FsBlobStore } from '../store/blob-store.js';
import { CrateRepository, type PublishRecord } from '../store/crates.js';
import { UserRepository } from '../store/users.js';
import { defaultRegistryConfig } from './config.js';
import { DownloadCounter } from './download-counter.js';
import { createServices } from './services.js';

const record = (name: string, version: string, userId: number) => minimalPublishRecord(name, version, userId);

describe.each(DIALECTS)('download counter on %s', (dialect) => {
  let t: TestDatabase;
  let crates: CrateRepository;
  const publish = (r: PublishRecord) => t.db.kysely.transaction().execute((trx) => crates.publish(trx, r));
  let userId: number;

  beforeEach(async () => {
    t = await openTestDatabase(dialect);
    crates = new CrateRepository(t.db.kysely);
    userId = (await new UserRepository(t.db.kysely).create({ login: 'dl' })).id;
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('aggregates downloads in memory and writes them in one batch per flush', async () => {
    const a = await publish(record('dl-a', '1.0.0', userId));
    const b = await publish(record('dl-b', '1.0.0', userId));
    const counter = new DownloadCounter(crates, { flushMs: 60_000 });
    const write = vi.spyOn(crates, 'recordDownloads');
    for (let i = 0; i < 100; i++) counter.record(a.version.id, '2026-03-01');
    counter.record(a.version.id, '2026-03-02');
    counter.record(b.version.id, '2026-03-01');
    expect(await crates.downloadsOf(a.crate.id)).toBe(0);
    await counter.flush();
    expect(write).toHaveBeenCalledTimes(1);
    expect(await crates.downloadsOf(a.crate.id)).toBe(101);
    expect(await crates.downloadsOf(b.crate.id)).toBe(1);
    // Counts add up across flushes, and the crate's total (what search ranks by) follows.
    counter.record(a.version.id, '2026-03-01');
    await counter.close();
    expect(await crates.downloadsOf(a.crate.id)).toBe(102);
    expect((await crates.search('dl-', 10, 0)).crates.map((c) => [c.name, c.downloads])).toEqual([
      ['dl-a', 102],
      ['dl-b', 1],
    ]);
    await counter.flush();
    expect(write).toHaveBeenCalledTimes(2); // nothing pending: no write
  });

  it('flushes on a timer and skips versions deleted in the meantime', async () => {
    const a = await publish(record('dl-t', '1.0.0', userId));
    const gone = await publish(record('dl-t', '2.0.0', userId));
    const counter = new DownloadCounter(crates, { flushMs: 50 });
    counter.record(a.version.id, '2026-03-01');
    counter.record(gone.version.id, '2026-03-01');
    await crates.deleteVersion(gone.version.id);
    await vi.waitFor(async () => expect(await crates.downloadsOf(a.crate.id)).toBe(1), { timeout: 3000 });
    await counter.close();
  });

  it('is flushed by the registry services on close, before the database closes', async () => {
    const a = await publish(record('dl-c', '1.0.0', userId));
    let atClose = -1;
    const services = createServices(
      {
        ...t.db,
        close: async () => {
          atClose = await crates.downloadsOf(a.crate.id);
        },
      },
      // Never written: no publish here.
      new FsBlobStore(join(tmpdir(), 'ck-unused-blobs')),
      defaultRegistryConfig(),
    );
    services.downloads.record(a.version.id, '2026-03-01');
    services.downloads.record(a.version.id, '2026-03-01');
    await services.close();
    expect(atClose).toBe(2);
  });
});
