// Typosquat settings: crates.io's values by default, overridable from the `[typosquat]` table of
// cratekeeper.toml.
import { parse as parseToml, TomlError } from 'smol-toml';

export interface TyposquatConfig {
  /** How many popular crates form the corpus (crates.io: TOP_CRATES = 3000). */
  top: number;
  /** Character → the strings a typo may put in its place (crates.io's TYPOS). */
  typos: Record<string, string[]>;
  /** crates.io's SUFFIXES, checked as prefixes and suffixes. */
  affixes: string[];
  /** crates.io's SUFFIX_SEPARATORS. */
  affixSeparators: string[];
  /** Known-legitimate [candidate, popular crate] pairs that are never reported. */
  allow: [string, string][];
  /** Publishing a name that squats one of the top N crates is refused (0 = off). */
  blockTop: number;
}

export class TyposquatConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TyposquatConfigError';
  }
}

// crates.io's src/typosquat/config.rs: "a mixture of visual substitutions and typos on QWERTY,
// QWERTZ, and AZERTY keyboards" (a superset of typogard's table).
const CRATES_IO_TYPOS: [string, string[]][] = [
  ['1', ['2', 'q', 'i', 'l']],
  ['2', ['1', 'q', 'w', '3']],
  ['3', ['2', 'w', 'e', '4']],
  ['4', ['3', 'e', 'r', '5']],
  ['5', ['4', 'r', 't', '6', 's']],
  ['6', ['5', 't', 'y', '7']],
  ['7', ['6', 'y', 'u', '8']],
  ['8', ['7', 'u', 'i', '9']],
  ['9', ['8', 'i', 'o', '0']],
  ['0', ['9', 'o', 'p', '-']],
  ['-', ['_', '0', 'p', '.', '']],
  ['_', ['-', '0', 'p', '.', '']],
  ['q', ['1', '2', 'w', 'a', 's', 'z']],
  ['w', ['2', '3', 'e', 's', 'a', 'q', 'vv', 'x']],
  ['e', ['3', '4', 'r', 'd', 's', 'w', 'z']],
  ['r', ['4', '5', 't', 'f', 'd', 'e']],
  ['t', ['5', '6', 'y', 'g', 'f', 'r']],
  ['y', ['6', '7', 'u', 'h', 't', 'i', 'a', 's', 'x']],
  ['u', ['7', '8', 'i', 'j', 'y', 'v']],
  ['i', ['1', '8', '9', 'o', 'l', 'k', 'j', 'u', 'y']],
  ['o', ['9', '0', 'p', 'l', 'i']],
  ['p', ['0', '-', 'o']],
  ['a', ['q', 'w', 's', 'z', '1', '2']],
  ['s', ['w', 'd', 'x', 'z', 'a', '5', 'q']],
  ['d', ['e', 'r', 'f', 'c', 'x', 's']],
  ['f', ['r', 'g', 'v', 'c', 'd']],
  ['g', ['t', 'h', 'b', 'v', 'f']],
  ['h', ['y', 'j', 'n', 'b', 'g']],
  ['j', ['u', 'i', 'k', 'm', 'n', 'h']],
  ['k', ['i', 'o', 'l', 'm', 'j']],
  ['l', ['i', 'o', 'p', 'k', '1']],
  ['z', ['a', 's', 'x', '6', '7', 'u', 'h', 't', 'i', 'e', '2', '3']],
  ['x', ['z', 's', 'd', 'c', 'w']],
  ['c', ['x', 'd', 'f', 'v']],
  ['v', ['c', 'f', 'g', 'b', 'u']],
  ['b', ['v', 'g', 'h', 'n']],
  ['n', ['b', 'h', 'j', 'm']],
  ['m', ['n', 'j', 'k', 'rn']],
  ['.', ['-', '_', '']],
];

export function defaultTyposquatConfig(): TyposquatConfig {
  return {
    top: 3000,
    typos: Object.fromEntries(CRATES_IO_TYPOS.map(([c, r]) => [c, [...r]])),
    affixes: ['api', 'cargo', 'cli', 'core', 'lib', 'rs', 'rust', 'sys'],
    affixSeparators: ['-', '_'],
    allow: [],
    blockTop: 0,
  };
}

// Bounds that keep a hostile or mistaken config from making the precomputed index explode.
const MAX_TOP = 1_000_000;
const MAX_LIST = 1_000;
const MAX_STRING = 64;

export const TYPOSQUAT_KEYS: ReadonlySet<string> = new Set(['top', 'typos', 'affixes', 'affix_separators', 'allow', 'block_top']);

/**
 * Reads the `[typosquat]` table of a cratekeeper.toml (the whole file's text). Keys are
 * snake_case: `top`, `block_top`, `affixes`, `affix_separators`, `allow` (an array of
 * `[candidate, target]` pairs, or a table `candidate = ["target", …]` as typomania-crates writes
 * it) and the `[typosquat.typos]` table, which replaces the default table when present.
 * Absent keys keep crates.io's defaults.
 */
export function loadTyposquatConfig(tomlText: string): TyposquatConfig {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(tomlText) as Record<string, unknown>;
  } catch (e) {
    const msg = e instanceof TomlError ? e.message.split('\n')[0] : (e as Error).message;
    throw new TyposquatConfigError(`invalid TOML: ${msg}`);
  }
  const config = defaultTyposquatConfig();
  const table = doc.typosquat;
  if (table === undefined) return config;
  if (!isTable(table)) throw new TyposquatConfigError('`typosquat` must be a table');

  for (const key of Object.keys(table)) {
    if (!TYPOSQUAT_KEYS.has(key)) {
      throw new TyposquatConfigError(
        `unknown key \`typosquat.${key}\` (expected one of: ${[...TYPOSQUAT_KEYS].join(', ')})`,
      );
    }
  }
  if (table.top !== undefined) config.top = integer('typosquat.top', table.top, 1, MAX_TOP);
  if (table.block_top !== undefined)
    config.blockTop = integer('typosquat.block_top', table.block_top, 0, MAX_TOP);
  if (table.affixes !== undefined) config.affixes = stringList('typosquat.affixes', table.affixes, false);
  if (table.affix_separators !== undefined) {
    config.affixSeparators = stringList('typosquat.affix_separators', table.affix_separators, true);
  }
  if (table.typos !== undefined) config.typos = typoTable(table.typos);
  if (table.allow !== undefined) config.allow = allowList(table.allow);
  if (config.blockTop > config.top) {
    throw new TyposquatConfigError(
      `typosquat.block_top (${config.blockTop}) cannot exceed typosquat.top (${config.top})`,
    );
  }
  return config;
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function integer(key: string, v: unknown, min: number, max: number): number {
  // smol-toml returns integers as numbers (bigint only past 2^53).
  if (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))) {
    const n = Number(v);
    if (n >= min && n <= max) return n;
    throw new TyposquatConfigError(`\`${key}\` must be between ${min} and ${max}, got ${String(v)}`);
  }
  throw new TyposquatConfigError(`\`${key}\` must be an integer, got ${describe(v)}`);
}

function stringList(key: string, v: unknown, allowEmpty: boolean): string[] {
  if (!Array.isArray(v))
    throw new TyposquatConfigError(`\`${key}\` must be an array of strings, got ${describe(v)}`);
  if (v.length > MAX_LIST) throw new TyposquatConfigError(`\`${key}\` has more than ${MAX_LIST} entries`);
  return v.map((s, i) => str(`${key}[${i}]`, s, allowEmpty));
}

function str(key: string, v: unknown, allowEmpty: boolean): string {
  if (typeof v !== 'string')
    throw new TyposquatConfigError(`\`${key}\` must be a string, got ${describe(v)}`);
  if (!allowEmpty && v.length === 0) throw new TyposquatConfigError(`\`${key}\` must not be empty`);
  if (v.length > MAX_STRING)
    throw new TyposquatConfigError(`\`${key}\` is longer than ${MAX_STRING} characters`);
  return v;
}

function typoTable(v: unknown): Record<string, string[]> {
  if (!isTable(v)) throw new TyposquatConfigError(`\`typosquat.typos\` must be a table, got ${describe(v)}`);
  const out: Record<string, string[]> = {};
  const keys = Object.keys(v);
  if (keys.length > MAX_LIST)
    throw new TyposquatConfigError(`\`typosquat.typos\` has more than ${MAX_LIST} entries`);
  for (const c of keys) {
    // The checks replace one character at a time: a longer key could never match.
    if (c.length !== 1) {
      throw new TyposquatConfigError(
        `\`typosquat.typos\` key ${JSON.stringify(c)} must be a single character`,
      );
    }
    out[c] = stringList(`typosquat.typos.${JSON.stringify(c)}`, v[c], true);
  }
  return out;
}

function allowList(v: unknown): [string, string][] {
  const out: [string, string][] = [];
  if (Array.isArray(v)) {
    if (v.length > MAX_LIST * 10) throw new TyposquatConfigError('`typosquat.allow` has too many entries');
    v.forEach((pair, i) => {
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw new TyposquatConfigError(
          `\`typosquat.allow[${i}]\` must be a [candidate, target] pair of strings`,
        );
      }
      out.push([
        str(`typosquat.allow[${i}][0]`, pair[0], false),
        str(`typosquat.allow[${i}][1]`, pair[1], false),
      ]);
    });
    return out;
  }
  if (isTable(v)) {
    for (const [candidate, targets] of Object.entries(v)) {
      for (const t of stringList(`typosquat.allow.${candidate}`, targets, false)) out.push([candidate, t]);
    }
    return out;
  }
  throw new TyposquatConfigError(
    `\`typosquat.allow\` must be an array of pairs or a table, got ${describe(v)}`,
  );
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  if (v instanceof Date) return 'a date';
  if (typeof v === 'object') return 'a table';
  return `${typeof v} ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`;
}
