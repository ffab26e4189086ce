import { createHash } from 'node:crypto';
import { SHARED_DATA } from '../../test/support/paths.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateRawSync, gunzipSync, gzipSync } from 'node:zlib';
import { extract as tarExtract, pack as tarPack } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import {
  CrateArchiveError,
  DEFAULT_CRATE_LIMITS,
  encodeRawTar,
  readCrateArchive,
  writeCrateArchive,
  writeRawTarGz,
} from './crate-archive.js';
import type { CrateArchiveErrorCode, RawTarEntry, ReadCrateOptions } from './crate-archive.js';
import {
  crateEntries,
  fooEntries,
  gzipOfZeros,
  manifest,
  seededRandom,
} from '../../test/fixtures/crate-archive/builders.js';

const SAMPLES = join(SHARED_DATA, 'scanner-samples/crates');
const MiB = 1024 * 1024;

/** Reads and expects a CrateArchiveError with `code`; returns it for further checks. */
async function rejection(
  bytes: Buffer | Promise<Buffer>,
  code: CrateArchiveErrorCode,
  options?: ReadCrateOptions,
): Promise<CrateArchiveError> {
  const err = await readCrateArchive(await bytes, options).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CrateArchiveError);
  const archiveError = err as CrateArchiveError;
  expect(archiveError.code).toBe(code);
  expect(archiveError.message).toMatch(/^invalid \.crate archive: /);
  return archiveError;
}

/** Settles with the error or the archive, whichever comes; failing if it is not ours. */
async function outcome(bytes: Buffer): Promise<CrateArchiveError | 'ok'> {
  try {
    await readCrateArchive(bytes);
    return 'ok';
  } catch (err) {
    if (!(err instanceof CrateArchiveError)) throw err;
    return err;
  }
}

function withGzipHeader(flags: number, extra: Buffer, body: Buffer, content: Buffer): Buffer {
  const head = Buffer.from([0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 3]);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(content) >>> 0, 0);
  trailer.writeUInt32LE(content.length, 4);
  return Buffer.concat([head, extra, body, trailer]);
}

describe('writeCrateArchive → readCrateArchive', () => {
  const files = {
    'Cargo.toml': manifest('héllo-crate', '0.3.1-beta.2+build.5'),
    'Cargo.toml.orig': '[package]\nname = "héllo-crate"\n',
    'src/lib.rs': 'pub mod ünïcode;\n',
    'src/ünïcode.rs': '// non-ASCII file name\n',
    'build.rs': 'fn main() {}\n',
    'assets/blob.bin': Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 256)),
    'empty.txt': '',
    [`deep/${'nested-directory/'.repeat(14)}file.rs`]: 'fn deep() {}\n',
  };
  const prefix = 'héllo-crate-0.3.1-beta.2+build.5';
  const entries = Object.entries(files).map(([path, data]) => ({ path, data }));

  it('round-trips every file, byte for byte, with paths relative to the prefix', async () => {
    const bytes = await writeCrateArchive(prefix, [
      ...entries,
      { path: 'run.sh', data: '#!/bin/sh\n', mode: 0o755 },
    ]);
    const archive = await readCrateArchive(bytes, {
      expected: { name: 'héllo-crate', version: '0.3.1-beta.2+build.5' },
    });
    expect(archive.prefix).toBe(prefix);
    expect(archive.manifestText).toBe(files['Cargo.toml']);
    const byPath = new Map(archive.files.map((f) => [f.path, f]));
    for (const [path, data] of Object.entries(files)) {
      const file = byPath.get(path);
      expect(file, path).toBeDefined();
      expect(file?.data?.equals(Buffer.from(data))).toBe(true);
      expect(file?.size).toBe(Buffer.byteLength(data));
      expect(file?.mode).toBe(0o644);
    }
    expect(byPath.get('run.sh')?.mode).toBe(0o755);
    expect(archive.files).toHaveLength(entries.length + 1);
    expect(archive.unpackedBytes).toBe(archive.files.reduce((sum, f) => sum + f.size, 0));
  });

  it('writes deterministically: sorted entries, fixed mtime, uid/gid 0, whatever the input order', async () => {
    const a = await writeCrateArchive(prefix, entries);
    const b = await writeCrateArchive(prefix, [...entries].reverse());
    expect(a.equals(b)).toBe(true);
    const names: string[] = [];
    const headers: { mtime: number; uid: number; gid: number }[] = [];
    const ex = tarExtract();
    ex.on('entry', (header, stream, next) => {
      names.push(header.name);
      headers.push({ mtime: header.mtime.getTime(), uid: header.uid, gid: header.gid });
      stream.on('end', () => next());
      stream.resume();
    });
    await new Promise<void>((resolve, reject) => {
      ex.on('finish', () => resolve());
      ex.on('error', reject);
      ex.end(gunzipSync(a));
    });
    expect(names).toEqual([...names].sort());
    expect(names).toHaveLength(entries.length);
    expect(new Set(headers.map((h) => h.mtime)).size).toBe(1);
    expect(headers.every((h) => h.uid === 0 && h.gid === 0)).toBe(true);
  });

  it('refuses to write paths that the reader would refuse', async () => {
    const write = (path: string) =>
      writeCrateArchive('foo-1.0.0', [{ path, data: 'x' }]).then(
        () => null,
        (e: unknown) => (e as CrateArchiveError).code,
      );
    expect(await write('../escape.rs')).toBe('path-traversal');
    expect(await write('/etc/passwd')).toBe('absolute-path');
    expect(await write('src\\lib.rs')).toBe('bad-path');
    expect(await write('src/')).toBe('bad-path');
    expect(await write('src//lib.rs')).toBe('bad-path');
    const dup = await writeCrateArchive('foo-1.0.0', [
      { path: 'a', data: '1' },
      { path: 'a', data: '2' },
    ]).catch((e: unknown) => e);
    expect((dup as CrateArchiveError).code).toBe('duplicate-entry');
    const badPrefix = await writeCrateArchive('foo/1.0.0', []).catch((e: unknown) => e);
    expect((badPrefix as CrateArchiveError).code).toBe('bad-path');
  });
});

describe('readCrateArchive on valid archives', () => {
  it('keeps only what `keep` asks for, but always Cargo.toml', async () => {
    const seen: [string, number][] = [];
    const archive = await readCrateArchive(
      await writeRawTarGz(fooEntries(...crateEntries('foo-1.0.0', { 'README.md': 'read me' }))),
      {
        keep: (path, size) => {
          seen.push([path, size]);
          return path.endsWith('.rs');
        },
      },
    );
    expect(seen).toEqual([
      ['src/lib.rs', 14],
      ['README.md', 7],
    ]);
    const data = Object.fromEntries(archive.files.map((f) => [f.path, f.data?.toString() ?? null]));
    expect(data).toEqual({
      'Cargo.toml': manifest('foo', '1.0.0'),
      'src/lib.rs': 'pub fn f() {}\n',
      'README.md': null,
    });
    expect(archive.files.find((f) => f.path === 'README.md')?.size).toBe(7);
  });

  it('hashes every file while streaming and keeps only a head of files `keep` caps', async () => {
    const big = Buffer.alloc(300_000, 0x61);
    const archive = await readCrateArchive(
      await writeRawTarGz(fooEntries({ name: 'foo-1.0.0/big.txt', data: big })),
      { hash: true, keep: (path) => (path === 'big.txt' ? { head: 1000 } : true) },
    );
    const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
    const f = archive.files.find((x) => x.path === 'big.txt')!;
    expect(f.data).toBeNull();
    expect(f.head).toEqual(big.subarray(0, 1000));
    expect(f.sha256).toBe(sha(big));
    const lib = archive.files.find((x) => x.path === 'src/lib.rs')!;
    expect(lib.sha256).toBe(sha(lib.data!));
    expect(lib.head).toBeUndefined();
    // Without `hash`, nothing is hashed.
    const plain = await readCrateArchive(await writeRawTarGz(fooEntries()));
    expect(plain.files.every((x) => x.sha256 === undefined)).toBe(true);
  });

  it('refuses a Cargo.toml over maxManifestBytes (it is always kept, so it is bounded apart)', async () => {
    const entries = fooEntries();
    await rejection(writeRawTarGz(entries), 'too-large', { limits: { maxManifestBytes: 10 } });
    expect(
      (await readCrateArchive(await writeRawTarGz(entries), { limits: { maxManifestBytes: 4096 } })).prefix,
    ).toBe('foo-1.0.0');
  });

  it('accepts a Uint8Array, directory entries (as GNU tar writes), and trailing tar padding', async () => {
    const tar = encodeRawTar([
      { name: 'foo-1.0.0/', type: 'directory' },
      { name: 'foo-1.0.0/src/', type: 'directory' },
      ...fooEntries(),
    ]);
    // GNU tar pads the archive to a 10 KiB record; gzip may be followed by zero padding.
    const padded = Buffer.concat([tar, Buffer.alloc(10240 - (tar.length % 10240))]);
    const bytes = Buffer.concat([gzipSync(padded), Buffer.alloc(64)]);
    const archive = await readCrateArchive(new Uint8Array(bytes));
    expect(archive.files.map((f) => f.path)).toEqual(['Cargo.toml', 'src/lib.rs']);
  });

  it('reads an archive written by another tar writer (tar-stream pack)', async () => {
    const pack = tarPack();
    const chunks: Buffer[] = [];
    pack.on('data', (c: unknown) => chunks.push(c as Buffer));
    const done = new Promise<void>((resolve) => pack.on('end', () => resolve()));
    pack.entry({ name: 'bar-2.0.0/Cargo.toml' }, manifest('bar', '2.0.0'));
    pack.entry({ name: `bar-2.0.0/${'long-name-'.repeat(30)}.rs` }, 'x');
    pack.finalize();
    await done;
    const archive = await readCrateArchive(gzipSync(Buffer.concat(chunks)));
    expect(archive.prefix).toBe('bar-2.0.0');
    expect(archive.files[1]?.path).toBe(`${'long-name-'.repeat(30)}.rs`);
  });

  it('handles long and non-ASCII names through GNU long-name and pax records', async () => {
    const longName = `src/${'é'.repeat(200)}/${'ß'.repeat(150)}.rs`;
    for (const longNameStyle of ['gnu', 'pax'] as const) {
      const archive = await readCrateArchive(
        await writeRawTarGz(
          fooEntries({ name: `foo-1.0.0/${longName}`, data: 'ok', longName: longNameStyle }),
        ),
      );
      expect(archive.files.map((f) => f.path)).toContain(longName);
    }
  });

  it('accepts optional gzip header fields (name, comment, extra, header CRC)', async () => {
    const tar = encodeRawTar(fooEntries());
    const body = deflateRawSync(tar);
    const fields = Buffer.concat([
      Buffer.from([4, 0, 0x41, 0x42, 0x00, 0x00]), // FEXTRA: length 4
      Buffer.from('foo-1.0.0.crate\0comment\0', 'latin1'),
    ]);
    const head = Buffer.from([0x1f, 0x8b, 8, 0x1e, 0, 0, 0, 0, 0, 3]);
    const hcrc = Buffer.alloc(2);
    hcrc.writeUInt16LE(crc32(Buffer.concat([head, fields])) & 0xffff);
    const bytes = withGzipHeader(0x1e, Buffer.concat([fields, hcrc]), body, tar);
    expect((await readCrateArchive(bytes)).prefix).toBe('foo-1.0.0');
    hcrc[0] = (hcrc[0] ?? 0) ^ 0xff;
    await rejection(withGzipHeader(0x1e, Buffer.concat([fields, hcrc]), body, tar), 'bad-gzip');
  });

  it('accepts the legacy [project] table', async () => {
    const bytes = await writeRawTarGz(
      crateEntries('old-0.1.0', { 'Cargo.toml': '[project]\nname = "old"\nversion = "0.1.0"\n' }),
    );
    expect((await readCrateArchive(bytes)).prefix).toBe('old-0.1.0');
  });

  it('reads every scanner sample, and each prefix matches its file name', async () => {
    const names = readdirSync(SAMPLES).filter((f) => f.endsWith('.crate'));
    expect(names.length).toBeGreaterThan(0);
    for (const fileName of names) {
      const stem = fileName.slice(0, -'.crate'.length);
      const match = /^(.+?)-(\d+\.\d+\.\d+(?:[-+].*)?)$/.exec(stem);
      expect(match, stem).not.toBeNull();
      const archive = await readCrateArchive(readFileSync(join(SAMPLES, fileName)), {
        expected: { name: match?.[1] ?? '', version: match?.[2] ?? '' },
      });
      expect(archive.prefix).toBe(stem);
      expect(archive.files.some((f) => f.path === 'Cargo.toml')).toBe(true);
      expect(archive.files.every((f) => f.data !== null && f.data.length === f.size)).toBe(true);
    }
  });

  it('reads a 1 MB crate of many files in one pass (one copy per file)', async () => {
    const random = seededRandom(1);
    const word = () => Math.floor(random() * 2 ** 48).toString(36);
    const entries = [{ path: 'Cargo.toml', data: manifest('big', '1.0.0') }];
    for (let i = 0; i < 300; i++) {
      const body = Array.from({ length: 170 }, () => `pub fn ${word()}() -> u64 { ${word()}(${word()}) }\n`);
      entries.push({ path: `src/m${i}.rs`, data: body.join('') });
    }
    const bytes = await writeCrateArchive('big-1.0.0', entries);
    expect(bytes.length).toBeGreaterThan(MiB);
    const archive = await readCrateArchive(bytes);
    expect(archive.files).toHaveLength(entries.length);
    expect(archive.unpackedBytes).toBe(entries.reduce((sum, e) => sum + Buffer.byteLength(e.data), 0));
    // Each kept file owns an exact-size buffer, not a slice of a larger inflate chunk.
    const lib = archive.files[5]?.data;
    expect(lib?.buffer.byteLength === lib?.length || (lib?.length ?? 0) < 4096).toBe(true);
  });
});

describe('readCrateArchive refuses hostile paths', () => {
  it.each([
    ['foo-1.0.0/../../etc/passwd', 'path-traversal', 'escapes the crate directory'],
    ['foo-1.0.0/src/../../../x.rs', 'path-traversal', 'escapes the crate directory'],
    ['../foo-1.0.0/x', 'path-traversal', 'escapes the crate directory'],
    ['foo-1.0.0\\..\\..\\evil.rs', 'path-traversal', 'escapes the crate directory'],
    ['/etc/passwd', 'absolute-path', 'absolute path'],
    ['C:/Windows/evil.dll', 'absolute-path', 'absolute path'],
    ['\\\\server\\share\\x', 'absolute-path', 'absolute path'],
    ['foo-1.0.0/src\\lib.rs', 'bad-path', 'backslash'],
    ['foo-1.0.0/./src/lib2.rs', 'bad-path', "'.'"],
    ['foo-1.0.0//src/lib2.rs', 'bad-path', "'.'"],
    ['foo-1.0.0/src/evil\n.rs', 'bad-path', 'control character'],
  ] as const)('%j → %s', async (name, code, words) => {
    const err = await rejection(writeRawTarGz(fooEntries({ name, data: 'x' })), code);
    expect(err.message).toContain(words);
  });

  it('refuses a regular file whose pax path ends in a slash', async () => {
    await rejection(
      writeRawTarGz(fooEntries({ name: 'foo-1.0.0/a.rs', pax: { path: 'foo-1.0.0/a.rs/' }, data: 'x' })),
      'bad-path',
    );
  });

  it('refuses a NUL byte smuggled in through a pax path', async () => {
    const err = await rejection(
      writeRawTarGz(fooEntries({ name: 'foo-1.0.0/a.rs', pax: { path: 'foo-1.0.0/a.rs\0.txt' }, data: 'x' })),
      'bad-path',
    );
    expect(err.message).toContain('NUL');
  });

  it('refuses names that are not valid UTF-8, in a ustar header, a GNU long name or a pax path', async () => {
    const invalid = Buffer.concat([
      Buffer.from('foo-1.0.0/src/'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('.rs'),
    ]);
    const long = Buffer.concat([
      Buffer.from(`foo-1.0.0/${'d/'.repeat(100)}`),
      Buffer.from([0xed, 0xa0, 0x80]),
    ]);
    for (const entry of [
      { name: 'x', nameBytes: invalid, data: 'x' },
      { name: 'x', nameBytes: long, data: 'x' },
      { name: 'x', nameBytes: long, longName: 'pax', data: 'x' },
    ] satisfies RawTarEntry[]) {
      await rejection(writeRawTarGz(fooEntries(entry)), 'bad-path-encoding');
    }
  });

  it('refuses a path longer than maxPathLength, and accepts one within it', async () => {
    const name = `foo-1.0.0/${'a'.repeat(1100)}.rs`;
    await rejection(writeRawTarGz(fooEntries({ name, data: 'x' })), 'path-too-long');
    const ok = await readCrateArchive(await writeRawTarGz(fooEntries({ name, data: 'x' })), {
      limits: { maxPathLength: 2048 },
    });
    expect(ok.files).toHaveLength(3);
    await rejection(writeRawTarGz(fooEntries()), 'path-too-long', { limits: { maxPathLength: 15 } });
  });

  it('refuses entries outside the crate directory, and a second top-level directory', async () => {
    const err = await rejection(
      writeRawTarGz(fooEntries({ name: 'bar-1.0.0/src/lib.rs', data: 'x' })),
      'outside-prefix',
    );
    expect(err.message).toContain('`bar-1.0.0/src/lib.rs` is outside the crate directory `foo-1.0.0/`');
    await rejection(writeRawTarGz(fooEntries({ name: 'README.md', data: 'x' })), 'outside-prefix');
    await rejection(writeRawTarGz(fooEntries({ name: 'foo-1.0.0', data: 'x' })), 'outside-prefix');
  });

  it('refuses duplicate entries and a file that is also used as a directory', async () => {
    await rejection(
      writeRawTarGz(fooEntries({ name: 'foo-1.0.0/src/lib.rs', data: 'again' })),
      'duplicate-entry',
    );
    await rejection(
      writeRawTarGz(fooEntries({ name: 'foo-1.0.0/src/lib.rs/', type: 'directory' })),
      'duplicate-entry',
    );
    const err = await rejection(
      writeRawTarGz(fooEntries({ name: 'foo-1.0.0/src/lib.rs/inner.rs', data: 'x' })),
      'path-conflict',
    );
    expect(err.message).toContain('which is a file');
  });
});

describe('readCrateArchive refuses links, devices and odd entry types', () => {
  it.each([
    [{ name: 'foo-1.0.0/evil', type: 'symlink', linkname: '/etc/passwd' }, 'link', 'symbolic link'],
    [{ name: 'foo-1.0.0/evil', type: 'link', linkname: 'foo-1.0.0/Cargo.toml' }, 'link', 'hard link'],
    [{ name: 'foo-1.0.0/tty', type: 'character-device' }, 'special-file', 'character-device'],
    [{ name: 'foo-1.0.0/sda', type: 'block-device' }, 'special-file', 'block-device'],
    [{ name: 'foo-1.0.0/pipe', type: 'fifo' }, 'special-file', 'fifo'],
    [{ name: 'foo-1.0.0/contig', typeflag: '7', data: 'x' }, 'special-file', 'contiguous-file'],
    [{ name: 'foo-1.0.0/sparse', typeflag: 'S', data: 'x' }, 'special-file', 'unknown-type'],
    [{ name: 'foo-1.0.0/sparse2', pax: { 'GNU.sparse.major': '1' }, data: 'x' }, 'special-file', 'sparse'],
  ] satisfies [RawTarEntry, CrateArchiveErrorCode, string][])('%j → %s', async (entry, code, words) => {
    const err = await rejection(writeRawTarGz(fooEntries(entry)), code);
    expect(err.message).toContain(words);
    expect(err.message).toContain(entry.name);
  });

  it('refuses a directory entry that claims to carry data', async () => {
    // tar-stream would parse that "data" as more entries, where cargo's reader skips it.
    const hidden = encodeRawTar([{ name: 'foo-1.0.0/hidden.rs', data: 'evil' }], { endMarker: false });
    await rejection(
      writeRawTarGz(fooEntries({ name: 'foo-1.0.0/dir/', type: 'directory', size: hidden.length })),
      'bad-tar',
    );
  });
});

describe('readCrateArchive enforces its limits', () => {
  it('refuses a .crate file larger than maxCompressedBytes before inflating it', async () => {
    const bytes = await writeRawTarGz(fooEntries());
    await rejection(Buffer.from(bytes), 'too-large', { limits: { maxCompressedBytes: bytes.length - 1 } });
    expect(
      (await readCrateArchive(bytes, { limits: { maxCompressedBytes: bytes.length } })).files,
    ).toHaveLength(2);
  });

  it('refuses an entry whose declared size is over the limit, without reading its body', async () => {
    // The header claims 1 TiB; the body is not even there.
    const err = await rejection(
      writeRawTarGz(fooEntries({ name: 'foo-1.0.0/huge.bin', size: 2 ** 40 })),
      'too-large',
    );
    expect(err.message).toContain('huge.bin');
    // 2^40 does not fit the octal size field: this also checks the base-256 encoding.
    expect(err.message).toContain(String(2 ** 40));
    await rejection(
      writeRawTarGz(fooEntries({ name: 'foo-1.0.0/big.bin', data: Buffer.alloc(4096) })),
      'too-large',
      { limits: { maxEntryBytes: 4095 } },
    );
  });

  it('refuses when declared sizes add up past maxUnpackedBytes', async () => {
    const entries = fooEntries(
      ...[1, 2, 3].map((i) => ({ name: `foo-1.0.0/part${i}.bin`, data: Buffer.alloc(400 * 1024) })),
    );
    const err = await rejection(writeRawTarGz(entries), 'too-large', { limits: { maxUnpackedBytes: MiB } });
    expect(err.message).toContain('add up');
  });

  it('refuses a tar bomb by ratio: a small gzip inflating past maxUnpackedBytes', async () => {
    const bomb = gzipOfZeros(64);
    expect(bomb.length).toBeLessThan(100 * 1024);
    const err = await rejection(bomb, 'too-large', { limits: { maxUnpackedBytes: 4 * MiB } });
    expect(err.message).toContain('decompression bomb');
  });

  it('stops a 1 GiB gzip of zeros early, with default limits and little memory', async () => {
    const bomb = gzipOfZeros(1024);
    expect(bomb.length).toBeLessThan(2 * MiB);
    const before = process.memoryUsage().rss;
    await rejection(bomb, 'too-large');
    // Streaming keeps nothing of the zeros; buffering them would cost a gigabyte.
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * MiB);
  });

  it('refuses more than maxEntries entries', async () => {
    const entries = fooEntries(
      ...Array.from({ length: 9 }, (_, i) => ({ name: `foo-1.0.0/f${i}.rs`, data: '' })),
    );
    await rejection(writeRawTarGz(entries), 'too-many-entries', { limits: { maxEntries: 10 } });
    expect(
      (await readCrateArchive(await writeRawTarGz(entries), { limits: { maxEntries: 11 } })).files,
    ).toHaveLength(11);
    expect(DEFAULT_CRATE_LIMITS.maxEntries).toBeGreaterThan(11);
  });
});

describe('readCrateArchive checks the manifest', () => {
  it('requires Cargo.toml at the top of the crate directory', async () => {
    await rejection(writeRawTarGz(crateEntries('foo-1.0.0', { 'src/lib.rs': '' })), 'manifest-missing');
    await rejection(
      writeRawTarGz(crateEntries('foo-1.0.0', { 'sub/Cargo.toml': manifest('foo', '1.0.0') })),
      'manifest-missing',
    );
    await rejection(
      writeRawTarGz([{ name: 'foo-1.0.0/Cargo.toml/', type: 'directory' }]),
      'manifest-missing',
    );
  });

  it('refuses a second Cargo.toml', async () => {
    const err = await rejection(
      writeRawTarGz(fooEntries({ name: 'foo-1.0.0/Cargo.toml', data: manifest('foo', '6.6.6') })),
      'manifest-duplicate',
    );
    expect(err.message).toContain('more than once');
  });

  it.each(['cargo.toml', 'CARGO.TOML', 'Cargo.TOML'])('refuses a manifest named %s', async (name) => {
    const err = await rejection(
      writeRawTarGz(crateEntries('foo-1.0.0', { [name]: manifest('foo', '1.0.0') })),
      'manifest-case',
    );
    expect(err.message).toContain(name);
  });

  it('refuses Cargo.toml next to a differently cased twin', async () => {
    await rejection(
      writeRawTarGz(fooEntries({ name: 'foo-1.0.0/cargo.toml', data: manifest('foo', '9.9.9') })),
      'manifest-case',
    );
  });

  it('checks name and version against `expected` and against the crate directory', async () => {
    const expected = { name: 'foo', version: '1.0.0' };
    expect((await readCrateArchive(await writeRawTarGz(fooEntries()), { expected })).prefix).toBe(
      'foo-1.0.0',
    );
    await rejection(writeRawTarGz(fooEntries()), 'outside-prefix', {
      expected: { name: 'foo', version: '1.0.1' },
    });
    await rejection(writeRawTarGz(fooEntries()), 'outside-prefix', {
      expected: { name: 'fooo', version: '1.0.0' },
    });
    const wrongName = crateEntries('foo-1.0.0', { 'Cargo.toml': manifest('bar', '1.0.0') });
    const err = await rejection(writeRawTarGz(wrongName), 'manifest-mismatch', { expected });
    expect(err.message).toContain('bar 1.0.0');
    const wrongVersion = crateEntries('foo-1.0.0', { 'Cargo.toml': manifest('foo', '1.0.1') });
    await rejection(writeRawTarGz(wrongVersion), 'manifest-mismatch', { expected });
    // Without `expected`, the manifest must still agree with the directory it sits in.
    await rejection(writeRawTarGz(wrongVersion), 'manifest-mismatch');
  });

  it('refuses a manifest that is not UTF-8, not TOML, or has no package name or version', async () => {
    for (const text of [
      Buffer.from([0x5b, 0x70, 0xff, 0x5d]),
      '[package\nname = "foo"',
      'name = "foo"\nversion = "1.0.0"\n',
      '[package]\nversion = "1.0.0"\n',
      '[package]\nname = "foo"\n',
      '[package]\nname = "foo"\nversion = { workspace = true }\n',
    ]) {
      await rejection(writeRawTarGz(crateEntries('foo-1.0.0', { 'Cargo.toml': text })), 'manifest-invalid');
    }
  });
});

describe('readCrateArchive on broken and malformed bytes', () => {
  it('says `truncated` for a .crate cut short at any offset, and always settles', async () => {
    const bytes = await writeCrateArchive('foo-1.0.0', [
      { path: 'Cargo.toml', data: manifest('foo', '1.0.0') },
      { path: 'src/lib.rs', data: 'pub fn f() -> u32 { 42 }\n'.repeat(50) },
    ]);
    for (let cut = 0; cut < bytes.length; cut++) {
      const result = await outcome(bytes.subarray(0, cut));
      expect(result === 'ok' ? 'ok' : result.code, `cut at ${cut}`).toBe('truncated');
    }
  });

  it('says `truncated` for a complete gzip of a tar cut inside an entry', async () => {
    const tar = encodeRawTar(fooEntries({ name: 'foo-1.0.0/data.bin', data: Buffer.alloc(3000, 1) }));
    for (const cut of [512, 700, 1536, 2100, 3000, tar.length - 1536]) {
      await rejection(gzipSync(tar.subarray(0, cut)), 'truncated');
    }
  });

  it('accepts a tar that ends at an entry boundary without the end-of-archive blocks, as cargo does', async () => {
    const archive = await readCrateArchive(gzipSync(encodeRawTar(fooEntries(), { endMarker: false })));
    expect(archive.files.map((f) => f.path)).toEqual(['Cargo.toml', 'src/lib.rs']);
  });

  it('refuses an empty file, garbage, and a gzip of something that is not a tar', async () => {
    await rejection(Buffer.alloc(0), 'truncated');
    const random = seededRandom(7);
    const garbage = Buffer.from(Array.from({ length: 4096 }, () => Math.floor(random() * 256)));
    await rejection(garbage, 'bad-gzip');
    await rejection(Buffer.from('[package]\nname = "foo"\n'), 'bad-gzip');
    // Right magic, then garbage in place of deflate data.
    await rejection(
      Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), Buffer.alloc(64, 0xff)]),
      'bad-gzip',
    );
    await rejection(gzipSync(Buffer.from('just some text, not a tar')), 'bad-tar');
    await rejection(gzipSync(Buffer.from('x'.repeat(5000))), 'bad-tar');
    await rejection(gzipSync(Buffer.alloc(0)), 'manifest-missing');
  });

  it('refuses gzip framing problems: bad method, reserved flags, checksum, size, extra members', async () => {
    const good = await writeRawTarGz(fooEntries());
    const patch = (offset: number, value: number) => {
      const copy = Buffer.from(good);
      copy[offset] = value;
      return copy;
    };
    await rejection(patch(2, 7), 'bad-gzip');
    await rejection(patch(3, 0x20), 'bad-gzip');
    await rejection(patch(good.length - 8, (good[good.length - 8] ?? 0) ^ 1), 'bad-gzip');
    await rejection(patch(good.length - 1, (good[good.length - 1] ?? 0) ^ 1), 'bad-gzip');
    // cargo reads the first member only, so a second one must not be read as more files.
    const second = await writeRawTarGz([{ name: 'foo-1.0.0/hidden.rs', data: 'evil' }]);
    const err = await rejection(Buffer.concat([good, second]), 'bad-gzip');
    expect(err.message).toContain('first gzip member');
    await rejection(Buffer.concat([good, Buffer.from('junk')]), 'bad-gzip');
  });

  it('refuses entries hidden after the end-of-archive marker, or after zero blocks', async () => {
    const first = encodeRawTar(fooEntries());
    const hidden = encodeRawTar([{ name: 'foo-1.0.0/hidden.rs', data: 'evil' }]);
    const err = await rejection(gzipSync(Buffer.concat([first, hidden])), 'bad-tar');
    expect(err.message).toContain('hidden.rs');
    // A single zero block already ends the archive for cargo's tar reader.
    const oneZero = encodeRawTar(fooEntries(), { endMarker: false });
    await rejection(gzipSync(Buffer.concat([oneZero, Buffer.alloc(512), hidden])), 'bad-tar');
    await rejection(gzipSync(Buffer.concat([Buffer.alloc(1024), first])), 'bad-tar');
  });

  it('refuses a corrupt tar header checksum', async () => {
    const tar = encodeRawTar(fooEntries());
    tar[1030] = (tar[1030] ?? 0) ^ 0x01; // inside the second header's name
    await rejection(gzipSync(tar), 'bad-tar');
  });

  it('never escapes with anything but a CrateArchiveError when the bytes are fuzzed', async () => {
    const random = seededRandom(2024);
    const tar = encodeRawTar(
      fooEntries(
        { name: 'foo-1.0.0/', type: 'directory' },
        { name: `foo-1.0.0/${'long/'.repeat(40)}x.rs`, data: 'x'.repeat(700) },
        { name: 'foo-1.0.0/p.rs', pax: { mtime: '1.5' }, data: 'y' },
      ),
    );
    const gz = gzipSync(tar);
    let rejected = 0;
    for (let round = 0; round < 300; round++) {
      const target = round % 2 === 0 ? Buffer.from(tar) : Buffer.from(gz);
      const flips = 1 + Math.floor(random() * 4);
      for (let i = 0; i < flips; i++) {
        const at = Math.floor(random() * target.length);
        target[at] = Math.floor(random() * 256);
      }
      const result = await outcome(round % 2 === 0 ? gzipSync(target) : target);
      if (result === 'ok') continue;
      rejected += 1;
      expect(result.message).toMatch(/^invalid \.crate archive: /);
    }
    expect(rejected).toBeGreaterThan(0);
  });

  it('passes on an error thrown by `keep`', async () => {
    const boom = new Error('keep failed');
    const err = await readCrateArchive(await writeRawTarGz(fooEntries()), {
      keep: () => {
        throw boom;
      },
    }).catch((e: unknown) => e);
    expect(err).toBe(boom);
  });
});

describe('readCrateArchive on deep hostile trees', () => {
  it('checks thousands of deep paths, and finds a file-versus-directory conflict among them', async () => {
    const deep = 'd/'.repeat(400);
    const many = Array.from({ length: 3000 }, (_, i) => ({ name: `foo-1.0.0/${deep}f${i}`, data: '' }));
    const ok = await readCrateArchive(await writeRawTarGz(fooEntries(...many)));
    expect(ok.files).toHaveLength(3002);
    const clash = [
      ...many,
      { name: `foo-1.0.0/${deep}f7!x`, data: '' },
      { name: `foo-1.0.0/${deep}f7/x`, data: '' },
    ];
    const err = await rejection(writeRawTarGz(fooEntries(...clash)), 'path-conflict');
    expect(err.message).toContain('f7/x');
  });
});

describe('readCrateArchive refuses what cargo and tar-stream would read differently', () => {
  const paxRecord = (key: string, value: string): string => {
    const body = ` ${key}=${value}\n`;
    let length = body.length + 1;
    while (String(length).length + body.length !== length) length = String(length).length + body.length;
    return `${length}${body}`;
  };
  const longNameRecord = (name: string): RawTarEntry => ({
    name: '././@LongLink',
    typeflag: 'L',
    data: `${name}\0`,
  });

  it('refuses an entry with both a GNU long name and a pax path', async () => {
    const long = `foo-1.0.0/${'b/'.repeat(150)}build.rs`; // too long for ustar: a GNU long name
    const err = await rejection(
      writeRawTarGz(
        fooEntries({ name: long, pax: { path: 'foo-1.0.0/harmless.txt' }, data: 'fn main() {}' }),
      ),
      'bad-tar',
    );
    expect(err.message).toContain('GNU long name and a pax path');
  });

  it('refuses two long names for one entry, and a long name with bytes after its NUL', async () => {
    await rejection(
      writeRawTarGz(
        fooEntries(longNameRecord('foo-1.0.0/one.rs'), longNameRecord('foo-1.0.0/two.rs'), {
          name: 'foo-1.0.0/x.rs',
          data: 'x',
        }),
      ),
      'bad-tar',
    );
    await rejection(
      writeRawTarGz(
        fooEntries(
          { name: '././@LongLink', typeflag: 'L', data: 'foo-1.0.0/shown.rs\0foo-1.0.0/build.rs\0' },
          { name: 'foo-1.0.0/x.rs', data: 'x' },
        ),
      ),
      'bad-path',
    );
    // One long name, read as the entry's name, is what cargo itself writes.
    const ok = await readCrateArchive(
      await writeRawTarGz(
        fooEntries(longNameRecord('foo-1.0.0/real.rs'), { name: 'foo-1.0.0/x.rs', data: 'x' }),
      ),
    );
    expect(ok.files.map((f) => f.path)).toContain('real.rs');
  });

  it('refuses a pax global header that sets a path, but accepts one with only a comment', async () => {
    const global = (records: string): RawTarEntry => ({
      name: 'pax_global_header',
      typeflag: 'g',
      data: records,
    });
    await rejection(
      writeRawTarGz(
        fooEntries(global(paxRecord('path', 'foo-1.0.0/evil.rs')), {
          name: 'foo-1.0.0/x.rs',
          pax: { mtime: '1' },
          data: 'x',
        }),
      ),
      'bad-tar',
    );
    // `git archive` writes a global header carrying the commit id as a comment.
    const ok = await readCrateArchive(
      await writeRawTarGz([global(paxRecord('comment', '0123abcd')), ...fooEntries()]),
    );
    expect(ok.files).toHaveLength(2);
  });

  it('refuses an old GNU `N` record, which tar-stream reads as a long name and cargo does not', async () => {
    await rejection(
      writeRawTarGz(
        fooEntries(
          { name: '././@LongLink', typeflag: 'N', data: 'foo-1.0.0/n.rs\0' },
          { name: 'foo-1.0.0/x.rs', data: 'x' },
        ),
      ),
      'bad-tar',
    );
  });
});
