// OSV JSON for crates.io advisories: what advisory-db's `osv` branch exports (rustsec
// `osv/advisory.rs`) and what osv.dev serves for the crates.io ecosystem (RUSTSEC and GHSA
// entries). Reading turns SEMVER events into AffectedRange directly; writing produces
// rustsec's export shape.
import { SemverError, compareVersions, parseVersion } from '../domain/semver.js';
import type { Version } from '../domain/semver.js';
import { setOwn } from '../domain/safe-record.js';
import type { Advisory, AdvisoryAffected, AffectedRange } from '../security/advisories/advisory.js';
import {
  formatRange,
  incrementVersion,
  mergeRanges,
  versionsForRanges,
} from '../security/advisories/ranges.js';
import {
  AdvisoryFormatError,
  checkAdvisoryId,
  checkCvssVector,
  checkFunctionPath,
  isAdvisoryDate,
} from './advisory-markdown.js';

export const OSV_ECOSYSTEM = 'crates.io';

/** osv.dev's largest crates.io entries are a few tens of KB. */
export const MAX_OSV_FILE_BYTES = 2 * 1024 * 1024;

type Json = Record<string, unknown>;

function fail(message: string): never {
  throw new AdvisoryFormatError(message);
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function field(o: Json, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

function optString(o: Json, key: string, where: string): string | null {
  const v = field(o, key);
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') fail(`${where}.${key} must be a string`);
  return v;
}

function stringList(o: Json, key: string, where: string): string[] {
  const v = field(o, key);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(`${where}.${key} must be an array`);
  return v.map((item, i) => {
    if (typeof item !== 'string') fail(`${where}.${key}[${i}] must be a string`);
    return item;
  });
}

function version(text: unknown, where: string): Version {
  if (typeof text !== 'string') fail(`${where} must be a version string`);
  try {
    return parseVersion(text);
  } catch (e) {
    if (e instanceof SemverError) fail(`${where}: ${e.message}`);
    throw e;
  }
}

/** An RFC 3339 timestamp's date, checked as rustsec's `Date`. */
function datePart(text: string, where: string): string {
  const d = text.slice(0, 10);
  if (!isAdvisoryDate(d) || (text.length > 10 && text[10] !== 'T' && text[10] !== 't')) {
    fail(`${where} is not an RFC 3339 time with a year in 2000..2100: "${text}"`);
  }
  return d;
}

type Event = { kind: 'introduced' | 'fixed' | 'last_affected'; v: Version | null };

/**
 * OSV's evaluation of one range's events: sorted by version, a version is affected when the
 * closest event at or below it is `introduced`. `introduced: "0"` means from the beginning.
 */
function rangesFromEvents(events: unknown, where: string): AffectedRange[] {
  if (!Array.isArray(events)) fail(`${where}.events must be an array`);
  const parsed: Event[] = [];
  events.forEach((e: unknown, i) => {
    if (!isObject(e)) fail(`${where}.events[${i}] must be an object`);
    const keys = Object.keys(e);
    if (keys.length !== 1)
      fail(`${where}.events[${i}] must have exactly one of introduced, fixed, last_affected, limit`);
    const kind = keys[0] as string;
    const value = e[kind];
    if (kind === 'limit') return;
    if (kind !== 'introduced' && kind !== 'fixed' && kind !== 'last_affected') {
      fail(`${where}.events[${i}] has an unknown event "${kind}"`);
    }
    if (kind === 'introduced' && value === '0') parsed.push({ kind, v: null });
    else parsed.push({ kind, v: version(value, `${where}.events[${i}].${kind}`) });
  });
  parsed.sort((a, b) => {
    if (a.v === null) return b.v === null ? 0 : -1;
    if (b.v === null) return 1;
    return compareVersions(a.v, b.v);
  });
  const out: AffectedRange[] = [];
  let open = false;
  let start: Version | null = null;
  for (const e of parsed) {
    if (e.kind === 'introduced') {
      if (!open) {
        open = true;
        // "0.0.0-0" is the lowest version there is: the same as unbounded.
        start = e.v !== null && isLowest(e.v) ? null : e.v;
      }
    } else if (open) {
      const end = e.v as Version;
      out.push({ introduced: start, fixed: e.kind === 'fixed' ? end : incrementVersion(end) });
      open = false;
    }
  }
  if (open) out.push({ introduced: start, fixed: null });
  return out;
}

function isLowest(v: Version): boolean {
  return v.major === 0 && v.minor === 0 && v.patch === 0 && v.pre.length === 1 && v.pre[0] === 0;
}

function readAffects(ecosystemSpecific: unknown, where: string): AdvisoryAffected | null {
  if (!isObject(ecosystemSpecific)) return null;
  const affects = field(ecosystemSpecific, 'affects');
  if (affects === undefined || affects === null) return null;
  if (!isObject(affects)) fail(`${where}.ecosystem_specific.affects must be an object`);
  const w = `${where}.ecosystem_specific.affects`;
  const arch = stringList(affects, 'arch', w);
  const os = stringList(affects, 'os', w);
  const functions: Record<string, string[]> = {};
  // OSV keeps the paths but not their version requirements: every affected version.
  for (const p of stringList(affects, 'functions', w)) setOwn(functions, checkFunctionPath(p), ['*']);
  if (arch.length === 0 && os.length === 0 && Object.keys(functions).length === 0) return null;
  return { arch, os, functions };
}

function cvssFromSeverity(severity: unknown): string | null {
  if (severity === undefined || severity === null) return null;
  if (!Array.isArray(severity)) fail('severity must be an array');
  for (const s of severity) {
    if (!isObject(s)) fail('severity entries must be objects');
    const type = field(s, 'type');
    const score = field(s, 'score');
    if ((type === 'CVSS_V3' || type === 'CVSS_V4' || type === 'CVSS_V2') && typeof score === 'string') {
      return checkCvssVector(score);
    }
  }
  return null;
}

export interface OsvOrigin {
  database: string;
  file: string;
}

/**
 * Reads one OSV advisory: one Advisory per crates.io package it names (advisory-db exports
 * name one; osv.dev GHSA entries may name several). Other ecosystems are ignored.
 * Throws AdvisoryFormatError when the JSON is not a valid OSV advisory.
 */
export function parseOsvAdvisory(input: string | unknown, origin: OsvOrigin): Advisory[] {
  let doc: unknown = input;
  if (typeof input === 'string') {
    if (input.length > MAX_OSV_FILE_BYTES) fail(`OSV file is too large (${input.length} characters)`);
    try {
      doc = JSON.parse(input);
    } catch (e) {
      fail(`invalid JSON: ${(e as Error).message}`);
    }
  }
  if (!isObject(doc)) fail('an OSV advisory must be a JSON object');
  const idText = optString(doc, 'id', 'osv');
  if (idText === null) fail('missing osv.id');
  const id = checkAdvisoryId(idText, 'osv.id');
  const published = optString(doc, 'published', 'osv') ?? optString(doc, 'modified', 'osv');
  if (published === null) fail('missing osv.published');
  const withdrawn = optString(doc, 'withdrawn', 'osv');
  const topSpecific = field(doc, 'database_specific');
  const license = isObject(topSpecific)
    ? (optString(topSpecific, 'license', 'osv.database_specific') ?? 'CC0-1.0')
    : 'CC0-1.0';
  const severityCvss = cvssFromSeverity(field(doc, 'severity'));
  const details = optString(doc, 'details', 'osv') ?? '';
  const summary = optString(doc, 'summary', 'osv') ?? (details.split('\n')[0]?.trim() || id);

  const refs: string[] = [];
  const rawRefs = field(doc, 'references');
  if (rawRefs !== undefined && rawRefs !== null) {
    if (!Array.isArray(rawRefs)) fail('osv.references must be an array');
    for (const r of rawRefs) {
      if (!isObject(r) || typeof field(r, 'url') !== 'string') fail('osv.references entries need a url');
      refs.push(r.url as string);
    }
  }

  const affected = field(doc, 'affected');
  if (affected !== undefined && !Array.isArray(affected)) fail('osv.affected must be an array');
  const out: Advisory[] = [];
  const byPackage = new Map<string, Advisory>();
  (affected ?? []).forEach((a: unknown, i: number) => {
    const where = `osv.affected[${i}]`;
    if (!isObject(a)) fail(`${where} must be an object`);
    const pkg = field(a, 'package');
    if (!isObject(pkg)) fail(`${where}.package must be an object`);
    if (field(pkg, 'ecosystem') !== OSV_ECOSYSTEM) return;
    const name = optString(pkg, 'name', `${where}.package`);
    if (name === null || !/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(name)) {
      fail(`${where}.package.name is not a valid crate name: ${JSON.stringify(name)}`);
    }
    const ranges: AffectedRange[] = [];
    const rawRanges = field(a, 'ranges');
    if (rawRanges !== undefined && rawRanges !== null) {
      if (!Array.isArray(rawRanges)) fail(`${where}.ranges must be an array`);
      rawRanges.forEach((r: unknown, j: number) => {
        if (!isObject(r)) fail(`${where}.ranges[${j}] must be an object`);
        const type = field(r, 'type');
        // crates.io versions are semver, so ECOSYSTEM ranges (GHSA's) read the same way.
        if (type !== 'SEMVER' && type !== 'ECOSYSTEM') return;
        ranges.push(...rangesFromEvents(field(r, 'events'), `${where}.ranges[${j}]`));
      });
    }
    for (const v of stringList(a, 'versions', where)) {
      const parsed = version(v, `${where}.versions`);
      ranges.push({ introduced: parsed, fixed: incrementVersion(parsed) });
    }
    const specific = field(a, 'database_specific');
    const ds = isObject(specific) ? specific : {};
    const dsCvss = optString(ds, 'cvss', `${where}.database_specific`);
    const source = optString(ds, 'source', `${where}.database_specific`);
    const earlier = byPackage.get(name);
    if (earlier !== undefined) {
      // GHSA lists a package once per vulnerable branch: one advisory with every range.
      earlier.ranges = mergeRanges([...earlier.ranges, ...ranges]);
      const v = versionsForRanges(earlier.ranges);
      earlier.versions.patched = v.patched;
      earlier.versions.unaffected = v.unaffected;
      return;
    }
    // The two pages rustsec's export adds to every advisory.
    const syntheticRefs = new Set([
      `https://crates.io/crates/${name}`,
      `https://rustsec.org/advisories/${id}.html`,
    ]);
    const merged = mergeRanges(ranges);
    const advisory: Advisory = {
      metadata: {
        id,
        package: name,
        title: summary,
        description: details.trim(),
        date: datePart(published, 'osv.published'),
        aliases: stringList(doc, 'aliases', 'osv').map((x) => checkAdvisoryId(x, 'osv.aliases')),
        related: stringList(doc, 'related', 'osv').map((x) => checkAdvisoryId(x, 'osv.related')),
        collection: 'crates',
        categories: stringList(ds, 'categories', `${where}.database_specific`),
        keywords: [],
        cvss: dsCvss !== null ? checkCvssVector(dsCvss) : severityCvss,
        informational: optString(ds, 'informational', `${where}.database_specific`),
        references: [...new Set(refs.filter((u) => !syntheticRefs.has(u)))],
        // Registries other than crates.io are named by cratekeeper's own export only.
        source: source !== null && /^(registry|sparse)\+/.test(source) ? source : null,
        url: null,
        withdrawn: withdrawn === null ? null : datePart(withdrawn, 'osv.withdrawn'),
        license,
        expectDeleted: false,
      },
      versions: versionsForRanges(merged),
      affected: readAffects(field(a, 'ecosystem_specific'), where),
      ranges: merged,
      origin: { database: origin.database, file: origin.file },
    };
    byPackage.set(name, advisory);
    out.push(advisory);
  });
  return out;
}

function guessReferenceKind(u: string): string {
  if ((u.includes('://github.com/') || u.includes('://gitlab.')) && u.includes('/issues/')) return 'REPORT';
  if (u.includes('/advisories/') || u.includes('://www.cve.org/')) return 'ADVISORY';
  if (u.includes('://crates.io/crates/')) return 'PACKAGE';
  return 'WEB';
}

function cvssSeverityType(cvss: string): string {
  if (cvss.startsWith('CVSS:4.')) return 'CVSS_V4';
  if (cvss.startsWith('CVSS:3.')) return 'CVSS_V3';
  return 'CVSS_V2';
}

/**
 * The advisory in rustsec's OSV export shape (advisory-db `osv` branch). `modified`
 * defaults to the disclosure date at noon UTC, as `published` is written. An advisory whose
 * `source` names another registry carries it in `affected[0].database_specific.source`
 * (cratekeeper's addition; rustsec only exports crates.io advisories).
 */
export function formatOsv(advisory: Advisory, opts: { modified?: string } = {}): Json {
  const m = advisory.metadata;
  const refs: string[] = [];
  if (m.source === null) refs.push(`https://crates.io/crates/${m.package}`);
  if (m.id.startsWith('RUSTSEC-')) refs.push(`https://rustsec.org/advisories/${m.id}.html`);
  if (m.url !== null) refs.push(m.url);
  refs.push(...m.references);
  const events: Json[] = [];
  for (const r of advisory.ranges) {
    const f = formatRange(r);
    events.push({ introduced: f.introduced });
    if (f.fixed !== null) events.push({ fixed: f.fixed });
  }
  const a = advisory.affected;
  const databaseSpecific: Json = { categories: m.categories, cvss: m.cvss, informational: m.informational };
  if (m.source !== null) databaseSpecific.source = m.source;
  const out: Json = {
    id: m.id,
    modified: opts.modified ?? `${m.date}T12:00:00Z`,
    published: `${m.date}T12:00:00Z`,
  };
  if (m.withdrawn !== null) out.withdrawn = `${m.withdrawn}T12:00:00Z`;
  Object.assign(out, {
    aliases: m.aliases,
    related: m.related,
    summary: m.title,
    details: m.description,
    severity: m.cvss === null ? [] : [{ type: cvssSeverityType(m.cvss), score: m.cvss }],
    affected: [
      {
        package: { ecosystem: OSV_ECOSYSTEM, name: m.package, purl: `pkg:cargo/${m.package}` },
        ecosystem_specific: {
          affects: { arch: a?.arch ?? [], os: a?.os ?? [], functions: a ? Object.keys(a.functions) : [] },
          affected_functions: null,
        },
        database_specific: databaseSpecific,
        ranges: [{ type: 'SEMVER', events }],
        versions: [],
      },
    ],
    references: refs.map((url) => ({ type: guessReferenceKind(url), url })),
    database_specific: { license: m.license },
  });
  return out;
}

/** `formatOsv` as the JSON text the export writes. */
export function formatOsvJson(advisory: Advisory, opts: { modified?: string } = {}): string {
  return `${JSON.stringify(formatOsv(advisory, opts), null, 2)}\n`;
}
