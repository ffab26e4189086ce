// A fast lexer for Rust source: the token stream every rule reads. It follows the reference's
// lexical grammar where it matters for the scanner: nested block comments, raw and byte strings,
// char literals versus lifetimes, number suffixes, raw identifiers. Syntax (items, functions,
// test modules, `use` trees) comes from tree-sitter or, for files with nothing a call-level rule
// could match, from the token-level reading in rust-structure.ts.
import type { Token } from './rust-facts.js';
import { integerLiteralValue, unescape } from './rust-literal.js';

const KEYWORDS = new Set([
  'as',
  'async',
  'await',
  'break',
  'const',
  'continue',
  'dyn',
  'else',
  'enum',
  'extern',
  'fn',
  'for',
  'if',
  'impl',
  'in',
  'let',
  'loop',
  'match',
  'mod',
  'move',
  'mut',
  'pub',
  'ref',
  'return',
  'static',
  'struct',
  'trait',
  'type',
  'unsafe',
  'use',
  'where',
  'while',
]);

const PUNCT3 = new Set(['>>=', '<<=', '...', '..=']);
const PUNCT2 = new Set([
  '::',
  '->',
  '=>',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '^=',
  '&=',
  '|=',
  '<<',
  '>>',
  '..',
]);
// Characters that can start a two- or three-character operator.
const MULTI_START = new Set([...PUNCT2].map((p) => p.charCodeAt(0)));

const MAX_RUN = 4096;

export interface LexResult {
  tokens: Token[];
  /** Source offset of each token's first character. */
  starts: number[];
  /** Source offset just past each token. */
  ends: number[];
  truncated: boolean;
}

const isIdStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c > 0x7f;
const isIdChar = (c: number) => isIdStart(c) || (c >= 48 && c <= 57);
const isDigit = (c: number) => c >= 48 && c <= 57;

export function lexRust(src: string, maxTokens = Number.MAX_SAFE_INTEGER): LexResult {
  const tokens: Token[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const n = src.length;
  let i = 0;
  let line = 1;
  const push = (
    kind: Token['kind'],
    text: string,
    start: number,
    end: number,
    startLine: number,
    num?: number,
    bytes?: boolean,
  ) => {
    const t: Token = { kind, text, line: startLine, fn: -1, test: false };
    if (num !== undefined) t.num = num;
    if (bytes) t.bytes = true;
    tokens.push(t);
    starts.push(start);
    ends.push(end);
  };
  let run = 0;
  const countLines = (a: number, b: number) => {
    for (let k = a; k < b; k++) if (src.charCodeAt(k) === 10) line++;
  };

  while (i < n) {
    if (tokens.length >= maxTokens) return { tokens, starts, ends, truncated: true };
    const c = src.charCodeAt(i);
    if (c === 10) {
      line++;
      i++;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11 || c === 0xfeff) {
      i++;
      continue;
    }
    const start = i;
    const startLine = line;
    // Comments.
    if (c === 47 && src.charCodeAt(i + 1) === 47) {
      const nl = src.indexOf('\n', i);
      i = nl === -1 ? n : nl;
      continue;
    }
    if (c === 47 && src.charCodeAt(i + 1) === 42) {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        const d = src.charCodeAt(i);
        if (d === 10) line++;
        if (d === 47 && src.charCodeAt(i + 1) === 42) {
          depth++;
          i += 2;
        } else if (d === 42 && src.charCodeAt(i + 1) === 47) {
          depth--;
          i += 2;
        } else i++;
      }
      continue;
    }
    // Raw strings and raw identifiers: r"…", r#"…"#, br"…", cr#"…"#, r#ident.
    if (c === 114 || ((c === 98 || c === 99) && src.charCodeAt(i + 1) === 114)) {
      const r = c === 114 ? i : i + 1;
      let k = r + 1;
      let hashes = 0;
      while (src.charCodeAt(k) === 35) {
        hashes++;
        k++;
      }
      if (src.charCodeAt(k) === 34) {
        const close = '"' + '#'.repeat(hashes);
        const endQuote = src.indexOf(close, k + 1);
        const bodyEnd = endQuote === -1 ? n : endQuote;
        const value = src.slice(k + 1, bodyEnd);
        i = endQuote === -1 ? n : endQuote + close.length;
        countLines(start, i);
        push('str', value, start, i, startLine, undefined, c === 98);
        continue;
      }
      if (c === 114 && hashes === 1 && isIdStart(src.charCodeAt(k))) {
        let e = k;
        while (e < n && isIdChar(src.charCodeAt(e))) e++;
        push('id', src.slice(k, e), start, e, startLine);
        i = e;
        continue;
      }
    }
    // Strings: "…", b"…", c"…".
    if (c === 34 || ((c === 98 || c === 99) && src.charCodeAt(i + 1) === 34)) {
      const q = c === 34 ? i : i + 1;
      let k = q + 1;
      while (k < n) {
        const d = src.charCodeAt(k);
        if (d === 92) k += 2;
        else if (d === 34) break;
        else k++;
      }
      const body = src.slice(q + 1, Math.min(k, n));
      i = Math.min(k + 1, n);
      countLines(start, i);
      push('str', unescape(body), start, i, startLine, undefined, c === 98);
      continue;
    }
    // Chars ('a', '\n', b'x') versus lifetimes and labels ('a, 'static).
    if (c === 39 || (c === 98 && src.charCodeAt(i + 1) === 39)) {
      const q = c === 39 ? i : i + 1;
      const next = src.charCodeAt(q + 1);
      if (next === 92) {
        // Skip the escaped character itself, so '\'' ends at the right quote.
        let k = q + 3;
        while (k < n && src.charCodeAt(k) !== 39 && src.charCodeAt(k) !== 10 && k < q + 16) k++;
        const v = unescape(src.slice(q + 1, k));
        i = k + 1;
        push('char', v, start, i, startLine, v.codePointAt(0));
        continue;
      }
      const cp = src.codePointAt(q + 1);
      const w = cp !== undefined && cp > 0xffff ? 2 : 1;
      if (cp !== undefined && src.charCodeAt(q + 1 + w) === 39 && cp !== 39) {
        i = q + 2 + w;
        push('char', String.fromCodePoint(cp), start, i, startLine, cp);
        if (cp === 10) line++;
        continue;
      }
      if (c === 39) {
        // Lifetime or label: skipped, as tree-sitter's `lifetime` is.
        let k = i + 1;
        while (k < n && isIdChar(src.charCodeAt(k))) k++;
        i = k > i + 1 ? k : i + 1;
        continue;
      }
    }
    if (isIdStart(c)) {
      let k = i + 1;
      while (k < n && isIdChar(src.charCodeAt(k))) k++;
      const word = src.slice(i, k);
      i = k;
      if (word === 'true' || word === 'false') push('bool', word, start, i, startLine);
      else push(KEYWORDS.has(word) ? 'kw' : 'id', word, start, i, startLine);
      continue;
    }
    if (isDigit(c)) {
      let k = i + 1;
      let float = false;
      const c1 = src.charCodeAt(i + 1);
      if (c === 48 && (c1 === 120 || c1 === 111 || c1 === 98)) {
        k = i + 2;
        while (k < n && (isIdChar(src.charCodeAt(k)) || src.charCodeAt(k) === 95)) k++;
      } else {
        while (k < n && (isDigit(src.charCodeAt(k)) || src.charCodeAt(k) === 95)) k++;
        if (src.charCodeAt(k) === 46 && isDigit(src.charCodeAt(k + 1))) {
          float = true;
          k++;
          while (k < n && (isDigit(src.charCodeAt(k)) || src.charCodeAt(k) === 95)) k++;
        } else if (
          src.charCodeAt(k) === 46 &&
          src.charCodeAt(k + 1) !== 46 &&
          !isIdStart(src.charCodeAt(k + 1))
        ) {
          float = true; // `1.`
          k++;
        }
        if ((src.charCodeAt(k) === 101 || src.charCodeAt(k) === 69) && /[0-9+-]/.test(src[k + 1] ?? '')) {
          float = true;
          k += 2;
          while (k < n && (isDigit(src.charCodeAt(k)) || src.charCodeAt(k) === 95)) k++;
        }
        while (k < n && isIdChar(src.charCodeAt(k))) {
          if (src.charCodeAt(k) === 102) float = true; // f32/f64 suffix
          k++;
        }
      }
      const text = src.slice(i, k);
      i = k;
      if (float) push('float', text, start, i, startLine);
      else {
        // Long data tables (`[0x12, 0x34, …]` by the thousand) say nothing past their start:
        // keep the first MAX_RUN elements of a run, enough for magic bytes and decoders.
        const prev = tokens.length >= 2 ? tokens[tokens.length - 2] : undefined;
        if (prev?.kind === 'int' && tokens[tokens.length - 1]!.text === ',') {
          run++;
          if (run > MAX_RUN) {
            tokens.pop();
            starts.pop();
            ends.pop();
            continue;
          }
        } else run = 1;
        const v = integerLiteralValue(text);
        push('int', text, start, i, startLine, v ?? undefined);
      }
      continue;
    }
    // Punctuation, longest match first.
    if (MULTI_START.has(c)) {
      const three = src.slice(i, i + 3);
      if (PUNCT3.has(three)) {
        i += 3;
        push('punct', three, start, i, startLine);
        continue;
      }
      const two = three.slice(0, 2);
      if (PUNCT2.has(two)) {
        i += 2;
        push('punct', two, start, i, startLine);
        continue;
      }
    }
    i++;
    push('punct', src[start]!, start, i, startLine);
  }
  return { tokens, starts, ends, truncated: false };
}
