// Ranks hits so the worst come first. A score in [0, 100] mixes:
// - how deliberate the name change looks (kind): a swap or a doubled letter is a classic typo
//   squat, an added `-rs` suffix or version number is very often a legitimate companion crate;
// - how popular the target is (log of its rank): squatters aim at what people install most;
// - how long the target's name is: `rc` → `arc` is likely chance, `serde_json` → `serde_jsom` is not;
// - when known, how similar description/README are: copying the target's text is a strong signal.
import type { SquatKind } from './checks.js';
import type { ShapeKind } from './shapes.js';

export type ScoredKind = SquatKind | ShapeKind | 'impersonated-publisher';

export const KIND_WEIGHT: Readonly<Record<ScoredKind, number>> = {
  'swapped-characters': 0.9,
  'repeated-character': 0.85,
  'omitted-character': 0.8,
  typo: 0.8,
  bitflip: 0.7,
  'impersonated-publisher': 0.7,
  'swapped-words': 0.6,
  version: 0.5,
  affix: 0.4,
  // Beyond Typomania (shapes.ts): a typo hidden behind `-`/`_` or case is as deliberate as a typo;
  // a plural or attack suffix less so; an extra word is most often a legitimate companion crate.
  'canonical-typo': 0.75,
  'added-characters': 0.6,
  // `-client` (16 of the 2019 index's names, all legitimate) as crates.io's affixes; the suffixes
  // only attacks used (`-rst`, `-sdk`, `-main`: none of its 31,839 names) weigh ATTACK_ONLY_WEIGHT.
  'attack-affix': 0.4,
  // A versioned name's stem, a merged companion word or a platform word: shapes attacks used
  // (proc-macro-en, postgresderive, win-base64-rs) that legitimate crates rarely take.
  'version-stem': 0.6,
  'merged-word': 0.7,
  'qualifier-word': 0.6,
  // A rare word after a top-1% name with the separator its family does not use: the shape of the
  // 2026 time/chrono campaign (`chrono_anchor`, `time_calibrator`); legitimate crates rarely take it.
  'off-convention-word': 0.6,
  'extra-word': 0.2,
};

/** The weight of an attack-affix hit by a suffix that legitimate crates do not use. */
export const ATTACK_ONLY_WEIGHT = 0.7;

/** 1 for the most popular crate, falling towards 0 for the last of `size`. */
export function popularity(rank: number, size: number): number {
  if (size <= 1) return 1;
  return Math.max(0, 1 - Math.log1p(rank) / Math.log1p(size));
}

/** 0 for names of one or two characters, 1 from eight characters on. */
export function lengthFactor(name: string): number {
  return Math.min(1, Math.max(0, (name.length - 2) / 6));
}

export function squatScore(
  kind: ScoredKind,
  targetRank: number,
  corpusSize: number,
  targetName: string,
  similarity?: number,
  /** Instead of the kind's weight, for a hit whose own shape says more (an attack-only suffix). */
  weight: number = KIND_WEIGHT[kind],
): number {
  const k = weight;
  const p = popularity(targetRank, corpusSize);
  const l = lengthFactor(targetName);
  const raw =
    similarity === undefined ? 0.4 * k + 0.3 * p + 0.3 * l : 0.3 * k + 0.2 * p + 0.2 * l + 0.3 * similarity;
  return Math.round(raw * 1000) / 10;
}
