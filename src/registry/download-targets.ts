// Which file a download of `name@version` serves, remembered briefly: the download route is
// the registry's busiest after the index, and its answer changes only on a publish, yank,
// quarantine decision or delete. Changes made in this process drop the crate's entries at
// once (as for the index cache); other processes' changes arrive through the change feed,
// which the download route syncs before it looks here (change-feed.ts).
import { canonicalCrateName } from '../domain/crate-name.js';
import type { DownloadTarget } from '../store/crates.js';

export class DownloadTargets {
  /** Per canonical crate name, per requested version string; Map order is least recent first. */
  private readonly crates = new Map<string, Map<string, { target: DownloadTarget; expires: number }>>();
  private size = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 20_000,
  ) {}

  get(name: string, version: string): DownloadTarget | undefined {
    const key = canonicalCrateName(name);
    const versions = this.crates.get(key);
    const hit = versions?.get(version);
    if (!versions || !hit) return undefined;
    if (hit.expires <= Date.now()) {
      versions.delete(version);
      this.size--;
      return undefined;
    }
    // Most recently used crates move to the back.
    this.crates.delete(key);
    this.crates.set(key, versions);
    return hit.target;
  }

  set(name: string, version: string, target: DownloadTarget): void {
    const key = canonicalCrateName(name);
    let versions = this.crates.get(key);
    if (!versions) this.crates.set(key, (versions = new Map()));
    if (!versions.has(version)) this.size++;
    versions.set(version, { target, expires: Date.now() + this.ttlMs });
    while (this.size > this.maxEntries) {
      const [oldest, entries] = this.crates.entries().next().value!;
      this.crates.delete(oldest);
      this.size -= entries.size;
    }
  }

  invalidate(name: string): void {
    const key = canonicalCrateName(name);
    const versions = this.crates.get(key);
    if (!versions) return;
    this.size -= versions.size;
    this.crates.delete(key);
  }

  /** Drops every entry (the change feed could not say which crates changed). */
  clear(): void {
    this.crates.clear();
    this.size = 0;
  }
}
