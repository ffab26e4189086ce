// `cratekeeper audit --sarif`: cargo-audit's SARIF (cargo-audit `sarif.rs`) — one rule per
// advisory id (vulnerabilities `error`, warnings `warning`, rules `unmaintained`/`unsound`/
// `yanked` for warnings without an advisory), results fingerprinted `id:name:version` — but
// each result located at its package's `[[package]]` line in Cargo.lock rather than line 1.
import type { AuditReport, Finding, WarningKind } from '../security/advisories/audit.js';
import { cvssScore } from '../security/advisories/cvss.js';
import { buildSarifLog, type SarifLog, type SarifResultInput, type SarifRuleInput } from './sarif.js';

/** Line (1-based) of each `[[package]]` header, keyed `name version source`. */
export function lockfilePackageLines(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const lines = text.split('\n');
  let header = 0;
  let name: string | null = null;
  let version: string | null = null;
  let source: string | null = null;
  const flush = () => {
    if (header > 0 && name !== null && version !== null) {
      const key = `${name} ${version} ${source ?? ''}`;
      if (!out.has(key)) out.set(key, header);
    }
  };
  const value = (line: string, key: string): string | null => {
    const m = new RegExp(`^\\s*${key}\\s*=\\s*"((?:[^"\\\\]|\\\\.)*)"`).exec(line);
    return m ? m[1]! : null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*\[/.test(line)) {
      flush();
      header = /^\s*\[\[package\]\]\s*$/.test(line) || /^\s*\[root\]\s*$/.test(line) ? i + 1 : 0;
      name = version = source = null;
      continue;
    }
    if (header === 0) continue;
    name = value(line, 'name') ?? name;
    version = value(line, 'version') ?? version;
    source = value(line, 'source') ?? source;
  }
  flush();
  return out;
}

const KIND_RULES: Record<WarningKind, string> = {
  notice: 'Unknown warning type',
  unmaintained: 'Package is unmaintained and may have unaddressed security vulnerabilities',
  unsound: 'Package has known soundness issues that may lead to memory safety problems',
  yanked: 'Package version has been yanked from the registry',
};

export function cargoAuditSarif(
  report: AuditReport,
  lockfilePath: string,
  lockfileText: string,
  toolVersion: string,
): SarifLog {
  const lines = lockfilePackageLines(lockfileText);
  const rules: SarifRuleInput[] = [];
  const seen = new Set<string>();
  const results: SarifResultInput[] = [];
  const lineOf = (f: Finding) =>
    lines.get(`${f.package.name} ${f.package.version} ${f.package.source ?? ''}`) ?? 1;

  const addAdvisoryRule = (f: Finding, vulnerability: boolean) => {
    const m = f.advisory!.metadata;
    if (seen.has(m.id)) return;
    seen.add(m.id);
    const score = m.cvss ? cvssScore(m.cvss) : null;
    rules.push({
      id: m.id,
      shortDescription: m.title,
      ...(m.description ? { fullDescription: m.description } : {}),
      ...(m.url ? { helpUri: m.url } : {}),
      defaultLevel: vulnerability ? 'error' : 'warning',
      properties: {
        tags: vulnerability ? ['security', 'vulnerability'] : ['security', 'warning'],
        precision: 'very-high',
        ...(vulnerability ? {} : { 'problem.severity': 'warning' }),
        ...(score !== null ? { 'security-severity': score.toFixed(1) } : {}),
      },
    });
  };

  for (const v of report.vulnerabilities) {
    addAdvisoryRule(v, true);
    const m = v.advisory!.metadata;
    results.push({
      ruleId: m.id,
      level: 'error',
      message: `${v.package.name} ${v.package.version} is vulnerable to ${m.id} (${m.title})`,
      uri: lockfilePath,
      line: lineOf(v),
      partialFingerprints: {
        'cargo-audit/advisory-fingerprint': `${m.id}:${v.package.name}:${v.package.version}`,
      },
    });
  }
  for (const [kind, list] of report.warnings) {
    for (const w of list) {
      let ruleId: string;
      if (w.advisory) {
        addAdvisoryRule(w, false);
        ruleId = w.advisory.metadata.id;
      } else {
        ruleId = kind;
        if (!seen.has(kind)) {
          seen.add(kind);
          rules.push({
            id: kind,
            shortDescription: KIND_RULES[kind],
            defaultLevel: 'warning',
            properties: { tags: ['security', 'warning'], precision: 'high', 'problem.severity': 'warning' },
          });
        }
      }
      const title = w.advisory ? `: ${w.advisory.metadata.title}` : '';
      results.push({
        ruleId,
        level: 'warning',
        message: `${w.package.name} ${w.package.version} has a ${kind} warning${title}`,
        uri: lockfilePath,
        line: lineOf(w),
        partialFingerprints: {
          'cargo-audit/advisory-fingerprint': `${ruleId}:${w.package.name}:${w.package.version}`,
        },
      });
    }
  }
  return buildSarifLog(
    { name: 'cratekeeper-audit', version: toolVersion, informationUri: 'https://rustsec.org' },
    rules,
    results,
  );
}
