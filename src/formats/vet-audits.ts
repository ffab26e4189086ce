// cargo-vet's `audits.toml` (`format.rs` `AuditsFile`): `[criteria.*]`, `[[audits.CRATE]]`,
// `[[wildcard-audits.CRATE]]` and `[[trusted.CRATE]]`; read and written as cargo-vet does.
// Keys this reader does not interpret are kept and written back after the known ones.
// `strict` reproduces cargo-vet's own refusals (`deny_unknown_fields` on audit and criteria
// entries); imported files are read entry by entry instead, dropping what does not parse, as
// cargo-vet's `foreign_audit_file_to_local` does.
import { formatVersionReq, parseVersionReq, type VersionReq } from '../domain/version-req.js';
import { isTable, type TomlTableLike } from '../domain/toml-values.js';
import {
  arraysOf,
  compareOptional,
  compareStringLists,
  compareStrings,
  compareVetVersions,
  FieldReader,
  formatVetVersion,
  parseVetToml,
  sortedByKey,
  tableOf,
  VetFormatError,
  type Extra,
  type VetVersion,
} from './vet-common.js';
import {
  nodeFromParsed,
  renderDocument,
  stringOrList,
  table,
  tables,
  value,
  type TomlNode,
} from './vet-toml-writer.js';

export interface CriteriaEntry {
  description?: string;
  descriptionUrl?: string;
  implies: string[];
  aggregatedFrom: string[];
  extra: Extra;
}

export type AuditKind =
  | { type: 'full'; version: VetVersion }
  | { type: 'delta'; from: VetVersion; to: VetVersion }
  | { type: 'violation'; violation: VersionReq };

export interface AuditEntry {
  who: string[];
  criteria: string[];
  kind: AuditKind;
  importable: boolean;
  notes?: string;
  aggregatedFrom: string[];
  extra: Extra;
}

/** `user-id` (a crates.io account) or `trusted-publisher` (`github:owner/repo`). */
export type CratesSource = { userId: bigint } | { trustedPublisher: string };

export interface WildcardEntry {
  who: string[];
  criteria: string[];
  source: CratesSource;
  start: string;
  end: string;
  renew?: boolean;
  notes?: string;
  aggregatedFrom: string[];
  extra: Extra;
}

export interface TrustEntry {
  criteria: string[];
  source: CratesSource;
  start: string;
  end: string;
  notes?: string;
  aggregatedFrom: string[];
  extra: Extra;
}

export interface AuditsFile {
  criteria: [string, CriteriaEntry][];
  wildcardAudits: [string, WildcardEntry[]][];
  audits: [string, AuditEntry[]][];
  trusted: [string, TrustEntry[]][];
  extra: Extra;
}

export interface ReadOptions {
  /** File name used in error messages. */
  file?: string;
  /** Refuse unknown keys where cargo-vet does. */
  strict?: boolean;
}

export const AUDITS_TOML = 'audits.toml';
const KNOWN_TOP = ['criteria', 'wildcard-audits', 'audits', 'trusted'];

export function emptyAuditsFile(): AuditsFile {
  return { criteria: [], wildcardAudits: [], audits: [], trusted: [], extra: [] };
}

export function parseAuditsToml(text: string, opts: ReadOptions = {}): AuditsFile {
  const file = opts.file ?? AUDITS_TOML;
  return auditsFileFromTable(parseVetToml(file, text), file, '', opts.strict ?? false);
}

/** Reads an `AuditsFile` from a parsed table; `prefix` locates it inside imports.lock. */
export function auditsFileFromTable(
  doc: TomlTableLike,
  file: string,
  prefix: string,
  strict: boolean,
): AuditsFile {
  const at = (k: string): string => (prefix === '' ? k : `${prefix}.${k}`);
  if (!Object.hasOwn(doc, 'audits')) throw new VetFormatError(file, prefix, "missing field 'audits'");
  const out = emptyAuditsFile();
  for (const [name, t] of tableOf(file, at('criteria'), doc['criteria'])) {
    out.criteria.push([
      name,
      readCriteriaEntry(new FieldReader(file, `${at('criteria')}.${name}`, t), strict),
    ]);
  }
  for (const [crate, list] of arraysOf(file, at('wildcard-audits'), doc['wildcard-audits'])) {
    out.wildcardAudits.push([
      crate,
      list.map((t, i) =>
        readWildcardEntry(new FieldReader(file, `${at('wildcard-audits')}.${crate}[${i}]`, t)),
      ),
    ]);
  }
  for (const [crate, list] of arraysOf(file, at('audits'), doc['audits'])) {
    out.audits.push([
      crate,
      list.map((t, i) => readAuditEntry(new FieldReader(file, `${at('audits')}.${crate}[${i}]`, t), strict)),
    ]);
  }
  for (const [crate, list] of arraysOf(file, at('trusted'), doc['trusted'])) {
    out.trusted.push([
      crate,
      list.map((t, i) => readTrustEntry(new FieldReader(file, `${at('trusted')}.${crate}[${i}]`, t))),
    ]);
  }
  out.extra = Object.keys(doc)
    .filter((k) => !KNOWN_TOP.includes(k))
    .map((k) => [k, doc[k]]);
  return out;
}

export interface ForeignAuditsResult {
  audits: AuditsFile;
  /** What was dropped, as cargo-vet warns: entry locations and the reason. */
  ignored: string[];
}

/**
 * An imported audits file, read as cargo-vet reads a peer's: an entry that does not parse, or
 * names no criteria the peer defines, is dropped with a note rather than failing the import;
 * unknown criteria are removed from entries and `implies`; non-importable audits are dropped.
 */
export function parseForeignAuditsToml(text: string, file: string): ForeignAuditsResult {
  const doc = parseVetToml(file, text);
  const ignored: string[] = [];
  const out = emptyAuditsFile();
  const attempt = <T>(where: string, read: () => T): T | undefined => {
    try {
      return read();
    } catch (err) {
      if (!(err instanceof VetFormatError)) throw err;
      ignored.push(`${where}: ${err.message}`);
      return undefined;
    }
  };
  const lenientTables = (key: string): [string, unknown][] => {
    const v = doc[key];
    if (!isTable(v)) return [];
    return Object.keys(v).map((k) => [k, v[k]]);
  };
  for (const [name, t] of lenientTables('criteria')) {
    const entry = attempt(`criteria.${name}`, () => {
      if (!isTable(t)) throw new VetFormatError(file, `criteria.${name}`, 'must be a table');
      return readCriteriaEntry(new FieldReader(file, `criteria.${name}`, t), true);
    });
    if (entry) out.criteria.push([name, entry]);
  }
  const valid = new Set(['safe-to-run', 'safe-to-deploy', ...out.criteria.map(([n]) => n)]);
  for (const [, entry] of out.criteria) entry.implies = entry.implies.filter((c) => valid.has(c));
  const keepKnown = <E extends { criteria: string[] }>(where: string, e: E | undefined): E | undefined => {
    if (!e) return undefined;
    e.criteria = e.criteria.filter((c) => valid.has(c));
    if (e.criteria.length === 0) {
      ignored.push(`${where}: names no known criteria`);
      return undefined;
    }
    return e;
  };
  const lenientLists = <E extends { criteria: string[] }>(
    key: string,
    read: (r: FieldReader) => E,
  ): [string, E[]][] => {
    const result: [string, E[]][] = [];
    for (const [crate, list] of lenientTables(key)) {
      if (!Array.isArray(list)) {
        ignored.push(`${key}.${crate}: not an array of tables`);
        continue;
      }
      const entries: E[] = [];
      list.forEach((t, i) => {
        const where = `${key}.${crate}[${i}]`;
        const e = attempt(where, () => {
          if (!isTable(t)) throw new VetFormatError(file, where, 'must be a table');
          return read(new FieldReader(file, where, t));
        });
        const kept = keepKnown(where, e);
        if (kept) entries.push(kept);
      });
      if (entries.length > 0) result.push([crate, entries]);
    }
    return result;
  };
  out.audits = lenientLists('audits', (r) => readAuditEntry(r, true)).map(
    ([crate, list]) => [crate, list.filter((a) => a.importable)] as [string, AuditEntry[]],
  );
  out.audits = out.audits.filter(([, list]) => list.length > 0);
  out.wildcardAudits = lenientLists('wildcard-audits', readWildcardEntry);
  out.trusted = lenientLists('trusted', readTrustEntry);
  return { audits: out, ignored };
}

function readCriteriaEntry(r: FieldReader, strict: boolean): CriteriaEntry {
  const entry: CriteriaEntry = {
    implies: r.stringOrList('implies') ?? [],
    aggregatedFrom: r.stringOrList('aggregated-from') ?? [],
    extra: [],
  };
  const description = r.string('description');
  const descriptionUrl = r.string('description-url');
  if (description !== undefined) entry.description = description;
  if (descriptionUrl !== undefined) entry.descriptionUrl = descriptionUrl;
  if (strict) r.denyUnknown();
  entry.extra = r.extra();
  return entry;
}

function readAuditEntry(r: FieldReader, strict: boolean): AuditEntry {
  const who = r.stringOrList('who') ?? [];
  const criteria = r.stringOrList('criteria') ?? [];
  const version = r.string('version');
  const delta = r.string('delta');
  const violation = r.string('violation');
  const importable = r.bool('importable');
  const notes = r.string('notes');
  const aggregatedFrom = r.stringOrList('aggregated-from') ?? [];
  if (strict) r.denyUnknown();
  const count = Number(version !== undefined) + Number(delta !== undefined) + Number(violation !== undefined);
  if (count !== 1) r.fail("audit entries must have exactly one of 'version', 'delta', and 'violation'");
  let kind: AuditKind;
  if (version !== undefined) {
    kind = { type: 'full', version: r.parseVersionText('version', version) };
  } else if (delta !== undefined) {
    const arrow = delta.indexOf('->');
    if (arrow < 0) r.fail("'delta' must be a delta of the form 'VERSION -> VERSION'");
    kind = {
      type: 'delta',
      from: r.parseVersionText('delta', delta.slice(0, arrow).trim()),
      to: r.parseVersionText('delta', delta.slice(arrow + 2).trim()),
    };
  } else {
    try {
      kind = { type: 'violation', violation: parseVersionReq(violation as string) };
    } catch (err) {
      r.fail(`'violation' is not a valid version requirement ('${violation}'): ${(err as Error).message}`);
    }
  }
  const entry: AuditEntry = {
    who,
    criteria,
    kind,
    importable: importable ?? true,
    aggregatedFrom,
    extra: r.extra(),
  };
  if (notes !== undefined) entry.notes = notes;
  return entry;
}

export function readCratesSource(r: FieldReader): CratesSource {
  const userId = r.userId('user-id');
  const trustedPublisher = r.string('trusted-publisher');
  if (userId !== undefined && trustedPublisher !== undefined)
    r.fail("set only one of 'user-id' and 'trusted-publisher'");
  if (userId !== undefined) return { userId };
  if (trustedPublisher !== undefined) return { trustedPublisher };
  return r.fail("missing 'user-id' or 'trusted-publisher'");
}

function readWildcardEntry(r: FieldReader): WildcardEntry {
  const who = r.stringOrList('who') ?? [];
  const criteria = r.stringOrList('criteria');
  if (criteria === undefined) r.fail("missing field 'criteria'");
  const source = readCratesSource(r);
  const entry: WildcardEntry = {
    who,
    criteria,
    source,
    start: r.requiredDate('start'),
    end: r.requiredDate('end'),
    aggregatedFrom: [],
    extra: [],
  };
  const renew = r.bool('renew');
  const notes = r.string('notes');
  if (renew !== undefined) entry.renew = renew;
  if (notes !== undefined) entry.notes = notes;
  entry.aggregatedFrom = r.stringOrList('aggregated-from') ?? [];
  entry.extra = r.extra();
  return entry;
}

function readTrustEntry(r: FieldReader): TrustEntry {
  const criteria = r.stringOrList('criteria');
  if (criteria === undefined) r.fail("missing field 'criteria'");
  const source = readCratesSource(r);
  const entry: TrustEntry = {
    criteria,
    source,
    start: r.requiredDate('start'),
    end: r.requiredDate('end'),
    aggregatedFrom: [],
    extra: [],
  };
  const notes = r.string('notes');
  if (notes !== undefined) entry.notes = notes;
  entry.aggregatedFrom = r.stringOrList('aggregated-from') ?? [];
  entry.extra = r.extra();
  return entry;
}

// ---- writing ----

/** `crates.io user id -> "Name (login)"`, for the comment cargo-vet puts after `user-id`. */
export type UserInfo = Map<bigint, string>;

export interface WriteOptions {
  /** Sort crates and entries as cargo-vet's `tidy()` does before writing (default true). */
  tidy?: boolean;
  users?: UserInfo;
}

const AUDITS_HEADING = '\n# cargo-vet audits file\n';

export function writeAuditsToml(file: AuditsFile, opts: WriteOptions = {}): string {
  return AUDITS_HEADING + renderDocument(auditsFileNodes(file, opts));
}

/** The file's sections as document entries, also used for imports.lock's `[audits.NAME]`. */
export function auditsFileNodes(file: AuditsFile, opts: WriteOptions): [string, TomlNode][] {
  const tidy = opts.tidy ?? true;
  const users = opts.users;
  const out: [string, TomlNode][] = [];
  const crit = tidy ? sortedByKey(file.criteria) : file.criteria;
  if (crit.length > 0) out.push(['criteria', table(crit.map(([n, e]) => [n, table(criteriaNodes(e))]))]);
  const lists = <E>(
    entries: [string, E[]][],
    cmp: (a: E, b: E) => number,
    nodes: (e: E) => [string, TomlNode][],
  ): [string, TomlNode][] => {
    let rows = entries;
    if (tidy)
      rows = sortedByKey(entries.filter(([, l]) => l.length > 0)).map(([k, l]) => [k, [...l].sort(cmp)]);
    // An empty list survives only untidied (cargo-vet's `aggregate`), written as `crate = []`.
    return rows.map(([k, l]) => [k, l.length === 0 ? value([]) : tables(l.map(nodes))]);
  };
  const wild = lists(file.wildcardAudits, compareWildcardEntries, (e) => wildcardNodes(e, users));
  if (wild.length > 0) out.push(['wildcard-audits', table(orderValuesFirst(wild))]);
  out.push(['audits', table(orderValuesFirst(lists(file.audits, compareAuditEntries, auditNodes)))]);
  const trusted = lists(file.trusted, compareTrustEntries, (e) => trustNodes(e, users));
  if (trusted.length > 0) out.push(['trusted', table(orderValuesFirst(trusted))]);
  for (const [k, v] of file.extra) out.push([k, nodeFromParsed(k, v)]);
  return out;
}

/** TOML needs a table's plain values before its sub-tables; toml_edit writes them so. */
export function orderValuesFirst(entries: [string, TomlNode][]): [string, TomlNode][] {
  return [...entries.filter(([, n]) => n.kind === 'value'), ...entries.filter(([, n]) => n.kind !== 'value')];
}

function extraNodes(extra: Extra): [string, TomlNode][] {
  return extra.map(([k, v]) => [k, nodeFromParsed(k, v)]);
}

function criteriaNodes(e: CriteriaEntry): [string, TomlNode][] {
  const out: [string, TomlNode][] = [];
  if (e.description !== undefined) out.push(['description', value(e.description)]);
  if (e.descriptionUrl !== undefined) out.push(['description-url', value(e.descriptionUrl)]);
  if (e.implies.length > 0) out.push(['implies', stringOrList(e.implies)]);
  if (e.aggregatedFrom.length > 0) out.push(['aggregated-from', stringOrList(e.aggregatedFrom)]);
  return orderValuesFirst([...out, ...extraNodes(e.extra)]);
}

export function formatAuditKindFields(kind: AuditKind): {
  version?: string;
  delta?: string;
  violation?: string;
} {
  if (kind.type === 'full') return { version: formatVetVersion(kind.version) };
  if (kind.type === 'delta')
    return { delta: `${formatVetVersion(kind.from)} -> ${formatVetVersion(kind.to)}` };
  return { violation: formatVersionReq(kind.violation) };
}

function auditNodes(e: AuditEntry): [string, TomlNode][] {
  const out: [string, TomlNode][] = [];
  if (e.who.length > 0) out.push(['who', stringOrList(e.who)]);
  out.push(['criteria', stringOrList(e.criteria)]);
  const k = formatAuditKindFields(e.kind);
  if (k.version !== undefined) out.push(['version', value(k.version)]);
  if (k.delta !== undefined) out.push(['delta', value(k.delta)]);
  if (k.violation !== undefined) out.push(['violation', value(k.violation)]);
  if (!e.importable) out.push(['importable', value(false)]);
  if (e.notes !== undefined) out.push(['notes', value(e.notes)]);
  if (e.aggregatedFrom.length > 0) out.push(['aggregated-from', stringOrList(e.aggregatedFrom)]);
  return orderValuesFirst([...out, ...extraNodes(e.extra)]);
}

function sourceNodes(s: CratesSource, users: UserInfo | undefined): [string, TomlNode][] {
  if ('userId' in s) return [['user-id', value(s.userId, users?.get(s.userId))]];
  return [['trusted-publisher', value(s.trustedPublisher)]];
}

function wildcardNodes(e: WildcardEntry, users: UserInfo | undefined): [string, TomlNode][] {
  const out: [string, TomlNode][] = [];
  if (e.who.length > 0) out.push(['who', stringOrList(e.who)]);
  out.push(['criteria', stringOrList(e.criteria)]);
  out.push(...sourceNodes(e.source, users));
  out.push(['start', value(e.start)], ['end', value(e.end)]);
  if (e.renew !== undefined) out.push(['renew', value(e.renew)]);
  if (e.notes !== undefined) out.push(['notes', value(e.notes)]);
  if (e.aggregatedFrom.length > 0) out.push(['aggregated-from', stringOrList(e.aggregatedFrom)]);
  return orderValuesFirst([...out, ...extraNodes(e.extra)]);
}

function trustNodes(e: TrustEntry, users: UserInfo | undefined): [string, TomlNode][] {
  const out: [string, TomlNode][] = [['criteria', stringOrList(e.criteria)], ...sourceNodes(e.source, users)];
  out.push(['start', value(e.start)], ['end', value(e.end)]);
  if (e.notes !== undefined) out.push(['notes', value(e.notes)]);
  if (e.aggregatedFrom.length > 0) out.push(['aggregated-from', stringOrList(e.aggregatedFrom)]);
  return orderValuesFirst([...out, ...extraNodes(e.extra)]);
}

// ---- cargo-vet's derived orders, used by tidy() ----

function kindRank(k: AuditKind): number {
  return k.type === 'full' ? 0 : k.type === 'delta' ? 1 : 2;
}

export function compareAuditKinds(a: AuditKind, b: AuditKind): number {
  const r = kindRank(a) - kindRank(b);
  if (r !== 0) return r;
  if (a.type === 'full' && b.type === 'full') return compareVetVersions(a.version, b.version);
  if (a.type === 'delta' && b.type === 'delta') {
    return compareVetVersions(a.from, b.from) || compareVetVersions(a.to, b.to);
  }
  if (a.type === 'violation' && b.type === 'violation') {
    // cargo-vet orders VersionReq by its text.
    return compareStrings(formatVersionReq(a.violation), formatVersionReq(b.violation));
  }
  return 0;
}

export function compareAuditEntries(a: AuditEntry, b: AuditEntry): number {
  return (
    compareAuditKinds(a.kind, b.kind) ||
    compareStringLists(a.criteria, b.criteria) ||
    compareStringLists(a.who, b.who) ||
    compareOptional(a.notes, b.notes, compareStrings)
  );
}

export function compareSources(a: CratesSource, b: CratesSource): number {
  const ra = 'userId' in a ? 0 : 1;
  const rb = 'userId' in b ? 0 : 1;
  if (ra !== rb) return ra - rb;
  if ('userId' in a && 'userId' in b) return a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0;
  return compareStrings(
    (a as { trustedPublisher: string }).trustedPublisher,
    (b as { trustedPublisher: string }).trustedPublisher,
  );
}

export function sameSource(a: CratesSource, b: CratesSource): boolean {
  return compareSources(a, b) === 0;
}

function compareBools(a: boolean, b: boolean): number {
  return Number(a) - Number(b);
}

function compareWildcardEntries(a: WildcardEntry, b: WildcardEntry): number {
  return (
    compareStringLists(a.who, b.who) ||
    compareStringLists(a.criteria, b.criteria) ||
    compareSources(a.source, b.source) ||
    compareStrings(a.start, b.start) ||
    compareStrings(a.end, b.end) ||
    compareOptional(a.renew, b.renew, compareBools) ||
    compareOptional(a.notes, b.notes, compareStrings) ||
    compareStringLists(a.aggregatedFrom, b.aggregatedFrom)
  );
}

function compareTrustEntries(a: TrustEntry, b: TrustEntry): number {
  return (
    compareStringLists(a.criteria, b.criteria) ||
    compareSources(a.source, b.source) ||
    compareStrings(a.start, b.start) ||
    compareStrings(a.end, b.end) ||
    compareOptional(a.notes, b.notes, compareStrings) ||
    compareStringLists(a.aggregatedFrom, b.aggregatedFrom)
  );
}

/** The entries for one crate, or an empty list. */
export function entriesFor<E>(map: [string, E[]][], crate: string): E[] {
  for (const [k, v] of map) if (k === crate) return v;
  return [];
}
