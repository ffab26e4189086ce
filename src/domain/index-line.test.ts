import { describe, expect, it } from 'vitest';
import { formatIndexLine, splitFeatures } from './index-line.js';
import type { IndexDependency, IndexLine } from './index-line.js';

const SUM = '0123456789abcdef'.repeat(4);

const depOf = (partial: Partial<IndexDependency> & { name: string }): IndexDependency => ({
  req: '^1',
  features: [],
  optional: false,
  default_features: true,
  target: null,
  kind: 'normal',
  ...partial,
});

const line = (partial: Partial<IndexLine> = {}): IndexLine => ({
  name: 'demo',
  vers: '1.0.0',
  deps: [],
  cksum: SUM,
  features: {},
  yanked: false,
  ...partial,
});

describe('formatIndexLine', () => {
  it("writes cargo's fields in cargo's order", () => {
    const text = formatIndexLine(
      line({
        deps: [
          depOf({ name: 'serde', features: ['derive'], optional: true, target: 'cfg(unix)', kind: 'dev' }),
        ],
        features: { default: ['serde'] },
      }),
    );
    expect(Object.keys(JSON.parse(text))).toEqual(['name', 'vers', 'deps', 'cksum', 'features', 'yanked']);
    expect(JSON.parse(text).deps[0]).toEqual({
      name: 'serde',
      req: '^1',
      features: ['derive'],
      optional: true,
      default_features: true,
      target: 'cfg(unix)',
      kind: 'dev',
    });
    expect(Object.keys(JSON.parse(text).deps[0])).toEqual([
      'name',
      'req',
      'features',
      'optional',
      'default_features',
      'target',
      'kind',
    ]);
    expect(text).not.toContain('\n');
  });

  it('writes registry and package only when set', () => {
    const parsed = JSON.parse(
      formatIndexLine(
        line({
          deps: [
            depOf({ name: 'rc', package: 'rand_core', registry: 'https://other.example/index' }),
            depOf({ name: 'plain', package: null, registry: null }),
          ],
        }),
      ),
    );
    expect(parsed.deps[0].package).toBe('rand_core');
    expect(parsed.deps[0].registry).toBe('https://other.example/index');
    expect(Object.keys(parsed.deps[0]).slice(-2)).toEqual(['registry', 'package']);
    expect('package' in parsed.deps[1]).toBe(false);
    expect('registry' in parsed.deps[1]).toBe(false);
  });

  it('writes links, rust_version and pubtime only when present', () => {
    const bare = JSON.parse(formatIndexLine(line({ links: null, rust_version: null })));
    expect(Object.keys(bare)).toEqual(['name', 'vers', 'deps', 'cksum', 'features', 'yanked']);
    const full = JSON.parse(
      formatIndexLine(
        line({ links: 'z', rust_version: '1.70', pubtime: '2024-01-01T00:00:00Z', yanked: true }),
      ),
    );
    expect(full).toMatchObject({
      links: 'z',
      rust_version: '1.70',
      pubtime: '2024-01-01T00:00:00Z',
      yanked: true,
    });
    expect(Object.keys(full)).toEqual([
      'name',
      'vers',
      'deps',
      'cksum',
      'features',
      'yanked',
      'links',
      'rust_version',
      'pubtime',
    ]);
  });

  it('marks lines with features2 as v2 and leaves v1 lines unmarked', () => {
    const v2 = JSON.parse(formatIndexLine(line({ features2: { serde: ['dep:serde'] } })));
    expect(v2.features2).toEqual({ serde: ['dep:serde'] });
    expect(v2.v).toBe(2);
    const empty = JSON.parse(formatIndexLine(line({ features2: {}, v: 1 })));
    expect('features2' in empty).toBe(false);
    expect('v' in empty).toBe(false);
    expect(JSON.parse(formatIndexLine(line({ v: 3 }))).v).toBe(3);
  });

  it('round-trips through JSON.parse', () => {
    const l = line({ deps: [depOf({ name: 'a' })], features: { x: [] }, links: 'l' });
    expect(JSON.parse(formatIndexLine(l))).toEqual(l);
  });

  it('escapes hostile strings so the line stays one JSON line', () => {
    const text = formatIndexLine(line({ name: 'x"\n}', features: { 'a\u2028b': ['"'] } }));
    expect(text.split('\n')).toHaveLength(1);
    expect(JSON.parse(text).name).toBe('x"\n}');
  });
});

describe('splitFeatures', () => {
  it('moves features using dep: or ?/ syntax to features2', () => {
    expect(
      splitFeatures({
        default: ['std'],
        std: [],
        serde: ['dep:serde'],
        weak: ['serde?/std'],
        strong: ['serde/std'],
        mixed: ['std', 'dep:rand'],
      }),
    ).toEqual({
      features: { default: ['std'], std: [], strong: ['serde/std'] },
      features2: { serde: ['dep:serde'], weak: ['serde?/std'], mixed: ['std', 'dep:rand'] },
    });
  });

  it('returns empty maps for no features', () => {
    expect(splitFeatures({})).toEqual({ features: {}, features2: {} });
  });

  it('keeps a feature named __proto__ as an ordinary key', () => {
    const { features, features2 } = splitFeatures({ ['__proto__']: ['a'], constructor: ['dep:b'] });
    expect(Object.keys(features)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(features)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(features))).toEqual(JSON.parse('{"__proto__":["a"]}'));
    expect(Object.keys(features2)).toEqual(['constructor']);
  });
});
