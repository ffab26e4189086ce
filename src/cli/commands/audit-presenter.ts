// Human output of `cratekeeper audit`: cargo-audit's attribute blocks (Crate, Version, Title,
// Date, ID, URL, Severity, Solution), grouped by finding kind, each with the dependency path
// from a workspace member and, for vulnerabilities, the nearest fixed version. Red marks what
// fails the run, yellow what does not; colour only when asked or on a terminal.
import { compareVersions, formatVersion, tryParseVersion } from '../../domain/semver.js';
import { displayVersionReq } from '../../formats/cargo-audit-report.js';
import type { Advisory } from '../../security/advisories/advisory.js';
import type { AuditReport, Finding, WarningKind } from '../../security/advisories/audit.js';
import { countWarnings } from '../../security/advisories/audit.js';
import { cvssScore, severityOfScore } from '../../security/advisories/cvss.js';

export interface Extras {
  missing: { index: number; what: 'crate' | 'version' }[];
  typosquats: { name: string; target: string; message: string }[];
  registryFlags: { entry: string; quarantined: boolean; severity: string | null; alerts: number }[];
  pruned: { id: string; name: string; version: string; reason: string }[];
  notes: string[];
}

export function emptyExtras(): Extras {
  return { missing: [], typosquats: [], registryFlags: [], pruned: [], notes: [] };
}

const RED = '\x1b[1;31m';
const YELLOW = '\x1b[1;33m';
const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';

/** The first fixed version above `version` in the advisory's ranges, if any. */
export function nearestFix(advisory: Advisory, version: string): string | null {
  const v = tryParseVersion(version);
  if (!v) return null;
  for (const r of advisory.ranges) {
    if (r.introduced !== null && compareVersions(v, r.introduced) < 0) continue;
    if (r.fixed !== null && compareVersions(v, r.fixed) < 0) return formatVersion(r.fixed);
  }
  return null;
}

function advisoryUrl(a: Advisory): string | null {
  const m = a.metadata;
  const idUrl =
    /^RUSTSEC-\d{4}-\d{4}$/.test(m.id) && m.id !== 'RUSTSEC-0000-0000'
      ? `https://rustsec.org/advisories/${m.id}`
      : null;
  // cargo-audit: CC-BY advisories (GHSA imports) keep their own url first.
  return m.license === 'CC-BY-4.0' ? (m.url ?? idUrl) : (idUrl ?? m.url);
}

export function formatHumanReport(
  report: AuditReport,
  extras: Extras,
  opts: { color: boolean; denied: ReadonlySet<WarningKind>; lockfilePath: string; showTree: boolean },
): string {
  const out: string[] = [];
  const paint = (c: string, s: string) => (opts.color ? `${c}${s}${RESET}` : s);
  const attr = (c: string, name: string, value: string) => out.push(`${paint(c, name.padEnd(10))}${value}`);
  const pathText = (f: Finding) =>
    f.path.map((i) => `${report.packages[i]!.name} ${report.packages[i]!.version}`).join(' → ');
  const heading = (c: string, text: string) => out.push('', paint(c, text), '');

  const metadata = (c: string, a: Advisory) => {
    attr(c, 'Title:', a.metadata.title);
    attr(c, 'Date:', a.metadata.date);
    attr(c, 'ID:', a.metadata.id);
    const url = advisoryUrl(a);
    if (url) attr(c, 'URL:', url);
    if (a.metadata.cvss) {
      const score = cvssScore(a.metadata.cvss);
      attr(
        c,
        'Severity:',
        score === null ? a.metadata.cvss : `${score.toFixed(1)} (${severityOfScore(score)})`,
      );
    }
  };
  const tree = (c: string, f: Finding) => {
    if (opts.showTree) attr(c, 'Path:', pathText(f));
    out.push('');
  };

  if (report.vulnerabilities.length > 0) {
    heading(RED, `Vulnerabilities (${report.vulnerabilities.length})`);
    for (const v of report.vulnerabilities) {
      const a = v.advisory!;
      attr(RED, 'Crate:', v.package.name);
      attr(RED, 'Version:', v.package.version);
      metadata(RED, a);
      const patched = a.versions.patched.map(displayVersionReq);
      const fix = nearestFix(a, v.package.version);
      if (patched.length > 0) {
        attr(
          RED,
          'Solution:',
          `Upgrade to ${patched.join(' OR ')} (patched)${fix ? `; nearest fixed version ${fix}` : ''}`,
        );
      } else if (fix) {
        attr(RED, 'Solution:', `Upgrade to ${fix} or later (unaffected)`);
      } else {
        attr(RED, 'Solution:', 'No fixed upgrade is available!');
      }
      tree(RED, v);
    }
  }
  for (const [kind, list] of report.warnings) {
    const c = opts.denied.has(kind) ? RED : YELLOW;
    heading(c, `Warnings: ${kind} (${list.length})${opts.denied.has(kind) ? ', denied' : ''}`);
    for (const w of list) {
      attr(c, 'Crate:', w.package.name);
      attr(c, 'Version:', w.package.version);
      attr(c, 'Warning:', kind);
      if (w.advisory) metadata(c, w.advisory);
      tree(c, w);
    }
  }
  if (extras.missing.length > 0) {
    heading(
      YELLOW,
      `Missing from the index (${extras.missing.length}): deleted crates are often removed malware`,
    );
    for (const m of extras.missing) {
      const p = report.packages[m.index]!;
      out.push(
        `  ${p.name} ${p.version}: ${m.what === 'crate' ? 'no such crate in the index' : 'no such version in the index'}`,
      );
    }
  }
  if (extras.typosquats.length > 0) {
    heading(YELLOW, `Names that look like typosquats of popular crates (${extras.typosquats.length})`);
    for (const t of extras.typosquats) out.push(`  ${t.name}: ${t.message} (${t.target})`);
  }
  if (extras.registryFlags.length > 0) {
    heading(RED, `Flagged by the registry (${extras.registryFlags.length})`);
    for (const r of extras.registryFlags) {
      const parts = [];
      if (r.quarantined) parts.push('quarantined');
      if (r.alerts > 0) parts.push(`${r.alerts} open alert(s), worst ${r.severity}`);
      out.push(`  ${r.entry}: ${parts.join('; ')}`);
    }
  }
  if (extras.pruned.length > 0) {
    heading(BOLD, `Not reported: ${extras.pruned.length} finding(s) on packages outside the resolved graph`);
    for (const p of extras.pruned) out.push(`  ${p.id} on ${p.name} ${p.version}: ${p.reason}`);
  }
  for (const n of extras.notes) out.push(`note: ${n}`);

  const vulns = report.vulnerabilities.length;
  const { denied, allowed } = countWarnings(report, opts.denied);
  out.push('');
  if (vulns > 0)
    out.push(
      paint(
        RED,
        `error: ${vulns} ${vulns === 1 ? 'vulnerability' : 'vulnerabilities'} found in ${opts.lockfilePath}`,
      ),
    );
  if (denied > 0)
    out.push(
      paint(
        RED,
        `error: ${denied} denied ${denied === 1 ? 'warning' : 'warnings'} found in ${opts.lockfilePath}`,
      ),
    );
  if (allowed > 0)
    out.push(
      paint(
        YELLOW,
        `warning: ${allowed} allowed ${allowed === 1 ? 'warning' : 'warnings'} found in ${opts.lockfilePath}`,
      ),
    );
  if (vulns === 0 && denied === 0 && allowed === 0)
    out.push(`No vulnerabilities or warnings found in ${opts.lockfilePath}`);
  return out.join('\n').replace(/^\n+/, '') + '\n';
}
