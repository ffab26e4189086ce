import { describe, expect, it } from 'vitest';
import { SemverError, compareVersions, formatVersion, parseVersion } from './semver.js';
import type { PreReleaseId, Version } from './semver.js';
import {
  MAX_COMPARATORS,
  formatComparator,
  formatVersionReq,
  matchesComparator,
  matchesReq,
  parseVersionReq,
  tryParseVersionReq,
} from './version-req.js';
import type { Comparator, ComparatorOp } from './version-req.js';

const req = parseVersionReq;

/** [requirement, versions it must match, versions it must not match] */
const matchTable: [string, string[], string[]][] = [
  // Bare versions are caret requirements.
  [
    '1.0.0',
    ['1.0.0', '1.1.0', '1.0.1', '1.99.99'],
    ['0.9.9', '0.10.0', '0.1.0', '2.0.0', '1.0.0-pre', '1.0.1-pre'],
  ],
  ['1.2', ['1.2.0', '1.2.9', '1.9.0'], ['1.1.9', '2.0.0', '1.2.0-alpha']],
  ['1', ['1.0.0', '1.5.2'], ['0.9.0', '2.0.0']],
  ['0.2.3', ['0.2.3', '0.2.9'], ['0.2.2', '0.3.0', '1.0.0']],
  ['0.0.3', ['0.0.3'], ['0.0.4', '0.0.2', '0.1.3']],
  ['0', ['0.0.0', '0.9.1'], ['1.0.0']],
  // Caret.
  ['^1', ['1.1.2', '1.1.0', '1.2.1', '1.0.1'], ['0.9.1', '2.9.0', '0.1.4', '1.0.0-beta1', '1.0.1-pre']],
  ['^1.1', ['1.1.2', '1.1.0', '1.2.1'], ['0.9.1', '2.9.0', '1.0.1', '0.1.4']],
  [
    '^1.1.2',
    ['1.1.2', '1.1.4', '1.2.1'],
    ['0.9.1', '2.9.0', '1.1.1', '0.0.1', '1.1.2-alpha1', '1.1.3-alpha1'],
  ],
  [
    '^0.1.2',
    ['0.1.2', '0.1.4'],
    ['0.9.1', '2.9.0', '1.1.1', '0.0.1', '0.1.2-beta', '0.1.3-alpha', '0.2.0-pre'],
  ],
  ['^0.1', ['0.1.0', '0.1.7'], ['0.2.0', '0.0.9']],
  ['^0.0.2', ['0.0.2'], ['0.9.1', '2.9.0', '1.1.1', '0.0.1', '0.1.4', '0.0.3']],
  ['^0.0', ['0.0.2', '0.0.0'], ['0.9.1', '2.9.0', '1.1.1', '0.1.4']],
  ['^0', ['0.9.1', '0.0.2', '0.0.0'], ['2.9.0', '1.1.1']],
  ['^0.0.0', ['0.0.0'], ['0.0.1', '0.1.0']],
  ['^1.0.0', ['1.0.0', '1.9.9'], ['2.0.0', '0.9.9']],
  [
    '^0.5.1-alpha3',
    ['0.5.1-alpha3', '0.5.1-alpha4', '0.5.1-beta', '0.5.1', '0.5.5'],
    ['0.5.1-alpha1', '0.5.2-alpha3', '0.5.5-pre', '0.5.0-pre', '0.6.0'],
  ],
  [
    '^1.4.2-beta.5',
    ['1.4.2', '1.4.3', '1.4.2-beta.5', '1.4.2-beta.6', '1.4.2-c', '1.9.0'],
    ['0.9.9', '2.0.0', '1.4.2-alpha', '1.4.2-beta.4', '1.4.3-beta.5'],
  ],
  ['^0.0.1-alpha', ['0.0.1-alpha', '0.0.1-beta', '0.0.1'], ['0.0.2', '0.0.2-alpha', '0.0.1-0']],
  // Tilde.
  ['~1', ['1.0.0', '1.0.1', '1.1.1'], ['0.9.1', '2.9.0', '0.0.9']],
  ['~1.2', ['1.2.0', '1.2.1'], ['1.1.1', '1.3.0', '0.0.9']],
  ['~1.2.2', ['1.2.2', '1.2.4'], ['1.2.1', '1.9.0', '1.0.9', '2.0.1', '0.1.3']],
  ['~0.2.3', ['0.2.3', '0.2.9'], ['0.3.0', '0.2.2']],
  ['~0', ['0.0.0', '0.9.9'], ['1.0.0']],
  ['~0.0.1', ['0.0.1', '0.0.9'], ['0.1.0', '0.0.0']],
  [
    '~1.2.3-beta.2',
    ['1.2.3', '1.2.4', '1.2.3-beta.2', '1.2.3-beta.4'],
    ['1.3.3', '1.1.4', '1.2.3-beta.1', '1.2.4-beta.2'],
  ],
  // Exact.
  ['=1.0.0', ['1.0.0', '1.0.0+build'], ['1.0.1', '0.9.9', '0.10.0', '0.1.0', '1.0.0-pre']],
  ['=0.9.0', ['0.9.0'], ['0.9.1', '1.9.0', '0.0.9', '0.9.0-pre']],
  ['=0.0.2', ['0.0.2'], ['0.0.1', '0.0.3', '0.0.2-pre']],
  ['=0.1.0-beta2.a', ['0.1.0-beta2.a'], ['0.9.1', '0.1.0', '0.1.1-beta2.a', '0.1.0-beta2']],
  ['=0.1.0+meta', ['0.1.0', '0.1.0+meta', '0.1.0+any'], ['0.1.1']],
  ['=2.1.1-really.0', ['2.1.1-really.0'], ['2.1.1-really.1', '2.1.1']],
  ['=1.2', ['1.2.0', '1.2.99'], ['1.3.0', '1.1.0', '1.2.0-alpha']],
  ['=1', ['1.0.0', '1.99.0'], ['2.0.0', '0.1.0']],
  ['= 1.2.3', ['1.2.3'], ['1.2.4']],
  // Greater / greater-or-equal.
  ['>= 1.0.0', ['1.0.0', '2.0.0'], ['0.1.0', '0.0.1', '1.0.0-pre', '2.0.0-pre']],
  [
    '>= 2.1.0-alpha2',
    ['2.1.0-alpha2', '2.1.0-alpha3', '2.1.0', '3.0.0'],
    ['2.0.0', '2.1.0-alpha1', '2.0.0-alpha2', '3.0.0-alpha2'],
  ],
  ['>1.0.0', ['1.0.1', '2.0.0'], ['1.0.0', '0.9.0', '1.0.1-alpha']],
  ['>1.2', ['1.3.0', '2.0.0'], ['1.2.0', '1.2.9', '1.1.0']],
  ['>1', ['2.0.0', '3.1.0'], ['1.0.0', '1.9.9']],
  ['>=1.2', ['1.2.0', '1.9.0', '2.0.0'], ['1.1.9', '1.2.5-alpha']],
  ['>=1', ['1.0.0', '5.0.0'], ['0.9.9']],
  ['>0.0.0', ['0.0.1', '1.0.0'], ['0.0.0']],
  ['>=0.0.0', ['0.0.0', '100.0.0'], ['0.0.0-alpha']],
  ['>1.0.0-alpha', ['1.0.0-beta', '1.0.0', '1.0.1'], ['1.0.0-alpha', '1.0.1-beta']],
  // Less / less-or-equal.
  ['< 1.0.0', ['0.1.0', '0.0.1'], ['1.0.0', '1.0.0-beta', '1.0.1', '0.9.9-alpha']],
  [
    '<= 2.1.0-alpha2',
    ['2.1.0-alpha2', '2.1.0-alpha1', '2.0.0', '1.0.0'],
    ['2.1.0', '2.2.0-alpha1', '2.0.0-alpha2', '1.0.0-alpha2'],
  ],
  ['<1.2', ['1.1.9', '0.5.0'], ['1.2.0', '1.3.0']],
  ['<1', ['0.99.99'], ['1.0.0', '1.2.0']],
  ['<=1.2', ['1.2.0', '1.2.9', '1.1.0'], ['1.3.0']],
  ['<=1', ['1.9.9', '0.1.0'], ['2.0.0']],
  ['<0.0.1', ['0.0.0'], ['0.0.1']],
  ['<=1.0.0', ['1.0.0', '0.5.0'], ['1.0.1', '1.0.0-rc.1']],
  // Several comparators are ANDed.
  ['> 0.0.9, <= 2.5.3', ['0.0.10', '1.0.0', '2.5.3'], ['0.0.8', '2.5.4']],
  ['0.3.0, 0.4.0', [], ['0.0.8', '0.3.0', '0.4.0']],
  ['<= 0.2.0, >= 0.5.0', [], ['0.0.8', '0.3.0', '0.5.1']],
  ['0.1.0, 0.1.4, 0.1.6', ['0.1.6', '0.1.9'], ['0.1.0', '0.1.4', '0.2.0']],
  [
    '>=0.5.1-alpha3, <0.6',
    ['0.5.1-alpha3', '0.5.1-alpha4', '0.5.1-beta', '0.5.1', '0.5.5'],
    ['0.5.1-alpha1', '0.5.2-alpha3', '0.5.5-pre', '0.5.0-pre', '0.6.0', '0.6.0-pre'],
  ],
  ['>1.0.0-alpha, <1.0.0', ['1.0.0-beta'], ['1.0.0', '1.0.0-alpha']],
  ['>1.0.0-alpha, <1.0', [], ['1.0.0-beta']],
  ['>1.0.0-alpha, <1', [], ['1.0.0-beta']],
  ['>= 1.2, < 1.5', ['1.2.0', '1.4.9'], ['1.5.0', '1.1.0']],
  ['>=1.0.0,<2.0.0', ['1.0.0', '1.99.0'], ['2.0.0', '2.0.0-alpha']],
  // Wildcards: never match pre-releases.
  ['*', ['0.9.1', '2.9.0', '0.0.9', '1.0.1', '1.1.1', '0.0.0'], ['1.0.0-pre', '0.0.0-0']],
  ['x', ['3.2.1'], ['3.2.1-alpha']],
  ['X', ['0.0.0'], ['0.0.1-rc.1']],
  ['1.*', ['1.2.0', '1.2.1', '1.1.1', '1.3.0'], ['0.0.9', '1.2.0-pre', '2.0.0']],
  ['1.x', ['1.0.0'], ['2.0.0']],
  ['1.*.*', ['1.7.3'], ['0.7.3']],
  ['1.2.*', ['1.2.0', '1.2.2', '1.2.4'], ['1.9.0', '1.0.9', '2.0.1', '0.1.3', '1.2.2-pre']],
  ['1.2.x', ['1.2.7'], ['1.3.0']],
  ['0.*.*', ['0.5.0', '0.0.0'], ['1.0.0']],
  ['0.0.*', ['0.0.7'], ['0.1.0']],
  ['>=1.*', ['1.0.0', '2.0.0'], ['0.9.0']],
  ['<1.*', ['0.9.0'], ['1.0.0']],
  ['~1.*', ['1.5.0'], ['2.0.0']],
  ['^1.2.*', ['1.2.0', '1.3.0'], ['1.1.0', '2.0.0']],
  // Build metadata is ignored on both sides.
  ['^1.0.0+build', ['1.0.0', '1.5.0+other'], ['2.0.0+build']],
  ['>=1.0.0-rc.1+meta', ['1.0.0-rc.1+x', '1.0.0-rc.2'], ['1.0.0-beta']],
];

describe('matchesReq: table', () => {
  const cases = matchTable;
  it.each(cases)('%s', (text, yes, no) => {
    const r = req(text);
    for (const v of yes) expect(matchesReq(r, parseVersion(v)), `${text} should match ${v}`).toBe(true);
    for (const v of no) expect(matchesReq(r, parseVersion(v)), `${text} should not match ${v}`).toBe(false);
  });

  it('has over a hundred match assertions', () => {
    const n = cases.reduce((sum, [, yes, no]) => sum + yes.length + no.length, 0);
    expect(n).toBeGreaterThan(300);
  });
});

describe('parseVersionReq: structure and formatting', () => {
  const cases: [string, string, Partial<Comparator>[]][] = [
    ['1.0.0', '^1.0.0', [{ op: '^', major: 1, minor: 0, patch: 0, pre: [] }]],
    ['  1.2  ', '^1.2', [{ op: '^', major: 1, minor: 2, patch: undefined }]],
    ['^1', '^1', [{ op: '^', major: 1, minor: undefined, patch: undefined }]],
    ['~1.2.3-beta.2', '~1.2.3-beta.2', [{ op: '~', major: 1, minor: 2, patch: 3, pre: ['beta', 2] }]],
    ['=1.2.3+build', '=1.2.3', [{ op: '=', patch: 3, pre: [] }]],
    ['>= 1.0.0', '>=1.0.0', [{ op: '>=' }]],
    ['> 1', '>1', [{ op: '>' }]],
    ['<1.2', '<1.2', [{ op: '<' }]],
    ['<=  3', '<=3', [{ op: '<=' }]],
    ['*', '*', []],
    ['x', '*', []],
    ['X', '*', []],
    ['   *   ', '*', []],
    ['1.*', '1.*', [{ op: '*', major: 1, minor: undefined, patch: undefined }]],
    ['1.x', '1.*', [{ op: '*', major: 1 }]],
    ['1.X.x', '1.*', [{ op: '*', major: 1, minor: undefined }]],
    ['2.x.x', '2.*', [{ op: '*', major: 2 }]],
    ['1.2.*', '1.2.*', [{ op: '*', major: 1, minor: 2, patch: undefined }]],
    ['0.0.*', '0.0.*', [{ op: '*', major: 0, minor: 0 }]],
    ['0.*.*', '0.*', [{ op: '*', major: 0, minor: undefined }]],
    ['>=1.*', '>=1', [{ op: '>=', major: 1, minor: undefined }]],
    ['^1.2.*', '^1.2', [{ op: '^', major: 1, minor: 2, patch: undefined }]],
    ['> 0.0.9, <= 2.5.3', '>0.0.9, <=2.5.3', [{ op: '>' }, { op: '<=' }]],
    ['0.3.0, 0.4.0', '^0.3.0, ^0.4.0', [{ op: '^' }, { op: '^' }]],
    ['>=1.0.0,<2.0.0', '>=1.0.0, <2.0.0', [{ op: '>=' }, { op: '<' }]],
    ['>=1.0.0 ,   <2.0.0', '>=1.0.0, <2.0.0', [{ op: '>=' }, { op: '<' }]],
    ['>=0.5.1-alpha3, <0.6', '>=0.5.1-alpha3, <0.6', [{ op: '>=' }, { op: '<' }]],
    ['= 1.2.3-1a+01', '=1.2.3-1a', [{ op: '=', pre: ['1a'] }]],
    ['^ 1.2.3-1-1+1-1-1', '^1.2.3-1-1', [{ op: '^', pre: ['1-1'] }]],
    ['~ 1.2.3-01a', '~1.2.3-01a', [{ op: '~', pre: ['01a'] }]],
    ['9007199254740991', '^9007199254740991', [{ major: Number.MAX_SAFE_INTEGER }]],
  ];
  it.each(cases)('%j formats as %j', (text, formatted, comparators) => {
    const r = req(text);
    expect(formatVersionReq(r)).toBe(formatted);
    expect(r.comparators).toHaveLength(comparators.length);
    comparators.forEach((expected, i) => expect(r.comparators[i]).toMatchObject(expected));
    // The formatted text parses back to the same requirement.
    expect(req(formatted)).toEqual(r);
    expect(tryParseVersionReq(text)).toEqual(r);
  });

  it('accepts up to 32 comparators and refuses 33', () => {
    const list = (n: number) => Array.from({ length: n }, (_, i) => `>${i + 1}`).join(', ');
    expect(req(list(MAX_COMPARATORS)).comparators).toHaveLength(MAX_COMPARATORS);
    expect(() => req(list(MAX_COMPARATORS + 1))).toThrow('excessive number of version comparators');
  });

  it('formats single comparators', () => {
    expect(formatComparator({ op: '*', major: 3, pre: [] })).toBe('3.*');
    expect(formatComparator({ op: '*', major: 3, minor: 1, pre: [] })).toBe('3.1.*');
    expect(formatComparator({ op: '>=', major: 3, minor: 1, patch: 4, pre: ['rc', 1] })).toBe('>=3.1.4-rc.1');
    expect(formatVersionReq({ comparators: [] })).toBe('*');
  });
});

describe('parseVersionReq: errors', () => {
  const cases: [string, string][] = [
    ['', 'unexpected end of input while parsing major version number'],
    ['   ', 'unexpected end of input while parsing major version number'],
    ['> 0.1.0,', 'unexpected end of input while parsing major version number'],
    ['> 0.3.0, ,', "unexpected character ',' while parsing major version number"],
    ['1.2.3 - 2.3.4', "expected comma after patch version number, found '-'"],
    ['> 0.0.9 <= 2.5.3', "expected comma after patch version number, found '<'"],
    ['=1.2.3 || =2.3.4', "expected comma after patch version number, found '|'"],
    ['1.1 || =1.2.3', "expected comma after minor version number, found '|'"],
    ['6.* || 8.* || >= 10.*', "expected comma after minor version number, found '|'"],
    ['^1 || ^2', "expected comma after major version number, found '|'"],
    ['\0', "unexpected character '\\0' while parsing major version number"],
    ['>= >= 0.0.2', "unexpected character '>' while parsing major version number"],
    ['>== 0.0.2', "unexpected character '=' while parsing major version number"],
    ['a.0.0', "unexpected character 'a' while parsing major version number"],
    ['v1.0.0', "unexpected character 'v' while parsing major version number"],
    ['1.0.0-', 'empty identifier segment in pre-release identifier'],
    ['1.2.3-01', 'invalid leading zero in pre-release identifier'],
    ['1.2.3+4.', 'empty identifier segment in build metadata'],
    ['>=', 'unexpected end of input while parsing major version number'],
    ['>', 'unexpected end of input while parsing major version number'],
    ['1.', 'unexpected end of input while parsing minor version number'],
    ['1.2.', 'unexpected end of input while parsing patch version number'],
    ['1.*.', 'unexpected character after wildcard in version req'],
    ['1.2.3+4ÿ', "expected comma after build metadata, found 'ÿ'"],
    ['*.1', 'unexpected character after wildcard in version req'],
    ['1.*.1', 'unexpected character after wildcard in version req'],
    ['>=1.*.1', 'unexpected character after wildcard in version req'],
    ['* 1', 'unexpected character after wildcard in version req'],
    ['xyz', 'unexpected character after wildcard in version req'],
    ['*, 0.20.0-any', 'wildcard req (*) must be the only comparator in the version req'],
    ['0.20.0-any, *', 'wildcard req (*) must be the only comparator in the version req'],
    ['0.20.0-any, *, 1.0', 'wildcard req (*) must be the only comparator in the version req'],
    ['1.0, x', 'wildcard req (x) must be the only comparator in the version req'],
    ['=*', "unexpected character '*' while parsing major version number"],
    ['01.0.0', 'invalid leading zero in major version number'],
    ['1.00', 'invalid leading zero in minor version number'],
    ['^1.0.00', 'invalid leading zero in patch version number'],
    ['1.2.*-alpha', "expected comma after patch version number, found '-'"],
    ['1.2-alpha', "expected comma after minor version number, found '-'"],
    ['^0-.11.0', "expected comma after major version number, found '-'"],
    ['~2.0-2.2', "expected comma after minor version number, found '-'"],
    ['1.2.3\t', "expected comma after patch version number, found '\\t'"],
    ['\t1.2.3', "unexpected character '\\t' while parsing major version number"],
    ['1.2.3,\n1.2.4', "unexpected character '\\n' while parsing major version number"],
    ['!=1.2.3', "unexpected character '!' while parsing major version number"],
    ['1.2.3.4', "expected comma after patch version number, found '.'"],
    ['1.2.3 2', "expected comma after patch version number, found '2'"],
    ['9007199254740992', 'value of major version number exceeds 2^53 - 1'],
    ['1.99999999999999999999', 'value of minor version number exceeds 2^53 - 1'],
    ['^1.0.0-99999999999999999', 'value of pre-release identifier exceeds 2^53 - 1'],
  ];
  it.each(cases)('%j', (text, message) => {
    expect(() => req(text)).toThrow(SemverError);
    expect(() => req(text)).toThrow(message);
    expect(tryParseVersionReq(text)).toBeNull();
  });

  it('refuses absurdly long input cleanly', () => {
    const long = `>=1.0.0, ${'<2.0.0, '.repeat(2000)}`;
    expect(long.length).toBeGreaterThan(10_000);
    expect(() => req(long)).toThrow(/too long/);
    expect(tryParseVersionReq(' '.repeat(20_000) + '1')).toBeNull();
  });

  it('refuses input that is not a string', () => {
    expect(() => req(undefined as unknown as string)).toThrow(SemverError);
    expect(tryParseVersionReq(42 as unknown as string)).toBeNull();
  });
});

describe('matchesComparator', () => {
  it('applies the pre-release rule to a single comparator', () => {
    const c = req('>=1.0.0-alpha').comparators[0]!;
    expect(matchesComparator(c, parseVersion('1.0.0-beta'))).toBe(true);
    expect(matchesComparator(c, parseVersion('1.0.1-beta'))).toBe(false);
    expect(matchesComparator(c, parseVersion('1.0.1'))).toBe(true);
  });
});

// An independent oracle: cargo's documented translation of each operator into a half-open
// range, checked against the implementation over generated requirements and versions.
describe('matchesReq agrees with the documented ranges', () => {
  type Triple = [number, number, number];
  const v = (t: Triple, pre: PreReleaseId[] = []): Version => ({
    major: t[0],
    minor: t[1],
    patch: t[2],
    pre,
    build: [],
  });
  const lt = (a: Version, b: Version) => compareVersions(a, b) < 0;
  const le = (a: Version, b: Version) => compareVersions(a, b) <= 0;

  /** [lower inclusive, upper exclusive] on release versions, per the Cargo book's tables. */
  function releaseRange(c: Comparator): [Version, Version | null] {
    const M = c.major;
    const m = c.minor;
    const p = c.patch;
    const exact = (): [Version, Version | null] =>
      m === undefined
        ? [v([M, 0, 0]), v([M + 1, 0, 0])]
        : p === undefined
          ? [v([M, m, 0]), v([M, m + 1, 0])]
          : [v([M, m, p]), v([M, m, p + 1])];
    const zero = v([0, 0, 0]);
    switch (c.op) {
      case '=':
      case '*':
        return exact();
      case '^':
        if (m === undefined) return [v([M, 0, 0]), v([M + 1, 0, 0])];
        if (M > 0) return [v([M, m, p ?? 0]), v([M + 1, 0, 0])];
        if (p === undefined) return [v([0, m, 0]), v([0, m + 1, 0])];
        if (m > 0) return [v([0, m, p]), v([0, m + 1, 0])];
        return [v([0, 0, p]), v([0, 0, p + 1])];
      case '~':
        if (m === undefined) return [v([M, 0, 0]), v([M + 1, 0, 0])];
        return [v([M, m, p ?? 0]), v([M, m + 1, 0])];
      case '>':
        return [exact()[1]!, null];
      case '>=':
        return [exact()[0], null];
      case '<':
        return [zero, exact()[0]];
      case '<=':
        return [zero, exact()[1]];
    }
  }

  /** Full comparators (with patch) as precedence ranges, valid for pre-releases too. */
  function fullMatches(c: Comparator, x: Version): boolean {
    const V = v([c.major, c.minor!, c.patch!], [...c.pre]);
    const cmp = compareVersions(x, V);
    const below = (t: Triple) => lt(x, v(t, [0]));
    switch (c.op) {
      case '=':
        return cmp === 0;
      case '>':
        return cmp > 0;
      case '>=':
        return cmp >= 0;
      case '<':
        return cmp < 0;
      case '<=':
        return cmp <= 0;
      case '~':
        return cmp >= 0 && below([c.major, c.minor! + 1, 0]);
      case '^': {
        const upper: Triple =
          c.major > 0 ? [c.major + 1, 0, 0] : c.minor! > 0 ? [0, c.minor! + 1, 0] : [0, 0, c.patch! + 1];
        return cmp >= 0 && below(upper);
      }
      case '*':
        throw new Error('a wildcard comparator always has a missing part');
    }
  }

  function oracle(comparators: readonly Comparator[], x: Version): boolean | undefined {
    if (x.pre.length === 0) {
      return comparators.every((c) => {
        if (c.patch !== undefined) return fullMatches(c, x);
        const [lo, hi] = releaseRange(c);
        return le(lo, x) && (hi === null || lt(x, hi));
      });
    }
    if (comparators.some((c) => c.patch === undefined)) return undefined;
    const inRange = comparators.every((c) => fullMatches(c, x));
    const named = comparators.some(
      (c) => c.major === x.major && c.minor === x.minor && c.patch === x.patch && c.pre.length > 0,
    );
    return inRange && named;
  }

  // Small deterministic PRNG so a failure is reproducible.
  function rng(seed: number) {
    let s = seed >>> 0;
    return (n: number) => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s % n;
    };
  }
  const pres: PreReleaseId[][] = [[], ['alpha'], ['alpha', 1], ['beta'], [0], [2]];
  const ops: string[] = ['', '^', '~', '=', '>', '>=', '<', '<=', ' >= ', '~ '];

  it('for 3,000 generated requirements against every small version', () => {
    const rand = rng(20191110);
    const versions: Version[] = [];
    for (let a = 0; a < 3; a++)
      for (let b = 0; b < 3; b++)
        for (let c = 0; c < 3; c++) for (const pre of pres) versions.push(v([a, b, c], [...pre]));
    let checked = 0;
    let matched = 0;
    for (let i = 0; i < 3000; i++) {
      const parts: string[] = [];
      const count = 1 + rand(3);
      for (let k = 0; k < count; k++) {
        const shape = rand(5);
        const M = rand(3);
        const m = rand(3);
        const p = rand(3);
        if (shape === 4 && count === 1) {
          parts.push(rand(2) === 0 ? `${M}.*` : `${M}.${m}.x`);
          continue;
        }
        const op = ops[rand(ops.length)]!;
        if (shape === 0) parts.push(`${op}${M}`);
        else if (shape === 1) parts.push(`${op}${M}.${m}`);
        else {
          const pre = pres[rand(pres.length)]!;
          parts.push(`${op}${M}.${m}.${p}${pre.length > 0 ? `-${pre.join('.')}` : ''}`);
        }
      }
      const text = parts.join(rand(2) === 0 ? ', ' : ',');
      const r = req(text);
      expect(req(formatVersionReq(r))).toEqual(r);
      for (const x of versions) {
        const expected = oracle(r.comparators, x);
        if (expected === undefined) continue;
        const actual = matchesReq(r, x);
        if (actual !== expected) {
          expect.fail(`${text} vs ${formatVersion(x)}: expected ${expected}, got ${actual}`);
        }
        checked++;
        if (actual) matched++;
      }
    }
    // Both outcomes are well represented, so agreement is not vacuous.
    expect(checked).toBeGreaterThan(100_000);
    expect(matched).toBeGreaterThan(checked / 20);
    expect(matched).toBeLessThan(checked - checked / 20);
  });

  it('covers every operator in the generator', () => {
    const seen = new Set<ComparatorOp>();
    for (const op of ops) seen.add(req(`${op}1.2.3`).comparators[0]!.op);
    seen.add(req('1.*').comparators[0]!.op);
    expect([...seen].sort()).toEqual(['*', '<', '<=', '=', '>', '>=', '^', '~'].sort());
  });
});
