// The index cache is bounded in bytes (hits and misses alike) and evicts the least recently used
// entry rather than clearing everything.
import { describe, expect, it } from 'vitest';
import type { IndexLine } from '../domain/index-line.js';
import type { CrateRepository } from '../store/crates.js';
import type { CrateRow } from '../store/schema.js';
import { IndexCache } from './index-cache.js';

function fakeCrates(existing: string[]): { repo: CrateRepository; lookups: string[] } {
  const lookups: string[] = [];
  const repo = {
    findByName: async (name: string) => {
      lookups.push(name);
      const i = existing.indexOf(name);
      return i < 0 ? undefined : ({ id: i + 1, name, updated_at: '2026-01-01T00:00:00.000Z' } as CrateRow);
    },
    indexLines: async (id: number): Promise<IndexLine[]> => [
      {
        name: existing[id - 1]!,
        vers: '1.0.0',
        deps: [],
        cksum: 'a'.repeat(64),
        features: { big: Array.from({ length: 50 }, (_, i) => `f${i}`) },
        yanked: false,
        links: null,
      },
    ],
  } as unknown as CrateRepository;
  return { repo, lookups };
}

describe('IndexCache', () => {
  it('stays within its byte budget, counting misses, and evicts the least recently used entry', async () => {
    const names = Array.from({ length: 50 }, (_, i) => `crate${i}`);
    const { repo, lookups } = fakeCrates(names);
    const cache = new IndexCache(repo, 60_000, 8 * 1024);
    await cache.get('crate0');
    for (const n of names) {
      await cache.get(n);
      await cache.get('crate0'); // keeps crate0 the most recently used
      expect(cache.stats().bytes).toBeLessThanOrEqual(8 * 1024);
    }
    for (let i = 0; i < 2000; i++) {
      await cache.get(`missing${i}`);
      await cache.get('crate0');
      expect(cache.stats().bytes).toBeLessThanOrEqual(8 * 1024);
    }
    expect(cache.stats().entries).toBeGreaterThan(1);
    const n = lookups.length;
    expect(await cache.get('crate0')).not.toBeNull();
    expect(lookups.length).toBe(n); // still cached: it was used all along
    await cache.get('crate1');
    expect(lookups.length).toBe(n + 1); // evicted long ago
  });

  it('answers null for invalid names without a lookup or an entry', async () => {
    const { repo, lookups } = fakeCrates(['ok']);
    const cache = new IndexCache(repo, 60_000);
    for (const bad of ['', '_x', '9a', 'a.b', 'a'.repeat(65), 'a\0b', 'ü'])
      expect(await cache.get(bad)).toBeNull();
    expect(lookups).toEqual([]);
    expect(cache.stats()).toEqual({ entries: 0, bytes: 0 });
  });
});
