// The blob stores every blob test runs against: the filesystem store in a temp directory and
// the S3 store against a real S3-protocol server (s3-server.ts). Each fixture can age a blob
// (set its last write in the past) and read its last write back, the store's own way.
import { mkdir, mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsBlobStore, type BlobStore } from '../../src/store/blob-store.js';
import { startS3 } from './s3-server.js';

export const BLOB_STORE_KINDS = ['fs', 's3'] as const;
export type BlobStoreKind = (typeof BLOB_STORE_KINDS)[number];

export interface TestBlobStore {
  kind: BlobStoreKind;
  store: BlobStore;
  /** Sets the blob's last write `ms` in the past. */
  age(checksum: string, ms: number): Promise<void>;
  lastWrite(checksum: string): Promise<Date>;
  /**
   * Leaves an interrupted write of `ageMs` ago behind and returns its size, or null when this
   * store's test server cannot show one (s3rver cannot list multipart uploads).
   */
  leftover(ageMs: number, bytes: string): Promise<number | null>;
  cleanup(): Promise<void>;
}

function shardOf(checksum: string): string {
  return join(checksum.slice(0, 2), checksum.slice(2, 4));
}

export async function openTestBlobStore(kind: BlobStoreKind): Promise<TestBlobStore> {
  if (kind === 'fs') {
    const root = await mkdtemp(join(tmpdir(), 'ck-blobs-'));
    const path = (c: string) => join(root, shardOf(c), `${c}.crate`);
    let n = 0;
    return {
      kind,
      store: new FsBlobStore(root),
      async age(c, ms) {
        const t = new Date(Date.now() - ms);
        await utimes(path(c), t, t);
      },
      lastWrite: async (c) => (await stat(path(c))).mtime,
      async leftover(ageMs, bytes) {
        const dir = join(root, 'ab', 'cd');
        await mkdir(dir, { recursive: true });
        const file = join(dir, `.tmp-${(n++).toString(16).padStart(16, '0')}`);
        await writeFile(file, bytes);
        const t = new Date(Date.now() - ageMs);
        await utimes(file, t, t);
        return bytes.length;
      },
      cleanup: () => rm(root, { recursive: true, force: true }),
    };
  }
  const s3 = await startS3();
  const prefix = 'crates/';
  const key = (c: string) => `${prefix}${c.slice(0, 2)}/${c.slice(2, 4)}/${c}.crate`;
  return {
    kind,
    store: s3.store(prefix),
    age: (c, ms) => s3.age(key(c), ms),
    lastWrite: async (c) => {
      const t = (
        await stat(
          join(
            s3.dir,
            s3.bucket,
            prefix.slice(0, -1),
            c.slice(0, 2),
            c.slice(2, 4),
            `${c}.crate._S3rver_object`,
          ),
        )
      ).mtime;
      return t;
    },
    leftover: () => Promise.resolve(null),
    cleanup: () => s3.close(),
  };
}
