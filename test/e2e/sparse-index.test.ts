// Sparse-index caching semantics and download counting, over real HTTP.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeCrateArchive } from '../../src/formats/crate-archive.js';
import { manifestToml, metadataFor, publishBody } from '../support/publish-body.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';

describe('sparse index and downloads', () => {
  let h: Harness;
  let token: string;
  const publish = async (name: string, version: string) => {
    const crate = await writeCrateArchive(`${name}-${version}`, [
      { path: 'Cargo.toml', data: manifestToml(name, version) },
    ]);
    const res = await fetch(`${h.url}/api/v1/crates/new`, {
      method: 'PUT',
      headers: { authorization: token },
      body: publishBody(metadataFor(name, version), crate),
    });
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    h = await startRegistry();
    token = await h.token('idx');
    await publish('Etag-Crate', '1.0.0');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('serves index files at lowercase paths with ETag and Last-Modified, and 304s on revalidation', async () => {
    const res = await fetch(`${h.url}/index/et/ag/etag-crate`);
    expect(res.status).toBe(200);
    const etag = res.headers.get('etag');
    const lastModified = res.headers.get('last-modified');
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(lastModified).toMatch(/GMT$/);
    expect(JSON.parse((await res.text()).trim()).name).toBe('Etag-Crate');

    const same = await fetch(`${h.url}/index/et/ag/etag-crate`, { headers: { 'if-none-match': etag! } });
    expect(same.status).toBe(304);
    const byDate = await fetch(`${h.url}/index/et/ag/etag-crate`, {
      headers: { 'if-modified-since': lastModified! },
    });
    expect(byDate.status).toBe(304);

    // A new version changes the file and its ETag at once.
    await publish('Etag-Crate', '1.1.0');
    const changed = await fetch(`${h.url}/index/et/ag/etag-crate`, { headers: { 'if-none-match': etag! } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect((await changed.text()).trim().split('\n')).toHaveLength(2);
  });

  it('answers 404 for unknown crates and malformed paths', async () => {
    expect((await fetch(`${h.url}/index/no/su/nosuchcrate`)).status).toBe(404);
    expect((await fetch(`${h.url}/index/et/ag/Etag-Crate`)).status).toBe(404); // paths are lowercase
    expect((await fetch(`${h.url}/index/xx/yy/etag-crate`)).status).toBe(404);
    expect((await fetch(`${h.url}/index/../../etc/passwd`)).status).toBe(404);
  });

  it('serves the .crate file by name and version and counts downloads per day', async () => {
    const res = await fetch(`${h.url}/api/v1/crates/etag-crate/1.0.0/download`);
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    const line = JSON.parse((await (await fetch(`${h.url}/index/et/ag/etag-crate`)).text()).split('\n')[0]!);
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(line.cksum);
    await fetch(`${h.url}/api/v1/crates/etag-crate/1.0.0/download`);
    const krate = await h.services.crates.findByName('etag-crate');
    // Counts are aggregated in memory and written in batches.
    await h.services.downloads.flush();
    expect(await h.services.crates.downloadsOf(krate!.id)).toBe(2);
    expect((await fetch(`${h.url}/api/v1/crates/etag-crate/9.9.9/download`)).status).toBe(404);
  });

  it('answers invalid crate names with 404 without touching the cache or the database', async () => {
    const findByName = vi.spyOn(h.services.crates, 'findByName');
    const before = h.services.indexCache.stats();
    try {
      for (const path of [
        '1/_',
        '1/9',
        '2/-a',
        '3/a/a.b',
        '4x/yz/4xyz',
        'aa/aa/' + 'a'.repeat(100),
        'ab/c!/abc!d',
      ]) {
        const res = await fetch(`${h.url}/index/${path}`);
        expect(res.status, path).toBe(404);
        expect(((await res.json()) as { errors: unknown[] }).errors).toHaveLength(1);
      }
      expect(findByName).not.toHaveBeenCalled();
      expect(h.services.indexCache.stats()).toEqual(before);
    } finally {
      findByName.mockRestore();
    }
  });
});
