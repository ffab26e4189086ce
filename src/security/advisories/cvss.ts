// CVSS base scores and qualitative severities for advisory `cvss` vectors: what cargo-audit
// prints ("Severity: 7.5 (high)"), puts in SARIF (`security-severity`) and what
// `severity_threshold` compares. v2 and v3.x by the FIRST specifications' base equations;
// v4.0 vectors are not scored here (null), so they never hide an advisory.

export type Severity = 'none' | 'low' | 'medium' | 'high' | 'critical';

export const SEVERITIES: readonly Severity[] = ['none', 'low', 'medium', 'high', 'critical'];

export function isSeverity(s: string): s is Severity {
  return (SEVERITIES as readonly string[]).includes(s);
}

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** The qualitative rating of a score (CVSS v3/v4 rating scale; v2 uses the same bands here). */
export function severityOfScore(score: number): Severity {
  if (score <= 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

function metrics(parts: string[]): Map<string, string> | null {
  const out = new Map<string, string>();
  for (const p of parts) {
    const colon = p.indexOf(':');
    if (colon <= 0) return null;
    const k = p.slice(0, colon);
    if (out.has(k)) return null;
    out.set(k, p.slice(colon + 1));
  }
  return out;
}

/** CVSS v3.1 `Roundup`: the smallest one-decimal number not below the input, float-safe. */
function roundUp(x: number): number {
  const i = Math.round(x * 100000);
  return i % 10000 === 0 ? i / 100000 : (Math.floor(i / 10000) + 1) / 10;
}

function scoreV3(m: Map<string, string>): number | null {
  const AV: Record<string, number> = { N: 0.85, A: 0.62, L: 0.55, P: 0.2 };
  const AC: Record<string, number> = { L: 0.77, H: 0.44 };
  const UI: Record<string, number> = { N: 0.85, R: 0.62 };
  const CIA: Record<string, number> = { H: 0.56, L: 0.22, N: 0 };
  const s = m.get('S');
  if (s !== 'U' && s !== 'C') return null;
  const PR: Record<string, number> = s === 'C' ? { N: 0.85, L: 0.68, H: 0.5 } : { N: 0.85, L: 0.62, H: 0.27 };
  const av = AV[m.get('AV') ?? ''];
  const ac = AC[m.get('AC') ?? ''];
  const pr = PR[m.get('PR') ?? ''];
  const ui = UI[m.get('UI') ?? ''];
  const c = CIA[m.get('C') ?? ''];
  const i = CIA[m.get('I') ?? ''];
  const a = CIA[m.get('A') ?? ''];
  if ([av, ac, pr, ui, c, i, a].some((v) => v === undefined)) return null;
  const iss = 1 - (1 - c!) * (1 - i!) * (1 - a!);
  const impact = s === 'U' ? 6.42 * iss : 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15);
  const exploitability = 8.22 * av! * ac! * pr! * ui!;
  if (impact <= 0) return 0;
  return s === 'U'
    ? roundUp(Math.min(impact + exploitability, 10))
    : roundUp(Math.min(1.08 * (impact + exploitability), 10));
}

function scoreV2(m: Map<string, string>): number | null {
  const AV: Record<string, number> = { L: 0.395, A: 0.646, N: 1 };
  const AC: Record<string, number> = { H: 0.35, M: 0.61, L: 0.71 };
  const AU: Record<string, number> = { M: 0.45, S: 0.56, N: 0.704 };
  const CIA: Record<string, number> = { N: 0, P: 0.275, C: 0.66 };
  const av = AV[m.get('AV') ?? ''];
  const ac = AC[m.get('AC') ?? ''];
  const au = AU[m.get('Au') ?? ''];
  const c = CIA[m.get('C') ?? ''];
  const i = CIA[m.get('I') ?? ''];
  const a = CIA[m.get('A') ?? ''];
  if ([av, ac, au, c, i, a].some((v) => v === undefined)) return null;
  const impact = 10.41 * (1 - (1 - c!) * (1 - i!) * (1 - a!));
  const exploitability = 20 * av! * ac! * au!;
  const f = impact === 0 ? 0 : 1.176;
  return Math.round((0.6 * impact + 0.4 * exploitability - 1.5) * f * 10) / 10;
}

/** The base score of a vector, or null when it is not a v2/v3.x vector we can score. */
export function cvssScore(vector: string): number | null {
  if (typeof vector !== 'string' || vector.length > 512) return null;
  const parts = vector.split('/');
  if (parts[0] === 'CVSS:3.0' || parts[0] === 'CVSS:3.1') {
    const m = metrics(parts.slice(1));
    return m ? scoreV3(m) : null;
  }
  if (parts[0]?.startsWith('CVSS:')) return null;
  const m = metrics(parts);
  return m ? scoreV2(m) : null;
}

export function cvssSeverity(vector: string): Severity | null {
  const score = cvssScore(vector);
  return score === null ? null : severityOfScore(score);
}
