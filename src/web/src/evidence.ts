// An alert's evidence: what the server sends under `evidence`, or, from a server that sends only
// the alert, what can be read from the alert's own `details`.
import type { AlertDetail, Alert, Evidence, Finding, Severity } from './api-types.js';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function findingsFrom(v: unknown): Finding[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.filter(isRecord).map((f) => ({
    ruleId: str(f.ruleId) ?? str(f.rule) ?? '?',
    severity: (str(f.severity) ?? 'info') as Severity,
    title: str(f.title) ?? str(f.message) ?? '',
    file: str(f.file),
    line: num(f.line),
    ...(str(f.evidence) !== null ? { evidence: str(f.evidence)! } : {}),
    ...(str(f.why) !== null ? { why: str(f.why)! } : {}),
    ...(Array.isArray(f.code)
      ? {
          code: f.code
            .filter(isRecord)
            .map((c) => ({ n: num(c.n) ?? 0, text: str(c.text) ?? '' }))
            .slice(0, 200),
        }
      : {}),
  }));
}

export function evidenceOf(alert: Alert, evidence: Evidence | null | undefined): Evidence {
  if (evidence) return evidence;
  const d = isRecord(alert.details) ? alert.details : {};
  const out: Evidence = { kind: alert.kind };
  const findings = findingsFrom(d.findings);
  if (findings) out.findings = findings;
  const target = str(d.target);
  if (target) {
    out.squat = {
      target,
      targetOwners: Array.isArray(d.targetOwners) ? d.targetOwners.filter((o) => typeof o === 'string') : [],
      check: str(d.kind) ?? str(d.check) ?? alert.kind,
      message: str(d.message) ?? alert.title,
      similarity: num(d.similarity) ?? num(d.score),
    };
  }
  return out;
}

/** Accepts both the contract's `{alert, notes, evidence, impact}` and a bare alert. */
export function normalizeAlertDetail(answer: unknown): AlertDetail {
  if (isRecord(answer) && isRecord(answer.alert)) {
    const a = answer as unknown as AlertDetail;
    return {
      alert: a.alert,
      notes: Array.isArray(a.notes) ? a.notes : [],
      evidence: a.evidence ?? evidenceOf(a.alert, null),
      impact: a.impact ?? null,
    };
  }
  return { alert: answer as Alert, notes: [], evidence: evidenceOf(answer as Alert, null), impact: null };
}
