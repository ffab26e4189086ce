// Is the scanned crate a clone of the registry's candidate original, and which of its changed
// or added functions gained a risky capability the original does not have there (a network
// call, a process, a credential or secret read, a decoded string…)? Signals come from the
// scan's own analysis, mapped to functions by line range; the original is analysed only when
// the clone has such signals in a changed or added function.
import type { Parser } from 'web-tree-sitter';
import { analyzeRust } from '../code-signals.js';
import type { Signal, SignalKind } from '../code-signals.js';
import { extractRustFacts } from '../rust-facts.js';
import type { CloneCandidate } from '../types.js';
import { compareSources, isClone } from './compare.js';
import type { Comparison } from './compare.js';
import { splitFunctions } from './rust-functions.js';
import type { RustFunction } from './rust-functions.js';

/** What a copied function should not quietly gain. */
const RISKY = new Set<SignalKind>([
  'network',
  'raw-http',
  'exec',
  'exec-shell',
  'download-tool',
  'pipe-to-shell',
  'write-then-exec',
  'exec-temp',
  'detach',
  'env-secret',
  'env-enumerate',
  'fingerprint',
  'credential-path',
  'persistence',
  'persistence-write',
  'key-regex',
  'tls-disabled',
  'obfuscated',
  'runtime-decode',
  'decode-routine',
  'git-consumer',
  'av-check',
  'reverse-shell',
  'embedded-executable',
  'exec-shipped',
  'evasion',
  'exec-memory',
  'static-ctor',
  'channel',
  'clipboard',
  'input-capture',
  'screen-capture',
]);

/** Functions users call without meaning to run anything much: constructors, Default, Drop, Display… */
const AUTOMATIC = new Set([
  'new',
  'try_new',
  'init',
  'initialize',
  'setup',
  'default',
  'drop',
  'connect',
  'start',
  'build',
  'builder',
  'open',
  'from',
  'fmt',
  'deref',
  'clone',
]);

export function isAutomatic(fn: RustFunction): boolean {
  return AUTOMATIC.has(fn.name.split('::').pop() ?? fn.name);
}

export interface RiskyChange {
  fn: RustFunction;
  how: 'changed' | 'added';
  original: RustFunction | null;
  /** Risky signal kinds the function has and its original (for added ones: the original crate) lacks. */
  kinds: string[];
  automatic: boolean;
}

export interface CloneAssessment {
  candidate: CloneCandidate;
  comparison: Comparison;
  risky: RiskyChange[];
}

export interface ScannedSource {
  path: string;
  text: string;
  signals: readonly Signal[];
}

/** Risky signal kinds per function (innermost by line range), test code left out. */
function riskyByFunction(
  fns: readonly RustFunction[],
  signals: readonly Signal[],
): Map<RustFunction, Set<string>> {
  const out = new Map<RustFunction, Set<string>>();
  for (const s of signals) {
    if (s.test || !RISKY.has(s.kind)) continue;
    let best: RustFunction | null = null;
    for (const f of fns)
      if (s.line >= f.line && s.line <= f.endLine && (!best || f.endLine - f.line < best.endLine - best.line))
        best = f;
    if (!best) continue;
    const set = out.get(best) ?? new Set<string>();
    set.add(s.kind);
    out.set(best, set);
  }
  return out;
}

export function assessClone(
  parser: Parser,
  candidate: CloneCandidate,
  scanned: readonly ScannedSource[],
): CloneAssessment | null {
  const originalFns = new Map<string, RustFunction[]>();
  for (const f of candidate.sources) originalFns.set(f.path, splitFunctions(parser, f.path, f.text));
  const cloneFns = new Map<string, RustFunction[]>();
  for (const f of scanned) cloneFns.set(f.path, splitFunctions(parser, f.path, f.text));
  const comparison = compareSources(
    { files: candidate.sources, functions: [...originalFns.values()].flat() },
    { files: [...scanned], functions: [...cloneFns.values()].flat() },
  );
  if (!isClone(comparison)) return null;

  const cloneRisk = new Map<RustFunction, Set<string>>();
  for (const f of scanned)
    for (const [fn, kinds] of riskyByFunction(cloneFns.get(f.path) ?? [], f.signals))
      cloneRisk.set(fn, kinds);
  const touched = [
    ...comparison.changed.map((c) => ({ fn: c.clone, how: 'changed' as const, original: c.original })),
    ...comparison.added.map((fn) => ({ fn, how: 'added' as const, original: null })),
  ].filter((t) => cloneRisk.has(t.fn));
  if (touched.length === 0) return { candidate, comparison, risky: [] };

  // The original's own capabilities, per function and for the whole crate.
  const originalRisk = new Map<RustFunction, Set<string>>();
  const originalKinds = new Set<string>();
  for (const f of candidate.sources) {
    const signals = analyzeRust(extractRustFacts(parser, f.text)).signals;
    for (const [fn, kinds] of riskyByFunction(originalFns.get(f.path) ?? [], signals)) {
      originalRisk.set(fn, kinds);
      for (const k of kinds) originalKinds.add(k);
    }
  }
  const risky: RiskyChange[] = [];
  for (const t of touched) {
    const before = t.original ? (originalRisk.get(t.original) ?? new Set<string>()) : originalKinds;
    const kinds = [...cloneRisk.get(t.fn)!].filter((k) => !before.has(k)).sort();
    if (kinds.length > 0)
      risky.push({ ...t, kinds, automatic: isAutomatic(t.fn) || kinds.includes('static-ctor') });
  }
  risky.sort((a, b) => Number(b.automatic) - Number(a.automatic) || b.kinds.length - a.kinds.length);
  return { candidate, comparison, risky };
}
