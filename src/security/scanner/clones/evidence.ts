// The registry.clone finding's evidence: what matched, what changed (risky changes first), and
// a compact unified diff of each changed function, all bounded so a report stays readable.
import type { CloneAssessment } from './assess.js';
import { unifiedDiff } from './line-diff.js';
import type { RustFunction } from './rust-functions.js';

const MAX_NAMES = 8;
const MAX_DIFFS = 4;
const MAX_DIFF_LINES = 30;
export const MAX_EVIDENCE_CHARS = 6000;

const at = (f: RustFunction) => `${f.name} (${f.path}:${f.line})`;

function list(label: string, items: string[]): string | null {
  if (items.length === 0) return null;
  const shown = items.slice(0, MAX_NAMES).join(', ');
  return `${label}: ${shown}${items.length > MAX_NAMES ? `, … ${items.length - MAX_NAMES} more` : ''}`;
}

export function cloneEvidence(a: CloneAssessment): string {
  const { candidate, comparison: c, risky } = a;
  const riskOf = new Map(risky.map((r) => [r.fn, r]));
  const tag = (f: RustFunction) => {
    const r = riskOf.get(f);
    return r ? `${at(f)} [gains ${r.kinds.join(', ')}]` : at(f);
  };
  // Risky ones first, so they survive the cut.
  const byRisk = (x: RustFunction, y: RustFunction) => Number(riskOf.has(y)) - Number(riskOf.has(x));
  const changed = [...c.changed].sort((x, y) => byRisk(x.clone, y.clone));
  const added = [...c.added].sort(byRisk);
  const head = [
    `clone of ${candidate.name}@${candidate.version}: ${c.identical.length}/${c.originalFunctions} functions identical, ${c.changed.length} changed, ${c.added.length} added, ${c.removed.length} removed; ${c.identicalFiles}/${c.originalFiles} Rust files identical`,
    `matched by ${candidate.reasons.join(', ')}${candidate.truncated ? ' (original compared in part)' : ''}`,
    list(
      'changed',
      changed.map((ch) => tag(ch.clone)),
    ),
    list('added', added.map(tag)),
    list('removed', c.removed.map(at)),
  ].filter((s): s is string => s !== null);
  const diffs: string[] = [];
  for (const ch of changed.slice(0, MAX_DIFFS)) {
    const d = unifiedDiff(ch.original.lines, ch.clone.lines, { maxLines: MAX_DIFF_LINES });
    diffs.push(
      `--- ${candidate.name}@${candidate.version} ${ch.original.path} ${ch.original.name}\n+++ ${ch.clone.path} ${ch.clone.name}\n${d ?? `(bodies differ too much to diff: ${ch.original.lines.length} → ${ch.clone.lines.length} lines)`}`,
    );
  }
  const text = [head.join('; '), ...diffs].join('\n');
  return text.length > MAX_EVIDENCE_CHARS ? `${text.slice(0, MAX_EVIDENCE_CHARS - 1)}…` : text;
}
