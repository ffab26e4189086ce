// Rendered sparse-index files held in memory with their ETag, so the hot path of the
// registry (index GETs) does no database work beyond the change feed's shared generation read.
// Writes in this process invalidate the entry; writes of other processes (other `serve`s, a
// worker, the CLI) are learnt from the database by `fresh` (the change feed, change-feed.ts)
// before each lookup. The TTL is a last bound on staleness should the feed be unavailable.
//
// The cache is bounded in bytes, not entries: misses are cached too (a 404 is as hot as a hit
// for a crate cargo keeps asking about), so each entry is charged its body plus a fixed
// overhead, and the least recently used entries go first. Names that cannot be crate names are
// refused before any of this, so they can neither fill the cache nor reach the database.
import { createHash } from 'node:crypto';
import { canonicalCrateName, crateNameError } from '../domain/crate-name.js';
import { formatIndexLine } from '../domain/index-line.js';
import type { CrateRepository } from '../store/crates.js';

export interface IndexFile {
  body: Buffer;
  etag: string;
  lastModified: string;
}

interface Entry {
  file: IndexFile | null;
  expires: number;
  bytes: number;
}

/** What an entry costs besides its body: the key, the entry objects, the Map slot (an estimate). */
const ENTRY_OVERHEAD_BYTES = 200;

export const DEFAULT_INDEX_CACHE_BYTES = 64 * 1024 * 1024;

/** A crate's index file as the database has it now, or null when no version of it is in the index. */
export async function renderIndexFile(crates: CrateRepository, name: string): Promise<IndexFile | null> {
  const crate = await crates.findByName(name);
  if (!crate) return null;
  const lines = await crates.indexLines(crate.id);
  if (lines.length === 0) return null;
  const body = Buffer.from(lines.map(formatIndexLine).join('\n') + '\n', 'utf8');
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return { body, etag, lastModified: new Date(crate.updated_at).toUTCString() };
}

export class IndexCache {
  // A Map iterates in insertion order: re-inserting on use keeps the oldest use first.
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<IndexFile | null>>();
  private bytes = 0;
  /** Bumped by every invalidation: a render that started before one must not be kept. */
  private invalidations = 0;

  constructor(
    private readonly crates: CrateRepository,
    private readonly ttlMs: number,
    private readonly maxBytes = DEFAULT_INDEX_CACHE_BYTES,
    /** Applies other processes' changes before a lookup (the change feed's `sync`). */
    private readonly fresh: () => Promise<void> = () => Promise.resolve(),
  ) {}

  /** The index file of crate `name`, or null when it has no version in the index (or cannot exist). */
  async get(name: string): Promise<IndexFile | null> {
    if (crateNameError(name) !== null) return null;
    await this.fresh();
    const key = canonicalCrateName(name);
    const hit = this.entries.get(key);
    if (hit && hit.expires > Date.now()) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.file;
    }
    // Concurrent misses for one crate share a single render.
    let p = this.pending.get(key);
    if (!p) {
      p = this.render(name, key).finally(() => this.pending.delete(key));
      this.pending.set(key, p);
    }
    return p;
  }

  invalidate(name: string): void {
    const key = canonicalCrateName(name);
    this.invalidations++;
    this.remove(key);
    // A lookup from now on renders anew rather than wait for a render that may predate the change.
    this.pending.delete(key);
  }

  /** Drops every entry (the change feed could not say which crates changed). */
  clear(): void {
    this.invalidations++;
    this.entries.clear();
    this.pending.clear();
    this.bytes = 0;
  }

  /** Entries held and the bytes they are charged. */
  stats(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private remove(key: string): void {
    const old = this.entries.get(key);
    if (!old) return;
    this.entries.delete(key);
    this.bytes -= old.bytes;
  }

  private async render(name: string, key: string): Promise<IndexFile | null> {
    const epoch = this.invalidations;
    const file = await renderIndexFile(this.crates, name);
    // Something changed while this rendered: serve it to this caller, keep it for nobody.
    if (epoch !== this.invalidations) return file;
    const bytes = ENTRY_OVERHEAD_BYTES + key.length + (file ? file.body.length + 100 : 0);
    this.remove(key);
    // A file larger than the whole budget is served but not kept.
    if (bytes > this.maxBytes) return file;
    for (const [oldest] of this.entries) {
      if (this.bytes + bytes <= this.maxBytes) break;
      this.remove(oldest);
    }
    this.entries.set(key, { file, expires: Date.now() + this.ttlMs, bytes });
    this.bytes += bytes;
    return file;
  }
}
