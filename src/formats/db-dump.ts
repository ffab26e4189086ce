// Reads the crates.io database dump (https://static.crates.io/db-dump.tar.gz): a tarball of
// `<timestamp>/data/<table>.csv` files written by `\copy … WITH CSV HEADER`, plus
// `metadata.json`. Column meanings follow crates.io's `crates_io_database_dump` (dump-db.toml):
// booleans are `t`/`f`, `dependencies.kind` is 0 normal / 1 build / 2 dev,
// `dependencies.features` is a PostgreSQL text array, `crate_owners.owner_kind` is 0 user /
// 1 team. Columns are found by header name, so column order and extra columns do not matter.
// Also reads an unpacked dump directory.
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import type { DependencyKind } from '../domain/index-line.js';
import { CsvReader, parsePgTextArray } from './csv.js';
import type { CsvField } from './csv.js';

export interface DumpCrate {
  id: number;
  name: string;
  createdAt: string | null;
}

export interface DumpVersion {
  id: number;
  crateId: number;
  num: string;
  yanked: boolean;
  /** RFC 3339 (UTC) publish time. */
  createdAt: string | null;
  checksum: string | null;
  publishedBy: number | null;
}

export interface DumpDependency {
  id: number;
  versionId: number;
  /** The depended-on crate (the real one, not the rename). */
  crateId: number;
  req: string;
  optional: boolean;
  defaultFeatures: boolean;
  features: string[];
  target: string | null;
  kind: DependencyKind;
  /** The name the dependent uses when it renamed the dependency. */
  explicitName: string | null;
}

export interface DumpOwner {
  crateId: number;
  ownerId: number;
  ownerKind: 'user' | 'team';
}

export interface DumpUser {
  id: number;
  login: string;
}

export interface DumpTeam {
  id: number;
  login: string;
}

export interface DbDumpHandlers {
  crate?: (row: DumpCrate) => void;
  version?: (row: DumpVersion) => void;
  dependency?: (row: DumpDependency) => void;
  owner?: (row: DumpOwner) => void;
  user?: (row: DumpUser) => void;
  team?: (row: DumpTeam) => void;
}

export interface DbDumpProgress {
  table: string;
  rows: number;
  bytes: number;
  totalBytes?: number;
}

export interface ReadDbDumpOptions {
  onProgress?: (p: DbDumpProgress) => void;
  /** Largest single CSV field accepted (crates.readme can be big; default 64 MiB). */
  maxFieldLength?: number;
}

export interface ReadDbDumpResult {
  /** `metadata.json`'s timestamp, when present. */
  timestamp: string | null;
  rows: Partial<Record<DumpTable, number>>;
}

export class DbDumpFormatError extends Error {
  constructor(
    readonly table: string,
    readonly record: number,
    message: string,
  ) {
    super(`${table}.csv record ${record}: ${message}`);
    this.name = 'DbDumpFormatError';
  }
}

export type DumpTable = 'crates' | 'versions' | 'dependencies' | 'crate_owners' | 'users' | 'teams';
const TABLES: ReadonlySet<string> = new Set([
  'crates',
  'versions',
  'dependencies',
  'crate_owners',
  'users',
  'teams',
]);
const HANDLER_OF: Record<DumpTable, keyof DbDumpHandlers> = {
  crates: 'crate',
  versions: 'version',
  dependencies: 'dependency',
  crate_owners: 'owner',
  users: 'user',
  teams: 'team',
};

/** `data/<table>.csv` under at most one top-level directory, or null. */
export function dumpTableOfPath(path: string): DumpTable | null {
  const parts = path.replace(/^\.\//, '').split('/');
  if (parts.length < 2 || parts.length > 3) return null;
  if (parts[parts.length - 2] !== 'data') return null;
  const file = parts[parts.length - 1]!;
  if (!file.endsWith('.csv')) return null;
  const table = file.slice(0, -4);
  return TABLES.has(table) ? (table as DumpTable) : null;
}

function isMetadataPath(path: string): boolean {
  const parts = path.replace(/^\.\//, '').split('/');
  return parts.length <= 2 && parts[parts.length - 1] === 'metadata.json';
}

/** Postgres `timestamp` text (`2019-11-10 12:00:00.123456`, UTC) as RFC 3339. */
export function pgTimestampToIso(s: string | null): string | null {
  if (!s) return null;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(s.trim());
  if (!m) return null;
  const frac = m[3] ? m[3].slice(0, 4) : '';
  let zone = m[4] ?? 'Z';
  if (/^[+-]\d{2}$/.test(zone)) zone += ':00';
  else if (/^[+-]\d{4}$/.test(zone)) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  return `${m[1]}T${m[2]}${frac}${zone}`;
}

type RowParser = (get: (col: string) => CsvField) => unknown;

const int = (v: CsvField, col: string): number => {
  if (v === null || !/^-?\d+$/.test(v)) throw new Error(`${col} is not an integer: ${JSON.stringify(v)}`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`${col} is out of range: ${v}`);
  return n;
};
const optInt = (v: CsvField, col: string): number | null => (v === null || v === '' ? null : int(v, col));
const bool = (v: CsvField, col: string): boolean => {
  if (v === 't' || v === 'true') return true;
  if (v === 'f' || v === 'false') return false;
  throw new Error(`${col} is not a boolean: ${JSON.stringify(v)}`);
};
const text = (v: CsvField, col: string): string => {
  if (v === null) throw new Error(`${col} is NULL`);
  return v;
};
const KIND_CODES: Record<string, DependencyKind> = { '0': 'normal', '1': 'build', '2': 'dev' };

const PARSERS: Record<DumpTable, { required: string[]; parse: RowParser }> = {
  crates: {
    required: ['id', 'name'],
    parse: (g): DumpCrate => ({
      id: int(g('id'), 'id'),
      name: text(g('name'), 'name'),
      createdAt: pgTimestampToIso(g('created_at')),
    }),
  },
  versions: {
    required: ['id', 'crate_id', 'num', 'yanked'],
    parse: (g): DumpVersion => ({
      id: int(g('id'), 'id'),
      crateId: int(g('crate_id'), 'crate_id'),
      num: text(g('num'), 'num'),
      yanked: bool(g('yanked'), 'yanked'),
      createdAt: pgTimestampToIso(g('created_at')),
      checksum: g('checksum'),
      publishedBy: optInt(g('published_by'), 'published_by'),
    }),
  },
  dependencies: {
    required: ['version_id', 'crate_id', 'req', 'optional', 'default_features', 'features', 'kind'],
    parse: (g): DumpDependency => {
      const rawFeatures = g('features');
      const features = rawFeatures === null ? [] : parsePgTextArray(rawFeatures);
      if (features === null)
        throw new Error(`features is not an array literal: ${JSON.stringify(rawFeatures)}`);
      const kindCode = g('kind') ?? '0';
      const kind = KIND_CODES[kindCode];
      if (!kind) throw new Error(`kind is not 0, 1 or 2: ${JSON.stringify(kindCode)}`);
      const explicitName = g('explicit_name');
      return {
        id: optInt(g('id'), 'id') ?? 0,
        versionId: int(g('version_id'), 'version_id'),
        crateId: int(g('crate_id'), 'crate_id'),
        req: text(g('req'), 'req'),
        optional: bool(g('optional'), 'optional'),
        defaultFeatures: bool(g('default_features'), 'default_features'),
        features,
        target: g('target') || null,
        kind,
        explicitName: explicitName || null,
      };
    },
  },
  crate_owners: {
    required: ['crate_id', 'owner_id', 'owner_kind'],
    parse: (g): DumpOwner => {
      const k = g('owner_kind');
      if (k !== '0' && k !== '1') throw new Error(`owner_kind is not 0 or 1: ${JSON.stringify(k)}`);
      return {
        crateId: int(g('crate_id'), 'crate_id'),
        ownerId: int(g('owner_id'), 'owner_id'),
        ownerKind: k === '0' ? 'user' : 'team',
      };
    },
  },
  users: {
    required: ['id', 'gh_login'],
    parse: (g): DumpUser => ({ id: int(g('id'), 'id'), login: text(g('gh_login'), 'gh_login') }),
  },
  teams: {
    required: ['id', 'login'],
    parse: (g): DumpTeam => ({ id: int(g('id'), 'id'), login: text(g('login'), 'login') }),
  },
};

/** A CSV consumer for one table: the first record is the header, the rest are rows. */
function tableReader(
  table: DumpTable,
  emit: ((row: never) => void) | undefined,
  opts: ReadDbDumpOptions,
  counted: (n: number) => void,
): CsvReader {
  const spec = PARSERS[table];
  let columns: Map<string, number> | null = null;
  return new CsvReader(
    (fields, recordNo) => {
      if (columns === null) {
        columns = new Map(fields.map((f, i) => [f ?? '', i]));
        for (const col of spec.required) {
          if (!columns.has(col)) throw new DbDumpFormatError(table, recordNo, `missing column \`${col}\``);
        }
        return;
      }
      if (fields.length !== columns.size) {
        throw new DbDumpFormatError(
          table,
          recordNo,
          `expected ${columns.size} fields, found ${fields.length}`,
        );
      }
      const cols = columns;
      let row: unknown;
      try {
        row = spec.parse((col) => {
          const i = cols.get(col);
          return i === undefined ? null : (fields[i] ?? null);
        });
      } catch (e) {
        throw new DbDumpFormatError(table, recordNo, (e as Error).message);
      }
      counted(recordNo - 1);
      emit?.(row as never);
    },
    opts.maxFieldLength !== undefined ? { maxFieldLength: opts.maxFieldLength } : {},
  );
}

/**
 * Streams the tables of a crates.io database dump (`.tar.gz`, or an unpacked directory holding
 * `data/*.csv`) to `handlers`. Tables without a handler are skipped without parsing.
 */
export async function readDbDump(
  source: string,
  handlers: DbDumpHandlers,
  opts: ReadDbDumpOptions = {},
): Promise<ReadDbDumpResult> {
  const result: ReadDbDumpResult = { timestamp: null, rows: {} };
  let bytes = 0;
  const st = await stat(source);
  const totalBytes = st.isDirectory() ? undefined : st.size;

  const consume = async (table: DumpTable, chunks: AsyncIterable<Buffer>): Promise<void> => {
    const handler = handlers[HANDLER_OF[table]];
    const reader = tableReader(table, handler as ((row: never) => void) | undefined, opts, (n) => {
      result.rows[table] = n;
      if (n % 10000 === 0) {
        opts.onProgress?.({ table, rows: n, bytes, ...(totalBytes !== undefined ? { totalBytes } : {}) });
      }
    });
    result.rows[table] = 0;
    const decoder = new StringDecoder('utf8');
    try {
      for await (const chunk of chunks) reader.push(decoder.write(chunk));
      reader.push(decoder.end());
      reader.end();
    } catch (e) {
      if (e instanceof DbDumpFormatError) throw e;
      const err = e as Error & { record?: number };
      throw new DbDumpFormatError(table, err.record ?? 0, err.message);
    }
    opts.onProgress?.({
      table,
      rows: result.rows[table] ?? 0,
      bytes,
      ...(totalBytes !== undefined ? { totalBytes } : {}),
    });
  };

  const readMetadata = (text: string): void => {
    try {
      const meta = JSON.parse(text) as { timestamp?: unknown };
      if (typeof meta.timestamp === 'string') result.timestamp = meta.timestamp;
    } catch {
      // metadata.json is informative only; a broken one does not spoil the data.
    }
  };

  if (st.isDirectory()) {
    const dataDir = await findDataDir(source);
    if (!dataDir) throw new Error(`${source}: no data/*.csv found (not a crates.io database dump)`);
    const meta = join(dataDir, '..', 'metadata.json');
    readMetadata(await readFile(meta, 'utf8').catch(() => ''));
    for (const table of Object.keys(HANDLER_OF) as DumpTable[]) {
      if (!handlers[HANDLER_OF[table]]) continue;
      const file = join(dataDir, `${table}.csv`);
      const exists = await stat(file).then(
        (s) => s.isFile(),
        () => false,
      );
      if (!exists) continue;
      const input = createReadStream(file, { highWaterMark: 1 << 20 });
      input.on('data', (c) => (bytes += c.length));
      await consume(table, input as AsyncIterable<Buffer>);
    }
    return result;
  }

  const input = createReadStream(source, { highWaterMark: 1 << 20 });
  input.on('data', (c) => (bytes += c.length));
  const gunzip = createGunzip();
  const extract = tar.extract();
  input.on('error', (e) => extract.destroy(e));
  gunzip.on('error', (e) => extract.destroy(e));
  input.pipe(gunzip).pipe(extract);
  try {
    for await (const entry of extract) {
      const name = entry.header.name;
      const table = entry.header.type === 'file' ? dumpTableOfPath(name) : null;
      if (table && handlers[HANDLER_OF[table]]) {
        await consume(table, entry as AsyncIterable<Buffer>);
      } else if (entry.header.type === 'file' && isMetadataPath(name) && (entry.header.size ?? 0) < 1 << 20) {
        const chunks: Buffer[] = [];
        for await (const c of entry) chunks.push(c as Buffer);
        readMetadata(Buffer.concat(chunks).toString('utf8'));
      } else {
        entry.resume();
      }
    }
  } finally {
    input.destroy();
  }
  return result;
}

/** `DIR/data` or `DIR/<one level>/data` holding crates.csv. */
async function findDataDir(dir: string): Promise<string | null> {
  const has = (d: string) =>
    stat(join(d, 'crates.csv')).then(
      (s) => s.isFile(),
      () => false,
    );
  if (await has(join(dir, 'data'))) return join(dir, 'data');
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory() && (await has(join(dir, e.name, 'data')))) return join(dir, e.name, 'data');
  }
  return null;
}

/** True when `source` looks like a database dump rather than an index (peeks at a tarball's entries). */
export async function looksLikeDbDump(source: string): Promise<boolean> {
  const st = await stat(source);
  if (st.isDirectory()) return (await findDataDir(source)) !== null;
  const input: Readable = createReadStream(source);
  const gunzip = createGunzip();
  const extract = tar.extract();
  input.on('error', (e) => extract.destroy(e));
  gunzip.on('error', (e) => extract.destroy(e));
  input.pipe(gunzip).pipe(extract);
  let seen = 0;
  try {
    for await (const entry of extract) {
      if (dumpTableOfPath(entry.header.name) !== null || isMetadataPath(entry.header.name)) return true;
      entry.resume();
      // An index tarball starts with crate files; a dump's first entries are its top files.
      if (++seen > 64) return false;
    }
    return false;
  } catch {
    return false;
  } finally {
    input.destroy();
  }
}
