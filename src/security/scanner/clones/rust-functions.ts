// A Rust file split into its functions for comparison with another crate's: each function named
// as Rust qualifies it (`Decimal::new`, `<Decimal as Display>::fmt`, `mod::f`), with its body
// normalised (comments gone, whitespace collapsed) so that docs and reformatting are no change.
import type { Node, Parser } from 'web-tree-sitter';
import { TEST_ATTR } from '../rust-facts.js';
import { parseRust } from '../rust-parser.js';

export interface RustFunction {
  /** Qualified name: impl type, trait and inline modules (`Decimal::new`). */
  name: string;
  path: string;
  line: number;
  endLine: number;
  /** The normalised text: equal keys mean the same function. */
  key: string;
  /** The function's lines without comments, trimmed, blank ones dropped, for a line diff. */
  lines: { line: number; text: string }[];
}

const COMMENTS = ['line_comment', 'block_comment'];

/** Items under these carry more functions; function bodies are not entered (nested fns belong to them). */
const CONTAINERS = new Set(['source_file', 'declaration_list', 'mod_item', 'impl_item', 'trait_item']);

/** The type an impl is for, without generics or paths: `impl<T> foo::Bar<T>` → `Bar`. */
function bareType(node: Node | null): string {
  if (!node) return '?';
  const text = node.text.replace(/\s+/g, '');
  const noGenerics = text.replace(/<.*$/s, '');
  return noGenerics.split('::').pop() || text;
}

/** Functions of one file (test items left out); an explicit stack, as hostile files nest deep. */
export function splitFunctions(parser: Parser, path: string, source: string): RustFunction[] {
  const tree = parseRust(parser, source);
  const out: RustFunction[] = [];
  const stack: { node: Node; prefix: string }[] = [{ node: tree.rootNode, prefix: '' }];
  try {
    while (stack.length > 0) {
      const { node, prefix } = stack.pop()!;
      let testItem = false;
      for (const child of node.namedChildren) {
        if (!child || COMMENTS.includes(child.type)) continue;
        if (child.type === 'attribute_item') {
          if (TEST_ATTR.test(child.text)) testItem = true;
          continue;
        }
        const skip = testItem;
        testItem = false;
        if (skip) continue;
        if (child.type === 'function_item') {
          out.push(describe(child, path, `${prefix}${child.childForFieldName('name')?.text ?? '?'}`));
        } else if (child.type === 'impl_item') {
          const type = bareType(child.childForFieldName('type'));
          const trait = child.childForFieldName('trait');
          const q = trait ? `<${type} as ${bareType(trait)}>::` : `${type}::`;
          const body = child.childForFieldName('body');
          if (body) stack.push({ node: body, prefix: prefix + q });
        } else if (child.type === 'trait_item' || child.type === 'mod_item') {
          const body = child.childForFieldName('body');
          const name = child.childForFieldName('name')?.text ?? '?';
          if (body) stack.push({ node: body, prefix: `${prefix}${name}::` });
        } else if (CONTAINERS.has(child.type)) {
          stack.push({ node: child, prefix });
        }
      }
    }
  } finally {
    tree.delete();
  }
  return out.sort((a, b) => a.line - b.line);
}

function describe(fn: Node, path: string, name: string): RustFunction {
  const start = fn.startIndex;
  let text = fn.text;
  // Blank out comments (keeping newlines, so line numbers hold), last first so offsets stay valid.
  const comments = fn.descendantsOfType(COMMENTS).filter((c): c is Node => c !== null);
  for (const c of comments.sort((a, b) => b.startIndex - a.startIndex)) {
    const a = c.startIndex - start;
    const b = c.endIndex - start;
    text = text.slice(0, a) + text.slice(a, b).replace(/[^\n]/g, ' ') + text.slice(b);
  }
  const first = fn.startPosition.row + 1;
  const lines = text
    .split('\n')
    .map((t, i) => ({ line: first + i, text: t.trim().replace(/\s+/g, ' ') }))
    .filter((l) => l.text !== '');
  return {
    name,
    path,
    line: first,
    endLine: fn.endPosition.row + 1,
    key: normaliseKey(text),
    lines,
  };
}

/** Whitespace collapsed, and dropped next to punctuation: `a+b` and `a + b` are one text. */
export function normaliseKey(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/ ?([^\w ]) ?/g, '$1')
    .trim();
}
