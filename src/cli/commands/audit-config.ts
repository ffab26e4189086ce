// The audit's configuration file: cargo-audit's `.cargo/audit.toml` keys (cargo-audit
// `config.rs`: [advisories] ignore, informational_warnings, severity_threshold; [database] path,
// url, fetch, stale; [output] deny, format, quiet, show_tree; [target] arch, os; [yanked]
// enabled, update_index) plus cratekeeper's ignores with a reason and an expiry:
//
//   [[advisories.ignore]]
//   id = "RUSTSEC-2023-0071"
//   reason = "no fix; we never decrypt with rsa"
//   expires = 2027-01-31
//
// An expired ignore no longer applies (and the audit says so). Other top-level tables are left
// to their readers, so the same keys work inside cratekeeper.toml.
import { parse as parseToml, TomlDate } from 'smol-toml';
import type { DenyOption } from '../../security/advisories/audit.js';
import { isSeverity, type Severity } from '../../security/advisories/cvss.js';

export class AuditConfigError extends Error {
  override name = 'AuditConfigError';
}

export interface IgnoreEntry {
  id: string;
  reason: string | null;
  /** `YYYY-MM-DD`; the ignore applies through that day (UTC). */
  expires: string | null;
  /** Where it came from: `--ignore` or the config file's path. */
  origin: string;
}

export interface AuditFileConfig {
  ignore: IgnoreEntry[];
  informationalWarnings: string[] | null;
  severityThreshold: Severity | null;
  databasePaths: string[];
  deny: DenyOption[];
  format: 'terminal' | 'json' | 'sarif' | null;
  quiet: boolean;
  showTree: boolean;
  targetArch: string[];
  targetOs: string[];
  yankedEnabled: boolean;
  /** Keys we read but that change nothing here (e.g. `database.fetch`: no network fetches). */
  notes: string[];
}

export function emptyAuditConfig(): AuditFileConfig {
  return {
    ignore: [],
    informationalWarnings: null,
    severityThreshold: null,
    databasePaths: [],
    deny: [],
    format: null,
    quiet: false,
    showTree: true,
    targetArch: [],
    targetOs: [],
    yankedEnabled: true,
    notes: [],
  };
}

const DENY_OPTIONS: readonly string[] = ['warnings', 'unmaintained', 'unsound', 'yanked'];

export function parseDenyOption(s: string): DenyOption {
  if (!DENY_OPTIONS.includes(s))
    throw new AuditConfigError(
      `invalid deny option: ${s} (expected warnings, unmaintained, unsound or yanked)`,
    );
  return s as DenyOption;
}

/** rustsec's advisory `Id` parse: RUSTSEC/CVE/TALOS ids need a year; others are taken as written. */
export function parseAdvisoryId(s: string): string {
  if (typeof s !== 'string' || s.length === 0 || s.length > 200 || /\s/.test(s))
    throw new AuditConfigError(`invalid advisory id: ${JSON.stringify(s)}`);
  const m = /^(RUSTSEC|CVE|TALOS)-(\d+)-/.exec(s);
  if (
    /^(RUSTSEC|CVE|TALOS)-/.test(s) &&
    (!m || Number(m[2]) < 2000 || Number(m[2]) > 2200) &&
    s !== 'RUSTSEC-0000-0000'
  )
    throw new AuditConfigError(`invalid advisory id: ${s} (expected a year after the prefix)`);
  return s;
}

function isDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

type Table = Record<string, unknown>;

function table(v: unknown, at: string): Table {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Date)
    throw new AuditConfigError(`${at} must be a table`);
  return v as Table;
}

function strings(v: unknown, at: string, single = false): string[] {
  if (v === undefined) return [];
  if (single && typeof v === 'string') return [v];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw new AuditConfigError(`${at} must be ${single ? 'a string or ' : ''}an array of strings`);
  return v as string[];
}

function boolean(v: unknown, at: string, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new AuditConfigError(`${at} must be true or false`);
  return v;
}

function checkKeys(t: Table, at: string, known: readonly string[]): void {
  for (const k of Object.keys(t))
    if (!known.includes(k))
      throw new AuditConfigError(`unknown key \`${k}\` in [${at}] (known: ${known.join(', ')})`);
}

/** Reads the config text; `origin` names the file in messages and on each ignore. */
export function parseAuditConfig(text: string, origin: string): AuditFileConfig {
  let doc: Table;
  try {
    doc = parseToml(text) as Table;
  } catch (e) {
    throw new AuditConfigError(`${origin} is not valid TOML: ${(e as Error).message}`);
  }
  const out = emptyAuditConfig();
  const advisories = table(doc.advisories, '[advisories]');
  // cratekeeper.toml's [advisories] may carry the registry's own keys; only ours are read.
  const ignores = advisories.ignore;
  if (ignores !== undefined) {
    if (!Array.isArray(ignores)) throw new AuditConfigError('advisories.ignore must be an array');
    ignores.forEach((entry: unknown, i) => {
      const at = `advisories.ignore[${i}]`;
      if (typeof entry === 'string') {
        out.ignore.push({ id: parseAdvisoryId(entry), reason: null, expires: null, origin });
        return;
      }
      const t = table(entry, at);
      checkKeys(t, 'advisories.ignore', ['id', 'reason', 'expires']);
      if (typeof t.id !== 'string') throw new AuditConfigError(`${at}.id must be a string`);
      if (t.reason !== undefined && typeof t.reason !== 'string')
        throw new AuditConfigError(`${at}.reason must be a string`);
      let expires: string | null = null;
      if (t.expires !== undefined) {
        // TOML's local date (`expires = 2027-01-31`) or a quoted string.
        // A TOML datetime is refused: an expiry is a day.
        if (t.expires instanceof TomlDate && !t.expires.isDate())
          throw new AuditConfigError(`${at}.expires must be a date, YYYY-MM-DD (not a date-time)`);
        const raw = t.expires instanceof Date ? t.expires.toISOString().slice(0, 10) : t.expires;
        if (typeof raw !== 'string' || !isDate(raw))
          throw new AuditConfigError(`${at}.expires must be a date, YYYY-MM-DD`);
        expires = raw;
      }
      out.ignore.push({
        id: parseAdvisoryId(t.id),
        reason: (t.reason as string | undefined) ?? null,
        expires,
        origin,
      });
    });
  }
  if (advisories.informational_warnings !== undefined)
    out.informationalWarnings = strings(
      advisories.informational_warnings,
      'advisories.informational_warnings',
    );
  if (advisories.severity_threshold !== undefined) {
    const s = advisories.severity_threshold;
    if (typeof s !== 'string' || !isSeverity(s))
      throw new AuditConfigError('advisories.severity_threshold must be none, low, medium, high or critical');
    out.severityThreshold = s;
  }

  const database = table(doc.database, '[database]');
  checkKeys(database, 'database', ['path', 'url', 'fetch', 'stale']);
  out.databasePaths = strings(database.path, 'database.path', true);
  if (database.url !== undefined)
    out.notes.push('database.url is not fetched: give the database with --db or database.path');
  boolean(database.fetch, 'database.fetch', true);
  boolean(database.stale, 'database.stale', false);

  const output = table(doc.output, '[output]');
  checkKeys(output, 'output', ['deny', 'format', 'quiet', 'show_tree']);
  out.deny = strings(output.deny, 'output.deny').map(parseDenyOption);
  if (output.format !== undefined) {
    if (output.format !== 'terminal' && output.format !== 'json' && output.format !== 'sarif')
      throw new AuditConfigError('output.format must be terminal, json or sarif');
    out.format = output.format;
  }
  out.quiet = boolean(output.quiet, 'output.quiet', false);
  out.showTree = boolean(output.show_tree, 'output.show_tree', true);

  const target = table(doc.target, '[target]');
  checkKeys(target, 'target', ['arch', 'os']);
  out.targetArch = strings(target.arch, 'target.arch', true);
  out.targetOs = strings(target.os, 'target.os', true);

  const yanked = table(doc.yanked, '[yanked]');
  checkKeys(yanked, 'yanked', ['enabled', 'update_index']);
  out.yankedEnabled = boolean(yanked.enabled, 'yanked.enabled', true);
  boolean(yanked.update_index, 'yanked.update_index', true);
  return out;
}

export interface EffectiveIgnores {
  /** Ids that apply today. */
  active: IgnoreEntry[];
  /** Ignores past their expiry: they no longer apply. */
  expired: IgnoreEntry[];
}

/** Splits ignores by expiry against `today` (`YYYY-MM-DD`, UTC). */
export function effectiveIgnores(entries: readonly IgnoreEntry[], today: string): EffectiveIgnores {
  const active: IgnoreEntry[] = [];
  const expired: IgnoreEntry[] = [];
  for (const e of entries) (e.expires !== null && e.expires < today ? expired : active).push(e);
  return { active, expired };
}
