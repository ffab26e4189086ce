// How many crates match a search, remembered briefly. Counting every match is the one part of
// a search that grows with the registry (the page itself walks an index and stops); the total
// is metadata, so this process reuses it until a crate changes (here, or in another process:
// the search route syncs the change feed first) or `ttlMs` passes. The page is always fresh.
export class SearchTotals {
  private readonly entries = new Map<string, { total: number; expires: number }>();

  constructor(
    private readonly ttlMs = 5_000,
    private readonly maxEntries = 2_000,
  ) {}

  get(query: string): number | undefined {
    const hit = this.entries.get(query);
    if (!hit) return undefined;
    if (hit.expires <= Date.now()) {
      this.entries.delete(query);
      return undefined;
    }
    return hit.total;
  }

  set(query: string, total: number): void {
    // Oldest first in a Map: drop from the front when full.
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(query, { total, expires: Date.now() + this.ttlMs });
  }

  /** A crate was published, yanked, released or deleted in this process. */
  invalidate(): void {
    this.entries.clear();
  }
}
