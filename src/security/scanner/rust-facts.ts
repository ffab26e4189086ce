// One walk over a tree-sitter syntax tree turns a Rust file into the facts the rules read: a flat
// token stream (the same inside and outside macro bodies, where tree-sitter only sees token trees),
// literal values, `use` aliases, `mod` declarations, attributes and which tokens sit in test code.
import type { Parser } from 'web-tree-sitter';
import { charLiteralValue, integerLiteralValue, stringLiteralValue } from './rust-literal.js';
import { parseRust } from './rust-parser.js';

export type TokenKind = 'id' | 'kw' | 'punct' | 'str' | 'char' | 'int' | 'float' | 'bool';

export interface Token {
  kind: TokenKind;
  /** Source text (identifiers, punctuation) or the literal's value (strings, chars as text). */
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
}

const ID_TYPES = new Set([
  'identifier',
  'field_identifier',
  'type_identifier',
  'primitive_type',
  'shorthand_field_identifier',
  'metavariable',
  'self',
  'super',
  'crate',
]);
const SKIP_TYPES = new Set(['line_comment', 'block_comment', 'lifetime', 'doc_comment']);
const TEST_ATTR = /^#\[\s*(?:cfg\s*\(\s*(?:all\s*\(\s*)?test\b|(?:\w+::)*test\s*[\](])/;
const PATH_ATTR = /^#\[\s*path\s*=\s*"([^"]*)"\s*\]$/;

export const MAX_TOKENS = 1_500_000;

export function extractRustFacts(parser: Parser, source: string): RustFacts {
  const tree = parseRust(parser, source);
  try {
    return walk(tree.rootNode.hasError, tree.walk(), source);
  } finally {
    tree.delete();
  }
}

type Cursor = ReturnType<import('web-tree-sitter').Tree['walk']>;

function walk(hasErrors: boolean, c: Cursor, source: string): RustFacts {
  const tokens: Token[] = [];
  const functions: FnInfo[] = [];
  const uses = new Map<string, string>();
  const globUses: string[] = [];
  const mods: ModDecl[] = [];
  const attributes: Attribute[] = [];

  // Line numbers come from a running scan over newlines: tokens arrive in source order.
  let lineNo = 1;
  let linePos = 0;
  const lineAt = (index: number): number => {
    while (linePos < index) {
      const nl = source.indexOf('\n', linePos);
      if (nl === -1 || nl >= index) {
        linePos = index;
        break;
      }
      lineNo++;
      linePos = nl + 1;
    }
    return lineNo;
  };

  let testUntil = -1;
  const fnStack: { idx: number; end: number }[] = [];
  let pendingTest = false;
  let pendingPath: string | null = null;
  let truncated = false;

  const push = (kind: TokenKind, text: string, start: number, extra?: Partial<Token>): void => {
    while (fnStack.length > 0 && fnStack[fnStack.length - 1]!.end <= start) fnStack.pop();
    tokens.push({
      kind,
      text,
      line: lineAt(start),
      fn: fnStack.length > 0 ? fnStack[fnStack.length - 1]!.idx : -1,
      test: start < testUntil,
      ...extra,
    });
  };

  outer: while (true) {
    const type = c.nodeType;
    const start = c.startIndex;
    if (SKIP_TYPES.has(type)) {
    } else if (type === 'string_literal' || type === 'raw_string_literal') {
      const text = source.slice(start, c.endIndex);
      const v = stringLiteralValue(text);
      push('str', v ? v.value : text, start, v?.bytes ? { bytes: true } : undefined);
    } else if (type === 'char_literal') {
      const text = source.slice(start, c.endIndex);
      const cp = charLiteralValue(text);
      push('char', cp === null ? text : String.fromCodePoint(cp), start, cp === null ? undefined : { num: cp });
    } else if (type === 'integer_literal') {
      const text = source.slice(start, c.endIndex);
      const v = integerLiteralValue(text);
      push('int', text, start, v === null ? undefined : { num: v });
    } else if (type === 'float_literal') {
      push('float', source.slice(start, c.endIndex), start);
    } else if (type === 'boolean_literal') {
      push('bool', source.slice(start, c.endIndex), start);
    } else if (type === 'attribute_item' || type === 'inner_attribute_item') {
      const text = source.slice(start, c.endIndex);
      attributes.push({ text, line: lineAt(start) });
      if (type === 'attribute_item') {
        if (TEST_ATTR.test(text)) pendingTest = true;
        const m = PATH_ATTR.exec(text);
        if (m) pendingPath = m[1]!;
      }
    } else if (type === 'use_declaration') {
      collectUse(c.currentNode, uses, globUses);
    } else {
      if (c.nodeIsNamed && type !== 'attribute_item') {
        // The item right after `#[cfg(test)]`/`#[test]` is test code.
        if (pendingTest) {
          if (c.endIndex > testUntil) testUntil = c.endIndex;
          pendingTest = false;
        }
        if (type === 'mod_item') {
          const node = c.currentNode;
          if (!node.childForFieldName('body')) {
            const name = node.childForFieldName('name')?.text;
            if (name) mods.push({ name, pathAttr: pendingPath, line: lineAt(start), test: start < testUntil });
          }
        }
        if (type === 'function_item') {
          const name = c.currentNode.childForFieldName('name')?.text ?? '';
          functions.push({ name, line: lineAt(start) });
          fnStack.push({ idx: functions.length - 1, end: c.endIndex });
        }
        if (type !== 'source_file') pendingPath = null;
      }
      if (!c.gotoFirstChild()) {
          // A leaf: identifiers are named, keywords and punctuation are anonymous.
        if (ID_TYPES.has(type)) push('id', source.slice(start, c.endIndex), start);
        else if (!c.nodeIsNamed) push(/^[a-z_]+$/.test(type) ? 'kw' : 'punct', type, start);
        else if (type === 'mutable_specifier') push('kw', 'mut', start);
      } else {
        continue;
      }
    }
    if (tokens.length >= MAX_TOKENS) {
      truncated = true;
      break;
    }
    while (!c.gotoNextSibling()) {
      if (!c.gotoParent()) break outer;
    }
  }
  c.delete();
  return { tokens, functions, uses, globUses, mods, attributes, hasErrors, truncated };
}

type TsNode = import('web-tree-sitter').Node;

/** Records what a `use` declaration brings into scope: alias → full path. */
function collectUse(node: TsNode, uses: Map<string, string>, globs: string[]): void {
  const arg = node.childForFieldName('argument');
  if (arg) visitUse(arg, '', uses, globs);
}

function visitUse(node: TsNode, prefix: string, uses: Map<string, string>, globs: string[]): void {
  const join = (a: string, b: string) => (a && b ? `${a}::${b}` : a || b);
  switch (node.type) {
    case 'identifier':
    case 'scoped_identifier':
    case 'crate':
    case 'self':
    case 'super': {
      const full = join(prefix, node.text.replace(/\s+/g, ''));
      const last = full.split('::').pop()!;
      if (last === 'self') {
        const parent = full.slice(0, -'::self'.length);
        uses.set(parent.split('::').pop()!, parent);
      } else uses.set(last, full);
      break;
    }
    case 'use_as_clause': {
      const path = node.childForFieldName('path');
      const alias = node.childForFieldName('alias');
      if (path && alias) uses.set(alias.text, join(prefix, path.text.replace(/\s+/g, '')));
      break;
    }
    case 'use_wildcard': {
      const inner = node.namedChildren.find((n) => n !== null && n.type !== 'use_wildcard');
      globs.push(join(prefix, inner ? inner.text.replace(/\s+/g, '') : ''));
      break;
    }
    case 'scoped_use_list': {
      const path = node.childForFieldName('path');
      const list = node.childForFieldName('list');
      const p = join(prefix, path ? path.text.replace(/\s+/g, '') : '');
      if (list) for (const child of list.namedChildren) if (child) visitUse(child, p, uses, globs);
      break;
    }
    case 'use_list':
      for (const child of node.namedChildren) if (child) visitUse(child, prefix, uses, globs);
      break;
    default:
      break;
  }
}
