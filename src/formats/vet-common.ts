// Shared pieces of cargo-vet's store files (`format.rs`, `serialization.rs`): versions that may
// carry a git revision (`1.2.3@git:<40 hex>`), `string_or_vec` fields, `YYYY-MM-DD` dates,
// bounded parsing, and errors that name the file and the entry.
import { parse, TomlError } from 'smol-toml';
import {
  compareVersionsWithBuild,
  formatVersion,
  parseVersion,
  SemverError,
  type Version,
} from '../domain/semver.js';
import { isTable, own, tomlTypeName, type TomlTableLike } from '../domain/toml-values.js';

/** Larger store files are refused before parsing (the biggest public audits.toml is ~2 MB). */
export const MAX_VET_FILE_BYTES = 32 * 1024 * 1024;
/** cargo-vet's files are at most a few tables deep; deeper nesting is refused. */
export const MAX_VET_TOML_DEPTH = 32;

export class VetFormatError extends Error {
  constructor(
    readonly file: string,
    readonly entry: string,
    message: string,
  ) {
    super(entry === '' ? `${file}: ${message}` : `${file}: ${entry}: ${message}`);
    this.name = 'VetFormatError';
  }
}

/** Keys a reader did not interpret, in their original order, written back unchanged. */
export type Extra = [string, unknown][];

export interface VetVersion {
  semver: Version;
  gitRev?: string;
}

export function parseVetVersion(text: string): VetVersion {
  const at = text.indexOf('@');
  if (at >= 0) {
    const rev = text.slice(at + 1).trimStart();
    if (!rev.startsWith('git:'))
      throw new SemverError(`unknown revision kind in '${text}' (expected '@git:')`);
    const hash = rev.slice(4);
    if (!/^[0-9a-fA-F]{40}$/.test(hash)) throw new SemverError(`invalid git hash in '${text}'`);
    return { semver: parseVersion(text.slice(0, at).trimEnd()), gitRev: hash };
  }
  return { semver: parseVersion(text) };
}

export function formatVetVersion(v: VetVersion): string {
  const base = formatVersion(v.semver);
  return v.gitRev === undefined ? base : `${base}@git:${v.gitRev}`;
}

/** `VetVersion`'s derived order: the semver version (with build), then no revision first. */
export function compareVetVersions(a: VetVersion, b: VetVersion): number {
  const c = compareVersionsWithBuild(a.semver, b.semver);
  if (c !== 0) return c;
  if (a.gitRev === b.gitRev) return 0;
  if (a.gitRev === undefined) return -1;
  if (b.gitRev === undefined) return 1;
  return compareStrings(a.gitRev, b.gitRev);
}

export function sameVetVersion(a: VetVersion, b: VetVersion): boolean {
  return compareVetVersions(a, b) === 0;
}

/** Rust's `String` order (bytes of UTF-8), which BTreeMap keys follow. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  // UTF-8 byte order is code point order; UTF-16 code units agree except for surrogates.
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 || y >= 0xd800)
      return (a.codePointAt(i) ?? 0) - (b.codePointAt(i) ?? 0) || (x < y ? -1 : 1);
    return x - y;
  }
  return a.length - b.length;
}

/** Rust's derived order on `Vec<String>`. */
export function compareStringLists(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareStrings(a[i] as string, b[i] as string);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** Rust's order on `Option<T>`: `None` first. */
export function compareOptional<T>(a: T | undefined, b: T | undefined, cmp: (x: T, y: T) => number): number {
  if (a === undefined) return b === undefined ? 0 : -1;
  if (b === undefined) return 1;
  return cmp(a, b);
}

/** Parses a store file's text with the limits above; syntax errors name the file and line. */
export function parseVetToml(file: string, text: string): TomlTableLike {
  if (typeof text !== 'string') throw new VetFormatError(file, '', 'expected text');
  if (Buffer.byteLength(text, 'utf8') > MAX_VET_FILE_BYTES) {
    throw new VetFormatError(file, '', `file is larger than ${MAX_VET_FILE_BYTES} bytes`);
  }
  try {
    return parse(text, {
      integersAsBigInt: true,
      maxDepth: MAX_VET_TOML_DEPTH,
      unsafeKeyBehaviour: 'keep',
    }) as TomlTableLike;
  } catch (err) {
    if (err instanceof TomlError) {
      throw new VetFormatError(
        file,
        '',
        `TOML parse error at line ${err.line}, column ${err.column}: ${firstLine(err.message)}`,
      );
    }
    if (err instanceof RangeError) throw new VetFormatError(file, '', 'document nested too deeply');
    throw new VetFormatError(file, '', `TOML parse error: ${(err as Error).message}`);
  }
}

function firstLine(s: string): string {
  const nl = s.indexOf('\n');
  return nl < 0 ? s : s.slice(0, nl);
}

/** Reads one table's fields, tracking which keys were interpreted. */
export class FieldReader {
  private readonly used = new Set<string>();

  constructor(
    readonly file: string,
    readonly entry: string,
    readonly table: TomlTableLike,
  ) {}

  fail(message: string): never {
    throw new VetFormatError(this.file, this.entry, message);
  }

  has(key: string): boolean {
    return Object.hasOwn(this.table, key);
  }

  raw(key: string): unknown {
    this.used.add(key);
    return own(this.table, key);
  }

  string(key: string): string | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') this.fail(`'${key}' must be a string, found ${tomlTypeName(v)}`);
    return v;
  }

  requiredString(key: string): string {
    const v = this.string(key);
    if (v === undefined) this.fail(`missing field '${key}'`);
    return v;
  }

  bool(key: string): boolean | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') this.fail(`'${key}' must be a boolean, found ${tomlTypeName(v)}`);
    return v;
  }

  /** `string_or_vec`: a string, or an array of strings. */
  stringOrList(key: string): string[] | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    return readStringOrList(v, (m) => this.fail(`'${key}' ${m}`));
  }

  /** A list of strings (no single-string shorthand). */
  stringList(key: string): string[] | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) this.fail(`'${key}' must be an array of strings, found ${tomlTypeName(v)}`);
    return v.map((item, i) => {
      if (typeof item !== 'string') this.fail(`'${key}'[${i}] must be a string, found ${tomlTypeName(item)}`);
      return item;
    });
  }

  version(key: string): VetVersion | undefined {
    const s = this.string(key);
    if (s === undefined) return undefined;
    return this.parseVersionText(key, s);
  }

  parseVersionText(key: string, s: string): VetVersion {
    try {
      return parseVetVersion(s);
    } catch (err) {
      return this.fail(`'${key}' is not a valid version ('${s}'): ${(err as Error).message}`);
    }
  }

  /** A `chrono::NaiveDate` as cargo-vet stores it: the string `YYYY-MM-DD`. */
  date(key: string): string | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') {
      this.fail(`'${key}' must be a date string like "2024-01-31", found ${tomlTypeName(v)}`);
    }
    if (!isValidDate(v)) this.fail(`'${key}' is not a valid date ('${v}'; expected YYYY-MM-DD)`);
    return v;
  }

  requiredDate(key: string): string {
    const v = this.date(key);
    if (v === undefined) this.fail(`missing field '${key}'`);
    return v;
  }

  /** A table of `name = string_or_vec` (criteria-map, dependency-criteria). */
  criteriaMap(key: string): [string, string[]][] | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (!isTable(v)) this.fail(`'${key}' must be a table, found ${tomlTypeName(v)}`);
    return Object.keys(v).map((k) => [k, readStringOrList(v[k], (m) => this.fail(`'${key}.${k}' ${m}`))]);
  }

  /** A `u64` crates.io user id. */
  userId(key: string): bigint | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'bigint') this.fail(`'${key}' must be an integer, found ${tomlTypeName(v)}`);
    if (v < 0n || v > 0xffff_ffff_ffff_ffffn) this.fail(`'${key}' is out of range for a user id`);
    return v;
  }

  /** The keys not read, in document order. */
  extra(): Extra {
    return Object.keys(this.table)
      .filter((k) => !this.used.has(k))
      .map((k) => [k, this.table[k]]);
  }

  /** Errors on keys not read, as cargo-vet's `deny_unknown_fields` structs do. */
  denyUnknown(): void {
    const unknown = Object.keys(this.table).filter((k) => !this.used.has(k));
    if (unknown.length > 0) this.fail(`unknown field '${unknown[0]}'`);
  }
}

function readStringOrList(v: unknown, fail: (m: string) => never): string[] {
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v)) return fail(`must be a string or an array of strings, found ${tomlTypeName(v)}`);
  return v.map((item, i) => {
    if (typeof item !== 'string') fail(`[${i}] must be a string, found ${tomlTypeName(item)}`);
    return item as string;
  });
}

export function isValidDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return d <= days;
}

/** A table of tables (`[criteria.*]`, `[policy.*]`, `[imports.*]`), read entry by entry. */
export function tableOf(file: string, where: string, v: unknown): [string, TomlTableLike][] {
  if (v === undefined) return [];
  if (!isTable(v)) throw new VetFormatError(file, where, `must be a table, found ${tomlTypeName(v)}`);
  return Object.keys(v).map((k) => {
    const t = v[k];
    if (!isTable(t))
      throw new VetFormatError(file, `${where}.${k}`, `must be a table, found ${tomlTypeName(t)}`);
    return [k, t];
  });
}

/** A table of arrays of tables (`[[audits.CRATE]]` and the like). */
export function arraysOf(file: string, where: string, v: unknown): [string, TomlTableLike[]][] {
  if (v === undefined) return [];
  if (!isTable(v)) throw new VetFormatError(file, where, `must be a table, found ${tomlTypeName(v)}`);
  return Object.keys(v).map((k) => {
    const list = v[k];
    if (!Array.isArray(list)) {
      throw new VetFormatError(
        file,
        `${where}.${k}`,
        `must be an array of tables ([[${where}.${k}]]), found ${tomlTypeName(list)}`,
      );
    }
    return [
      k,
      list.map((t, i) => {
        if (!isTable(t))
          throw new VetFormatError(file, `${where}.${k}[${i}]`, `must be a table, found ${tomlTypeName(t)}`);
        return t;
      }),
    ];
  });
}

/** Sorts map entries by key as Rust's BTreeMap<String, _> iterates them. */
export function sortedByKey<T>(entries: [string, T][]): [string, T][] {
  return [...entries].sort((a, b) => compareStrings(a[0], b[0]));
}
