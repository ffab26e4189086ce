// Typosquat detection: the Typomania checks as crates.io runs them, and more (see docs/typosquat.md).
export { CHECK_ORDER, CRATE_NAME_ALPHABET, squatMessage, type SquatKind } from './checks.js';
export {
  compareHits,
  TyposquatChecker,
  type PopularCrate,
  type PublisherHit,
  type SquatHit,
  type TyposquatCandidate,
  type TyposquatCheckerOptions,
} from './checker.js';
export {
  defaultTyposquatConfig,
  loadTyposquatConfig,
  TyposquatConfigError,
  type TyposquatConfig,
} from './config.js';
export { IndexPopularity, rankRegistryCorpus, type RegistryCrateStats } from './corpus.js';
export { scanCandidates, scanWith, type ScanEntry, type ScanOptions, type ScanProgress } from './scan.js';
export { metadataSimilarity, textSimilarity } from './similarity.js';
export { ATTACK_AFFIXES, canonicalName, SHAPE_ORDER, type ShapeKind } from './shapes.js';
