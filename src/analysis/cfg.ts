// Evaluates `cfg(…)` predicates for one assumed build: `cargo check` of the package on
// x86_64-unknown-linux-gnu with its default features, not in test mode — what cargo-geiger's
// build sees on a typical Linux machine. Used only to decide which `mod` files are compiled.
import type { Node } from 'web-tree-sitter';
import { COMMENT_KINDS, stringLiteralValue } from './syntax.js';

export interface CfgContext {
  /** Enabled features (`feature = "x"`). */
  features: ReadonlySet<string>;
}

const TRUE_NAMES = new Set(['unix', 'debug_assertions', 'panic_unwind']);
const VALUES: Record<string, ReadonlySet<string>> = {
  target_os: new Set(['linux']),
  target_family: new Set(['unix']),
  target_arch: new Set(['x86_64']),
  target_pointer_width: new Set(['64']),
  target_endian: new Set(['little']),
  target_env: new Set(['gnu']),
  target_vendor: new Set(['unknown']),
  target_has_atomic: new Set(['8', '16', '32', '64', 'ptr']),
  panic: new Set(['unwind']),
  target_feature: new Set(['fxsr', 'sse', 'sse2']),
};

function tokensOf(tree: Node): Node[] {
  const out: Node[] = [];
  const count = tree.childCount;
  for (let i = 0; i < count; i++) {
    const c = tree.child(i);
    if (c && !COMMENT_KINDS.has(c.type)) out.push(c);
  }
  return out.slice(1, out.length - 1);
}

/** Splits a token tree's content at top-level commas. */
export function splitCommas(tree: Node): Node[][] {
  const parts: Node[][] = [[]];
  for (const t of tokensOf(tree)) {
    if (t.type === ',') parts.push([]);
    else parts[parts.length - 1]!.push(t);
  }
  return parts.filter((p) => p.length > 0);
}

/**
 * One predicate (`unix`, `feature = "x"`, `all(…)`, `any(…)`, `not(…)`). Unknown names are
 * false, as rustc has them when nothing sets them (build-script cfgs are not known here).
 */
export function evalPredicate(toks: Node[], ctx: CfgContext): boolean {
  const head = toks[0];
  if (!head || head.type !== 'identifier') return false;
  const name = head.text;
  const next = toks[1];
  if (!next) {
    if (name === 'test' || name === 'doc' || name === 'doctest' || name === 'miri') return false;
    return TRUE_NAMES.has(name);
  }
  if (next.type === 'token_tree') {
    const args = splitCommas(next);
    if (name === 'all') return args.every((a) => evalPredicate(a, ctx));
    if (name === 'any') return args.some((a) => evalPredicate(a, ctx));
    if (name === 'not') return args.length === 1 && !evalPredicate(args[0]!, ctx);
    return false;
  }
  if (next.type === '=' && toks[2]) {
    const value = stringLiteralValue(toks[2]);
    if (value === null) return false;
    if (name === 'feature') return ctx.features.has(value);
    return VALUES[name]?.has(value) ?? false;
  }
  return false;
}

/** The arguments of `cfg(…)`: exactly one predicate. */
export function evalCfgArgs(args: Node, ctx: CfgContext): boolean {
  const parts = splitCommas(args);
  return parts.length === 1 && evalPredicate(parts[0]!, ctx);
}

/**
 * Cargo's feature resolution for the package alone: `default` and what it enables, through
 * `dep:x`, `x/y` and `x?/y`; an optional dependency enabled by name counts as a feature.
 */
export function defaultFeatures(features: Record<string, string[]>): Set<string> {
  const on = new Set<string>();
  const queue = ['default'];
  while (queue.length > 0) {
    const f = queue.pop()!;
    if (on.has(f)) continue;
    on.add(f);
    for (const item of features[f] ?? []) {
      if (item.startsWith('dep:')) continue;
      const slash = item.indexOf('/');
      if (slash >= 0) {
        const dep = item.slice(0, slash);
        if (!dep.endsWith('?') && features[dep]) queue.push(dep);
        continue;
      }
      queue.push(item);
    }
  }
  if (!features.default) on.delete('default');
  return on;
}
