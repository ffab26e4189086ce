// cargo-vet's `config.toml` (`format.rs` `ConfigFile`): `[cargo-vet] version`,
// `default-criteria`, `[imports.*]`, `[policy.*]` (keyed `crate` or `crate:version`) and
// `[[exemptions.*]]` (also read under its old name `unaudited`). Read and written as cargo-vet
// does; keys not interpreted here are kept and written back.
import type { TomlTableLike } from '../domain/toml-values.js';
import { orderValuesFirst, type WriteOptions } from './vet-audits.js';
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
  fitsInline,
  nodeFromParsed,
  renderDocument,
  stringOrList,
  table,
  tables,
  value,
  type TomlNode,
} from './vet-toml-writer.js';

export interface StoreVersion {
  major: number;
  minor: number;
}

export interface RemoteImport {
  url: string[];
  exclude: string[];
  /** `their-criteria = ours | [ours…]` */
  criteriaMap: [string, string[]][];
  extra: Extra;
}

export interface PolicyEntry {
  auditAsCratesIo?: boolean;
  criteria?: string[];
  devCriteria?: string[];
  dependencyCriteria: [string, string[]][];
  notes?: string;
  extra: Extra;
}

export interface PolicyRow {
  crate: string;
  /** Set for `[policy."crate:version"]`. */
  version?: VetVersion;
  entry: PolicyEntry;
}

export interface ExemptedDependency {
  version: VetVersion;
  criteria: string[];
  suggest: boolean;
  notes?: string;
  extra: Extra;
}

export interface ConfigFile {
  /** Absent when the file has no `[cargo-vet]` table (cargo-vet then assumes 0.4). */
  cargoVet?: { version: StoreVersion; extra: Extra };
  /** Absent means `safe-to-deploy`. */
  defaultCriteria?: string;
  imports: [string, RemoteImport][];
  policy: PolicyRow[];
  exemptions: [string, ExemptedDependency[]][];
  extra: Extra;
}

export const CONFIG_TOML = 'config.toml';
export const DEFAULT_CRITERIA = 'safe-to-deploy';
export const DEFAULT_POLICY_CRITERIA = 'safe-to-deploy';
export const DEFAULT_POLICY_DEV_CRITERIA = 'safe-to-run';
/** The store version cargo-vet 0.10 writes and this reader follows. */
export const CURRENT_STORE_VERSION: StoreVersion = { major: 0, minor: 10 };
const KNOWN_TOP = ['cargo-vet', 'default-criteria', 'imports', 'policy', 'exemptions', 'unaudited'];

export function parseConfigToml(text: string, opts: { file?: string } = {}): ConfigFile {
  const file = opts.file ?? CONFIG_TOML;
  const doc = parseVetToml(file, text);
  const top = new FieldReader(file, '', doc);
  const out: ConfigFile = { imports: [], policy: [], exemptions: [], extra: [] };
  const cv = top.raw('cargo-vet');
  if (cv !== undefined) {
    const [[, t]] = tableOf(file, '', { 'cargo-vet': cv }) as [[string, TomlTableLike]];
    const r = new FieldReader(file, 'cargo-vet', t);
    out.cargoVet = { version: parseStoreVersion(r, r.requiredString('version')), extra: [] };
    out.cargoVet.extra = r.extra();
  }
  const dc = top.string('default-criteria');
  if (dc !== undefined) out.defaultCriteria = dc;
  for (const [name, t] of tableOf(file, 'imports', top.raw('imports'))) {
    out.imports.push([name, readImport(new FieldReader(file, `imports.${name}`, t))]);
  }
  const unversioned = new Set<string>();
  const versioned = new Set<string>();
  for (const [key, t] of tableOf(file, 'policy', top.raw('policy'))) {
    const r = new FieldReader(file, `policy.${key}`, t);
    const colon = key.indexOf(':');
    const row: PolicyRow = { crate: colon < 0 ? key : key.slice(0, colon), entry: readPolicy(r) };
    if (colon >= 0) row.version = r.parseVersionText('policy key', key.slice(colon + 1));
    const mixed = colon < 0 ? versioned.has(row.crate) : unversioned.has(row.crate);
    if (mixed) r.fail(`cannot mix versioned and unversioned policies for ${row.crate}`);
    (colon < 0 ? unversioned : versioned).add(row.crate);
    out.policy.push(row);
  }
  const exemptionsKey = top.has('exemptions') ? 'exemptions' : 'unaudited';
  if (top.has('exemptions') && top.has('unaudited'))
    top.fail("both 'exemptions' and its alias 'unaudited' are set");
  for (const [crate, list] of arraysOf(file, exemptionsKey, top.raw(exemptionsKey))) {
    out.exemptions.push([
      crate,
      list.map((t, i) => readExemption(new FieldReader(file, `${exemptionsKey}.${crate}[${i}]`, t))),
    ]);
  }
  out.extra = Object.keys(doc)
    .filter((k) => !KNOWN_TOP.includes(k))
    .map((k) => [k, doc[k]]);
  return out;
}

function parseStoreVersion(r: FieldReader, s: string): StoreVersion {
  const m = /^\+?(\d{1,15})\.\+?(\d{1,15})$/.exec(s);
  if (!m) r.fail(`'version' must be a store version like "0.10", found '${s}'`);
  return { major: Number(m[1]), minor: Number(m[2]) };
}

export function compareStoreVersions(a: StoreVersion, b: StoreVersion): number {
  return a.major - b.major || a.minor - b.minor;
}

function readImport(r: FieldReader): RemoteImport {
  const url = r.stringOrList('url');
  if (url === undefined) r.fail("missing field 'url'");
  const imp: RemoteImport = {
    url,
    exclude: r.stringList('exclude') ?? [],
    criteriaMap: r.criteriaMap('criteria-map') ?? [],
    extra: [],
  };
  imp.extra = r.extra();
  return imp;
}

function readPolicy(r: FieldReader): PolicyEntry {
  const e: PolicyEntry = { dependencyCriteria: [], extra: [] };
  const aaci = r.bool('audit-as-crates-io');
  if (aaci !== undefined) e.auditAsCratesIo = aaci;
  const c = r.stringOrList('criteria');
  if (c !== undefined) e.criteria = c;
  const dc = r.stringOrList('dev-criteria');
  if (dc !== undefined) e.devCriteria = dc;
  e.dependencyCriteria = r.criteriaMap('dependency-criteria') ?? [];
  const notes = r.string('notes');
  if (notes !== undefined) e.notes = notes;
  e.extra = r.extra();
  return e;
}

function readExemption(r: FieldReader): ExemptedDependency {
  const version = r.version('version');
  if (version === undefined) r.fail("missing field 'version'");
  const e: ExemptedDependency = {
    version,
    criteria: r.stringOrList('criteria') ?? [],
    suggest: r.bool('suggest') ?? true,
    extra: [],
  };
  const notes = r.string('notes');
  if (notes !== undefined) e.notes = notes;
  e.extra = r.extra();
  return e;
}

/** The policy for one package version: an unversioned entry, or the one for that version. */
export function policyFor(config: ConfigFile, crate: string, version: VetVersion): PolicyEntry | undefined {
  for (const row of config.policy) {
    if (row.crate !== crate) continue;
    if (row.version === undefined || compareVetVersions(row.version, version) === 0) return row.entry;
  }
  return undefined;
}

export function policyKey(row: PolicyRow): string {
  return row.version === undefined ? row.crate : `${row.crate}:${formatVetVersion(row.version)}`;
}

// ---- writing ----

const CONFIG_HEADING = '\n# cargo-vet config file\n';

export function writeConfigToml(config: ConfigFile, opts: WriteOptions = {}): string {
  const tidy = opts.tidy ?? true;
  const out: [string, TomlNode][] = [];
  const version = config.cargoVet?.version ?? CURRENT_STORE_VERSION;
  out.push([
    'cargo-vet',
    table(
      orderValuesFirst([
        ['version', value(`${version.major}.${version.minor}`)],
        ...extraNodes(config.cargoVet?.extra ?? []),
      ]),
    ),
  ]);
  if (config.defaultCriteria !== undefined && config.defaultCriteria !== DEFAULT_CRITERIA) {
    out.push(['default-criteria', value(config.defaultCriteria)]);
  }
  const imports = tidy ? sortedByKey(config.imports) : config.imports;
  if (imports.length > 0)
    out.push(['imports', table(imports.map(([n, imp]) => [n, table(importNodes(imp, tidy))]))]);
  let policy: [string, PolicyEntry][] = config.policy.map((row) => [policyKey(row), row.entry]);
  if (tidy) policy = sortedByKey(policy);
  if (policy.length > 0)
    out.push(['policy', table(policy.map(([k, e]) => [k, table(policyNodes(e, tidy))]))]);
  let exemptions = config.exemptions;
  if (tidy) {
    exemptions = sortedByKey(exemptions.filter(([, l]) => l.length > 0)).map(([k, l]) => [
      k,
      [...l].sort(compareExemptions),
    ]);
  }
  exemptions = exemptions.filter(([, l]) => l.length > 0);
  if (exemptions.length > 0)
    out.push(['exemptions', table(exemptions.map(([k, l]) => [k, tables(l.map(exemptionNodes))]))]);
  for (const [k, v] of config.extra) out.push([k, nodeFromParsed(k, v)]);
  return CONFIG_HEADING + renderDocument(out);
}

function extraNodes(extra: Extra): [string, TomlNode][] {
  return extra.map(([k, v]) => [k, nodeFromParsed(k, v)]);
}

function criteriaMapNodes(map: [string, string[]][], tidy: boolean): [string, TomlNode][] {
  const rows = tidy ? sortedByKey(map) : map;
  return rows.map(([k, v]) => [k, stringOrList(v)]);
}

function importNodes(imp: RemoteImport, tidy: boolean): [string, TomlNode][] {
  const out: [string, TomlNode][] = [['url', stringOrList(imp.url)]];
  if (imp.exclude.length > 0) out.push(['exclude', value(imp.exclude.map((s) => value(s)))]);
  if (imp.criteriaMap.length > 0) out.push(['criteria-map', table(criteriaMapNodes(imp.criteriaMap, tidy))]);
  return orderValuesFirst([...out, ...extraNodes(imp.extra)]);
}

function policyNodes(e: PolicyEntry, tidy: boolean): [string, TomlNode][] {
  const out: [string, TomlNode][] = [];
  if (e.auditAsCratesIo !== undefined) out.push(['audit-as-crates-io', value(e.auditAsCratesIo)]);
  if (e.criteria !== undefined) out.push(['criteria', stringOrList(e.criteria)]);
  if (e.devCriteria !== undefined) out.push(['dev-criteria', stringOrList(e.devCriteria)]);
  if (e.dependencyCriteria.length > 0) {
    const entries = criteriaMapNodes(e.dependencyCriteria, tidy);
    out.push([
      'dependency-criteria',
      fitsInline('dependency-criteria', entries) ? value({ inline: entries }) : table(entries),
    ]);
  }
  if (e.notes !== undefined) out.push(['notes', value(e.notes)]);
  return orderValuesFirst([...out, ...extraNodes(e.extra)]);
}

function exemptionNodes(e: ExemptedDependency): [string, TomlNode][] {
  const out: [string, TomlNode][] = [
    ['version', value(formatVetVersion(e.version))],
    ['criteria', stringOrList(e.criteria)],
  ];
  if (!e.suggest) out.push(['suggest', value(false)]);
  if (e.notes !== undefined) out.push(['notes', value(e.notes)]);
  return orderValuesFirst([...out, ...extraNodes(e.extra)]);
}

function compareExemptions(a: ExemptedDependency, b: ExemptedDependency): number {
  return (
    compareVetVersions(a.version, b.version) ||
    compareStringLists(a.criteria, b.criteria) ||
    Number(a.suggest) - Number(b.suggest) ||
    compareOptional(a.notes, b.notes, compareStrings)
  );
}

export { VetFormatError };
