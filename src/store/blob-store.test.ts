// The BlobStore contract on both stores: the filesystem store and the S3 store against a real
// S3-protocol server. The same cases, the same expectations.
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BLOB_STORE_KINDS, openTestBlobStore, type TestBlobStore } from '../../test/support/blob-stores.js';
import type { BlobEntry } from './blob-store.js';

const HOUR = 3_600_000;

function blob(text: string): { checksum: string; bytes: Buffer } {
  const bytes = Buffer.from(text);
  return { checksum: createHash('sha256').update(bytes).digest('hex'), bytes };
}

describe.each(BLOB_STORE_KINDS)('%s blob store', (kind) => {
  let t: TestBlobStore;
  beforeEach(async () => {
    t = await openTestBlobStore(kind);
  });
  afterEach(() => t.cleanup());

  async function entries(): Promise<BlobEntry[]> {
    const out: BlobEntry[] = [];
    for await (const e of t.store.list()) out.push(e);
    return out;
  }

  it('stores, reads back, lists and deletes blobs by checksum', async () => {
    const a = blob('crate a');
    const b = blob('crate b, longer');
    expect(await t.store.has(a.checksum)).toBe(false);
    expect(await t.store.get(a.checksum)).toBeNull();
    expect(await t.store.put(a.checksum, a.bytes)).toEqual({ created: true });
    expect(await t.store.put(b.checksum, b.bytes)).toEqual({ created: true });
    expect((await t.store.get(a.checksum))?.equals(a.bytes)).toBe(true);
    expect(await t.store.has(b.checksum)).toBe(true);
    const listed = await entries();
    expect(listed.map((e) => [e.checksum, e.size]).sort()).toEqual(
      [
        [a.checksum, a.bytes.length],
        [b.checksum, b.bytes.length],
      ].sort(),
    );
    await t.store.delete(a.checksum);
    expect(await t.store.has(a.checksum)).toBe(false);
    expect((await entries()).map((e) => e.checksum)).toEqual([b.checksum]);
  });

  it('refuses a name that is not a checksum', async () => {
    await expect(t.store.put('../../etc/passwd', Buffer.from('x'))).rejects.toThrow(/invalid checksum/);
    await expect(t.store.get('ABC')).rejects.toThrow(/invalid checksum/);
  });

  it('a put of an existing blob refreshes its last write; touch says whether it exists', async () => {
    const a = blob('refresh me');
    await t.store.put(a.checksum, a.bytes);
    await t.age(a.checksum, 2 * HOUR);
    expect(Date.now() - (await t.lastWrite(a.checksum)).getTime()).toBeGreaterThan(HOUR);
    expect(await t.store.put(a.checksum, a.bytes)).toEqual({ created: false });
    expect(Date.now() - (await t.lastWrite(a.checksum)).getTime()).toBeLessThan(60_000);
    await t.age(a.checksum, 2 * HOUR);
    expect(await t.store.touch(a.checksum)).toBe(true);
    expect(Date.now() - (await t.lastWrite(a.checksum)).getTime()).toBeLessThan(60_000);
    expect(await t.store.touch(blob('absent').checksum)).toBe(false);
    // Bytes are unchanged by a refresh.
    expect((await t.store.get(a.checksum))?.equals(a.bytes)).toBe(true);
  });

  it('reclaim removes only what is old and unreferenced at that moment', async () => {
    const young = blob('young');
    const used = blob('used');
    const orphan = blob('orphan');
    for (const b of [young, used, orphan]) await t.store.put(b.checksum, b.bytes);
    await t.age(used.checksum, 2 * HOUR);
    await t.age(orphan.checksum, 2 * HOUR);
    const olderThan = new Date(Date.now() - HOUR);
    const byChecksum = new Map((await entries()).map((e) => [e.checksum, e]));
    let asked = 0;
    const unreferenced = (answer: boolean) => async () => {
      asked++;
      return answer;
    };
    expect(
      await t.store.reclaim(byChecksum.get(young.checksum)!, { olderThan, unreferenced: unreferenced(true) }),
    ).toBe('fresh');
    expect(asked).toBe(0); // the age is checked before the references
    expect(
      await t.store.reclaim(byChecksum.get(used.checksum)!, { olderThan, unreferenced: unreferenced(false) }),
    ).toBe('referenced');
    expect(await t.store.has(used.checksum)).toBe(true);
    // Refreshed after the listing: the store re-reads the age at the moment of removal.
    const entry = byChecksum.get(orphan.checksum)!;
    await t.store.touch(orphan.checksum);
    expect(await t.store.reclaim(entry, { olderThan, unreferenced: unreferenced(true) })).toBe('fresh');
    await t.age(orphan.checksum, 2 * HOUR);
    expect(await t.store.reclaim(entry, { olderThan, unreferenced: unreferenced(true) })).toBe('removed');
    expect(await t.store.has(orphan.checksum)).toBe(false);
    expect(await t.store.reclaim(entry, { olderThan, unreferenced: unreferenced(true) })).toBe('missing');
    expect((await entries()).map((e) => e.checksum).sort()).toEqual([young.checksum, used.checksum].sort());
  });
});
