// A Rust file as the rules see it: the token stream (rust-lexer.ts; the same inside and outside
// macro bodies, where a syntax tree only has token trees) annotated with syntax: which function
// each token sits in, which tokens are test code, `use` aliases, `mod` declarations, attributes.
// Syntax comes from tree-sitter for every file with a call a rule could match (and for all
// build-time code); files with none get the same facts from a token-level reading, which keeps
// whole-ecosystem scans fast: parsing is most of the cost, and most files call nothing risky.
import type { Node, Parser } from 'web-tree-sitter';
import { lexRust } from './rust-lexer.js';
import type { LexResult } from './rust-lexer.js';
import { parseRust } from './rust-parser.js';

export type TokenKind = 'id' | 'kw' | 'punct' | 'str' | 'char' | 'int' | 'float' | 'bool';

export interface Token {
  kind: TokenKind;
  /** Source text (identifiers, punctuation), the value of string literals, the char of char literals. */
  text: string;
  /** Numeric value of int and char tokens. */
  num?: number;
  /** For strings: a byte string (`b"…"`). */
  bytes?: boolean;
  line: number;
  /** Index into RustFacts.functions of the innermost enclosing `fn`, or -1. */
  fn: number;
  /** Inside `#[cfg(test)]` / `#[test]` items. */
  test: boolean;
}

export interface FnInfo {
  name: string;
  line: number;
}

export interface ModDecl {
  name: string;
  /** From a `#[path = "…"]` attribute. */
  pathAttr: string | null;
  line: number;
  test: boolean;
  /** Declared `pub mod` (not `pub(crate)`): its public items are the crate's API. */
  pub: boolean;
}

export interface Attribute {
  text: string;
  line: number;
}

export interface RustFacts {
  tokens: Token[];
  functions: FnInfo[];
  /** Alias (last path segment or `as` name) → full imported path. */
  uses: Map<string, string>;
  /** Paths imported with `::*`. */
  globUses: string[];
  mods: ModDecl[];
  attributes: Attribute[];
  /** Whether tree-sitter had to recover from syntax errors. */
  hasErrors: boolean;
  /** Stopped early because the file exceeded the token budget. */
  truncated: boolean;
  /** Where the syntax came from. */
  syntax: 'tree-sitter' | 'tokens';
}

interface Structure {
  functions: { name: string; line: number; start: number; end: number }[];
  testRanges: [number, number][];
  uses: Map<string, string>;
  globUses: string[];
  mods: { name: string; pathAttr: string | null; line: number; offset: number; pub: boolean }[];
  attributes: Attribute[];
  hasErrors: boolean;
}

export const MAX_TOKENS = 1_500_000;

/** `#[cfg(test)]`, `#[cfg(all(test, …))]`, `#[test]`, `#[tokio::test]`, … */
export const TEST_ATTR = /^#\[\s*(?:cfg\s*\(\s*(?:all\s*\(\s*)?test\b|(?:\w+::)*test\s*(?:\]|\())/;
const PATH_ATTR = /^#\[\s*path\s*=\s*"([^"]*)"\s*\]$/;

/**
 * Identifiers that a call-level rule needs (process spawning, network, secret and credential
 * reads, permission changes, TLS settings, embedded files). A file with none of them gets the
 * token-level syntax reading; string rules still see all of its literals.
 */
const CALL_TRIGGERS = new Set([
  'Command',
  'TcpStream',
  'UdpSocket',
  'ClientConnection',
  'TlsConnector',
  'connect_async',
  'var',
  'var_os',
  'vars',
  'vars_os',
  'option_env',
  'set_permissions',
  'from_mode',
  'danger_accept_invalid_certs',
  'danger_accept_invalid_hostnames',
  'dangerous',
  'verify_server_cert',
  'SslVerifyMode',
  'include_bytes',
  'include_str',
  'execv',
  'execvp',
  'execve',
  'popen',
  'posix_spawn',
  'ShellExecuteW',
  'ShellExecuteA',
  'CreateProcessW',
  'CreateProcessA',
  'WinExec',
  'IsDebuggerPresent',
  'creation_flags',
  'home_dir',
  'WalkDir',
  'read_dir',
  'reqwest',
  'ureq',
  'attohttpc',
  'minreq',
  'isahc',
  'surf',
  'curl',
  'http_req',
  'ehttp',
  'awc',
  'reqwless',
  'tungstenite',
  'ssh2',
  'hyper_tls',
  'hyper_rustls',
  'websocket',
  // Technique families of issue 10: anti-analysis, code from memory, static constructors,
  // covert channels, clipboard and input capture, hand-written Windows persistence.
  'CheckRemoteDebuggerPresent',
  'NtQueryInformationProcess',
  'ptrace',
  'memfd_create',
  'fexecve',
  'execveat',
  'PROT_EXEC',
  'make_exec',
  'map_exec',
  'VirtualAlloc',
  'VirtualAllocEx',
  'VirtualProtect',
  'WriteProcessMemory',
  'link_section',
  'ctor',
  'dtor',
  'lettre',
  'SmtpTransport',
  'arboard',
  'copypasta',
  'cli_clipboard',
  'x11_clipboard',
  'clipboard_win',
  'GetClipboardData',
  'SetWindowsHookExW',
  'SetWindowsHookExA',
  'GetAsyncKeyState',
  'rdev',
  'device_query',
  'RegSetValueExW',
  'RegSetValueExA',
  'RegCreateKeyExW',
  'RegSetKeyValueW',
  'GetKeyboardLayoutList',
  'GetUserDefaultLangID',
]);

export interface ExtractOptions {
  /** 'auto' (default): tree-sitter when the file has a call trigger; or force one reading. */
  syntax?: 'auto' | 'tree-sitter' | 'tokens';
}

export function extractRustFacts(parser: Parser, source: string, opts: ExtractOptions = {}): RustFacts {
  const lex = lexRust(source, MAX_TOKENS);
  const mode = opts.syntax ?? 'auto';
  const useTree =
    mode === 'tree-sitter' ||
    (mode === 'auto' && lex.tokens.some((t) => t.kind === 'id' && CALL_TRIGGERS.has(t.text)));
  const structure = useTree ? treeStructure(parser, source) : tokenStructure(source, lex);
  return applyStructure(lex, structure, useTree ? 'tree-sitter' : 'tokens');
}

function applyStructure(lex: LexResult, s: Structure, syntax: RustFacts['syntax']): RustFacts {
  const { tokens, starts } = lex;
  const fns = s.functions.map((f, idx) => ({ ...f, idx })).sort((a, b) => a.start - b.start || b.end - a.end);
  const tests = [...s.testRanges].sort((a, b) => a[0] - b[0]);
  const stack: { idx: number; end: number }[] = [];
  let fi = 0;
  let ti = 0;
  let testUntil = -1;
  for (let k = 0; k < tokens.length; k++) {
    const at = starts[k]!;
    while (fi < fns.length && fns[fi]!.start <= at) {
      stack.push({ idx: fns[fi]!.idx, end: fns[fi]!.end });
      fi++;
    }
    while (stack.length > 0 && stack[stack.length - 1]!.end <= at) stack.pop();
    while (ti < tests.length && tests[ti]![0] <= at) {
      testUntil = Math.max(testUntil, tests[ti]![1]);
      ti++;
    }
    const t = tokens[k]!;
    t.fn = stack.length > 0 ? stack[stack.length - 1]!.idx : -1;
    t.test = at < testUntil;
  }
  const inTest = (off: number) => tests.some(([a, b]) => off >= a && off < b);
  return {
    tokens,
    functions: s.functions.map((f) => ({ name: f.name, line: f.line })),
    uses: s.uses,
    globUses: s.globUses,
    mods: s.mods.map((m) => ({
      name: m.name,
      pathAttr: m.pathAttr,
      line: m.line,
      test: inTest(m.offset),
      pub: m.pub,
    })),
    attributes: s.attributes,
    hasErrors: s.hasErrors,
    truncated: lex.truncated,
    syntax,
  };
}

// ---------------------------------------------------------------------------------------------
// Syntax from tree-sitter: one walk over the item level (items, impl/trait/mod bodies, function
// bodies' statements); expressions are not visited, the token stream covers them.

const DESCEND = new Set([
  'source_file',
  'declaration_list',
  'mod_item',
  'impl_item',
  'trait_item',
  'function_item',
  'block',
  'foreign_mod_item',
  'expression_statement',
  'let_declaration',
]);

function treeStructure(parser: Parser, source: string): Structure {
  const tree = parseRust(parser, source);
  const s: Structure = {
    functions: [],
    testRanges: [],
    uses: new Map(),
    globUses: [],
    mods: [],
    attributes: [],
    hasErrors: tree.rootNode.hasError,
  };
  const lineOf = (n: Node) => n.startPosition.row + 1;
  // An explicit stack, not recursion: hostile files nest blocks tens of thousands deep.
  const stack: Node[] = [tree.rootNode];
  try {
    while (stack.length > 0) {
      const node = stack.pop()!;
      let pendingTest = false;
      let pendingPath: string | null = null;
      for (const child of node.namedChildren) {
        if (!child) continue;
        const type = child.type;
        if (type === 'line_comment' || type === 'block_comment') continue;
        if (type === 'attribute_item' || type === 'inner_attribute_item') {
          const text = child.text;
          s.attributes.push({ text, line: lineOf(child) });
          if (type === 'attribute_item') {
            if (TEST_ATTR.test(text)) pendingTest = true;
            const m = PATH_ATTR.exec(text);
            if (m) pendingPath = m[1]!;
          }
          continue;
        }
        if (pendingTest) s.testRanges.push([child.startIndex, child.endIndex]);
        if (type === 'function_item') {
          s.functions.push({
            name: child.childForFieldName('name')?.text ?? '',
            line: lineOf(child),
            start: child.startIndex,
            end: child.endIndex,
          });
        } else if (type === 'use_declaration') {
          const arg = child.childForFieldName('argument');
          if (arg) visitUse(arg, '', s.uses, s.globUses);
        } else if (type === 'mod_item' && !child.childForFieldName('body')) {
          const name = child.childForFieldName('name')?.text;
          if (name)
            s.mods.push({
              name,
              pathAttr: pendingPath,
              line: lineOf(child),
              offset: child.startIndex,
              pub: child.children.some((c) => c?.type === 'visibility_modifier' && c.text === 'pub'),
            });
        }
        pendingTest = false;
        pendingPath = null;
        if (DESCEND.has(type)) stack.push(child);
      }
    }
  } finally {
    tree.delete();
  }
  s.mods.sort((a, b) => a.offset - b.offset);
  s.attributes.sort((a, b) => a.line - b.line);
  return s;
}

/** Records what a `use` tree brings into scope: alias → full path. */
function visitUse(node: Node, prefix: string, uses: Map<string, string>, globs: string[], depth = 0): void {
  // Real use trees nest a few levels; a hostile one could overflow the stack.
  if (depth > 32) return;
  const join = (a: string, b: string) => (a && b ? `${a}::${b}` : a || b);
  const compact = (n: Node) => n.text.replace(/\s+/g, '');
  switch (node.type) {
    case 'identifier':
    case 'scoped_identifier':
    case 'crate':
    case 'self':
    case 'super':
      addUse(join(prefix, compact(node)), uses);
      break;
    case 'use_as_clause': {
      const path = node.childForFieldName('path');
      const alias = node.childForFieldName('alias');
      if (path && alias) uses.set(alias.text, join(prefix, compact(path)));
      break;
    }
    case 'use_wildcard': {
      const inner = node.namedChildren.find((n) => n !== null);
      globs.push(join(prefix, inner ? compact(inner) : ''));
      break;
    }
    case 'scoped_use_list': {
      const path = node.childForFieldName('path');
      const list = node.childForFieldName('list');
      const p = join(prefix, path ? compact(path) : '');
      if (list) for (const child of list.namedChildren) if (child) visitUse(child, p, uses, globs, depth + 1);
      break;
    }
    case 'use_list':
      for (const child of node.namedChildren) if (child) visitUse(child, prefix, uses, globs, depth + 1);
      break;
    default:
      break;
  }
}

function addUse(full: string, uses: Map<string, string>): void {
  const parts = full.split('::');
  if (parts[parts.length - 1] === 'self') {
    const parent = parts.slice(0, -1);
    if (parent.length > 0) uses.set(parent[parent.length - 1]!, parent.join('::'));
  } else uses.set(parts[parts.length - 1]!, full);
}

// ---------------------------------------------------------------------------------------------
// Syntax from tokens, for files with no call trigger.

function tokenStructure(source: string, lex: LexResult): Structure {
  const { tokens, starts, ends } = lex;
  const s: Structure = {
    functions: [],
    testRanges: [],
    uses: new Map(),
    globUses: [],
    mods: [],
    attributes: [],
    hasErrors: false,
  };
  const close = closers(tokens);
  let pendingTest = false;
  let pendingPath: string | null = null;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind === 'punct' && t.text === '#') {
      const open = tokens[k + 1]?.text === '!' ? k + 2 : k + 1;
      if (tokens[open]?.text === '[' && close[open]! > open) {
        const end = close[open]!;
        const text = source.slice(starts[k]!, ends[end]!);
        s.attributes.push({ text, line: t.line });
        if (open === k + 1) {
          if (TEST_ATTR.test(text)) pendingTest = true;
          const m = PATH_ATTR.exec(text);
          if (m) pendingPath = m[1]!;
        }
        k = end;
        continue;
      }
    }
    if (pendingTest) {
      const end = itemEnd(tokens, close, k);
      s.testRanges.push([starts[k]!, ends[end]!]);
      pendingTest = false;
    }
    if (t.kind === 'kw') {
      if (t.text === 'fn' && tokens[k + 1]?.kind === 'id') {
        const end = itemEnd(tokens, close, k);
        if (tokens[end]?.text === '}')
          s.functions.push({ name: tokens[k + 1]!.text, line: t.line, start: starts[k]!, end: ends[end]! });
      } else if (t.text === 'use') {
        let end = k + 1;
        while (end < tokens.length && tokens[end]!.text !== ';' && end < k + 400) end++;
        useFromTokens(tokens, k + 1, end, '', s.uses, s.globUses);
      } else if (t.text === 'mod' && tokens[k + 1]?.kind === 'id' && tokens[k + 2]?.text === ';') {
        s.mods.push({
          name: tokens[k + 1]!.text,
          pathAttr: pendingPath,
          line: t.line,
          offset: starts[k]!,
          pub: tokens[k - 1]?.text === 'pub',
        });
      }
    }
    // A `#[path]` applies to the next item only.
    if (t.text === ';' || t.text === '{' || t.text === '}') pendingPath = null;
  }
  return s;
}

/** For each opening bracket token, the index of its closing token (or -1). */
function closers(tokens: { kind: string; text: string }[]): Int32Array {
  const out = new Int32Array(tokens.length).fill(-1);
  const stack: number[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind !== 'punct') continue;
    if (t.text === '(' || t.text === '[' || t.text === '{') stack.push(k);
    else if (t.text === ')' || t.text === ']' || t.text === '}') {
      const o = stack.pop();
      if (o !== undefined) out[o] = k;
    }
  }
  return out;
}

/** Last token of the item starting at `k`: its body's `}` or its `;`. */
function itemEnd(tokens: Token[], close: Int32Array, k: number): number {
  for (let m = k; m < tokens.length; m++) {
    const x = tokens[m]!;
    if (x.kind !== 'punct') continue;
    if (x.text === ';') return m;
    if (x.text === '{') return close[m]! > m ? close[m]! : tokens.length - 1;
    if ((x.text === '(' || x.text === '[') && close[m]! > m) m = close[m]!;
  }
  return tokens.length - 1;
}

function useFromTokens(
  tokens: Token[],
  a: number,
  b: number,
  prefix: string,
  uses: Map<string, string>,
  globs: string[],
  nesting = 0,
): void {
  if (nesting > 32) return;
  // Split the top level on commas (inside a `{…}` group) and handle each path.
  const parts: [number, number][] = [];
  let depth = 0;
  let start = a;
  for (let k = a; k < b; k++) {
    const x = tokens[k]!.text;
    if (x === '{') depth++;
    else if (x === '}') depth--;
    else if (x === ',' && depth === 0) {
      parts.push([start, k]);
      start = k + 1;
    }
  }
  parts.push([start, b]);
  for (const [s, e] of parts) {
    const segs: string[] = [];
    let k = s;
    if (tokens[k]?.text === '::') k++;
    for (; k < e; k++) {
      const x = tokens[k]!;
      if (x.kind === 'id' || x.text === 'crate' || x.text === 'self' || x.text === 'super') {
        segs.push(x.text);
        if (tokens[k + 1]?.text === '::') k++;
        continue;
      }
      break;
    }
    const path = [prefix, ...segs].filter(Boolean).join('::');
    const x = tokens[k];
    if (!x || k >= e) {
      if (segs.length > 0) addUse(path, uses);
    } else if (x.text === '{') {
      let end = k + 1;
      let d = 1;
      for (; end < e; end++) {
        if (tokens[end]!.text === '{') d++;
        else if (tokens[end]!.text === '}' && --d === 0) break;
      }
      useFromTokens(tokens, k + 1, end, path, uses, globs, nesting + 1);
    } else if (x.text === '*') {
      globs.push(path);
    } else if (x.text === 'as' && tokens[k + 1]?.kind === 'id') {
      uses.set(tokens[k + 1]!.text, path);
    }
  }
}
