// Every table and key `cratekeeper.toml` may hold, declared once. The file is checked against it
// as soon as it is read, so a misspelt table (`[securty]`) or key is an error naming the file,
// the key and the nearest valid one, instead of a setting silently left at its default. Each part
// still reads and validates the values of its own table.
import { TYPOSQUAT_KEYS } from '../security/typosquat/config.js';

const STORAGE_KEYS = [
  'bucket',
  'region',
  'endpoint',
  'force_path_style',
  'prefix',
  'access_key_id',
  'secret_access_key',
  'conditional_delete',
] as const;

export interface TableSchema {
  keys: readonly string[];
  tables?: Readonly<Record<string, TableSchema>>;
}

export const CONFIG_SCHEMA: TableSchema = {
  keys: [],
  tables: {
    server: { keys: ['host', 'port', 'public_url', 'private', 'trust_proxy', 'hsts_max_age_seconds'] },
    security: {
      keys: ['quarantine', 'quarantine_on_malicious_advisory', 'release_requires_criteria'],
      tables: { detonate: { keys: ['enabled', 'timeout_seconds', 'memory_mib', 'toolchain'] } },
    },
    // `typos` is a table keyed by character; typosquat/config.ts checks its entries.
    typosquat: { keys: [...TYPOSQUAT_KEYS] },
    notifications: {
      keys: ['min_severity', 'webhook_url', 'webhook_secret'],
      tables: { email: { keys: ['host', 'port', 'secure', 'from', 'to', 'user', 'password'] } },
    },
    gc: { keys: ['on_start', 'grace_minutes'] },
    // Blob storage and the static index (storage-config.ts).
    storage: {
      keys: [...STORAGE_KEYS, 'kind', 'dir'],
      tables: { index: { keys: [...STORAGE_KEYS, 'enabled', 'dir', 'max_age_seconds'] } },
    },
    advisories: { keys: ['sources', 'sync_interval_minutes', 'crates_io_mirror', 'id_prefix'] },
    // Rate limits (one table per action), their contact address and the per-request ceilings.
    limits: {
      keys: ['contact', 'max_per_page', 'max_offset'],
      tables: Object.fromEntries(
        ['publish_new', 'publish_update', 'yank', 'sign_in', 'token_create'].map((a) => [
          a,
          { keys: ['rate_seconds', 'burst'] },
        ]),
      ),
    },
    tokens: { keys: ['default_expiry_days', 'expiry_warning_days'] },
    admin: { keys: ['sudo_minutes'] },
    metrics: { keys: ['token', 'port', 'host'] },
  },
};

/** The schema of one table, by its dotted path (`security.detonate`). */
export function tableSchema(path: string): TableSchema {
  let s: TableSchema | undefined = CONFIG_SCHEMA;
  for (const part of path.split('.')) s = s?.tables?.[part];
  if (!s) throw new Error(`internal: no config table [${path}]`);
  return s;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** Throws a ConfigError for the first unknown table or key, with the nearest valid name. */
export function checkConfigKeys(file: string, doc: Record<string, unknown>, schema = CONFIG_SCHEMA): void {
  const visit = (table: Record<string, unknown>, s: TableSchema, path: string[]) => {
    for (const [key, value] of Object.entries(table)) {
      const child = s.tables?.[key];
      if (child) {
        const name = [...path, key].join('.');
        if (!isTable(value)) throw new ConfigError(`${file}: [${name}] must be a table`);
        visit(value, child, [...path, key]);
        continue;
      }
      if (s.keys.includes(key)) continue;
      const where = path.length === 0 ? '' : ` in [${path.join('.')}]`;
      const asTable = isTable(value) && path.length === 0;
      const candidates = asTable ? Object.keys(s.tables ?? {}) : [...s.keys, ...Object.keys(s.tables ?? {})];
      const near = nearest(key, candidates);
      const what = asTable ? `table [${key}]` : `key "${key}"${where}`;
      const hint = near ? `; did you mean ${asTable ? `[${near}]` : `"${near}"`}?` : '';
      const valid = candidates.length > 0 ? ` (valid: ${candidates.join(', ')})` : '';
      throw new ConfigError(`${file}: unknown ${what}${hint}${near ? '' : valid}`);
    }
  };
  visit(doc, schema, []);
}

/** The candidate within a small edit distance of `word`, if any. */
export function nearest(word: string, candidates: readonly string[]): string | null {
  // A shortened name (`timeout` for `timeout_seconds`) is the likeliest mistake of all.
  const lower = word.toLowerCase();
  const extended = candidates.filter((c) => lower.length >= 4 && c.toLowerCase().startsWith(lower));
  if (extended.length === 1) return extended[0]!;
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(best.length / 3)) ? best : null;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = row;
  }
  return prev[b.length]!;
}
