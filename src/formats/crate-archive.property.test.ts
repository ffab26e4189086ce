// Property-based tests of the tar readers (issue 15): the `.crate` reader (crate-archive.ts)
// and the directory-tree reader (tar-gz-tree.ts). What the writers produce reads back as it
// was written; any archive, mutated, truncated or hostile, either reads to safe relative paths
// or fails with the module's own error, and always settles (a run that hangs fails the test).
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CrateArchiveError,
  readCrateArchive,
  writeCrateArchive,
  writeRawTarGz,
  type RawTarEntry,
} from './crate-archive.js';
import { readTarGzTree, safeRelativePath, TarArchiveError } from './tar-gz-tree.js';

const RUNS = { numRuns: 40 };
const LIMITS = { maxUnpackedBytes: 64 * 1024, maxEntries: 64 };

/** Fails instead of hanging: every read must settle well within this. */
function settles<T>(p: Promise<T>, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms);
    }),
  ]);
}

const segment = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,7}$/).filter((s) => s !== '.' && s !== '..');
// Mostly short names; some long enough (over tar's 100-byte name field) for GNU/pax long names.
const longSegment = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9._-]{40,70}$/);
const relPath = fc
  .array(fc.oneof({ weight: 4, arbitrary: segment }, { weight: 1, arbitrary: longSegment }), {
    minLength: 1,
    maxLength: 3,
  })
  .map((s) => s.join('/'));
const data = fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u));

/** Files with distinct paths, none inside another, none a variant of Cargo.toml. */
const fileSet = fc
  .uniqueArray(fc.tuple(relPath, data), { maxLength: 6, selector: ([p]) => p.toLowerCase() })
  .map((fs) => fs.filter(([p]) => !fs.some(([q]) => q.toLowerCase().startsWith(`${p.toLowerCase()}/`))))
  .map((fs) => fs.filter(([p]) => p.toLowerCase() !== 'cargo.toml'));

const crateId = fc.record({
  name: fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/),
  version: fc.tuple(fc.nat(9), fc.nat(9), fc.nat(9)).map((v) => v.join('.')),
});

const validCrate = fc.tuple(crateId, fileSet).map(([id, files]) => ({
  id,
  files,
  manifest: `[package]\nname = "${id.name}"\nversion = "${id.version}"\n`,
}));

async function crateBytes(c: {
  id: { name: string; version: string };
  files: [string, Buffer][];
  manifest: string;
}) {
  return writeCrateArchive(`${c.id.name}-${c.id.version}`, [
    { path: 'Cargo.toml', data: c.manifest },
    ...c.files.map(([path, d]) => ({ path, data: d })),
  ]);
}

/** Bytes replaced, or the archive cut short. */
function mutate(bytes: Buffer, edits: [number, number][], cut: number | null): Buffer {
  const out = Buffer.from(bytes);
  for (const [at, v] of edits) out[at % out.length] = v;
  return cut === null ? out : out.subarray(0, cut % out.length);
}
const edits = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 });
const cut = fc.option(fc.nat(), { nil: null });

async function crateOutcome(bytes: Buffer): Promise<void> {
  try {
    const archive = await settles(readCrateArchive(bytes, { limits: LIMITS }));
    for (const f of archive.files) expect(safeRelativePath(f.path), f.path).toBe(f.path);
  } catch (e) {
    expect(e).toBeInstanceOf(CrateArchiveError);
  }
}

async function treeOutcome(bytes: Buffer): Promise<void> {
  try {
    const tree = await settles(
      readTarGzTree(bytes, () => true, {
        maxArchiveBytes: 1 << 20,
        maxUncompressedBytes: 1 << 20,
        maxEntries: 64,
        maxEntryBytes: 1 << 16,
      }),
    );
    for (const f of tree.files) expect(safeRelativePath(f.path), f.path).toBe(f.path);
  } catch (e) {
    expect(e).toBeInstanceOf(TarArchiveError);
  }
}

/** Tar entries a hostile packager could write: traversal, absolute names, links, devices, lies. */
const hostileEntry: fc.Arbitrary<RawTarEntry> = fc.record(
  {
    name: fc.oneof(
      relPath.map((p) => `c-1.0.0/${p}`),
      fc.constantFrom(
        'c-1.0.0/../x',
        '/etc/passwd',
        'c-1.0.0//a',
        'c-1.0.0/./a',
        'other-1.0.0/a',
        'c-1.0.0/a\\b',
        'C:/x',
        'c-1.0.0/',
      ),
      fc.string({ maxLength: 20 }),
    ),
    type: fc.constantFrom('file', 'directory', 'symlink', 'link', 'character-device', 'fifo'),
    data: data,
    linkname: fc.constantFrom('../../etc/passwd', 'a', '/tmp'),
    size: fc.option(fc.nat(2000), { nil: undefined }),
    longName: fc.constantFrom('gnu', 'pax'),
  },
  { requiredKeys: ['name'] },
);

describe('.crate archives (property)', () => {
  it('read back what the writer wrote', async () => {
    await fc.assert(
      fc.asyncProperty(validCrate, async (c) => {
        const archive = await settles(
          readCrateArchive(await crateBytes(c), { expected: c.id, limits: LIMITS }),
        );
        expect(archive.manifestText).toBe(c.manifest);
        const got = new Map(archive.files.map((f) => [f.path, f.data]));
        expect(got.size).toBe(c.files.length + 1);
        for (const [p, d] of c.files) expect(Buffer.compare(got.get(p)!, d), p).toBe(0);
        expect(archive.unpackedBytes).toBe(
          c.files.reduce((n, [, d]) => n + d.length, 0) + Buffer.byteLength(c.manifest),
        );
      }),
      RUNS,
    );
  });

  it('mutated or truncated archives fail only with CrateArchiveError, and settle', async () => {
    await fc.assert(
      fc.asyncProperty(validCrate, edits, cut, fc.boolean(), async (c, e, n, inTar) => {
        const bytes = await crateBytes(c);
        // Mutated in the compressed bytes, or in the tar stream and compressed again (the tar
        // parser then sees the damage instead of the CRC check).
        await crateOutcome(inTar ? gzipSync(mutate(gunzipSync(bytes), e, n)) : mutate(bytes, e, n));
      }),
      { numRuns: 80 },
    );
  });

  it('hostile tar entries never produce a path outside the crate directory', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileEntry, { maxLength: 5 }), fc.boolean(), async (entries, endMarker) => {
        const all: RawTarEntry[] = [
          { name: 'c-1.0.0/Cargo.toml', data: '[package]\nname = "c"\nversion = "1.0.0"\n' },
          ...entries,
        ];
        await crateOutcome(await writeRawTarGz(all, { endMarker }));
      }),
      { numRuns: 60 },
    );
  });

  it('arbitrary bytes fail only with CrateArchiveError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (u) => {
        // A gzip header in front, so that the inflater and the tar parser see the bytes too.
        await crateOutcome(
          Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), Buffer.from(u)]),
        );
        await crateOutcome(Buffer.from(u));
      }),
      { numRuns: 50 },
    );
  });
});

describe('.tar.gz trees (property)', () => {
  it('read back the files under the stripped top directory', async () => {
    await fc.assert(
      fc.asyncProperty(fileSet, async (files) => {
        const bytes = await writeRawTarGz(files.map(([p, d]) => ({ name: `top-abc/${p}`, data: d })));
        const tree = await settles(readTarGzTree(bytes, () => true));
        expect(tree.problems).toEqual([]);
        const got = new Map(tree.files.map((f) => [f.path, f.data]));
        expect(got.size).toBe(files.length);
        for (const [p, d] of files) expect(Buffer.compare(got.get(p)!, d), p).toBe(0);
      }),
      RUNS,
    );
  });

  it('mutated, truncated or hostile archives fail only with TarArchiveError, and settle', async () => {
    await fc.assert(
      fc.asyncProperty(
        fileSet,
        fc.array(hostileEntry, { maxLength: 3 }),
        edits,
        cut,
        async (files, hostile, e, n) => {
          const entries = [...files.map(([p, d]) => ({ name: `top/${p}`, data: d })), ...hostile];
          const bytes = await writeRawTarGz(entries.length > 0 ? entries : [{ name: 'top/a', data: 'x' }]);
          await treeOutcome(bytes);
          await treeOutcome(mutate(bytes, e, n));
          await treeOutcome(gzipSync(mutate(gunzipSync(bytes), e, n)));
        },
      ),
      { numRuns: 60 },
    );
  });
});
