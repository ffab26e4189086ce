// The blob garbage collector on both databases: it removes only unreferenced blobs and stray
// temp files older than the grace period, and re-checks both right before each removal, so a
// publish that reuses an orphan (its `put` refreshes the blob's mtime) or commits meanwhile
// keeps its blob.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DIALECTS,
  openTestDatabase,
  type TestDatabase,
  insertBareCrate,
} from '../../test/support/databases.js';
import { collectBlobGarbage } from './blob-gc.js';
import { FsBlobStore, type BlobStore } from './blob-store.js';

const HOUR = 3_600_000;

function blob(text: string): { checksum: string; bytes: Buffer } {
  const bytes = Buffer.from(text);
  return { checksum: createHash('sha256').update(bytes).digest('hex'), bytes };
}

function blobPath(root: string, checksum: string): string {
  return join(root, checksum.slice(0, 2), checksum.slice(2, 4), `${checksum}.crate`);
}

async function age(path: string, ms: number): Promise<void> {
  const t = new Date(Date.now() - ms);
  await utimes(path, t, t);
}

describe.each(DIALECTS)('blob GC on %s', (dialect) => {
  let t: TestDatabase;
  let root: string;
  let store: FsBlobStore;
  let crateId: number;
  let versions = 0;

  async function reference(checksum: string): Promise<void> {
    versions++;
    await t.db.kysely
      .insertInto('versions')
      .values({
        crate_id: crateId,
        num: `1.0.${versions}`,
        num_no_build: `1.0.${versions}`,
        checksum,
        size: 1,
        yanked: 0,
        yanked_at: null,
        status: 'published',
        features: '{}',
        features2: '{}',
        links: null,
        rust_version: null,
        license: null,
        license_file: null,
        description: null,
        authors: '[]',
        has_build_script: 0,
        is_proc_macro: 0,
        published_at: new Date().toISOString(),
        published_by: null,
        token_id: null,
        client_ip: null,
        user_agent: null,
      })
      .execute();
  }

  beforeEach(async () => {
    t = await openTestDatabase(dialect);
    root = await mkdtemp(join(tmpdir(), 'ck-blobs-'));
    store = new FsBlobStore(root);
    const row = await insertBareCrate(t.db, 'demo');
    crateId = row.id;
  });
  afterEach(async () => {
    await t.cleanup();
    await rm(root, { recursive: true, force: true });
  });

  it('keeps referenced blobs, removes old orphans and temp files, spares anything young', async () => {
    const used = blob('used');
    const orphan = blob('orphan');
    const young = blob('young orphan');
    for (const b of [used, orphan, young]) await store.put(b.checksum, b.bytes);
    await reference(used.checksum);
    await age(blobPath(root, used.checksum), 2 * HOUR);
    await age(blobPath(root, orphan.checksum), 2 * HOUR);
    const dir = join(blobPath(root, orphan.checksum), '..');
    await writeFile(join(dir, '.tmp-0123456789abcdef'), 'half a crate');
    await age(join(dir, '.tmp-0123456789abcdef'), 2 * HOUR);
    await writeFile(join(dir, '.tmp-fedcba9876543210'), 'being written');

    const dry = await collectBlobGarbage(t.db.kysely, store, { graceMs: HOUR, dryRun: true });
    expect(dry.removed).toMatchObject({ blobs: 1, tempFiles: 1, bytes: 'orphan'.length + 12 });
    expect(await store.has(orphan.checksum)).toBe(true);
    expect((await readdir(dir)).filter((f) => f.startsWith('.tmp-'))).toHaveLength(2);

    const report = await collectBlobGarbage(t.db.kysely, store, { graceMs: HOUR });
    expect(report.dryRun).toBe(false);
    expect(report.removed).toMatchObject({ blobs: 1, tempFiles: 1, bytes: 'orphan'.length + 12 });
    expect(report.kept).toMatchObject({
      referenced: 1,
      young: 2,
      bytes: 'used'.length + 'young orphan'.length + 'being written'.length,
    });
    expect(await store.has(used.checksum)).toBe(true);
    expect(await store.has(orphan.checksum)).toBe(false);
    expect(await store.has(young.checksum)).toBe(true);
    expect((await readdir(dir)).filter((f) => f.startsWith('.tmp-'))).toEqual(['.tmp-fedcba9876543210']);
  });

  it('never removes anything younger than the grace period', async () => {
    const items = ['a', 'b', 'c'].map(blob);
    for (const b of items) await store.put(b.checksum, b.bytes);
    for (const b of items) await age(blobPath(root, b.checksum), 50 * 60_000);
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
    await age(blobPath(root, b.checksum), 2 * HOUR);
    expect(await store.put(b.checksum, b.bytes)).toEqual({ created: false });
    expect(Date.now() - (await stat(blobPath(root, b.checksum))).mtimeMs).toBeLessThan(60_000);
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
      await age(blobPath(root, b.checksum), 2 * HOUR);
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
