// Checks beyond Typomania, for the shapes real attacks on crates.io used (issue 10). Each is a
// kind of its own, run after the Typomania checks and reported only for popular crates those
// did not already hit, so the Typomania-parity results stay exactly as they were.
//
// All of them compare crates.io's canonical form (lower case, `-` ≡ `_`):
// - canonical-typo: a Typomania check on the canonical forms (`serde-jsn` → `serde_json`);
// - added-characters: a plural `s`/`es` (`rands` → `rand`, `tracings` → `tracing`);
// - attack-affix: a suffix seen in attacks, not in crates.io's list (`-rst`, `-sdk`, `-client`…),
//   also after a version number (`libusb1-main` → `libusb`);
// - version-stem: a versioned name without its number, plus an affix or a word (`sha-rust` → `sha2`,
//   `proc-macro-en` → `proc-macro2`);
// - merged-word: a popular name and a companion word with the separator dropped
//   (`postgresderive` → `postgres`);
// - qualifier-word: a platform word in front of a popular name (`win-base64-rs` → `base64`);
// - extra-word: one more word (`tracing-check`), only for the top of the corpus and a word the
//   popular crate's own family does not use, and only with a similar description; scored low.
import { canonicalCrateName } from '../../domain/crate-name.js';
import { squatMessage } from './checks.js';
import { ATTACK_ONLY_WEIGHT } from './score.js';
import { NaiveMatcher } from './naive.js';
import { VariantIndex, type CheckSettings, type RawHit } from './variant-index.js';

export type ShapeKind =
  | 'canonical-typo'
  | 'added-characters'
  | 'attack-affix'
  | 'version-stem'
  | 'merged-word'
  | 'qualifier-word'
  | 'off-convention-word'
  | 'extra-word';

/** Order of the shape checks; a popular crate is reported by the first that hits it. */
export const SHAPE_ORDER: readonly ShapeKind[] = [
  'canonical-typo',
  'added-characters',
  'attack-affix',
  'version-stem',
  'merged-word',
  'qualifier-word',
  'off-convention-word',
  'extra-word',
];

/** Suffixes used by malicious crates that crates.io's affix list lacks. */
export const ATTACK_AFFIXES: readonly string[] = ['rst', 'sdk', 'sdks', 'client', 'main'];

/** Of those, the one legitimate crates use too (`websocket-client`), and so scored lower. */
export const COMMON_ATTACK_AFFIXES: ReadonlySet<string> = new Set(['client']);

/**
 * Words of companion crates (`foo-derive`, `foo-macros`, `foo-core`): merged into a popular name
 * without a separator they make `postgresderive`. The popular crate's own family words count too.
 */
export const COMPANION_WORDS: readonly string[] = [
  'derive',
  'derives',
  'macro',
  'macros',
  'codegen',
  'core',
  'types',
  'utils',
  'util',
  'impl',
  'internals',
  'shared',
  'common',
];

/** The longest word merged-word looks for (family words such as `subscriber` included). */
export const MERGED_MAX_WORD = 16;

/** merged-word only for popular names this long: `hypercore`, `errorderive` are names of their own. */
export const MERGED_MIN_TARGET = 6;

/**
 * Platform words that present a crate as a port of a popular one (`win-base64-rs`, the Windows
 * cluster of 2024/2025), in front of the name, with an optional affix after it. Not `async`, and
 * not after the name: `async-http`, `redis-async`, `tokio-windows`, `serial-win` are how
 * legitimate variants are named (34 of the 36 names those flagged in the 2019 index).
 */
export const QUALIFIER_WORDS: readonly string[] = [
  'win',
  'windows',
  'win32',
  'win64',
  'microsoft',
  'macos',
  'linux',
];

/** qualifier-word only for popular names this long (`win32-error`, `macos-open` are not ports). */
export const QUALIFIER_MIN_TARGET = 6;

/**
 * version-stem: the stem of a versioned popular name (`proc_macro` of `proc-macro2`) followed by
 * any word only from this length on; shorter stems (`sha`, `git`, `base`) only by an affix.
 */
export const STEM_ANY_WORD_MIN = 8;

/** Plurals of popular names shorter than this are not reported (`bits`, `tars`, `ares`). */
export const ADDED_MIN_TARGET = 4;

/** extra-word only imitates the first this many popular crates. */
export const EXTRA_WORD_TOP = 500;

/**
 * extra-word is reported only with a description/README this similar to the target's: on the
 * name alone it flags 1,176 more names of the 2019 index even for the top 500 (214 for the top 25).
 */
export const EXTRA_WORD_MIN_SIMILARITY = 0.5;

/**
 * off-convention-word only imitates the first this many popular crates (the top 1% of a corpus of
 * 3,000): below them an extension under another separator is ordinary (measured on the 2019
 * index: the top 500 would flag 41 legitimate names, the top 30 about a dozen).
 */
export const CONVENTION_TOP = 30;

/** A popular name's family needs this many other crates before its separator is a convention. */
export const CONVENTION_MIN_FAMILY = 5;

/**
 * The candidate's separator breaks the convention when at most this share of the family uses it
 * (`time_calibrator` beside `time-macros`, `time-humanize`…).
 */
export const CONVENTION_MAX_SHARE = 1 / 3;

/**
 * A word that more than this many other crates of the ecosystem put after a crate name is an
 * ordinary extension word (`derive`, `macros`, `sys`, `cli`, `utils`, `sync`…), not an attack's.
 */
export const CONVENTION_MAX_WORD_USES = 1;

/** crates.io's canonical form of a crate name: lower case, `-` as `_`. */
export const canonicalName = canonicalCrateName;

export interface ShapeHit {
  kind: ShapeKind;
  target: number;
  message: string;
  /** A score weight other than the kind's (score.ts). */
  weight?: number;
}

/**
 * What the ecosystem's own names say about conventions (the whole index or registry, not only the
 * popular crates): which separator each top popular name's family uses after it, and how many
 * crates put a word after a crate name. A candidate that is itself one of the names is not
 * counted as evidence about itself.
 */
export class EcosystemConventions {
  private readonly raw = new Map<string, string>();
  /** canonical popular head → [names with `-` after it, names with `_` after it] */
  private readonly separators = new Map<string, [number, number]>();
  /** word → crates whose last word it is, after a prefix that is itself a crate name */
  private readonly wordUses = new Map<string, number>();

  constructor(names: readonly string[], heads: ReadonlySet<string>) {
    for (const n of names) {
      const c = canonicalName(n);
      if (!this.raw.has(c)) this.raw.set(c, n);
    }
    for (const [c, n] of this.raw) {
      let at = c.indexOf('_');
      while (at > 0) {
        const head = c.slice(0, at);
        if (heads.has(head)) {
          let pair = this.separators.get(head);
          if (!pair) this.separators.set(head, (pair = [0, 0]));
          pair[n[at] === '-' ? 0 : 1]++;
        }
        at = c.indexOf('_', at + 1);
      }
      const cut = c.lastIndexOf('_');
      if (cut > 0 && this.raw.has(c.slice(0, cut))) {
        const word = c.slice(cut + 1);
        this.wordUses.set(word, (this.wordUses.get(word) ?? 0) + 1);
      }
    }
  }

  /**
   * For canonical candidate `c` = `head` + sep + `word` (sep as written, `-` or `_`): the other
   * crates of head's family, how many of them use sep, and how many other crates use the word.
   */
  evidence(
    c: string,
    head: string,
    word: string,
    sep: string,
  ): { family: number; same: number; uses: number } {
    const pair = this.separators.get(head) ?? [0, 0];
    const self = this.raw.get(c);
    const own = self !== undefined && self[head.length] === sep ? 1 : 0;
    const family = pair[0] + pair[1] - (self !== undefined ? 1 : 0);
    const same = pair[sep === '-' ? 0 : 1] - own;
    const uses = (this.wordUses.get(word) ?? 0) - (self !== undefined && this.raw.has(head) ? 1 : 0);
    return { family, same, uses };
  }
}

interface Matcher {
  lookup(candidate: string, out?: RawHit[]): RawHit[];
  lookupAll(candidates: readonly string[]): RawHit[][];
}

/** ATTACK_ONLY_WEIGHT for a suffix only attacks use; otherwise the kind's own weight. */
function attackAffixWeight(word: string): number | undefined {
  return ATTACK_AFFIXES.includes(word) && !COMMON_ATTACK_AFFIXES.has(word) ? ATTACK_ONLY_WEIGHT : undefined;
}

/** `foo2` → `foo`, `sha-1` → `sha` (canonical forms): a name and its trailing version number. */
const VERSIONED = /^(.*[a-z])_?(\d+)$/;

export class ShapeMatcher {
  private readonly canon: string[];
  private readonly canonIndex = new Map<string, number>();
  private readonly typos: Matcher;
  /** Words that other popular names use after the popular name (serde → json, derive…). */
  private readonly family = new Map<string, Set<string>>();
  /** Stems of versioned popular names that are not popular themselves (`proc_macro` → proc-macro2). */
  private readonly stems = new Map<string, { target: number; version: string }>();
  private readonly affixWords: Set<string>;
  private readonly companions = new Set(COMPANION_WORDS);
  private readonly qualifiers = new Set(QUALIFIER_WORDS);
  /** Every word merged-word may find: companions, affixes and all family words. */
  private readonly mergeable: Set<string>;
  private readonly include: (i: number) => boolean;
  private readonly conventions?: EcosystemConventions;

  constructor(
    private readonly names: readonly string[],
    settings: CheckSettings,
    method: 'indexed' | 'naive',
    include: (i: number) => boolean = () => true,
    /** Every crate name of the index or registry, for off-convention-word (off without it). */
    ecosystem?: readonly string[],
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
    this.affixWords = new Set([...settings.affixes, ...ATTACK_AFFIXES].map(canonicalName));
    this.canon.forEach((c, i) => {
      const m = VERSIONED.exec(c);
      if (m && m[1]!.length >= 3 && !this.canonIndex.has(m[1]!) && !this.stems.has(m[1]!))
        this.stems.set(m[1]!, { target: i, version: m[2]! });
    });
    // Family words: every word after a popular name's (or stem's) own words, in any popular name.
    for (const c of this.canon) {
      const tokens = c.split('_');
      for (let k = 1; k < tokens.length; k++) {
        const head = tokens.slice(0, k).join('_');
        if (!this.canonIndex.has(head) && !this.stems.has(head)) continue;
        let set = this.family.get(head);
        if (!set) this.family.set(head, (set = new Set()));
        for (const w of tokens.slice(k)) set.add(w);
      }
    }
    if (ecosystem) {
      const heads = new Set(this.canon.slice(0, CONVENTION_TOP));
      this.conventions = new EcosystemConventions(ecosystem, heads);
    }
    this.mergeable = new Set([...this.companions, ...this.affixWords]);
    for (const words of this.family.values()) for (const w of words) this.mergeable.add(w);
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
    const add = (
      kind: ShapeKind,
      target: number | undefined,
      message: (name: string) => string,
      weight?: number,
    ) => {
      if (target === undefined || done.has(target) || !this.include(target)) return;
      done.add(target);
      const hit: ShapeHit = { kind, target, message: message(this.names[target]!) };
      if (weight !== undefined) hit.weight = weight;
      out.push(hit);
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
      const rest = c.slice(0, c.length - suffix.length);
      const weight = attackAffixWeight(affix);
      add(
        'attack-affix',
        this.canonIndex.get(rest),
        (n) => `adds the ${sep}${affix} suffix for ${n}`,
        weight,
      );
      // A version number between the name and the suffix (`libusb1-main`).
      const v = VERSIONED.exec(rest);
      if (v && v[1]!.length >= ADDED_MIN_TARGET) {
        const message = (n: string) => `adds the version ${v[2]} and the ${sep}${affix} suffix for ${n}`;
        add('attack-affix', this.canonIndex.get(v[1]!), message, weight);
      }
    }

    const cut = c.lastIndexOf('_');
    const head = cut > 0 ? c.slice(0, cut) : '';
    const word = c.slice(cut + 1);

    // The versioned name without its number, then an affix (any stem) or a new word (long stems).
    const stem = cut > 0 ? this.stems.get(head) : undefined;
    if (
      stem &&
      (this.affixWords.has(word) ||
        (head.length >= STEM_ANY_WORD_MIN && /^[a-z]+$/.test(word) && !this.family.get(head)?.has(word)))
    ) {
      const message = (n: string) => `drops the version ${stem.version} of ${n} and adds ${word}`;
      add('version-stem', stem.target, message, attackAffixWeight(word));
    }

    // A companion word merged into the popular name (`postgresderive`): not split at a `_`.
    // Only tails that are some allowed word are looked at, and words are at most
    // MERGED_MAX_WORD letters, so a very long name costs no more.
    for (let k = Math.max(MERGED_MIN_TARGET, c.length - MERGED_MAX_WORD); k <= c.length - 3; k++) {
      const w = c.slice(k);
      if (!this.mergeable.has(w) || !/^[a-z]+$/.test(w) || c[k - 1] === '_') continue;
      const name = c.slice(0, k);
      if (!this.companions.has(w) && !this.affixWords.has(w) && !this.family.get(name)?.has(w)) continue;
      add('merged-word', this.canonIndex.get(name), (n) => `merges the word ${w} into ${n}`);
    }

    // A platform word first, and optionally an affix last (`win-base64-rs`).
    const tokens = c.split('_');
    if (tokens.length >= 2) {
      const qualified = (inner: string[], q: string) => {
        const name = inner.join('_');
        if (name.length < QUALIFIER_MIN_TARGET) return;
        add('qualifier-word', this.canonIndex.get(name), (n) => `adds the word ${q} to ${n}`);
      };
      const first = tokens[0]!;
      const last = tokens[tokens.length - 1]!;
      if (this.qualifiers.has(first)) {
        qualified(tokens.slice(1), first);
        if (tokens.length >= 3 && this.affixWords.has(last))
          qualified(tokens.slice(1, -1), `${first} and ${last}`);
      }
    }

    // One new word after a top name, joined by the separator its family does not use, and a word
    // the ecosystem does not use for extensions (`chrono_anchor` beside `chrono-tz`,
    // `chrono-humanize`…; `time_calibrator` beside `time-macros`…).
    const extra = cut > 0 ? this.canonIndex.get(head) : undefined;
    if (
      this.conventions &&
      extra !== undefined &&
      extra < CONVENTION_TOP &&
      /^[a-z]{3,}$/.test(word) &&
      !this.affixWords.has(word) &&
      !this.family.get(head)?.has(word)
    ) {
      const sep = candidate[head.length]!;
      const e = this.conventions.evidence(c, head, word, sep);
      if (
        e.family >= CONVENTION_MIN_FAMILY &&
        e.same <= CONVENTION_MAX_SHARE * e.family &&
        e.uses <= CONVENTION_MAX_WORD_USES
      ) {
        const other = sep === '-' ? '_' : '-';
        const message = (n: string) =>
          `adds the word ${word} to ${n} with ${sep} (${e.family - e.same} of its ${e.family} family crates use ${other})`;
        add('off-convention-word', extra, message);
      }
    }

    if (cut > 0) {
      const t = this.canonIndex.get(head);
      if (
        t !== undefined &&
        t < EXTRA_WORD_TOP &&
        /^[a-z]{3,}$/.test(word) &&
        !this.affixWords.has(word) &&
        !this.family.get(head)?.has(word)
      ) {
        add('extra-word', t, (n) => `adds the word ${word} to ${n}`);
      }
    }
    return out;
  }
}
