// The blocks between one entry's data and the next entry's header: extension records
// (GNU long names, pax headers) that tar-stream folds into the next header, and zero blocks
// it skips. Readers disagree about these, and cargo's (the `tar` crate) is the one that
// unpacks the crate, so anything that would make the two see different files is refused:
// - a zero block ends the archive for cargo: nothing may follow it;
// - with both a GNU long name and a pax path, cargo takes the long name, tar-stream the pax;
// - two long names (or two pax headers) for one entry: cargo refuses, tar-stream takes the last;
// - a long name with bytes after its NUL: tar-stream stops at the NUL, cargo keeps them;
// - a pax global header setting a path or size: tar-stream applies it, cargo ignores it.
import { CrateArchiveError, showPath } from './crate-archive-error.js';

const BLOCK = 512;

export interface EntryExtensions {
  gnuLongName: boolean;
  paxHeader: boolean;
}

/** A tar numeric field: octal text (space/NUL padded), or GNU base-256 when the high bit is set. */
export function tarNumber(field: Buffer): number {
  const first = field[0] ?? 0;
  if (first & 0x80) {
    let value = first & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] ?? 0);
    return value;
  }
  const text = field.toString('latin1').replace(/^[ \0]+/, '');
  const end = text.search(/[ \0]/);
  const digits = end < 0 ? text : text.slice(0, end);
  return digits === '' ? 0 : parseInt(digits, 8);
}

/** Keys of pax records (`<length> <key>=<value>\n`), as far as they parse. */
export function paxKeys(data: Buffer): string[] {
  const keys: string[] = [];
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space < 0) break;
    const length = parseInt(data.toString('latin1', at, space), 10);
    if (!(length > 0) || at + length > data.length) break;
    const record = data.toString('utf8', space + 1, at + length);
    const eq = record.indexOf('=');
    if (eq < 0) break;
    keys.push(record.slice(0, eq));
    at += length;
  }
  return keys;
}

function padded(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

/**
 * Walks the extension records in `gap` (the bytes before the header of entry `name`) and
 * throws where cargo's tar reader and tar-stream would disagree about the entry.
 */
export function checkEntryExtensions(gap: Buffer, name: string): EntryExtensions {
  let gnuLongNames = 0;
  let paxHeaders = 0;
  let at = 0;
  while (at < gap.length) {
    const header = gap.subarray(at, at + BLOCK);
    if (header.length < BLOCK) {
      throw new CrateArchiveError(
        'bad-tar',
        `the extension headers before entry ${showPath(name)} are inconsistent`,
      );
    }
    if (header.every((byte) => byte === 0)) {
      throw new CrateArchiveError(
        'bad-tar',
        `entry ${showPath(name)} comes after the end-of-archive marker; cargo would not unpack it`,
      );
    }
    const size = tarNumber(header.subarray(124, 136));
    const data = gap.subarray(at + BLOCK, at + BLOCK + size);
    const typeflag = String.fromCharCode(header[156] ?? 0);
    if (typeflag === 'L') {
      gnuLongNames += 1;
      const nul = data.indexOf(0);
      if (nul >= 0 && data.subarray(nul).some((byte) => byte !== 0)) {
        throw new CrateArchiveError(
          'bad-path',
          `the long name of entry ${showPath(name)} contains a NUL byte`,
        );
      }
    } else if (typeflag === 'x') {
      paxHeaders += 1;
    } else if (typeflag === 'g') {
      const applied = paxKeys(data).find((key) => key === 'path' || key === 'linkpath' || key === 'size');
      if (applied !== undefined) {
        throw new CrateArchiveError(
          'bad-tar',
          `a pax global header sets \`${applied}\` before entry ${showPath(name)}; tar readers disagree on it`,
        );
      }
    } else if (typeflag !== 'K') {
      throw new CrateArchiveError('bad-tar', `unexpected tar record before entry ${showPath(name)}`);
    }
    at += BLOCK + padded(size);
  }
  if (at !== gap.length) {
    throw new CrateArchiveError(
      'bad-tar',
      `the extension headers before entry ${showPath(name)} are inconsistent`,
    );
  }
  if (gnuLongNames > 1 || paxHeaders > 1) {
    throw new CrateArchiveError(
      'bad-tar',
      `entry ${showPath(name)} has more than one long-name or pax record`,
    );
  }
  return { gnuLongName: gnuLongNames === 1, paxHeader: paxHeaders === 1 };
}
