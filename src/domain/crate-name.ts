// Crate-name rules as crates.io enforces them at publish, and the canonical form under
// which two names collide (case-insensitive, `-` and `_` equivalent).

export const MAX_CRATE_NAME_LENGTH = 64;

/**
 * Names crates.io refuses (its `reserved_crate_names` seed): the standard library's crates and
 * old in-tree compiler crates, plus Windows device names, which cannot be unpacked there.
 */
export const RESERVED_CRATE_NAMES: ReadonlySet<string> = new Set([
  'alloc',
  'arena',
  'ast',
  'builtins',
  'collections',
  'compiler-builtins',
  'compiler-rt',
  'compiletest',
  'core',
  'coretest',
  'debug',
  'driver',
  'flate',
  'fmt_macros',
  'grammar',
  'graphviz',
  'macro',
  'macros',
  'proc_macro',
  'rbml',
  'rust-installer',
  'rustbook',
  'rustc',
  'rustc_back',
  'rustc_borrowck',
  'rustc_driver',
  'rustc_llvm',
  'rustc_resolve',
  'rustc_trans',
  'rustc_typeck',
  'rustdoc',
  'rustllvm',
  'rustuv',
  'serialize',
  'std',
  'syntax',
  'test',
  'unicode',
  'con',
  'prn',
  'aux',
  'nul',
  ...Array.from({ length: 9 }, (_, i) => `com${i + 1}`),
  ...Array.from({ length: 9 }, (_, i) => `lpt${i + 1}`),
]);

/** Lowercase with `-` folded to `_`: two names with the same canonical form collide. */
export function canonicalCrateName(name: string): string {
  return name.toLowerCase().replaceAll('-', '_');
}

/** The reason `name` is not a valid crate name, or null when it is. */
export function crateNameError(name: string): string | null {
  if (name.length === 0) return 'crate name cannot be empty';
  if (name.length > MAX_CRATE_NAME_LENGTH) {
    return `crate name \`${name.slice(0, 80)}\` is too long (max ${MAX_CRATE_NAME_LENGTH} characters)`;
  }
  const first = name.charCodeAt(0);
  const isAsciiLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  if (!isAsciiLetter(first)) {
    return `the name \`${name}\` cannot be used as a crate name, the first character must be an ASCII letter`;
  }
  for (const ch of name) {
    const c = ch.charCodeAt(0);
    const ok = isAsciiLetter(c) || (c >= 48 && c <= 57) || ch === '-' || ch === '_';
    if (!ok || ch.length !== 1) {
      return `invalid character \`${ch}\` in crate name: \`${name}\`, characters must be an ASCII alphanumeric character, \`-\`, or \`_\``;
    }
  }
  return null;
}

/**
 * The dependency a version held in quarantine carries in the index: no crate of this name can
 * ever be published here, so no resolution can select the held version (cargo falls back to an
 * earlier one, or names this crate as missing), while `cargo publish` sees the version land.
 */
export const HELD_FOR_REVIEW_CRATE = 'cratekeeper-held-for-review';

/** Whether the canonical form of `name` is reserved (the std crates, Windows device names, ours). */
export function isReservedCrateName(name: string): boolean {
  return RESERVED_CANONICAL.has(canonicalCrateName(name));
}

const RESERVED_CANONICAL: ReadonlySet<string> = new Set(
  [...RESERVED_CRATE_NAMES, HELD_FOR_REVIEW_CRATE].map(canonicalCrateName),
);
