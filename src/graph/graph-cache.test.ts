import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tarGzBuffer, writeTree } from '../../test/fixtures/graph/archive.js';
import { dbDumpFixture, FIXTURE_INDEX, fixtureGraph } from '../../test/fixtures/graph/fixture-graph.js';
import type { EcosystemGraph } from './ecosystem-graph.js';
import { decodeGraph, encodeGraph, GraphCacheError } from './graph-cache.js';
import { loadGraph, sourceFingerprint } from './load-graph.js';

const tmp = mkdtempSync(join(tmpdir(), 'ck-graph-cache-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function plain(g: EcosystemGraph): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(g.data()).map(([k, v]) => [k, ArrayBuffer.isView(v) ? Array.from(v as Uint8Array) : v]),
  );
}

describe('graph cache encoding', async () => {
  const g = await fixtureGraph();

  it('round-trips every array and table', () => {
    const back = decodeGraph(encodeGraph(g, 'k'), 'k');
    expect(plain(back)).toEqual(plain(g));
    expect(back.label(back.crateLatest[back.crateId('base')]!)).toBe('base@1.1.0');
  });

  it('decodes from an unaligned buffer', () => {
    const buf = encodeGraph(g, 'k');
    const shifted = Buffer.alloc(buf.length + 3);
    buf.copy(shifted, 3);
    expect(plain(decodeGraph(shifted.subarray(3), 'k'))).toEqual(plain(g));
  });

  it('refuses another key, a truncated file, garbage and out-of-range data', () => {
    const buf = encodeGraph(g, 'k');
    expect(() => decodeGraph(buf, 'other')).toThrow(/another source/);
    expect(() => decodeGraph(buf.subarray(0, buf.length - 9), 'k')).toThrow(GraphCacheError);
    expect(() => decodeGraph(Buffer.from('CKGRAPH\0garbage!'), 'k')).toThrow(GraphCacheError);
    expect(() => decodeGraph(Buffer.alloc(3))).toThrow(GraphCacheError);
    // Point one resolved edge past the last version: must be caught, not read out of bounds.
    const data = g.data();
    const bad = new (g.constructor as new (d: typeof data) => EcosystemGraph)({
      ...data,
      depResolved: Int32Array.from(data.depResolved, (r, i) => (i === 0 ? 9999 : r)),
    });
    expect(() => decodeGraph(encodeGraph(bad, 'k'), 'k')).toThrow(/out of range/);
  });
});

describe('loadGraph', () => {
  it('builds once, then loads from the cache until the source changes', async () => {
    const cacheDir = join(tmp, 'cache1');
    const dir = join(tmp, 'index-copy');
    const files: Record<string, Buffer> = {};
    const walk = (d: string, rel: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name), `${rel}${e.name}/`);
        else files[`${rel}${e.name}`] = readFileSync(join(d, e.name));
      }
    };
    walk(FIXTURE_INDEX, '');
    const tarball = join(tmp, 'index.tar.gz');
    writeFileSync(
      tarball,
      await tarGzBuffer(Object.fromEntries(Object.entries(files).map(([k, v]) => [`top/${k}`, v]))),
    );
    writeTree(dir, files);

    for (const source of [tarball, dir]) {
      const first = await loadGraph(source, { cacheDir });
      expect(first).toMatchObject({ kind: 'index', fromCache: false });
      const second = await loadGraph(source, { cacheDir });
      expect(second.fromCache).toBe(true);
      expect(plain(second.graph)).toEqual(plain(first.graph));
    }
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.ckgraph'))).toHaveLength(2);

    // Touching the tarball changes its fingerprint: rebuilt.
    const later = new Date(Date.now() + 5000);
    utimesSync(tarball, later, later);
    expect((await loadGraph(tarball, { cacheDir })).fromCache).toBe(false);
    // Adding a crate to the directory changes its fingerprint too.
    const before = await sourceFingerprint(dir);
    writeTree(dir, {
      '1/z': '{"name":"z","vers":"1.0.0","deps":[],"cksum":"","features":{},"yanked":false}\n',
    });
    expect(await sourceFingerprint(dir)).not.toBe(before);
    const grown = await loadGraph(dir, { cacheDir });
    expect(grown.fromCache).toBe(false);
    expect(grown.graph.crateId('z')).toBeGreaterThanOrEqual(0);
  });

  it('detects a db-dump, and rebuilds over a corrupt cache file', async () => {
    const cacheDir = join(tmp, 'cache2');
    const { tarball, dir } = await dbDumpFixture();
    expect((await loadGraph(dir, { cacheDir: null })).kind).toBe('db-dump');
    const first = await loadGraph(tarball, { cacheDir });
    expect(first.kind).toBe('db-dump');
    writeFileSync(first.cachePath!, 'corrupted');
    const again = await loadGraph(tarball, { cacheDir });
    expect(again.fromCache).toBe(false);
    expect(again.graph.stats.owners).toBe(3);
    expect((await loadGraph(tarball, { cacheDir })).fromCache).toBe(true);
  });

  it('works without a cache', async () => {
    const r = await loadGraph(FIXTURE_INDEX, { cacheDir: null });
    expect(r).toMatchObject({ fromCache: false, cachePath: null });
    expect(r.graph.stats.crates).toBe(13);
  });
});
