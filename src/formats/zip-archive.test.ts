import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildZip } from '../../test/support/archive-builders.js';
import { DEFAULT_ZIP_LIMITS, ZipArchiveError, readZip } from './zip-archive.js';

const all = (): boolean => true;

function zipError(buf: Buffer, limits = DEFAULT_ZIP_LIMITS): string {
  try {
    readZip(buf, all, limits);
  } catch (e) {
    expect(e).toBeInstanceOf(ZipArchiveError);
    return (e as Error).message;
  }
  throw new Error('expected the zip to be rejected');
}

describe('readZip', () => {
  it('reads stored and deflated entries that the filter accepts', () => {
    const zip = buildZip([
      { name: 'RUSTSEC-2024-0001.json', data: '{"id": 1}', method: 8 },
      { name: 'GHSA-aaaa-bbbb-cccc.json', data: '{"id": 2}', method: 0 },
      { name: 'dir/', data: '' },
      { name: 'notes.txt', data: 'skip me' },
    ]);
    const out = readZip(zip, (n) => n.endsWith('.json'));
    expect(out.entries.map((e) => [e.name, e.data.toString()])).toEqual([
      ['RUSTSEC-2024-0001.json', '{"id": 1}'],
      ['GHSA-aaaa-bbbb-cccc.json', '{"id": 2}'],
    ]);
    expect(out.problems).toEqual([]);
  });

  it('reads the zip that Info-ZIP writes', async () => {
    const { execFileSync } = await import('node:child_process');
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-zip-'));
    try {
      fs.writeFileSync(path.join(dir, 'RUSTSEC-2024-0001.json'), JSON.stringify({ big: 'x'.repeat(10_000) }));
      execFileSync('zip', ['-q', '-z', 'all.zip', 'RUSTSEC-2024-0001.json'], {
        cwd: dir,
        input: 'a comment\n',
      });
      const out = readZip(fs.readFileSync(path.join(dir, 'all.zip')), all);
      expect(out.entries).toHaveLength(1);
      expect(JSON.parse(out.entries[0]!.data.toString()).big).toHaveLength(10_000);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('skips bad entries with a reason and keeps the others', () => {
    const data = Buffer.from('hello world '.repeat(100));
    const zip = buildZip([
      { name: 'crc.json', data, crc: 12345 },
      { name: 'lzma.json', data, method: 14 },
      { name: 'secret.json', data, flags: 0x801 },
      { name: 'liar.json', data, declaredSize: 100 },
      { name: 'short.json', data, declaredSize: data.length + 100 },
      { name: 'ok.json', data },
    ]);
    const out = readZip(zip, all);
    expect(out.entries.map((e) => e.name)).toEqual(['ok.json']);
    expect(Object.fromEntries(out.problems.map((p) => [p.name, p.message]))).toEqual({
      'crc.json': expect.stringMatching(/CRC-32 mismatch/),
      'lzma.json': expect.stringMatching(/unsupported compression method 14/),
      'secret.json': expect.stringMatching(/encrypted/),
      'liar.json': expect.stringMatching(/more than its declared size/),
      'short.json': expect.stringMatching(/inflates to \d+ bytes, declared/),
    });
  });

  it('refuses zip bombs by declared size and by total size', () => {
    // 16 MiB of zeros deflates to ~16 KB.
    const zeros = Buffer.alloc(16 * 1024 * 1024);
    const bomb = buildZip([{ name: 'RUSTSEC-2024-0001.json', data: zeros }]);
    expect(bomb.length).toBeLessThan(100_000);
    const out = readZip(bomb, all, { ...DEFAULT_ZIP_LIMITS, maxEntryBytes: 1024 * 1024 });
    expect(out.entries).toEqual([]);
    expect(out.problems[0]!.message).toMatch(/too large/);
    // The same data referenced by many central-directory entries (an overlapping-entry bomb).
    const one = buildZip([{ name: 'a.json', data: Buffer.alloc(512 * 1024) }]);
    const eocd = one.length - 22;
    const cdOffset = one.readUInt32LE(eocd + 16);
    const cd = one.subarray(cdOffset, eocd);
    const copies = 64;
    const end = Buffer.from(one.subarray(eocd));
    end.writeUInt16LE(copies, 8);
    end.writeUInt16LE(copies, 10);
    end.writeUInt32LE(cd.length * copies, 12);
    const overlapping = Buffer.concat([
      one.subarray(0, cdOffset),
      ...Array.from({ length: copies }, () => cd),
      end,
    ]);
    expect(zipError(overlapping, { ...DEFAULT_ZIP_LIMITS, maxTotalBytes: 8 * 1024 * 1024 })).toMatch(
      /expands to more than/,
    );
  });

  it('refuses what is not a readable zip', () => {
    expect(zipError(Buffer.from('PK'))).toMatch(/too short/);
    expect(zipError(Buffer.alloc(100))).toMatch(/no end of central directory/);
    const zip = buildZip([{ name: 'a.json', data: 'x' }]);
    expect(zipError(zip.subarray(0, zip.length - 5))).toMatch(/no end of central directory/);
    const badCd = Buffer.from(zip);
    badCd.writeUInt32LE(0x99999999, badCd.length - 22 - 46 - 6);
    expect(zipError(badCd)).toMatch(/central directory entry 0/);
    const outside = Buffer.from(zip);
    outside.writeUInt32LE(0x7fffffff, outside.length - 22 + 16);
    expect(zipError(outside)).toMatch(/outside the archive/);
    const zip64 = Buffer.from(zip);
    zip64.writeUInt32LE(0xffffffff, zip64.length - 22 + 16);
    expect(zipError(zip64)).toMatch(/ZIP64/);
    const many = buildZip(Array.from({ length: 20 }, (_, i) => ({ name: `${i}.json`, data: 'x' })));
    expect(zipError(many, { ...DEFAULT_ZIP_LIMITS, maxEntries: 10 })).toMatch(/too many entries/);
    expect(zlib.crc32('x')).toBeTypeOf('number');
  });
});
