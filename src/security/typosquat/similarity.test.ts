import { describe, expect, it } from 'vitest';
import { MAX_TEXT_CHARS, metadataSimilarity, textSimilarity } from './similarity.js';

describe('textSimilarity', () => {
  it('is 1 for the same text and 0 for texts with no word in common', () => {
    const t = 'A fast, small HTTP client with connection pooling';
    expect(textSimilarity(t, t)).toBeCloseTo(1, 10);
    expect(textSimilarity(t, 'Parsing of ELF binaries for embedded targets')).toBe(0);
  });

  it('treats both crate names as the same word', () => {
    const a = 'serde is a framework for serializing and deserializing data structures';
    const b = 'serdee is a framework for serializing and deserializing data structures';
    expect(textSimilarity(a, b)).toBeLessThan(0.9);
    expect(textSimilarity(a, b, ['serde', 'serdee'])).toBeCloseTo(1, 10);
    // `serde_json` is replaced whole, not as `serde` + `_json`; `-` and `_` spellings alike.
    expect(textSimilarity('use serde-json here', 'use serde_json here', ['serde_json'])).toBeCloseTo(1, 10);
  });

  it('ignores case, punctuation, stop words and words every crate has', () => {
    expect(textSimilarity('The Rust crate for TOML parsing!', 'toml parsing')).toBeCloseTo(1, 10);
  });

  it('is 0 for empty or stop-word-only text', () => {
    expect(textSimilarity('', 'anything here')).toBe(0);
    expect(textSimilarity('the a of', 'the a of')).toBe(0);
  });

  it('ranks a lightly edited copy above a text sharing a few words', () => {
    const original = 'Bindings to libgit2 for interoperating with git repositories, with a safe API';
    const edited = 'Bindings to libgit2 for interoperating with git repositories (fork)';
    const related = 'A pure implementation of git repositories and objects';
    expect(textSimilarity(original, edited)).toBeGreaterThan(textSimilarity(original, related));
    expect(textSimilarity(original, related)).toBeGreaterThan(0);
  });

  it('reads at most MAX_TEXT_CHARS of each text', () => {
    // One-letter words are dropped: only the head counts, and what follows the cut is not read.
    const head = 'alpha beta gamma delta ' + 'x '.repeat(MAX_TEXT_CHARS / 2);
    expect(textSimilarity(head + ' omega', head + ' zeta')).toBeCloseTo(1, 10);
    expect(textSimilarity('alpha beta omega', 'alpha beta zeta')).toBeLessThan(0.7);
  });

  it('copes with regular-expression characters in names', () => {
    expect(textSimilarity('a+b (c) [d] x', 'a+b (c) [d] x', ['a+b', '(c)', '[d]'])).toBeCloseTo(1, 10);
  });
});

describe('metadataSimilarity', () => {
  it('is undefined without a pair of texts', () => {
    expect(metadataSimilarity({ name: 'a', description: 'x y' }, { name: 'b' })).toBeUndefined();
    expect(
      metadataSimilarity({ name: 'a', description: '  ' }, { name: 'b', description: 'words here' }),
    ).toBeUndefined();
  });

  it('takes the higher of description and README similarity', () => {
    const readme = 'Detailed documentation about widgets, gadgets and gizmos for everyone';
    const s = metadataSimilarity(
      { name: 'a', description: 'Unrelated words entirely', readme },
      { name: 'b', description: 'Something else altogether', readme },
    );
    expect(s).toBeCloseTo(1, 10);
  });
});
