// Scan reports as a SARIF log: one run, every catalog rule, one result per finding located at
// `<crate>-<version>/<file>` (or the scanned path when the caller gives one).
import { buildSarifLog } from '../../formats/sarif.js';
import type { SarifLevel, SarifLog } from '../../formats/sarif.js';
import { RULE_CATALOG } from './rules/catalog.js';
import type { ScanReport, Severity } from './types.js';

const LEVEL: Record<Severity, SarifLevel> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};
// GitHub code scanning ranks security results by this 0–10 score.
const SCORE: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '0.0',
};

export function reportsToSarif(
  reports: readonly { report: ScanReport; base?: string }[],
  toolVersion?: string,
): SarifLog {
  const rules = [...RULE_CATALOG.values()].map((r) => ({
    id: r.id,
    shortDescription: r.title,
    fullDescription: r.why,
    helpUri: `docs/rules.md#${r.id.replace(/\./g, '')}`,
  }));
  const results = reports.flatMap(({ report, base }) => {
    const root = base ?? `${report.crate.name}-${report.crate.version}`;
    return report.findings.map((f) => ({
      ruleId: f.ruleId,
      level: LEVEL[f.severity],
      message: `${f.title}: ${f.evidence}. ${f.why}`,
      uri: f.file ? `${root}/${f.file}` : root,
      line: f.line,
      properties: {
        severity: f.severity,
        'security-severity': SCORE[f.severity],
        crate: `${report.crate.name} ${report.crate.version}`,
        ...(f.context ? { context: f.context } : {}),
      },
    }));
  });
  return buildSarifLog(
    { name: 'cratekeeper-scanner', ...(toolVersion ? { version: toolVersion } : {}) },
    rules,
    results,
  );
}
