// Per-function facts for the flow analysis, read once from a file's token stream: each function's
// signature (visibility, impl it sits in, parameters, return), its doc and trigger attributes, and
// its body as a list of statements — what each defines, reads and calls. Compact on purpose: the
// scan keeps these for every file of a crate until the crate-level analysis runs, not the tokens.
import type { RustFacts, Token } from '../rust-facts.js';
import { argRanges, matching } from '../token-paths.js';

export interface CallSite {
  name: string;
  /** `Type` in `Type::name(…)`, `Self`, or null for a plain or method call. */
  qual: string | null;
  method: boolean;
  /** A method called on `self`: resolved within the caller's own type. */
  selfRecv: boolean;
  /** Per argument: identifiers it reads (`x`, `self.f`) and calls it makes (`()name`). */
  args: string[][];
}

export interface Stmt {
  /** First and last line. */
  a: number;
  b: number;
  /** Names given a value: `let` bindings, assignment targets, `self.f` fields, receivers. */
  defs: string[];
  /** Identifiers and `self.f` fields the statement reads. */
  uses: string[];
  calls: CallSite[];
  /** Holds a `return` or is the body's last statement: what the function returns. */
  ret?: true;
  /** At file scope: part of a lazily run initializer (lazy_static!, Lazy::new, thread_local!). */
  lazy?: true;
}

export interface FnFlowFacts {
  name: string;
  line: number;
  pub: boolean;
  implTrait: string | null;
  implType: string | null;
  /** Parameter names, `self` excluded. */
  params: string[];
  hasSelf: boolean;
  returns: boolean;
  /** Has a `///` or `#[doc]` comment. */
  doc: boolean;
  /** The doc comment's text (what the function says it does). */
  docText: string;
  /** Trigger attributes: proc_macro, proc_macro_derive, proc_macro_attribute, ctor. */
  attrs: string[];
  stmts: Stmt[];
  /** Mentions a signature or digest check (`verify`, `Signature`, `Sha256`, …). */
  verifies: boolean;
  /**
   * Lines of blocks run once per process: the argument of `ONCE.call_once(…)` /
   * `CELL.get_or_init(…)`, the block of `if !FLAG.swap(true, Ordering::…) { … }`.
   */
  once: [number, number][];
}

export interface FileFlowFacts {
  fns: FnFlowFacts[];
  /** Code outside any function: statics, lazy initializers, consts. */
  scope: Stmt[];
  /** The scope holds a lazily run initializer (lazy_static!, Lazy, LazyLock, thread_local!). */
  lazy: boolean;
  /** Named `const`/`static` items at file scope and their lines: their text runs where it is used. */
  items: { name: string; a: number; b: number }[];
  /** Stopped early at the statement budget. */
  truncated: boolean;
}

/** Statements kept per file: bounds memory on generated code. */
export const MAX_STMTS_PER_FILE = 40_000;
const MAX_NAMES_PER_STMT = 48;

const VERIFY =
  /^(verify\w*|Signature|signature|PublicKey|VerifyingKey|minisign\w*|zipsign\w*|ed25519\w*|Sha256|Sha512|sha2|sha256|blake3|checksum\w*|digest)$/;
const LAZY = /^(lazy_static|Lazy|LazyLock|LazyCell|thread_local|OnceLock|OnceCell|get_or_init)$/;
const TRIGGER_ATTR = /^#\[\s*(proc_macro(?:_derive|_attribute)?|(?:\w+::)*ctor|(?:\w+::)*dtor)\b/;
const NOT_A_NAME = new Set(['self', 'Self', 'mut', 'ref', 'crate', 'super', 'Some', 'Ok', 'Err', 'None']);

/** Statements kept per crate, shared by its files (see `extractFlowFacts`). */
export const MAX_STMTS_PER_CRATE = 400_000;

/** `crate` is the crate's remaining statement budget, shared by all its files. */
export function extractFlowFacts(
  facts: RustFacts,
  text: string,
  crate: { left: number } = { left: MAX_STMTS_PER_CRATE },
): FileFlowFacts {
  const { tokens } = facts;
  // Token indices per function (nested functions' tokens belong to the inner one only).
  const perFn: number[][] = facts.functions.map(() => []);
  const scopeToks: number[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.test) continue;
    if (t.fn >= 0) perFn[t.fn]!.push(k);
    else scopeToks.push(k);
  }
  const impls = implBlocks(tokens);
  const lines = lineStarts(text);
  const budget = { left: Math.min(MAX_STMTS_PER_FILE, crate.left) };
  const start = budget.left;
  const fns: FnFlowFacts[] = facts.functions.map((f, idx) => {
    const toks = perFn[idx]!;
    const fnTok = toks.find((k) => tokens[k]!.kind === 'kw' && tokens[k]!.text === 'fn') ?? -1;
    const sig = fnTok >= 0 ? signature(tokens, fnTok) : null;
    const impl = fnTok >= 0 ? implAt(impls, fnTok) : undefined;
    const bodyToks = sig ? toks.filter((k) => k > sig.bodyOpen) : [];
    const { doc, docText, attrs } = leadingComments(text, lines, f.line);
    return {
      name: f.name,
      line: f.line,
      pub: fnTok >= 0 && isPub(tokens, fnTok),
      implTrait: impl?.trait ?? null,
      implType: impl?.type ?? null,
      params: sig?.params ?? [],
      hasSelf: sig?.hasSelf ?? false,
      returns: sig?.returns ?? false,
      doc,
      docText,
      attrs,
      stmts: statements(tokens, bodyToks, budget),
      verifies: bodyToks.some((k) => tokens[k]!.kind === 'id' && VERIFY.test(tokens[k]!.text)),
      once: oneTimeBlocks(tokens, bodyToks),
    };
  });
  const scope = statements(tokens, scopeToks, budget, true);
  crate.left -= start - Math.max(0, budget.left);
  return {
    fns,
    scope,
    lazy: scopeToks.some((k) => tokens[k]!.kind === 'id' && LAZY.test(tokens[k]!.text)),
    items: scopeItems(tokens, scopeToks),
    truncated: budget.left <= 0,
  };
}

const ONCE_CALL = /^(call_once|call_once_force|get_or_init|get_or_try_init)$/;
const FLAG_CALL = /^(swap|compare_exchange|compare_exchange_weak|fetch_or)$/;
const ATOMIC_ORDERING = /^(SeqCst|Relaxed|AcqRel|Acquire|Release)$/;

/** See FnFlowFacts.once. */
function oneTimeBlocks(tokens: Token[], body: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const k of body) {
    const t = tokens[k]!;
    if (t.kind !== 'id' || tokens[k - 1]?.text !== '.' || tokens[k + 1]?.text !== '(') continue;
    if (ONCE_CALL.test(t.text)) {
      out.push([t.line, tokens[matching(tokens, k + 1)]?.line ?? t.line]);
    } else if (FLAG_CALL.test(t.text)) {
      const close = matching(tokens, k + 1);
      let atomic = false;
      for (let q = k + 2; q < close; q++) if (ATOMIC_ORDERING.test(tokens[q]!.text)) atomic = true;
      // The flag's block: `if !F.swap(true, …) {` or `if F.compare_exchange(…).is_ok() {`.
      let open = close + 1;
      while (open < tokens.length && open < close + 8 && tokens[open]!.text !== '{') open++;
      if (atomic && tokens[open]?.text === '{')
        out.push([tokens[open]!.line, tokens[matching(tokens, open)]?.line ?? tokens[open]!.line]);
    }
    if (out.length >= 8) break;
  }
  return out;
}

/** The impl block (disjoint, in token order) holding token `k`: a binary search. */
function implAt(impls: ImplBlock[], k: number): ImplBlock | undefined {
  let lo = 0;
  let hi = impls.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const b = impls[mid]!;
    if (k <= b.open) hi = mid - 1;
    else if (k >= b.close) lo = mid + 1;
    else return b;
  }
  return undefined;
}

interface ImplBlock {
  open: number;
  close: number;
  trait: string | null;
  type: string | null;
}

/** `impl [<…>] [Trait for] Type { … }` blocks, by token range. */
function implBlocks(tokens: Token[]): ImplBlock[] {
  const out: ImplBlock[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind !== 'kw' || t.text !== 'impl' || t.fn !== -1) continue;
    let depth = 0;
    let forAt = -1;
    let m = k + 1;
    for (; m < tokens.length && m < k + 200; m++) {
      const x = tokens[m]!.text;
      if (x === '<') depth++;
      else if (x === '>') depth--;
      else if (x === '>>') depth -= 2;
      else if (depth <= 0 && x === 'for' && tokens[m]!.kind === 'kw') forAt = m;
      else if (depth <= 0 && (x === '{' || x === ';')) break;
    }
    if (tokens[m]?.text !== '{') continue;
    const lastId = (a: number, b: number, stopAtLt: boolean) => {
      let name: string | null = null;
      let d = 0;
      for (let q = a; q < b; q++) {
        const x = tokens[q]!;
        if (x.text === '<') {
          d++;
          if (stopAtLt && d === 1 && name) return name;
        } else if (x.text === '>') d--;
        else if (x.text === '>>') d -= 2;
        else if (d <= 0 && x.kind === 'id') name = x.text;
      }
      return name;
    };
    // Skip the impl's own generics.
    let start = k + 1;
    if (tokens[start]?.text === '<') {
      let d = 0;
      for (; start < m; start++) {
        const x = tokens[start]!.text;
        if (x === '<') d++;
        else if (x === '>' && --d === 0) break;
        else if (x === '>>' && (d -= 2) <= 0) break;
      }
      start++;
    }
    const whereAt = tokens.slice(start, m).findIndex((x) => x.kind === 'kw' && x.text === 'where');
    const end = whereAt >= 0 ? start + whereAt : m;
    out.push({
      open: m,
      close: matching(tokens, m, 2_000_000),
      trait: forAt >= 0 ? lastId(start, forAt, true) : null,
      type: lastId(forAt >= 0 ? forAt + 1 : start, end, true),
    });
  }
  return out;
}

interface Signature {
  params: string[];
  hasSelf: boolean;
  returns: boolean;
  bodyOpen: number;
}

function signature(tokens: Token[], fnTok: number): Signature | null {
  let k = fnTok + 2;
  if (tokens[k]?.text === '<') {
    let d = 0;
    for (; k < tokens.length && k < fnTok + 300; k++) {
      const x = tokens[k]!.text;
      if (x === '<') d++;
      else if (x === '>' && --d === 0) break;
      else if (x === '>>' && (d -= 2) <= 0) break;
    }
    k++;
  }
  if (tokens[k]?.text !== '(') return null;
  const close = matching(tokens, k);
  const params: string[] = [];
  let hasSelf = false;
  for (const [a, b] of argRanges(tokens, k)) {
    const colon = tokens.slice(a, b).findIndex((x) => x.text === ':');
    const head = tokens.slice(a, colon >= 0 ? a + colon : b);
    if (head.some((x) => x.text === 'self')) hasSelf = true;
    else {
      const id = head.find((x) => x.kind === 'id' && !NOT_A_NAME.has(x.text));
      params.push(id?.text ?? '_');
    }
  }
  let m = close + 1;
  const returns = tokens[m]?.text === '->';
  for (; m < tokens.length && m < close + 400; m++) {
    const x = tokens[m]!.text;
    if (x === '{' || x === ';') break;
    if (x === '(' || x === '[') m = matching(tokens, m);
  }
  if (tokens[m]?.text !== '{') return null;
  return { params, hasSelf, returns, bodyOpen: m };
}

function isPub(tokens: Token[], fnTok: number): boolean {
  for (let k = fnTok - 1; k >= 0 && k >= fnTok - 8; k--) {
    const x = tokens[k]!;
    if (x.text === 'pub') return true;
    if (x.text === ';' || x.text === '{' || x.text === '}' || x.text === ']') return false;
  }
  return false;
}

/** `const NAME … ;` and `static [mut] NAME … ;` at file scope, with their first and last lines. */
function scopeItems(tokens: Token[], toks: number[]): { name: string; a: number; b: number }[] {
  const out: { name: string; a: number; b: number }[] = [];
  for (let q = 0; q < toks.length; q++) {
    const t = tokens[toks[q]!]!;
    if (t.kind !== 'kw' || (t.text !== 'const' && t.text !== 'static')) continue;
    let r = q + 1;
    if (tokens[toks[r]!]?.text === 'mut') r++;
    const name = tokens[toks[r]!];
    if (name?.kind !== 'id' || tokens[toks[r + 1]!]?.text !== ':') continue;
    let depth = 0;
    let end = r;
    for (; end < toks.length; end++) {
      const x = tokens[toks[end]!]!.text;
      if (x === '(' || x === '[' || x === '{') depth++;
      else if (x === ')' || x === ']' || x === '}') depth--;
      else if (x === ';' && depth <= 0) break;
    }
    out.push({ name: name.text, a: t.line, b: tokens[toks[Math.min(end, toks.length - 1)]!]!.line });
    q = end;
  }
  return out;
}

function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}

/** Doc comments and trigger attributes in the lines just above a function. */
function leadingComments(
  text: string,
  lines: number[],
  line: number,
): { doc: boolean; docText: string; attrs: string[] } {
  let doc = false;
  const docLines: string[] = [];
  const attrs: string[] = [];
  // The `fn` line itself may carry attributes (`#[proc_macro] pub fn x`).
  for (let l = line; l >= 1 && l >= line - 40; l--) {
    const raw = text.slice(lines[l - 1] ?? 0, lines[l] ?? text.length).trim();
    if (l !== line && raw !== '' && !/^(\/\/\/|\/\/!|\/\*\*|\*|#\[|\/\/)/.test(raw)) break;
    if (/^(\/\/\/|\/\*\*)/.test(raw) || /^#\[\s*doc\b/.test(raw)) {
      doc = true;
      docLines.unshift(raw.replace(/^(\/\/\/|\/\*\*)\s?/, ''));
    }
    for (const m of raw.matchAll(/#\[[^\]]*\]?/g)) {
      const a = TRIGGER_ATTR.exec(m[0]);
      if (a) attrs.push(a[1]!.replace(/^(\w+::)+/, ''));
    }
  }
  return { doc, docText: docLines.join(' ').slice(0, 2000), attrs };
}

/**
 * A body as statements. A statement ends at `;`, `{` or `}`, except that a `let` runs to its own
 * `;` (so a closure or `match` on its right-hand side belongs to it) and an `if let`/`while let`/
 * `for` header runs to its block.
 */
function statements(tokens: Token[], toks: number[], budget: { left: number }, scope = false): Stmt[] {
  const out: Stmt[] = [];
  let lazyUntil: number | null = null;
  let i = 0;
  while (i < toks.length && budget.left > 0) {
    const first = tokens[toks[i]!]!;
    if (first.kind === 'punct' && (first.text === '{' || first.text === '}' || first.text === ';')) {
      i++;
      continue;
    }
    // Attributes are not statements: skip `#[…]` / `#![…]` to the item they annotate.
    if (first.text === '#') {
      let open = i + 1;
      if (tokens[toks[open]!]?.text === '!') open++;
      if (tokens[toks[open]!]?.text === '[') {
        const close = matching(tokens, toks[open]!);
        while (i < toks.length && toks[i]! <= close) i++;
        continue;
      }
    }
    const headed =
      first.kind === 'kw' && (first.text === 'if' || first.text === 'while' || first.text === 'for');
    // `static`/`const` items run to their `;` like a `let`: a lazy initializer's closure belongs to it.
    let lead = i;
    if (first.text === 'pub') {
      lead++;
      if (tokens[toks[lead]!]?.text === '(')
        while (lead < toks.length && tokens[toks[lead]!]!.text !== ')') lead++;
      if (tokens[toks[lead]!]?.text === ')') lead++;
    }
    const leadTok = tokens[toks[lead]!];
    const item = leadTok?.kind === 'kw' && (leadTok.text === 'static' || leadTok.text === 'const');
    const isLet = (first.kind === 'kw' && first.text === 'let') || item;
    let j = i;
    let depth = 0;
    for (; j < toks.length; j++) {
      const x = tokens[toks[j]!]!;
      if (x.kind !== 'punct') continue;
      if (x.text === '(' || x.text === '[') depth++;
      else if (x.text === ')' || x.text === ']') depth--;
      else if (isLet) {
        if (x.text === '{') depth++;
        else if (x.text === '}') {
          if (depth === 0) break;
          depth--;
        } else if (x.text === ';' && depth <= 0) break;
      } else if ((x.text === '{' || x.text === '}' || x.text === ';') && (depth <= 0 || !headed)) break;
    }
    if (scope && !keepAtScope(tokens, toks, i, j, item, lazyUntil)) {
      if (first.kind === 'id' && (first.text === 'lazy_static' || first.text === 'thread_local')) {
        const open = toks[i]! + 2;
        if (tokens[toks[i]! + 1]?.text === '!' && (tokens[open]?.text === '{' || tokens[open]?.text === '('))
          lazyUntil = matching(tokens, open, 2_000_000);
      }
      i = j + 1;
      continue;
    }
    // `E { input }` / `Self { a, b: x }` as an expression: a struct literal, not a block. Read it
    // whole so that its shorthand fields are set from the locals of the same name.
    if (
      j === i + 1 &&
      first.kind === 'id' &&
      /^[A-Z]/.test(first.text) &&
      tokens[toks[j]!]?.text === '{' &&
      tokens[toks[j]! + 1]?.kind === 'id' &&
      /^[,:}]$/.test(tokens[toks[j]! + 2]?.text ?? '')
    ) {
      const close = matching(tokens, toks[j]!);
      let k = j;
      while (k < toks.length && toks[k]! < close) k++;
      if (k < toks.length && toks[k] === close) j = k;
    }
    const st = statement(tokens, toks, i, j);
    for (let q = i; q < j; q++) {
      const x = tokens[toks[q]!]!;
      if (x.kind === 'kw' && x.text === 'return') st.ret = true;
      else if (x.kind === 'id' && LAZY.test(x.text)) st.lazy = true;
      if (lazyUntil !== null && toks[q]! < lazyUntil) st.lazy = true;
      if (
        x.kind === 'id' &&
        (x.text === 'lazy_static' || x.text === 'thread_local') &&
        tokens[toks[q]! + 1]?.text === '!'
      ) {
        const open = toks[q]! + 2;
        if (tokens[open]?.text === '{' || tokens[open]?.text === '(')
          lazyUntil = matching(tokens, open, 2_000_000);
      }
    }
    out.push(st);
    budget.left--;
    i = j + 1;
  }
  if (i < toks.length) budget.left = 0;
  const last = out[out.length - 1];
  if (last) last.ret = true;
  return out;
}

/**
 * At file scope only statics and consts computed by code (a call, a macro, an array) and the
 * insides of lazy initializers matter; plain constants, types and impl headers do not.
 */
function keepAtScope(
  tokens: Token[],
  toks: number[],
  i: number,
  j: number,
  item: boolean,
  lazyUntil: number | null,
): boolean {
  if (lazyUntil !== null && toks[i]! < lazyUntil) return true;
  if (!item) return false;
  for (let q = i; q < j; q++) {
    const x = tokens[toks[q]!]!.text;
    if (x === '(' || x === '!' || x === '[') return true;
  }
  return false;
}

function statement(tokens: Token[], toks: number[], i: number, j: number): Stmt {
  const defs: string[] = [];
  const uses: string[] = [];
  const calls: CallSite[] = [];
  const first = tokens[toks[i]!]!;
  const last = tokens[toks[Math.max(i, Math.min(j, toks.length) - 1)]!]!;
  // Bindings: `let PAT =`, `if let PAT =`, `for PAT in`.
  let bindEnd = -1;
  for (let q = i; q < j && q < i + 40; q++) {
    const x = tokens[toks[q]!]!;
    if (x.kind === 'kw' && (x.text === 'let' || x.text === 'for')) {
      for (let r = q + 1; r < j; r++) {
        const y = tokens[toks[r]!]!;
        if (y.text === '=' || (y.kind === 'kw' && y.text === 'in')) {
          bindEnd = r;
          break;
        }
        if (y.text === ':' && tokens[toks[r + 1]!]?.text !== ':') {
          // a type annotation: skip to `=`
          while (r < j && tokens[toks[r]!]!.text !== '=') r++;
          bindEnd = r;
          break;
        }
        if (
          y.kind === 'id' &&
          !NOT_A_NAME.has(y.text) &&
          !/^[A-Z]/.test(y.text) &&
          tokens[toks[r + 1]!]?.text !== '('
        )
          defs.push(y.text);
      }
      break;
    }
    if (x.kind === 'kw' && x.text !== 'if' && x.text !== 'while' && x.text !== 'mut') break;
  }
  // Items: `static [ref] [mut] NAME` / `const NAME` define NAME for the whole file.
  for (let q = i; q < j && q < i + 6; q++) {
    const x = tokens[toks[q]!]!;
    if (x.kind !== 'kw' || (x.text !== 'static' && x.text !== 'const')) continue;
    let r = q + 1;
    while (r < j && (tokens[toks[r]!]!.text === 'ref' || tokens[toks[r]!]!.text === 'mut')) r++;
    const name = tokens[toks[r]!];
    if (name?.kind === 'id') {
      defs.push(name.text);
      bindEnd = r + 1;
    }
    break;
  }
  // Assignments: `x = …`, `self.f = …`, `x += …`; receivers of mutating calls: `buf.push(…)`.
  if (bindEnd < 0) {
    const a0 = tokens[toks[i]!]!;
    if (a0.text === 'self' && tokens[toks[i + 1]!]?.text === '.' && tokens[toks[i + 2]!]?.kind === 'id')
      defs.push(`self.${tokens[toks[i + 2]!]!.text}`);
    else if (a0.kind === 'id' && /^(=|\+=|\.)$/.test(tokens[toks[i + 1]!]?.text ?? '')) defs.push(a0.text);
    else if (a0.kind === 'id' && tokens[toks[i + 1]!]?.text === '[') defs.push(a0.text);
  }
  const names = new Set<string>();
  for (let q = bindEnd >= 0 ? bindEnd + 1 : i; q < j; q++) {
    const x = tokens[toks[q]!]!;
    // Inline format arguments: `format!("{token}")` reads `token`.
    if (x.kind === 'str' && x.text.includes('{') && x.text.length < 2000)
      for (const m of x.text.matchAll(/\{([a-z_][a-z0-9_]*)(?:[:}])/g)) names.add(m[1]!);
    if (x.kind !== 'id' && x.text !== 'self') continue;
    const next = tokens[toks[q + 1]!]?.text;
    if (x.text === 'self') {
      if (next === '.' && tokens[toks[q + 2]!]?.kind === 'id' && tokens[toks[q + 3]!]?.text !== '(')
        names.add(`self.${tokens[toks[q + 2]!]!.text}`);
      continue;
    }
    const prev = tokens[toks[q - 1]!]?.text;
    if (next === '(' || (next === '::' && tokens[toks[q + 2]!]?.text === '<')) {
      const open = next === '(' ? q + 1 : -1;
      if (open > 0) {
        const qual = prev === '::' && tokens[toks[q - 2]!]?.kind === 'id' ? tokens[toks[q - 2]!]!.text : null;
        calls.push({
          name: x.text,
          qual,
          method: prev === '.',
          selfRecv:
            prev === '.' && tokens[toks[q - 2]!]?.text === 'self' && tokens[toks[q - 3]!]?.text !== '.',
          args: callArgs(tokens, toks, open, j),
        });
      }
      continue;
    }
    // Struct literal fields: `Self { token: value }` sets a field.
    if (next === ':' && tokens[toks[q + 2]!]?.text !== ':' && (prev === '{' || prev === ',')) {
      defs.push(`self.${x.text}`);
      continue;
    }
    if (prev === '.' || next === '::' || next === '!') continue;
    names.add(x.text);
    if (names.size >= MAX_NAMES_PER_STMT) break;
  }
  // Struct literal shorthand `Self { token }` also sets a field.
  if (calls.length === 0 && /^[A-Z]/.test(first.text)) for (const n of names) defs.push(`self.${n}`);
  uses.push(...names);
  return { a: first.line, b: last.line, defs, uses, calls };
}

/** The names each argument of a call reads or calls. */
function callArgs(tokens: Token[], toks: number[], open: number, end: number): string[][] {
  const out: string[][] = [];
  let cur: string[] = [];
  let depth = 0;
  for (let q = open + 1; q < end; q++) {
    const x = tokens[toks[q]!]!;
    if (x.kind === 'punct') {
      if (x.text === '(' || x.text === '[' || x.text === '{') depth++;
      else if (x.text === ')' || x.text === ']' || x.text === '}') {
        if (depth === 0) break;
        depth--;
      } else if (x.text === ',' && depth === 0) {
        out.push(cur);
        cur = [];
      }
      continue;
    }
    if (cur.length >= 16) continue;
    const next = tokens[toks[q + 1]!]?.text;
    const prev = tokens[toks[q - 1]!]?.text;
    if (x.text === 'self' && next === '.') {
      const f = tokens[toks[q + 2]!];
      if (f?.kind === 'id') cur.push(`self.${f.text}`);
    } else if (x.kind === 'id' && next === '(') cur.push(`()${x.text}`);
    else if (x.kind === 'id' && prev !== '.' && next !== '::' && next !== '!') cur.push(x.text);
  }
  out.push(cur);
  return out;
}
