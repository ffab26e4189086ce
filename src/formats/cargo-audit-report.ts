// cargo-audit's JSON report: `serde_json` of `rustsec::Report` (rustsec `report.rs`,
// `vulnerability.rs`, `warning.rs`, `advisory/metadata.rs`, cargo-lock `package.rs`), field for
// field and in serde's order, so every tool that reads `cargo audit --json` reads ours. One
// report per lockfile, one JSON object per line. `validateCargoAuditReport` checks that shape.
import { tryParseVersionReq, formatVersionReq } from '../domain/version-req.js';
import type { Advisory, AdvisoryDatabaseInfo } from '../security/advisories/advisory.js';
import type { AuditReport, Finding, ResolvedDependency } from '../security/advisories/audit.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The semver crate's `Display` of a requirement (`>= 1.2.3` is written `>=1.2.3`). */
export function displayVersionReq(req: string): string {
  const parsed = tryParseVersionReq(req);
  return parsed ? formatVersionReq(parsed) : req;
}

/** The `url` crate's serialisation (WHATWG, like `URL.href`); the text itself when unparsable. */
function displayUrl(u: string): string {
  try {
    return new URL(u).href;
  } catch {
    return u;
  }
}

/** `FunctionPath`'s `Ord`: segment by segment, not character by character. */
function compareFunctionPaths(a: string, b: string): number {
  const x = a.split('::');
  const y = b.split('::');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  }
  return x.length - y.length;
}

export function advisoryMetadataJson(a: Advisory): Json {
  const m = a.metadata;
  return {
    id: m.id,
    package: m.package,
    title: m.title,
    description: m.description,
    date: m.date,
    aliases: [...m.aliases],
    related: [...m.related],
    collection: m.collection,
    categories: [...m.categories],
    keywords: [...m.keywords],
    cvss: m.cvss,
    informational: m.informational,
    references: m.references.map(displayUrl),
    source: m.source,
    url: m.url === null ? null : displayUrl(m.url),
    withdrawn: m.withdrawn,
    license: m.license,
    'expect-deleted': m.expectDeleted,
  };
}

export function advisoryVersionsJson(a: Advisory): Json {
  return {
    patched: a.versions.patched.map(displayVersionReq),
    unaffected: a.versions.unaffected.map(displayVersionReq),
  };
}

export function advisoryAffectedJson(a: Advisory): Json {
  if (a.affected === null) return null;
  const functions: { [k: string]: Json } = {};
  for (const path of Object.keys(a.affected.functions).sort(compareFunctionPaths)) {
    functions[path] = (a.affected.functions[path] ?? []).map(displayVersionReq);
  }
  return { arch: [...a.affected.arch], os: [...a.affected.os], functions };
}

function dependencyJson(d: ResolvedDependency): Json {
  return { name: d.name, version: d.version, source: d.source };
}

export function packageJson(f: Finding): Json {
  const p = f.package;
  const out: { [k: string]: Json } = {
    name: p.name,
    version: p.version,
    source: p.source,
    checksum: p.checksum,
  };
  // cargo-lock: `#[serde(default, skip_serializing_if = "Vec::is_empty")]`.
  if (p.resolvedDependencies.length > 0) out.dependencies = p.resolvedDependencies.map(dependencyJson);
  out.replace = null;
  return out;
}

export interface ReportDatabaseInfo {
  advisoryCount: number;
  lastCommit: string | null;
  lastUpdated: string | null;
}

/** Several databases are one report's database: counted together, the first known commit named. */
export function databaseInfo(
  databases: readonly AdvisoryDatabaseInfo[],
  advisoryCount: number,
): ReportDatabaseInfo {
  const withCommit = databases.find((d) => d.lastCommit !== null);
  const withTime = databases.find((d) => d.lastUpdated !== null);
  const updated = withCommit?.lastUpdated ?? withTime?.lastUpdated ?? null;
  return {
    advisoryCount,
    lastCommit: withCommit?.lastCommit ?? null,
    lastUpdated: updated && rfc3339(updated),
  };
}

/** The `time` crate's RFC 3339: no fractional part when it is zero (`2026-08-21T06:28:40Z`). */
export function rfc3339(text: string): string {
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) return text;
  return /[+-]\d{2}:\d{2}$/.test(text) && !text.endsWith('+00:00')
    ? text
    : d.toISOString().replace(/\.000Z$/, 'Z');
}

export function cargoAuditReportJson(report: AuditReport, db: ReportDatabaseInfo): { [key: string]: Json } {
  const warnings: { [k: string]: Json } = {};
  for (const [kind, list] of report.warnings) {
    warnings[kind] = list.map((w) => ({
      kind,
      package: packageJson(w),
      advisory: w.advisory ? advisoryMetadataJson(w.advisory) : null,
      affected: w.advisory ? advisoryAffectedJson(w.advisory) : null,
      versions: w.advisory ? advisoryVersionsJson(w.advisory) : null,
    }));
  }
  return {
    database: {
      'advisory-count': db.advisoryCount,
      'last-commit': db.lastCommit,
      'last-updated': db.lastUpdated,
    },
    lockfile: { 'dependency-count': report.packages.length },
    settings: {
      target_arch: [...report.settings.targetArch],
      target_os: [...report.settings.targetOs],
      severity: report.settings.severity,
      ignore: [...report.settings.ignore],
      informational_warnings: [...report.settings.informationalWarnings],
    },
    vulnerabilities: {
      found: report.vulnerabilities.length > 0,
      count: report.vulnerabilities.length,
      list: report.vulnerabilities.map((v) => ({
        advisory: advisoryMetadataJson(v.advisory!),
        versions: advisoryVersionsJson(v.advisory!),
        affected: advisoryAffectedJson(v.advisory!),
        package: packageJson(v),
      })),
    },
    warnings,
  };
}

// ---- shape validator ----------------------------------------------------------------------

type Check = (v: unknown, at: string, errors: string[]) => void;

const str: Check = (v, at, e) => {
  if (typeof v !== 'string') e.push(`${at}: expected a string`);
};
const nullableStr: Check = (v, at, e) => {
  if (v !== null && typeof v !== 'string') e.push(`${at}: expected a string or null`);
};
const bool: Check = (v, at, e) => {
  if (typeof v !== 'boolean') e.push(`${at}: expected a boolean`);
};
const count: Check = (v, at, e) => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) e.push(`${at}: expected a count`);
};
const listOf =
  (item: Check): Check =>
  (v, at, e) => {
    if (!Array.isArray(v)) return void e.push(`${at}: expected an array`);
    v.forEach((x, i) => item(x, `${at}[${i}]`, e));
  };
const nullable =
  (inner: Check): Check =>
  (v, at, e) => {
    if (v !== null) inner(v, at, e);
  };
const obj =
  (fields: Record<string, Check>, optional: readonly string[] = []): Check =>
  (v, at, e) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      return void e.push(`${at}: expected an object`);
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!(k in fields)) e.push(`${at}.${k}: unexpected key`);
    for (const [k, check] of Object.entries(fields)) {
      if (!(k in o)) {
        if (!optional.includes(k)) e.push(`${at}.${k}: missing`);
        continue;
      }
      check(o[k], `${at}.${k}`, e);
    }
  };
const oneOf =
  (values: readonly string[]): Check =>
  (v, at, e) => {
    if (typeof v !== 'string' || !values.includes(v)) e.push(`${at}: expected one of ${values.join(', ')}`);
  };

const metadataCheck = obj({
  id: str,
  package: str,
  title: str,
  description: str,
  date: (v, at, e) => {
    if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) e.push(`${at}: expected a YYYY-MM-DD date`);
  },
  aliases: listOf(str),
  related: listOf(str),
  collection: nullable(oneOf(['crates', 'rust'])),
  categories: listOf(str),
  keywords: listOf(str),
  cvss: nullableStr,
  informational: nullableStr,
  references: listOf(str),
  source: nullableStr,
  url: nullableStr,
  withdrawn: nullableStr,
  license: str,
  'expect-deleted': bool,
});
const versionsCheck = obj({ patched: listOf(str), unaffected: listOf(str) });
const affectedCheck = obj({
  arch: listOf(str),
  os: listOf(str),
  functions: (v, at, e) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      return void e.push(`${at}: expected an object`);
    for (const [k, reqs] of Object.entries(v)) listOf(str)(reqs, `${at}.${k}`, e);
  },
});
const dependencyCheck = obj({ name: str, version: str, source: nullableStr });
const packageCheck = obj(
  {
    name: str,
    version: str,
    source: nullableStr,
    checksum: nullableStr,
    dependencies: listOf(dependencyCheck),
    replace: nullable(dependencyCheck),
  },
  ['dependencies'],
);
const WARNING_KEYS = ['notice', 'unmaintained', 'unsound', 'yanked'];

const reportCheck = obj(
  {
    // cratekeeper's additions (reachability) live under this one key; cargo-audit has no such key.
    cratekeeper: (v, at, e) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) e.push(`${at}: expected an object`);
    },
    database: obj({ 'advisory-count': count, 'last-commit': nullableStr, 'last-updated': nullableStr }),
    lockfile: obj({ 'dependency-count': count }),
    settings: obj({
      target_arch: listOf(str),
      target_os: listOf(str),
      severity: nullable(oneOf(['none', 'low', 'medium', 'high', 'critical'])),
      ignore: listOf(str),
      informational_warnings: listOf(str),
    }),
    vulnerabilities: (v, at, e) => {
      obj({
        found: bool,
        count,
        list: listOf(
          obj({
            advisory: metadataCheck,
            versions: versionsCheck,
            affected: nullable(affectedCheck),
            package: packageCheck,
          }),
        ),
      })(v, at, e);
      const o = v as { found?: unknown; count?: unknown; list?: unknown } | null;
      if (o && Array.isArray(o.list)) {
        if (o.count !== o.list.length) e.push(`${at}.count: does not equal the list's length`);
        if (o.found !== o.list.length > 0) e.push(`${at}.found: does not agree with the list`);
      }
    },
    warnings: (v, at, e) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v))
        return void e.push(`${at}: expected an object`);
      for (const [kind, list] of Object.entries(v)) {
        if (!WARNING_KEYS.includes(kind)) e.push(`${at}.${kind}: unknown warning kind`);
        listOf(
          obj({
            kind: oneOf([kind]),
            package: packageCheck,
            advisory: nullable(metadataCheck),
            affected: nullable(affectedCheck),
            versions: nullable(versionsCheck),
          }),
        )(list, `${at}.${kind}`, e);
      }
    },
  },
  ['cratekeeper'],
);

/** Problems with `value` as a cargo-audit JSON report; empty when it has exactly that shape. */
export function validateCargoAuditReport(value: unknown): string[] {
  const errors: string[] = [];
  reportCheck(value, '$', errors);
  return errors;
}
