import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildTar, buildTarGz, paxRecord } from '../../test/support/archive-builders.js';
import { DEFAULT_TAR_LIMITS, TarArchiveError, readTarGzTree, safeRelativePath } from './tar-gz-tree.js';

const all = (): boolean => true;

async function tarError(buf: Buffer, limits = DEFAULT_TAR_LIMITS): Promise<string> {
  try {
    await readTarGzTree(buf, all, limits);
  } catch (e) {
    expect(e).toBeInstanceOf(TarArchiveError);
    return (e as Error).message;
  }
  throw new Error('expected the archive to be rejected');
}

describe('readTarGzTree', () => {
  it('strips a single top-level directory and reads the pax global commit', async () => {
    const commit = 'bf5c0d245a92671908518d7e765914d437954ed6';
    const tree = await readTarGzTree(
      buildTarGz([
        { name: 'pax_global_header', type: 'g', data: paxRecord('comment', commit) },
        { name: 'advisory-db-abc/', type: '5' },
        { name: 'advisory-db-abc/crates/demo/RUSTSEC-2024-0001.md', data: 'hello', mtime: 1_750_000_000 },
        { name: 'advisory-db-abc/README.md', data: 'readme' },
      ]),
      (p) => p.endsWith('.md'),
    );
    expect(tree.commit).toBe(commit);
    expect(tree.files.map((f) => [f.path, f.data.toString()])).toEqual([
      ['crates/demo/RUSTSEC-2024-0001.md', 'hello'],
      ['README.md', 'readme'],
    ]);
    expect(tree.files[0]!.mtime?.toISOString()).toBe('2025-06-15T15:06:40.000Z');
    expect(tree.problems).toEqual([]);
  });

  it('keeps names when the root holds crates/ directly, and reads long names from pax headers', async () => {
    const long = `crates/${'a'.repeat(120)}/RUSTSEC-2024-0001.md`;
    const tree = await readTarGzTree(
      buildTarGz([
        { name: 'crates/x/RUSTSEC-2024-0002.md', data: 'x' },
        { name: 'PaxHeader', type: 'x', data: paxRecord('path', long) },
        { name: 'ignored-short-name', data: 'long' },
      ]),
      all,
    );
    expect(tree.files.map((f) => f.path)).toEqual(['crates/x/RUSTSEC-2024-0002.md', long]);
  });

  it('skips traversal names, absolute paths and links, each as a problem', async () => {
    const tree = await readTarGzTree(
      buildTarGz([
        { name: 'db/crates/ok/RUSTSEC-2024-0001.md', data: 'ok' },
        { name: 'db/../../etc/passwd', data: 'root:x' },
        { name: '/etc/shadow', data: 'x' },
        { name: 'db/crates\\win\\a.md', data: 'x' },
        { name: 'db/crates/link/RUSTSEC-2024-0002.md', type: '2', linkname: '/etc/passwd' },
        {
          name: 'db/crates/hard/RUSTSEC-2024-0003.md',
          type: '1',
          linkname: 'db/crates/ok/RUSTSEC-2024-0001.md',
        },
      ]),
      all,
    );
    // Unsafe names take no part in finding the top directory: `db/` is stripped.
    expect(tree.files.map((f) => f.path)).toEqual(['crates/ok/RUSTSEC-2024-0001.md']);
    expect(tree.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/unsafe path/),
      expect.stringMatching(/unsafe path/),
      expect.stringMatching(/unsafe path/),
      expect.stringMatching(/symlink .* not followed/),
      expect.stringMatching(/hard link .* not followed/),
    ]);
  });

  it('reports an oversized file as a problem and reads the rest', async () => {
    const tree = await readTarGzTree(
      buildTarGz([
        { name: 'crates/big/RUSTSEC-2024-0001.md', data: Buffer.alloc(4096, 0x61) },
        { name: 'crates/small/RUSTSEC-2024-0002.md', data: 'small' },
      ]),
      all,
      { ...DEFAULT_TAR_LIMITS, maxEntryBytes: 1024 },
    );
    expect(tree.files.map((f) => f.path)).toEqual(['crates/small/RUSTSEC-2024-0002.md']);
    expect(tree.problems).toEqual([
      { path: 'crates/big/RUSTSEC-2024-0001.md', message: expect.stringMatching(/too large/) },
    ]);
  });

  it('refuses bad gzip, truncated archives, corrupt headers and gzip bombs', async () => {
    expect(await tarError(Buffer.from('not gzip at all'))).toMatch(/not a gzip file/);
    const good = buildTarGz([{ name: 'crates/a/RUSTSEC-2024-0001.md', data: 'a'.repeat(2000) }]);
    expect(await tarError(good.subarray(0, good.length - 10))).toMatch(/bad gzip data/);
    const corrupt = Buffer.from(good);
    corrupt[20] = corrupt[20]! ^ 0xff;
    expect(await tarError(corrupt)).toMatch(/bad gzip data|checksum|tar/);
    const tar = buildTar([{ name: 'crates/a/RUSTSEC-2024-0001.md', data: 'a'.repeat(2000) }]);
    expect(await tarError(zlib.gzipSync(tar.subarray(0, 1024)))).toMatch(/truncated/);
    const badSum = Buffer.from(tar);
    badSum[0] = 0x62;
    expect(await tarError(zlib.gzipSync(badSum))).toMatch(/checksum/);
    // 64 MiB of zeros compresses to ~64 KB: refused by the output limit, not by memory.
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(200_000);
    expect(await tarError(bomb, { ...DEFAULT_TAR_LIMITS, maxUncompressedBytes: 8 * 1024 * 1024 })).toMatch(
      /expands to more than/,
    );
    expect(await tarError(good, { ...DEFAULT_TAR_LIMITS, maxArchiveBytes: 10 })).toMatch(
      /archive is too large/,
    );
    const many = buildTarGz(Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, data: 'x' })));
    expect(await tarError(many, { ...DEFAULT_TAR_LIMITS, maxEntries: 10 })).toMatch(/too many entries/);
  });
});

describe('safeRelativePath', () => {
  it('accepts plain relative paths only', () => {
    expect(safeRelativePath('./a/b.md')).toBe('a/b.md');
    expect(safeRelativePath('a/b/')).toBe('a/b');
    for (const bad of ['', '/a', 'a/../b', '..', 'a//b', 'a/./b', 'C:/x', 'a\\b', 'a\0b']) {
      expect(safeRelativePath(bad), bad).toBeNull();
    }
  });
});
