import { describe, expect, it } from 'vitest';
import { CrateArchiveError, writeCrateArchive } from '../../formats/crate-archive.js';
import { ArchiveCache, CrateDiffError, diffCrateFile, diffCrateTrees } from './crate-diff.js';

const manifest = (version: string) => `[package]\nname = "demo"\nversion = "${version}"\nedition = "2021"\n`;
const BUILD_RS = 'fn main() {\n    std::process::Command::new("curl");\n}\n';
const lib = (body: string) => `pub fn one() -> u32 {\n    1\n}\n${body}`;

async function versions() {
  const v1 = await writeCrateArchive('demo-0.1.0', [
    { path: 'Cargo.toml', data: manifest('0.1.0') },
    { path: 'src/lib.rs', data: lib('') },
    { path: 'README.md', data: '# demo\n' },
    { path: 'src/old.rs', data: 'fn gone() {}\n' },
    { path: 'assets/logo.bin', data: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]) },
  ]);
  const v2 = await writeCrateArchive('demo-0.2.0', [
    { path: 'Cargo.toml', data: manifest('0.2.0') },
    { path: 'src/lib.rs', data: lib('pub fn two() -> u32 {\n    2\n}\n') },
    { path: 'README.md', data: '# demo\n' },
    { path: 'build.rs', data: BUILD_RS },
    { path: 'assets/logo.bin', data: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 3]) },
  ]);
  return { v1, v2 };
}

describe('diffCrateTrees', () => {
  it('lists every file with its change, sizes and line counts', async () => {
    const { v1, v2 } = await versions();
    const tree = await diffCrateTrees(v1, v2);
    const by = new Map(tree.files.map((f) => [f.path, f]));
    expect(tree.files.map((f) => f.path)).toEqual([
      'Cargo.toml',
      'README.md',
      'assets/logo.bin',
      'build.rs',
      'src/lib.rs',
      'src/old.rs',
    ]);
    expect(by.get('README.md')).toMatchObject({ change: 'unchanged', content: 'text', linesAdded: 0 });
    expect(by.get('build.rs')).toMatchObject({ change: 'added', old: null, linesAdded: 3, linesRemoved: 0 });
    expect(by.get('build.rs')!.new!.size).toBe(Buffer.byteLength(BUILD_RS));
    expect(by.get('src/old.rs')).toMatchObject({
      change: 'removed',
      new: null,
      linesAdded: 0,
      linesRemoved: 1,
    });
    expect(by.get('src/lib.rs')).toMatchObject({ change: 'modified', linesAdded: 3, linesRemoved: 0 });
    expect(by.get('Cargo.toml')).toMatchObject({ change: 'modified', linesAdded: 1, linesRemoved: 1 });
    expect(by.get('assets/logo.bin')).toMatchObject({
      change: 'modified',
      content: 'binary',
      linesAdded: null,
      linesRemoved: null,
    });
    expect(tree.totals).toEqual({
      added: 1,
      removed: 1,
      modified: 3,
      unchanged: 1,
      linesAdded: 7,
      linesRemoved: 2,
    });
  });

  it('says a version compared with itself changed nothing', async () => {
    const { v1 } = await versions();
    const tree = await diffCrateTrees(v1, v1);
    expect(tree.files.every((f) => f.change === 'unchanged')).toBe(true);
    expect(tree.totals).toMatchObject({ linesAdded: 0, linesRemoved: 0, unchanged: 5 });
  });

  it('compares files over the size cap by hash only', async () => {
    const big = (c: string) => `${c.repeat(100)}\n`.repeat(50);
    const a = await writeCrateArchive('demo-0.1.0', [
      { path: 'Cargo.toml', data: manifest('0.1.0') },
      { path: 'data.txt', data: big('a') },
    ]);
    const b = await writeCrateArchive('demo-0.2.0', [
      { path: 'Cargo.toml', data: manifest('0.2.0') },
      { path: 'data.txt', data: big('b') },
    ]);
    const tree = await diffCrateTrees(a, b, { lineLimits: { maxFileBytes: 1000 } });
    expect(tree.files.find((f) => f.path === 'data.txt')).toMatchObject({
      change: 'modified',
      content: 'too-large',
      linesAdded: null,
    });
    const one = await diffCrateFile(a, b, 'data.txt', { lineLimits: { maxFileBytes: 1000 } });
    expect(one.diff).toMatchObject({ kind: 'too-large', changed: true });
  });

  it('shares one search budget across the files of a tree', async () => {
    let seed = 3;
    const noise = () =>
      Array.from(
        { length: 2000 },
        () => `${((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16) % 3}\n`,
      ).join('');
    const files = (v: string) => [
      { path: 'Cargo.toml', data: manifest(v) },
      ...Array.from({ length: 5 }, (_, i) => ({ path: `src/f${i}.rs`, data: noise() })),
    ];
    const a = await writeCrateArchive('demo-0.1.0', files('0.1.0'));
    const b = await writeCrateArchive('demo-0.2.0', files('0.2.0'));
    expect((await diffCrateTrees(a, b)).approximate).toBe(false);
    const capped = await diffCrateTrees(a, b, { maxTreeWork: 10_000 });
    expect(capped.approximate).toBe(true);
    // Still complete counts: every modified file has some.
    expect(capped.files.filter((f) => f.path.startsWith('src/')).every((f) => (f.linesAdded ?? 0) > 0)).toBe(
      true,
    );
  });

  it('refuses a corrupt or truncated .crate with the archive reader’s error', async () => {
    const { v1, v2 } = await versions();
    await expect(diffCrateTrees(v1.subarray(0, v1.length - 30), v2)).rejects.toBeInstanceOf(
      CrateArchiveError,
    );
    await expect(diffCrateTrees(v1, Buffer.from('not a crate'))).rejects.toBeInstanceOf(CrateArchiveError);
  });
});

describe('diffCrateFile', () => {
  it('gives the hunks of one file, with focus lines', async () => {
    const { v1, v2 } = await versions();
    const d = await diffCrateFile(v1, v2, 'src/lib.rs', { context: 1 });
    expect(d.change).toBe('modified');
    if (d.diff.kind !== 'text') throw new Error('expected text');
    expect(d.diff.hunks).toHaveLength(1);
    expect(d.diff.hunks[0]!.lines.filter((l) => l.kind === 'add').map((l) => l.newLine)).toEqual([4, 5, 6]);
    const added = await diffCrateFile(v1, v2, 'build.rs');
    expect(added).toMatchObject({ change: 'added', old: null, diff: { kind: 'text', added: 3 } });
    const focused = await diffCrateFile(v1, v2, 'README.md', { focusNewLines: [1] });
    if (focused.diff.kind !== 'text') throw new Error('expected text');
    expect(focused.diff.hunks[0]!.lines).toEqual([
      { kind: 'context', oldLine: 1, newLine: 1, text: '# demo' },
    ]);
  });

  it('throws when neither version has the file', async () => {
    const { v1, v2 } = await versions();
    await expect(diffCrateFile(v1, v2, 'src/nope.rs')).rejects.toBeInstanceOf(CrateDiffError);
  });
});

describe('ArchiveCache', () => {
  it('gives the same answers from the cache, and drops entries past its byte bound', async () => {
    const { v1, v2 } = await versions();
    const cache = new ArchiveCache(1_000);
    const direct = await diffCrateTrees(v1, v2);
    expect(await diffCrateTrees(v1, v2, { cache })).toEqual(direct);
    expect(await diffCrateTrees(v1, v2, { cache })).toEqual(direct);
    const file = await diffCrateFile(v1, v2, 'src/lib.rs', { cache });
    expect(file).toEqual(await diffCrateFile(v1, v2, 'src/lib.rs'));
    // A bound smaller than one archive keeps at most the newest.
    const tiny = new ArchiveCache(1);
    await diffCrateTrees(v1, v2, { cache: tiny });
    expect((tiny as unknown as { entries: Map<string, unknown> }).entries.size).toBeLessThanOrEqual(1);
  });

  it('does not keep a failed read', async () => {
    const cache = new ArchiveCache();
    const { v2 } = await versions();
    const bad = Buffer.from('not a crate');
    await expect(diffCrateTrees(bad, v2, { cache })).rejects.toBeInstanceOf(CrateArchiveError);
    await expect(diffCrateTrees(bad, v2, { cache })).rejects.toBeInstanceOf(CrateArchiveError);
  });
});
