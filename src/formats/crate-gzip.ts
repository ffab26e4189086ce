// Gzip framing (RFC 1952) around the deflate stream of a `.crate`. The reader parses the
// header and trailer itself and inflates the body raw, so it knows exactly where the first
// gzip member ends: cargo and crates.io (flate2's GzDecoder) read only that member, and
// node's gunzip would silently go on into a second one, so bytes after it are refused.
import { crc32 } from 'node:zlib';
import { CrateArchiveError } from './crate-archive-error.js';

const FTEXT = 0x01;
const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const KNOWN_FLAGS = FTEXT | FHCRC | FEXTRA | FNAME | FCOMMENT;

function truncated(): CrateArchiveError {
  return new CrateArchiveError('truncated', 'the gzip header is cut short (incomplete upload or download?)');
}

/** Length of the gzip member header at the start of `input`; throws unless it is a valid one. */
export function gzipHeaderLength(input: Buffer): number {
  if (input.length === 0) {
    throw new CrateArchiveError('truncated', 'the file is empty');
  }
  if (input[0] !== 0x1f || (input.length > 1 && input[1] !== 0x8b)) {
    throw new CrateArchiveError('bad-gzip', 'not a gzip file (a .crate must be a gzip-compressed tar)');
  }
  if (input.length < 10) throw truncated();
  if (input[2] !== 8) {
    throw new CrateArchiveError(
      'bad-gzip',
      `unsupported gzip compression method ${input[2]} (only deflate is valid)`,
    );
  }
  const flags = input[3] ?? 0;
  if ((flags & ~KNOWN_FLAGS) !== 0) {
    throw new CrateArchiveError('bad-gzip', 'the gzip header has reserved flags set');
  }
  let at = 10;
  if (flags & FEXTRA) {
    if (input.length < at + 2) throw truncated();
    at += 2 + input.readUInt16LE(at);
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (flags & flag) {
      const end = input.indexOf(0, at);
      if (end < 0) throw truncated();
      at = end + 1;
    }
  }
  if (flags & FHCRC) {
    if (input.length < at + 2) throw truncated();
    if ((crc32(input.subarray(0, at)) & 0xffff) !== input.readUInt16LE(at)) {
      throw new CrateArchiveError('bad-gzip', 'the gzip header checksum does not match');
    }
    at += 2;
  }
  if (input.length < at) throw truncated();
  return at;
}

/**
 * Checks the 8-byte trailer that follows the deflate stream ending at `deflateEnd` (CRC-32
 * and length of the inflated data), and that nothing but zero padding follows it.
 */
export function checkGzipTrailer(
  input: Buffer,
  deflateEnd: number,
  crc: number,
  inflatedBytes: number,
): void {
  if (input.length < deflateEnd + 8) {
    throw new CrateArchiveError('truncated', 'the gzip trailer is missing (incomplete upload or download?)');
  }
  if (
    input.readUInt32LE(deflateEnd) !== crc >>> 0 ||
    input.readUInt32LE(deflateEnd + 4) !== inflatedBytes % 2 ** 32
  ) {
    throw new CrateArchiveError(
      'bad-gzip',
      'the gzip checksum does not match the data (the file is corrupted)',
    );
  }
  const rest = input.subarray(deflateEnd + 8);
  if (rest.some((byte) => byte !== 0)) {
    throw new CrateArchiveError(
      'bad-gzip',
      'unexpected data after the end of the gzip stream (cargo reads only the first gzip member)',
    );
  }
}
