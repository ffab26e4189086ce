// A bounded line diff for reviewing crate updates: Myers' O(ND) algorithm in linear space
// (the middle-snake bisection), on lines interned to integers. Every input is untrusted (a
// published crate), so size, line count and the search's work are capped: past the work cap a
// region is reported as replaced whole (a valid, non-minimal diff, flagged `approximate`).
// Binary files are compared by hash only.
import { createHash } from 'node:crypto';

export interface LineDiffLimits {
  /** Larger files (either side) are compared by hash only. */
  maxFileBytes: number;
  /** Lines of both sides together; more are compared by hash only. */
  maxLines: number;
  /** Steps of the diagonal search across the whole diff before falling back to whole replaces. */
  maxWork: number;
  /** Characters of a line's text sent back; the rest is cut (`clipped`). */
  maxLineChars: number;
  /** Hunk lines sent back; later hunks are dropped (`truncated`). */
  maxOutputLines: number;
}

export const DEFAULT_LINE_DIFF_LIMITS: LineDiffLimits = Object.freeze({
  maxFileBytes: 4 * 1024 * 1024,
  maxLines: 400_000,
  maxWork: 10_000_000,
  maxLineChars: 2_000,
  maxOutputLines: 20_000,
});

export type LineEnding = 'lf' | 'crlf' | 'none';

export interface DiffLine {
  kind: 'context' | 'add' | 'del';
  /** 1-based line numbers; null on the side the line is not on. */
  oldLine: number | null;
  newLine: number | null;
  /** Without its line ending. */
  text: string;
  /** Only when not `lf`: `crlf`, or `none` for a last line without a newline. */
  eol?: Exclude<LineEnding, 'lf'>;
  /** The text was cut at maxLineChars. */
  clipped?: true;
}

export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: DiffLine[];
}

export interface TextDiff {
  kind: 'text';
  changed: boolean;
  added: number;
  removed: number;
  hunks: Hunk[];
  /** The work cap was reached: some regions are shown as replaced whole. */
  approximate: boolean;
  /** maxOutputLines was reached: later hunks are left out (the counts are still complete). */
  truncated: boolean;
}

export interface OpaqueDiff {
  kind: 'binary' | 'too-large';
  changed: boolean;
  oldSha256: string | null;
  newSha256: string | null;
  reason: string;
}

export type FileDiff = TextDiff | OpaqueDiff;

export interface LineDiffOptions {
  context?: number;
  /** Only count added/removed lines; no hunks. */
  countOnly?: boolean;
  /** New-side line numbers to show (as context) even where nothing changed, e.g. findings. */
  focusNewLines?: readonly number[];
  limits?: Partial<LineDiffLimits>;
  /** A budget shared with other diffs, used instead of maxWork. */
  budget?: WorkBudget;
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Git's test (a NUL in the first 8000 bytes), plus: not valid UTF-8. */
export function isBinary(bytes: Buffer): boolean {
  if (bytes.subarray(0, 8000).includes(0)) return true;
  try {
    strictUtf8.decode(bytes);
    return false;
  } catch {
    return true;
  }
}

/** Lines with their terminators ("a\n", "b\r\n", a last "c" without one). "" has no lines. */
export function splitLines(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) break;
    out.push(text.slice(start, nl + 1));
    start = nl + 1;
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

function lineParts(key: string): { text: string; eol: LineEnding } {
  if (key.endsWith('\r\n')) return { text: key.slice(0, -2), eol: 'crlf' };
  if (key.endsWith('\n')) return { text: key.slice(0, -1), eol: 'lf' };
  return { text: key, eol: 'none' };
}

/** Steps of the search; one budget may be shared by many diffs (all files of a crate). */
export class WorkBudget {
  spent = 0;
  exhausted = false;
  constructor(readonly max: number) {}
}

/**
 * Marks, in `matchA`/`matchB`, lines of a[aLo,aHi) and b[bLo,bHi) that belong to a longest
 * common subsequence (or a common subsequence, once the budget is exhausted).
 */
function matchLines(
  a: Int32Array,
  b: Int32Array,
  aLo: number,
  aHi: number,
  bLo: number,
  bHi: number,
  matchA: Uint8Array,
  matchB: Uint8Array,
  budget: WorkBudget,
): void {
  // An explicit stack: a hostile file must not be able to overflow the call stack.
  const stack: number[] = [aLo, aHi, bLo, bHi];
  while (stack.length > 0) {
    let y1 = stack.pop()!;
    let y0 = stack.pop()!;
    let x1 = stack.pop()!;
    let x0 = stack.pop()!;
    while (x0 < x1 && y0 < y1 && a[x0] === b[y0]) {
      matchA[x0++] = 1;
      matchB[y0++] = 1;
    }
    while (x0 < x1 && y0 < y1 && a[x1 - 1] === b[y1 - 1]) {
      matchA[--x1] = 1;
      matchB[--y1] = 1;
    }
    if (x0 === x1 || y0 === y1) continue;
    const split = bisect(a, b, x0, x1, y0, y1, budget);
    if (split === null) continue; // nothing in common found (or no budget left): replaced whole
    const [sx, sy] = split;
    stack.push(sx, x1, sy, y1, x0, sx, y0, sy);
  }
}

/** The middle snake's point of a[x0,x1) × b[y0,y1), or null when none is found within budget. */
function bisect(
  a: Int32Array,
  b: Int32Array,
  x0: number,
  x1: number,
  y0: number,
  y1: number,
  budget: WorkBudget,
): [number, number] | null {
  if (budget.exhausted) return null;
  const n = x1 - x0;
  const m = y1 - y0;
  // Steps up to d cost about d², so the budget left bounds d, and with it the arrays' size.
  const affordable = Math.ceil(Math.sqrt(Math.max(0, budget.max - budget.spent))) + 1;
  const maxD = Math.min(Math.ceil((n + m) / 2), affordable);
  const offset = maxD + 1;
  const size = 2 * maxD + 3;
  const vf = new Int32Array(size).fill(-1);
  const vb = new Int32Array(size).fill(-1);
  vf[offset + 1] = 0;
  vb[offset + 1] = 0;
  const delta = n - m;
  const front = (delta & 1) !== 0;
  let kfStart = 0;
  let kfEnd = 0;
  let kbStart = 0;
  let kbEnd = 0;
  for (let d = 0; d < maxD; d++) {
    budget.spent += 2 * d + 1;
    if (budget.spent > budget.max || (d === affordable - 1 && affordable < Math.ceil((n + m) / 2))) {
      budget.exhausted = true;
      return null;
    }
    for (let k = -d + kfStart; k <= d - kfEnd; k += 2) {
      const ko = offset + k;
      let x = k === -d || (k !== d && vf[ko - 1]! < vf[ko + 1]!) ? vf[ko + 1]! : vf[ko - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x0 + x] === b[y0 + y]) {
        x++;
        y++;
      }
      vf[ko] = x;
      if (x > n) kfEnd += 2;
      else if (y > m) kfStart += 2;
      else if (front) {
        const kbo = offset + delta - k;
        if (kbo >= 0 && kbo < size && vb[kbo] !== -1 && x >= n - vb[kbo]!) return [x0 + x, y0 + y];
      }
    }
    for (let k = -d + kbStart; k <= d - kbEnd; k += 2) {
      const ko = offset + k;
      let x = k === -d || (k !== d && vb[ko - 1]! < vb[ko + 1]!) ? vb[ko + 1]! : vb[ko - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x1 - x - 1] === b[y1 - y - 1]) {
        x++;
        y++;
      }
      vb[ko] = x;
      if (x > n) kbEnd += 2;
      else if (y > m) kbStart += 2;
      else if (!front) {
        const kfo = offset + delta - k;
        if (kfo >= 0 && kfo < size && vf[kfo] !== -1) {
          const fx = vf[kfo]!;
          const fy = fx - (kfo - offset);
          if (fx >= n - x) return [x0 + fx, y0 + fy];
        }
      }
    }
  }
  return null;
}

type Op = 0 | 1 | 2; // equal, delete, insert

/** The edit script of two line lists, and whether the budget ran out. */
export function diffLineLists(
  oldLines: readonly string[],
  newLines: readonly string[],
  maxWork = DEFAULT_LINE_DIFF_LIMITS.maxWork,
  shared?: WorkBudget,
): { ops: Uint8Array; approximate: boolean } {
  const ids = new Map<string, number>();
  const intern = (lines: readonly string[]) => {
    const out = new Int32Array(lines.length);
    lines.forEach((l, i) => {
      let id = ids.get(l);
      if (id === undefined) ids.set(l, (id = ids.size));
      out[i] = id;
    });
    return out;
  };
  const a = intern(oldLines);
  const b = intern(newLines);
  const matchA = new Uint8Array(a.length);
  const matchB = new Uint8Array(b.length);
  const budget = shared ?? new WorkBudget(maxWork);
  // Nothing in common (a rewrite, or hostile input): no search needed.
  const inB = new Uint8Array(ids.size);
  for (const id of b) inB[id] = 1;
  if (a.some((id) => inB[id] === 1)) matchLines(a, b, 0, a.length, 0, b.length, matchA, matchB, budget);
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && !matchA[i]) {
      ops.push(1);
      i++;
    } else if (j < b.length && !matchB[j]) {
      ops.push(2);
      j++;
    } else {
      ops.push(0);
      i++;
      j++;
    }
  }
  return { ops: Uint8Array.from(ops), approximate: budget.exhausted };
}

function makeLine(
  kind: DiffLine['kind'],
  key: string,
  oldLine: number | null,
  newLine: number | null,
  maxChars: number,
): DiffLine {
  const { text, eol } = lineParts(key);
  const line: DiffLine = {
    kind,
    oldLine,
    newLine,
    text: text.length > maxChars ? text.slice(0, maxChars) : text,
  };
  if (eol !== 'lf') line.eol = eol;
  if (text.length > maxChars) line.clipped = true;
  return line;
}

/** Hunks with `context` lines around each change (and around each focus line). */
function buildHunks(
  ops: Uint8Array,
  oldKeys: readonly string[],
  newKeys: readonly string[],
  context: number,
  focus: ReadonlySet<number>,
  limits: LineDiffLimits,
): { hunks: Hunk[]; truncated: boolean } {
  // Positions (in ops) that must be shown; then every op within `context` of one is shown.
  const interesting: number[] = [];
  let nl = 0;
  for (let p = 0; p < ops.length; p++) {
    const op = ops[p]!;
    if (op !== 1) nl++;
    if (op !== 0 || (op === 0 && focus.has(nl))) interesting.push(p);
  }
  const hunks: Hunk[] = [];
  let emitted = 0;
  let truncated = false;
  // Line numbers at each op position are tracked by walking once.
  const oldAt = new Int32Array(ops.length + 1);
  const newAt = new Int32Array(ops.length + 1);
  for (let p = 0; p < ops.length; p++) {
    oldAt[p + 1] = oldAt[p]! + (ops[p] !== 2 ? 1 : 0);
    newAt[p + 1] = newAt[p]! + (ops[p] !== 1 ? 1 : 0);
  }
  let q = 0;
  while (q < interesting.length) {
    const from = Math.max(0, interesting[q]! - context);
    let to = interesting[q]! + context + 1;
    q++;
    while (q < interesting.length && interesting[q]! - context <= to) {
      to = interesting[q]! + context + 1;
      q++;
    }
    to = Math.min(to, ops.length);
    if (emitted + (to - from) > limits.maxOutputLines) {
      truncated = true;
      break;
    }
    const lines: DiffLine[] = [];
    for (let p = from; p < to; p++) {
      const op = ops[p]!;
      const o = oldAt[p]!;
      const n = newAt[p]!;
      if (op === 0) lines.push(makeLine('context', newKeys[n]!, o + 1, n + 1, limits.maxLineChars));
      else if (op === 1) lines.push(makeLine('del', oldKeys[o]!, o + 1, null, limits.maxLineChars));
      else lines.push(makeLine('add', newKeys[n]!, null, n + 1, limits.maxLineChars));
    }
    emitted += lines.length;
    const oldLines = oldAt[to]! - oldAt[from]!;
    const newLines = newAt[to]! - newAt[from]!;
    hunks.push({
      // Unified diff's convention: an empty side starts at the line before.
      oldStart: oldLines === 0 ? oldAt[from]! : oldAt[from]! + 1,
      oldLines,
      newStart: newLines === 0 ? newAt[from]! : newAt[from]! + 1,
      newLines,
      lines,
    });
  }
  return { hunks, truncated };
}

const clampContext = (c: number | undefined): number => Math.max(0, Math.min(Math.floor(c ?? 3), 100));

/** Diff of two versions of one file; either side null when the file is absent there. */
export function diffFiles(
  oldBytes: Buffer | null,
  newBytes: Buffer | null,
  options: LineDiffOptions = {},
): FileDiff {
  const limits = { ...DEFAULT_LINE_DIFF_LIMITS, ...options.limits };
  const oldSha = oldBytes ? sha256(oldBytes) : null;
  const newSha = newBytes ? sha256(newBytes) : null;
  const changed = oldSha !== newSha;
  const opaque = (kind: OpaqueDiff['kind'], reason: string): OpaqueDiff => ({
    kind,
    changed,
    oldSha256: oldSha,
    newSha256: newSha,
    reason,
  });
  const sizes = [oldBytes?.length ?? 0, newBytes?.length ?? 0];
  if (Math.max(...sizes) > limits.maxFileBytes) {
    return opaque('too-large', `larger than ${limits.maxFileBytes} bytes; compared by hash only`);
  }
  if ((oldBytes && isBinary(oldBytes)) || (newBytes && isBinary(newBytes))) {
    return opaque('binary', 'not UTF-8 text; compared by hash only');
  }
  const oldKeys = oldBytes ? splitLines(oldBytes.toString('utf8')) : [];
  const newKeys = newBytes ? splitLines(newBytes.toString('utf8')) : [];
  if (oldKeys.length + newKeys.length > limits.maxLines) {
    return opaque('too-large', `more than ${limits.maxLines} lines; compared by hash only`);
  }
  if (!changed) {
    // Same bytes: no search needed. Focus lines still get their context.
    const ops = new Uint8Array(newKeys.length);
    const focus = new Set(options.focusNewLines ?? []);
    const { hunks, truncated } =
      options.countOnly || focus.size === 0
        ? { hunks: [], truncated: false }
        : buildHunks(ops, oldKeys, newKeys, clampContext(options.context), focus, limits);
    return { kind: 'text', changed, added: 0, removed: 0, hunks, approximate: false, truncated };
  }
  const { ops, approximate } = diffLineLists(oldKeys, newKeys, limits.maxWork, options.budget);
  let added = 0;
  let removed = 0;
  for (const op of ops) {
    if (op === 1) removed++;
    else if (op === 2) added++;
  }
  if (options.countOnly)
    return { kind: 'text', changed, added, removed, hunks: [], approximate, truncated: false };
  const { hunks, truncated } = buildHunks(
    ops,
    oldKeys,
    newKeys,
    clampContext(options.context),
    new Set(options.focusNewLines ?? []),
    limits,
  );
  return { kind: 'text', changed, added, removed, hunks, approximate, truncated };
}
