// Content-addressed storage of `.crate` files on the local filesystem. Writes go to a temp
// file and are renamed into place, so a reader never sees half a file.
//
// Publishes never delete blobs (two identical publishes racing would delete the winner's);
// the garbage collector (blob-gc.ts) removes unreferenced ones past a grace period. For that
// to be race-free, a `put` of a blob that already exists refreshes its last-write time: a
// publish reusing an orphan is then protected by the grace period until its version commits.
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';

/** A stored object: a blob (`checksum` set) or a leftover of an interrupted write (`checksum` null). */
export interface BlobEntry {
  /** Store-specific name, passed back to `reclaim`. */
  key: string;
  checksum: string | null;
  size: number;
  /** Last write, or last `put`/`touch` of an existing blob. */
  mtime: Date;
}

/**
 * The blob store cannot be reached for now (an S3 endpoint down, refusing connections, or
 * answering 5xx after the client's own retries). The request is answered 503 with Retry-After,
 * which cargo and load balancers retry; a job fails its attempt and runs again after a backoff.
 */
export class BlobStoreUnavailableError extends Error {
  readonly code = 'BLOB_STORE_UNAVAILABLE';
  constructor(cause: unknown) {
    super(`the blob store is unavailable: ${(cause as Error | null)?.message ?? String(cause)}`, { cause });
    this.name = 'BlobStoreUnavailableError';
  }
}

export type ReclaimOutcome = 'removed' | 'fresh' | 'referenced' | 'missing';

export interface BlobStore {
  /** Stores a blob; when it exists already, refreshes its last-write time instead. */
  put(checksum: string, bytes: Uint8Array): Promise<{ created: boolean }>;
  get(checksum: string): Promise<Buffer | null>;
  has(checksum: string): Promise<boolean>;
  delete(checksum: string): Promise<void>;
  /** Refreshes a blob's last-write time; false when there is no such blob. */
  touch(checksum: string): Promise<boolean>;
  /** Every blob and temp leftover (an S3 store: objects and incomplete multipart uploads). */
  list(): AsyncIterable<BlobEntry>;
  /**
   * Removes an entry only if, at the moment of removal, it was last written before `olderThan`
   * and (for blobs) `unreferenced()` still says yes. The store makes the check and the removal
   * as close to atomic as it can (filesystem: move aside, check, then delete or move back; S3:
   * HEAD for Last-Modified, check, then a delete conditional on what HEAD returned where the
   * provider supports it). `touch` on S3 is a copy of the object onto itself.
   */
  reclaim(
    entry: BlobEntry,
    check: { olderThan: Date; unreferenced: () => Promise<boolean> },
  ): Promise<ReclaimOutcome>;
}

const CHECKSUM = /^[0-9a-f]{64}$/;
const BLOB_FILE = /^([0-9a-f]{64})\.crate$/;
const TEMP_FILE = /^\.tmp-[0-9a-f]+$/;
/** A blob a collector moved aside and did not finish with (it crashed): put back when listed. */
const ASIDE_FILE = /^([0-9a-f]{64})\.crate\.gc$/;
const SHARD = /^[0-9a-f]{2}$/;

function isEnoent(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

export class FsBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  private pathOf(checksum: string): string {
    if (!CHECKSUM.test(checksum)) throw new Error(`invalid checksum: ${checksum.slice(0, 80)}`);
    return join(this.root, checksum.slice(0, 2), checksum.slice(2, 4), `${checksum}.crate`);
  }

  async put(checksum: string, bytes: Uint8Array): Promise<{ created: boolean }> {
    const path = this.pathOf(checksum);
    // Refresh rather than skip: the GC spares what was written within its grace period.
    if (await this.touch(checksum)) return { created: false };
    const dir = join(path, '..');
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `.tmp-${randomBytes(8).toString('hex')}`);
    const fh = await open(tmp, 'wx', 0o644);
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } catch (err) {
      await fh.close();
      await rm(tmp, { force: true });
      throw err;
    }
    await fh.close();
    await rename(tmp, path);
    return { created: true };
  }

  async get(checksum: string): Promise<Buffer | null> {
    try {
      return await readFile(this.pathOf(checksum));
    } catch (err) {
      if (isEnoent(err)) return null;
      throw err;
    }
  }

  async has(checksum: string): Promise<boolean> {
    try {
      await stat(this.pathOf(checksum));
      return true;
    } catch {
      return false;
    }
  }

  async delete(checksum: string): Promise<void> {
    await rm(this.pathOf(checksum), { force: true });
  }

  async touch(checksum: string): Promise<boolean> {
    const now = new Date();
    try {
      await utimes(this.pathOf(checksum), now, now);
      return true;
    } catch (err) {
      if (isEnoent(err)) return false;
      throw err;
    }
  }

  async *list(): AsyncIterable<BlobEntry> {
    for (const a of await this.dirs(this.root)) {
      for (const b of await this.dirs(join(this.root, a))) {
        const dir = join(this.root, a, b);
        for (const name of await readdir(dir).catch(() => [] as string[])) {
          const aside = ASIDE_FILE.exec(name);
          if (aside) {
            await this.restore(join(dir, name), join(dir, `${aside[1]!}.crate`));
            continue;
          }
          const blob = BLOB_FILE.exec(name);
          if (!blob && !TEMP_FILE.test(name)) continue; // not ours: leave it alone
          const key = join(a, b, name);
          const st = await stat(join(this.root, key)).catch(() => null);
          if (!st?.isFile()) continue;
          yield { key, checksum: blob ? blob[1]! : null, size: st.size, mtime: st.mtime };
        }
      }
    }
  }

  private async dirs(path: string): Promise<string[]> {
    const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
    return entries.filter((e) => e.isDirectory() && SHARD.test(e.name)).map((e) => e.name);
  }

  async reclaim(
    entry: BlobEntry,
    check: { olderThan: Date; unreferenced: () => Promise<boolean> },
  ): Promise<ReclaimOutcome> {
    const path = join(this.root, entry.key);
    if (entry.checksum === null) {
      const st = await stat(path).catch(() => null);
      if (!st) return 'missing';
      if (st.mtime >= check.olderThan) return 'fresh';
      await rm(path, { force: true });
      return 'removed';
    }
    // Move the blob aside first: from here on a concurrent `put` finds no blob and writes a
    // new one rather than refreshing this one, so what we check below cannot change under us.
    const aside = `${path}.gc`;
    try {
      await rename(path, aside);
    } catch (err) {
      if (isEnoent(err)) return 'missing';
      throw err;
    }
    const st = await stat(aside).catch(() => null);
    if (!st) return 'missing'; // another collector's listing put it back meanwhile
    const outcome: ReclaimOutcome =
      st.mtime >= check.olderThan ? 'fresh' : (await check.unreferenced()) ? 'removed' : 'referenced';
    if (outcome === 'removed') {
      await rm(aside, { force: true });
      return outcome;
    }
    await this.restore(aside, path);
    return outcome;
  }

  /** Puts a moved-aside blob back, unless a concurrent `put` wrote the same bytes there meanwhile. */
  private async restore(aside: string, path: string): Promise<void> {
    try {
      await link(aside, path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return; // someone else restored it
      if (code !== 'EEXIST') throw err;
    }
    await rm(aside, { force: true });
  }
}
