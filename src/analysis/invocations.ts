// Who calls what, from source: function definitions and call sites of one crate, with each
// callee path resolved through the crate's own names — `use` (groups, renames, globs where only
// one glob can supply the name), `extern crate … as …`, `crate::`/`self::`/`super::`, local
// modules and items, the dependency list (renamed dependencies) and the prelude. Method calls on
// values whose type is unknown stay unresolved with their method name: never guessed.
// Phase 1 (fileInvocations) reads one parsed file in its module; phase 2 (resolveCrate) resolves
// every call against the whole crate's scopes.
import type { Node } from 'web-tree-sitter';
import { hasToken, namedKids } from './syntax.js';
import { isCfgTestAttr, isTestAttr } from './unsafe-counts.js';

export interface UseBinding {
  name: string;
  /** Path as written, segments (may start with crate/self/super/`::`). */
  target: string[];
  pub: boolean;
}

/** The names one module (or a fn body) brings into scope. */
export interface ScopeData {
  /** `crate::a::b` module path of the scope, as segments after `crate`. */
  module: string[];
  uses: UseBinding[];
  globs: { target: string[]; pub: boolean }[];
  /** Items defined here: fns, types, traits, consts, statics, inline modules. */
  items: string[];
  /** `extern crate x as y`: y -> x. */
  externCrates: Record<string, string>;
}

export interface FnDef {
  /** Path inside the crate, after `crate::` (e.g. `net::Client::get`). */
  path: string[];
  file: string;
  line: number;
  /** The impl's trait as written, for trait impl methods. */
  traitName?: string;
}

export interface RawCall {
  /** Caller path inside the crate (module, impl type, fn), after `crate::`. */
  caller: string[];
  /** Callee path as written (`a::b::f`, `f`); null for method calls and indirect calls. */
  path: string[] | null;
  /** For `recv.m(..)`. */
  method: string | null;
  /** `self.m(..)` inside an impl: the impl's self type, as written. */
  selfType: string[] | null;
  /** Index into FileInvocations.scopes of the innermost scope. */
  scope: number;
  file: string;
  line: number;
}

export interface FileInvocations {
  scopes: ScopeData[];
  /** Parent scope of each scope (-1 for module scopes: their parents are found by path). */
  parents: number[];
  defs: FnDef[];
  calls: RawCall[];
}

const PRELUDE: Record<string, string[]> = {
  Vec: ['alloc', 'vec', 'Vec'],
  String: ['alloc', 'string', 'String'],
  Box: ['alloc', 'boxed', 'Box'],
  Option: ['core', 'option', 'Option'],
  Some: ['core', 'option', 'Option', 'Some'],
  None: ['core', 'option', 'Option', 'None'],
  Result: ['core', 'result', 'Result'],
  Ok: ['core', 'result', 'Result', 'Ok'],
  Err: ['core', 'result', 'Result', 'Err'],
  drop: ['core', 'mem', 'drop'],
  Default: ['core', 'default', 'Default'],
  Clone: ['core', 'clone', 'Clone'],
  Iterator: ['core', 'iter', 'Iterator'],
  IntoIterator: ['core', 'iter', 'IntoIterator'],
  From: ['core', 'convert', 'From'],
  Into: ['core', 'convert', 'Into'],
  TryFrom: ['core', 'convert', 'TryFrom'],
  TryInto: ['core', 'convert', 'TryInto'],
  ToString: ['alloc', 'string', 'ToString'],
  ToOwned: ['alloc', 'borrow', 'ToOwned'],
  AsRef: ['core', 'convert', 'AsRef'],
  AsMut: ['core', 'convert', 'AsMut'],
  PartialEq: ['core', 'cmp', 'PartialEq'],
  Eq: ['core', 'cmp', 'Eq'],
  PartialOrd: ['core', 'cmp', 'PartialOrd'],
  Ord: ['core', 'cmp', 'Ord'],
  Fn: ['core', 'ops', 'Fn'],
  FnMut: ['core', 'ops', 'FnMut'],
  FnOnce: ['core', 'ops', 'FnOnce'],
  Extend: ['core', 'iter', 'Extend'],
  FromIterator: ['core', 'iter', 'FromIterator'],
};

const BUILTIN_CRATES = new Set(['std', 'core', 'alloc', 'proc_macro', 'test']);
/** Primitive types: `u8::from_str_radix`, `str::from_utf8`. */
const PRIMITIVES = new Set([
  'bool',
  'char',
  'str',
  'u8',
  'u16',
  'u32',
  'u64',
  'u128',
  'usize',
  'i8',
  'i16',
  'i32',
  'i64',
  'i128',
  'isize',
  'f32',
  'f64',
]);

/** Path segments of a path-like node; null when it is not a plain path (`<T as Tr>::f` aside). */
export function pathSegments(n: Node): string[] | null {
  switch (n.type) {
    case 'identifier':
    case 'type_identifier':
    case 'primitive_type':
      return [n.text.replace(/^r#/, '')];
    case 'self':
    case 'super':
    case 'crate':
      return [n.type];
    case 'metavariable':
      return null;
    case 'generic_type':
    case 'generic_function': {
      const inner = n.childForFieldName('type') ?? n.childForFieldName('function');
      return inner ? pathSegments(inner) : null;
    }
    case 'bracketed_type': {
      // `<T as Trait>::f` -> Trait::f; `<T>::f` -> T::f.
      const q = namedKids(n)[0];
      if (!q) return null;
      if (q.type === 'qualified_type') {
        const alias = q.childForFieldName('alias');
        return alias ? pathSegments(alias) : null;
      }
      return pathSegments(q);
    }
    case 'scoped_identifier':
    case 'scoped_type_identifier': {
      const name = n.childForFieldName('name');
      if (!name) return null;
      const path = n.childForFieldName('path');
      const tail = name.text.replace(/^r#/, '');
      if (!path) return hasToken(n, '::') ? ['::', tail] : [tail];
      const head = pathSegments(path);
      return head ? [...head, tail] : null;
    }
    default:
      return null;
  }
}

/** Expands a `use` tree into bindings and globs. */
function expandUse(n: Node, prefix: string[], pub: boolean, scope: ScopeData): void {
  switch (n.type) {
    case 'use_as_clause': {
      const path = n.childForFieldName('path');
      const alias = n.childForFieldName('alias');
      const segs = path ? pathSegments(path) : null;
      if (!segs || !alias || alias.text === '_') return;
      // `use a::{self as b}` binds b to a.
      const target = [...prefix, ...segs];
      if (target.length > 1 && target[target.length - 1] === 'self') target.pop();
      scope.uses.push({ name: alias.text, target, pub });
      return;
    }
    case 'scoped_use_list': {
      const path = n.childForFieldName('path');
      const list = n.childForFieldName('list');
      const segs = path ? pathSegments(path) : hasToken(n, '::') ? ['::'] : [];
      if (!segs || !list) return;
      for (const c of namedKids(list)) expandUse(c, [...prefix, ...segs], pub, scope);
      return;
    }
    case 'use_list':
      for (const c of namedKids(n)) expandUse(c, prefix, pub, scope);
      return;
    case 'use_wildcard': {
      const p = namedKids(n)[0];
      const segs = p ? pathSegments(p) : [];
      if (segs) scope.globs.push({ target: [...prefix, ...segs], pub });
      return;
    }
    case 'self':
      // `use a::{self}` binds `a`.
      if (prefix.length > 0) scope.uses.push({ name: prefix[prefix.length - 1]!, target: prefix, pub });
      return;
    default: {
      const segs = pathSegments(n);
      if (!segs || segs.length === 0) return;
      const target = [...prefix, ...segs];
      const last = target[target.length - 1]!;
      if (last === 'self' && target.length > 1) {
        scope.uses.push({ name: target[target.length - 2]!, target: target.slice(0, -1), pub });
      } else scope.uses.push({ name: last, target, pub });
    }
  }
}

function isPub(n: Node): boolean {
  return namedKids(n).some((c) => c.type === 'visibility_modifier' && c.text.startsWith('pub'));
}

const ITEM_NAME_KINDS = new Set([
  'function_item',
  'struct_item',
  'enum_item',
  'union_item',
  'trait_item',
  'type_item',
  'const_item',
  'static_item',
  'mod_item',
  'macro_definition',
]);

const NESTED_ITEM_KINDS = new Set([
  'function_item',
  'impl_item',
  'trait_item',
  'mod_item',
  'const_item',
  'static_item',
]);

/** Phase 1: definitions, call sites and scopes of one file whose module path is `module`. */
export function fileInvocations(
  root: Node,
  file: string,
  module: string[],
  opts: { includeTests?: boolean } = {},
): FileInvocations {
  const skipTests = opts.includeTests !== true;
  const out: FileInvocations = { scopes: [], parents: [], defs: [], calls: [] };
  const newScope = (mod: string[], parent: number): number => {
    out.scopes.push({ module: mod, uses: [], globs: [], items: [], externCrates: {} });
    out.parents.push(parent);
    return out.scopes.length - 1;
  };

  const visitItems = (container: Node, scope: number, mod: string[], owner: string[] | null): void => {
    const s = out.scopes[scope]!;
    let attrs: Node[] = [];
    for (const n of namedKids(container)) {
      if (n.type === 'attribute_item') {
        attrs.push(n);
        continue;
      }
      const outer = attrs;
      attrs = [];
      // Test code is left out as in the unsafe counts (`#[test]` fns, `#[cfg(test)]` mods).
      if (skipTests && n.type === 'function_item' && outer.some(isTestAttr)) continue;
      if (skipTests && n.type === 'mod_item' && outer.some(isCfgTestAttr)) continue;
      if (n.type === 'use_declaration') {
        const arg = n.childForFieldName('argument');
        if (arg) expandUse(arg, [], isPub(n), s);
        continue;
      }
      if (n.type === 'extern_crate_declaration') {
        const name = n.childForFieldName('name')?.text;
        const alias = n.childForFieldName('alias')?.text;
        if (name) s.externCrates[alias ?? name] = name === 'self' ? 'crate' : name;
        continue;
      }
      if (ITEM_NAME_KINDS.has(n.type)) {
        const name = n.childForFieldName('name')?.text;
        if (name) s.items.push(name.replace(/^r#/, ''));
      }
      if (n.type === 'function_item') {
        const name = n.childForFieldName('name')?.text ?? '?';
        const path = [...(owner ?? mod), name];
        out.defs.push({ path, file, line: n.startPosition.row + 1 });
        visitFnBody(n, scope, path, null);
      } else if (n.type === 'mod_item') {
        const body = n.childForFieldName('body');
        const name = n.childForFieldName('name')?.text;
        if (body && name) {
          const m = [...mod, name.replace(/^r#/, '')];
          visitItems(body, newScope(m, -1), m, null);
        }
      } else if (n.type === 'impl_item') {
        visitImpl(n, scope, mod);
      } else if (n.type === 'trait_item') {
        const name = n.childForFieldName('name')?.text;
        const body = n.childForFieldName('body');
        if (name && body) {
          for (const f of namedKids(body)) {
            if (f.type !== 'function_item') continue;
            const fname = f.childForFieldName('name')?.text ?? '?';
            const path = [...mod, name, fname];
            out.defs.push({ path, file, line: f.startPosition.row + 1 });
            visitFnBody(f, scope, path, null);
          }
        }
      } else if (n.type === 'const_item' || n.type === 'static_item') {
        const v = n.childForFieldName('value');
        if (v) visitCalls(v, scope, [...mod, n.childForFieldName('name')?.text ?? '?'], null);
      }
    }
  };

  const visitImpl = (n: Node, scope: number, mod: string[]): void => {
    const ty = n.childForFieldName('type');
    const tySegs = ty ? pathSegments(ty) : null;
    const trait = n.childForFieldName('trait');
    const body = n.childForFieldName('body');
    if (!body) return;
    const owner = [...mod, ...(tySegs ? [tySegs[tySegs.length - 1]!] : ['?'])];
    for (const f of namedKids(body)) {
      if (f.type !== 'function_item') continue;
      const name = f.childForFieldName('name')?.text ?? '?';
      const path = [...owner, name];
      out.defs.push({
        path,
        file,
        line: f.startPosition.row + 1,
        ...(trait ? { traitName: trait.text } : {}),
      });
      visitFnBody(f, scope, path, trait ? null : tySegs);
    }
  };

  const visitFnBody = (fn: Node, scope: number, caller: string[], selfType: string[] | null): void => {
    const body = fn.childForFieldName('body');
    if (!body) return;
    // A body with its own `use`s or items gets a scope of its own.
    const local = newScope(out.scopes[scope]!.module, scope);
    visitItems(body, local, out.scopes[scope]!.module, null);
    visitCalls(body, local, caller, selfType);
  };

  const visitCalls = (n: Node, scope: number, caller: string[], selfType: string[] | null): void => {
    // One wasm-side query for the calls; those inside items nested in this body belong to them
    // (visitItems handles the body's items).
    const nested: [number, number][] = [];
    if (n.type === 'block') {
      for (const c of namedKids(n)) {
        if (NESTED_ITEM_KINDS.has(c.type)) nested.push([c.startIndex, c.endIndex]);
      }
    }
    for (const cur of n.descendantsOfType('call_expression')) {
      if (!cur) continue;
      const at = cur.startIndex;
      if (nested.some(([s, e]) => at >= s && at < e)) continue;
      const fn = cur.childForFieldName('function');
      if (!fn) continue;
      const line = cur.startPosition.row + 1;
      let callee = fn;
      if (callee.type === 'generic_function') callee = callee.childForFieldName('function') ?? callee;
      if (callee.type === 'field_expression') {
        const recv = callee.childForFieldName('value');
        const method = callee.childForFieldName('field')?.text ?? '?';
        out.calls.push({
          caller,
          path: null,
          method,
          selfType: recv?.type === 'self' ? selfType : null,
          scope,
          file,
          line,
        });
      } else {
        out.calls.push({ caller, path: pathSegments(callee), method: null, selfType, scope, file, line });
      }
    }
  };

  visitItems(root, newScope(module, -1), module, null);
  return out;
}

export interface CrateContext {
  /** The crate's own name as code refers to it (lib name, `-` as `_`). */
  crateName: string;
  /** Dependency names as code refers to them (key with `-` as `_`) -> package name. */
  dependencies: Record<string, string>;
}

export type Resolution =
  | { kind: 'resolved'; crate: string; path: string }
  | { kind: 'unresolved'; method?: string; reason: string; written?: string };

export interface Invocation {
  /** `crate::mod::fn` */
  caller: string;
  callee: Resolution;
  file: string;
  line: number;
}

export interface CrateInvocations {
  defs: { path: string; file: string; line: number; traitName?: string }[];
  calls: Invocation[];
  /** `pub use` bindings per module (`crate::a` -> name -> resolved path): re-exports. */
  exports: Record<string, Record<string, string>>;
  /**
   * `pub use x::*` per module (`crate::a` -> resolved paths of the glob's modules): every public
   * name of `x` is a name of `crate::a` too, unless `crate::a` defines or imports it itself.
   * Absent when the crate has none (and in analyses written before it existed).
   */
  globExports?: Record<string, string[]>;
}

/** Phase 2: resolve the calls of every file of one crate (one target) against its scopes. */
export function resolveCrate(files: FileInvocations[], ctx: CrateContext): CrateInvocations {
  // Module scopes by path; several files may not add to one module, but inline modules and
  // their files are distinct, so a plain map suffices.
  const modules = new Map<string, { scope: ScopeData }>();
  for (const f of files) {
    f.scopes.forEach((s, i) => {
      if (f.parents[i] === -1) modules.set(s.module.join('::'), { scope: s });
    });
  }
  const defined = new Set<string>();
  for (const f of files) for (const d of f.defs) defined.add(d.path.join('::'));

  // Each resolution gets a step budget: `use` chains and globs of globs could otherwise branch
  // exponentially (every module `use super::*`).
  let steps = 0;
  const resolveIn = (segs: string[], scopes: ScopeData[], mod: string[], depth: number): Resolution => {
    if (depth > 8 || ++steps > 200)
      return { kind: 'unresolved', reason: 'use cycle', written: segs.join('::') };
    const [head, ...rest] = segs;
    if (head === undefined) return { kind: 'unresolved', reason: 'empty path' };
    if (head === '::') {
      const [c, ...tail] = rest;
      return c ? external(c, tail) : { kind: 'unresolved', reason: 'empty path' };
    }
    if (head === 'crate') return own(rest, depth);
    if (head === 'self') return own([...mod, ...rest], depth);
    if (head === 'super') {
      let m = mod.slice(0, -1);
      let r = rest;
      while (r[0] === 'super') {
        m = m.slice(0, -1);
        r = r.slice(1);
      }
      return own([...m, ...r], depth);
    }
    for (const s of scopes) {
      const u = s.uses.find((b) => b.name === head);
      if (u) return resolveIn([...u.target, ...rest], [modScope(s.module)], s.module, depth + 1);
      if (s.items.includes(head)) return own([...s.module, ...segs], depth);
      if (Object.hasOwn(s.externCrates, head)) {
        const c = s.externCrates[head]!;
        return c === 'crate' ? own(rest, depth) : external(c, rest);
      }
    }
    // Child modules declared in files: `mod x;` lives in the module map.
    if (modules.has([...mod, head].join('::'))) return own([...mod, ...segs], depth);
    if (head === ctx.crateName) return own(rest, depth);
    if (Object.hasOwn(ctx.dependencies, head) || BUILTIN_CRATES.has(head)) return external(head, rest);
    // Globs: decidable when one of them is a module of this crate that defines the name, or
    // when exactly one glob is in scope (the name can only come from it).
    const globs = scopes.flatMap((s) => s.globs.map((g) => ({ g, s })));
    for (const { g, s } of depth < 3 ? globs : []) {
      const r = resolveIn(g.target, [modScope(s.module)], s.module, depth + 1);
      if (r.kind === 'resolved' && r.crate === ctx.crateName) {
        const target = modules.get(r.path.split('::').slice(1).join('::'));
        if (target && (target.scope.items.includes(head) || target.scope.uses.some((u) => u.name === head))) {
          return resolveIn([...g.target, ...segs], [modScope(s.module)], s.module, depth + 1);
        }
      }
    }
    const preludeHit = Object.hasOwn(PRELUDE, head) ? PRELUDE[head] : undefined;
    if (preludeHit)
      return { kind: 'resolved', crate: preludeHit[0]!, path: [...preludeHit, ...rest].join('::') };
    if (PRIMITIVES.has(head))
      return { kind: 'resolved', crate: 'core', path: ['core', 'primitive', ...segs].join('::') };
    if (globs.length === 1) {
      const { g, s } = globs[0]!;
      return resolveIn([...g.target, ...segs], [modScope(s.module)], s.module, depth + 1);
    }
    return {
      kind: 'unresolved',
      reason: globs.length > 1 ? 'ambiguous glob imports' : 'unknown name',
      written: segs.join('::'),
    };
  };

  const emptyScope = (m: string[]): ScopeData => ({
    module: m,
    uses: [],
    globs: [],
    items: [],
    externCrates: {},
  });
  const modScope = (m: string[]): ScopeData => modules.get(m.join('::'))?.scope ?? emptyScope(m);

  /** A path inside this crate: follow a `use` in the target module once per step (re-exports). */
  const own = (segs: string[], depth: number): Resolution => {
    for (let i = segs.length - 1; i >= 0; i--) {
      const m = modules.get(segs.slice(0, i).join('::'));
      if (!m) continue;
      const name = segs[i]!;
      if (m.scope.items.includes(name)) break;
      const u = m.scope.uses.find((b) => b.name === name);
      if (u) return resolveIn([...u.target, ...segs.slice(i + 1)], [m.scope], m.scope.module, depth + 1);
      break;
    }
    return { kind: 'resolved', crate: ctx.crateName, path: [ctx.crateName, ...segs].join('::') };
  };

  const external = (head: string, rest: string[]): Resolution => {
    // Paths are named by the callee crate's own name (`json::x` with `json = { package =
    // "serde_json" }` is `serde_json::x`).
    const pkg = Object.hasOwn(ctx.dependencies, head) ? ctx.dependencies[head]! : head;
    return { kind: 'resolved', crate: pkg, path: [pkg.replace(/-/g, '_'), ...rest].join('::') };
  };

  const calls: Invocation[] = [];
  for (const f of files) {
    for (const c of f.calls) {
      const chain: ScopeData[] = [];
      for (let i = c.scope; i >= 0; i = f.parents[i]!) chain.push(f.scopes[i]!);
      const mod = chain[0]!.module;
      const caller = ['crate', ...c.caller].join('::');
      let callee: Resolution;
      steps = 0;
      if (c.path) callee = resolveSelf(c.path, c.selfType, chain, mod);
      else if (c.method && c.selfType) {
        // `self.m()` in an inherent impl: the impl's own method when this crate defines it.
        const ty = resolveIn(c.selfType, chain, mod, 0);
        const own = ty.kind === 'resolved' && ty.crate === ctx.crateName;
        const candidate = own ? `${ty.path.split('::').slice(1).join('::')}::${c.method}` : '';
        callee =
          own && defined.has(candidate)
            ? { kind: 'resolved', crate: ctx.crateName, path: `${ty.path}::${c.method}` }
            : { kind: 'unresolved', method: c.method, reason: 'method call' };
      } else if (c.method) callee = { kind: 'unresolved', method: c.method, reason: 'method call' };
      else callee = { kind: 'unresolved', reason: 'indirect call' };
      calls.push({ caller, callee, file: c.file, line: c.line });
    }
  }

  function resolveSelf(
    path: string[],
    selfType: string[] | null,
    chain: ScopeData[],
    mod: string[],
  ): Resolution {
    if (path[0] === 'Self') {
      if (!selfType)
        return { kind: 'unresolved', reason: 'Self outside an inherent impl', written: path.join('::') };
      return resolveIn([...selfType, ...path.slice(1)], chain, mod, 0);
    }
    return resolveIn(path, chain, mod, 0);
  }

  const exports: Record<string, Record<string, string>> = {};
  const globExports: Record<string, string[]> = {};
  for (const [key, { scope }] of modules) {
    const modKey = ['crate', ...(key ? key.split('::') : [])].join('::');
    for (const u of scope.uses) {
      if (!u.pub) continue;
      steps = 0;
      const r = resolveIn(u.target, [scope], scope.module, 1);
      if (r.kind !== 'resolved') continue;
      (exports[modKey] ??= {})[u.name] = r.path;
    }
    for (const g of scope.globs) {
      if (!g.pub) continue;
      steps = 0;
      const r = resolveIn(g.target, [scope], scope.module, 1);
      if (r.kind !== 'resolved') continue;
      const list = (globExports[modKey] ??= []);
      if (!list.includes(r.path)) list.push(r.path);
    }
  }
  const defs = files.flatMap((f) =>
    f.defs.map((d) => ({
      path: ['crate', ...d.path].join('::'),
      file: d.file,
      line: d.line,
      ...(d.traitName ? { traitName: d.traitName } : {}),
    })),
  );
  return { defs, calls, exports, ...(Object.keys(globExports).length > 0 ? { globExports } : {}) };
}
