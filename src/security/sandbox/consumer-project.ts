// The consumer project the sandbox builds: it depends on the crate by path (outside its own
// directory, so the crate is not a workspace member and its dev-dependencies are not
// resolved) and, for a proc-macro crate, invokes every exported macro once so that each runs
// at expansion: a derive on a dummy struct, an attribute on a dummy fn, a function-like macro
// with empty input. A macro that rejects such input fails to compile after it has run.
import { SANDBOX } from './sandbox-layout.js';

export interface ProcMacroExports {
  derives: string[];
  attributes: string[];
  functions: string[];
}

/** The crate is referred to under this name in the consumer, whatever its own lib name. */
export const DEPENDENCY_KEY = 'detonated';
/** The consumer's crate name as rustc sees it (`--crate-name`). */
export const CONSUMER_CRATE = 'cratekeeper_detonate_consumer';

/** Finds `#[proc_macro_derive(Name…)]`, `#[proc_macro_attribute] fn name` and `#[proc_macro] fn name`. */
export function procMacroExports(sources: readonly string[]): ProcMacroExports {
  const out: ProcMacroExports = { derives: [], attributes: [], functions: [] };
  for (const raw of sources) {
    const text = raw.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
    for (const m of text.matchAll(/#\s*\[\s*proc_macro_derive\s*\(\s*([A-Za-z_][A-Za-z0-9_]*)/g))
      out.derives.push(m[1]!);
    const fnAfter =
      /#\s*\[\s*(proc_macro_attribute|proc_macro)\s*\]\s*(?:#\s*\[[^\]]*\]\s*)*(?:pub(?:\s*\([^)]*\))?\s+)?fn\s+([A-Za-z_][A-Za-z0-9_]*)/g;
    for (const m of text.matchAll(fnAfter))
      (m[1] === 'proc_macro' ? out.functions : out.attributes).push(m[2]!);
  }
  const uniq = (xs: string[]) => [...new Set(xs)].sort();
  return { derives: uniq(out.derives), attributes: uniq(out.attributes), functions: uniq(out.functions) };
}

export function consumerManifest(crateName: string): string {
  return [
    '[package]',
    `name = "${CONSUMER_CRATE.replace(/_/g, '-')}"`,
    'version = "0.0.0"',
    'edition = "2021"',
    'publish = false',
    '',
    '[dependencies]',
    `${DEPENDENCY_KEY} = { path = ${JSON.stringify(SANDBOX.crate)}, package = ${JSON.stringify(crateName)} }`,
    '',
    '[workspace]',
    '',
  ].join('\n');
}

export function consumerMain(exports: ProcMacroExports | null): string {
  const lines = ['#![allow(unused, dead_code)]', `use ${DEPENDENCY_KEY} as _;`];
  if (exports) {
    exports.derives.forEach((d, i) =>
      lines.push(`#[derive(${DEPENDENCY_KEY}::${d})]`, `struct CkDerived${i};`),
    );
    exports.attributes.forEach((a, i) =>
      lines.push(`#[${DEPENDENCY_KEY}::${a}]`, `fn ck_attributed_${i}() {}`),
    );
    exports.functions.forEach((f) => lines.push(`${DEPENDENCY_KEY}::${f}! {}`));
  }
  lines.push('fn main() {}', '');
  return lines.join('\n');
}
