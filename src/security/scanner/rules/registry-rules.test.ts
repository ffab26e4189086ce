import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { findingsOf, manifest, scanFiles, worst } from '../../../../test/fixtures/scanner/crates.js';
import { canonicalCrateName } from '../../../domain/crate-name.js';
import type { DependencyInfo, RegistryContext } from '../types.js';
import { isCompatibleUpdate } from './registry-rules.js';

const NOW = new Date('2026-08-21T00:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000).toISOString();
// The context is plain data (it crosses to scan worker threads): keyed by canonical name.
const deps = (table: Record<string, DependencyInfo>): Record<string, DependencyInfo> =>
  Object.fromEntries(Object.entries(table).map(([name, info]) => [canonicalCrateName(name), info]));

const ARRAYREF = {
  'Cargo.toml': manifest('arrayref-x', {
    version: '0.3.10',
    extra: '[dependencies]\nproc-macro-one = "1"\n',
  }),
  'src/lib.rs': '#[macro_export] macro_rules! array_ref { ($a:expr) => { &$a } }',
};

describe('registry rules', () => {
  it('registry.young-dependency: critical when new, young and unused', async () => {
    const ctx: RegistryContext = {
      now: NOW,
      previousVersion: { version: '0.3.9', hasBuildScript: false, dependencies: [], publisher: 'maint' },
      publisher: 'maint',
      dependencyInfo: deps({
        'proc-macro-one': { createdAt: daysAgo(2), dependents: 0, owners: ['someone'] },
      }),
    };
    const r = await scanFiles(ARRAYREF, ctx);
    expect(worst(r, 'registry.young-dependency')).toBe('critical');
    expect(r.verdict).toBe('critical');
    // The same dependency, old enough and already there before: nothing.
    const old = await scanFiles(ARRAYREF, {
      ...ctx,
      previousVersion: { ...ctx.previousVersion!, dependencies: ['proc-macro-one'] },
    });
    expect(findingsOf(old, 'registry.young-dependency')).toEqual([]);
  });

  it('registry.young-dependency: below the alert threshold for siblings, lower for first releases', async () => {
    const files = {
      'Cargo.toml': manifest('foo', { extra: '[dependencies]\nfoo-core = "1"\n' }),
      'src/lib.rs': 'pub use foo_core::*;',
    };
    const info = deps({ 'foo-core': { createdAt: daysAgo(1), dependents: 1, owners: ['alice'] } });
    const prev = { version: '0.9.0', hasBuildScript: false, dependencies: [], publisher: 'alice' };
    // Published by an owner of the dependency, or by someone else for the crate's owners.
    for (const ctx of [
      { publisher: 'alice', previousVersion: prev },
      { publisher: 'alice', previousVersion: null },
      { publisher: 'bob', owners: ['alice', 'bob'], previousVersion: prev },
    ]) {
      const sibling = await scanFiles(files, { now: NOW, dependencyInfo: info, ...ctx });
      expect(worst(sibling, 'registry.young-dependency'), JSON.stringify(ctx)).toBe('info');
      // Below medium, the scanner's alert threshold.
      expect(['clean', 'info', 'low'], JSON.stringify(ctx)).toContain(sibling.verdict);
    }
    // A sibling nothing uses is still noted, yet not raised.
    const unused = await scanFiles(
      { ...files, 'src/lib.rs': 'pub fn f() {}' },
      { now: NOW, publisher: 'alice', previousVersion: prev, dependencyInfo: info },
    );
    expect(worst(unused, 'registry.young-dependency')).toBe('low');
    // Someone else's young crate: raised, one level lower for a first release.
    const first = await scanFiles(files, {
      now: NOW,
      publisher: 'bob',
      previousVersion: null,
      dependencyInfo: info,
    });
    expect(worst(first, 'registry.young-dependency')).toBe('medium');
    const later = await scanFiles(files, {
      now: NOW,
      publisher: 'bob',
      owners: ['bob'],
      previousVersion: { ...prev, publisher: 'bob' },
      dependencyInfo: info,
    });
    expect(worst(later, 'registry.young-dependency')).toBe('high');
  });

  it('registry.unpopular-dependency: below the alert threshold for siblings', async () => {
    const ctx: RegistryContext = {
      now: NOW,
      publisher: 'm',
      previousVersion: { version: '0.3.9', hasBuildScript: false, dependencies: [], publisher: 'm' },
      dependencyInfo: deps({ 'proc-macro-one': { createdAt: daysAgo(400), dependents: 0, owners: ['m'] } }),
    };
    expect(worst(await scanFiles(ARRAYREF, ctx), 'registry.unpopular-dependency')).toBe('low');
  });

  it('registry.unpopular-dependency', async () => {
    const ctx: RegistryContext = {
      now: NOW,
      previousVersion: { version: '0.3.9', hasBuildScript: false, dependencies: [], publisher: 'm' },
      dependencyInfo: deps({ 'proc-macro-one': { createdAt: daysAgo(400), dependents: 0, owners: ['x'] } }),
    };
    expect(worst(await scanFiles(ARRAYREF, ctx), 'registry.unpopular-dependency')).toBe('high');
  });

  it('registry.flagged-dependency takes the dependency verdict', async () => {
    const r = await scanFiles(ARRAYREF, {
      now: NOW,
      dependencyInfo: deps({
        'proc-macro-one': { createdAt: daysAgo(900), dependents: 50, owners: ['x'], verdict: 'critical' },
      }),
    });
    expect(worst(r, 'registry.flagged-dependency')).toBe('critical');
    const clean = await scanFiles(ARRAYREF, {
      now: NOW,
      dependencyInfo: deps({
        'proc-macro-one': { createdAt: daysAgo(900), dependents: 50, owners: ['x'], verdict: 'medium' },
      }),
    });
    expect(findingsOf(clean, 'registry.flagged-dependency')).toEqual([]);
  });

  it('registry.build-script-added in a compatible update', async () => {
    const files = {
      'Cargo.toml': manifest('b', { version: '1.2.4', package: 'build = "build.rs"\n' }),
      'build.rs': 'fn main() { let _ = ureq::get("https://x.invalid/p").call(); }',
      'src/lib.rs': '',
    };
    const prev = { version: '1.2.3', hasBuildScript: false, dependencies: [], publisher: null };
    expect(
      worst(await scanFiles(files, { now: NOW, previousVersion: prev }), 'registry.build-script-added'),
    ).toBe('high');
    expect(
      findingsOf(
        await scanFiles(files, { now: NOW, previousVersion: { ...prev, version: '0.9.0' } }),
        'registry.build-script-added',
      ),
    ).toEqual([]);
    expect(isCompatibleUpdate('0.3.9', '0.3.10')).toBe(true);
    expect(isCompatibleUpdate('0.3.9', '0.4.0')).toBe(false);
    expect(isCompatibleUpdate('0.0.1', '0.0.2')).toBe(false);
    expect(isCompatibleUpdate('garbage', '1.0.0')).toBe(false);
  });

  it('registry.new-publisher: high for a fresh account', async () => {
    const files = { 'Cargo.toml': manifest('p'), 'src/lib.rs': '' };
    const prev = { version: '0.0.9', hasBuildScript: false, dependencies: [], publisher: 'old-maint' };
    expect(
      worst(
        await scanFiles(files, {
          now: NOW,
          previousVersion: prev,
          publisher: 'newbie',
          publisherFirstSeen: daysAgo(3),
        }),
        'registry.new-publisher',
      ),
    ).toBe('high');
    expect(
      worst(
        await scanFiles(files, {
          now: NOW,
          previousVersion: prev,
          publisher: 'veteran',
          publisherFirstSeen: daysAgo(3000),
        }),
        'registry.new-publisher',
      ),
    ).toBe('low');
    expect(
      findingsOf(
        await scanFiles(files, { now: NOW, previousVersion: prev, publisher: 'old-maint' }),
        'registry.new-publisher',
      ),
    ).toEqual([]);
  });

  it('registry.yank-then-publish: recent yanks only', async () => {
    const files = { 'Cargo.toml': manifest('y'), 'src/lib.rs': '' };
    const r = await scanFiles(files, {
      now: NOW,
      recentYanks: [
        { version: '0.0.9', yankedAt: daysAgo(1) },
        { version: '0.0.8', yankedAt: daysAgo(1) },
        { version: '0.0.1', yankedAt: daysAgo(90) },
        { version: 'x', yankedAt: 'not a date' },
      ],
    });
    expect(worst(r, 'registry.yank-then-publish')).toBe('high');
    expect(findingsOf(r, 'registry.yank-then-publish')[0]!.evidence).not.toContain('0.0.1');
  });

  it('registry.clone-of-popular: share of files identical to another crate', async () => {
    const a = 'pub fn add(a: i32, b: i32) -> i32 { a + b } // a popular, carefully written function\n';
    const b = 'pub fn sub(a: i32, b: i32) -> i32 { a - b } // another popular, carefully written one\n';
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    const ctx: RegistryContext = {
      now: NOW,
      popularFileHashes: { [sha(a)]: ['rust_decimal'], [sha(b)]: ['rust_decimal', 'rust-decimall'] },
    };
    const clone = await scanFiles(
      { 'Cargo.toml': manifest('rust-decimall'), 'src/lib.rs': a, 'src/sub.rs': b },
      ctx,
    );
    expect(worst(clone, 'registry.clone-of-popular')).toBe('high');
    expect(findingsOf(clone, 'registry.clone-of-popular')[0]!.evidence).toContain('rust_decimal');
    // The crate itself (same canonical name) is not a clone of itself.
    const self = await scanFiles(
      { 'Cargo.toml': manifest('rust_decimal'), 'src/lib.rs': a, 'src/sub.rs': b },
      ctx,
    );
    expect(findingsOf(self, 'registry.clone-of-popular')).toEqual([]);
  });

  describe('registry.clone', () => {
    const LIB = `//! Fixed-point decimals.
pub mod round;
pub struct Decimal { mantissa: i128, scale: u32 }

impl Decimal {
    pub fn new(mantissa: i128, scale: u32) -> Self {
        Decimal { mantissa, scale }
    }
    pub fn scale(&self) -> u32 {
        self.scale
    }
    pub fn mantissa(&self) -> i128 {
        self.mantissa
    }
}

impl Default for Decimal {
    fn default() -> Self {
        Decimal::new(0, 0)
    }
}
`;
    const ROUND = `use crate::Decimal;

impl Decimal {
    pub fn round_dp(&self, dp: u32) -> Decimal {
        if dp >= self.scale() {
            return Decimal::new(self.mantissa(), self.scale());
        }
        let factor = 10_i128.pow(self.scale() - dp);
        Decimal::new(self.mantissa() / factor, dp)
    }
}
`;
    const candidate: RegistryContext['cloneCandidate'] = {
      name: 'fixed_decimal',
      version: '1.4.2',
      reasons: ['lib-name'],
      sharedFiles: 1,
      sources: [
        { path: 'src/lib.rs', text: LIB },
        { path: 'src/round.rs', text: ROUND },
      ],
      truncated: false,
    };
    const ctx: RegistryContext = { now: NOW, cloneCandidate: candidate };
    const crate = (name: string, files: Record<string, string>, pkg = '') => ({
      'Cargo.toml': manifest(name, { package: pkg, extra: '[lib]\nname = "fixed_decimal"\n' }),
      ...files,
    });

    it('is high when a copied function gains a network call, with the function-level diff', async () => {
      const leaky = ROUND.replace(
        '        let factor',
        '        let _ = std::net::TcpStream::connect("192.0.2.10:443");\n        let factor',
      );
      const r = await scanFiles(crate('fixed-decimals', { 'src/lib.rs': LIB, 'src/round.rs': leaky }), ctx);
      const [f] = findingsOf(r, 'registry.clone');
      expect(f).toBeDefined();
      expect(f!.severity).toBe('high');
      expect([f!.file, f!.line]).toEqual(['src/round.rs', 4]);
      expect(f!.evidence).toContain(
        'clone of fixed_decimal@1.4.2: 4/5 functions identical, 1 changed, 0 added, 0 removed',
      );
      expect(f!.evidence).toContain('changed: Decimal::round_dp (src/round.rs:4) [gains network]');
      expect(f!.evidence).toContain('+let _ = std::net::TcpStream::connect("192.0.2.10:443");');
      expect(f!.evidence).toMatch(/--- fixed_decimal@1\.4\.2 src\/round\.rs Decimal::round_dp/);
    });

    it('is critical when the changed function runs unasked (a constructor)', async () => {
      const stealer = LIB.replace(
        '        Decimal { mantissa, scale }',
        '        let _ = std::env::var("AWS_SECRET_ACCESS_KEY");\n        Decimal { mantissa, scale }',
      );
      const r = await scanFiles(
        crate('fixed-decimals', { 'src/lib.rs': stealer, 'src/round.rs': ROUND }),
        ctx,
      );
      const [f] = findingsOf(r, 'registry.clone');
      expect(f!.severity).toBe('critical');
      expect(f!.evidence).toContain('Decimal::new (src/lib.rs:6) [gains env-secret]');
    });

    it('stays below high for a fork that renames, documents and adds harmless code', async () => {
      const documented = LIB.replace(
        '    pub fn scale',
        '    /// The number of decimal places.\n    pub fn scale',
      ).concat('\n/// Added by the fork.\npub fn is_zero(d: &Decimal) -> bool {\n    d.mantissa() == 0\n}\n');
      const files = {
        'src/lib.rs': documented,
        'src/round.rs': `// Reformatted.\n${ROUND.replace('dp: u32', 'dp : u32')}`,
      };
      const fork = await scanFiles(crate('decimal-plus', files), ctx);
      const [f] = findingsOf(fork, 'registry.clone');
      expect(f!.severity).toBe('medium');
      expect(f!.evidence).toContain('5/5 functions identical, 0 changed, 1 added');
      expect(f!.evidence).toContain('added: is_zero (src/lib.rs:');
      const declared = await scanFiles(
        crate('decimal-plus', files, 'description = "A fork of fixed_decimal with helpers"\n'),
        ctx,
      );
      expect(worst(declared, 'registry.clone')).toBe('low');
    });

    it('says nothing for an unrelated crate or the original itself', async () => {
      const other = {
        'src/lib.rs': 'pub struct Decimal;\nimpl Decimal { pub fn new() -> Self { Decimal } }\n',
      };
      expect(findingsOf(await scanFiles(crate('my-decimal', other), ctx), 'registry.clone')).toEqual([]);
      const self = await scanFiles(
        { 'Cargo.toml': manifest('fixed-decimal'), 'src/lib.rs': LIB, 'src/round.rs': ROUND },
        ctx,
      );
      expect(findingsOf(self, 'registry.clone')).toEqual([]);
      expect(structuredClone(ctx)).toEqual(ctx);
    });
  });

  it('takes a context that survives structured cloning (worker threads) unchanged', async () => {
    const ctx: RegistryContext = {
      now: NOW,
      previousVersion: { version: '0.3.9', hasBuildScript: false, dependencies: [], publisher: 'maint' },
      publisher: 'maint',
      dependencyInfo: deps({ 'Proc_Macro-One': { createdAt: daysAgo(2), dependents: 0, owners: ['x'] } }),
    };
    const cloned = structuredClone(ctx);
    expect(cloned).toEqual(ctx);
    // Looked up by canonical name, whatever the manifest's spelling.
    expect(worst(await scanFiles(ARRAYREF, cloned), 'registry.young-dependency')).toBe('critical');
  });

  it('runs no registry rule without a context', async () => {
    const r = await scanFiles(ARRAYREF);
    expect(r.findings.filter((f) => f.ruleId.startsWith('registry.'))).toEqual([]);
  });
});
