// A line diff (Myers' O(ND) algorithm) and a compact unified rendering of it, bounded in work
// and in length: evidence must stay readable, and a hostile function must not cost much.

export type DiffOp =
  { kind: 'same'; a: number; b: number } | { kind: 'del'; a: number } | { kind: 'add'; b: number };

/** The edit script turning `a` into `b`, or null when it needs more than `maxEdits` edits. */
export function diffLines(a: readonly string[], b: readonly string[], maxEdits = 400): DiffOp[] | null {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, maxEdits);
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && v[off + k - 1]! < v[off + k + 1]!) ? v[off + k + 1]! : v[off + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[off + k] = x;
      if (x >= n && y >= m) return backtrack(trace, n, m, off);
    }
  }
  return null;
}

function backtrack(trace: Int32Array[], n: number, m: number, off: number): DiffOp[] {
  const ops: DiffOp[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const v = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && v[off + k - 1]! < v[off + k + 1]!) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : v[off + prevK]!;
    const prevY = d === 0 ? 0 : prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      ops.push({ kind: 'same', a: x, b: y });
    }
    if (d > 0) {
      if (x === prevX) ops.push({ kind: 'add', b: prevY });
      else ops.push({ kind: 'del', a: prevX });
    }
    x = prevX;
    y = prevY;
  }
  return ops.reverse();
}

export interface NumberedLine {
  line: number;
  text: string;
}

/**
 * A unified diff of two numbered line lists (hunks with `context` lines around changes, source
 * line numbers in the headers), cut after `maxLines` lines; null when the diff was too costly.
 */
export function unifiedDiff(
  a: readonly NumberedLine[],
  b: readonly NumberedLine[],
  opts: { context?: number; maxLines?: number; maxEdits?: number } = {},
): string | null {
  const context = opts.context ?? 2;
  const maxLines = opts.maxLines ?? 30;
  const ops = diffLines(
    a.map((l) => l.text),
    b.map((l) => l.text),
    opts.maxEdits,
  );
  if (!ops) return null;
  // Which ops to show: every change and `context` unchanged ops either side.
  const show = new Uint8Array(ops.length);
  ops.forEach((op, i) => {
    if (op.kind === 'same') return;
    for (let j = Math.max(0, i - context); j <= Math.min(ops.length - 1, i + context); j++) show[j] = 1;
  });
  const out: string[] = [];
  let i = 0;
  while (i < ops.length) {
    if (!show[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < ops.length && show[j]) j++;
    const hunk = ops.slice(i, j);
    const aLines = hunk.flatMap((o) => (o.kind === 'add' ? [] : [a[o.a]!.line]));
    const bLines = hunk.flatMap((o) => (o.kind === 'del' ? [] : [b[o.b]!.line]));
    out.push(`@@ -${aLines[0] ?? 0},${aLines.length} +${bLines[0] ?? 0},${bLines.length} @@`);
    for (const o of hunk) {
      if (o.kind === 'same') out.push(` ${b[o.b]!.text}`);
      else if (o.kind === 'del') out.push(`-${a[o.a]!.text}`);
      else out.push(`+${b[o.b]!.text}`);
    }
    i = j;
  }
  if (out.length > maxLines) {
    const left = out.length - maxLines;
    return [...out.slice(0, maxLines), `… ${left} more diff line${left === 1 ? '' : 's'}`].join('\n');
  }
  return out.join('\n');
}
