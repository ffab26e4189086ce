// The blob garbage collector on both databases: it removes only unreferenced blobs and stray
// temp files older than the grace period, and re-checks both right before each removal, so a
// publish that reuses an orphan (its `put` refreshes the blob's mtime) or commits meanwhile
// keeps its blob. Every case runs on both blob stores: the filesystem and S3 (against a real
// S3-protocol server).
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BLOB_STORE_KINDS, openTestBlobStore, type TestBlobStore } from '../../test/support/blob-stores.js';
import {
  DIALECTS,
  bareVersionRow,
  openTestDatabase,
  type TestDatabase,
  insertBareCrate,
} from '../../test/support/databases.js';
import { collectBlobGarbage } from './blob-gc.js';
import type { BlobStore } from './blob-store.js';

const HOUR = 3_600_000;

function blob(text: string): { checksum: string; bytes: Buffer } {
  const bytes = Buffer.from(text);
  return { checksum: createHash('sha256').update(bytes).digest('hex'), bytes };
}

const CASES = DIALECTS.flatMap((d) => BLOB_STORE_KINDS.map((k) => [d, k] as const));

describe.each(CASES)('blob GC on %s with %s blobs', (dialect, kind) => {
  let t: TestDatabase;
  let blobs: TestBlobStore;
  let store: BlobStore;
  let crateId: number;
  let versions = 0;

  async function reference(checksum: string): Promise<void> {
    versions++;
    await t.db.kysely
      .insertInto('versions')
      .values(bareVersionRow(crateId, `1.0.${versions}`, checksum))
      .execute();
  }

  beforeEach(async () => {
    t = await openTestDatabase(dialect);
    blobs = await openTestBlobStore(kind);
    store = blobs.store;
    const row = await insertBareCrate(t.db, 'demo');
    crateId = row.id;
  });
  async function listedLeftovers(): Promise<number> {
    let n = 0;
    for await (const e of store.list()) if (e.checksum === null) n++;
    return n;
  }

  afterEach(async () => {
    await t.cleanup();
    await blobs.cleanup();
  });

  it('keeps referenced blobs, removes old orphans and temp files, spares anything young', async () => {
    const used = blob('used');
    const orphan = blob('orphan');
    const young = blob('young orphan');
    for (const b of [used, orphan, young]) await store.put(b.checksum, b.bytes);
    await reference(used.checksum);
    await blobs.age(used.checksum, 2 * HOUR);
    await blobs.age(orphan.checksum, 2 * HOUR);
    // Interrupted writes (filesystem: temp files; S3: incomplete multipart uploads), where the
    // store's test server can show them.
    const oldLeftover = await blobs.leftover(2 * HOUR, 'half a crate');
    const newLeftover = await blobs.leftover(0, 'being written');
    const leftovers = oldLeftover === null ? 0 : 1;
    const removedBytes = 'orphan'.length + (oldLeftover ?? 0);

    const dry = await collectBlobGarbage(t.db.kysely, store, { graceMs: HOUR, dryRun: true });
    expect(dry.removed).toMatchObject({ blobs: 1, tempFiles: leftovers, bytes: removedBytes });
    expect(await store.has(orphan.checksum)).toBe(true);
    expect(await listedLeftovers()).toBe(2 * leftovers);

    const report = await collectBlobGarbage(t.db.kysely, store, { graceMs: HOUR });
    expect(report.dryRun).toBe(false);
    expect(report.removed).toMatchObject({ blobs: 1, tempFiles: leftovers, bytes: removedBytes });
    expect(report.kept).toMatchObject({
      referenced: 1,
      young: 1 + leftovers,
      bytes: 'used'.length + 'young orphan'.length + (newLeftover ?? 0),
    });
    expect(await store.has(used.checksum)).toBe(true);
    expect(await store.has(orphan.checksum)).toBe(false);
    expect(await store.has(young.checksum)).toBe(true);
    expect(await listedLeftovers()).toBe(leftovers);
    // The removed blob is gone from the listing too.
    const listed: string[] = [];
    for await (const e of store.list()) if (e.checksum) listed.push(e.checksum);
    expect(listed.sort()).toEqual([used.checksum, young.checksum].sort());
  });

  it('never removes anything younger than the grace period', async () => {
    const items = ['a', 'b', 'c'].map(blob);
    for (const b of items) await store.put(b.checksum, b.bytes);
    for (const b of items) await blobs.age(b.checksum, 50 * 60_000);
    const report = await collectBlobGarbage(t.db.kysely, store, { graceMs: HOUR });
    expect(report.removed.blobs).toBe(0);
    expect(report.kept.young).toBe(3);
    for (const b of items) expect(await store.has(b.checksum)).toBe(true);
    // Past the grace period they go.
    const later = await collectBlobGarbage(t.db.kysely, store, { graceMs: 10 * 60_000 });
    expect(later.removed.blobs).toBe(3);
  });

  it('a put of an existing old orphan refreshes it, so a publish reusing it keeps its blob', async () => {
    const b = blob('reused');
    await store.put(b.checksum, b.bytes);
    await blobs.age(b.checksum, 2 * HOUR);
    expect(await store.put(b.checksum, b.bytes)).toEqual({ created: false });
    expect(Date.now() - (await blobs.lastWrite(b.checksum)).getTime()).toBeLessThan(60_000);
    const report = await collectBlobGarbage(t.db.kysely, store, { graceMs: HOUR });
    expect(report.removed.blobs).toBe(0);
    expect(await store.has(b.checksum)).toBe(true);
  });

  it('re-checks mtime and references right before removing', async () => {
    const touched = blob('touched late');
    const committed = blob('committed late');
    const gone = blob('really gone');
    for (const b of [touched, committed, gone]) {
      await store.put(b.checksum, b.bytes);
      await blobs.age(b.checksum, 2 * HOUR);
    }
    // A publish lands between the collector's scan and its removal of each blob.
    const racing: BlobStore = {
      put: (c, bytes) => store.put(c, bytes),
      get: (c) => store.get(c),
      has: (c) => store.has(c),
      delete: (c) => store.delete(c),
      touch: (c) => store.touch(c),
      list: () => store.list(),
      reclaim: async (entry, check) => {
        if (entry.checksum === touched.checksum) await store.put(touched.checksum, touched.bytes);
        if (entry.checksum === committed.checksum) await reference(committed.checksum);
        return store.reclaim(entry, check);
      },
    };
    const report = await collectBlobGarbage(t.db.kysely, racing, { graceMs: HOUR });
    expect(report.removed.blobs).toBe(1);
    expect(await store.has(touched.checksum)).toBe(true);
    expect(await store.has(committed.checksum)).toBe(true);
    expect(await store.has(gone.checksum)).toBe(false);
  });
});
