// cargo-geiger's unsafe counts for one Rust file, from a tree-sitter tree instead of syn.
// It mirrors geiger's `GeigerSynVisitor` (geiger/src/geiger_syn_visitor.rs, cargo-geiger 0.13)
// walking the file the way syn's generated `visit` functions do: which nodes syn sees as `Expr`,
// which `visit_*` reach an expression through `visit_expr` (counted) and which go around it
// (blocks of fns and loops, patterns), and that macro token bodies are never visited.
// docs/source-analysis.md lists each rule and where tree-sitter and syn differ.
import type { Node } from 'web-tree-sitter';
import { attributeOf, attributePath, hasToken, namedKids, nestedMetas } from './syntax.js';

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

const LITERALS = new Set([
  'boolean_literal',
  'char_literal',
  'float_literal',
  'integer_literal',
  'raw_string_literal',
  'string_literal',
  'negative_literal',
]);

/** Nodes syn parses as `Expr::Path` in expression position. */
const PATHS = new Set([
  'identifier',
  'scoped_identifier',
  'self',
  'generic_function',
  'metavariable',
  'crate',
  'super',
]);

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

/** Expressions whose direct `block` child is a syn `Block` (a body), not an `Expr::Block`. */
const BODY_PARENTS = new Set([
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

/** Fields under which a `block` outside expressions is an `Expr` (const/static/let-else/…). */
const EXPR_BLOCK_FIELDS = new Set(['value', 'alternative', 'length']);

const ITEM_KINDS = new Set([
  'function_item',
  'function_signature_item',
  'impl_item',
  'trait_item',
  'mod_item',
  'foreign_mod_item',
  'struct_item',
  'enum_item',
  'union_item',
  'const_item',
  'static_item',
  'type_item',
  'associated_type',
  'use_declaration',
  'extern_crate_declaration',
  'macro_definition',
]);

type FnContext = 'free' | 'impl' | 'trait' | 'extern';

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
  return nestedMetas(args).some(
    (m) => m.path === 'unsafe_code' && !(m.hasRest && m.rest[0]?.type === '='),
  );
}

function innerAttrs(body: Node | null): Node[] {
  if (!body) return [];
  return namedKids(body).filter((c) => c.type === 'inner_attribute_item');
}

/** Counts one parsed file. ERROR subtrees are skipped (nothing inside them is counted). */
export function countUnsafe(root: Node, opts: UnsafeCountOptions = {}): FileUnsafety {
  const v = new GeigerVisitor(opts.includeTests === true);
  v.visitFile(root);
  return { counters: v.counters, forbidsUnsafe: v.forbidsUnsafe };
}

class GeigerVisitor {
  readonly counters = emptyCounters();
  forbidsUnsafe = false;
  /** Nested unsafe scopes, as geiger's `unsafe_scopes`. */
  private scopes = 0;

  constructor(private readonly includeTests: boolean) {}

  visitFile(root: Node): void {
    this.forbidsUnsafe = namedKids(root).some(isForbidUnsafeAttr);
    this.visitItemList(root, 'free', false);
  }

  private count(c: Count, isUnsafe: boolean): void {
    if (isUnsafe) c.unsafe++;
    else c.safe++;
  }

  /** Attribute values (`#[doc = include_str!(..)]`): syn visits Meta::NameValue's `value: Expr`. */
  private visitAttrs(attrs: Node[]): void {
    for (const item of attrs) {
      const a = attributeOf(item);
      const value = a?.childForFieldName('value');
      if (value) this.visitExpr(value);
    }
  }

  /**
   * A file, a mod/impl/trait/extern body or a block: items and statements, each with the outer
   * attributes that precede it (tree-sitter makes them siblings; syn puts them on the item).
   */
  private visitItemList(container: Node, ctx: FnContext, isBlock: boolean): void {
    const kids = namedKids(container);
    let pending: Node[] = [];
    // The block's trailing expression: a macro there without `;` is an Expr::Macro.
    let last = -1;
    if (isBlock) {
      for (let i = kids.length - 1; i >= 0; i--) {
        if (kids[i]!.type !== 'attribute_item') {
          last = i;
          break;
        }
      }
    }
    for (let i = 0; i < kids.length; i++) {
      const n = kids[i]!;
      const attrs = pending;
      if (n.type === 'attribute_item') {
        pending.push(n);
        continue;
      }
      pending = [];
      switch (n.type) {
        case 'inner_attribute_item':
          this.visitAttrs([n]);
          break;
        case 'function_item':
          this.visitFn(n, attrs, ctx);
          break;
        case 'function_signature_item':
          this.visitAttrs(attrs);
          this.walk(n);
          break;
        case 'mod_item':
          this.visitMod(n, attrs);
          break;
        case 'impl_item':
          this.count(this.counters.itemImpls, hasToken(n, 'unsafe'));
          this.visitAttrs(attrs);
          this.visitItemHead(n);
          if (n.childForFieldName('body')) this.visitItemList(n.childForFieldName('body')!, 'impl', false);
          break;
        case 'trait_item':
          this.count(this.counters.itemTraits, hasToken(n, 'unsafe'));
          this.visitAttrs(attrs);
          this.visitItemHead(n);
          if (n.childForFieldName('body')) this.visitItemList(n.childForFieldName('body')!, 'trait', false);
          break;
        case 'foreign_mod_item':
          this.visitAttrs(attrs);
          if (n.childForFieldName('body')) this.visitItemList(n.childForFieldName('body')!, 'extern', false);
          break;
        case 'macro_invocation':
          this.visitAttrs(attrs);
          // Stmt::Macro / Item::Macro (tokens not visited), except a block's trailing
          // `m!(..)` / `m![..]`, which syn parses as an expression.
          if (isBlock && i === last && !isBraceMacro(n)) this.visitExpr(n);
          break;
        case 'macro_definition':
        case 'empty_statement':
        case 'ERROR':
          break;
        case 'let_declaration':
          this.visitAttrs(attrs);
          this.walk(n);
          break;
        case 'expression_statement': {
          this.visitAttrs(attrs);
          const e = namedKids(n).find((c) => c.type !== 'attribute_item');
          // `m!(..);` and `m! {..}` statements are Stmt::Macro: not an expression.
          if (e && e.type !== 'macro_invocation') this.visitExpr(e);
          break;
        }
        default:
          this.visitAttrs(attrs);
          if (ITEM_KINDS.has(n.type)) this.walk(n);
          else this.visitExpr(n); // a block's trailing expression
      }
    }
  }

  /** Generics, trait, self type, bounds and where clause of an impl or trait. */
  private visitItemHead(n: Node): void {
    for (const c of namedKids(n)) {
      if (c.type === 'declaration_list' || c.type === 'attribute_item') continue;
      this.walk(c);
    }
  }

  private visitFn(n: Node, outer: Node[], ctx: FnContext): void {
    const body = n.childForFieldName('body');
    const attrs = [...outer, ...innerAttrs(body)];
    const mods = namedKids(n).find((c) => c.type === 'function_modifiers');
    const unsafeKw = mods !== undefined && hasToken(mods, 'unsafe');
    if (ctx === 'free' || ctx === 'extern') {
      if (!this.includeTests && attrs.some(isTestAttr)) return;
      const unsafeAttr = attrs.some((a) => {
        const p = attributeOf(a);
        const path = p ? attributePath(p) : null;
        return path === 'no_mangle' || path === 'export_name';
      });
      const unsafeFn = unsafeKw || unsafeAttr;
      if (unsafeFn) this.scopes++;
      this.count(this.counters.functions, unsafeFn);
      this.visitFnParts(n, outer);
      // geiger leaves the scope only for `unsafe fn`: after a safe `#[no_mangle]` fn the rest
      // of the file counts as unsafe. Kept, so that the counts agree with geiger's.
      if (unsafeKw) this.scopes--;
    } else if (ctx === 'impl') {
      if (unsafeKw) this.scopes++;
      this.count(this.counters.methods, unsafeKw);
      this.visitFnParts(n, outer);
      if (unsafeKw) this.scopes--;
    } else {
      // A trait's provided method: visited, not counted, and `unsafe fn` opens no scope.
      this.visitFnParts(n, outer);
    }
  }

  private visitFnParts(n: Node, outer: Node[]): void {
    this.visitAttrs(outer);
    for (const c of namedKids(n)) {
      if (c.type === 'block') this.visitBlock(c);
      else this.walk(c);
    }
  }

  private visitMod(n: Node, outer: Node[]): void {
    const body = n.childForFieldName('body');
    if (!this.includeTests && [...outer, ...innerAttrs(body)].some(isCfgTestAttr)) return;
    this.visitAttrs(outer);
    if (body) this.visitItemList(body, 'free', false);
  }

  /** A syn `Block` (not counted itself): its statements. */
  private visitBlock(b: Node): void {
    this.visitItemList(b, 'free', true);
  }

  /** syn's visit_expr: count unless Lit, Path or Unsafe, then visit the parts. */
  visitExpr(n: Node): void {
    const t = n.type;
    if (LITERALS.has(t)) return;
    if (t === 'identifier') {
      if (n.text === '_') this.count(this.counters.exprs, this.scopes > 0); // Expr::Infer
      return;
    }
    if (PATHS.has(t)) {
      this.walk(n); // generic arguments may hold array lengths or const blocks
      return;
    }
    switch (t) {
      case 'ERROR':
      case 'line_comment':
      case 'block_comment':
        return;
      case 'attribute_item':
        this.visitAttrs([n]);
        return;
      case 'unsafe_block': {
        this.scopes++;
        const b = namedKids(n).find((c) => c.type === 'block');
        if (b) this.visitBlock(b);
        this.scopes--;
        return;
      }
      case 'macro_invocation':
        this.count(this.counters.exprs, this.scopes > 0);
        return;
      case 'block':
        this.count(this.counters.exprs, this.scopes > 0);
        this.visitBlock(n);
        return;
      case 'call_expression':
        this.visitCall(n);
        return;
      case 'let_condition':
        // `if let P = e` / `while let`: Expr::Let.
        this.count(this.counters.exprs, this.scopes > 0);
        for (const c of namedKids(n)) {
          if (c.type === 'attribute_item') this.visitAttrs([c]);
          else if (n.childForFieldName('value')?.id === c.id) this.visitExpr(c);
          else this.walk(c);
        }
        return;
      case 'let_chain': {
        // `a && let B = b && c`: syn's left-nested Expr::Binary, one per `&&`.
        const count = n.childCount;
        for (let i = 0; i < count; i++) {
          if (n.child(i)?.type === '&&') this.count(this.counters.exprs, this.scopes > 0);
        }
        for (const c of namedKids(n)) this.visitExpr(c);
        return;
      }
    }
    if (!COUNTED.has(t)) {
      // Not an expression kind syn knows (e.g. a node of a newer grammar): walk it.
      this.walk(n);
      return;
    }
    this.count(this.counters.exprs, this.scopes > 0);
    this.visitExprParts(n);
  }

  private visitCall(n: Node): void {
    this.count(this.counters.exprs, this.scopes > 0);
    const fn = n.childForFieldName('function');
    const args = n.childForFieldName('arguments');
    // `recv.m(..)` and `recv.m::<T>(..)` are one Expr::MethodCall in syn, where tree-sitter
    // has a call of a field expression: count once, visit the receiver.
    let method: Node | null = null;
    let turbofish: Node | null = null;
    if (fn?.type === 'field_expression') method = fn;
    else if (fn?.type === 'generic_function' && fn.childForFieldName('function')?.type === 'field_expression') {
      method = fn.childForFieldName('function');
      turbofish = fn.childForFieldName('type_arguments');
    }
    if (method) {
      const recv = method.childForFieldName('value');
      if (recv) this.visitExpr(recv);
      if (turbofish) this.walk(turbofish);
    } else if (fn) this.visitExpr(fn);
    if (args) this.visitArgs(args);
  }

  private visitArgs(args: Node): void {
    for (const c of namedKids(args)) this.visitExpr(c);
  }

  private visitExprParts(n: Node): void {
    const t = n.type;
    for (const c of namedKids(n)) {
      switch (c.type) {
        case 'block':
          if (BODY_PARENTS.has(t)) this.visitBlock(c);
          else this.visitExpr(c); // closure body, labeled block: Expr::Block
          break;
        case 'else_clause':
          // else_branch is an Expr (Block or If): counted.
          for (const e of namedKids(c)) this.visitExpr(e);
          break;
        case 'label':
          break;
        case 'match_block':
          this.visitMatchArms(c);
          break;
        case 'field_initializer_list':
          this.visitFieldInits(c);
          break;
        case 'arguments':
          this.visitArgs(c);
          break;
        case 'attribute_item':
          this.visitAttrs([c]);
          break;
        case 'field_identifier':
          break;
        default:
          if (isExprKind(c.type)) this.visitExpr(c);
          else this.walk(c); // types, patterns, closure parameters, type arguments
      }
    }
  }

  private visitMatchArms(block: Node): void {
    for (const arm of namedKids(block)) {
      if (arm.type !== 'match_arm') {
        if (arm.type === 'attribute_item') this.visitAttrs([arm]);
        continue;
      }
      for (const c of namedKids(arm)) {
        if (c.type === 'match_pattern') {
          const guard = c.childForFieldName('condition');
          for (const p of namedKids(c)) {
            if (guard && p.id === guard.id) this.visitExpr(p);
            else this.walk(p);
          }
        } else if (c.type === 'attribute_item') this.visitAttrs([c]);
        else if (arm.childForFieldName('value')?.id === c.id) this.visitExpr(c);
        else this.walk(c);
      }
    }
  }

  private visitFieldInits(list: Node): void {
    for (const f of namedKids(list)) {
      if (f.type === 'field_initializer') {
        for (const c of namedKids(f)) {
          if (c.type === 'attribute_item') this.visitAttrs([c]);
          else if (f.childForFieldName('value')?.id === c.id) this.visitExpr(c);
        }
      } else if (f.type === 'base_field_initializer') {
        for (const c of namedKids(f)) this.visitExpr(c);
      } else if (f.type === 'attribute_item') this.visitAttrs([f]);
      // shorthand `S { a }`: FieldValue with an Expr::Path, not counted.
    }
  }

  /**
   * Everything that is not an expression slot: types, patterns, signatures, item parts. Finds
   * the expressions syn reaches from there (array lengths, const generic arguments, const and
   * static initialisers, enum discriminants, const parameter defaults).
   */
  walk(n: Node): void {
    switch (n.type) {
      case 'ERROR':
      case 'token_tree':
      case 'macro_invocation': // Type::Macro, Pat::Macro: not counted, tokens not visited
      case 'macro_definition':
        return;
      case 'attribute_item':
      case 'inner_attribute_item':
        this.visitAttrs([n]);
        return;
      case 'const_block': {
        // Pat::Const: visit_expr_const directly, the block's statements only.
        const b = namedKids(n).find((c) => c.type === 'block');
        if (b) this.visitBlock(b);
        return;
      }
      case 'type_arguments':
        for (const c of namedKids(n)) {
          if (c.type === 'block') this.visitExpr(c); // GenericArgument::Const
          else if (!LITERALS.has(c.type)) this.walk(c);
        }
        return;
    }
    const count = n.namedChildCount;
    for (let i = 0; i < count; i++) {
      const c = n.namedChild(i);
      if (!c) continue;
      if (c.type === 'block') {
        const field = fieldOf(n, c);
        if (field !== null && EXPR_BLOCK_FIELDS.has(field)) this.visitExpr(c);
        else this.visitBlock(c);
      } else if (c.type === 'unsafe_block' || COUNTED.has(c.type) || c.type === 'let_condition') {
        this.visitExpr(c);
      } else if (c.type === 'identifier' && c.text === '_' && fieldOf(n, c) === 'value') {
        this.visitExpr(c);
      } else if (!LITERALS.has(c.type) && c.namedChildCount > 0) {
        this.walk(c);
      }
    }
  }
}

function fieldOf(parent: Node, child: Node): string | null {
  const count = parent.childCount;
  for (let i = 0; i < count; i++) {
    if (parent.child(i)?.id === child.id) return parent.fieldNameForChild(i);
  }
  return null;
}

function isExprKind(t: string): boolean {
  return (
    COUNTED.has(t) ||
    LITERALS.has(t) ||
    PATHS.has(t) ||
    t === 'unsafe_block' ||
    t === 'let_condition' ||
    t === 'let_chain'
  );
}

function isBraceMacro(n: Node): boolean {
  const tt = namedKids(n).find((c) => c.type === 'token_tree');
  return tt?.child(0)?.type === '{';
}
