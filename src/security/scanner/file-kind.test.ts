import { describe, expect, it } from 'vitest';
import { fakeElf, fakePe } from '../../../test/fixtures/scanner/crates.js';
import { byteEntropy, executableFormat, isKnownContainer, looksLikeText } from './file-kind.js';

describe('file kinds', () => {
  it('recognises executables by magic bytes', () => {
    expect(executableFormat(fakeElf())).toBe('elf');
    expect(executableFormat(fakePe())).toBe('pe');
    const macho = Buffer.alloc(64);
    macho.writeUInt32BE(0xcffaedfe, 0);
    expect(executableFormat(macho)).toBe('mach-o');
    const fat = Buffer.alloc(64);
    fat.writeUInt32BE(0xcafebabe, 0);
    fat.writeUInt32BE(2, 4);
    expect(executableFormat(fat)).toBe('mach-o');
  });

  it('does not mistake look-alikes for executables', () => {
    expect(
      executableFormat(
        Buffer.from('MZ is how this README starts, and it goes on for a while here.'.repeat(2)),
      ),
    ).toBeNull();
    const java = Buffer.alloc(64);
    java.writeUInt32BE(0xcafebabe, 0);
    java.writeUInt32BE(0x00000034, 4); // class file version 52
    expect(executableFormat(java)).toBeNull();
    expect(executableFormat(Buffer.from([0x7f, 0x45]))).toBeNull();
    // A truncated PE whose header offset points past the end.
    const pe = fakePe();
    expect(executableFormat(pe.subarray(0, 100))).toBeNull();
  });

  it('knows compressed and media formats, and text', () => {
    expect(isKnownContainer(Buffer.from([0x1f, 0x8b, 8, 0]), 'x')).toBe(true);
    expect(isKnownContainer(Buffer.from([0x89, 0x50, 0x4e, 0x47]), 'x')).toBe(true);
    expect(isKnownContainer(Buffer.from([1, 2, 3, 4]), 'data.bin')).toBe(false);
    expect(looksLikeText(Buffer.from('fn main() {}\n'))).toBe(true);
    expect(looksLikeText(Buffer.from([0, 1, 2]))).toBe(false);
    expect(looksLikeText(Buffer.alloc(0))).toBe(true);
    expect(byteEntropy(Buffer.alloc(1000, 7))).toBe(0);
  });
});
