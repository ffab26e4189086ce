import { execFile } from 'node:child_process';
import { SHARED_DATA } from '../../../test/support/paths.js';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CrateArchiveError, writeCrateArchive } from '../../formats/crate-archive.js';
import { bigCrate } from '../../../test/fixtures/scanner/big-crate.js';
import { findingsOf, manifest, testScanner } from '../../../test/fixtures/scanner/crates.js';
import { DEFAULT_SCAN_READ_LIMITS, readCrateForScan } from './read-crate.js';
import { Scanner } from './scanner.js';
import type { Finding, ScanReport } from './types.js';

const SAMPLES = join(SHARED_DATA, 'scanner-samples');
const MiB = 1024 * 1024;
const tmp = mkdtempSync(join(tmpdir(), 'ck-readscan-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
const unexamined = (r: ScanReport): Finding[] => findingsOf(r, 'archive.unexamined-content');
const withoutTime = (r: ScanReport) => ({ ...r, stats: { ...r.stats, ms: 0 } });

describe('bounded scan of a crate that unpacks to ~480 MiB', () => {
  it('keeps peak memory growth under 100 MB and reports what it did not read', async () => {
    const path = join(tmp, 'big-0.1.0.crate');
    writeFileSync(
      path,
      await bigCrate('big-0.1.0', { 'Cargo.toml': manifest('big'), 'src/lib.rs': 'pub fn ok() {}\n' }, [
        { path: 'data/zeros.bin', size: 470 * MiB, fill: Buffer.alloc(1) },
        { path: 'src/generated.rs', size: 10 * MiB, fill: 'pub const X: u32 = 1;\n' },
      ]),
    );
    // A child process, so the test runner's own heap does not blur the measurement.
    const child = fileURLToPath(
      new URL('../../../test/fixtures/scanner/scan-memory-child.ts', import.meta.url),
    );
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', child, path], {
      maxBuffer: 16 * MiB,
    });
    const out = JSON.parse(stdout) as {
      growth: number;
      report: Pick<ScanReport, 'verdict' | 'findings' | 'stats'>;
    };
    expect(out.growth).toBeLessThan(100 * MiB);
    const skipped = out.report.findings.filter((f) => f.ruleId === 'archive.unexamined-content');
    const text = skipped.map((f) => `${f.evidence} ${f.title}`).join('\n');
    expect(text).toContain('data/zeros.bin');
    expect(text).toContain('src/generated.rs');
    // Unread library code is suspicious, an unread data file is not.
    const code = skipped.find((f) => f.evidence.includes('src/generated.rs'))!;
    const data = skipped.find((f) => f.evidence.includes('data/zeros.bin'))!;
    expect(code.severity).toBe('medium');
    expect(data.severity).toBe('info');
    expect(out.report.stats.bytes).toBeGreaterThan(480 * MiB);
  }, 120_000);
});

describe('readCrateForScan', () => {
  it('reads each file once: small ones whole, big ones as a head, all hashed', async () => {
    const blob = Buffer.alloc(3 * MiB, 7);
    const bytes = await writeCrateArchive('r-0.1.0', [
      { path: 'Cargo.toml', data: manifest('r') },
      { path: 'src/lib.rs', data: 'pub fn ok() {}' },
      { path: 'assets/blob.bin', data: blob },
    ]);
    const c = await readCrateForScan(bytes);
    expect(c.prefix).toBe('r-0.1.0');
    expect(c.manifestText).toBe(manifest('r'));
    expect(c.unpackedBytes).toBe(manifest('r').length + 14 + blob.length);
    const byPath = new Map(c.files.map((f) => [f.path, f]));
    expect(byPath.get('src/lib.rs')).toMatchObject({ size: 14, sha256: sha('pub fn ok() {}') });
    expect(byPath.get('src/lib.rs')!.data!.toString()).toBe('pub fn ok() {}');
    const b = byPath.get('assets/blob.bin')!;
    expect(b.data).toBeNull();
    expect(b.sha256).toBe(sha(blob));
    expect(b.head!.length).toBe(DEFAULT_SCAN_READ_LIMITS.headBytes);
    expect(b.skipped).toMatch(/per-file/);
    expect(c.skipped).toEqual({ files: 1, bytes: blob.length });
  });

  it('stops keeping bytes once the per-crate budget is spent, and favours nothing by name', async () => {
    const files = Array.from({ length: 6 }, (_, i) => ({
      path: `src/m${i}.rs`,
      data: `// ${'x'.repeat(1000)}\n`,
    }));
    const bytes = await writeCrateArchive('b-0.1.0', [{ path: 'Cargo.toml', data: manifest('b') }, ...files]);
    const c = await readCrateForScan(bytes, { read: { maxCodeBytes: 3500 } });
    const kept = c.files.filter((f) => f.data !== null).map((f) => f.path);
    expect(kept).toEqual(['Cargo.toml', 'src/m0.rs', 'src/m1.rs', 'src/m2.rs']);
    const skipped = c.files.filter((f) => f.data === null);
    expect(skipped.every((f) => /per-crate/.test(f.skipped ?? ''))).toBe(true);
    expect(c.files.every((f) => typeof f.sha256 === 'string')).toBe(true);
  });

  it('refuses a manifest over its ceiling instead of holding it', async () => {
    const bytes = await writeCrateArchive('m-0.1.0', [
      { path: 'Cargo.toml', data: `${manifest('m')}# ${'x'.repeat(5000)}\n` },
    ]);
    await expect(readCrateForScan(bytes, { read: { maxManifestBytes: 4096 } })).rejects.toMatchObject({
      code: 'too-large',
    });
    await expect(readCrateForScan(Buffer.from('nope'))).rejects.toBeInstanceOf(CrateArchiveError);
  });
});

describe('Scanner.scanFiles', () => {
  it('gives the same report as scanCrateBytes on every sample crate', async () => {
    const s = await testScanner();
    const labels = JSON.parse(readFileSync(join(SAMPLES, 'labels.json'), 'utf8')) as { dir: string }[];
    for (const l of labels) {
      const bytes = readFileSync(join(SAMPLES, 'crates', `${l.dir}.crate`));
      const direct = await s.scanCrateBytes(bytes);
      const viaFiles = s.scanFiles(await readCrateForScan(bytes));
      expect(withoutTime(viaFiles), l.dir).toEqual(withoutTime(direct));
    }
  });

  it('rates unread content by what it is and where it runs', async () => {
    const s = await Scanner.create({ readLimits: { maxCodeFileBytes: 2000, maxDataFileBytes: 2000 } });
    const big = `// ${'x'.repeat(3000)}\n`;
    const scan = async (files: Record<string, string>, pkg = '') =>
      s.scanFiles(
        await readCrateForScan(
          await writeCrateArchive('u-0.1.0', [
            { path: 'Cargo.toml', data: manifest('u', { package: pkg }) },
            ...Object.entries(files).map(([path, data]) => ({ path, data })),
          ]),
          { read: { maxCodeFileBytes: 2000, maxDataFileBytes: 2000 } },
        ),
      );
    const build = await scan({ 'build.rs': big, 'src/lib.rs': '' }, 'build = "build.rs"\n');
    expect(unexamined(build).map((f) => f.severity)).toEqual(['high']);
    expect(unexamined(build)[0]!.evidence).toContain('build.rs');
    expect(build.verdict).toBe('high');
    const lib = await scan({ 'src/lib.rs': 'mod gen;', 'src/gen.rs': big });
    expect(unexamined(lib).map((f) => f.severity)).toEqual(['medium']);
    const test = await scan({ 'src/lib.rs': '', 'tests/big.rs': big });
    expect(unexamined(test).map((f) => f.severity)).toEqual(['low']);
    const data = await scan({ 'src/lib.rs': '', 'data/table.csv': 'a,b\n'.repeat(1000) });
    expect(unexamined(data).map((f) => f.severity)).toEqual(['info']);
    expect(data.verdict).toBe('clean');
    expect(unexamined(data)[0]!.evidence).toMatch(
      /data\/table\.csv \(4000 bytes, over the 2000 bytes per-file ceiling for other files\)/,
    );
  });

  it('still recognises an executable it only read the head of', async () => {
    const elf = Buffer.alloc(5000);
    elf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
    const c = await readCrateForScan(
      await writeCrateArchive('e-0.1.0', [
        { path: 'Cargo.toml', data: manifest('e') },
        { path: 'src/lib.rs', data: '' },
        { path: 'bin/tool', data: elf },
      ]),
      { read: { maxDataFileBytes: 1000 } },
    );
    const r = (await testScanner()).scanFiles(c);
    expect(findingsOf(r, 'archive.executable')).toHaveLength(1);
  });

  it('uses the reader hashes for the clone rule, so unread files count too', async () => {
    const shared = `pub fn shared() -> u32 { ${'1 + '.repeat(200)}1 }\n`;
    const c = await readCrateForScan(
      await writeCrateArchive('clone-0.1.0', [
        { path: 'Cargo.toml', data: manifest('clone') },
        { path: 'src/lib.rs', data: shared },
      ]),
      { read: { maxCodeFileBytes: 100 } },
    );
    expect(c.files.find((f) => f.path === 'src/lib.rs')!.data).toBeNull();
    const r = (await testScanner()).scanFiles(c, { popularFileHashes: { [sha(shared)]: ['serde'] } });
    expect(findingsOf(r, 'registry.clone-of-popular')).toHaveLength(1);
  });
});
