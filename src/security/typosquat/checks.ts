// The Typomania checks (and crates.io's affixes check), each in two directions:
// - forward: from a candidate name, the popular names it may imitate (what Typomania does);
// - inverse: from a popular name, every candidate name that the forward check would map to it.
// The inverse form lets a checker precompute one hash map for the whole corpus and answer each
// candidate with a handful of lookups. Both directions must agree exactly (tested).
//
// Strings are handled as UTF-16 code units. Valid crate names are ASCII, where this is the same
// as Typomania's chars/bytes; for other input Typomania may panic on a non-char boundary, here
// such names simply never match an ASCII corpus.

export type SquatKind =
  | 'repeated-character'
  | 'swapped-characters'
  | 'version'
  | 'bitflip'
  | 'omitted-character'
  | 'swapped-words'
  | 'typo'
  | 'affix';

/** The order in which crates.io's harness runs the checks (Typomania's defaults first). */
export const CHECK_ORDER: readonly SquatKind[] = [
  'repeated-character',
  'swapped-characters',
  'version',
  'bitflip',
  'omitted-character',
  'swapped-words',
  'typo',
  'affix',
];

/** crates.io's CRATE_NAME_ALPHABET: used by the omitted-character and bitflip checks. */
export const CRATE_NAME_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz1234567890-_';

/** Word delimiters of the swapped-words check (crates.io: `SwappedWords::new("-_")`). */
export const WORD_DELIMITERS: readonly string[] = ['-', '_'];

/** Typomania's default `max_k` for swapped words: at most 5-token permutations are tried. */
export const SWAPPED_WORDS_MAX_K = 5;

/** Bits flipped by `bitflip::ascii_str`: the low seven of each byte, lowest first. */
const ASCII_BITS = 7;

/** One way a candidate may imitate `target`; `detail` carries the affix (e.g. `adds the rs- prefix`). */
export interface Variant {
  kind: SquatKind;
  /** The other name: a popular name (forward) or a candidate name (inverse). */
  name: string;
  detail?: string;
}

/** Typomania's Display texts; affixes use crates.io's `Squat::Custom` ("{message} for {package}"). */
export function squatMessage(kind: SquatKind, target: string, detail?: string): string {
  switch (kind) {
    case 'bitflip':
      return `may be a bitflip of ${target}`;
    case 'omitted-character':
      return `omits characters in ${target}`;
    case 'repeated-character':
      return `repeats characters in ${target}`;
    case 'swapped-characters':
      return `swaps characters in ${target}`;
    case 'swapped-words':
      return `swaps words in ${target}`;
    case 'typo':
      return `uses a common typo for ${target}`;
    case 'version':
      return `only changes the version from ${target}`;
    case 'affix':
      return `${detail ?? 'changes an affix'} for ${target}`;
  }
}

export class Alphabet {
  private readonly codes = new Uint8Array(65536);
  readonly chars: readonly string[];
  constructor(chars: string) {
    const list: string[] = [];
    for (let i = 0; i < chars.length; i++) {
      const c = chars.charCodeAt(i);
      if (this.codes[c]) continue;
      this.codes[c] = 1;
      list.push(chars[i]!);
    }
    this.chars = list;
  }
  hasCode(code: number): boolean {
    return this.codes[code] === 1;
  }
  containsAll(s: string): boolean {
    for (let i = 0; i < s.length; i++) if (this.codes[s.charCodeAt(i)] !== 1) return false;
    return true;
  }
}

export const CRATE_ALPHABET = new Alphabet(CRATE_NAME_ALPHABET);

// ---------------------------------------------------------------------------------------------
// Forward (Typomania's own loops)

/** Repeated: each pair of equal adjacent ASCII characters, with one of them removed. */
export function repeatedForward(name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < name.length; i++) {
    const a = name.charCodeAt(i);
    if (a === name.charCodeAt(i + 1) && a < 128) out.push(name.slice(0, i) + name[i] + name.slice(i + 2));
  }
  return out;
}

/** Swapped characters: each pair of different adjacent characters, swapped. */
export function swappedCharactersForward(name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < name.length; i++) {
    if (name[i] !== name[i + 1]) out.push(name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2));
  }
  return out;
}

/**
 * Version: trailing ASCII digits trimmed, then trailing `-` trimmed (not `_`: `abc_2` becomes
 * `abc_`). Null when nothing was trimmed or nothing is left.
 */
export function versionStem(name: string): string | null {
  let end = name.length;
  while (end > 0) {
    const c = name.charCodeAt(end - 1);
    if (c < 48 || c > 57) break;
    end--;
  }
  while (end > 0 && name.charCodeAt(end - 1) === 45) end--;
  return end === 0 || end === name.length ? null : name.slice(0, end);
}

/** Every single-bit flip (bits 0–6 of each character), kept only when wholly in `alphabet`. */
export function bitflips(name: string, alphabet: Alphabet): string[] {
  const out: string[] = [];
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    for (let bit = 0; bit < ASCII_BITS; bit++) {
      const flipped = c ^ (1 << bit);
      if (!alphabet.hasCode(flipped)) continue;
      const s = name.slice(0, i) + String.fromCharCode(flipped) + name.slice(i + 1);
      if (alphabet.containsAll(s)) out.push(s);
    }
  }
  return out;
}

/**
 * Bitflip, forward: Typomania precomputes the corpus' bitflips (filtered to the alphabet) and looks
 * the candidate up; a flip is its own inverse, so that is the candidate's flips, provided the
 * candidate itself is wholly in the alphabet.
 */
export function bitflipForward(name: string, alphabet: Alphabet): string[] {
  if (!alphabet.containsAll(name)) return [];
  const out: string[] = [];
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    for (let bit = 0; bit < ASCII_BITS; bit++) {
      out.push(name.slice(0, i) + String.fromCharCode(c ^ (1 << bit)) + name.slice(i + 1));
    }
  }
  return out;
}

/** Omitted: every alphabet character inserted at every position (0..=len). */
export function omittedForward(name: string, alphabet: Alphabet): string[] {
  const out: string[] = [];
  for (let i = 0; i <= name.length; i++) {
    const before = name.slice(0, i);
    const after = name.slice(i);
    for (const c of alphabet.chars) out.push(before + c + after);
  }
  return out;
}

/** Typos: each character with a table entry, replaced by each of its replacements. */
export function typoForward(name: string, typos: ReadonlyMap<string, readonly string[]>): string[] {
  const out: string[] = [];
  for (let i = 0; i < name.length; i++) {
    const replacements = typos.get(name[i]!);
    if (!replacements) continue;
    const before = name.slice(0, i);
    const after = name.slice(i + 1);
    for (const r of replacements) out.push(before + r + after);
  }
  return out;
}

/** Splits on every delimiter (empty tokens kept, as Rust's `str::split` does). */
export function splitWords(name: string, delimiters: readonly string[] = WORD_DELIMITERS): string[] {
  const tokens: string[] = [];
  let start = 0;
  for (let i = 0; i < name.length; i++) {
    if (delimiters.includes(name[i]!)) {
      tokens.push(name.slice(start, i));
      start = i + 1;
    }
  }
  tokens.push(name.slice(start));
  return tokens;
}

/**
 * Swapped words: every k-permutation (k = min(tokens, maxK)) of the tokens, joined by each
 * delimiter. Grows factorially with the token count: kept as the reference for tests and the
 * benchmark, the checker does not use it.
 */
export function swappedWordsForward(
  name: string,
  delimiters: readonly string[] = WORD_DELIMITERS,
  maxK = SWAPPED_WORDS_MAX_K,
): string[] {
  const tokens = splitWords(name, delimiters);
  if (tokens.length === 1) return [];
  const k = Math.min(tokens.length, maxK);
  const out: string[] = [];
  const used = new Array<boolean>(tokens.length).fill(false);
  const pick: string[] = [];
  const walk = (): void => {
    if (pick.length === k) {
      for (const d of delimiters) out.push(pick.join(d));
      return;
    }
    for (let i = 0; i < tokens.length; i++) {
      if (used[i]) continue;
      used[i] = true;
      pick.push(tokens[i]!);
      walk();
      pick.pop();
      used[i] = false;
    }
  };
  walk();
  return out;
}

/** Affixes (crates.io): prefix/suffix `affix`+`sep` added to or removed from the candidate. */
export function affixForward(
  name: string,
  affixes: readonly string[],
  separators: readonly string[],
): { name: string; detail: string }[] {
  const out: { name: string; detail: string }[] = [];
  for (const sep of separators) {
    for (const affix of affixes) {
      const prefix = affix + sep;
      if (name.startsWith(prefix))
        out.push({ name: name.slice(prefix.length), detail: `adds the ${prefix} prefix` });
      out.push({ name: prefix + name, detail: `removes the ${prefix} prefix` });
      const suffix = sep + affix;
      if (name.endsWith(suffix)) {
        out.push({ name: name.slice(0, name.length - suffix.length), detail: `adds the ${suffix} suffix` });
      }
      out.push({ name: name + suffix, detail: `removes the ${suffix} suffix` });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Inverse: from a popular name, the candidates that the forward check maps to it.

/** Candidates that repeat one ASCII character of `target`. */
export function repeatedInverse(target: string): string[] {
  const out: string[] = [];
  for (let j = 0; j < target.length; j++) {
    if (target.charCodeAt(j) >= 128) continue;
    // Doubling either character of a run gives the same name; keep the first.
    if (j > 0 && target[j] === target[j - 1]) continue;
    out.push(target.slice(0, j + 1) + target.slice(j));
  }
  return out;
}

/** Swapping two different adjacent characters is its own inverse. */
export const swappedCharactersInverse = swappedCharactersForward;

/** Candidates that omit one alphabet character of `target`. */
export function omittedInverse(target: string, alphabet: Alphabet): string[] {
  const out: string[] = [];
  for (let j = 0; j < target.length; j++) {
    if (!alphabet.hasCode(target.charCodeAt(j))) continue;
    if (j > 0 && target[j] === target[j - 1]) continue; // same result as deleting j-1
    out.push(target.slice(0, j) + target.slice(j + 1));
  }
  return out;
}

/**
 * Candidates with a character `c` where `target` has one of `c`'s replacements `r`: every
 * occurrence of `r` in `target` (every position when `r` is empty) replaced by `c`.
 */
export function typoInverse(target: string, typos: ReadonlyMap<string, readonly string[]>): string[] {
  const out: string[] = [];
  for (const [c, replacements] of typos) {
    for (const r of replacements) {
      if (r.length === 0) {
        for (let p = 0; p <= target.length; p++) out.push(target.slice(0, p) + c + target.slice(p));
        continue;
      }
      let p = target.indexOf(r);
      while (p >= 0) {
        out.push(target.slice(0, p) + c + target.slice(p + r.length));
        p = target.indexOf(r, p + 1);
      }
    }
  }
  return out;
}

/** Candidates that add or remove an affix of `target`, with the message detail the forward check gives. */
export function affixInverse(
  target: string,
  affixes: readonly string[],
  separators: readonly string[],
): { name: string; detail: string }[] {
  const out: { name: string; detail: string }[] = [];
  for (const sep of separators) {
    for (const affix of affixes) {
      const prefix = affix + sep;
      out.push({ name: prefix + target, detail: `adds the ${prefix} prefix` });
      if (target.startsWith(prefix)) {
        out.push({ name: target.slice(prefix.length), detail: `removes the ${prefix} prefix` });
      }
      const suffix = sep + affix;
      out.push({ name: target + suffix, detail: `adds the ${suffix} suffix` });
      if (target.endsWith(suffix)) {
        out.push({
          name: target.slice(0, target.length - suffix.length),
          detail: `removes the ${suffix} suffix`,
        });
      }
    }
  }
  return out;
}

/**
 * Swapped words, inverse: a popular name can be produced only if all its delimiters are the same
 * one and it has 2..maxK tokens. Returns its tokens, sorted (a multiset key), or null.
 */
export function swappedWordsShape(
  target: string,
  delimiters: readonly string[] = WORD_DELIMITERS,
  maxK = SWAPPED_WORDS_MAX_K,
): string[] | null {
  let delimiter: string | null = null;
  for (const ch of target) {
    if (!delimiters.includes(ch)) continue;
    if (delimiter !== null && ch !== delimiter) return null;
    delimiter = ch;
  }
  if (delimiter === null) return null;
  const tokens = splitWords(target, delimiters);
  if (tokens.length > maxK) return null;
  return tokens.sort();
}

/** Whether every token of `small` (sorted) appears in `big` (sorted) at least as often. */
export function isSubMultiset(small: readonly string[], big: readonly string[]): boolean {
  let j = 0;
  for (const t of small) {
    while (j < big.length && big[j]! < t) j++;
    if (j >= big.length || big[j] !== t) return false;
    j++;
  }
  return true;
}
