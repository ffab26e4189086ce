import { describe, expect, it } from 'vitest';
import {
  MAX_SEMVER_INPUT_LENGTH,
  SemverError,
  compareVersions,
  compareVersionsWithBuild,
  formatVersion,
  isPrerelease,
  parseVersion,
  tryParseVersion,
  versionKey,
} from './semver.js';
import type { PreReleaseId } from './semver.js';

describe('parseVersion: valid versions', () => {
  const cases: [string, number, number, number, PreReleaseId[], string[]][] = [
    ['0.0.0', 0, 0, 0, [], []],
    ['1.2.3', 1, 2, 3, [], []],
    ['10.20.30', 10, 20, 30, [], []],
    ['1.2.3-alpha1', 1, 2, 3, ['alpha1'], []],
    ['1.2.3+build5', 1, 2, 3, [], ['build5']],
    ['1.2.3+5build', 1, 2, 3, [], ['5build']],
    ['1.2.3-alpha1+build5', 1, 2, 3, ['alpha1'], ['build5']],
    ['1.2.3-1.alpha1.9+build5.7.3aedf', 1, 2, 3, [1, 'alpha1', 9], ['build5', '7', '3aedf']],
    ['1.2.3-0a.alpha1.9+05build.7.3aedf', 1, 2, 3, ['0a', 'alpha1', 9], ['05build', '7', '3aedf']],
    ['0.4.0-beta.1+0851523', 0, 4, 0, ['beta', 1], ['0851523']],
    ['1.1.0-beta-10', 1, 1, 0, ['beta-10'], []],
    ['1.0.0-0', 1, 0, 0, [0], []],
    ['1.0.0--', 1, 0, 0, ['-'], []],
    ['1.0.0-x-y-z.--', 1, 0, 0, ['x-y-z', '--'], []],
    ['1.0.0+0', 1, 0, 0, [], ['0']],
    ['1.0.0+00.001', 1, 0, 0, [], ['00', '001']],
    ['1.0.0-rc.1+build.1', 1, 0, 0, ['rc', 1], ['build', '1']],
    ['9007199254740991.0.0', Number.MAX_SAFE_INTEGER, 0, 0, [], []],
    ['0.0.9007199254740991', 0, 0, Number.MAX_SAFE_INTEGER, [], []],
    ['1.0.0-9007199254740991', 1, 0, 0, [Number.MAX_SAFE_INTEGER], []],
    ['1.0.0-20191110123456', 1, 0, 0, [20191110123456], []],
  ];
  it.each(cases)('%s', (text, major, minor, patch, pre, build) => {
    const v = parseVersion(text);
    expect(v).toEqual({ major, minor, patch, pre, build });
    expect(formatVersion(v)).toBe(text);
    expect(tryParseVersion(text)).toEqual(v);
  });

  it('represents numeric pre-release identifiers as numbers and others as strings', () => {
    const v = parseVersion('1.0.0-alpha.10.0x.7z');
    expect(v.pre.map((p) => typeof p)).toEqual(['string', 'number', 'string', 'string']);
  });
});

describe('parseVersion: errors', () => {
  const cases: [string, string][] = [
    ['', 'empty string, expected a semver version'],
    ['  ', "unexpected character ' ' while parsing major version number"],
    ['1', 'unexpected end of input while parsing major version number'],
    ['1.2', 'unexpected end of input while parsing minor version number'],
    ['1.2.', 'unexpected end of input while parsing patch version number'],
    ['1.', 'unexpected end of input while parsing minor version number'],
    ['1.2.3-', 'empty identifier segment in pre-release identifier'],
    ['1.2.3-a.', 'empty identifier segment in pre-release identifier'],
    ['1.2.3-a..b', 'empty identifier segment in pre-release identifier'],
    ['1.2.3-+b', 'empty identifier segment in pre-release identifier'],
    ['1.2.3+', 'empty identifier segment in build metadata'],
    ['1.2.3++', 'empty identifier segment in build metadata'],
    ['1.2.3+a.', 'empty identifier segment in build metadata'],
    ['a.b.c', "unexpected character 'a' while parsing major version number"],
    ['1.q.r', "unexpected character 'q' while parsing minor version number"],
    ['1.2.3 abc', "unexpected character ' ' after patch version number"],
    ['1.2.3 ', "unexpected character ' ' after patch version number"],
    [' 1.2.3', "unexpected character ' ' while parsing major version number"],
    ['v1.2.3', "unexpected character 'v' while parsing major version number"],
    ['=1.2.3', "unexpected character '=' while parsing major version number"],
    ['1.2.3-01', 'invalid leading zero in pre-release identifier'],
    ['1.2.3-alpha.00', 'invalid leading zero in pre-release identifier'],
    ['07.0.0', 'invalid leading zero in major version number'],
    ['0.07.0', 'invalid leading zero in minor version number'],
    ['0.0.07', 'invalid leading zero in patch version number'],
    ['00.0.0', 'invalid leading zero in major version number'],
    ['1.2.3.4', "unexpected character '.' after patch version number"],
    ['1.2-3', "unexpected character '-' after minor version number"],
    ['1.2.3-alpha_1', "unexpected character '_' after pre-release identifier"],
    ['1.2.3+build!', "unexpected character '!' after build metadata"],
    ['1.2.3+4ÿ', "unexpected character 'ÿ' after build metadata"],
    ['1.2.3-é', 'empty identifier segment in pre-release identifier'],
    ['1.2.3-a😀', "unexpected character '😀' after pre-release identifier"],
    ['8\0', "unexpected character '\\0' after major version number"],
    ['1.2.3\n', "unexpected character '\\n' after patch version number"],
    ['1.2.3-alpha+b+c', "unexpected character '+' after build metadata"],
    ['-1.0.0', "unexpected character '-' while parsing major version number"],
    ['1.0.0-alpha beta', "unexpected character ' ' after pre-release identifier"],
    ['9007199254740992.0.0', 'value of major version number exceeds 2^53 - 1'],
    ['0.9007199254740992.0', 'value of minor version number exceeds 2^53 - 1'],
    ['0.0.9007199254740992', 'value of patch version number exceeds 2^53 - 1'],
    ['18446744073709551615.0.0', 'value of major version number exceeds 2^53 - 1'],
    ['111111111111111111111.0.0', 'value of major version number exceeds 2^53 - 1'],
    ['1.0.0-9007199254740992', 'value of pre-release identifier exceeds 2^53 - 1'],
    ['1.0.0-99999999999999999999999', 'value of pre-release identifier exceeds 2^53 - 1'],
  ];
  it.each(cases)('%j', (text, message) => {
    expect(() => parseVersion(text)).toThrow(SemverError);
    expect(() => parseVersion(text)).toThrow(message);
    expect(tryParseVersion(text)).toBeNull();
  });

  it('names the input in the message', () => {
    expect(() => parseVersion('1.02.3')).toThrow(/"1\.02\.3"/);
  });

  it('refuses absurdly long input cleanly, without scanning it', () => {
    const long = `1.0.0-${'a'.repeat(MAX_SEMVER_INPUT_LENGTH)}`;
    expect(() => parseVersion(long)).toThrow(/too long/);
    expect(tryParseVersion(long)).toBeNull();
    const justFits = `1.0.0-${'a'.repeat(MAX_SEMVER_INPUT_LENGTH - 6)}`;
    expect(parseVersion(justFits).pre[0]).toHaveLength(MAX_SEMVER_INPUT_LENGTH - 6);
  });

  it('truncates a long input in the error message', () => {
    const text = `x${'1'.repeat(5000)}`;
    try {
      parseVersion(text);
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message.length).toBeLessThan(300);
    }
  });

  it('rejects values that are not strings with a SemverError', () => {
    expect(() => parseVersion(123 as unknown as string)).toThrow(SemverError);
    expect(tryParseVersion(null as unknown as string)).toBeNull();
  });
});

describe('compareVersions', () => {
  // The SemVer 2.0 spec's precedence example, plus numeric-vs-lexical and length cases.
  const ascending = [
    '0.0.0',
    '0.0.1',
    '0.1.0-alpha',
    '0.1.0',
    '0.9.0',
    '0.10.0',
    '1.0.0-0',
    '1.0.0-2',
    '1.0.0-10',
    '1.0.0-alpha',
    '1.0.0-alpha.1',
    '1.0.0-alpha.2',
    '1.0.0-alpha.10',
    '1.0.0-alpha.beta',
    '1.0.0-beta',
    '1.0.0-beta.2',
    '1.0.0-beta.11',
    '1.0.0-rc.1',
    '1.0.0',
    '1.0.1',
    '1.1.0',
    '1.9.0',
    '1.10.0',
    '2.0.0-Z',
    '2.0.0-a',
    '2.0.0',
    '10.0.0',
  ];

  it('orders the ascending list strictly, in both directions', () => {
    const parsed = ascending.map(parseVersion);
    for (let i = 0; i < parsed.length; i++) {
      for (let j = 0; j < parsed.length; j++) {
        const c = compareVersions(parsed[i]!, parsed[j]!);
        expect(Math.sign(c), `${ascending[i]} vs ${ascending[j]}`).toBe(Math.sign(i - j));
      }
    }
  });

  it('sorts a shuffled list back into order', () => {
    const shuffled = [...ascending].reverse();
    shuffled.push(shuffled.shift()!);
    const sorted = shuffled
      .map(parseVersion)
      .sort(compareVersions)
      .map((v) => formatVersion(v));
    expect(sorted).toEqual(ascending);
  });

  it('ignores build metadata for precedence', () => {
    expect(compareVersions(parseVersion('1.0.0+a'), parseVersion('1.0.0+b'))).toBe(0);
    expect(compareVersions(parseVersion('1.0.0+zzz'), parseVersion('1.0.0'))).toBe(0);
    expect(compareVersions(parseVersion('1.0.0-rc.1+z'), parseVersion('1.0.0-rc.1'))).toBe(0);
    expect(compareVersions(parseVersion('1.0.0-rc.1+z'), parseVersion('1.0.0+a'))).toBeLessThan(0);
  });

  it('compares numeric identifiers numerically and below alphanumeric ones', () => {
    expect(compareVersions(parseVersion('1.0.0-9'), parseVersion('1.0.0-10'))).toBeLessThan(0);
    expect(compareVersions(parseVersion('1.0.0-999'), parseVersion('1.0.0-a'))).toBeLessThan(0);
    expect(compareVersions(parseVersion('1.0.0-10a'), parseVersion('1.0.0-9a'))).toBeLessThan(0);
  });

  it('breaks precedence ties on build metadata in compareVersionsWithBuild', () => {
    const order = [
      '1.0.0',
      '1.0.0+0',
      '1.0.0+00',
      '1.0.0+1',
      '1.0.0+01',
      '1.0.0+2',
      '1.0.0+10',
      '1.0.0+a',
      '1.0.0+a.b',
    ];
    const parsed = order.map(parseVersion);
    for (let i = 0; i < parsed.length; i++) {
      for (let j = 0; j < parsed.length; j++) {
        const c = compareVersionsWithBuild(parsed[i]!, parsed[j]!);
        expect(Math.sign(c), `${order[i]} vs ${order[j]}`).toBe(Math.sign(i - j));
      }
    }
    expect(compareVersionsWithBuild(parseVersion('1.0.0+z'), parseVersion('1.0.1'))).toBeLessThan(0);
  });
});

describe('formatVersion and versionKey', () => {
  it('drops build metadata when asked and in the key', () => {
    const v = parseVersion('1.2.3-rc.1+build.5');
    expect(formatVersion(v)).toBe('1.2.3-rc.1+build.5');
    expect(formatVersion(v, true)).toBe('1.2.3-rc.1+build.5');
    expect(formatVersion(v, false)).toBe('1.2.3-rc.1');
    expect(versionKey(v)).toBe('1.2.3-rc.1');
  });

  it('gives versions that differ only in build metadata the same key', () => {
    expect(versionKey(parseVersion('1.0.0+a'))).toBe(versionKey(parseVersion('1.0.0+b')));
    expect(versionKey(parseVersion('1.0.0-a'))).not.toBe(versionKey(parseVersion('1.0.0-b')));
  });

  it('formats hand-built versions', () => {
    expect(formatVersion({ major: 3, minor: 0, patch: 1, pre: ['beta', 2], build: [] })).toBe('3.0.1-beta.2');
  });

  it('reports pre-releases', () => {
    expect(isPrerelease(parseVersion('1.0.0-a'))).toBe(true);
    expect(isPrerelease(parseVersion('1.0.0+a'))).toBe(false);
  });
});
