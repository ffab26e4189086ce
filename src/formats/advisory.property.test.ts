// Property-based tests of advisories (issue 15): an advisory built from generated fields reads
// back from its RustSec Markdown and from its OSV JSON; the affected ranges computed from
// `patched`/`unaffected` agree with the requirements themselves on every release; and any
// mutation of either file fails only with AdvisoryFormatError.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatVersion, type Version } from '../domain/semver.js';
import { matchesReq, parseVersionReq } from '../domain/version-req.js';
import type { Advisory } from '../security/advisories/advisory.js';
import { formatRange, isVersionAffected, mergeRanges } from '../security/advisories/ranges.js';
import {
  AdvisoryFormatError,
  buildAdvisory,
  formatAdvisoryMarkdown,
  parseAdvisoryMarkdown,
  type AdvisoryFields,
} from './advisory-markdown.js';
import { formatOsvJson, parseOsvAdvisory } from './advisory-osv.js';

const ident = fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}$/);
const small = fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3)).map(([a, b, c]) => `${a}.${b}.${c}`);
const req = fc.oneof(
  fc.tuple(fc.constantFrom('>=', '<', '>', '<=', '=', '^', '~'), small).map(([op, v]) => `${op} ${v}`),
  fc.tuple(small, small).map(([a, b]) => `>= ${a}, < ${b}`),
);
const line = fc.stringMatching(/^[A-Za-z0-9 ,.:()'`-]{1,40}$/).filter((s) => s.trim() === s && s.length > 0);
const date = fc
  .tuple(
    fc.integer({ min: 2015, max: 2030 }),
    fc.integer({ min: 1, max: 12 }),
    fc.integer({ min: 1, max: 28 }),
  )
  .map(([y, m, d]) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);

const fieldsArb: fc.Arbitrary<AdvisoryFields> = fc.record({
  id: fc
    .tuple(fc.integer({ min: 2016, max: 2030 }), fc.integer({ min: 1, max: 9999 }))
    .map(([y, n]) => `RUSTSEC-${y}-${String(n).padStart(4, '0')}`),
  package: ident,
  title: line,
  description: fc.array(line, { minLength: 1, maxLength: 3 }).map((ls) => ls.join('\n\n')),
  date,
  aliases: fc.uniqueArray(
    fc
      .tuple(fc.integer({ min: 2000, max: 2030 }), fc.integer({ min: 1000, max: 99999 }))
      .map(([y, n]) => `CVE-${y}-${n}`),
    { maxLength: 2 },
  ),
  categories: fc.uniqueArray(fc.constantFrom('code-execution', 'denial-of-service', 'memory-corruption'), {
    maxLength: 2,
  }),
  keywords: fc.uniqueArray(ident, { maxLength: 3 }),
  informational: fc.constantFrom(null, 'unsound', 'unmaintained'),
  references: fc.uniqueArray(
    ident.map((s) => `https://x.example/${s}`),
    { maxLength: 2 },
  ),
  withdrawn: fc.option(date, { nil: null }),
  patched: fc.array(req, { maxLength: 2 }),
  unaffected: fc.array(req, { maxLength: 1 }),
});

/** The advisory for these fields, or null when they are rejected (overlapping ranges…). */
function build(fields: AdvisoryFields): Advisory | null {
  try {
    return buildAdvisory(fields, { database: 'prop' });
  } catch (e) {
    expect(e).toBeInstanceOf(AdvisoryFormatError);
    return null;
  }
}

const origin = (a: Advisory) => ({ collection: 'crates' as const, database: 'prop', file: a.origin.file });

const release: fc.Arbitrary<Version> = fc
  .tuple(fc.nat(4), fc.nat(4), fc.nat(4))
  .map(([major, minor, patch]) => ({ major, minor, patch, pre: [], build: [] }));

function mutate(doc: string, edits: [number, string][], cut: number | null): string {
  const chars = [...doc];
  for (const [at, c] of edits) chars[at % chars.length] = c;
  const out = chars.join('');
  return cut === null ? out : out.slice(0, cut % (out.length + 1));
}
const edits = fc.array(
  fc.tuple(fc.nat(), fc.constantFrom('"', '[', ']', '=', '\n', '`', '#', '{', '}', ',', '1', 'x', ':')),
  {
    maxLength: 4,
  },
);
const cut = fc.option(fc.nat(), { nil: null });

describe('advisories (property)', () => {
  it('the RustSec Markdown reads back to the same advisory', () => {
    fc.assert(
      fc.property(fieldsArb, (fields) => {
        const a = build(fields);
        if (a === null) return;
        const text = formatAdvisoryMarkdown(a);
        expect(parseAdvisoryMarkdown(text, origin(a))).toEqual(a);
        // Writing is stable: the same text again.
        expect(formatAdvisoryMarkdown(parseAdvisoryMarkdown(text, origin(a)))).toBe(text);
      }),
      { numRuns: 150 },
    );
  });

  it('the OSV JSON reads back to the same ranges and metadata', () => {
    fc.assert(
      fc.property(fieldsArb, (fields) => {
        const a = build(fields);
        if (a === null) return;
        const back = parseOsvAdvisory(formatOsvJson(a), { database: 'prop', file: 'x.json' });
        expect(back).toHaveLength(1);
        expect(back[0]!.ranges.map(formatRange)).toEqual(mergeRanges(a.ranges).map(formatRange));
        expect(back[0]!.metadata).toEqual({
          ...a.metadata,
          keywords: [],
          references: a.metadata.references.filter(
            (u) =>
              u !== `https://crates.io/crates/${a.metadata.package}` &&
              u !== `https://rustsec.org/advisories/${a.metadata.id}.html`,
          ),
        });
      }),
      { numRuns: 150 },
    );
  });

  it('a release is affected exactly when no patched or unaffected requirement matches it', () => {
    fc.assert(
      fc.property(fieldsArb, fc.array(release, { minLength: 1, maxLength: 8 }), (fields, versions) => {
        const a = build(fields);
        if (a === null) return;
        const reqs = [...a.versions.patched, ...a.versions.unaffected].map((r) => parseVersionReq(r));
        for (const v of versions) {
          expect(isVersionAffected(a, v), `${formatVersion(v)} vs ${JSON.stringify(a.versions)}`).toBe(
            !reqs.some((r) => matchesReq(r, v)),
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it('mutated Markdown and OSV files fail only with AdvisoryFormatError', () => {
    fc.assert(
      fc.property(fieldsArb, edits, cut, (fields, e, n) => {
        const a = build(fields);
        if (a === null) return;
        for (const text of [formatAdvisoryMarkdown(a), formatOsvJson(a)]) {
          const doc = mutate(text, e, n);
          try {
            if (text.startsWith('```')) parseAdvisoryMarkdown(doc, origin(a));
            else parseOsvAdvisory(doc, { database: 'prop', file: 'x.json' });
          } catch (err) {
            expect(err).toBeInstanceOf(AdvisoryFormatError);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('any JSON value fails as OSV only with AdvisoryFormatError', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), (doc) => {
        try {
          parseOsvAdvisory(doc, { database: 'prop', file: 'x.json' });
        } catch (err) {
          expect(err).toBeInstanceOf(AdvisoryFormatError);
        }
      }),
      { numRuns: 200 },
    );
  });
});
