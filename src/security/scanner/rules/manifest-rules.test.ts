import { describe, expect, it } from 'vitest';
import { findingsOf, manifest, scanFiles, worst } from '../../../../test/fixtures/scanner/crates.js';

describe('manifest rules', () => {
  it('manifest.build-network-deps', async () => {
    const r = await scanFiles({
      'Cargo.toml': manifest('m1', {
        package: 'build = "build.rs"\n',
        extra: '[build-dependencies]\nreqwest = "0.12"\ncc = "1"\n',
      }),
      'build.rs': 'fn main() {}',
      'src/lib.rs': '',
    });
    expect(findingsOf(r, 'manifest.build-network-deps').map((f) => [f.severity, f.evidence])).toEqual([
      ['info', 'reqwest'],
    ]);
    const none = await scanFiles({
      'Cargo.toml': manifest('m1', { extra: '[build-dependencies]\ncc = "1"\n' }),
      'src/lib.rs': '',
    });
    expect(findingsOf(none, 'manifest.build-network-deps')).toEqual([]);
  });

  it('manifest.proc-macro-network-deps', async () => {
    const r = await scanFiles({
      'Cargo.toml': manifest('m2', {
        extra: '[lib]\nproc-macro = true\n[dependencies]\nureq = "2"\nsyn = "2"\n',
      }),
      'src/lib.rs': '',
    });
    expect(worst(r, 'manifest.proc-macro-network-deps')).toBe('medium');
    const plain = await scanFiles({
      'Cargo.toml': manifest('m2', { extra: '[dependencies]\nureq = "2"\n' }),
      'src/lib.rs': '',
    });
    expect(worst(plain, 'manifest.proc-macro-network-deps')).toBeNull();
  });

  it('manifest.lib-name-mismatch', async () => {
    const r = await scanFiles({
      'Cargo.toml': manifest('serde_jsonn', { extra: '[lib]\nname = "serde_json"\n' }),
      'src/lib.rs': '',
    });
    expect(findingsOf(r, 'manifest.lib-name-mismatch')[0]!.evidence).toContain('serde_json');
    const same = await scanFiles({
      'Cargo.toml': manifest('my-crate', { extra: '[lib]\nname = "my_crate"\n' }),
      'src/lib.rs': '',
    });
    expect(findingsOf(same, 'manifest.lib-name-mismatch')).toEqual([]);
  });

  it('manifest.unused-dependency: by name, rename, optional and kind', async () => {
    const r = await scanFiles({
      'Cargo.toml': manifest('m3', {
        extra:
          '[dependencies]\nused-one = "1"\nunused-one = "1"\nrenamed = { package = "real-name", version = "1" }\nopt = { version = "1", optional = true }\n[dev-dependencies]\nnever = "1"\n',
      }),
      'src/lib.rs': 'pub use used_one::X; pub fn f() { renamed::go(); }',
    });
    expect(findingsOf(r, 'manifest.unused-dependency').map((f) => f.evidence)).toEqual(['unused-one']);
  });

  it('manifest.lenient-parse and manifest.missing', async () => {
    const odd = await scanFiles({
      'Cargo.toml': '[package]\nname = "m4"\nversion = "0.1.0"\nedition = 2021\n[dependencies]\nureq = "2"\n',
      'src/lib.rs': '',
    });
    expect(worst(odd, 'manifest.lenient-parse')).toBe('info');
    expect(odd.crate).toEqual({ name: 'm4', version: '0.1.0' });
    const bad = await scanFiles({ 'Cargo.toml': 'this is [not toml', 'src/lib.rs': 'fn main() {}' });
    expect(worst(bad, 'manifest.missing')).toBe('low');
    const none = await scanFiles({ 'src/lib.rs': '' });
    expect(worst(none, 'manifest.missing')).toBe('low');
  });
});
