// Rendered sparse-index files held in memory with their ETag, so the hot path of the
// registry (index GETs) does no database work. Writes in this process invalidate the entry;
// the TTL bounds staleness when several server processes share one database.
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

export class IndexCache {
  // A Map iterates in insertion order: re-inserting on use keeps the oldest use first.
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<IndexFile | null>>();
  private bytes = 0;

  constructor(
    private readonly crates: CrateRepository,
    private readonly ttlMs: number,
    private readonly maxBytes = DEFAULT_INDEX_CACHE_BYTES,
  ) {}

  /** The index file of crate `name`, or null when it has no version in the index (or cannot exist). */
  async get(name: string): Promise<IndexFile | null> {
    if (crateNameError(name) !== null) return null;
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
    this.remove(canonicalCrateName(name));
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
    const crate = await this.crates.findByName(name);
    let file: IndexFile | null = null;
    if (crate) {
      const lines = await this.crates.indexLines(crate.id);
      if (lines.length > 0) {
        const body = Buffer.from(lines.map(formatIndexLine).join('\n') + '\n', 'utf8');
        const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
        file = { body, etag, lastModified: new Date(crate.updated_at).toUTCString() };
      }
    }
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
