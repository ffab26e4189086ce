// cargo-geiger's unsafe counts for one Rust file, from a tree-sitter tree instead of syn.
// It gives the numbers of geiger's `GeigerSynVisitor` (geiger/src/geiger_syn_visitor.rs,
// cargo-geiger 0.13) walking the file as syn's generated `visit` functions do: which nodes syn
// sees as `Expr`, which `visit_*` reach an expression through `visit_expr` (counted) and which go
// around it (bodies of fns and loops, patterns, statement macros), and that macro token bodies
// are never visited. docs/source-analysis.md lists each rule and where tree-sitter and syn differ.
//
// Speed: node access from JS crosses into wasm (microseconds per node), so instead of walking
// the tree, one `descendantsOfType` query (run inside wasm) returns every node that can count,
// in document order, and the few context questions (is this block a fn body?) look at parents.
import type { Node } from 'web-tree-sitter';
import {
  attributeItemPath,
  attributeOf,
  attributePath,
  errorNodes,
  hasToken,
  namedKids,
  nestedMetas,
} from './syntax.js';

export interface Count {
  safe: number;
  unsafe: number;
}

/** geiger's CounterBlock. */
export interface UnsafeCounters {
  functions: Count;
  exprs: Count;
  itemImpls: Count;
  itemTraits: Count;
  methods: Count;
}

export interface FileUnsafety {
  counters: UnsafeCounters;
  /** The file has an inner `#![forbid(unsafe_code)]` (geiger's `file_forbids_unsafe`). */
  forbidsUnsafe: boolean;
}

export interface UnsafeCountOptions {
  /** Count inside `#[test]` fns and `#[cfg(test)]` mods (geiger's --include-tests). Default false. */
  includeTests?: boolean;
  /** Called with each node counted as an expression (debugging, tests). */
  onExpr?: (n: Node, isUnsafe: boolean) => void;
}

export const COUNTER_KEYS = ['functions', 'exprs', 'itemImpls', 'itemTraits', 'methods'] as const;

export function emptyCounters(): UnsafeCounters {
  return {
    functions: { safe: 0, unsafe: 0 },
    exprs: { safe: 0, unsafe: 0 },
    itemImpls: { safe: 0, unsafe: 0 },
    itemTraits: { safe: 0, unsafe: 0 },
    methods: { safe: 0, unsafe: 0 },
  };
}

export function addCounters(into: UnsafeCounters, add: UnsafeCounters): UnsafeCounters {
  for (const k of COUNTER_KEYS) {
    into[k].safe += add[k].safe;
    into[k].unsafe += add[k].unsafe;
  }
  return into;
}

export function totalUnsafe(c: UnsafeCounters): number {
  return COUNTER_KEYS.reduce((s, k) => s + c[k].unsafe, 0);
}

/** tree-sitter expression kinds that syn counts (every `Expr` but Lit, Path and Unsafe). */
const COUNTED = new Set([
  'array_expression', // Array or Repeat
  'assignment_expression',
  'async_block',
  'await_expression',
  'binary_expression',
  'block', // in expression position only: Expr::Block
  'break_expression',
  'call_expression',
  'closure_expression',
  'compound_assignment_expr', // syn 2: Expr::Binary with an *Assign op
  'const_block',
  'continue_expression',
  'field_expression',
  'for_expression',
  'gen_block',
  'if_expression',
  'index_expression',
  'loop_expression',
  'macro_invocation',
  'match_expression',
  'parenthesized_expression',
  'range_expression',
  'reference_expression', // Reference or RawAddr
  'return_expression',
  'struct_expression',
  'try_block',
  'try_expression',
  'tuple_expression',
  'type_cast_expression',
  'unary_expression',
  'unit_expression', // `()`: Expr::Tuple
  'while_expression',
  'yield_expression',
]);

export function isTestAttr(attrItem: Node): boolean {
  const a = attributeOf(attrItem);
  return a !== null && attributePath(a) === 'test';
}

/** geiger's `is_test_mod`: a `cfg` attribute whose nested metas (as syn reads them) include `test`. */
export function isCfgTestAttr(attrItem: Node): boolean {
  const a = attributeOf(attrItem);
  if (!a || attributePath(a) !== 'cfg') return false;
  const args = a.childForFieldName('arguments');
  if (!args) return false;
  return nestedMetas(args).some((m) => m.path === 'test');
}

/** geiger's `file_forbids_unsafe` for one inner attribute. */
export function isForbidUnsafeAttr(attrItem: Node): boolean {
  if (attrItem.type !== 'inner_attribute_item') return false;
  const a = attributeOf(attrItem);
  if (!a || attributePath(a) !== 'forbid') return false;
  const args = a.childForFieldName('arguments');
  if (!args) return false;
  // `meta.value().is_err()`: unsafe_code not followed by `=`.
  return nestedMetas(args).some((m) => m.path === 'unsafe_code' && !(m.hasRest && m.rest[0]?.type === '='));
}

/** Counts one parsed file. ERROR subtrees are skipped (nothing inside them is counted). */
export function countUnsafe(root: Node, opts: UnsafeCountOptions = {}): FileUnsafety {
  const includeTests = opts.includeTests === true;
  const counters = emptyCounters();
  const forbidsUnsafe = namedKids(root).some(isForbidUnsafeAttr);
  const nodes = root.descendantsOfType(QUERY_KINDS);
  const eof = root.endIndex;
  // Regions not visited (tests, ERROR nodes) and unsafe scopes, as stacks of end offsets: the
  // query's document order puts every region's node before what it contains.
  const skip: number[] = [];
  const scopes: number[] = [];
  const extras = skippedRegions(root);
  let nextExtra = 0;
  const count = (c: Count, isUnsafe: boolean): void => {
    if (isUnsafe) c.unsafe++;
    else c.safe++;
  };
  const drainExtra = (x: Region): void => {
    while (skip.length > 0 && skip[skip.length - 1]! <= x.start) skip.pop();
    if (skip.length > 0) return;
    while (scopes.length > 0 && scopes[scopes.length - 1]! <= x.start) scopes.pop();
    if (x.isExpr) count(counters.exprs, scopes.length > 0);
    skip.push(x.end);
  };
  for (const n of nodes) {
    if (!n) continue;
    const start = n.startIndex;
    // A region starts being skipped at its start, after the nodes that start there and enclose
    // it (`try!(y)?`: the `?` is counted, then the macro).
    while (nextExtra < extras.length) {
      const x = extras[nextExtra]!;
      if (x.start > start || (x.start === start && n.endIndex > x.end)) break;
      drainExtra(x);
      nextExtra++;
    }
    while (skip.length > 0 && skip[skip.length - 1]! <= start) skip.pop();
    if (skip.length > 0) continue;
    while (scopes.length > 0 && scopes[scopes.length - 1]! <= start) scopes.pop();
    const inUnsafe = scopes.length > 0;
    const t = n.type;
    switch (t) {
      case 'unsafe_block':
        scopes.push(n.endIndex);
        continue;
      case 'macro_definition':
        // macro_rules! bodies are tokens to syn; tree-sitter names `$b:block` fragments `block`.
        skip.push(n.endIndex);
        continue;
      case 'function_item': {
        const ctx = fnContext(n);
        const mods = namedKids(n).find((c) => c.type === 'function_modifiers');
        const unsafeKw = mods !== undefined && hasToken(mods, 'unsafe');
        if (ctx === 'free') {
          const attrs = outerAttrs(n);
          if (!includeTests && attrs.some(isTestAttr)) {
            skip.push(n.endIndex);
            continue;
          }
          const unsafeAttr = attrs.some((a) => {
            const path = attributeItemPath(a);
            return path === 'no_mangle' || path === 'export_name';
          });
          count(counters.functions, unsafeKw || unsafeAttr);
          // geiger enters a scope for `unsafe fn` or `#[no_mangle]`/`#[export_name]` but leaves
          // it only for `unsafe fn`: after a safe #[no_mangle] fn the rest of the file counts as
          // unsafe. Kept, so that the counts agree with geiger's.
          if (unsafeKw) scopes.push(n.endIndex);
          else if (unsafeAttr) scopes.push(eof + 1);
        } else if (ctx === 'impl') {
          count(counters.methods, unsafeKw);
          if (unsafeKw) scopes.push(n.endIndex);
        }
        // A trait's provided method: visited, not counted, and `unsafe fn` opens no scope.
        continue;
      }
      case 'mod_item':
        if (!includeTests && isTestMod(n)) skip.push(n.endIndex);
        continue;
      case 'impl_item':
        count(counters.itemImpls, hasToken(n, 'unsafe'));
        continue;
      case 'trait_item':
        count(counters.itemTraits, hasToken(n, 'unsafe'));
        continue;
      case 'empty_statement': {
        // syn keeps a stray `;` in a block (after an item, or a second `;`) as an empty
        // Expr::Verbatim statement, which visit_expr counts; a brace macro statement or a
        // block-like expression statement takes the `;` after it as its own.
        if (n.parent?.type !== 'block') continue;
        let prev = n.previousNamedSibling;
        while (prev && (prev.type === 'line_comment' || prev.type === 'block_comment'))
          prev = prev.previousNamedSibling;
        if (prev?.type === 'macro_invocation') continue;
        // `match x {};` `if c {};`: syn takes the `;` as the statement's own.
        if (prev?.type === 'expression_statement' && prev.child(prev.childCount - 1)?.type !== ';') continue;
        break;
      }
      case 'let_chain': {
        // `a && let B = b && c`: syn's left-nested Expr::Binary, one per `&&`.
        const k = n.childCount;
        for (let i = 0; i < k; i++) if (n.child(i)?.type === '&&') count(counters.exprs, inUnsafe);
        continue;
      }
      case 'block':
        if (BODY_PARENTS.has(n.parent?.type ?? '')) continue;
        break;
      case 'field_expression': {
        // `recv.m(..)` / `recv.m::<T>(..)`: one Expr::MethodCall, counted at the call.
        const p = n.parent?.type;
        if (p === 'call_expression' || p === 'generic_function') continue;
        break;
      }
      case 'macro_invocation':
        if (!isExprMacro(n)) continue;
        break;
      case 'const_block':
        // In a pattern (Pat::Const) syn calls visit_expr_const directly: not counted.
        if (isPatternKind(n.parent?.type ?? '')) continue;
        break;
      case 'assignment_expression': {
        const left = n.childForFieldName('left');
        // tree-sitter reads the prefix range `..=x` as `(..) = x`: one Expr::Range in syn,
        // counted at the `..` node.
        if (
          left?.type === 'range_expression' &&
          left.namedChildCount === 0 &&
          n.child(1)?.startIndex === left.endIndex
        )
          continue;
        // `_ = f()`: the `_` is an Expr::Infer.
        if (left?.text === '_') count(counters.exprs, inUnsafe);
        break;
      }
    }
    count(counters.exprs, inUnsafe);
    opts.onExpr?.(n, inUnsafe);
  }
  while (nextExtra < extras.length) drainExtra(extras[nextExtra++]!);
  return { counters, forbidsUnsafe };
}

interface Region {
  start: number;
  end: number;
  /** Counts as one expression (an Expr::Macro) where it starts. */
  isExpr: boolean;
}

/**
 * What is not visited: ERROR nodes, and the argument of a 2015-edition `try!(…)`. tree-sitter
 * reads `try` as the keyword and leaves `try !` as an ERROR before a parenthesised expression;
 * syn reads a macro (an Expr::Macro where an expression is expected, a Stmt::Macro as a
 * statement) whose tokens it does not visit.
 */
function skippedRegions(root: Node): Region[] {
  const out: Region[] = [];
  for (const e of errorNodes(root)) {
    out.push({ start: e.startIndex, end: e.endIndex, isExpr: false });
    if (!/^try\s*!$/.test(e.text)) continue;
    const next = e.nextSibling;
    if (next?.type === 'parenthesized_expression') {
      out.push({ start: next.startIndex, end: next.endIndex, isExpr: true });
    } else if (next?.type === 'expression_statement') {
      const first = next.namedChild(0);
      if (first?.type === 'parenthesized_expression') {
        out.push({ start: first.startIndex, end: first.endIndex, isExpr: false });
      } else if (first && first.startIndex === next.startIndex) {
        // `try!(x)?;`, `try!(x).f();`: the macro is the innermost receiver.
        let inner: Node | null = first;
        while (inner && inner.type !== 'parenthesized_expression' && inner.namedChildCount > 0)
          inner = inner.namedChild(0);
        if (inner?.type === 'parenthesized_expression' && inner.startIndex === next.startIndex)
          out.push({ start: inner.startIndex, end: inner.endIndex, isExpr: true });
      }
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

const QUERY_KINDS = [
  ...COUNTED,
  'let_condition',
  'let_chain',
  'unsafe_block',
  'function_item',
  'mod_item',
  'impl_item',
  'trait_item',
  'macro_definition',
  'empty_statement',
];

/** Kinds whose `block` child is a syn `Block` (not an `Expr::Block`): bodies. */
const BODY_PARENTS = new Set([
  'function_item',
  'if_expression',
  'while_expression',
  'loop_expression',
  'for_expression',
  'async_block',
  'gen_block',
  'const_block',
  'try_block',
  'unsafe_block',
]);

function isPatternKind(t: string): boolean {
  return t.endsWith('_pattern') || t === 'match_pattern';
}

/** Where a macro is a statement, an item, a type or a pattern: never an expression. */
const NON_EXPR_MACRO_PARENTS = new Set([
  'source_file',
  'declaration_list',
  'expression_statement', // `m!(..);` is a Stmt::Macro
  'function_item', // return type
  'function_signature_item',
  'impl_item',
  'trait_item',
  'type_arguments',
  'type_parameter',
  'where_predicate',
  'parameter',
  'field_declaration',
  'ordered_field_declaration_list',
  'type_item',
  'associated_type',
  'closure_parameters',
  'type_binding',
  'macro_definition',
]);
/** Parents with a type or pattern beside one expression field: only that field is an expression. */
const EXPR_FIELD: Record<string, string> = {
  let_declaration: 'value',
  const_item: 'value',
  static_item: 'value',
  for_expression: 'value',
  let_condition: 'value',
  closure_expression: 'body',
  const_parameter: 'value',
  array_type: 'length',
  match_pattern: 'condition', // the guard
};

function isExprMacro(n: Node): boolean {
  const p = n.parent;
  if (!p) return false;
  const pt = p.type;
  if (NON_EXPR_MACRO_PARENTS.has(pt)) return false;
  if (pt === 'block') {
    // Only a block's trailing `m!(..)` / `m![..]` is an expression; other macro statements
    // (and brace-delimited ones anywhere) are Stmt::Macro.
    let next = n.nextNamedSibling;
    while (next && (next.type === 'line_comment' || next.type === 'block_comment'))
      next = next.nextNamedSibling;
    if (next) return false;
    const tt = namedKids(n).find((c) => c.type === 'token_tree');
    return tt?.child(0)?.type !== '{';
  }
  const field = EXPR_FIELD[pt];
  if (field !== undefined) return p.childForFieldName(field)?.id === n.id;
  if (pt.endsWith('_type') || isPatternKind(pt)) return false;
  return true;
}

type FnContext = 'free' | 'impl' | 'trait' | 'extern';

function fnContext(fn: Node): FnContext {
  const p = fn.parent;
  if (p?.type !== 'declaration_list') return 'free';
  const owner = p.parent?.type;
  if (owner === 'impl_item') return 'impl';
  if (owner === 'trait_item') return 'trait';
  if (owner === 'foreign_mod_item') return 'extern';
  return 'free';
}

/** The attribute items right before an item (tree-sitter makes them siblings). */
export function outerAttrs(item: Node): Node[] {
  const out: Node[] = [];
  let prev = item.previousNamedSibling;
  while (prev) {
    if (prev.type === 'attribute_item') out.push(prev);
    else if (prev.type !== 'line_comment' && prev.type !== 'block_comment') break;
    prev = prev.previousNamedSibling;
  }
  return out;
}

function isTestMod(mod: Node): boolean {
  if (outerAttrs(mod).some(isCfgTestAttr)) return true;
  const body = mod.childForFieldName('body');
  if (!body) return false;
  for (const c of namedKids(body)) {
    if (c.type === 'inner_attribute_item') {
      if (isCfgTestAttr(c)) return true;
    } else break;
  }
  return false;
}
