// Strict readers for values parsed by smol-toml, shared by the manifest and lockfile models.
// smol-toml builds tables with a null prototype and keeps `__proto__`/`constructor` keys as
// own properties, so lookups go through Object.hasOwn and copies through setOwn.
import { setOwn } from './safe-record.js';

export type TomlTableLike = Record<string, unknown>;

export function isTable(v: unknown): v is TomlTableLike {
  // smol-toml's TomlDate extends Date.
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** A key's own value, never something inherited from Object.prototype. */
export function own(table: TomlTableLike, key: string): unknown {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** The TOML type name of a value, for error messages. */
export function tomlTypeName(v: unknown): string {
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'boolean') return 'a boolean';
  // smol-toml reads `1.0` and `1` alike, so the two cannot be told apart here.
  if (typeof v === 'number') return 'a number';
  if (typeof v === 'bigint') return 'an integer';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Date) return 'a datetime';
  if (isTable(v)) return 'a table';
  return typeof v;
}

/** A deep copy into plain objects and arrays; datetimes become ISO 8601 text. */
export function toPlain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toPlain);
  if (typeof v === 'object' && v !== null) {
    if (v instanceof Date) return v.toISOString();
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) setOwn(out, k, toPlain((v as TomlTableLike)[k]));
    return out;
  }
  return v;
}
