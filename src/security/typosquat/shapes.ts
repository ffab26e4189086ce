// Checks beyond Typomania, for the shapes real attacks on crates.io used (issue 10). Each is a
// kind of its own, run after the Typomania checks and reported only for popular crates those
// did not already hit, so the Typomania-parity results stay exactly as they were.
//
// All of them compare crates.io's canonical form (lower case, `-` ≡ `_`):
// - canonical-typo: a Typomania check on the canonical forms (`serde-jsn` → `serde_json`);
// - added-characters: a plural `s`/`es` (`rands` → `rand`, `tracings` → `tracing`);
// - attack-affix: a suffix seen in attacks, not in crates.io's list (`-rst`, `-sdk`, `-client`…);
// - extra-word: one more word (`tracing-check`), only for the top of the corpus and a word the
//   popular crate's own family does not use, and only with a similar description; scored low.
import { canonicalCrateName } from '../../domain/crate-name.js';
import { squatMessage } from './checks.js';
import { NaiveMatcher } from './naive.js';
import { VariantIndex, type CheckSettings, type RawHit } from './variant-index.js';

export type ShapeKind = 'canonical-typo' | 'added-characters' | 'attack-affix' | 'extra-word';

/** Order of the shape checks; a popular crate is reported by the first that hits it. */
export const SHAPE_ORDER: readonly ShapeKind[] = [
  'canonical-typo',
  'added-characters',
  'attack-affix',
  'extra-word',
];

/** Suffixes used by malicious crates that crates.io's affix list lacks. */
export const ATTACK_AFFIXES: readonly string[] = ['rst', 'sdk', 'sdks', 'client', 'main'];

/** Plurals of popular names shorter than this are not reported (`bits`, `tars`, `ares`). */
export const ADDED_MIN_TARGET = 4;

/** extra-word only imitates the first this many popular crates. */
export const EXTRA_WORD_TOP = 500;

/**
 * extra-word is reported only with a description/README this similar to the target's: on the
 * name alone it flags 1,176 more names of the 2019 index even for the top 500 (214 for the top 25).
 */
export const EXTRA_WORD_MIN_SIMILARITY = 0.5;

/** crates.io's canonical form of a crate name: lower case, `-` as `_`. */
export const canonicalName = canonicalCrateName;

export interface ShapeHit {
  kind: ShapeKind;
  target: number;
  message: string;
}

interface Matcher {
  lookup(candidate: string, out?: RawHit[]): RawHit[];
  lookupAll(candidates: readonly string[]): RawHit[][];
}

export class ShapeMatcher {
  private readonly canon: string[];
  private readonly canonIndex = new Map<string, number>();
  private readonly typos: Matcher;
  /** Words that other popular names use after `t_` (serde → json, derive…). */
  private readonly family = new Map<number, Set<string>>();
  private readonly commonWords: Set<string>;
  private readonly include: (i: number) => boolean;

  constructor(
    private readonly names: readonly string[],
    settings: CheckSettings,
    method: 'indexed' | 'naive',
    include: (i: number) => boolean = () => true,
  ) {
    this.canon = names.map(canonicalName);
    this.canon.forEach((c, i) => {
      if (!this.canonIndex.has(c)) this.canonIndex.set(c, i);
    });
    this.include = (i) => include(i) && this.canonIndex.get(this.canon[i]!) === i;
    this.typos =
      method === 'naive'
        ? new NaiveMatcher(this.canon, settings)
        : new VariantIndex(this.canon, settings, this.include);
    this.commonWords = new Set([...settings.affixes, ...ATTACK_AFFIXES].map(canonicalName));
    // Family words: every word after the popular name's own words, in any popular name.
    for (const c of this.canon) {
      const tokens = c.split('_');
      for (let k = 1; k < tokens.length; k++) {
        const t = this.canonIndex.get(tokens.slice(0, k).join('_'));
        if (t === undefined || t >= EXTRA_WORD_TOP) continue;
        let set = this.family.get(t);
        if (!set) this.family.set(t, (set = new Set()));
        for (const w of tokens.slice(k)) set.add(w);
      }
    }
  }

  /** Builds the canonical names' variant table now (as `TyposquatChecker.prepare`). */
  prepare(): void {
    if (this.typos instanceof VariantIndex) this.typos.prepare();
  }

  /** Raw canonical-form typo hits for many candidates (the batch join of the variant index). */
  canonicalAll(candidates: readonly string[]): RawHit[][] {
    return this.typos.lookupAll(candidates.map(canonicalName));
  }

  /**
   * Shape hits of `candidate`, given its Typomania hits `exact` (whose targets are not reported
   * again) and, for a batch, its precomputed canonical typo hits.
   */
  lookup(candidate: string, exact: readonly RawHit[], canonicalRaw?: readonly RawHit[]): ShapeHit[] {
    const c = canonicalName(candidate);
    // The same name in canonical form: crates.io refuses it outright.
    if (this.canonIndex.has(c)) return [];
    const done = new Set(exact.map((h) => h.target));
    const out: ShapeHit[] = [];
    const add = (kind: ShapeKind, target: number | undefined, message: (name: string) => string) => {
      if (target === undefined || done.has(target) || !this.include(target)) return;
      done.add(target);
      out.push({ kind, target, message: message(this.names[target]!) });
    };

    for (const r of canonicalRaw ?? this.typos.lookup(c)) {
      add('canonical-typo', r.target, (n) => `${squatMessage(r.kind, n, r.detail)} (in canonical form)`);
    }

    // Plurals only: any one or two trailing letters flag 120 more names of the 2019 index
    // (`protocol` → `protoc`, `global` → `glob`), more than the whole budget.
    for (const suffix of ['s', 'es']) {
      if (!c.endsWith(suffix)) continue;
      const stem = c.slice(0, c.length - suffix.length);
      if (stem.length < ADDED_MIN_TARGET) continue;
      add('added-characters', this.canonIndex.get(stem), (n) => `adds the plural ${suffix} to ${n}`);
    }

    for (const affix of ATTACK_AFFIXES) {
      const suffix = `_${affix}`;
      if (!c.endsWith(suffix)) continue;
      const sep = candidate[candidate.length - suffix.length]!;
      add('attack-affix', this.canonIndex.get(c.slice(0, c.length - suffix.length)), (n) => {
        return `adds the ${sep}${affix} suffix for ${n}`;
      });
    }

    const cut = c.lastIndexOf('_');
    if (cut > 0) {
      const word = c.slice(cut + 1);
      const t = this.canonIndex.get(c.slice(0, cut));
      if (
        t !== undefined &&
        t < EXTRA_WORD_TOP &&
        /^[a-z]{3,}$/.test(word) &&
        !this.commonWords.has(word) &&
        !this.family.get(t)?.has(word)
      ) {
        add('extra-word', t, (n) => `adds the word ${word} to ${n}`);
      }
    }
    return out;
  }
}
