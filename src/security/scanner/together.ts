// The multi-crate mode: scan several crates, then follow the dependencies between them. A
// wrapper crate whose own code is clean but whose purpose is to pull a payload crate into builds
// (the uniswap-utils / arrayref 0.3.10 shape) is flagged by the company it keeps.
import { canonicalCrateName } from '../../domain/crate-name.js';
import { tryParseVersion } from '../../domain/semver.js';
import { matchesReq, tryParseVersionReq } from '../../domain/version-req.js';
import { ruleInfo } from './rules/catalog.js';
import { verdictOf } from './scan-crate.js';
import type { Finding, ScanReport, Severity } from './types.js';
import { atLeast, severityRank } from './types.js';

const RULE = 'together.flagged-dependency';

/**
 * Returns the reports with `together.flagged-dependency` findings added (and verdicts updated)
 * for every crate that depends, directly or through other crates of the set, on a crate whose own
 * findings reach `threshold`. Dependencies match by name and, when both parse, version requirement.
 */
export function scanTogether(reports: readonly ScanReport[], threshold: Severity = 'high'): ScanReport[] {
  const own = reports.map((r) => verdictOf(r.findings.filter((f) => f.ruleId !== RULE)));
  const byName = new Map<string, number[]>();
  reports.forEach((r, i) => {
    const key = canonicalCrateName(r.crate.name);
    byName.set(key, [...(byName.get(key) ?? []), i]);
  });
  const depsOf = (i: number): number[] => {
    const out: number[] = [];
    for (const d of reports[i]!.dependencies ?? []) {
      const req = tryParseVersionReq(d.req);
      for (const j of byName.get(canonicalCrateName(d.name)) ?? []) {
        if (j === i) continue;
        const v = tryParseVersion(reports[j]!.crate.version);
        if (!req || !v || matchesReq(req, v)) out.push(j);
      }
    }
    return out;
  };

  return reports.map((r, i) => {
    // Breadth-first: the nearest flagged crate, with the chain that leads to it.
    const prev = new Map<number, number>([[i, -1]]);
    const queue = [i];
    let hit: number | null = null;
    while (queue.length > 0 && hit === null) {
      const cur = queue.shift()!;
      for (const j of depsOf(cur)) {
        if (prev.has(j)) continue;
        prev.set(j, cur);
        const v = own[j]!;
        if (v !== 'clean' && atLeast(v, threshold)) {
          hit = j;
          break;
        }
        queue.push(j);
      }
    }
    if (hit === null) return r;
    const chain: string[] = [];
    for (let k: number = hit; k !== -1; k = prev.get(k)!)
      chain.unshift(`${reports[k]!.crate.name} ${reports[k]!.crate.version}`);
    const payload = own[hit]! as Severity;
    const direct = chain.length === 2;
    const severity: Severity = direct
      ? payload
      : severityRank(payload) > severityRank('high')
        ? 'high'
        : payload;
    const info = ruleInfo(RULE);
    const finding: Finding = {
      ruleId: RULE,
      severity,
      title: info.title,
      file: 'Cargo.toml',
      line: null,
      evidence: `${chain.join(' → ')} (verdict ${payload})`,
      why: info.why,
    };
    const findings = [finding, ...r.findings.filter((f) => f.ruleId !== RULE)];
    findings.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
    return { ...r, findings, verdict: verdictOf(findings) };
  });
}
