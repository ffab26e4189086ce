// The source-analysis facts of a delta, for the diff viewer: from the two versions' stored
// analyses (migration 016, per-file facts from 017), what changed in the unsafe counts of the
// used files, which function paths in other crates the newer version calls and the older one
// does not (and the reverse), and the same per file. Whatever a version lacks (not analysed yet,
// the analysis failed, a row from before per-file facts) is said so, not guessed.
import { unsafeTally, type FileFacts, type UnsafeTally } from '../analysis/invocation-summary.js';
import type { UnsafeCounters } from '../analysis/unsafe-counts.js';
import type { VersionAnalysisRow } from '../store/schema.js';
import { parseInvocations } from '../store/version-analyses.js';
import type { DiffAnalysis, DiffFileFacts } from './api-types.js';

const KINDS = ['functions', 'exprs', 'itemImpls', 'itemTraits', 'methods'] as const;

type Side = { version: string; row: VersionAnalysisRow | undefined };

const total = (t: UnsafeTally) => KINDS.reduce((n, k) => n + t[k], 0);

type CounterChange = NonNullable<DiffAnalysis['unsafe']>[number];

function changes(before: UnsafeTally, after: UnsafeTally): CounterChange[] {
  return KINDS.filter((k) => before[k] !== after[k]).map((k) => ({
    counter: k,
    before: before[k],
    after: after[k],
  }));
}

function analysed(row: VersionAnalysisRow | undefined): row is VersionAnalysisRow & { counts: string } {
  return row !== undefined && row.counts !== null;
}

function fileFacts(row: VersionAnalysisRow | undefined): Map<string, FileFacts> | null {
  if (!analysed(row) || row.files === null) return null;
  try {
    const list = JSON.parse(row.files) as FileFacts[];
    return Array.isArray(list) ? new Map(list.map((f) => [f.path, f])) : null;
  } catch {
    return null; // a damaged row reads as one without per-file facts
  }
}

function usedTally(row: VersionAnalysisRow & { counts: string }): UnsafeTally {
  return unsafeTally((JSON.parse(row.counts) as { used: UnsafeCounters }).used);
}

/** Paths of `a` that `b` does not have, with `a`'s call counts. */
function missingFrom<T extends { path: string }>(a: T[], b: T[]): T[] {
  const seen = new Set(b.map((x) => x.path));
  return a.filter((x) => !seen.has(x.path));
}

function crateCalls(row: VersionAnalysisRow): { crate: string; path: string; calls: number }[] {
  return parseInvocations(row).flatMap((c) => c.paths.map((p) => ({ crate: c.crate, ...p })));
}

export function diffAnalysis(from: Side, to: Side): DiffAnalysis | null {
  if (!from.row && !to.row) return null;
  const side = (s: Side) => ({
    version: s.version,
    status: !s.row ? ('pending' as const) : analysed(s.row) ? ('analyzed' as const) : ('failed' as const),
    unsafeUsed: analysed(s.row) ? s.row.unsafe_used : null,
    forbidsUnsafe: analysed(s.row) ? s.row.forbids_unsafe === 1 : null,
    perFile: fileFacts(s.row) !== null,
  });
  const f = from.row;
  const t = to.row;
  const both = analysed(f) && analysed(t) ? { f, t } : null;
  let files: DiffFileFacts[] = [];
  const before = fileFacts(from.row);
  const after = fileFacts(to.row);
  if (before && after) {
    const none: FileFacts = {
      path: '',
      used: false,
      unsafe: { functions: 0, exprs: 0, itemImpls: 0, itemTraits: 0, methods: 0 },
      calls: [],
    };
    const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
    files = paths.flatMap((path) => {
      const b = before.get(path);
      const a = after.get(path);
      const unsafe = changes((b ?? none).unsafe, (a ?? none).unsafe);
      const callsAdded = missingFrom((a ?? none).calls, (b ?? none).calls);
      const callsRemoved = missingFrom((b ?? none).calls, (a ?? none).calls);
      if (unsafe.length === 0 && callsAdded.length === 0 && callsRemoved.length === 0) return [];
      return [
        {
          path,
          unsafeBefore: b ? total(b.unsafe) : null,
          unsafeAfter: a ? total(a.unsafe) : null,
          unsafe,
          callsAdded,
          callsRemoved,
        },
      ];
    });
  }
  const key = (c: { crate: string; path: string }) => `${c.crate}\u0000${c.path}`;
  const callDiff = (a: VersionAnalysisRow, b: VersionAnalysisRow) => {
    const seen = new Set(crateCalls(b).map(key));
    return crateCalls(a).filter((c) => !seen.has(key(c)));
  };
  return {
    from: side(from),
    to: side(to),
    unsafe: both ? changes(usedTally(both.f), usedTally(both.t)) : null,
    callsAdded: both ? callDiff(both.t, both.f) : null,
    callsRemoved: both ? callDiff(both.f, both.t) : null,
    files,
  };
}
