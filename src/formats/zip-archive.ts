// A small, bounded reader for .zip archives such as osv.dev's per-ecosystem `all.zip`:
// the central directory is authoritative, only stored and deflated entries are read, and
// every size is checked before anything is inflated, so a zip bomb fails on its declared
// sizes or on the output limit of inflateRawSync, never by exhausting memory.
import zlib from 'node:zlib';

export class ZipArchiveError extends Error {
  override name = 'ZipArchiveError';
}

export interface ZipLimits {
  /** Central directory entries (files and directories). */
  maxEntries: number;
  /** Uncompressed size of one entry. */
  maxEntryBytes: number;
  /** Uncompressed size of all entries read. */
  maxTotalBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 200_000,
  maxEntryBytes: 4 * 1024 * 1024,
  maxTotalBytes: 512 * 1024 * 1024,
};

export interface ZipEntry {
  name: string;
  data: Buffer;
}

/** An entry that was skipped, with why; the rest of the archive is still read. */
export interface ZipEntryProblem {
  name: string;
  message: string;
}

const EOCD_SIG = 0x06054b50;
const CDH_SIG = 0x02014b50;
const LFH_SIG = 0x04034b50;
const EOCD_MIN = 22;
const MAX_COMMENT = 0xffff;

function findEndOfCentralDirectory(buf: Buffer): number {
  const stop = Math.max(0, buf.length - EOCD_MIN - MAX_COMMENT);
  for (let i = buf.length - EOCD_MIN; i >= stop; i--) {
    if (buf.readUInt32LE(i) === EOCD_SIG && i + EOCD_MIN + buf.readUInt16LE(i + 20) === buf.length) return i;
  }
  throw new ZipArchiveError('not a zip archive (no end of central directory record)');
}

/**
 * Reads the entries whose name `accept` takes. Structural damage (no central directory,
 * ZIP64, offsets outside the file, too many entries, total size over the limit) throws
 * ZipArchiveError; a bad single entry (unsupported method, encryption, size over the limit,
 * corrupt data, CRC mismatch) is reported in `problems` and skipped.
 */
export function readZip(
  buf: Buffer,
  accept: (name: string) => boolean,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
): { entries: ZipEntry[]; problems: ZipEntryProblem[] } {
  if (buf.length < EOCD_MIN) throw new ZipArchiveError('not a zip archive (too short)');
  const eocd = findEndOfCentralDirectory(buf);
  const diskEntries = buf.readUInt16LE(eocd + 8);
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    throw new ZipArchiveError('ZIP64 archives are not supported');
  }
  if (buf.readUInt16LE(eocd + 4) !== 0 || diskEntries !== count) {
    throw new ZipArchiveError('multi-disk zip archives are not supported');
  }
  if (count > limits.maxEntries)
    throw new ZipArchiveError(`too many entries (${count}, max ${limits.maxEntries})`);
  if (cdOffset + cdSize > eocd) throw new ZipArchiveError('central directory lies outside the archive');

  const entries: ZipEntry[] = [];
  const problems: ZipEntryProblem[] = [];
  let total = 0;
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > cdOffset + cdSize || buf.readUInt32LE(p) !== CDH_SIG) {
      throw new ZipArchiveError(`central directory entry ${n} is truncated or corrupt`);
    }
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const compressedSize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const localOffset = buf.readUInt32LE(p + 42);
    const next = p + 46 + nameLen + extraLen + commentLen;
    if (next > cdOffset + cdSize) throw new ZipArchiveError(`central directory entry ${n} is truncated`);
    // Bit 11: UTF-8 names; otherwise CP437, of which the ASCII part is all that matters here.
    const name = buf.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLen);
    p = next;
    if (name.endsWith('/') || !accept(name)) continue;

    const skip = (message: string): void => {
      problems.push({ name, message });
    };
    if (compressedSize === 0xffffffff || size === 0xffffffff || localOffset === 0xffffffff) {
      skip('ZIP64 entries are not supported');
      continue;
    }
    if (flags & 0x1) {
      skip('encrypted entries are not supported');
      continue;
    }
    if (method !== 0 && method !== 8) {
      skip(`unsupported compression method ${method} (only stored and deflate)`);
      continue;
    }
    if (size > limits.maxEntryBytes) {
      skip(`entry is too large (${size} bytes, max ${limits.maxEntryBytes})`);
      continue;
    }
    if (total + size > limits.maxTotalBytes) {
      throw new ZipArchiveError(`archive expands to more than ${limits.maxTotalBytes} bytes`);
    }
    if (localOffset + 30 > cdOffset || buf.readUInt32LE(localOffset) !== LFH_SIG) {
      skip('local header is missing or outside the archive');
      continue;
    }
    const dataStart =
      localOffset + 30 + buf.readUInt16LE(localOffset + 26) + buf.readUInt16LE(localOffset + 28);
    if (dataStart + compressedSize > cdOffset) {
      skip('entry data lies outside the archive');
      continue;
    }
    const raw = buf.subarray(dataStart, dataStart + compressedSize);
    let data: Buffer;
    if (method === 0) {
      if (compressedSize !== size) {
        skip('stored entry with different compressed and uncompressed sizes');
        continue;
      }
      data = raw;
    } else {
      try {
        // One byte over the declared size is enough to tell that the declaration lied.
        data = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, size + 1) });
      } catch (e) {
        skip(
          (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE'
            ? 'entry inflates to more than its declared size'
            : `corrupt deflate data: ${(e as Error).message}`,
        );
        continue;
      }
    }
    if (data.length !== size) {
      skip(`entry inflates to ${data.length} bytes, declared ${size}`);
      continue;
    }
    if (zlib.crc32(data) !== crc) {
      skip('CRC-32 mismatch (corrupt entry)');
      continue;
    }
    total += size;
    entries.push({ name, data });
  }
  return { entries, problems };
}
