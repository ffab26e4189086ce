// Property-based tests of index lines (issue 15): a line serialised by formatIndexLine parses
// back (parseIndexFile, which the index reader uses) to the same line; and any JSON, any
// mutated line, yields either a reported bad line or a line of the declared shape, never a throw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeIndexLine, parseIndexFile } from '../formats/crates-index.js';
import { formatIndexLine, type IndexDependency, type IndexLine } from './index-line.js';

const word = fc.stringMatching(/^[a-zA-Z0-9_-]{1,12}$/);
const text = fc.string({ maxLength: 12 });
const features = fc.dictionary(fc.oneof(word, fc.constant('__proto__')), fc.array(text, { maxLength: 3 }), {
  maxKeys: 3,
});

const dep: fc.Arbitrary<IndexDependency> = fc
  .record(
    {
      name: word,
      req: text,
      features: fc.array(text, { maxLength: 3 }),
      optional: fc.boolean(),
      default_features: fc.boolean(),
      target: fc.option(text, { nil: null }),
      kind: fc.constantFrom('normal', 'build', 'dev'),
      registry: word,
      package: word,
    },
    { requiredKeys: ['name', 'req', 'features', 'optional', 'default_features', 'target', 'kind'] },
  )
  .map((d) => d as IndexDependency);

const line: fc.Arbitrary<IndexLine> = fc
  .record(
    {
      name: word,
      vers: word,
      deps: fc.array(dep, { maxLength: 3 }),
      cksum: fc.stringMatching(/^[0-9a-f]{0,64}$/),
      features,
      yanked: fc.boolean(),
      links: word,
      features2: features.filter((f) => Object.keys(f).length > 0),
      rust_version: word,
      pubtime: word,
    },
    { requiredKeys: ['name', 'vers', 'deps', 'cksum', 'features', 'yanked'] },
  )
  // formatIndexLine writes `v: 2` exactly when features2 is there.
  .map((l) => (l.features2 ? { ...l, v: 2 } : l));

function parseAll(text: string): { lines: IndexLine[]; bad: number } {
  let bad = 0;
  const lines = parseIndexFile('x/crate', text, () => bad++);
  return { lines, bad };
}

/** The declared shape of an IndexLine, checked field by field. */
function wellFormed(l: IndexLine): void {
  const strings = (xs: unknown) => Array.isArray(xs) && xs.every((x) => typeof x === 'string');
  const featureMap = (f: unknown) =>
    typeof f === 'object' && f !== null && !Array.isArray(f) && Object.values(f).every(strings);
  expect(typeof l.name).toBe('string');
  expect(typeof l.vers).toBe('string');
  expect(typeof l.cksum).toBe('string');
  expect(typeof l.yanked).toBe('boolean');
  expect(featureMap(l.features)).toBe(true);
  if (l.features2 !== undefined) expect(featureMap(l.features2)).toBe(true);
  for (const d of l.deps) {
    expect(typeof d.name).toBe('string');
    expect(typeof d.req).toBe('string');
    expect(strings(d.features)).toBe(true);
    expect(['normal', 'build', 'dev']).toContain(d.kind);
  }
}

describe('index lines (property)', () => {
  it('parse(format(line)) is line, one per line of a crate file', () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 4 }), (lines) => {
        const parsed = parseAll(lines.map(formatIndexLine).join('\n') + '\n');
        expect(parsed.bad).toBe(0);
        expect(parsed.lines).toEqual(lines);
        // And serialising again gives the same text.
        expect(parsed.lines.map(formatIndexLine)).toEqual(lines.map(formatIndexLine));
      }),
      { numRuns: 200 },
    );
  });

  it('any JSON value is either refused with a message or a well-formed line', () => {
    const anyLine = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      // A real line with one field replaced by any JSON value.
      fc
        .tuple(
          line,
          fc.constantFrom('deps', 'features', 'features2', 'name', 'cksum', 'v', 'links'),
          fc.jsonValue({ maxDepth: 2 }),
        )
        .map(([l, k, v]) => ({ ...JSON.parse(formatIndexLine(l)), [k]: v }) as unknown),
      fc.tuple(line, fc.jsonValue({ maxDepth: 2 })).map(([l, v]) => {
        const o = JSON.parse(formatIndexLine(l)) as { features: Record<string, unknown> };
        o.features = { ...o.features, f: v };
        return o as unknown;
      }),
    );
    fc.assert(
      fc.property(anyLine, (value) => {
        const r = normalizeIndexLine(value);
        if (typeof r !== 'string') wellFormed(r);
      }),
      { numRuns: 400 },
    );
  });

  it('refuses features whose values are not lists of strings (found by the property above)', () => {
    const base = { name: 'a', vers: '1.0.0', deps: [], cksum: '', yanked: false };
    expect(normalizeIndexLine({ ...base, features: { f: {} } })).toMatch(/`features` must be/);
    expect(normalizeIndexLine({ ...base, features: { f: [1] } })).toMatch(/`features` must be/);
    expect(normalizeIndexLine({ ...base, features: {}, features2: { g: 'dep:x' } })).toMatch(
      /`features2` must be/,
    );
  });

  it('mutated crate files never throw: each line is parsed or reported', () => {
    fc.assert(
      fc.property(
        fc.array(line, { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom('"', '{', '}', ',', '\n', '[', '0', 'x', '\\')), {
          maxLength: 4,
        }),
        (lines, edits) => {
          const chars = [...lines.map(formatIndexLine).join('\n')];
          for (const [at, c] of edits) chars[at % chars.length] = c;
          const parsed = parseAll(chars.join(''));
          parsed.lines.forEach(wellFormed);
        },
      ),
      { numRuns: 300 },
    );
  });
});
