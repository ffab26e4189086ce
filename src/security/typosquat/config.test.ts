import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultTyposquatConfig, loadTyposquatConfig, TyposquatConfigError } from './config.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../../test/fixtures/typosquat/${name}`, import.meta.url), 'utf8');

describe('defaults', () => {
  it("are crates.io's", () => {
    const c = defaultTyposquatConfig();
    expect(c.top).toBe(3000);
    expect(c.affixes).toEqual(['api', 'cargo', 'cli', 'core', 'lib', 'rs', 'rust', 'sys']);
    expect(c.affixSeparators).toEqual(['-', '_']);
    expect(c.allow).toEqual([]);
    expect(c.blockTop).toBe(0);
    // crates.io's table (its additions over typogard's included).
    expect(Object.keys(c.typos)).toHaveLength(39);
    expect(c.typos.z).toEqual(['a', 's', 'x', '6', '7', 'u', 'h', 't', 'i', 'e', '2', '3']);
    expect(c.typos.w).toEqual(['2', '3', 'e', 's', 'a', 'q', 'vv', 'x']);
    expect(c.typos['-']).toEqual(['_', '0', 'p', '.', '']);
    expect(c.typos.m).toEqual(['n', 'j', 'k', 'rn']);
  });

  it('are fresh copies each time', () => {
    const a = defaultTyposquatConfig();
    a.typos.a!.push('x');
    a.affixes.push('x');
    expect(defaultTyposquatConfig().typos.a).not.toContain('x');
    expect(defaultTyposquatConfig().affixes).not.toContain('x');
  });
});

describe('loading [typosquat] from cratekeeper.toml', () => {
  it('keeps the defaults without the table', () => {
    expect(loadTyposquatConfig('')).toEqual(defaultTyposquatConfig());
    expect(loadTyposquatConfig('[registry]\nport = 1\n')).toEqual(defaultTyposquatConfig());
  });

  it('reads every setting', () => {
    const c = loadTyposquatConfig(fixture('cratekeeper.toml'));
    expect(c.top).toBe(500);
    expect(c.blockTop).toBe(100);
    expect(c.affixes).toEqual(['rs', 'sys', 'ffi']);
    expect(c.affixSeparators).toEqual(['-', '_', '']);
    expect(c.allow).toEqual([
      ['maplit2', 'maplit'],
      ['eusb', 'rusb'],
    ]);
    // A typos table replaces the default one.
    expect(c.typos).toEqual({ a: ['4', '@'], '-': ['_', ''] });
  });

  it("accepts typomania-crates' allowed-crates form (candidate = [targets])", () => {
    const c = loadTyposquatConfig(
      '[typosquat.allow]\nmaplit2 = ["maplit"]\nno-std-compat2 = ["no-std-compat", "std"]\n',
    );
    expect(c.allow).toEqual([
      ['maplit2', 'maplit'],
      ['no-std-compat2', 'no-std-compat'],
      ['no-std-compat2', 'std'],
    ]);
  });

  it.each([
    ['[typosquat', /invalid TOML/],
    ['typosquat = 3', /`typosquat` must be a table/],
    ['[typosquat]\ntop = "many"', /`typosquat.top` must be an integer, got string "many"/],
    ['[typosquat]\ntop = 0', /`typosquat.top` must be between 1 and/],
    ['[typosquat]\ntop = 1.5', /must be an integer/],
    ['[typosquat]\ntop = 99999999999999999999', /invalid TOML|must be/],
    ['[typosquat]\nblock_top = -1', /block_top` must be between 0/],
    ['[typosquat]\ntop = 10\nblock_top = 20', /block_top \(20\) cannot exceed typosquat.top \(10\)/],
    ['[typosquat]\nblocktop = 1', /unknown key `typosquat.blocktop`/],
    ['[typosquat]\naffixes = "rs"', /`typosquat.affixes` must be an array of strings, got string/],
    ['[typosquat]\naffixes = ["rs", 1]', /`typosquat.affixes\[1\]` must be a string, got number 1/],
    ['[typosquat]\naffixes = [""]', /`typosquat.affixes\[0\]` must not be empty/],
    [`[typosquat]\naffixes = ["${'x'.repeat(65)}"]`, /longer than 64/],
    ['[typosquat.typos]\nab = ["c"]', /key "ab" must be a single character/],
    ['[typosquat.typos]\na = "b"', /must be an array of strings/],
    ['[typosquat]\ntypos = [1]', /`typosquat.typos` must be a table, got an array/],
    ['[typosquat]\nallow = [["a"]]', /`typosquat.allow\[0\]` must be a \[candidate, target\] pair/],
    ['[typosquat]\nallow = [["a", 2]]', /`typosquat.allow\[0\]\[1\]` must be a string/],
    ['[typosquat]\nallow = 1', /`typosquat.allow` must be an array of pairs or a table/],
    ['[typosquat]\ntop = 1979-05-27', /must be an integer, got a date/],
  ])('rejects %j', (text, message) => {
    expect(() => loadTyposquatConfig(text)).toThrow(TyposquatConfigError);
    expect(() => loadTyposquatConfig(text)).toThrow(message);
  });

  it('rejects oversized lists', () => {
    const many = Array.from({ length: 1001 }, (_, i) => `"a${i}"`).join(',');
    expect(() => loadTyposquatConfig(`[typosquat]\naffixes = [${many}]`)).toThrow(/more than 1000 entries/);
  });

  it('rejects binary garbage as TOML', () => {
    expect(() => loadTyposquatConfig('\u0000\u0001\u0002[[[')).toThrow(/invalid TOML/);
  });
});
