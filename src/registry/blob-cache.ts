// Small `.crate` files kept in memory for downloads, LRU by bytes. Blobs are addressed by
// their checksum and never change, so a cached file can never be stale: whether a version may
// be downloaded is still decided from the database on every request.
import type { BlobStore } from '../store/blob-store.js';

export class BlobCache {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;

  constructor(
    private readonly blobs: BlobStore,
    private readonly maxBytes = 32 * 1024 * 1024,
    /** Larger files are read from the store each time: a few big crates must not evict the rest. */
    private readonly maxEntryBytes = 512 * 1024,
  ) {}

  async get(checksum: string): Promise<Buffer | null> {
    const hit = this.entries.get(checksum);
    if (hit) {
      this.entries.delete(checksum);
      this.entries.set(checksum, hit);
      return hit;
    }
    const bytes = await this.blobs.get(checksum);
    if (!bytes || bytes.length > this.maxEntryBytes || this.entries.has(checksum)) return bytes;
    for (const [oldest, b] of this.entries) {
      if (this.bytes + bytes.length <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= b.length;
    }
    this.entries.set(checksum, bytes);
    this.bytes += bytes.length;
    return bytes;
  }

  stats(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }
}
