// What a registry keeps of a crate's analysis: the unsafe counts and a summary of its calls into
// other crates (callee crate → function path → number of call sites, over every target). Calls
// into the crate itself and into the standard library are left out: the summary answers "which
// registry crates does this code call, and where", not "what does it do internally".
import { canonicalCrateName } from '../domain/crate-name.js';
import type { CrateAnalysis } from './analyze-crate.js';
import { totalUnsafe, type UnsafeCounters } from './unsafe-counts.js';

export interface CalleePaths {
  /** Canonical crate name (lowercase, `-` as `_`). */
  crate: string;
  calls: number;
  /** Most called first. */
  paths: { path: string; calls: number }[];
}

/** Unsafe items of one kind (geiger's counters, the unsafe half only). */
export interface UnsafeTally {
  functions: number;
  exprs: number;
  itemImpls: number;
  itemTraits: number;
  methods: number;
}

/** What one `.rs` file holds: its unsafe items and its calls into other crates. */
export interface FileFacts {
  path: string;
  /** Compiled in the assumed build. */
  used: boolean;
  unsafe: UnsafeTally;
  /** Calls into other crates from this file, most called first. */
  calls: { path: string; calls: number }[];
}

/** One `pub use` of the lib: `path` is another name for `target` (for a glob, its names are). */
export interface Reexport {
  /** `crate_name::module::name`; for a glob, the module holding `pub use target::*`. */
  path: string;
  /** Canonical name of the crate `target` is in. */
  targetCrate: string;
  target: string;
  glob: boolean;
}

export interface AnalysisSummary {
  counts: { used: UnsafeCounters; unused: UnsafeCounters };
  /** Per `.rs` file (at most MAX_FILE_FACTS files, MAX_FILE_PATHS paths each). */
  files: FileFacts[];
  unsafeUsed: number;
  forbidsUnsafe: boolean;
  parsedFraction: number;
  /** Files that did not parse cleanly and crate-level notes; null when there are none. */
  error: string | null;
  invocations: CalleePaths[];
  /** The lib's `pub use` re-exports (named and globs), in any order. */
  reexports: Reexport[];
}

const STANDARD = new Set(['std', 'core', 'alloc', 'proc_macro', 'test']);

/** The longest error note kept: a crate with thousands of broken files is summed up, not listed. */
const MAX_NOTE = 2000;

/** Bounds on the per-file facts kept (a huge generated crate is not stored file by file). */
export const MAX_FILE_FACTS = 5000;
export const MAX_FILE_PATHS = 200;

export function unsafeTally(c: UnsafeCounters): UnsafeTally {
  return {
    functions: c.functions.unsafe,
    exprs: c.exprs.unsafe,
    itemImpls: c.itemImpls.unsafe,
    itemTraits: c.itemTraits.unsafe,
    methods: c.methods.unsafe,
  };
}

const byCallsThenPath = (x: { path: string; calls: number }, y: { path: string; calls: number }) =>
  y.calls - x.calls || (x.path < y.path ? -1 : x.path > y.path ? 1 : 0);

export function summarizeAnalysis(a: CrateAnalysis): AnalysisSummary {
  const self = canonicalCrateName(a.name);
  const libNames = new Set([self]);
  for (const target of Object.keys(a.invocations))
    if (target.startsWith('bin:')) libNames.add(canonicalCrateName(target.slice(4)));
  const byCrate = new Map<string, Map<string, number>>();
  const byFile = new Map<string, Map<string, number>>();
  for (const inv of Object.values(a.invocations)) {
    for (const c of inv.calls) {
      if (c.callee.kind !== 'resolved') continue;
      const crate = canonicalCrateName(c.callee.crate);
      // A bin calling its own package's lib names the lib: still the crate itself.
      if (libNames.has(crate) || STANDARD.has(crate)) continue;
      const paths = byCrate.get(crate) ?? new Map<string, number>();
      paths.set(c.callee.path, (paths.get(c.callee.path) ?? 0) + 1);
      byCrate.set(crate, paths);
      const inFile = byFile.get(c.file) ?? new Map<string, number>();
      inFile.set(c.callee.path, (inFile.get(c.callee.path) ?? 0) + 1);
      byFile.set(c.file, inFile);
    }
  }
  const files: FileFacts[] = a.files.slice(0, MAX_FILE_FACTS).map((f) => ({
    path: f.path,
    used: f.used,
    unsafe: unsafeTally(f.counters),
    calls: [...(byFile.get(f.path) ?? [])]
      .map(([path, calls]) => ({ path, calls }))
      .sort(byCallsThenPath)
      .slice(0, MAX_FILE_PATHS),
  }));
  const invocations = [...byCrate]
    .map(([crate, paths]) => {
      const list = [...paths]
        .map(([path, calls]) => ({ path, calls }))
        .sort((x, y) => y.calls - x.calls || (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
      return { crate, calls: list.reduce((s, p) => s + p.calls, 0), paths: list };
    })
    .sort((x, y) => y.calls - x.calls || (x.crate < y.crate ? -1 : 1));
  const problems = [
    ...a.files.filter((f) => f.error).map((f) => `${f.path}: ${f.error}`),
    ...(a.missingModules.length > 0
      ? [`declared modules not in the package: ${a.missingModules.join(', ')}`]
      : []),
    ...a.notes,
  ];
  let error: string | null = null;
  if (problems.length > 0) {
    error = problems.join('\n');
    if (error.length > MAX_NOTE) error = `${error.slice(0, MAX_NOTE)}\n… (${problems.length} notes in all)`;
  }
  return {
    counts: { used: a.unsafety.used, unused: a.unsafety.unused },
    files,
    unsafeUsed: totalUnsafe(a.unsafety.used),
    forbidsUnsafe: a.unsafety.forbidsUnsafe,
    parsedFraction: a.parse.parsedFraction,
    error,
    invocations,
    reexports: libReexports(a),
  };
}

/** Where a bounded number of re-exports stops: a generated crate may have thousands. */
const MAX_REEXPORTS = 5000;

/** The lib target's re-exports with `crate::` spelled as the crate's name (callers' spelling). */
function libReexports(a: CrateAnalysis): Reexport[] {
  const lib = a.invocations.lib;
  if (!lib) return [];
  const self = canonicalCrateName(a.name);
  const named = (mod: string): string => (mod === 'crate' ? self : `${self}${mod.slice('crate'.length)}`);
  const out: Reexport[] = [];
  const add = (path: string, target: string, glob: boolean): void => {
    const head = target.split('::')[0]!;
    if (out.length < MAX_REEXPORTS && head !== '' && !STANDARD.has(head) && path !== target)
      out.push({ path, targetCrate: canonicalCrateName(head), target, glob });
  };
  for (const [mod, names] of Object.entries(lib.exports))
    for (const [name, target] of Object.entries(names)) add(`${named(mod)}::${name}`, target, false);
  for (const [mod, targets] of Object.entries(lib.globExports ?? {}))
    for (const target of targets) add(named(mod), target, true);
  return out;
}
