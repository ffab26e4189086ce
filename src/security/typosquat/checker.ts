// The typosquat checker: the Typomania harness semantics (as crates.io configures it) over a
// corpus of popular crates, plus the owner exemption, an allow-list, description/README
// similarity, impersonated publishers and a score that ranks hits.
import { Alphabet, CHECK_ORDER, CRATE_NAME_ALPHABET, squatMessage, type SquatKind } from './checks.js';
import type { TyposquatConfig } from './config.js';
import { NaiveMatcher } from './naive.js';
import { squatScore } from './score.js';
import {
  EXTRA_WORD_MIN_SIMILARITY,
  SHAPE_ORDER,
  ShapeMatcher,
  type ShapeHit,
  type ShapeKind,
} from './shapes.js';
import { metadataSimilarity } from './similarity.js';
import { VariantIndex, type CheckSettings, type RawHit } from './variant-index.js';

export interface PopularCrate {
  name: string;
  /** Owner identities (user or team logins or ids); a candidate sharing one is not a squat. */
  owners: string[];
  description?: string | null;
  readme?: string | null;
}

export interface TyposquatCandidate {
  name: string;
  owners?: string[];
  description?: string | null;
  readme?: string | null;
}

export interface SquatHit {
  /** One of the check kinds (`typo`, `bitflip`, `affix`, …; see CHECK_ORDER). */
  kind: string;
  target: string;
  targetOwners: string[];
  /** Typomania's wording, e.g. `uses a common typo for serde`. */
  message: string;
  /** 0–100, higher is worse; hits come sorted by it. */
  score: number;
  /** Description/README similarity to the target in [0, 1], when both sides have text. */
  similarity?: number;
  /** The target's popularity rank in the corpus, 1 = most popular. */
  targetRank: number;
}

export interface PublisherHit {
  kind: 'impersonated-publisher';
  /** The popular owner login that `login` imitates. */
  target: string;
  /** Popular crates that owner owns, most popular first. */
  crates: string[];
  score: number;
  message: string;
}

export interface TyposquatCheckerOptions {
  /** `naive` generates each candidate's variants and looks them up (the reference method). */
  method?: 'indexed' | 'naive';
  /** Index only the popular crates with `rank % count === index` (for parallel scans). */
  shard?: { index: number; count: number };
  /**
   * The checks beyond Typomania for shapes attacks used (`canonical-typo`, `added-characters`,
   * `attack-affix`, `version-stem`, `merged-word`, `qualifier-word`, `extra-word`; see shapes.ts). On by default; `false` gives Typomania parity.
   */
  shapes?: boolean;
  /**
   * Report `extra-word` on the name alone, without a similar description/README. Off by default:
   * on the 2019 index it flags over a thousand more names (docs/typosquat.md).
   */
  extraWordByName?: boolean;
  /**
   * Every crate name of the index or registry (popular or not): the conventions
   * `off-convention-word` reads (family separators, how common an extension word is). Without it
   * that kind is off.
   */
  ecosystem?: readonly string[];
}

interface Matcher {
  lookup(candidate: string, out?: RawHit[]): RawHit[];
  lookupAll(candidates: readonly string[], onProgress?: (fraction: number) => void): RawHit[][];
}

/** A publisher message names at most this many of the impersonated owner's crates. */
const MESSAGE_CRATES = 3;

export class TyposquatChecker {
  private readonly corpus: PopularCrate[];
  private readonly names: string[];
  private readonly nameIndex = new Map<string, number>();
  private readonly settings: CheckSettings;
  private readonly matcher: Matcher;
  private readonly shapes?: ShapeMatcher;
  private readonly allow: Set<string>;
  private readonly blockTop: number;
  private readonly extraWordByName: boolean;
  private publishers?: { logins: string[]; crates: number[][]; index: VariantIndex; known: Set<string> };

  /** `corpus` is ordered by popularity, most popular first; only the first `config.top` are used. */
  constructor(corpus: PopularCrate[], config: TyposquatConfig, options: TyposquatCheckerOptions = {}) {
    this.corpus = corpus.slice(0, config.top);
    this.names = this.corpus.map((c) => c.name);
    this.names.forEach((n, i) => {
      if (!this.nameIndex.has(n)) this.nameIndex.set(n, i);
    });
    this.settings = {
      alphabet: new Alphabet(CRATE_NAME_ALPHABET),
      typos: new Map(Object.entries(config.typos)),
      affixes: config.affixes,
      affixSeparators: config.affixSeparators,
    };
    this.allow = new Set(config.allow.map(([c, t]) => pairKey(c, t)));
    this.blockTop = config.blockTop;
    this.extraWordByName = options.extraWordByName ?? false;
    const shard = options.shard;
    this.matcher =
      options.method === 'naive'
        ? new NaiveMatcher(this.names, this.settings)
        : new VariantIndex(
            this.names,
            this.settings,
            shard ? (i) => i % shard.count === shard.index : undefined,
          );
    if (options.shapes !== false) {
      this.shapes = new ShapeMatcher(
        this.names,
        this.settings,
        options.method ?? 'indexed',
        shard ? (i) => i % shard.count === shard.index : undefined,
        options.ecosystem,
      );
    }
  }

  /** Popular crates in the corpus. */
  get size(): number {
    return this.corpus.length;
  }

  /** Distinct variant hashes in the prebuilt table (0 before `prepare` or the first `check`). */
  get tableSize(): number {
    return this.matcher instanceof VariantIndex ? this.matcher.size : 0;
  }

  /** Whether `name` is itself one of the popular crates (and so never a squat). */
  isPopular(name: string): boolean {
    return this.nameIndex.has(name);
  }

  /** Hits for `candidate`, worst first; empty when it is itself popular (Typomania's harness). */
  check(candidate: TyposquatCandidate): SquatHit[] {
    if (this.nameIndex.has(candidate.name)) return [];
    const raw = this.matcher.lookup(candidate.name);
    return this.finish(candidate, raw, this.shapes?.lookup(candidate.name, raw) ?? []);
  }

  /**
   * `check` for many candidates at once (a scan): the same results, computed by probing the
   * popular names' variants against the batch, which beats building the full table for one pass.
   */
  checkAll(candidates: readonly TyposquatCandidate[], onProgress?: (fraction: number) => void): SquatHit[][] {
    const raw = this.matcher.lookupAll(
      candidates.map((c) => c.name),
      onProgress,
    );
    const canonical = this.shapes?.canonicalAll(candidates.map((c) => c.name));
    return candidates.map((c, i) => {
      if (this.nameIndex.has(c.name)) return [];
      const shapes = this.shapes?.lookup(c.name, raw[i]!, canonical![i]!) ?? [];
      return this.finish(c, raw[i]!, shapes);
    });
  }

  /** Builds the variant table now rather than on the first `check` (e.g. at server start). */
  prepare(): void {
    if (this.matcher instanceof VariantIndex) this.matcher.prepare();
    this.shapes?.prepare();
  }

  private finish(
    candidate: TyposquatCandidate,
    raw: readonly RawHit[],
    shapes: readonly ShapeHit[] = [],
  ): SquatHit[] {
    if (raw.length === 0 && shapes.length === 0) return [];
    const name = candidate.name;
    const owners = new Set(candidate.owners ?? []);
    const seen = new Set<string>();
    const similarities = new Map<number, number | undefined>();
    const hasText = !!(candidate.description?.trim() || candidate.readme?.trim());
    const hits: SquatHit[] = [];
    const all: { kind: SquatKind | ShapeKind; target: number; message: () => string; weight?: number }[] = [
      ...raw.map((r) => ({
        kind: r.kind,
        target: r.target,
        message: () => squatMessage(r.kind, this.corpus[r.target]!.name, r.detail),
      })),
      ...shapes.map((s) => ({ kind: s.kind, target: s.target, message: () => s.message, weight: s.weight })),
    ];
    for (const r of all) {
      const target = this.corpus[r.target]!;
      // Typomania's possible_squat: not itself, and no owner in common.
      if (target.name === name || target.owners.some((o) => owners.has(o))) continue;
      if (this.allow.has(pairKey(name, target.name))) continue;
      const message = r.message();
      const key = `${r.kind}\u0000${r.target}\u0000${message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      let similarity: number | undefined;
      if (hasText) {
        if (!similarities.has(r.target)) similarities.set(r.target, metadataSimilarity(candidate, target));
        similarity = similarities.get(r.target);
      }
      // An extra word on the name alone is too common in legitimate crates (shapes.ts).
      if (
        r.kind === 'extra-word' &&
        !this.extraWordByName &&
        !(similarity !== undefined && similarity >= EXTRA_WORD_MIN_SIMILARITY)
      )
        continue;
      const hit: SquatHit = {
        kind: r.kind,
        target: target.name,
        targetOwners: [...target.owners],
        message,
        score: squatScore(r.kind, r.target, this.corpus.length, target.name, similarity, r.weight),
        targetRank: r.target + 1,
      };
      if (similarity !== undefined) hit.similarity = Math.round(similarity * 1000) / 1000;
      hits.push(hit);
    }
    return hits.sort(compareHits);
  }

  /**
   * Whether a login imitates the login of a popular crate's owner (`dtolney` vs `dtolnay`), by the
   * same checks as crate names, compared lowercase (GitHub logins ignore case). A login that
   * itself owns a popular crate is not reported.
   */
  checkPublisher(login: string): PublisherHit[] {
    const p = (this.publishers ??= this.buildPublishers());
    const l = login.toLowerCase();
    if (p.known.has(l)) return [];
    const best = new Map<number, SquatKind>();
    for (const r of p.index.lookup(l)) {
      if (p.logins[r.target] === l) continue;
      const prev = best.get(r.target);
      if (prev === undefined || CHECK_ORDER.indexOf(r.kind) < CHECK_ORDER.indexOf(prev))
        best.set(r.target, r.kind);
    }
    const out: PublisherHit[] = [];
    for (const [t, kind] of best) {
      const crateIdx = p.crates[t]!;
      const crates = crateIdx.map((i) => this.names[i]!);
      const target = p.logins[t]!;
      const shown = crates.slice(0, MESSAGE_CRATES).join(', ');
      const more = crates.length > MESSAGE_CRATES ? ` and ${crates.length - MESSAGE_CRATES} more` : '';
      out.push({
        kind: 'impersonated-publisher',
        target,
        crates,
        score: squatScore(kind, crateIdx[0]!, this.corpus.length, target),
        message: `publisher ${login} ${squatMessage(kind, target)}, owner of ${shown}${more}`,
      });
    }
    return out.sort((a, b) => b.score - a.score || compare(a.target, b.target));
  }

  /** The hits that make a publish refused under `block_top` (target within the top N). */
  blocking(hits: readonly SquatHit[]): SquatHit[] {
    return this.blockTop > 0 ? hits.filter((h) => h.targetRank <= this.blockTop) : [];
  }

  private buildPublishers() {
    const byLogin = new Map<string, number[]>();
    this.corpus.forEach((c, i) => {
      if (this.nameIndex.get(c.name) !== i) return;
      for (const o of new Set(c.owners.map((x) => x.toLowerCase()))) {
        const list = byLogin.get(o);
        if (list) list.push(i);
        else byLogin.set(o, [i]);
      }
    });
    // Ordered by each owner's most popular crate, so a login's index is its rank.
    const logins = [...byLogin.keys()].sort(
      (a, b) => byLogin.get(a)![0]! - byLogin.get(b)![0]! || compare(a, b),
    );
    const crates = logins.map((l) => byLogin.get(l)!);
    const index = new VariantIndex(logins, this.settings);
    return { logins, crates, index, known: new Set(logins) };
  }
}

/** Worst first; ties in crates.io's check order, then by target popularity, then message. */
export function compareHits(a: SquatHit, b: SquatHit): number {
  return (
    b.score - a.score ||
    kindOrder(a.kind) - kindOrder(b.kind) ||
    a.targetRank - b.targetRank ||
    compare(a.message, b.message)
  );
}

/** Typomania's kinds in crates.io's order, then the shape kinds. */
function kindOrder(kind: string): number {
  const i = CHECK_ORDER.indexOf(kind as SquatKind);
  return i >= 0 ? i : CHECK_ORDER.length + SHAPE_ORDER.indexOf(kind as ShapeKind);
}

function pairKey(candidate: string, target: string): string {
  return `${candidate}\u0000${target}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
