// The straightforward method, as Typomania runs it: generate every variant of the candidate
// and look each up among the popular names. The reference the inverted index is tested against,
// and the baseline of the benchmark.
import {
  affixForward,
  bitflipForward,
  omittedForward,
  repeatedForward,
  swappedCharactersForward,
  swappedWordsForward,
  typoForward,
  versionStem,
} from './checks.js';
import type { CheckSettings, RawHit } from './variant-index.js';

export class NaiveMatcher {
  private readonly nameIndex = new Map<string, number>();

  constructor(
    names: readonly string[],
    private readonly settings: CheckSettings,
  ) {
    names.forEach((n, i) => {
      if (!this.nameIndex.has(n)) this.nameIndex.set(n, i);
    });
  }

  lookupAll(candidates: readonly string[]): RawHit[][] {
    return candidates.map((c) => this.lookup(c));
  }

  /** Raw hits in crates.io's check order (repeats included, as Typomania reports them). */
  lookup(candidate: string, out: RawHit[] = []): RawHit[] {
    const s = this.settings;
    const find = (kind: RawHit['kind'], names: Iterable<string>) => {
      for (const n of names) {
        const t = this.nameIndex.get(n);
        if (t !== undefined) out.push({ kind, target: t });
      }
    };
    find('repeated-character', repeatedForward(candidate));
    find('swapped-characters', swappedCharactersForward(candidate));
    const stem = versionStem(candidate);
    if (stem !== null) find('version', [stem]);
    find('bitflip', bitflipForward(candidate, s.alphabet));
    find('omitted-character', omittedForward(candidate, s.alphabet));
    find('swapped-words', swappedWordsForward(candidate));
    find('typo', typoForward(candidate, s.typos));
    for (const { name, detail } of affixForward(candidate, s.affixes, s.affixSeparators)) {
      const t = this.nameIndex.get(name);
      if (t !== undefined) out.push({ kind: 'affix', target: t, detail });
    }
    return out;
  }
}
