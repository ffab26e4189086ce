import { describe, expect, it } from 'vitest';
import { CrateArchiveError } from './crate-archive-error.js';
import { checkEntryExtensions, paxKeys, tarNumber } from './crate-tar-extensions.js';
import { encodeRawTar } from './crate-tar-writer.js';

describe('tarNumber', () => {
  it('reads octal fields however they are padded, and GNU base-256', () => {
    expect(tarNumber(Buffer.from('00000001750\0', 'latin1'))).toBe(0o1750);
    expect(tarNumber(Buffer.from('   1750 \0\0\0\0', 'latin1'))).toBe(0o1750);
    expect(tarNumber(Buffer.from('\0\0\0\0\0\0\0\0\0\0\0\0', 'latin1'))).toBe(0);
    const big = Buffer.alloc(12);
    big[0] = 0x80;
    big.writeUIntBE(2 ** 40 + 5, 6, 6);
    expect(tarNumber(big)).toBe(2 ** 40 + 5);
  });
});

describe('paxKeys', () => {
  it('lists the keys of well-formed records and stops at a malformed one', () => {
    expect(paxKeys(Buffer.from('12 path=abc\n11 size=42\n'))).toEqual(['path', 'size']);
    expect(paxKeys(Buffer.from('12 path=abc\nxx junk\n20 size=1\n'))).toEqual(['path']);
    expect(paxKeys(Buffer.from('99 path=abc\n'))).toEqual([]);
  });
});

describe('checkEntryExtensions', () => {
  it('accepts no records, one long name, or one pax header', () => {
    expect(checkEntryExtensions(Buffer.alloc(0), 'x')).toEqual({ gnuLongName: false, paxHeader: false });
    const long = encodeRawTar([{ name: '././@LongLink', typeflag: 'L', data: 'a/b.rs\0' }], {
      endMarker: false,
    });
    expect(checkEntryExtensions(long, 'a/b.rs')).toEqual({ gnuLongName: true, paxHeader: false });
  });

  it('refuses zero blocks, stray entry types and records cut short', () => {
    const refuse = (gap: Buffer) => {
      let caught: unknown = null;
      try {
        checkEntryExtensions(gap, 'x');
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(CrateArchiveError);
      return (caught as CrateArchiveError).code;
    };
    expect(refuse(Buffer.alloc(512))).toBe('bad-tar');
    expect(refuse(encodeRawTar([{ name: 'a/file.rs', data: 'x' }], { endMarker: false }))).toBe('bad-tar');
    const long = encodeRawTar([{ name: '././@LongLink', typeflag: 'L', data: 'a/b.rs\0' }], {
      endMarker: false,
    });
    expect(refuse(long.subarray(0, 700))).toBe('bad-tar');
  });
});
