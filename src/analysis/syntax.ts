// Small helpers over tree-sitter-rust nodes shared by the analyses: named children without
// comments, attributes and their paths, and syn's `parse_nested_meta` reading of attribute
// arguments (which cargo-geiger uses for `cfg(test)` and `forbid(unsafe_code)`).
import type { Node } from 'web-tree-sitter';

export const COMMENT_KINDS = new Set(['line_comment', 'block_comment']);

/** Named children that are not comments (comments are "extras" and may sit anywhere). */
export function namedKids(n: Node): Node[] {
  const out: Node[] = [];
  const count = n.namedChildCount;
  for (let i = 0; i < count; i++) {
    const c = n.namedChild(i);
    if (c && !COMMENT_KINDS.has(c.type)) out.push(c);
  }
  return out;
}

/** Whether `n` has a direct anonymous child token of this kind (e.g. `unsafe`). */
export function hasToken(n: Node, token: string): boolean {
  const count = n.childCount;
  for (let i = 0; i < count; i++) {
    const c = n.child(i);
    if (c && !c.isNamed && c.type === token) return true;
  }
  return false;
}

/** The `attribute` inside an `attribute_item` / `inner_attribute_item`. */
export function attributeOf(item: Node): Node | null {
  for (const c of namedKids(item)) if (c.type === 'attribute') return c;
  return null;
}

/**
 * The attribute's path as text (`cfg`, `no_mangle`, `tokio::test`), or null when it has none.
 * syn's `path().is_ident(x)` is true only for a one-segment path, i.e. exactly `x` here.
 */
export function attributePath(attr: Node): string | null {
  const first = attr.namedChild(0);
  if (!first) return null;
  if (first.type === 'identifier' || first.type === 'scoped_identifier' || first.type === 'crate') {
    return first.text;
  }
  return null;
}

export function attributeItemPath(item: Node): string | null {
  const a = attributeOf(item);
  return a ? attributePath(a) : null;
}

/** A nested-meta element as syn's parse_nested_meta sees it: its path and whether more follows. */
export interface NestedMeta {
  path: string;
  /** `=` value or a parenthesised list follows the path. */
  hasRest: boolean;
  /** The tokens after the path (a value or a list), when hasRest. */
  rest: Node[];
}

/**
 * Reads `(a, b = "x", c(d))` the way syn's `parse_nested_meta` walks it when the callback
 * consumes nothing: the callback sees each element's path, and parsing stops with an error at
 * the first element that has a value or a list (the unconsumed `=`/`(` is not a comma). The
 * returned list therefore ends with the first element that has a rest.
 */
export function nestedMetas(tokenTree: Node): NestedMeta[] {
  const toks: Node[] = [];
  const count = tokenTree.childCount;
  for (let i = 0; i < count; i++) {
    const c = tokenTree.child(i);
    if (c && !COMMENT_KINDS.has(c.type)) toks.push(c);
  }
  // Drop the delimiters.
  const inner = toks.slice(1, toks.length - 1);
  const out: NestedMeta[] = [];
  let i = 0;
  while (i < inner.length) {
    let path = '';
    if (inner[i]!.type === '::') {
      path = '::';
      i++;
    }
    // A path: ident (:: ident)*
    while (i < inner.length) {
      const t = inner[i]!;
      if (t.type === 'identifier' || t.type === 'self' || t.type === 'crate' || t.type === 'super') {
        path += t.text;
        i++;
        if (i < inner.length && inner[i]!.type === '::') {
          path += '::';
          i++;
          continue;
        }
      }
      break;
    }
    if (path === '' || path.endsWith('::')) return out; // syn: "expected identifier" error
    const next = inner[i];
    if (!next || next.type === ',') {
      out.push({ path, hasRest: false, rest: [] });
      i++;
      continue;
    }
    const rest: Node[] = [];
    while (i < inner.length && inner[i]!.type !== ',') rest.push(inner[i++]!);
    out.push({ path, hasRest: true, rest });
    return out;
  }
  return out;
}

/** The string value of a `string_literal` / `raw_string_literal` node (escapes left as written). */
export function stringLiteralValue(n: Node): string | null {
  if (n.type === 'string_literal') {
    let s = '';
    for (const c of namedKids(n)) {
      if (c.type === 'string_content') s += c.text;
      else if (c.type === 'escape_sequence') s += unescape(c.text);
    }
    return s;
  }
  if (n.type === 'raw_string_literal') {
    const m = /^r(#*)"([\s\S]*)"\1$/.exec(n.text);
    return m ? m[2]! : null;
  }
  return null;
}

function unescape(e: string): string {
  switch (e) {
    case '\\n':
      return '\n';
    case '\\t':
      return '\t';
    case '\\\\':
      return '\\';
    case '\\"':
      return '"';
    case "\\'":
      return "'";
    case '\\0':
      return '\0';
    default:
      return '';
  }
}

/** The outermost ERROR nodes, in document order; only subtrees that contain an error are entered. */
export function errorNodes(root: Node): Node[] {
  const out: Node[] = [];
  if (!root.hasError) return out;
  const visit = (n: Node): void => {
    if (n.isError) {
      out.push(n);
      return;
    }
    const count = n.childCount;
    for (let i = 0; i < count; i++) {
      const c = n.child(i);
      if (c && c.hasError) visit(c);
    }
  };
  visit(root);
  return out;
}

/** The outermost ERROR nodes' [start, end) ranges, in document order. */
export function errorRanges(root: Node): [number, number][] {
  return errorNodes(root).map((n) => [n.startIndex, n.endIndex]);
}

/**
 * An ERROR node that is valid Rust tree-sitter-rust 0.24 has no rule for: an extern type with a
 * visibility, `pub type Name;` / `pub(crate) type Name<T>;` in an `extern` block (syn's
 * `ForeignItem::Type`; web-sys and other wasm-bindgen output declare thousands). The grammar
 * accepts `type Name;` there (as an associated type) but not with `pub`, and recovers with
 * exactly `(ERROR visibility_modifier "type" identifier type_parameters?)` followed by the `;` as
 * an empty statement. Anything else (bounds, a value, another context) stays an error.
 */
export function isExternTypeGap(err: Node): boolean {
  if (!err.isError) return false;
  const list = err.parent;
  if (list?.type !== 'declaration_list' || list.parent?.type !== 'foreign_mod_item') return false;
  const kids: Node[] = [];
  for (let i = 0; i < err.childCount; i++) {
    const c = err.child(i);
    if (c && !COMMENT_KINDS.has(c.type)) kids.push(c);
  }
  const [vis, kw, name, params, ...more] = kids;
  if (vis?.type !== 'visibility_modifier' || kw?.type !== 'type' || name?.type !== 'identifier') return false;
  if (more.length > 0 || (params !== undefined && params.type !== 'type_parameters')) return false;
  if (vis.hasError || params?.hasError) return false;
  let next = err.nextSibling;
  while (next && COMMENT_KINDS.has(next.type)) next = next.nextSibling;
  return next?.type === 'empty_statement';
}
