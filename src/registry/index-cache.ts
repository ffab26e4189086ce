// Rendered sparse-index files held in memory with their ETag, so the hot path of the
// registry (index GETs) does no database work. Writes in this process invalidate the entry;
// the TTL bounds staleness when several server processes share one database.
import { createHash } from 'node:crypto';
import { canonicalCrateName } from '../domain/crate-name.js';
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
}

export class IndexCache {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<IndexFile | null>>();

  constructor(
    private readonly crates: CrateRepository,
    private readonly ttlMs: number,
    private readonly maxEntries = 200_000,
  ) {}

  /** The index file of crate `name`, or null when it has no version in the index. */
  async get(name: string): Promise<IndexFile | null> {
    const key = canonicalCrateName(name);
    const hit = this.entries.get(key);
    if (hit && hit.expires > Date.now()) return hit.file;
    // Concurrent misses for one crate share a single render.
    let p = this.pending.get(key);
    if (!p) {
      p = this.render(name).finally(() => this.pending.delete(key));
      this.pending.set(key, p);
    }
    return p;
  }

  invalidate(name: string): void {
    this.entries.delete(canonicalCrateName(name));
  }

  private async render(name: string): Promise<IndexFile | null> {
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
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(canonicalCrateName(name), { file, expires: Date.now() + this.ttlMs });
    return file;
  }
}
