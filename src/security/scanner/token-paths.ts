// Recognises paths, calls, method calls and macro invocations in a token stream, resolving the
// first path segment through the file's `use` aliases (so `Command::new` after
// `use std::process::Command` reads as `std::process::Command::new`).
import type { RustFacts, Token } from './rust-facts.js';

export interface Call {
  /** Resolved path (`std::process::Command::new`), or the method name for method calls. */
  path: string;
  /** Path as written. */
  raw: string;
  kind: 'call' | 'method' | 'macro' | 'ref';
  /** Token index of the first path segment (or of the method name). */
  tok: number;
  /** Token index of the opening `(`/`[`/`{`, or -1 for a plain reference. */
  open: number;
}

export function resolvePath(segments: string[], facts: Pick<RustFacts, 'uses'>): string {
  const head = segments[0]!;
  const target = facts.uses.get(head);
  if (target !== undefined && segments.length >= 1) return [target, ...segments.slice(1)].join('::');
  return segments.join('::');
}

export function collectCalls(facts: RustFacts): Call[] {
  const tokens = facts.tokens;
  const calls: Call[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'id') continue;
    const prev = tokens[i - 1];
    if (prev?.text === '.') {
      if (tokens[i + 1]?.text === '(' || (tokens[i + 1]?.text === '::' && tokens[i + 2]?.text === '<')) {
        let open = i + 1;
        if (tokens[open]!.text === '::') open = skipGenerics(tokens, open + 1) + 1;
        if (tokens[open]?.text === '(')
          calls.push({ path: t.text, raw: t.text, kind: 'method', tok: i, open });
      }
      continue;
    }
    if (prev?.text === '::' && (tokens[i - 2]?.kind === 'id' || tokens[i - 2]?.text === '>')) continue;
    // `fn name(` declares, it does not call.
    if (prev?.text === 'fn') continue;
    const segments = [t.text];
    let j = i;
    while (tokens[j + 1]?.text === '::') {
      const n = tokens[j + 2];
      if (n?.text === '<') {
        j = skipGenerics(tokens, j + 2);
        continue;
      }
      if (n?.kind !== 'id') break;
      segments.push(n.text);
      j += 2;
    }
    const next = tokens[j + 1]?.text;
    const raw = segments.join('::');
    const path = resolvePath(segments, facts);
    if (next === '(') calls.push({ path, raw, kind: 'call', tok: i, open: j + 1 });
    else if (next === '!' && segments.length >= 1)
      calls.push({ path, raw, kind: 'macro', tok: i, open: j + 2 });
    else if (segments.length > 1) calls.push({ path, raw, kind: 'ref', tok: i, open: -1 });
    i = j;
  }
  return calls;
}

/** Index of the `>` closing the generic list that opens at `lt`. */
function skipGenerics(tokens: Token[], lt: number): number {
  let depth = 0;
  for (let k = lt; k < tokens.length && k < lt + 200; k++) {
    const x = tokens[k]!.text;
    if (x === '<') depth++;
    else if (x === '>') {
      depth--;
      if (depth === 0) return k;
    } else if (x === '>>') {
      depth -= 2;
      if (depth <= 0) return k;
    }
  }
  return lt;
}

const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/** Index of the bracket matching the one at `open` (or tokens.length when unbalanced). */
export function matching(tokens: Token[], open: number, limit = 5000): number {
  const o = tokens[open]?.text;
  if (!o || !(o in OPEN)) return open;
  let depth = 0;
  const end = Math.min(tokens.length, open + limit);
  for (let k = open; k < end; k++) {
    const x = tokens[k]!;
    if (x.kind !== 'punct') continue;
    if (x.text === '(' || x.text === '[' || x.text === '{') depth++;
    else if (x.text === ')' || x.text === ']' || x.text === '}') {
      depth--;
      if (depth === 0) return k;
    }
  }
  return end;
}

/** Top-level arguments of the call whose bracket opens at `open`, as token index ranges. */
export function argRanges(tokens: Token[], open: number): [number, number][] {
  const close = matching(tokens, open);
  const out: [number, number][] = [];
  let start = open + 1;
  let depth = 0;
  for (let k = open + 1; k < close; k++) {
    const x = tokens[k]!.text;
    if (tokens[k]!.kind === 'punct') {
      if (x === '(' || x === '[' || x === '{') depth++;
      else if (x === ')' || x === ']' || x === '}') depth--;
      else if (x === ',' && depth === 0) {
        out.push([start, k]);
        start = k + 1;
      }
    }
  }
  if (start < close) out.push([start, close]);
  return out;
}

/** The plain identifier an argument names (`&path`, `path.as_path()`, `*path` → `path`), if any. */
export function argIdent(tokens: Token[], [a, b]: [number, number]): string | null {
  let k = a;
  while (k < b && (tokens[k]!.text === '&' || tokens[k]!.text === '*' || tokens[k]!.text === 'mut')) k++;
  const t = tokens[k];
  if (!t || t.kind !== 'id' || k >= b) return null;
  if (k + 1 === b) return t.text;
  // `path.as_path()`, `path.clone()`, `path.display()` still name `path`.
  if (
    tokens[k + 1]?.text === '.' &&
    /^(as_path|as_os_str|clone|to_owned|to_path_buf|as_ref|display)$/.test(tokens[k + 2]?.text ?? '')
  ) {
    return t.text;
  }
  return null;
}

/** String literal values inside a token range. */
export function stringsIn(tokens: Token[], a: number, b: number): string[] {
  const out: string[] = [];
  for (let k = a; k < b; k++) if (tokens[k]!.kind === 'str') out.push(tokens[k]!.text);
  return out;
}
