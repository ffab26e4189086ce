// The inverted form of the checks: for each popular name, every candidate name a check would map
// to it, in one hash table (candidate → postings). Checking a candidate is then one lookup, plus
// the two checks that do not invert into a finite list (version suffix: computed forward;
// swapped words: a multiset-of-words key).
//
// Variants are never built as strings: each is a splice of the popular name (prefix + a few
// characters + suffix), so its polynomial hash follows from the name's prefix hashes in O(1).
// A lookup hashes the candidate and confirms each posting with the forward check itself, so a
// hash collision can cost a little time but never yields a wrong hit.
import {
  affixForward,
  CHECK_ORDER,
  isSubMultiset,
  repeatedForward,
  splitWords,
  swappedCharactersForward,
  swappedWordsShape,
  SWAPPED_WORDS_MAX_K,
  typoForward,
  versionStem,
  WORD_DELIMITERS,
  type Alphabet,
  type SquatKind,
} from './checks.js';

export interface CheckSettings {
  alphabet: Alphabet;
  typos: ReadonlyMap<string, readonly string[]>;
  affixes: readonly string[];
  affixSeparators: readonly string[];
}

/** A raw hit: the check, the index of the popular name, and the affix message detail if any. */
export interface RawHit {
  kind: SquatKind;
  target: number;
  detail?: string;
}

// Polynomial hash modulo a prime below 2^26: products of two residues stay below 2^53, exact in
// a double, and hashes are small integers (fast Map keys).
const P = 67108859;
const B = 40503;

const KIND_CODE = new Map<SquatKind, number>(CHECK_ORDER.map((k, i) => [k, i]));
const code = (k: SquatKind) => KIND_CODE.get(k)!;

export class VariantIndex {
  /** hash of a candidate name → posting(s); a posting is `target * codes + code`. */
  private readonly map: PostingTable;
  /** Affix message details; affix codes follow the plain kinds. */
  private readonly details: string[] = [];
  private readonly codes: number;
  private readonly words = new Map<string, number[]>();
  private readonly maxKTargets: { target: number; tokens: string[] }[] = [];
  private readonly nameIndex = new Map<string, number>();
  private readonly include: (i: number) => boolean;
  private pow: number[] = [1];

  /**
   * `names` are the popular names (index = rank); only those for which `include(i)` holds are
   * indexed (a shard), but every name keeps its global index.
   */
  constructor(
    private readonly names: readonly string[],
    private readonly settings: CheckSettings,
    include: (i: number) => boolean = () => true,
  ) {
    names.forEach((n, i) => {
      if (!this.nameIndex.has(n)) this.nameIndex.set(n, i);
    });
    this.include = include;
    // About 200 variants per name of typical length; the table grows if that is short.
    this.map = new PostingTable(names.length * 200);

    const affixes: { text: string; hash: number; prefix: boolean; code: number; strip: number }[] = [];
    for (const sep of settings.affixSeparators) {
      for (const affix of settings.affixes) {
        const prefix = affix + sep;
        const suffix = sep + affix;
        for (const [text, isPrefix] of [
          [prefix, true],
          [suffix, false],
        ] as const) {
          const where = isPrefix ? 'prefix' : 'suffix';
          const adds = this.detailCode(`adds the ${text} ${where}`);
          const removes = this.detailCode(`removes the ${text} ${where}`);
          affixes.push({ text, hash: this.hash(text), prefix: isPrefix, code: adds, strip: removes });
        }
      }
    }
    this.codes = CHECK_ORDER.length + this.details.length;
    const longestAffix = affixes.reduce((m, a) => Math.max(m, a.text.length), 0);

    // Typo table, reversed: a popular name containing replacement `r` where a candidate has `c`.
    const bySingle = new Map<string, string[]>();
    const byEmpty: string[] = [];
    const byLonger: [string, string][] = [];
    for (const [c, replacements] of settings.typos) {
      if (c.length !== 1) continue; // the forward check replaces one character at a time
      for (const r of replacements) {
        if (r.length === 1) {
          const list = bySingle.get(r);
          if (list) list.push(c);
          else bySingle.set(r, [c]);
        } else if (r.length === 0) byEmpty.push(c);
        else byLonger.push([c, r]);
      }
    }

    const alphabet = settings.alphabet;
    for (let t = 0; t < names.length; t++) {
      if (!include(t) || this.nameIndex.get(names[t]!) !== t) continue;
      const name = names[t]!;
      const n = name.length;
      this.ensurePow(n + longestAffix + 2);
      const pow = this.pow;
      const pre = new Array<number>(n + 1);
      pre[0] = 0;
      let outside = 0; // characters not in the alphabet
      let outsideAt = -1;
      for (let i = 0; i < n; i++) {
        const ch = name.charCodeAt(i);
        pre[i + 1] = (pre[i]! * B + ch) % P;
        if (!alphabet.hasCode(ch)) {
          outside++;
          outsideAt = i;
        }
      }
      const full = pre[n]!;
      // Hash of name[i..n].
      const suf = (i: number) => (full - ((pre[i]! * pow[n - i]!) % P) + P) % P;
      // Hash of name[0..i] + (text with hash h, length len) + name[j..n].
      const splice = (i: number, h: number, len: number, j: number) =>
        (((((pre[i]! * pow[len]!) % P) + h) % P) * pow[n - j]! + suf(j)) % P;

      for (let j = 0; j < n; j++) {
        const ch = name.charCodeAt(j);
        const runStart = j > 0 && name.charCodeAt(j - 1) === ch;
        // Repeated: the candidate doubles an ASCII character (once per run).
        if (ch < 128 && !runStart) this.add(splice(j, ch, 1, j), t, code('repeated-character'));
        // Omitted: the candidate lacks an alphabet character (once per run).
        if (alphabet.hasCode(ch) && !runStart) this.add(splice(j, 0, 0, j + 1), t, code('omitted-character'));
        // Swapped: two different adjacent characters trade places.
        if (j + 1 < n && ch !== name.charCodeAt(j + 1)) {
          this.add(splice(j, (name.charCodeAt(j + 1) * B + ch) % P, 2, j + 2), t, code('swapped-characters'));
        }
        // Bitflip: one of the low seven bits flipped, the result wholly in the alphabet.
        if (outside === 0 || (outside === 1 && outsideAt === j)) {
          for (let bit = 0; bit < 7; bit++) {
            const f = ch ^ (1 << bit);
            if (alphabet.hasCode(f)) this.add(splice(j, f, 1, j + 1), t, code('bitflip'));
          }
        }
        // Typo: the candidate has `c` where the popular name has the one-character replacement.
        for (const c of bySingle.get(name[j]!) ?? []) this.add(splice(j, c.charCodeAt(0), 1, j + 1), t, code('typo'));
      }
      for (const c of byEmpty) {
        for (let p = 0; p <= n; p++) this.add(splice(p, c.charCodeAt(0), 1, p), t, code('typo'));
      }
      for (const [c, r] of byLonger) {
        for (let p = name.indexOf(r); p >= 0; p = name.indexOf(r, p + 1)) {
          this.add(splice(p, c.charCodeAt(0), 1, p + r.length), t, code('typo'));
        }
      }
      for (const a of affixes) {
        const len = a.text.length;
        if (a.prefix) {
          this.add(((a.hash * pow[n]!) % P + full) % P, t, a.code);
          if (name.startsWith(a.text)) this.add(suf(len), t, a.strip);
        } else {
          this.add(((full * pow[len]!) % P + a.hash) % P, t, a.code);
          if (name.endsWith(a.text)) this.add(pre[n - len]!, t, a.strip);
        }
      }

      const tokens = swappedWordsShape(name);
      if (tokens) {
        const key = tokens.join('\u0000');
        const bucket = this.words.get(key);
        if (bucket) bucket.push(t);
        else this.words.set(key, [t]);
        if (tokens.length === SWAPPED_WORDS_MAX_K) this.maxKTargets.push({ target: t, tokens });
      }
    }
  }

  /** Number of distinct hashes precomputed (for figures). */
  get size(): number {
    return this.map.size;
  }

  /** Every raw hit of `candidate` against the indexed popular names (possibly with repeats). */
  lookup(candidate: string, out: RawHit[] = []): RawHit[] {
    {
      for (const p of this.map.get(this.hash(candidate))) {
        const target = Math.floor(p / this.codes);
        const c = p - target * this.codes;
        const hit: RawHit =
          c < CHECK_ORDER.length
            ? { kind: CHECK_ORDER[c]!, target }
            : { kind: 'affix', target, detail: this.details[c - CHECK_ORDER.length]! };
        if (this.confirm(hit, candidate, this.names[target]!)) out.push(hit);
      }
    }

    const stem = versionStem(candidate);
    if (stem !== null) {
      const t = this.nameIndex.get(stem);
      if (t !== undefined && this.include(t)) out.push({ kind: 'version', target: t });
    }

    const tokens = splitWords(candidate, WORD_DELIMITERS);
    if (tokens.length > 1) {
      tokens.sort();
      if (tokens.length <= SWAPPED_WORDS_MAX_K) {
        for (const t of this.words.get(tokens.join('\u0000')) ?? []) {
          // The key could collide only through a NUL inside a name; compare the words themselves.
          if (sameWords(swappedWordsShape(this.names[t]!)!, tokens)) out.push({ kind: 'swapped-words', target: t });
        }
      } else {
        // More words than max_k: any max_k of them, in any order, may form the popular name.
        for (const { target, tokens: tt } of this.maxKTargets) {
          if (isSubMultiset(tt, tokens)) out.push({ kind: 'swapped-words', target });
        }
      }
    }
    return out;
  }

  /** Whether the forward check on `candidate` really yields `target` (rules out hash collisions). */
  private confirm(hit: RawHit, candidate: string, target: string): boolean {
    const alphabet = this.settings.alphabet;
    switch (hit.kind) {
      case 'repeated-character':
        return target.length === candidate.length - 1 && repeatedForward(candidate).includes(target);
      case 'swapped-characters':
        return target.length === candidate.length && swappedCharactersForward(candidate).includes(target);
      case 'typo':
        return typoForward(candidate, this.settings.typos).includes(target);
      case 'affix':
        return affixForward(candidate, this.settings.affixes, this.settings.affixSeparators).some(
          (a) => a.name === target && a.detail === hit.detail,
        );
      case 'omitted-character': {
        if (target.length !== candidate.length + 1) return false;
        let i = 0;
        while (i < candidate.length && candidate.charCodeAt(i) === target.charCodeAt(i)) i++;
        return alphabet.hasCode(target.charCodeAt(i)) && candidate.slice(i) === target.slice(i + 1);
      }
      case 'bitflip': {
        if (target.length !== candidate.length || !alphabet.containsAll(candidate)) return false;
        let diff = -1;
        for (let i = 0; i < candidate.length; i++) {
          if (candidate.charCodeAt(i) === target.charCodeAt(i)) continue;
          if (diff >= 0) return false;
          diff = i;
        }
        if (diff < 0) return false;
        const x = candidate.charCodeAt(diff) ^ target.charCodeAt(diff);
        return x < 128 && (x & (x - 1)) === 0;
      }
      default:
        return false;
    }
  }

  private detailCode(detail: string): number {
    let i = this.details.indexOf(detail);
    if (i < 0) i = this.details.push(detail) - 1;
    return CHECK_ORDER.length + i;
  }

  private hash(s: string): number {
    let h = 0;
    for (let i = 0; i < s.length; i++) h = (h * B + s.charCodeAt(i)) % P;
    return h;
  }

  private ensurePow(n: number): void {
    while (this.pow.length <= n) this.pow.push((this.pow[this.pow.length - 1]! * B) % P);
  }

  private add(hash: number, target: number, c: number): void {
    this.map.add(hash, target * this.codes + c);
  }
}

/**
 * Open-addressing hash table from a hash (0 ≤ h < P) to one posting or a short list: typed
 * arrays instead of a Map of ~600k entries cut build time and garbage several-fold.
 */
class PostingTable {
  private keys: Int32Array; // hash + 1; 0 = empty slot
  private values: Int32Array; // a posting (≥ 0), or -(index into lists + 1)
  private readonly lists: number[][] = [];
  private mask: number;
  size = 0;

  constructor(expected: number) {
    let cap = 1024;
    while (cap < expected * 1.5 && cap < 1 << 30) cap *= 2;
    this.keys = new Int32Array(cap);
    this.values = new Int32Array(cap);
    this.mask = cap - 1;
  }

  add(hash: number, posting: number): void {
    let i = this.slot(hash);
    if (this.keys[i] === 0) {
      if ((this.size + 1) * 10 > this.keys.length * 7) {
        this.grow();
        i = this.slot(hash);
      }
      this.keys[i] = hash + 1;
      // Postings past int32 (huge corpora) live in a list of their own.
      this.values[i] = posting <= 0x7fffffff ? posting : -(this.lists.push([posting]) - 1) - 1;
      this.size++;
      return;
    }
    const v = this.values[i]!;
    if (v >= 0) {
      if (v !== posting) this.values[i] = -(this.lists.push([v, posting]) - 1) - 1;
    } else {
      const list = this.lists[-v - 1]!;
      if (!list.includes(posting)) list.push(posting);
    }
  }

  /** The postings of `hash`, or an empty list. */
  get(hash: number): readonly number[] {
    const i = this.slot(hash);
    if (this.keys[i] === 0) return [];
    const v = this.values[i]!;
    return v >= 0 ? [v] : this.lists[-v - 1]!;
  }

  /** The slot holding `hash`, or the empty slot where it would go (linear probing). */
  private slot(hash: number): number {
    const key = hash + 1;
    let i = Math.imul(hash, 0x9e3779b1) & this.mask;
    while (this.keys[i] !== 0 && this.keys[i] !== key) i = (i + 1) & this.mask;
    return i;
  }

  private grow(): void {
    const { keys, values } = this;
    this.keys = new Int32Array(keys.length * 2);
    this.values = new Int32Array(keys.length * 2);
    this.mask = this.keys.length - 1;
    for (let j = 0; j < keys.length; j++) {
      if (keys[j] === 0) continue;
      const i = this.slot(keys[j]! - 1);
      this.keys[i] = keys[j]!;
      this.values[i] = values[j]!;
    }
  }
}

function sameWords(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((w, i) => w === b[i]);
}
