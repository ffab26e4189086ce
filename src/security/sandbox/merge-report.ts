// A sandboxed build's findings joined to the static scan's report: the verdict is the worst of
// both, and what the build was seen doing is added to the capabilities as `sandbox:<what>`.
import { verdictOf } from '../scanner/scan-crate.js';
import { atLeast, type Finding, type ScanReport } from '../scanner/types.js';

export function mergeDetonation(report: ScanReport, findings: readonly Finding[]): ScanReport {
  const all = [...report.findings.filter((f) => !f.ruleId.startsWith('sandbox.')), ...findings];
  const seen = findings
    .filter((f) => atLeast(f.severity, 'low'))
    .map((f) => `sandbox:${f.ruleId.slice('sandbox.'.length)}`);
  return {
    ...report,
    findings: all,
    verdict: verdictOf(all),
    capabilities: [
      ...new Set([...report.capabilities.filter((c) => !c.startsWith('sandbox:')), ...seen]),
    ].sort(),
  };
}
