import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LINE_DIFF_LIMITS,
  WorkBudget,
  diffFiles,
  diffLineLists,
  isBinary,
  splitLines,
  type TextDiff,
} from './line-diff.js';

const buf = (s: string) => Buffer.from(s, 'utf8');
const text = (d: ReturnType<typeof diffFiles>): TextDiff => {
  if (d.kind !== 'text') throw new Error(`expected a text diff, got ${d.kind}`);
  return d;
};

/** Length of a longest common subsequence, by the textbook table (small inputs only). */
function lcsLength(a: string[], b: string[]): number {
  const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      t[i]![j] = a[i - 1] === b[j - 1] ? t[i - 1]![j - 1]! + 1 : Math.max(t[i - 1]![j]!, t[i]![j - 1]!);
  return t[a.length]![b.length]!;
}

/** Applies an edit script to `a`, checking that equal ops really pair equal lines. */
function apply(a: string[], b: string[], ops: Uint8Array): string[] {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  for (const op of ops) {
    if (op === 0) {
      expect(a[i]).toBe(b[j]);
      out.push(a[i++]!);
      j++;
    } else if (op === 1) i++;
    else out.push(b[j++]!);
  }
  expect(i).toBe(a.length);
  return out;
}

describe('diffLineLists', () => {
  it('finds a minimal edit script on random inputs (checked against the LCS table)', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 400; round++) {
      const a = Array.from({ length: rand(30) }, () => String.fromCharCode(97 + rand(4)));
      const b = Array.from({ length: rand(30) }, () => String.fromCharCode(97 + rand(4)));
      const { ops, approximate } = diffLineLists(a, b);
      expect(approximate).toBe(false);
      expect(apply(a, b, ops)).toEqual(b);
      const edits = [...ops].filter((o) => o !== 0).length;
      expect(edits, `${a.join('')} → ${b.join('')}`).toBe(a.length + b.length - 2 * lcsLength(a, b));
    }
  });

  it('stays valid, and says it is approximate, when the work cap is reached', () => {
    const a = Array.from({ length: 3000 }, (_, i) => `a${i}`);
    const b = Array.from({ length: 3000 }, (_, i) => (i % 2 ? `a${i}` : `b${i}`));
    const { ops, approximate } = diffLineLists(a, b, 1000);
    expect(approximate).toBe(true);
    expect(apply(a, b, ops)).toEqual(b);
  });
});

describe('splitLines and isBinary', () => {
  it('keeps terminators, so CRLF and a missing final newline are differences', () => {
    expect(splitLines('')).toEqual([]);
    expect(splitLines('a\r\nb\nc')).toEqual(['a\r\n', 'b\n', 'c']);
    expect(splitLines('\n\n')).toEqual(['\n', '\n']);
  });
  it('calls NUL bytes and invalid UTF-8 binary, and UTF-8 text not', () => {
    expect(isBinary(Buffer.from([0x41, 0x00, 0x42]))).toBe(true);
    expect(isBinary(Buffer.from([0xff, 0xfe, 0x41]))).toBe(true);
    expect(isBinary(buf('fn main() { println!("héllo ✓"); }\n'))).toBe(false);
    expect(isBinary(Buffer.alloc(0))).toBe(false);
  });
});

describe('diffFiles', () => {
  const v1 = [
    'fn a() {}',
    'fn b() {}',
    'fn c() {}',
    'fn d() {}',
    'fn e() {}',
    'fn f() {}',
    'fn g() {}',
    'fn h() {}',
    'fn i() {}',
    'fn j() {}',
  ]
    .map((l) => `${l}\n`)
    .join('');

  it('gives unified hunks with context and line numbers', () => {
    const v2 = v1.replace('fn c() {}', 'fn c() { evil() }').replace('fn j() {}\n', 'fn j() {}\nfn k() {}\n');
    const d = text(diffFiles(buf(v1), buf(v2), { context: 1 }));
    expect(d).toMatchObject({ changed: true, added: 2, removed: 1, approximate: false, truncated: false });
    expect(d.hunks).toHaveLength(2);
    const [h1, h2] = d.hunks;
    expect(h1).toMatchObject({ oldStart: 2, oldLines: 3, newStart: 2, newLines: 3 });
    expect(h1!.lines.map((l) => [l.kind, l.oldLine, l.newLine, l.text])).toEqual([
      ['context', 2, 2, 'fn b() {}'],
      ['del', 3, null, 'fn c() {}'],
      ['add', null, 3, 'fn c() { evil() }'],
      ['context', 4, 4, 'fn d() {}'],
    ]);
    expect(h2).toMatchObject({ oldStart: 10, oldLines: 1, newStart: 10, newLines: 2 });
    expect(h2!.lines.at(-1)).toEqual({ kind: 'add', oldLine: null, newLine: 11, text: 'fn k() {}' });
  });

  it('merges hunks whose context touches', () => {
    const v2 = v1.replace('fn c() {}', 'x').replace('fn e() {}', 'y');
    expect(text(diffFiles(buf(v1), buf(v2), { context: 1 })).hunks).toHaveLength(1);
    expect(text(diffFiles(buf(v1), buf(v2), { context: 0 })).hunks).toHaveLength(2);
  });

  it('reports identical files as unchanged with no hunks', () => {
    const d = text(diffFiles(buf(v1), buf(v1)));
    expect(d).toMatchObject({ changed: false, added: 0, removed: 0, hunks: [] });
  });

  it('shows focus lines as context even where nothing changed', () => {
    const d = text(diffFiles(buf(v1), buf(v1), { context: 1, focusNewLines: [5] }));
    expect(d.hunks).toHaveLength(1);
    expect(d.hunks[0]!.lines.map((l) => l.newLine)).toEqual([4, 5, 6]);
    expect(d.hunks[0]!.lines.every((l) => l.kind === 'context')).toBe(true);
  });

  it('handles empty files and files that appear or vanish', () => {
    expect(text(diffFiles(buf(''), buf('')))).toMatchObject({ changed: false, hunks: [] });
    const added = text(diffFiles(null, buf('a\nb\n')));
    expect(added).toMatchObject({ added: 2, removed: 0 });
    expect(added.hunks[0]).toMatchObject({ oldStart: 0, oldLines: 0, newStart: 1, newLines: 2 });
    const removed = text(diffFiles(buf('a\n'), null));
    expect(removed).toMatchObject({ added: 0, removed: 1 });
    expect(removed.hunks[0]).toMatchObject({ oldStart: 1, oldLines: 1, newStart: 0, newLines: 0 });
    expect(text(diffFiles(buf(''), buf('x')))).toMatchObject({ added: 1, removed: 0 });
  });

  it('marks a CRLF change and a missing final newline on the lines', () => {
    const crlf = text(diffFiles(buf('a\nb\n'), buf('a\r\nb\n')));
    expect(crlf).toMatchObject({ added: 1, removed: 1 });
    const lines = crlf.hunks[0]!.lines;
    expect(lines.find((l) => l.kind === 'del')).toEqual({
      kind: 'del',
      oldLine: 1,
      newLine: null,
      text: 'a',
    });
    expect(lines.find((l) => l.kind === 'add')).toEqual({
      kind: 'add',
      oldLine: null,
      newLine: 1,
      text: 'a',
      eol: 'crlf',
    });
    const noEol = text(diffFiles(buf('a\nb\n'), buf('a\nb')));
    expect(noEol).toMatchObject({ added: 1, removed: 1 });
    expect(noEol.hunks[0]!.lines.find((l) => l.kind === 'add')).toMatchObject({ text: 'b', eol: 'none' });
  });

  it('compares binary files by hash only', () => {
    const a = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]);
    const b = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 3]);
    const d = diffFiles(a, b);
    expect(d).toMatchObject({ kind: 'binary', changed: true });
    expect(diffFiles(a, Buffer.from(a))).toMatchObject({ kind: 'binary', changed: false });
    // Text turning into binary is still binary, not a line diff of garbage.
    expect(diffFiles(buf('a\n'), a)).toMatchObject({
      kind: 'binary',
      changed: true,
      oldSha256: expect.any(String),
    });
  });

  it('refuses to line-diff huge files and too many lines, but still says whether they changed', () => {
    const big = Buffer.alloc(2048, 0x61);
    const d = diffFiles(big, Buffer.concat([big, buf('b')]), { limits: { maxFileBytes: 1024 } });
    expect(d).toMatchObject({ kind: 'too-large', changed: true });
    const many = buf('x\n'.repeat(600));
    expect(diffFiles(many, many, { limits: { maxLines: 1000 } })).toMatchObject({
      kind: 'too-large',
      changed: false,
    });
  });

  it('bounds what it sends back: long lines are clipped, hunks past the cap left out', () => {
    const long = 'y'.repeat(10_000);
    const d = text(diffFiles(buf('a\n'), buf(`${long}\n`), { limits: { maxLineChars: 100 } }));
    const add = d.hunks[0]!.lines.find((l) => l.kind === 'add')!;
    expect(add.text).toHaveLength(100);
    expect(add.clipped).toBe(true);
    const old = Array.from({ length: 200 }, (_, i) => `l${i}\n`).join('');
    const changedEveryTen = Array.from({ length: 200 }, (_, i) => (i % 10 ? `l${i}\n` : `m${i}\n`)).join('');
    const t = text(diffFiles(buf(old), buf(changedEveryTen), { context: 0, limits: { maxOutputLines: 10 } }));
    expect(t.truncated).toBe(true);
    expect(t.hunks.length).toBe(5);
    expect(t).toMatchObject({ added: 20, removed: 20 });
  });

  it('diffs a large, hostile file within the work cap', () => {
    // What bounds the time is the search's work: assert the cap itself (the seconds are
    // bench/diff's to measure). A search step costs at most 2·sqrt(cap) + 1 past the cap.
    const withinCap = (b: WorkBudget) => b.spent <= b.max + 2 * Math.sqrt(b.max) + 3;
    // Every line differs: the worst case for the search. The cap turns it into a whole replace.
    const a = buf(Array.from({ length: 100_000 }, (_, i) => `a${i}\n`).join(''));
    const b = buf(Array.from({ length: 100_000 }, (_, i) => `b${i}\n`).join(''));
    const first = new WorkBudget(DEFAULT_LINE_DIFF_LIMITS.maxWork);
    const d = text(diffFiles(a, b, { countOnly: true, budget: first }));
    expect(withinCap(first)).toBe(true);
    expect(d).toMatchObject({ added: 100_000, removed: 100_000 });
    // Random lines from a tiny alphabet: much in common, and a very long edit path.
    let seed = 1;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16) % 3;
    const noise = () => buf(Array.from({ length: 100_000 }, () => `${rand()}\n`).join(''));
    const [x, y] = [noise(), noise()];
    const second = new WorkBudget(DEFAULT_LINE_DIFF_LIMITS.maxWork);
    const r = text(diffFiles(x, y, { budget: second }));
    expect(second.exhausted).toBe(true);
    expect(withinCap(second)).toBe(true);
    expect(r.approximate).toBe(true);
    expect(r.truncated).toBe(true);
  });
});
