import { describe, expect, it } from 'vitest';
import { lockfilePackageLines } from './cargo-audit-sarif.js';

describe('lockfilePackageLines', () => {
  it('finds each [[package]] header line by name, version and source', () => {
    const text = [
      'version = 4', // 1
      '', // 2
      '[[package]]', // 3
      'name = "a"',
      'version = "0.1.0"',
      '',
      '[[package]]', // 7
      'name = "serde"',
      'version = "1.0.0"',
      'source = "registry+https://github.com/rust-lang/crates.io-index"',
      '',
      '[[package]]', // 12
      'name = "serde"',
      'version = "1.0.0"',
      'source = "git+https://example.com/serde#abc"',
      '',
      '[metadata]', // 17
      'name = "not-a-package"',
      'version = "9.9.9"',
    ].join('\n');
    const lines = lockfilePackageLines(text);
    expect(lines.get('a 0.1.0 ')).toBe(3);
    expect(lines.get('serde 1.0.0 registry+https://github.com/rust-lang/crates.io-index')).toBe(7);
    expect(lines.get('serde 1.0.0 git+https://example.com/serde#abc')).toBe(12);
    expect(lines.has('not-a-package 9.9.9 ')).toBe(false);
    expect(lockfilePackageLines('[[package]]\nname = "x"\n').size).toBe(0);
  });
});
