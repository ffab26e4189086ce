// Property-based tests of versions and version requirements (issue 15): round trips, that any
// input fails only with SemverError, that precedence is a total order agreeing with SemVer 2.0's
// rules (written out again here, independently), and that each comparator matches exactly the
// range cargo's documentation gives for it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  compareVersionsWithBuild,
  formatVersion,
  parseVersion,
  SemverError,
  type PreReleaseId,
  type Version,
} from './semver.js';
import {
  formatVersionReq,
  matchesComparator,
  matchesReq,
  parseVersionReq,
  type Comparator,
  type ComparatorOp,
  type VersionReq,
} from './version-req.js';

const RUNS = { numRuns: 300 };

const ALNUM = [...'0123456789abcXYZ-'];
const alnumId = fc
  .array(fc.constantFrom(...ALNUM), { minLength: 1, maxLength: 6 })
  .map((cs) => cs.join(''))
  .filter((s) => /[^0-9]/.test(s));
const numId = fc.oneof(fc.nat(20), fc.nat({ max: Number.MAX_SAFE_INTEGER }));
const preId: fc.Arbitrary<PreReleaseId> = fc.oneof(numId, alnumId);
const buildId = fc.array(fc.constantFrom(...ALNUM), { minLength: 1, maxLength: 5 }).map((cs) => cs.join(''));
const component = fc.oneof(fc.nat(3), fc.nat({ max: Number.MAX_SAFE_INTEGER }));

const versionArb: fc.Arbitrary<Version> = fc.record({
  major: component,
  minor: component,
  patch: component,
  pre: fc.oneof(fc.constant([]), fc.array(preId, { minLength: 1, maxLength: 3 })),
  build: fc.oneof(fc.constant([]), fc.array(buildId, { minLength: 1, maxLength: 3 })),
});

// Small numbers, so that comparisons often meet equal components.
const smallVersion: fc.Arbitrary<Version> = fc.record({
  major: fc.nat(2),
  minor: fc.nat(2),
  patch: fc.nat(2),
  pre: fc.oneof(
    fc.constant([]),
    fc.array(fc.oneof(fc.nat(2), fc.constantFrom('alpha', 'beta', 'a-1')), { minLength: 1, maxLength: 2 }),
  ),
  build: fc.oneof(fc.constant([]), fc.array(fc.constantFrom('1', '01', 'b'), { minLength: 1, maxLength: 2 })),
});

/** Any text, weighted towards version-like characters. */
const versionish = fc.oneof(
  fc.string(),
  fc.array(fc.constantFrom(...'0123456789.-+*xX^~=<>, aZ\t'), { maxLength: 24 }).map((cs) => cs.join('')),
);

function throwsOnlySemverError(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SemverError);
  }
}

/** SemVer 2.0 §11, written out again: numeric ids below alphanumeric ones, shorter list first. */
function specCompare(a: Version, b: Version): number {
  for (const k of ['major', 'minor', 'patch'] as const) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  if (a.pre.length === 0 || b.pre.length === 0)
    return (a.pre.length === 0 ? 1 : 0) - (b.pre.length === 0 ? 1 : 0);
  for (let i = 0; i < Math.max(a.pre.length, b.pre.length); i++) {
    if (i >= a.pre.length) return -1;
    if (i >= b.pre.length) return 1;
    const x = String(a.pre[i]);
    const y = String(b.pre[i]);
    const xn = /^[0-9]+$/.test(x);
    const yn = /^[0-9]+$/.test(y);
    if (xn && yn) {
      if (Number(x) !== Number(y)) return Number(x) < Number(y) ? -1 : 1;
    } else if (xn !== yn) {
      return xn ? -1 : 1;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

const sign = (n: number) => Math.sign(n);

describe('versions (property)', () => {
  it('parse(format(v)) is v', () => {
    fc.assert(
      fc.property(versionArb, (v) => {
        expect(parseVersion(formatVersion(v))).toEqual(v);
      }),
      RUNS,
    );
  });

  it('format(parse(text)) is text for every text that parses', () => {
    fc.assert(
      fc.property(versionish, (text) => {
        let v: Version;
        try {
          v = parseVersion(text);
        } catch (e) {
          expect(e).toBeInstanceOf(SemverError);
          return;
        }
        expect(formatVersion(v)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('fails on any input only with SemverError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          versionish,
          versionArb.map(formatVersion).map((s) => s + '.'),
        ),
        (text) => {
          throwsOnlySemverError(() => parseVersion(text));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('precedence agrees with the SemVer 2.0 rules', () => {
    fc.assert(
      fc.property(smallVersion, smallVersion, (a, b) => {
        expect(sign(compareVersions(a, b))).toBe(specCompare(a, b));
      }),
      { numRuns: 500 },
    );
  });

  it('compareVersionsWithBuild is a total order: antisymmetric, transitive, 0 only for the same text', () => {
    fc.assert(
      fc.property(smallVersion, smallVersion, smallVersion, (a, b, c) => {
        const ab = sign(compareVersionsWithBuild(a, b));
        expect(sign(compareVersionsWithBuild(b, a)) + ab).toBe(0);
        expect(ab === 0).toBe(formatVersion(a) === formatVersion(b));
        const bc = sign(compareVersionsWithBuild(b, c));
        if (ab <= 0 && bc <= 0) expect(compareVersionsWithBuild(a, c)).toBeLessThanOrEqual(0);
        // Build metadata only breaks ties of precedence.
        if (compareVersions(a, b) !== 0) expect(ab).toBe(sign(compareVersions(a, b)));
      }),
      { numRuns: 500 },
    );
  });

  it('sorting by precedence gives the same order from any starting order', () => {
    fc.assert(
      fc.property(fc.array(smallVersion, { maxLength: 12 }), (vs) => {
        const sorted = [...vs].sort(compareVersionsWithBuild).map((v) => formatVersion(v));
        const reversed = [...vs]
          .reverse()
          .sort(compareVersionsWithBuild)
          .map((v) => formatVersion(v));
        expect(reversed).toEqual(sorted);
      }),
      RUNS,
    );
  });
});

// ---- requirements ----

const OPS: ComparatorOp[] = ['=', '>', '>=', '<', '<=', '~', '^'];

const comparatorArb: fc.Arbitrary<Comparator> = fc.oneof(
  // Full: op, major.minor.patch, maybe a pre-release.
  fc.record({
    op: fc.constantFrom(...OPS),
    major: fc.nat(2),
    minor: fc.nat(2),
    patch: fc.nat(2),
    pre: fc.oneof(
      fc.constant([]),
      fc.array(fc.oneof(fc.nat(2), fc.constantFrom('alpha', 'beta')), { minLength: 1, maxLength: 2 }),
    ),
  }),
  // Partial: op, major[.minor].
  fc.record({
    op: fc.constantFrom(...OPS),
    major: fc.nat(2),
    minor: fc.option(fc.nat(2), { nil: undefined }),
    pre: fc.constant([]),
  }),
  // Wildcards: 1.* and 1.2.*.
  fc.record({
    op: fc.constant('*' as const),
    major: fc.nat(2),
    minor: fc.option(fc.nat(2), { nil: undefined }),
    pre: fc.constant([]),
  }),
);

const reqArb: fc.Arbitrary<VersionReq> = fc
  .array(comparatorArb, { minLength: 0, maxLength: 3 })
  .map((comparators) => ({ comparators }));

type Triple = [number, number, number];
const tripleOf = (v: Version): Triple => [v.major, v.minor, v.patch];
function cmpTriple(a: Triple, b: Triple): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}

/**
 * The comparator as the range cargo's documentation spells out (`^0.2.3` is `>=0.2.3, <0.3.0`,
 * `~1.2` is `>=1.2.0, <1.3.0`, `1.*` is `>=1.0.0, <2.0.0`, `>1.2` is `>=1.3.0`, `<=1.2` is
 * `<1.3.0`…), ignoring the pre-release rule. Upper bounds exclude the bound's pre-releases.
 */
function inRange(c: Comparator, v: Version): boolean {
  const M = c.major;
  const m = c.minor;
  const p = c.patch;
  const full: Version = { major: M, minor: m ?? 0, patch: p ?? 0, pre: c.pre, build: [] };
  const t = tripleOf(v);
  const below = (x: Triple) => cmpTriple(t, x) < 0;
  const atLeast = (x: Triple) => cmpTriple(t, x) >= 0;
  // The next version the partial comparator does not name: 1 → 2.0.0, 1.2 → 1.3.0.
  const next: Triple = m === undefined ? [M + 1, 0, 0] : p === undefined ? [M, m + 1, 0] : [M, m, p + 1];
  switch (c.op) {
    case '=':
    case '*':
      return p !== undefined ? compareVersions(v, full) === 0 : atLeast([M, m ?? 0, 0]) && below(next);
    case '>':
      return p !== undefined ? compareVersions(v, full) > 0 : atLeast(next);
    case '>=':
      return compareVersions(v, full) >= 0;
    case '<':
      return p !== undefined ? compareVersions(v, full) < 0 : below([M, m ?? 0, 0]);
    case '<=':
      return p !== undefined ? compareVersions(v, full) <= 0 : below(next);
    case '~':
      return compareVersions(v, full) >= 0 && below(m === undefined ? [M + 1, 0, 0] : [M, m + 1, 0]);
    case '^': {
      const upper: Triple =
        M > 0 || m === undefined ? [M + 1, 0, 0] : m > 0 || p === undefined ? [0, m + 1, 0] : [0, 0, p + 1];
      return compareVersions(v, full) >= 0 && below(upper);
    }
  }
}

/** A pre-release is eligible only through a comparator naming its major.minor.patch with a pre-release. */
function preEligible(cs: readonly Comparator[], v: Version): boolean {
  return (
    v.pre.length === 0 ||
    cs.some((c) => c.pre.length > 0 && c.major === v.major && c.minor === v.minor && c.patch === v.patch)
  );
}

describe('version requirements (property)', () => {
  it('parse(format(req)) is req', () => {
    fc.assert(
      fc.property(reqArb, (req) => {
        expect(parseVersionReq(formatVersionReq(req))).toEqual(req);
      }),
      RUNS,
    );
  });

  it('fails on any input only with SemverError', () => {
    fc.assert(
      fc.property(versionish, (text) => {
        throwsOnlySemverError(() => parseVersionReq(text));
      }),
      { numRuns: 500 },
    );
  });

  it('what parses formats to text that parses to the same requirement', () => {
    fc.assert(
      fc.property(versionish, (text) => {
        let req: VersionReq;
        try {
          req = parseVersionReq(text);
        } catch {
          return;
        }
        expect(parseVersionReq(formatVersionReq(req))).toEqual(req);
      }),
      { numRuns: 500 },
    );
  });

  it('each comparator matches exactly its documented range, with the pre-release rule', () => {
    fc.assert(
      fc.property(comparatorArb, smallVersion, (c, v) => {
        expect(matchesComparator(c, v)).toBe(inRange(c, v) && preEligible([c], v));
      }),
      { numRuns: 500 },
    );
  });

  it('a requirement is the AND of its comparators, with the pre-release rule over all of them', () => {
    fc.assert(
      fc.property(reqArb, smallVersion, (req, v) => {
        const expected = req.comparators.every((c) => inRange(c, v)) && preEligible(req.comparators, v);
        expect(matchesReq(req, v)).toBe(expected);
        // Parsing the text gives a requirement that matches the same versions.
        expect(matchesReq(parseVersionReq(formatVersionReq(req)), v)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('build metadata never changes whether a version matches', () => {
    fc.assert(
      fc.property(reqArb, smallVersion, (req, v) => {
        expect(matchesReq(req, { ...v, build: ['x', '1'] })).toBe(matchesReq(req, { ...v, build: [] }));
      }),
      RUNS,
    );
  });
});
