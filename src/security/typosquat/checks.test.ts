import { describe, expect, it } from 'vitest';
import {
  affixForward,
  affixInverse,
  Alphabet,
  bitflipForward,
  bitflips,
  CRATE_ALPHABET,
  isSubMultiset,
  omittedForward,
  omittedInverse,
  repeatedForward,
  repeatedInverse,
  splitWords,
  squatMessage,
  swappedCharactersForward,
  swappedCharactersInverse,
  swappedWordsForward,
  swappedWordsShape,
  typoForward,
  typoInverse,
  versionStem,
} from './checks.js';
import { defaultTyposquatConfig } from './config.js';

// Typomania's tests record every name a check looks up, except the candidate itself (its
// possible_squat returns early for equal names); `looked` is that set.
const looked = (name: string, variants: string[]) => [...new Set(variants)].filter((v) => v !== name).sort();
const sorted = (xs: string[]) => [...xs].sort();

describe('repeated characters', () => {
  it.each([
    ['', []],
    ['a', []],
    ['aa', ['a']],
    ['abc', []],
    ['abbc', ['abc']],
    ['abbbc', ['abbc']],
    ['abbbbc', ['abbbc']],
    ['aaaaaa', ['aaaaa']],
    ['1122', ['122', '112']],
    ['--a', ['-a']],
  ])('%j looks up %j', (name, want) => {
    expect(looked(name, repeatedForward(name))).toEqual(sorted(want));
  });

  it('only removes ASCII repeats', () => {
    expect(repeatedForward('ééx')).toEqual([]);
  });
});

describe('swapped characters', () => {
  it.each([
    ['', []],
    ['a', []],
    ['ab', ['ba']],
    ['abc', ['bac', 'acb']],
    ['aa', []],
    ['aab', ['aba']],
    ['-a_', ['a-_', '-_a']],
  ])('%j looks up %j', (name, want) => {
    expect(looked(name, swappedCharactersForward(name))).toEqual(sorted(want));
  });
});

describe('version suffix', () => {
  it.each([
    ['', null],
    ['-2', null],
    ['2', null],
    ['123', null],
    ['abc', null],
    ['abc234', 'abc'],
    ['abc-234', 'abc'],
    ['abc-', 'abc'],
    ['abc0', 'abc'],
    ['abc--2', 'abc'],
    ['abc-1-2', 'abc-1'],
    // Typomania trims only `-` after the digits: `_` stays.
    ['abc_2', 'abc_'],
    ['a1b', null],
  ])('%j → %j', (name, want) => {
    expect(versionStem(name)).toBe(want);
  });
});

describe('bitflips', () => {
  it('flips the low seven bits of each character in order, as bitflip::ascii_str does', () => {
    let printable = '';
    for (let c = 32; c < 127; c++) printable += String.fromCharCode(c);
    // The bitflip crate's documented output for "ab".
    expect(bitflips('ab', new Alphabet(printable))).toEqual(
      '`b cb eb ib qb Ab !b ac a` af aj ar aB a"'.split(' '),
    );
  });

  it('keeps only names wholly in the alphabet (typomania: Bitflips::new("abcdef") finds ab from ac)', () => {
    expect(bitflips('ab', new Alphabet('abcdef'))).toContain('ac');
    expect(bitflips('ab', new Alphabet('ab'))).toEqual([]);
    expect(bitflips('', CRATE_ALPHABET)).toEqual([]);
  });

  it('forward flips agree with the precomputed corpus flips', () => {
    expect(bitflipForward('ac', new Alphabet('abcdef'))).toContain('ab');
    // A candidate outside the alphabet never matches, whatever its flips.
    expect(bitflipForward('a!', CRATE_ALPHABET)).toEqual([]);
  });
});

describe('omitted characters', () => {
  it('inserts every alphabet character at every position (typomania: "xyz" with "abc")', () => {
    expect(looked('xyz', omittedForward('xyz', new Alphabet('abc')))).toEqual(
      sorted([
        'axyz',
        'bxyz',
        'cxyz',
        'xayz',
        'xbyz',
        'xcyz',
        'xyaz',
        'xybz',
        'xycz',
        'xyza',
        'xyzb',
        'xyzc',
      ]),
    );
  });

  it('turns the empty name into every single character', () => {
    expect(looked('', omittedForward('', new Alphabet('ab')))).toEqual(['a', 'b']);
  });
});

describe('swapped words', () => {
  it.each([
    ['', []],
    ['a', []],
    ['abc', []],
    ['abc-def', ['abc_def', 'def-abc', 'def_abc']],
    [
      'abc-def_ghi',
      [
        'abc_def_ghi',
        'abc-def-ghi',
        'abc_ghi_def',
        'abc-ghi-def',
        'def_abc_ghi',
        'def-abc-ghi',
        'def_ghi_abc',
        'def-ghi-abc',
        'ghi_abc_def',
        'ghi-abc-def',
        'ghi_def_abc',
        'ghi-def-abc',
      ],
    ],
    // Separators at the ends make empty words, which are permuted like any other.
    ['-abc', ['_abc', 'abc-', 'abc_']],
    ['abc_', ['abc-', '_abc', '-abc']],
    ['-', ['_']],
  ])('%j looks up %j', (name, want) => {
    expect(looked(name, swappedWordsForward(name))).toEqual(sorted(want));
  });

  it('takes only max_k-word permutations of longer names (typomania: max_k 2 on a-b-c)', () => {
    expect(looked('a-b-c', swappedWordsForward('a-b-c', ['-', '_'], 2))).toEqual(
      sorted(['b_a', 'c_b', 'c-b', 'a-c', 'c_a', 'b-a', 'c-a', 'a_c', 'b_c', 'a-b', 'b-c', 'a_b']),
    );
  });

  it('inverse: a popular name is reachable only with one kind of delimiter and 2..max_k words', () => {
    expect(swappedWordsShape('def-abc')).toEqual(['abc', 'def']);
    expect(swappedWordsShape('a-b_c')).toBeNull();
    expect(swappedWordsShape('abc')).toBeNull();
    expect(swappedWordsShape('a-b-c-d-e')).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(swappedWordsShape('a-b-c-d-e-f')).toBeNull();
    expect(swappedWordsShape('-')).toEqual(['', '']);
  });

  it('splits like Rust (empty words kept)', () => {
    expect(splitWords('')).toEqual(['']);
    expect(splitWords('a--b_')).toEqual(['a', '', 'b', '']);
  });

  it('compares word multisets', () => {
    expect(isSubMultiset(['a', 'b'], ['a', 'b', 'c'])).toBe(true);
    expect(isSubMultiset(['a', 'a'], ['a', 'b'])).toBe(false);
    expect(isSubMultiset([], [])).toBe(true);
  });
});

describe('typos', () => {
  const table = new Map([['a', ['ab', 'b']]]);
  it.each([
    ['', []],
    ['x', []],
    ['a', ['ab', 'b']],
    ['xax', ['xabx', 'xbx']],
  ])('%j looks up %j (typomania: a → [ab, b])', (name, want) => {
    expect(looked(name, typoForward(name, table))).toEqual(sorted(want));
  });

  it('uses the empty replacement to drop a separator', () => {
    const typos = new Map(Object.entries(defaultTyposquatConfig().typos));
    expect(typoForward('serde-', typos)).toContain('serde');
    expect(typoForward('m', typos)).toContain('rn');
  });
});

describe('affixes', () => {
  it('adds and removes each affix with each separator, as prefix and suffix', () => {
    const got = affixForward('rs-foo', ['rs'], ['-']);
    expect(got).toEqual([
      { name: 'foo', detail: 'adds the rs- prefix' },
      { name: 'rs-rs-foo', detail: 'removes the rs- prefix' },
      { name: 'rs-foo-rs', detail: 'removes the -rs suffix' },
    ]);
  });

  it('strips an affix down to the empty name', () => {
    expect(affixForward('rs-', ['rs'], ['-'])).toContainEqual({ name: '', detail: 'adds the rs- prefix' });
  });
});

describe('messages', () => {
  it("uses Typomania's wording, and crates.io's for affixes", () => {
    expect(squatMessage('bitflip', 'serde')).toBe('may be a bitflip of serde');
    expect(squatMessage('omitted-character', 'serde')).toBe('omits characters in serde');
    expect(squatMessage('repeated-character', 'serde')).toBe('repeats characters in serde');
    expect(squatMessage('swapped-characters', 'serde')).toBe('swaps characters in serde');
    expect(squatMessage('swapped-words', 'serde')).toBe('swaps words in serde');
    expect(squatMessage('typo', 'serde')).toBe('uses a common typo for serde');
    expect(squatMessage('version', 'serde')).toBe('only changes the version from serde');
    expect(squatMessage('affix', 'serde', 'adds the rs- prefix')).toBe('adds the rs- prefix for serde');
  });
});

// Each inverse must list exactly the candidates whose forward check reaches the popular name.
describe('inverse checks agree with forward checks', () => {
  const alphabet = new Alphabet('abc1-_');
  const typos = new Map<string, string[]>([
    ['a', ['b', 'ab', '']],
    ['1', ['a']],
    ['-', ['_', '']],
    ['b', ['--']],
  ]);
  // Every name of length ≤ 4 over a small alphabet with repeats, digits and separators.
  const names: string[] = [''];
  for (let len = 1; len <= 4; len++) {
    const prev = names.filter((n) => n.length === len - 1);
    for (const p of prev) for (const c of 'abc1-_') names.push(p + c);
  }
  const checks: [string, (n: string) => string[], (n: string) => string[]][] = [
    ['repeated', repeatedForward, repeatedInverse],
    ['swapped', swappedCharactersForward, swappedCharactersInverse],
    ['omitted', (n) => omittedForward(n, alphabet), (n) => omittedInverse(n, alphabet)],
    ['bitflip', (n) => bitflipForward(n, alphabet), (n) => bitflips(n, alphabet)],
    ['typo', (n) => typoForward(n, typos), (n) => typoInverse(n, typos)],
    [
      'affix',
      (n) => affixForward(n, ['a', '1'], ['-', '']).map((x) => `${x.name}|${x.detail}`),
      (n) => affixInverse(n, ['a', '1'], ['-', '']).map((x) => `${x.name}|${x.detail}`),
    ],
  ];

  const space = new Set(names);

  it.each(checks.map((c) => [c[0], c] as const))('%s', (_label, [label, forward, inverse]) => {
    // Pairs (candidate, popular name) with both inside the enumerated names.
    const forwardPairs = new Set<string>();
    const inversePairs = new Set<string>();
    for (const candidate of names) {
      for (const t of forward(candidate)) {
        const [target, detail] = t.split('|');
        if (space.has(target!) && target !== candidate)
          forwardPairs.add(`${candidate}>${target}|${detail ?? ''}`);
      }
    }
    for (const target of names) {
      for (const c of inverse(target)) {
        const [candidate, detail] = c.split('|');
        if (space.has(candidate!) && target !== candidate)
          inversePairs.add(`${candidate}>${target}|${detail ?? ''}`);
      }
    }
    expect(forwardPairs, label).toEqual(inversePairs);
    expect(inversePairs.size, label).toBeGreaterThan(100);
  });
});
