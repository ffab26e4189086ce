import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeCrateArchive } from '../formats/crate-archive.js';
import type { DownloadTarget } from '../store/crates.js';
import { manifestToml, metadataFor, publishBody } from '../../test/support/publish-body.js';
import { startRegistry, type Harness } from '../../test/support/registry-harness.js';
import { DownloadTargets } from './download-targets.js';

const target = (n: number): DownloadTarget => ({
  crateName: `c${n}`,
  versionId: n,
  num: '1.0.0',
  status: 'published',
  checksum: 'a'.repeat(64),
});

describe('download targets', () => {
  it('expire, drop a crate on invalidation, and stay within their bound', () => {
    vi.useFakeTimers();
    try {
      const t = new DownloadTargets(1000, 2);
      t.set('My-Crate', '1.0.0', target(1));
      expect(t.get('my_crate', '1.0.0')?.versionId).toBe(1);
      vi.advanceTimersByTime(1001);
      expect(t.get('my_crate', '1.0.0')).toBeUndefined();
      t.set('a', '1.0.0', target(1));
      t.set('b', '1.0.0', target(2));
      t.set('c', '1.0.0', target(3));
      expect([t.get('a', '1.0.0'), t.get('b', '1.0.0')?.versionId, t.get('c', '1.0.0')?.versionId]).toEqual([
        undefined,
        2,
        3,
      ]);
      t.invalidate('B');
      expect(t.get('b', '1.0.0')).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });

  describe('in the registry', () => {
    let h: Harness;
    let token: string;
    let admin: string;
    beforeAll(async () => {
      h = await startRegistry();
      token = await h.token('alice');
      await h.services.users.create({ login: 'root', isAdmin: true });
      admin = await h.token('root', ['admin']);
    });
    afterAll(async () => {
      await h?.close();
    });

    it('stops serving a deleted version at once', async () => {
      const crate = await writeCrateArchive('gone-soon-1.0.0', [
        { path: 'Cargo.toml', data: manifestToml('gone-soon', '1.0.0') },
      ]);
      const pub = await fetch(`${h.url}/api/v1/crates/new`, {
        method: 'PUT',
        headers: { authorization: token },
        body: publishBody(metadataFor('gone-soon', '1.0.0'), crate),
      });
      expect(pub.status).toBe(200);
      const url = `${h.url}/api/v1/crates/gone-soon/1.0.0/download`;
      for (let i = 0; i < 2; i++) expect((await fetch(url)).status).toBe(200); // the second from the cache
      const del = await fetch(`${h.url}/api/admin/crates/gone-soon/versions/1.0.0`, {
        method: 'DELETE',
        headers: { authorization: admin, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'malicious build script' }),
      });
      expect(del.status, await del.text()).toBe(200);
      expect((await fetch(url)).status).toBe(404);
    });
  });
});
