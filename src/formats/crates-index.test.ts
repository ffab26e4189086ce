import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { IndexLine } from '../domain/index-line.js';
import { gitRepos, tarBuffer, tarGzBuffer, writeTree } from '../../test/fixtures/graph/archive.js';
import {
  IndexFormatError,
  indexRelativePath,
  normalizeIndexLine,
  parseIndexFile,
  readCratesIndex,
} from './crates-index.js';

const line = (name: string, vers: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ name, vers, deps: [], cksum: 'ab', features: {}, yanked: false, ...extra });

const FILES: Record<string, string> = {
  'config.json': '{"dl":"https://example.com","api":"https://example.com"}',
  '1/a': line('a', '0.1.0') + '\n',
  '2/ab': line('ab', '1.0.0') + '\n' + line('ab', '1.1.0', { yanked: true }) + '\n',
  '3/s/syn': line('syn', '1.0.0', {
    deps: [{ name: 'ab', req: '^1', features: [], optional: false, default_features: true, target: null }],
  }),
  'Se/rd/Serde': line('Serde', '1.0.0'), // not lowercase: not an index path
  'se/rd/serde': line('Serde', '1.0.0') + '\n\n' + line('Serde', '1.0.1') + '\r\n',
  'README.md': '# not an index file\n',
};

const tmp = mkdtempSync(join(tmpdir(), 'ck-index-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function collect(source: string, opts = {}) {
  const crates = new Map<string, IndexLine[]>();
  const result = await readCratesIndex(source, (name, lines) => crates.set(name, lines), opts);
  return { crates, result };
}

function expectFixture(crates: Map<string, IndexLine[]>) {
  expect([...crates.keys()].sort()).toEqual(['Serde', 'a', 'ab', 'syn']);
  expect(crates.get('Serde')!.map((l) => l.vers)).toEqual(['1.0.0', '1.0.1']);
  expect(crates.get('ab')!.map((l) => l.yanked)).toEqual([false, true]);
  // A dependency without `kind` (the oldest index lines) is a normal one.
  expect(crates.get('syn')![0]!.deps[0]!.kind).toBe('normal');
}

describe('indexRelativePath', () => {
  it('accepts index paths with or without one top-level directory', () => {
    expect(indexRelativePath('1/a')).toBe('1/a');
    expect(indexRelativePath('./se/rd/serde')).toBe('se/rd/serde');
    expect(indexRelativePath('crates-io-index/3/s/syn')).toBe('3/s/syn');
  });
  it('rejects non-index files', () => {
    for (const p of [
      'config.json',
      'top/config.json',
      '.git/HEAD',
      'top/.git/1/a',
      'a/b/c/se/rd/serde',
      '3/x/syn',
    ]) {
      expect(indexRelativePath(p)).toBeNull();
    }
  });
});

describe('normalizeIndexLine', () => {
  it('rejects wrong shapes with a message', () => {
    expect(normalizeIndexLine([])).toMatch(/object/);
    expect(normalizeIndexLine({ name: 'a' })).toMatch(/vers/);
    expect(normalizeIndexLine({ name: 'a', vers: '1.0.0', deps: {} })).toMatch(/deps/);
    expect(
      normalizeIndexLine({ name: 'a', vers: '1.0.0', deps: [{ name: 'b', req: '1', kind: 'peer' }] }),
    ).toMatch(/kind/);
    expect(normalizeIndexLine({ name: 'a', vers: '1.0.0', deps: [{ name: 'b', req: 1 }] })).toMatch(/req/);
    expect(
      normalizeIndexLine({ name: 'a', vers: '1.0.0', deps: [{ name: 'b', req: '1', features: [1] }] }),
    ).toMatch(/features/);
  });
  it('keeps renamed and optional dependencies', () => {
    const l = normalizeIndexLine({
      name: 'a',
      vers: '1.0.0',
      deps: [
        { name: 'alias', package: 'real', req: '^1', optional: true, default_features: false, kind: 'dev' },
      ],
    });
    expect(typeof l).toBe('object');
    const dep = (l as IndexLine).deps[0]!;
    expect(dep).toMatchObject({
      name: 'alias',
      package: 'real',
      optional: true,
      default_features: false,
      kind: 'dev',
    });
  });
});

describe('parseIndexFile', () => {
  it('reports the line number of a malformed line and keeps the rest', () => {
    const bad: [number, string][] = [];
    const lines = parseIndexFile(
      'x',
      [line('x', '1.0.0'), '{"name":', '', line('x', '2.0.0'), '7'].join('\n'),
      (n, m) => bad.push([n, m]),
    );
    expect(lines.map((l) => l.vers)).toEqual(['1.0.0', '2.0.0']);
    expect(bad.map((b) => b[0])).toEqual([2, 5]);
    expect(bad[0]![1]).toMatch(/invalid JSON/);
  });
});

describe('readCratesIndex', () => {
  it('reads a .tar.gz snapshot with a top-level directory', async () => {
    const files = Object.fromEntries(Object.entries(FILES).map(([k, v]) => [`crates-io-index/${k}`, v]));
    const path = join(tmp, 'snap.tar.gz');
    writeFileSync(path, await tarGzBuffer(files));
    const progress: number[] = [];
    const { crates, result } = await collect(path, {
      onProgress: (p: { crates: number }) => progress.push(p.crates),
    });
    expectFixture(crates);
    expect(result).toEqual({ crates: 4, versions: 6, malformed: 0 });
    expect(progress).toEqual([1, 2, 3, 4]);
  });

  it('reads an uncompressed tar without a top-level directory', async () => {
    const path = join(tmp, 'snap.tar');
    writeFileSync(path, await tarBuffer(FILES));
    expectFixture((await collect(path)).crates);
  });

  it('reads a plain directory, skipping dot-directories', async () => {
    const dir = join(tmp, 'plain');
    writeTree(dir, { ...FILES, '.github/1/z': line('z', '1.0.0') });
    const { crates, result } = await collect(dir);
    expectFixture(crates);
    expect(result.crates).toBe(4);
  });

  it('reads a git working tree and a bare repository', async () => {
    const work = join(tmp, 'work');
    const bare = join(tmp, 'bare.git');
    gitRepos(work, bare, FILES);
    expectFixture((await collect(work)).crates);
    expectFixture((await collect(bare)).crates);
  });

  it('fails on a malformed line with file and line number, or skips and counts it', async () => {
    const dir = join(tmp, 'malformed');
    writeTree(dir, { ...FILES, '2/ab': line('ab', '1.0.0') + '\n{not json}\n' + line('ab', '2.0.0') });
    const err = await collect(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IndexFormatError);
    expect((err as IndexFormatError).file).toBe('2/ab');
    expect((err as IndexFormatError).line).toBe(2);

    const seen: string[] = [];
    const { crates, result } = await collect(dir, {
      skipMalformed: true,
      onMalformed: (m: { file: string; line: number }) => seen.push(`${m.file}:${m.line}`),
    });
    expect(result.malformed).toBe(1);
    expect(seen).toEqual(['2/ab:2']);
    expect(crates.get('ab')!.map((l) => l.vers)).toEqual(['1.0.0', '2.0.0']);
  });

  it('refuses oversized crate files', async () => {
    const path = join(tmp, 'big.tar.gz');
    writeFileSync(
      path,
      await tarGzBuffer({ ...FILES, '2/zz': line('zz', '1.0.0') + '\n' + 'x'.repeat(5000) }),
    );
    await expect(collect(path, { maxFileBytes: 1000 })).rejects.toThrow(/larger than 1000/);
    const { crates, result } = await collect(path, { maxFileBytes: 1000, skipMalformed: true });
    expect(crates.has('zz')).toBe(false);
    expect(result.malformed).toBe(1);
  });

  it('rejects a truncated tarball', async () => {
    const gz = await tarGzBuffer(FILES);
    const path = join(tmp, 'trunc.tar.gz');
    writeFileSync(path, gz.subarray(0, Math.floor(gz.length / 2)));
    await expect(collect(path)).rejects.toThrow();
  });

  it('rejects a file that is not an archive', async () => {
    const path = join(tmp, 'garbage.tar.gz');
    writeFileSync(path, Buffer.from([0x1f, 0x8b, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    await expect(collect(path)).rejects.toThrow();
    const path2 = join(tmp, 'garbage.bin');
    writeFileSync(path2, Buffer.alloc(2048, 7));
    await expect(collect(path2)).rejects.toThrow();
  });

  it('stops reading when the callback throws', async () => {
    const path = join(tmp, 'stop.tar.gz');
    writeFileSync(path, await tarGzBuffer(FILES));
    await expect(
      readCratesIndex(path, () => {
        throw new Error('stop here');
      }),
    ).rejects.toThrow('stop here');
  });
});
