import { describe, expect, it } from 'vitest';
import type { VersionAnalysisRow } from '../store/schema.js';
import { diffAnalysis } from './diff-analysis.js';

const counters = (fns: number, exprs: number) => ({
  functions: { safe: 0, unsafe: fns },
  exprs: { safe: 10, unsafe: exprs },
  itemImpls: { safe: 0, unsafe: 0 },
  itemTraits: { safe: 0, unsafe: 0 },
  methods: { safe: 0, unsafe: 0 },
});
const tally = (functions: number, exprs: number) => ({
  functions,
  exprs,
  itemImpls: 0,
  itemTraits: 0,
  methods: 0,
});

function row(
  used: [number, number],
  calls: { crate: string; path: string; calls: number }[],
  files: unknown[] | null,
): VersionAnalysisRow {
  return {
    version_id: 1,
    counts: JSON.stringify({ used: counters(...used), unused: counters(0, 0) }),
    unsafe_used: used[0] + used[1],
    forbids_unsafe: 0,
    parsed_fraction: 1,
    error: null,
    invocations: JSON.stringify(
      [...new Set(calls.map((c) => c.crate))].map((crate) => ({
        crate,
        calls: calls.filter((c) => c.crate === crate).reduce((n, c) => n + c.calls, 0),
        paths: calls.filter((c) => c.crate === crate).map(({ path, calls: n }) => ({ path, calls: n })),
      })),
    ),
    analyzed_at: '2026-12-01T00:00:00.000Z',
    files: files === null ? null : JSON.stringify(files),
  };
}

describe('diff analysis facts', () => {
  const before = row(
    [0, 1],
    [{ crate: 'libc', path: 'libc::read', calls: 2 }],
    [
      { path: 'src/lib.rs', used: true, unsafe: tally(0, 1), calls: [{ path: 'libc::read', calls: 2 }] },
      { path: 'src/same.rs', used: true, unsafe: tally(1, 1), calls: [] },
    ],
  );
  const after = row(
    [1, 3],
    [
      { crate: 'libc', path: 'libc::read', calls: 2 },
      { crate: 'libc', path: 'libc::write', calls: 1 },
    ],
    [
      {
        path: 'src/lib.rs',
        used: true,
        unsafe: tally(0, 1),
        calls: [
          { path: 'libc::read', calls: 2 },
          { path: 'libc::write', calls: 1 },
        ],
      },
      { path: 'src/same.rs', used: true, unsafe: tally(1, 1), calls: [] },
      { path: 'src/new.rs', used: true, unsafe: tally(0, 1), calls: [] },
    ],
  );

  it('lists what changed, overall and per file, leaving unchanged files out', () => {
    const d = diffAnalysis({ version: '1.0.0', row: before }, { version: '1.1.0', row: after })!;
    expect(d.unsafe).toEqual([
      { counter: 'functions', before: 0, after: 1 },
      { counter: 'exprs', before: 1, after: 3 },
    ]);
    expect(d.callsAdded).toEqual([{ crate: 'libc', path: 'libc::write', calls: 1 }]);
    expect(d.callsRemoved).toEqual([]);
    expect(d.files).toEqual([
      {
        path: 'src/lib.rs',
        unsafeBefore: 1,
        unsafeAfter: 1,
        unsafe: [],
        callsAdded: [{ path: 'libc::write', calls: 1 }],
        callsRemoved: [],
      },
      {
        path: 'src/new.rs',
        unsafeBefore: null,
        unsafeAfter: 1,
        unsafe: [{ counter: 'exprs', before: 0, after: 1 }],
        callsAdded: [],
        callsRemoved: [],
      },
    ]);
  });

  it('says what is missing instead of guessing', () => {
    const old = { ...before, files: null };
    const noFiles = diffAnalysis({ version: '1.0.0', row: old }, { version: '1.1.0', row: after })!;
    expect([noFiles.from.perFile, noFiles.to.perFile, noFiles.files]).toEqual([false, true, []]);
    expect(noFiles.callsAdded).toHaveLength(1);
    const failed = { ...after, counts: null, files: null };
    const f = diffAnalysis({ version: '1.0.0', row: before }, { version: '1.1.0', row: failed })!;
    expect(f.to).toEqual({
      version: '1.1.0',
      status: 'failed',
      unsafeUsed: null,
      forbidsUnsafe: null,
      perFile: false,
    });
    expect([f.unsafe, f.callsAdded, f.callsRemoved, f.files]).toEqual([null, null, null, []]);
    const pending = diffAnalysis({ version: '1.0.0', row: before }, { version: '1.1.0', row: undefined })!;
    expect(pending.to.status).toBe('pending');
    expect(
      diffAnalysis({ version: '1.0.0', row: undefined }, { version: '1.1.0', row: undefined }),
    ).toBeNull();
  });
});
