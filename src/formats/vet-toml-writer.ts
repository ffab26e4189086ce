// A TOML emitter that lays documents out the way cargo-vet writes its store files: cargo-vet
// serialises with toml_edit and then reformats (`serialization.rs` `to_formatted_toml`), so
// every nested table becomes a `[table]` or `[[array.of.tables]]` section except
// `dependency-criteria`, which stays inline while it fits in 120 characters; inline arrays
// longer than 80 characters wrap one item per line with a trailing comma; tables holding only
// other tables get no header of their own; strings follow toml_write's choice of quoting.
import { TomlDate } from 'smol-toml';

/** One item of a document being written. Entries keep their insertion order. */
export type TomlNode =
  | { kind: 'value'; value: TomlScalar | TomlNode[] | InlineTable; comment?: string }
  | { kind: 'table'; entries: [string, TomlNode][] }
  | { kind: 'tables'; items: [string, TomlNode][][] };

export type TomlScalar = string | bigint | number | boolean | TomlDate;

export interface InlineTable {
  inline: [string, TomlNode][];
}

const ARRAY_WRAP_THRESHOLD = 80;
const INLINE_TABLE_THRESHOLD = 120;
const INLINE_TABLE_KEYS = new Set(['dependency-criteria']);

export function value(v: TomlScalar | TomlNode[] | InlineTable, comment?: string): TomlNode {
  return comment === undefined ? { kind: 'value', value: v } : { kind: 'value', value: v, comment };
}

export function table(entries: [string, TomlNode][]): TomlNode {
  return { kind: 'table', entries };
}

export function tables(items: [string, TomlNode][][]): TomlNode {
  return { kind: 'tables', items };
}

/** cargo-vet's `string_or_vec`: one item as a plain string, otherwise a list. */
export function stringOrList(items: readonly string[]): TomlNode {
  return items.length === 1 ? value(items[0] as string) : value(items.map((s) => value(s)));
}

/**
 * Turns a value parsed by smol-toml (an unknown key kept for round-tripping) back into a node,
 * as toml_edit would hold it after cargo-vet's reformatting: tables become sections, non-empty
 * arrays of tables become arrays of tables.
 */
export function nodeFromParsed(key: string, v: unknown, depth = 0): TomlNode {
  if (depth > 64) throw new Error('value nested too deeply to write');
  if (Array.isArray(v)) {
    if (v.length > 0 && v.every(isPlainTable) && !INLINE_TABLE_KEYS.has(key)) {
      return tables(v.map((t) => entriesFromParsed(t as Record<string, unknown>, depth + 1)));
    }
    return value(v.map((item) => inlineFromParsed(item, depth + 1)));
  }
  if (isPlainTable(v)) {
    const entries = entriesFromParsed(v, depth + 1);
    if (INLINE_TABLE_KEYS.has(key)) return value({ inline: entries });
    return table(entries);
  }
  return value(v as TomlScalar);
}

function entriesFromParsed(t: Record<string, unknown>, depth: number): [string, TomlNode][] {
  return Object.keys(t).map((k) => [k, nodeFromParsed(k, t[k], depth)]);
}

function inlineFromParsed(v: unknown, depth: number): TomlNode {
  if (depth > 64) throw new Error('value nested too deeply to write');
  if (Array.isArray(v)) return value(v.map((item) => inlineFromParsed(item, depth + 1)));
  if (isPlainTable(v)) {
    return value({ inline: Object.keys(v).map((k) => [k, inlineFromParsed(v[k], depth + 1)]) });
  }
  return value(v as TomlScalar);
}

function isPlainTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** The document's text (without cargo-vet's heading comment). */
export function renderDocument(fields: [string, TomlNode][]): string {
  let out = '';
  // cargo-vet re-adds the leading newline toml_edit used to emit when the first field (in
  // struct order, before values are moved ahead of tables) is a table.
  const first = fields[0]?.[1];
  if (first && first.kind !== 'value') out += '\n';
  const root = [
    ...fields.filter(([, n]) => n.kind === 'value'),
    ...fields.filter(([, n]) => n.kind !== 'value'),
  ];
  let firstHeader = true;
  const bodyOf = (entries: [string, TomlNode][]): string => {
    let body = '';
    for (const [k, node] of entries) {
      if (node.kind !== 'value') continue;
      body += `${renderKey(k)} = ${renderTopValue(k, node)}`;
      if (node.comment !== undefined) body += ` # ${node.comment}`;
      body += '\n';
    }
    return body;
  };
  const rootBody = bodyOf(root);
  if (rootBody !== '') firstHeader = false;
  out += rootBody;
  const header = (text: string): void => {
    out += firstHeader ? text : `\n${text}`;
    firstHeader = false;
  };
  const visit = (path: string[], entries: [string, TomlNode][]): void => {
    for (const [k, node] of entries) {
      const p = [...path, k];
      if (node.kind === 'table') {
        const hasValues = node.entries.some(([, n]) => n.kind === 'value');
        // Non-empty tables are implicit: shown only when they hold values of their own.
        if (hasValues || node.entries.length === 0) {
          header(`[${p.map(renderKey).join('.')}]\n`);
          out += bodyOf(node.entries);
        }
        visit(p, node.entries);
      } else if (node.kind === 'tables') {
        for (const item of node.items) {
          header(`[[${p.map(renderKey).join('.')}]]\n`);
          out += bodyOf(item);
          visit(p, item);
        }
      }
    }
  };
  visit([], root);
  return out;
}

function renderTopValue(key: string, node: TomlNode & { kind: 'value' }): string {
  const v = node.value;
  if (Array.isArray(v)) {
    const inline = renderValue(v);
    if (charLength(key) + charLength(inline) + 3 > ARRAY_WRAP_THRESHOLD) {
      if (v.length === 0) return '[\n]';
      return `[${v.map((item) => `\n    ${renderInlineNode(item)}`).join(',')},\n]`;
    }
    return inline;
  }
  return renderValue(v);
}

/** Whether cargo-vet keeps a `dependency-criteria` table inline. */
export function fitsInline(key: string, entries: [string, TomlNode][]): boolean {
  const repr = renderValue({ inline: entries });
  return INLINE_TABLE_KEYS.has(key) && charLength(key) + charLength(repr) + 3 <= INLINE_TABLE_THRESHOLD;
}

function renderInlineNode(node: TomlNode): string {
  if (node.kind === 'value') return renderValue(node.value);
  if (node.kind === 'table') return renderValue({ inline: node.entries });
  return renderValue(node.items.map((item) => value({ inline: item })));
}

function renderValue(v: TomlScalar | TomlNode[] | InlineTable): string {
  if (Array.isArray(v)) return `[${v.map(renderInlineNode).join(', ')}]`;
  if (v instanceof TomlDate) return v.toISOString();
  if (typeof v === 'object') {
    if (v.inline.length === 0) return '{}';
    return `{ ${v.inline.map(([k, n]) => `${renderKey(k)} = ${renderInlineNode(n)}`).join(', ')} }`;
  }
  if (typeof v === 'string') return renderString(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return renderFloat(v);
}

function renderFloat(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (Number.isInteger(n)) return Object.is(n, -0) ? '-0.0' : `${n}.0`;
  return String(n);
}

function charLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

interface StringMetrics {
  maxSingles: number;
  maxDoubles: number;
  escapeCodes: boolean;
  backslash: boolean;
  newline: boolean;
}

function metrics(s: string): StringMetrics {
  const m: StringMetrics = {
    maxSingles: 0,
    maxDoubles: 0,
    escapeCodes: false,
    backslash: false,
    newline: false,
  };
  let singles = 0;
  let doubles = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    singles = c === 39 ? singles + 1 : 0;
    doubles = c === 34 ? doubles + 1 : 0;
    m.maxSingles = Math.max(m.maxSingles, singles);
    m.maxDoubles = Math.max(m.maxDoubles, doubles);
    if (c === 92) m.backslash = true;
    else if (c === 10) m.newline = true;
    else if (c !== 9 && (c <= 0x1f || c === 0x7f)) m.escapeCodes = true;
  }
  return m;
}

/** toml_write's default string choice: basic, literal, multi-line basic, multi-line literal. */
export function renderString(s: string): string {
  const m = metrics(s);
  if (!m.escapeCodes && !m.backslash && m.maxDoubles === 0 && !m.newline) return `"${s}"`;
  if (!m.escapeCodes && m.maxSingles === 0 && !m.newline) return `'${s}'`;
  if (!m.escapeCodes && !m.backslash && m.maxDoubles <= 2) return mlBasic(s, m.newline);
  if (!m.escapeCodes && m.maxSingles <= 2) return `'''${m.newline ? '\n' : ''}${s}'''`;
  return m.newline ? mlBasic(s, true) : basic(s, false);
}

function mlBasic(s: string, newline: boolean): string {
  return `"""${newline ? '\n' : ''}${escapeBasic(s, true)}"""`;
}

function basic(s: string, ml: boolean): string {
  return `"${escapeBasic(s, ml)}"`;
}

function escapeBasic(s: string, ml: boolean): string {
  const maxDoubles = ml ? 2 : 0;
  let out = '';
  let doubles = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    const c = ch.charCodeAt(0);
    if (c === 34) {
      doubles++;
      if (doubles > maxDoubles) {
        out += '\\"';
        doubles = 0;
        continue;
      }
      out += ch;
      continue;
    }
    doubles = 0;
    if (c === 8) out += '\\b';
    else if (c === 9) out += '\\t';
    else if (c === 10) out += ml ? '\n' : '\\n';
    else if (c === 12) out += '\\f';
    else if (c === 13) out += '\\r';
    else if (c === 92) out += '\\\\';
    else if (c <= 0x1f || c === 0x7f) out += `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}

/** toml_write's key choice: bare when it can be, then basic, then literal. */
export function renderKey(k: string): string {
  if (k !== '' && /^[A-Za-z0-9_-]+$/.test(k)) return k;
  const m = metrics(k);
  const hasSingle = k.includes("'");
  const hasDouble = k.includes('"');
  if (!m.escapeCodes && !m.backslash && !hasDouble && !m.newline) return `"${k}"`;
  if (!m.escapeCodes && !hasSingle && !m.newline) return `'${k}'`;
  return basic(k, false);
}
