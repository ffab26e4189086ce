import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeCrateArchive } from '../formats/crate-archive.js';
import { manifestToml, metadataFor, publishBody } from '../../test/support/publish-body.js';
import { startRegistry, type Harness } from '../../test/support/registry-harness.js';
import { SearchTotals } from './search-totals.js';

describe('search totals', () => {
  it('forgets a total after its time to live, on invalidation, and past its size', () => {
    vi.useFakeTimers();
    try {
      const totals = new SearchTotals(1000, 2);
      totals.set('a', 3);
      expect(totals.get('a')).toBe(3);
      vi.advanceTimersByTime(1001);
      expect(totals.get('a')).toBeUndefined();
      totals.set('a', 1);
      totals.set('b', 2);
      totals.set('c', 3);
      expect([totals.get('a'), totals.get('b'), totals.get('c')]).toEqual([undefined, 2, 3]);
      totals.invalidate();
      expect(totals.get('b')).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });

  describe('in the registry', () => {
    let h: Harness;
    let token: string;
    beforeAll(async () => {
      h = await startRegistry();
      token = await h.token('alice');
    });
    afterAll(async () => {
      await h?.close();
    });
    const publish = async (name: string) => {
      const crate = await writeCrateArchive(`${name}-1.0.0`, [
        { path: 'Cargo.toml', data: manifestToml(name, '1.0.0') },
      ]);
      const res = await fetch(`${h.url}/api/v1/crates/new`, {
        method: 'PUT',
        headers: { authorization: token },
        body: publishBody(metadataFor(name, '1.0.0'), crate),
      });
      expect(res.status).toBe(200);
    };
    const total = async () =>
      (
        (await (await fetch(`${h.url}/api/v1/crates?q=widget&per_page=1`)).json()) as {
          meta: { total: number };
        }
      ).meta.total;

    it('counts a crate published in this process at once', async () => {
      await publish('widget-a');
      await publish('widget-b');
      expect(await total()).toBe(2);
      expect(await total()).toBe(2); // now from the cache
      await publish('widget-c');
      expect(await total()).toBe(3);
    });
  });
});
