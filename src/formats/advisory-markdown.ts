// One RustSec advisory file (advisory-db `crates/<name>/RUSTSEC-YYYY-NNNN.md`), read and
// written as rustsec does (`advisory.rs`, `advisory/parts.rs`, `advisory/metadata.rs`):
// TOML front matter in a ```toml fence (the `[advisory]` header may be omitted), then a
// Markdown `# Title` line and the description.
import { parse as parseToml } from 'smol-toml';
import { isTable, own, tomlTypeName } from '../domain/toml-values.js';
import type { TomlTableLike } from '../domain/toml-values.js';
import { setOwn } from '../domain/safe-record.js';
import type {
  Advisory,
  AdvisoryAffected,
  AdvisoryCollection,
  AdvisoryMetadata,
  AdvisoryVersions,
} from '../security/advisories/advisory.js';
import {
  AdvisoryRangeError,
  computeAffectedRanges,
  parseAdvisoryReq,
} from '../security/advisories/ranges.js';

/** An advisory file that rustsec would refuse; the message says which field and why. */
export class AdvisoryFormatError extends Error {
  override name = 'AdvisoryFormatError';
}

/** No real advisory comes close (the largest in advisory-db is ~30 KB). */
export const MAX_ADVISORY_FILE_BYTES = 1024 * 1024;

export const DRAFT_ADVISORY_ID = 'RUSTSEC-0000-0000';

export interface AdvisoryOrigin {
  collection: AdvisoryCollection;
  database: string;
  file: string;
}

interface Parts {
  frontMatter: string;
  title: string;
  description: string;
}

function fail(message: string): never {
  throw new AdvisoryFormatError(message);
}

/** rustsec `Parts::parse`. */
function splitParts(text: string): Parts {
  if (!text.startsWith('```toml')) {
    fail(`unexpected start of advisory: ${JSON.stringify(text.slice(0, 20))} (expected a \`\`\`toml fence)`);
  }
  const tomlEnd = text.indexOf('\n```');
  if (tomlEnd < 0) fail('could not find the end of the TOML front matter (a line starting with ```)');
  const frontMatter = text.slice(7, tomlEnd).trim();
  const markdown = text.slice(tomlEnd + 4).trimStart();
  if (!markdown.startsWith('# ')) fail('expected a "# Title" header after the TOML front matter');
  const nl = markdown.indexOf('\n');
  if (nl < 0) fail('no Markdown body (description) after the title');
  return {
    frontMatter,
    title: markdown.slice(2, nl).trimEnd(),
    description: markdown.slice(nl + 1).trim(),
  };
}

// ---- field readers -------------------------------------------------------------------

function str(table: TomlTableLike, key: string, where: string): string | null {
  const v = own(table, key);
  if (v === undefined) return null;
  if (typeof v !== 'string') fail(`${where}.${key} must be a string, found ${tomlTypeName(v)}`);
  return v;
}

function required(table: TomlTableLike, key: string, where: string): string {
  const v = str(table, key, where);
  if (v === null) fail(`missing ${where}.${key}`);
  return v;
}

function strList(table: TomlTableLike, key: string, where: string): string[] {
  const v = own(table, key);
  if (v === undefined) return [];
  if (!Array.isArray(v)) fail(`${where}.${key} must be an array of strings, found ${tomlTypeName(v)}`);
  return v.map((item, i) => {
    if (typeof item !== 'string') fail(`${where}.${key}[${i}] must be a string, found ${tomlTypeName(item)}`);
    return item;
  });
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** rustsec `Date`: an RFC 3339 full-date with a year in 2000..=2100. */
export function isAdvisoryDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 2000 || year > 2100 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const max = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number);
  return day <= max;
}

function date(text: string, field: string): string {
  if (!isAdvisoryDate(text)) fail(`${field} must be a date YYYY-MM-DD with a year in 2000..2100: "${text}"`);
  return text;
}

/**
 * rustsec `Id`: RUSTSEC-, CVE- and TALOS- ids need `PREFIX-YEAR-NUMBER` with a year in
 * 2000..2100; GHSA- and other ids are free-form (but must be non-empty, printable, one line).
 */
export function checkAdvisoryId(id: string, field: string): string {
  if (id.length === 0 || id.length > 200 || !/^[\x21-\x7e]+$/.test(id))
    fail(`${field} is not a valid id: "${id}"`);
  if (id === DRAFT_ADVISORY_ID) return id;
  if (/^(RUSTSEC|CVE|TALOS)-/.test(id)) {
    const parts = id.split('-');
    const year = Number(parts[1]);
    if (!/^\d+$/.test(parts[1] ?? '') || year < 2000 || year > 2100)
      fail(`${field} has a malformed year: "${id}"`);
    if (parts.length !== 3 || !/^\d+$/.test(parts[2] ?? '')) fail(`${field} is malformed: "${id}"`);
  }
  return id;
}

/** Crate names and `rust/` component names: what can name a directory safely. */
function packageName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(name))
    fail(`advisory.package is not a valid crate name: "${name}"`);
  return name;
}

function url(text: string, field: string): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    fail(`${field} is not a valid URL: "${text}"`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') fail(`${field} must be an http(s) URL: "${text}"`);
  return text;
}

/** rustsec/cargo-lock `SourceId`: `registry+URL`, `sparse+URL`, `git+URL` or `path+URL`. */
function sourceId(text: string): string {
  const m = /^(registry|sparse|git|path)\+(.+)$/.exec(text);
  if (!m) fail(`advisory.source must be a cargo source id such as "registry+https://…": "${text}"`);
  try {
    new URL(m[2] as string);
  } catch {
    fail(`advisory.source has an invalid URL: "${text}"`);
  }
  return text;
}

// CVSS base metrics and their allowed values, per version (`cvss` crate).
const CVSS_V2: Record<string, string> = { AV: 'LAN', AC: 'HML', Au: 'MSN', C: 'NPC', I: 'NPC', A: 'NPC' };
const CVSS_V3: Record<string, string> = {
  AV: 'NALP',
  AC: 'LH',
  PR: 'NLH',
  UI: 'NR',
  S: 'UC',
  C: 'NLH',
  I: 'NLH',
  A: 'NLH',
};
const CVSS_V4: Record<string, string> = {
  AV: 'NALP',
  AC: 'LH',
  AT: 'NP',
  PR: 'NLH',
  UI: 'NPA',
  VC: 'HLN',
  VI: 'HLN',
  VA: 'HLN',
  SC: 'HLN',
  SI: 'HLN',
  SA: 'HLN',
};

/** A CVSS v2, v3.0, v3.1 or v4.0 vector: prefix, `KEY:VALUE` metrics, every base metric once. */
export function checkCvssVector(text: string): string {
  let body = text;
  let base: Record<string, string>;
  if (text.startsWith('CVSS:3.0/') || text.startsWith('CVSS:3.1/')) {
    base = CVSS_V3;
    body = text.slice(9);
  } else if (text.startsWith('CVSS:4.0/')) {
    base = CVSS_V4;
    body = text.slice(9);
  } else if (text.startsWith('CVSS:')) {
    fail(`advisory.cvss has an unsupported CVSS version: "${text}"`);
  } else {
    base = CVSS_V2;
  }
  const seen = new Set<string>();
  for (const metric of body.split('/')) {
    const m = /^([A-Za-z]{1,4}):([A-Za-z]{1,2})$/.exec(metric);
    if (!m) fail(`advisory.cvss has a malformed metric "${metric}" in "${text}"`);
    const [, key, value] = m as unknown as [string, string, string];
    if (seen.has(key)) fail(`advisory.cvss repeats metric ${key} in "${text}"`);
    seen.add(key);
    const allowed = Object.hasOwn(base, key) ? base[key] : undefined;
    if (allowed !== undefined && (value.length !== 1 || !allowed.includes(value))) {
      fail(`advisory.cvss metric ${key} has an invalid value "${value}" in "${text}"`);
    }
  }
  for (const key of Object.keys(base))
    if (!seen.has(key)) fail(`advisory.cvss lacks base metric ${key}: "${text}"`);
  return text;
}

/** rustsec `FunctionPath`: `crate::path::fn`, at least two segments, no parameters. */
const FUNCTION_PATH = /^[A-Za-z_<][A-Za-z0-9_<>,]*(?:::[A-Za-z_<][A-Za-z0-9_<>,]*)+$/;

export function checkFunctionPath(path: string): string {
  if (FUNCTION_PATH.test(path)) return path;
  const segments = path.split('::');
  if (segments.length < 2)
    fail(`affected.functions path must start with the crate name (two segments at least): "${path}"`);
  for (const seg of segments) {
    if (seg.length === 0) fail(`affected.functions path has an empty segment: "${path}"`);
    if (!/^[A-Za-z_<]/.test(seg)) fail(`affected.functions path has an invalid identifier start: "${path}"`);
    if (/[()]/.test(seg)) fail(`affected.functions path must omit parameters: "${path}"`);
    if (!/^[A-Za-z_<][A-Za-z0-9_<>,]*$/.test(seg))
      fail(`affected.functions path has an invalid character: "${path}"`);
  }
  return path;
}

function req(text: string, field: string): string {
  try {
    parseAdvisoryReq(text);
  } catch (e) {
    if (e instanceof AdvisoryRangeError) fail(`${field}: ${e.message}`);
    throw e;
  }
  return text;
}

function readAffected(v: unknown): AdvisoryAffected | null {
  if (v === undefined) return null;
  if (!isTable(v)) fail(`affected must be a table, found ${tomlTypeName(v)}`);
  const functions: Record<string, string[]> = {};
  const fns = own(v, 'functions');
  if (fns !== undefined) {
    if (!isTable(fns)) fail(`affected.functions must be a table, found ${tomlTypeName(fns)}`);
    for (const path of Object.keys(fns)) {
      checkFunctionPath(path);
      const reqs = strList(fns, path, 'affected.functions');
      setOwn(
        functions,
        path,
        reqs.map((r) => req(r, `affected.functions."${path}"`)),
      );
    }
  }
  return { arch: strList(v, 'arch', 'affected'), os: strList(v, 'os', 'affected'), functions };
}

function readVersions(v: unknown): AdvisoryVersions {
  if (v === undefined) fail('missing [versions] table');
  if (!isTable(v)) fail(`versions must be a table, found ${tomlTypeName(v)}`);
  if (own(v, 'patched') === undefined)
    fail('missing versions.patched (use `patched = []` when there is no fix)');
  return {
    // Checked (parsed and restricted as rustsec does) when the ranges are computed.
    patched: strList(v, 'patched', 'versions'),
    unaffected: strList(v, 'unaffected', 'versions'),
  };
}

function readMetadata(t: TomlTableLike, parts: Parts, collection: AdvisoryCollection): AdvisoryMetadata {
  const w = 'advisory';
  if (own(t, 'title') !== undefined)
    fail('invalid `title` attribute in advisory TOML (the title is the Markdown header)');
  if (own(t, 'description') !== undefined) {
    fail('invalid `description` attribute in advisory TOML (the description is the Markdown body)');
  }
  const cvss = str(t, 'cvss', w);
  const withdrawn = str(t, 'withdrawn', w);
  const advisoryUrl = str(t, 'url', w);
  const source = str(t, 'source', w);
  const license = str(t, 'license', w) ?? 'CC0-1.0';
  if (license === 'CC-BY-4.0' && advisoryUrl === null)
    fail('advisory.license CC-BY-4.0 requires advisory.url (attribution)');
  const expectDeleted = own(t, 'expect-deleted');
  if (expectDeleted !== undefined && typeof expectDeleted !== 'boolean') {
    fail(`advisory.expect-deleted must be a boolean, found ${tomlTypeName(expectDeleted)}`);
  }
  return {
    id: checkAdvisoryId(required(t, 'id', w), 'advisory.id'),
    package: packageName(required(t, 'package', w)),
    title: parts.title,
    description: parts.description,
    date: date(required(t, 'date', w), 'advisory.date'),
    aliases: strList(t, 'aliases', w).map((a) => checkAdvisoryId(a, 'advisory.aliases')),
    related: strList(t, 'related', w).map((a) => checkAdvisoryId(a, 'advisory.related')),
    collection,
    categories: strList(t, 'categories', w),
    keywords: strList(t, 'keywords', w),
    cvss: cvss === null ? null : checkCvssVector(cvss),
    informational: str(t, 'informational', w),
    references: strList(t, 'references', w).map((r) => url(r, 'advisory.references')),
    source: source === null ? null : sourceId(source),
    url: advisoryUrl === null ? null : url(advisoryUrl, 'advisory.url'),
    withdrawn: withdrawn === null ? null : date(withdrawn, 'advisory.withdrawn'),
    license,
    expectDeleted: expectDeleted === true,
  };
}

/**
 * Parses one advisory file. Throws AdvisoryFormatError for anything rustsec refuses
 * (syntax, missing or mistyped fields, invalid `[versions]`).
 */
export function parseAdvisoryMarkdown(text: string, origin: AdvisoryOrigin): Advisory {
  if (text.length > MAX_ADVISORY_FILE_BYTES) {
    fail(`advisory file is too large (${text.length} characters, max ${MAX_ADVISORY_FILE_BYTES})`);
  }
  const parts = splitParts(text);
  const toml = parts.frontMatter.startsWith('[advisory]')
    ? parts.frontMatter
    : `[advisory]\n${parts.frontMatter}`;
  let doc: TomlTableLike;
  try {
    doc = parseToml(toml) as TomlTableLike;
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    fail(`invalid TOML front matter: ${msg}`);
  }
  const adv = own(doc, 'advisory');
  if (!isTable(adv)) fail('advisory must be a table');
  const metadata = readMetadata(adv, parts, origin.collection);
  const affected = readAffected(own(doc, 'affected'));
  const versions = readVersions(own(doc, 'versions'));
  let ranges;
  try {
    ranges = computeAffectedRanges(versions.patched, versions.unaffected);
  } catch (e) {
    if (e instanceof AdvisoryRangeError) fail(`versions: ${e.message}`);
    throw e;
  }
  return { metadata, versions, affected, ranges, origin: { database: origin.database, file: origin.file } };
}

// ---- writer --------------------------------------------------------------------------

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A TOML basic string: JSON's escapes are valid TOML, DEL and lone surrogates are not. */
function tomlString(s: string): string {
  if (LONE_SURROGATE.test(s))
    throw new AdvisoryFormatError(`cannot write a string with a lone surrogate: ${JSON.stringify(s)}`);
  return JSON.stringify(s).replace(/\x7f/g, '\\u007F');
}

function tomlList(items: readonly string[]): string {
  return `[${items.map(tomlString).join(', ')}]`;
}

/**
 * The advisory as a RustSec file that rustsec (and `parseAdvisoryMarkdown`) reads back to
 * the same advisory. Throws AdvisoryFormatError when the advisory could not be read back
 * (a title with a line break, invalid fields).
 */
export function formatAdvisoryMarkdown(advisory: Advisory): string {
  const m = advisory.metadata;
  if (/[\r\n]/.test(m.title)) throw new AdvisoryFormatError('the title must be a single line');
  const lines: string[] = ['```toml', '[advisory]'];
  const kv = (k: string, v: string): void => {
    lines.push(`${k} = ${v}`);
  };
  kv('id', tomlString(m.id));
  kv('package', tomlString(m.package));
  kv('date', tomlString(m.date));
  if (m.url !== null) kv('url', tomlString(m.url));
  if (m.references.length > 0) kv('references', tomlList(m.references));
  if (m.informational !== null) kv('informational', tomlString(m.informational));
  if (m.categories.length > 0) kv('categories', tomlList(m.categories));
  if (m.keywords.length > 0) kv('keywords', tomlList(m.keywords));
  if (m.cvss !== null) kv('cvss', tomlString(m.cvss));
  if (m.aliases.length > 0) kv('aliases', tomlList(m.aliases));
  if (m.related.length > 0) kv('related', tomlList(m.related));
  if (m.source !== null) kv('source', tomlString(m.source));
  if (m.withdrawn !== null) kv('withdrawn', tomlString(m.withdrawn));
  if (m.license !== 'CC0-1.0') kv('license', tomlString(m.license));
  if (m.expectDeleted) kv('expect-deleted', 'true');
  const a = advisory.affected;
  if (a !== null) {
    lines.push('', '[affected]');
    if (a.arch.length > 0) kv('arch', tomlList(a.arch));
    if (a.os.length > 0) kv('os', tomlList(a.os));
    const paths = Object.keys(a.functions);
    if (paths.length > 0) {
      lines.push('', '[affected.functions]');
      for (const p of paths) kv(tomlString(p), tomlList(a.functions[p] ?? []));
    }
  }
  lines.push('', '[versions]');
  kv('patched', tomlList(advisory.versions.patched));
  if (advisory.versions.unaffected.length > 0) kv('unaffected', tomlList(advisory.versions.unaffected));
  // rustsec trims the end of the title line, so trailing spaces could not survive anyway.
  lines.push('```', '', `# ${m.title.trimEnd()}`, '');
  const description = m.description.trim();
  if (description.length > 0) lines.push(description);
  const text = `${lines.join('\n')}\n`;
  // Read back: the writer never hands out a file its own reader (or rustsec) refuses.
  parseAdvisoryMarkdown(text, {
    collection: m.collection,
    database: advisory.origin.database,
    file: advisory.origin.file,
  });
  return text;
}

/** What an author supplies for a new advisory; omitted lists are empty, omitted options null. */
export interface AdvisoryFields {
  id: string;
  package: string;
  title: string;
  description: string;
  date: string;
  collection?: AdvisoryCollection;
  aliases?: string[];
  related?: string[];
  categories?: string[];
  keywords?: string[];
  cvss?: string | null;
  informational?: string | null;
  references?: string[];
  source?: string | null;
  url?: string | null;
  withdrawn?: string | null;
  license?: string;
  expectDeleted?: boolean;
  patched: string[];
  unaffected?: string[];
  affected?: AdvisoryAffected | null;
}

/**
 * A validated advisory from authored fields (the console's advisory editor): written as a
 * RustSec file and read back, so it is exactly what `formatAdvisoryMarkdown` will serve.
 * Throws AdvisoryFormatError naming the first invalid field.
 */
export function buildAdvisory(fields: AdvisoryFields, origin: { database: string; file?: string }): Advisory {
  const collection = fields.collection ?? 'crates';
  const file = origin.file ?? `${collection}/${fields.package}/${fields.id}.md`;
  const draft: Advisory = {
    metadata: {
      id: fields.id,
      package: fields.package,
      title: fields.title,
      description: fields.description,
      date: fields.date,
      aliases: fields.aliases ?? [],
      related: fields.related ?? [],
      collection,
      categories: fields.categories ?? [],
      keywords: fields.keywords ?? [],
      cvss: fields.cvss ?? null,
      informational: fields.informational ?? null,
      references: fields.references ?? [],
      source: fields.source ?? null,
      url: fields.url ?? null,
      withdrawn: fields.withdrawn ?? null,
      license: fields.license ?? 'CC0-1.0',
      expectDeleted: fields.expectDeleted ?? false,
    },
    versions: { patched: fields.patched, unaffected: fields.unaffected ?? [] },
    affected: fields.affected ?? null,
    ranges: [],
    origin: { database: origin.database, file },
  };
  return parseAdvisoryMarkdown(formatAdvisoryMarkdown(draft), {
    collection,
    database: origin.database,
    file,
  });
}
