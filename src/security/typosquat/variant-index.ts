// The inverted form of the checks: for each popular name, every candidate name a check would map
// to it, in one hash table (candidate → postings). Checking a candidate is then one lookup, plus
// the two checks that do not invert into a finite list (version suffix: computed forward;
// swapped words: a multiset-of-words key). Checking a whole batch (a scan) joins the other way
// round: the batch goes into a small table that the popular names' variants are probed against.
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
// a double, and hashes fit an Int32Array.
const P = 67108859;
const B = 40503;

const code = (k: SquatKind) => CHECK_ORDER.indexOf(k);
const REPEATED = code('repeated-character');
const SWAPPED = code('swapped-characters');
const BITFLIP = code('bitflip');
const OMITTED = code('omitted-character');
const TYPO = code('typo');

export class VariantIndex {
  /** Affix message details; affix codes follow the plain kinds. */
  private readonly details: string[] = [];
  private readonly codes: number;
  private readonly affixes: { text: string; hash: number; prefix: boolean; code: number; strip: number }[] =
    [];
  private readonly longestAffix: number;
  // The typo table reversed: where a popular name has replacement `r`, a candidate has `c`.
  private readonly typoBySingle = new Map<string, string[]>();
  private readonly typoByEmpty: string[] = [];
  private readonly typoByLonger: [string, string][] = [];
  private readonly words = new Map<string, number[]>();
  private readonly maxKTargets: { target: number; tokens: string[] }[] = [];
  private readonly nameIndex = new Map<string, number>();
  private readonly include: (i: number) => boolean;
  private pow: number[] = [1];
  /** hash of a candidate name → postings `target * codes + code`; built on the first lookup. */
  private table?: PostingTable;

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

    for (const sep of settings.affixSeparators) {
      for (const affix of settings.affixes) {
        for (const [text, prefix] of [
          [affix + sep, true],
          [sep + affix, false],
        ] as const) {
          const where = prefix ? 'prefix' : 'suffix';
          const code = this.detailCode(`adds the ${text} ${where}`);
          const strip = this.detailCode(`removes the ${text} ${where}`);
          this.affixes.push({ text, hash: hashOf(text), prefix, code, strip });
        }
      }
    }
    this.codes = CHECK_ORDER.length + this.details.length;
    this.longestAffix = this.affixes.reduce((m, a) => Math.max(m, a.text.length), 0);

    for (const [c, replacements] of settings.typos) {
      if (c.length !== 1) continue; // the forward check replaces one character at a time
      for (const r of replacements) {
        if (r.length === 1) {
          const list = this.typoBySingle.get(r);
          if (list) list.push(c);
          else this.typoBySingle.set(r, [c]);
        } else if (r.length === 0) this.typoByEmpty.push(c);
        else this.typoByLonger.push([c, r]);
      }
    }

    for (let t = 0; t < names.length; t++) {
      if (!this.indexed(t)) continue;
      const tokens = swappedWordsShape(names[t]!);
      if (!tokens) continue;
      const key = tokens.join('\u0000');
      const bucket = this.words.get(key);
      if (bucket) bucket.push(t);
      else this.words.set(key, [t]);
      if (tokens.length === SWAPPED_WORDS_MAX_K) this.maxKTargets.push({ target: t, tokens });
    }
  }

  /** Number of distinct hashes precomputed (for figures); 0 until the first single lookup. */
  get size(): number {
    return this.table?.size ?? 0;
  }

  /** Builds the table of every popular name's variants (done by the first `lookup` otherwise). */
  prepare(): void {
    if (this.table) return;
    // About 200 variants per name of typical length; the table grows if that is short.
    const table = new PostingTable(this.names.length * 200);
    for (let t = 0; t < this.names.length; t++) {
      if (this.indexed(t)) this.forEachVariant(t, (hash, code) => table.add(hash, t * this.codes + code));
    }
    this.table = table;
  }

  /** Every raw hit of `candidate` against the indexed popular names (possibly with repeats). */
  lookup(candidate: string, out: RawHit[] = []): RawHit[] {
    this.prepare();
    for (const p of this.table!.get(hashOf(candidate))) {
      const target = Math.floor(p / this.codes);
      const hit = this.decode(target, p - target * this.codes);
      if (this.confirm(hit, candidate, this.names[target]!)) out.push(hit);
    }
    this.shapeHits(candidate, out);
    return out;
  }

  /**
   * Raw hits of many candidates at once. Without a prebuilt table this is a join the other way
   * round: the candidates go into a small hash table and every popular name's variants are
   * probed against it, so nothing as large as the full variant table is ever built.
   */
  lookupAll(candidates: readonly string[], onProgress?: (fraction: number) => void): RawHit[][] {
    const out: RawHit[][] = candidates.map(() => []);
    if (this.table) {
      candidates.forEach((c, i) => this.lookup(c, out[i]!));
      onProgress?.(1);
      return out;
    }
    const byHash = new PostingTable(candidates.length);
    candidates.forEach((c, i) => byHash.add(hashOf(c), i));
    for (let t = 0; t < this.names.length; t++) {
      if (this.indexed(t)) {
        const target = this.names[t]!;
        this.forEachVariant(t, (hash, code) => {
          for (const i of byHash.get(hash)) {
            const hit = this.decode(t, code);
            if (this.confirm(hit, candidates[i]!, target)) out[i]!.push(hit);
          }
        });
      }
      if (onProgress && t % 256 === 255) onProgress((t + 1) / this.names.length);
    }
    candidates.forEach((c, i) => this.shapeHits(c, out[i]!));
    onProgress?.(1);
    return out;
  }

  private indexed(t: number): boolean {
    return this.include(t) && this.nameIndex.get(this.names[t]!) === t;
  }

  private decode(target: number, code: number): RawHit {
    return code < CHECK_ORDER.length
      ? { kind: CHECK_ORDER[code]!, target }
      : { kind: 'affix', target, detail: this.details[code - CHECK_ORDER.length]! };
  }

  /** The version and swapped-words checks, which look the candidate's own shape up. */
  private shapeHits(candidate: string, out: RawHit[]): void {
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
          if (sameWords(swappedWordsShape(this.names[t]!)!, tokens))
            out.push({ kind: 'swapped-words', target: t });
        }
      } else {
        // More words than max_k: any max_k of them, in any order, may form the popular name.
        for (const { target, tokens: tt } of this.maxKTargets) {
          if (isSubMultiset(tt, tokens)) out.push({ kind: 'swapped-words', target });
        }
      }
    }
  }

  /** Calls `emit(hash, code)` for every candidate name that a check maps to popular name `t`. */
  private forEachVariant(t: number, emit: (hash: number, code: number) => void): void {
    const alphabet = this.settings.alphabet;
    const name = this.names[t]!;
    const n = name.length;
    this.ensurePow(n + this.longestAffix + 2);
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
      if (ch < 128 && !runStart) emit(splice(j, ch, 1, j), REPEATED);
      // Omitted: the candidate lacks an alphabet character (once per run).
      if (alphabet.hasCode(ch) && !runStart) emit(splice(j, 0, 0, j + 1), OMITTED);
      // Swapped: two different adjacent characters trade places.
      if (j + 1 < n && ch !== name.charCodeAt(j + 1)) {
        emit(splice(j, (name.charCodeAt(j + 1) * B + ch) % P, 2, j + 2), SWAPPED);
      }
      // Bitflip: one of the low seven bits flipped, the result wholly in the alphabet.
      if (outside === 0 || (outside === 1 && outsideAt === j)) {
        for (let bit = 0; bit < 7; bit++) {
          const f = ch ^ (1 << bit);
          if (alphabet.hasCode(f)) emit(splice(j, f, 1, j + 1), BITFLIP);
        }
      }
      // Typo: the candidate has `c` where the popular name has the one-character replacement.
      const single = this.typoBySingle.get(name[j]!);
      if (single) for (const c of single) emit(splice(j, c.charCodeAt(0), 1, j + 1), TYPO);
    }
    for (const c of this.typoByEmpty) {
      for (let p = 0; p <= n; p++) emit(splice(p, c.charCodeAt(0), 1, p), TYPO);
    }
    for (const [c, r] of this.typoByLonger) {
      for (let p = name.indexOf(r); p >= 0; p = name.indexOf(r, p + 1)) {
        emit(splice(p, c.charCodeAt(0), 1, p + r.length), TYPO);
      }
    }
    for (const a of this.affixes) {
      const len = a.text.length;
      if (a.prefix) {
        emit((((a.hash * pow[n]!) % P) + full) % P, a.code);
        if (name.startsWith(a.text)) emit(suf(len), a.strip);
      } else {
        emit((((full * pow[len]!) % P) + a.hash) % P, a.code);
        if (name.endsWith(a.text)) emit(pre[n - len]!, a.strip);
      }
    }
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

  private ensurePow(n: number): void {
    while (this.pow.length <= n) this.pow.push((this.pow[this.pow.length - 1]! * B) % P);
  }
}

function hashOf(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * B + s.charCodeAt(i)) % P;
  return h;
}

function sameWords(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((w, i) => w === b[i]);
}

const NONE: readonly number[] = Object.freeze([]);

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
    if (this.keys[i] === 0) return NONE;
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
