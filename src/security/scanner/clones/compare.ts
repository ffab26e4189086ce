// Matching two crates' functions and files: identical (same name, same normalised body),
// changed (same name, different body), added (only in the clone), removed (only in the
// original). Names are matched in the same file first, then anywhere (files get moved).
import type { RustFunction } from './rust-functions.js';

export interface FunctionChange {
  original: RustFunction;
  clone: RustFunction;
}

export interface Comparison {
  originalFunctions: number;
  identical: RustFunction[];
  changed: FunctionChange[];
  added: RustFunction[];
  removed: RustFunction[];
  originalFiles: number;
  identicalFiles: number;
}

/**
 * The clone threshold: at least MIN_FUNCTIONS functions in the original, of which at least
 * 60% reappear by name (identical or changed) and at least 30% unchanged; or, for crates with
 * few functions (macro crates), at least 60% of at least 2 Rust files identical.
 */
export const CLONE_THRESHOLD = {
  minFunctions: 3,
  matchedShare: 0.6,
  identicalShare: 0.3,
  minFiles: 2,
  fileShare: 0.6,
} as const;

export function compareSources(
  original: { files: { path: string; text: string }[]; functions: RustFunction[] },
  clone: { files: { path: string; text: string }[]; functions: RustFunction[] },
): Comparison {
  const cloneTexts = new Set(clone.files.map((f) => f.text));
  const identicalFiles = original.files.filter((f) => cloneTexts.has(f.text)).length;

  const unmatched = new Set(original.functions);
  const byName = new Map<string, RustFunction[]>();
  for (const f of original.functions) byName.set(f.name, [...(byName.get(f.name) ?? []), f]);
  const take = (c: RustFunction, accept: (o: RustFunction) => boolean): RustFunction | null => {
    const o = (byName.get(c.name) ?? []).find((x) => unmatched.has(x) && accept(x)) ?? null;
    if (o) unmatched.delete(o);
    return o;
  };
  const identical: RustFunction[] = [];
  const pending: RustFunction[] = [];
  // Identical first (same file, then any file), so a changed copy never takes an identical one's match.
  for (const c of clone.functions) {
    const o = take(c, (x) => x.key === c.key && x.path === c.path) ?? take(c, (x) => x.key === c.key);
    if (o) identical.push(c);
    else pending.push(c);
  }
  const changed: FunctionChange[] = [];
  const added: RustFunction[] = [];
  for (const c of pending) {
    const o = take(c, (x) => x.path === c.path) ?? take(c, () => true);
    if (o) changed.push({ original: o, clone: c });
    else added.push(c);
  }
  return {
    originalFunctions: original.functions.length,
    identical,
    changed,
    added,
    removed: original.functions.filter((f) => unmatched.has(f)),
    originalFiles: original.files.length,
    identicalFiles,
  };
}

export function isClone(c: Comparison): boolean {
  const t = CLONE_THRESHOLD;
  const n = c.originalFunctions;
  const byFunctions =
    n >= t.minFunctions &&
    (c.identical.length + c.changed.length) / n >= t.matchedShare &&
    c.identical.length / n >= t.identicalShare;
  const byFiles = c.originalFiles >= t.minFiles && c.identicalFiles / c.originalFiles >= t.fileShare;
  return byFunctions || byFiles;
}
