// The supply-chain store as `cargo vet check` acquires it (`storage.rs` `Store::acquire`):
// config.toml, audits.toml and imports.lock parsed and validated; with `--locked` the imported
// audits come from imports.lock (which must match config.toml's imports), otherwise from the
// fetched peer files, mapped into local criteria names, with entries imports.lock lacks marked
// fresh. No IO here: the caller passes file texts and fetched documents.
import {
  parseAuditsToml,
  parseForeignAuditsToml,
  writeAuditsToml,
  type AuditEntry,
  type AuditsFile,
  type WildcardEntry,
} from '../../formats/vet-audits.js';
import {
  compareStringLists,
  compareVetVersions,
  formatVetVersion,
  parseVetVersion,
  VetFormatError,
} from '../../formats/vet-common.js';
import {
  compareStoreVersions,
  CURRENT_STORE_VERSION,
  parseConfigToml,
  writeConfigToml,
  type ConfigFile,
} from '../../formats/vet-config.js';
import {
  emptyImportsFile,
  parseImportsLock,
  userInfoFromImports,
  writeImportsLock,
  type ImportsFile,
} from '../../formats/vet-imports-lock.js';
import { CriteriaError, CriteriaMapper, mapForeignCriteria } from './criteria.js';
import { compareAuditKinds } from '../../formats/vet-audits.js';
import {
  publisherRecords,
  type ImportedAudits,
  type PublisherInfo,
  type PublisherRecord,
  type VetStore,
} from './resolver.js';

export class StoreError extends Error {
  override name = 'StoreError';
}

export interface StoreTexts {
  config: string;
  audits: string;
  /** Absent when the store has no imports.lock yet. */
  imports?: string;
}

export interface FetchedImport {
  url: string;
  text: string;
}

export interface LoadOptions {
  locked: boolean;
  /** Each configured import's documents, fetched by the caller (unlocked runs). */
  fetched?: Map<string, FetchedImport[]>;
  /**
   * Live publisher records (a crates.io-shaped API), for unlocked runs: they replace
   * imports.lock's records of the same crate, as cargo-vet's fetched data does.
   */
  publishers?: readonly PublisherInfo[];
  /** Today (UTC, `YYYY-MM-DD`), for the one-year limit on wildcard `end` dates. */
  today?: string;
}

export interface LoadedStore {
  store: VetStore;
  config: ConfigFile;
  audits: AuditsFile;
  imports: ImportsFile;
  warnings: string[];
}

export function loadStore(texts: StoreTexts, opts: LoadOptions): LoadedStore {
  const warnings: string[] = [];
  const config = parseConfigToml(texts.config);
  const version = config.cargoVet?.version ?? { major: 0, minor: 4 };
  if (compareStoreVersions(version, CURRENT_STORE_VERSION) > 0) {
    throw new StoreError(
      `config.toml: the store was written by a newer cargo-vet (store version ${version.major}.${version.minor}; this understands ${CURRENT_STORE_VERSION.major}.${CURRENT_STORE_VERSION.minor})`,
    );
  }
  if (compareStoreVersions(version, CURRENT_STORE_VERSION) < 0 && opts.locked) {
    throw new StoreError(
      `config.toml: the store is outdated (store version ${version.major}.${version.minor}); run without --locked to update it, as cargo-vet requires`,
    );
  }
  const audits = parseAuditsToml(texts.audits, { strict: true });
  const imports =
    texts.imports === undefined ? emptyImportsFile() : parseImportsLock(texts.imports, { strict: true });
  let mapper: CriteriaMapper;
  try {
    mapper = new CriteriaMapper(audits.criteria);
  } catch (err) {
    if (err instanceof CriteriaError) throw new StoreError(`audits.toml: ${err.message}`);
    throw err;
  }
  validate(config, audits, mapper, opts.today);

  if (opts.locked) {
    checkFormatting(texts, config, audits, imports, warnings);
    const configured = config.imports.map(([n]) => n).sort();
    const locked = imports.audits.map(([n]) => n).sort();
    if (compareStringLists(configured, locked) !== 0) {
      throw new StoreError(
        "imports.lock is out of date with config.toml's imports; run without --locked to update it",
      );
    }
    for (const [name, imp] of config.imports) {
      const lockedAudits = imports.audits.find(([n]) => n === name)![1];
      if (imp.exclude.some((c) => lockedAudits.audits.some(([k]) => k === c))) {
        throw new StoreError(
          `imports.lock is out of date: it holds audits of crates import '${name}' excludes`,
        );
      }
    }
  }

  const imported: ImportedAudits[] = [];
  for (const [name, imp] of config.imports) {
    const lockedAudits = imports.audits.find(([n]) => n === name)?.[1];
    if (opts.locked) {
      imported.push({
        name,
        audits: dropUnknownCriteria(lockedAudits!, mapper, `imports.lock: audits.${name}`, warnings),
        fresh: new WeakSet(),
      });
      continue;
    }
    const docs = opts.fetched?.get(name);
    if (docs === undefined) throw new StoreError(`import '${name}' was not fetched`);
    const merged: AuditsFile = { criteria: [], wildcardAudits: [], audits: [], trusted: [], extra: [] };
    for (const doc of docs) {
      const { audits: foreign, ignored } = parseForeignAuditsToml(doc.text, `${name} (${doc.url})`);
      if (ignored.length > 0)
        warnings.push(
          `ignored ${ignored.length} entries of import '${name}' (${doc.url}) that cargo-vet could not read either: ${ignored.slice(0, 3).join('; ')}`,
        );
      const exclude = new Set(imp.exclude);
      foreign.audits = foreign.audits.filter(([crate]) => !exclude.has(crate));
      let toLocal: (c: readonly string[]) => string[];
      try {
        toLocal = mapForeignCriteria(foreign.criteria, imp.criteriaMap, mapper);
      } catch (err) {
        throw new StoreError(`import '${name}' (${doc.url}): ${(err as Error).message}`);
      }
      for (const [, list] of foreign.audits) for (const e of list) e.criteria = toLocal(e.criteria);
      for (const [, list] of foreign.wildcardAudits) for (const e of list) e.criteria = toLocal(e.criteria);
      for (const [, list] of foreign.trusted) for (const e of list) e.criteria = toLocal(e.criteria);
      mergeLists(merged.audits, foreign.audits);
      mergeLists(merged.wildcardAudits, foreign.wildcardAudits);
      mergeLists(merged.trusted, foreign.trusted);
      merged.criteria.push(...foreign.criteria.filter(([n]) => imp.criteriaMap.some(([m]) => m === n)));
    }
    const fresh = new WeakSet<object>();
    for (const [crate, list] of merged.audits) {
      const old = lockedAudits?.audits.find(([k]) => k === crate)?.[1] ?? [];
      for (const e of list) if (!old.some((o) => sameAudit(o, e))) fresh.add(e);
    }
    for (const [crate, list] of merged.wildcardAudits) {
      const old = lockedAudits?.wildcardAudits.find(([k]) => k === crate)?.[1] ?? [];
      for (const e of list) if (!old.some((o) => sameWildcard(o, e))) fresh.add(e);
    }
    imported.push({ name, audits: merged, fresh });
  }

  const publishers = new Map<string, PublisherRecord[]>();
  for (const [crate, list] of imports.publisher) {
    publishers.set(
      crate,
      list.map((p) => ({ version: p.version, when: p.when, source: p.source, fresh: false })),
    );
  }
  const unpublished = new Map(
    imports.unpublished.map(([crate, list]) => [
      crate,
      list.map((u) => ({ version: u.version, auditedAs: u.auditedAs, fresh: false })),
    ]),
  );
  const store: VetStore = { config, audits, imports: imported, publishers, unpublished };
  applyLivePublishers(store, opts.publishers ?? []);
  return { store, config, audits, imports, warnings };
}

/**
 * Live publisher records (cargo-vet's `import_publisher_versions`): they replace the crate's
 * records from imports.lock; versions imports.lock did not hold are fresh.
 */
export function applyLivePublishers(store: VetStore, infos: readonly PublisherInfo[]): void {
  let live: Map<string, PublisherRecord[]>;
  try {
    live = publisherRecords(infos, parseVetVersion);
  } catch (err) {
    throw new StoreError(`publisher data: ${(err as Error).message}`);
  }
  for (const [crate, list] of live) {
    const cached = store.publishers.get(crate) ?? [];
    for (const p of list)
      p.fresh = !cached.some((k) => !k.fresh && compareVetVersions(k.version, p.version) === 0);
    store.publishers.set(crate, list);
  }
}

/** The crates cargo-vet fetches publishers of: those with wildcard, trusted or cached publisher entries. */
export function publisherCrates(store: VetStore): Set<string> {
  const out = new Set<string>();
  for (const [k] of store.audits.wildcardAudits) out.add(k);
  for (const [k] of store.audits.trusted) out.add(k);
  for (const imp of store.imports) for (const [k] of imp.audits.wildcardAudits) out.add(k);
  for (const k of store.publishers.keys()) out.add(k);
  return out;
}

function mergeLists<E>(into: [string, E[]][], from: [string, E[]][]): void {
  for (const [k, list] of from) {
    const row = into.find(([n]) => n === k);
    if (row) row[1].push(...list);
    else into.push([k, [...list]]);
  }
}

/** cargo-vet's `same_audit_as`: who and notes may change without making an audit new. */
function sameAudit(a: AuditEntry, b: AuditEntry): boolean {
  return compareAuditKinds(a.kind, b.kind) === 0 && compareStringLists(a.criteria, b.criteria) === 0;
}

function sameWildcard(a: WildcardEntry, b: WildcardEntry): boolean {
  const src = (e: WildcardEntry): string =>
    'userId' in e.source ? `u${e.source.userId}` : `t${e.source.trustedPublisher}`;
  return (
    src(a) === src(b) &&
    a.start === b.start &&
    a.end === b.end &&
    compareStringLists(a.criteria, b.criteria) === 0
  );
}

function dropUnknownCriteria(
  file: AuditsFile,
  mapper: CriteriaMapper,
  where: string,
  warnings: string[],
): AuditsFile {
  let dropped = 0;
  const keep = (c: string[]): string[] => {
    const k = c.filter((n) => mapper.has(n));
    dropped += c.length - k.length;
    return k;
  };
  for (const [, list] of file.audits) for (const e of list) e.criteria = keep(e.criteria);
  for (const [, list] of file.wildcardAudits) for (const e of list) e.criteria = keep(e.criteria);
  for (const [, list] of file.trusted) for (const e of list) e.criteria = keep(e.criteria);
  if (dropped > 0)
    warnings.push(`${where}: ignored ${dropped} criteria names that audits.toml does not define`);
  return file;
}

function validate(
  config: ConfigFile,
  audits: AuditsFile,
  mapper: CriteriaMapper,
  today: string | undefined,
): void {
  const check = (file: string, entry: string, names: readonly string[]): void => {
    for (const n of names) {
      if (!mapper.has(n)) {
        throw new VetFormatError(file, entry, `invalid criteria '${n}' (known: ${mapper.names.join(', ')})`);
      }
    }
  };
  for (const [crate, list] of config.exemptions)
    list.forEach((e, i) => check('config.toml', `exemptions.${crate}[${i}]`, e.criteria));
  for (const row of config.policy) {
    const where = `policy.${row.version === undefined ? row.crate : `${row.crate}:${formatVetVersion(row.version)}`}`;
    check('config.toml', where, row.entry.criteria ?? []);
    check('config.toml', where, row.entry.devCriteria ?? []);
    for (const [dep, c] of row.entry.dependencyCriteria)
      check('config.toml', `${where}.dependency-criteria.${dep}`, c);
  }
  for (const [crate, list] of config.imports)
    for (const [theirs, ours] of list.criteriaMap)
      check('config.toml', `imports.${crate}.criteria-map.${theirs}`, ours);
  for (const [crate, list] of audits.audits)
    list.forEach((e, i) => check('audits.toml', `audits.${crate}[${i}]`, e.criteria));
  for (const [crate, list] of audits.trusted)
    list.forEach((e, i) => check('audits.toml', `trusted.${crate}[${i}]`, e.criteria));
  const maxEnd = today === undefined ? undefined : addMonths(today, 12);
  for (const [crate, list] of audits.wildcardAudits) {
    list.forEach((e, i) => {
      check('audits.toml', `wildcard-audits.${crate}[${i}]`, e.criteria);
      if (maxEnd !== undefined && e.end > maxEnd) {
        throw new VetFormatError(
          'audits.toml',
          `wildcard-audits.${crate}[${i}]`,
          `'end' date ${e.end} is more than a year away (at most ${maxEnd})`,
        );
      }
    });
  }
}

/** chrono's `date + Months(n)`: the same day n months on, clamped to the month's end. */
export function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = (total % 12) + 1;
  const last = new Date(Date.UTC(ny, nm, 0)).getUTCDate();
  return `${String(ny).padStart(4, '0')}-${String(nm).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** cargo-vet refuses, when locked, files not in its own layout; here that is a warning. */
function checkFormatting(
  texts: StoreTexts,
  config: ConfigFile,
  audits: AuditsFile,
  imports: ImportsFile,
  warnings: string[],
): void {
  const users = userInfoFromImports(imports);
  const pairs: [string, string | undefined, string][] = [
    ['config.toml', texts.config, writeConfigToml(config)],
    ['audits.toml', texts.audits, writeAuditsToml(audits, { users })],
    ['imports.lock', texts.imports, writeImportsLock(imports)],
  ];
  for (const [name, old, canonical] of pairs) {
    if (old !== undefined && old.trimEnd() !== canonical.trimEnd()) {
      warnings.push(
        `${name} is not in cargo-vet's canonical layout (cargo vet --locked would refuse it; \`cargo vet fmt\` rewrites it)`,
      );
    }
  }
}
