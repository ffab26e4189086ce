// The `.crate` archive: a gzipped tar whose entries all sit under `<name>-<version>/`, as
// `cargo package` writes it. The reader takes untrusted bytes (every publish, every scan),
// so it streams with fixed bounds, and refuses anything cargo or crates.io would read
// differently: links, devices, paths that escape, entries after the end of the archive,
// a second gzip member. No temp files: everything stays in memory, within the limits.
import type { ExtractEvents, Header } from 'tar-stream';
import { extract as createExtract } from 'tar-stream';
import { createHash } from 'node:crypto';
import { crc32, createInflateRaw } from 'node:zlib';
import { CrateArchiveError, showPath } from './crate-archive-error.js';
import { checkGzipTrailer, gzipHeaderLength } from './crate-gzip.js';
import { decodeManifest, manifestIdentity } from './crate-manifest-identity.js';
import { checkPrefix, entryPathComponents } from './crate-path.js';
import { checkEntryExtensions } from './crate-tar-extensions.js';
import { writeRawTarGz } from './crate-tar-writer.js';
import type { RawTarEntry } from './crate-tar-writer.js';

export { CrateArchiveError } from './crate-archive-error.js';
export type { CrateArchiveErrorCode } from './crate-archive-error.js';
export { encodeRawTar, writeRawTarGz } from './crate-tar-writer.js';
export type { RawTarEntry, RawTarEntryType, RawTarOptions } from './crate-tar-writer.js';

export interface CrateArchiveLimits {
  /** Size of the `.crate` file itself (crates.io's default upload limit is 10 MB). */
  maxCompressedBytes: number;
  /** Bound on both the sum of declared entry sizes and the bytes actually inflated. */
  maxUnpackedBytes: number;
  maxEntries: number;
  /** Largest single file; defaults to maxUnpackedBytes. */
  maxEntryBytes?: number;
  /** Longest entry name in UTF-8 bytes, crate directory included. */
  maxPathLength?: number;
  /**
   * Largest Cargo.toml. It is always kept in memory, so a reader that bounds what it keeps
   * must bound it too; defaults to maxEntryBytes.
   */
  maxManifestBytes?: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_CRATE_LIMITS: CrateArchiveLimits = Object.freeze({
  maxCompressedBytes: 10 * MiB,
  maxUnpackedBytes: 512 * MiB,
  maxEntries: 20_000,
  maxEntryBytes: 512 * MiB,
  maxPathLength: 1024,
  maxManifestBytes: 512 * MiB,
});

export interface CrateFile {
  /** Relative to the `<name>-<version>/` directory, `/`-separated. */
  path: string;
  size: number;
  mode: number;
  /** The file's bytes, or null when `keep` said not to keep them. */
  data: Buffer | null;
  /** The first bytes of a file `keep` answered `{ head }` for (its data is null). */
  head?: Buffer;
  /** SHA-256 (hex) of the whole file, kept or not; only with the `hash` option. */
  sha256?: string;
}

export interface CrateArchive {
  /** `<name>-<version>` */
  prefix: string;
  /** Regular files, in archive order (directories are not listed). */
  files: CrateFile[];
  /** Cargo.toml, as packaged (cargo's normalized manifest). */
  manifestText: string;
  /** Sum of the files' sizes. */
  unpackedBytes: number;
}

export interface ReadCrateOptions {
  /**
   * When given, the crate directory must be exactly `${name}-${version}/` and Cargo.toml's
   * package.name / package.version must equal them.
   */
  expected?: { name: string; version: string };
  /**
   * Which files keep their bytes (default: all): all of them, none, or only the first `head`
   * bytes (in `head`; `data` is null). Asked in archive order, once per file, before its
   * bytes are read. Cargo.toml is always kept.
   */
  keep?: (path: string, size: number) => KeepDecision;
  /** Hash every file while it streams past (`sha256`), including those not kept. */
  hash?: boolean;
  limits?: Partial<CrateArchiveLimits>;
}

export type KeepDecision = boolean | { head: number };

export interface CrateEntryInput {
  /** Relative to the crate directory. */
  path: string;
  data: string | Buffer;
  mode?: number;
}

const BLOCK = 512;
// Bytes that may sit between the end of one entry's data and the next entry's header:
// pax and GNU long-name records (tar-stream caps each at 4 MiB) plus what is in flight
// between the inflater and the tar parser. More than this is padding or a bomb.
const MAX_GAP_BYTES = 16 * MiB;
const MANIFEST = 'Cargo.toml';

type ResolvedLimits = Required<CrateArchiveLimits>;

function resolveLimits(partial: Partial<CrateArchiveLimits> | undefined): ResolvedLimits {
  const merged = { ...DEFAULT_CRATE_LIMITS, ...partial };
  const maxUnpackedBytes = merged.maxUnpackedBytes;
  return {
    maxCompressedBytes: merged.maxCompressedBytes,
    maxUnpackedBytes,
    maxEntries: merged.maxEntries,
    maxEntryBytes: partial?.maxEntryBytes ?? maxUnpackedBytes,
    maxPathLength: merged.maxPathLength ?? 1024,
    maxManifestBytes: partial?.maxManifestBytes ?? partial?.maxEntryBytes ?? maxUnpackedBytes,
  };
}

function padded(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

// tar-stream's header as it really is: `type` is null for typeflags it does not know, and
// `byteOffset` (where the entry's data starts) is set on every header but not declared.
interface ParsedHeader extends Omit<Header, 'type' | 'pax'> {
  type: Header['type'] | null;
  pax?: Record<string, string> | null;
  byteOffset?: number;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The entry's name as UTF-8. Header names are decoded as latin1 (one char per byte) so the
 * raw bytes can be checked strictly; pax paths arrive already decoded by tar-stream, with
 * invalid bytes replaced by U+FFFD, so that character is refused there.
 */
function entryName(header: ParsedHeader): string {
  const paxPath = header.pax?.path;
  if (paxPath) {
    if (paxPath.includes('\uFFFD')) {
      throw new CrateArchiveError(
        'bad-path-encoding',
        `entry ${showPath(paxPath)} has a name that is not valid UTF-8`,
      );
    }
    return paxPath;
  }
  const raw = Buffer.from(header.name, 'latin1');
  try {
    return strictUtf8.decode(raw);
  } catch {
    throw new CrateArchiveError(
      'bad-path-encoding',
      `entry ${showPath(raw.toString('utf8'))} has a name that is not valid UTF-8`,
    );
  }
}

/**
 * A path that lies under a regular file (`a` is a file and `a/b` exists), or null. Sorted
 * order with a binary search keeps this O(n log n) even for deep hostile paths.
 */
function pathInsideAFile(kinds: Map<string, 'file' | 'directory'>): { path: string; file: string } | null {
  const sorted = [...kinds.keys()].sort();
  for (const [file, kind] of kinds) {
    if (kind !== 'file') continue;
    const under = `${file}/`;
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((sorted[mid] ?? '') < under) lo = mid + 1;
      else hi = mid;
    }
    const candidate = sorted[lo];
    if (candidate !== undefined && candidate.startsWith(under)) return { path: candidate, file };
  }
  return null;
}

function zlibError(err: Error & { code?: string }): CrateArchiveError {
  if (err.code === 'Z_BUF_ERROR') {
    return new CrateArchiveError(
      'truncated',
      'the compressed data ends too soon (incomplete upload or download?)',
    );
  }
  return new CrateArchiveError('bad-gzip', `the compressed data is corrupt (${err.message})`);
}

/** Reads and checks a `.crate` archive held in memory. Always settles; never writes files. */
export async function readCrateArchive(
  bytes: Buffer | Uint8Array,
  options: ReadCrateOptions = {},
): Promise<CrateArchive> {
  const input = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const limits = resolveLimits(options.limits);
  if (input.length > limits.maxCompressedBytes) {
    throw new CrateArchiveError(
      'too-large',
      `the .crate file is ${input.length} bytes, more than the limit of ${limits.maxCompressedBytes}`,
    );
  }
  const expectedPrefix = options.expected ? `${options.expected.name}-${options.expected.version}` : null;
  if (expectedPrefix !== null) checkPrefix(expectedPrefix);
  const headerLength = gzipHeaderLength(input);
  const keep = options.keep;

  return new Promise<CrateArchive>((resolve, reject) => {
    // Larger chunks and parser buffer than the defaults: fewer stream turns per MB, and the
    // in-flight amount stays far below MAX_GAP_BYTES.
    const inflate = createInflateRaw({ chunkSize: 256 * 1024 });
    // Names come through as latin1 (one char per byte) so entryName can check the raw bytes.
    const extract = createExtract({ filenameEncoding: 'latin1', highWaterMark: 1024 * 1024 } as Parameters<
      typeof createExtract
    >[0]);
    let settled = false;

    let inflated = 0;
    let crc = 0;
    // End (block-aligned) of the last entry's data the tar parser has announced.
    let knownEnd = 0;
    // Inflated bytes from knownEnd on, kept (as views, not copies) until the next header is
    // parsed, so the extension records in front of it can be checked; at most MAX_GAP_BYTES.
    const retained: Buffer[] = [];
    let retainedStart = 0;

    let entryCount = 0;
    let declaredBytes = 0;
    let prefix = expectedPrefix;
    const kinds = new Map<string, 'file' | 'directory'>();
    const files: CrateFile[] = [];
    let manifest: Buffer | null = null;
    const wrongCaseManifests: string[] = [];

    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      inflate.destroy();
      extract.destroy();
      reject(err);
    };

    const retain = (chunk: Buffer, start: number): void => {
      if (retained.length > 0) {
        retained.push(chunk);
        return;
      }
      const from = Math.max(start, knownEnd);
      if (from >= start + chunk.length) return;
      retainedStart = from;
      retained.push(chunk.subarray(from - start));
    };

    /** The retained bytes in [from, to), then everything before `to` is let go. */
    const takeRetained = (from: number, to: number): Buffer => {
      const parts: Buffer[] = [];
      let at = retainedStart;
      for (const piece of retained) {
        const lo = Math.max(from, at);
        const hi = Math.min(to, at + piece.length);
        if (lo < hi) parts.push(piece.subarray(lo - at, hi - at));
        at += piece.length;
      }
      while (retained.length > 0 && retainedStart + (retained[0]?.length ?? 0) <= to) {
        retainedStart += retained.shift()?.length ?? 0;
      }
      const first = retained[0];
      if (first !== undefined && retainedStart < to) {
        retained[0] = first.subarray(to - retainedStart);
        retainedStart = to;
      }
      return parts.length === 1 && parts[0] ? parts[0] : Buffer.concat(parts);
    };

    /** Checks one header before its body is read; returns whether to keep the body. */
    const admit = (
      header: ParsedHeader,
    ): { path: string; isFile: boolean; keepData: boolean; head: number } => {
      entryCount += 1;
      if (entryCount > limits.maxEntries) {
        throw new CrateArchiveError(
          'too-many-entries',
          `the archive has more than ${limits.maxEntries} entries`,
        );
      }
      const name = entryName(header);
      const size = header.size ?? 0;

      const byteOffset = header.byteOffset;
      if (typeof byteOffset !== 'number') throw new Error('tar-stream did not report the entry offset');
      const gap = takeRetained(knownEnd, byteOffset - BLOCK);
      if (gap.length !== byteOffset - BLOCK - knownEnd)
        throw new Error('lost track of the tar stream position');
      const dataEnd = byteOffset + padded(size);
      takeRetained(dataEnd, dataEnd);
      knownEnd = dataEnd;
      const extensions = checkEntryExtensions(gap, name);
      if (extensions.gnuLongName && header.pax?.path) {
        throw new CrateArchiveError(
          'bad-tar',
          `entry ${showPath(name)} has both a GNU long name and a pax path; tar readers disagree on which applies`,
        );
      }

      if (Buffer.byteLength(name) > limits.maxPathLength) {
        throw new CrateArchiveError(
          'path-too-long',
          `entry ${showPath(name)} has a path longer than ${limits.maxPathLength} bytes`,
        );
      }
      const parts = entryPathComponents(name);

      const type = header.type;
      if (type === 'symlink' || type === 'link') {
        throw new CrateArchiveError(
          'link',
          `entry ${showPath(name)} is a ${type === 'symlink' ? 'symbolic' : 'hard'} link; crates may contain only files and directories`,
        );
      }
      if (type !== 'file' && type !== 'directory') {
        throw new CrateArchiveError(
          'special-file',
          `entry ${showPath(name)} is a ${type ?? 'unknown-type'} entry; crates may contain only files and directories`,
        );
      }
      if (header.pax && Object.keys(header.pax).some((key) => key.startsWith('GNU.sparse'))) {
        throw new CrateArchiveError('special-file', `entry ${showPath(name)} is a sparse file`);
      }
      const isFile = type === 'file';
      if (isFile && name.endsWith('/')) {
        throw new CrateArchiveError('bad-path', `file entry ${showPath(name)} has a name ending in '/'`);
      }
      if (!isFile && size !== 0) {
        // tar-stream would parse a directory's "data" as further entries; cargo's reader skips it.
        throw new CrateArchiveError(
          'bad-tar',
          `directory entry ${showPath(name)} declares ${size} bytes of data`,
        );
      }
      if (size > limits.maxEntryBytes) {
        throw new CrateArchiveError(
          'too-large',
          `entry ${showPath(name)} is ${size} bytes, more than the limit of ${limits.maxEntryBytes} per file`,
        );
      }
      declaredBytes += size;
      if (declaredBytes > limits.maxUnpackedBytes) {
        throw new CrateArchiveError(
          'too-large',
          `the files add up to more than ${limits.maxUnpackedBytes} bytes unpacked`,
        );
      }

      const top = parts[0] ?? '';
      if (prefix === null) prefix = top;
      if (top !== prefix || (parts.length === 1 && isFile)) {
        throw new CrateArchiveError(
          'outside-prefix',
          `entry ${showPath(name)} is outside the crate directory ${showPath(`${prefix}/`)}`,
        );
      }
      const path = parts.slice(1).join('/');
      if (isFile && path === MANIFEST && kinds.get(MANIFEST) === 'file') {
        throw new CrateArchiveError(
          'manifest-duplicate',
          `the archive contains ${showPath(name)} more than once`,
        );
      }
      if (kinds.has(path)) {
        throw new CrateArchiveError(
          'duplicate-entry',
          `the archive contains ${showPath(name)} more than once`,
        );
      }
      kinds.set(path, isFile ? 'file' : 'directory');
      if (path !== MANIFEST && path.toLowerCase() === MANIFEST.toLowerCase()) wrongCaseManifests.push(path);

      if (isFile && path === MANIFEST && size > limits.maxManifestBytes) {
        throw new CrateArchiveError(
          'too-large',
          `Cargo.toml is ${size} bytes, more than the limit of ${limits.maxManifestBytes}`,
        );
      }
      const decision: KeepDecision = !isFile || path === MANIFEST || keep === undefined || keep(path, size);
      const keepData = isFile && decision === true;
      const head = typeof decision === 'object' ? Math.max(0, Math.min(size, Math.floor(decision.head))) : 0;
      return { path, isFile, keepData, head };
    };

    const finish = (): CrateArchive => {
      if (prefix === null || kinds.size === 0) {
        throw new CrateArchiveError('manifest-missing', 'the archive is empty; it must contain a Cargo.toml');
      }
      const inside = pathInsideAFile(kinds);
      if (inside) {
        throw new CrateArchiveError(
          'path-conflict',
          `entry ${showPath(`${prefix}/${inside.path}`)} is inside ${showPath(`${prefix}/${inside.file}`)}, which is a file`,
        );
      }
      const [wrongCase] = wrongCaseManifests;
      if (wrongCase !== undefined) {
        throw new CrateArchiveError(
          'manifest-case',
          manifest === null
            ? `the manifest is named ${showPath(wrongCase)}; it must be \`Cargo.toml\` exactly`
            : `the archive contains both \`Cargo.toml\` and ${showPath(wrongCase)}`,
        );
      }
      if (manifest === null) {
        throw new CrateArchiveError(
          'manifest-missing',
          `there is no \`${prefix}/Cargo.toml\` in the archive`,
        );
      }
      const manifestText = decodeManifest(manifest);
      const { name, version } = manifestIdentity(manifestText);
      if (options.expected && (name !== options.expected.name || version !== options.expected.version)) {
        throw new CrateArchiveError(
          'manifest-mismatch',
          `Cargo.toml declares ${name} ${version}, but the upload is for ${options.expected.name} ${options.expected.version}`,
        );
      }
      if (`${name}-${version}` !== prefix) {
        throw new CrateArchiveError(
          'manifest-mismatch',
          `Cargo.toml declares ${name} ${version}, which does not match the crate directory ${showPath(`${prefix}/`)}`,
        );
      }
      let unpackedBytes = 0;
      for (const file of files) unpackedBytes += file.size;
      return { prefix, files, manifestText, unpackedBytes };
    };

    // tar-stream may report 'finish' before the last entry's stream has ended, so the
    // archive is complete only when both have happened.
    let tarFinished = false;
    let openEntries = 0;
    const completeIfDone = (): void => {
      if (settled || !tarFinished || openEntries > 0) return;
      try {
        const archive = finish();
        settled = true;
        resolve(archive);
      } catch (err) {
        fail(err);
      }
    };
    extract.on('entry', (...[raw, stream, next]: ExtractEvents['entry']) => {
      // tar-stream destroys the entry stream with the archive's error; without a listener
      // that would surface as an uncaught exception.
      stream.on('error', () => {});
      if (settled) return;
      const header = raw as unknown as ParsedHeader;
      let admitted: ReturnType<typeof admit>;
      try {
        admitted = admit(header);
      } catch (err) {
        fail(err);
        return;
      }
      openEntries += 1;
      const size = header.size ?? 0;
      const chunks: Buffer[] = [];
      let received = 0;
      const hasher = options.hash && admitted.isFile ? createHash('sha256') : null;
      stream.on('data', (data: unknown) => {
        const chunk = data as Buffer;
        hasher?.update(chunk);
        if (admitted.keepData) chunks.push(chunk);
        else if (received < admitted.head) chunks.push(chunk.subarray(0, admitted.head - received));
        received += chunk.length;
      });
      stream.on('end', () => {
        if (settled) return;
        try {
          if (received !== size) throw new Error(`entry size mismatch: ${received} of ${size} bytes`);
          if (admitted.isFile) {
            // One copy into an exact-size buffer, so no file pins a larger zlib output slab.
            const data = admitted.keepData ? Buffer.concat(chunks, received) : null;
            if (admitted.path === MANIFEST) manifest = data;
            const file: CrateFile = { path: admitted.path, size, mode: (header.mode ?? 0) & 0o7777, data };
            if (admitted.head > 0) file.head = Buffer.concat(chunks, admitted.head);
            if (hasher) file.sha256 = hasher.digest('hex');
            files.push(file);
          }
        } catch (err) {
          fail(err);
          return;
        }
        openEntries -= 1;
        next();
        completeIfDone();
      });
    });

    extract.on('error', (err: Error) => {
      if (err.message === 'Unexpected end of data') {
        fail(
          entryCount === 0 && inflated < BLOCK
            ? new CrateArchiveError('bad-tar', 'the compressed data is not a tar archive')
            : new CrateArchiveError('truncated', 'the tar archive ends in the middle of an entry'),
        );
      } else if (err.message.startsWith('Invalid tar header. ')) {
        fail(new CrateArchiveError('bad-tar', 'a tar header is corrupt (its checksum does not match)'));
      } else {
        fail(new CrateArchiveError('bad-tar', `the tar data is invalid (${err.message})`));
      }
    });
    extract.on('finish', () => {
      tarFinished = true;
      completeIfDone();
    });
    extract.on('drain', () => {
      if (!settled) inflate.resume();
    });

    inflate.on('data', (chunk: Buffer) => {
      if (settled) return;
      try {
        const start = inflated;
        inflated += chunk.length;
        if (inflated > limits.maxUnpackedBytes) {
          throw new CrateArchiveError(
            'too-large',
            `it inflates to more than ${limits.maxUnpackedBytes} bytes (a decompression bomb?)`,
          );
        }
        crc = crc32(chunk, crc);
        retain(chunk, start);
        if (inflated - knownEnd > MAX_GAP_BYTES) {
          throw new CrateArchiveError(
            'too-large',
            `it holds more than ${MAX_GAP_BYTES} bytes of padding or headers outside any file (a decompression bomb?)`,
          );
        }
        if (!extract.write(chunk)) inflate.pause();
      } catch (err) {
        fail(err);
      }
    });
    inflate.on('end', () => {
      if (settled) return;
      try {
        checkGzipTrailer(input, headerLength + inflate.bytesWritten, crc, inflated);
      } catch (err) {
        fail(err);
        return;
      }
      extract.end(undefined);
    });
    inflate.on('error', (err: Error) => fail(zlibError(err)));

    inflate.end(input.subarray(headerLength));
  });
}

/**
 * A `.crate` as cargo would package it, deterministically: files sorted by path, fixed
 * mtime, uid/gid 0, no directory entries. Paths are checked with the reader's rules.
 */
export async function writeCrateArchive(prefix: string, entries: CrateEntryInput[]): Promise<Buffer> {
  checkPrefix(prefix);
  const seen = new Set<string>();
  const raw: RawTarEntry[] = [];
  for (const entry of entries) {
    if (entry.path.endsWith('/')) {
      throw new CrateArchiveError('bad-path', `file ${showPath(entry.path)} must not end with '/'`);
    }
    const path = entryPathComponents(entry.path).join('/');
    if (seen.has(path)) {
      throw new CrateArchiveError('duplicate-entry', `file ${showPath(path)} is given more than once`);
    }
    seen.add(path);
    raw.push({ name: `${prefix}/${path}`, data: entry.data, mode: entry.mode ?? 0o644 });
  }
  raw.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return writeRawTarGz(raw);
}
