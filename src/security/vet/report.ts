// `cargo vet check` output (`format.rs` `JsonReport`, `resolver.rs` `print_json` and
// `print_human`): the JSON is `{"conclusion": "success" | "fail (vetting)" | "fail (violation)",
// …}` with cargo-vet's field names; `suggest` is null as in cargo-vet's `--locked` runs, since
// its ranking needs diff statistics of the crates' sources. The human text follows cargo-vet's
// and adds, per failure, the audit to record next.
import { formatAuditKindFields, type AuditEntry } from '../../formats/vet-audits.js';
import { formatVetVersion } from '../../formats/vet-common.js';
import type { ExemptedDependency } from '../../formats/vet-config.js';
import {
  suggestionCandidates,
  type ResolveReport,
  type SuggestedDelta,
  type ViolationConflict,
} from './resolver.js';

/** serde's `string_or_vec`: one item as a string. */
function stringOrVec(items: readonly string[]): string | string[] {
  return items.length === 1 ? (items[0] as string) : [...items];
}

/** An audit entry as serde writes cargo-vet's `AuditEntryAll` to JSON. */
function auditJson(e: AuditEntry): Record<string, unknown> {
  const k = formatAuditKindFields(e.kind);
  const out: Record<string, unknown> = {};
  if (e.who.length > 0) out['who'] = stringOrVec(e.who);
  out['criteria'] = stringOrVec(e.criteria);
  out['version'] = k.version ?? null;
  out['delta'] = k.delta ?? null;
  out['violation'] = k.violation ?? null;
  out['importable'] = e.importable ? null : false;
  out['notes'] = e.notes ?? null;
  if (e.aggregatedFrom.length > 0) out['aggregated-from'] = stringOrVec(e.aggregatedFrom);
  return out;
}

function exemptionJson(e: ExemptedDependency): Record<string, unknown> {
  const out: Record<string, unknown> = {
    version: formatVetVersion(e.version),
    criteria: stringOrVec(e.criteria),
  };
  if (!e.suggest) out['suggest'] = false;
  out['notes'] = e.notes ?? null;
  return out;
}

function conflictJson(c: ViolationConflict): Record<string, unknown> {
  if (c.type === 'exemption') {
    return {
      UnauditedConflict: {
        violation_source: c.violationSource ?? null,
        violation: auditJson(c.violation),
        exemptions: exemptionJson(c.exemption),
      },
    };
  }
  return {
    AuditConflict: {
      violation_source: c.violationSource ?? null,
      violation: auditJson(c.violation),
      audit_source: c.auditSource ?? null,
      audit: auditJson(c.audit),
    },
  };
}

export function reportJson(r: ResolveReport): Record<string, unknown> {
  const pkg = (i: number): { name: string; version: string } => {
    const n = r.graph.nodes[i]!;
    return { name: n.name, version: formatVetVersion(n.version) };
  };
  if (r.conclusion === 'fail (violation)') {
    const violations: Record<string, unknown[]> = {};
    const keyed = r.violations.map((v) => {
      const p = pkg(v.pkg);
      return [`${p.name}:${p.version}`, v.conflicts.map(conflictJson)] as const;
    });
    // serde writes cargo-vet's SortedMap in key order.
    for (const [k, v] of [...keyed].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)))
      violations[k] = v;
    return { conclusion: r.conclusion, violations };
  }
  if (r.conclusion === 'fail (vetting)') {
    return {
      conclusion: r.conclusion,
      failures: r.failures.map((f) => ({ ...pkg(f.pkg), missing_criteria: r.mapper.namesOf(f.missing) })),
      suggest: null,
    };
  }
  return {
    conclusion: r.conclusion,
    vetted_fully: r.vettedFully.map(pkg),
    vetted_partially: r.vettedPartially.map(pkg),
    vetted_with_exemptions: r.vettedWithExemptions.map(pkg),
  };
}

function entryText(source: string | undefined, e: AuditEntry): string {
  const k = e.kind;
  const what =
    k.type === 'full'
      ? `audit ${formatVetVersion(k.version)}`
      : k.type === 'delta'
        ? `audit ${formatVetVersion(k.from)} -> ${formatVetVersion(k.to)}`
        : `violation against ${formatAuditKindFields(k).violation}`;
  return `${source === undefined ? 'own' : `foreign (${source})`} ${what}\n      criteria: ${JSON.stringify(e.criteria)}\n${e.notes !== undefined ? `      notes: ${e.notes}\n` : ''}`;
}

export function reportHuman(r: ResolveReport, diffStats?: DiffStatProvider): string {
  if (r.conclusion === 'success') {
    const parts: string[] = [];
    if (r.vettedFully.length > 0) parts.push(`${r.vettedFully.length} fully audited`);
    if (r.vettedPartially.length > 0) parts.push(`${r.vettedPartially.length} partially audited`);
    if (r.vettedWithExemptions.length > 0) parts.push(`${r.vettedWithExemptions.length} exempted`);
    return parts.length === 0
      ? 'Vetting Succeeded (because you have no third-party dependencies)\n'
      : `Vetting Succeeded (${parts.join(', ')})\n`;
  }
  if (r.conclusion === 'fail (violation)') {
    let out = 'Violations Found!\n';
    for (const v of r.violations) {
      const n = r.graph.nodes[v.pkg]!;
      out += `  ${n.name}:${formatVetVersion(n.version)}\n`;
      for (const c of v.conflicts) {
        if (c.type === 'exemption') {
          out += `    the exemption ${formatVetVersion(c.exemption.version)}\n      criteria: ${JSON.stringify(c.exemption.criteria)}\n`;
          if (c.exemption.notes !== undefined) out += `      notes: ${c.exemption.notes}\n`;
        } else {
          out += `    the ${entryText(c.auditSource, c.audit)}`;
        }
        out += `    conflicts with ${entryText(c.violationSource, c.violation)}\n`;
      }
    }
    return out;
  }
  let out = `Vetting Failed!\n\n${r.failures.length} unvetted dependencies:\n`;
  const rows = [...r.failures].sort((a, b) => a.pkg - b.pkg);
  for (const f of rows) {
    const n = r.graph.nodes[f.pkg]!;
    out += `  ${n.name}:${formatVetVersion(n.version)} missing ${JSON.stringify(r.mapper.namesOf(f.missing))}\n`;
  }
  out += '\nrecommended audits:\n';
  for (const f of rows) {
    const n = r.graph.nodes[f.pkg]!;
    const candidates = suggestionCandidates(f);
    // cargo-vet keeps the candidate with the fewest changed lines; unmeasured ones rank last.
    const measured = candidates
      .map((c) => ({ c, stat: diffStats?.(n.name, c) }))
      .filter((m): m is { c: SuggestedDelta; stat: DiffStat } => m.stat !== undefined);
    const best = measured.sort(
      (a, b) => a.stat.insertions + a.stat.deletions - (b.stat.insertions + b.stat.deletions),
    )[0];
    const pick = best?.c ?? candidates[0] ?? { from: null, to: n.version };
    const criteria = r.mapper.namesOf(f.missing).join(', ');
    const size = best ? `: ${formatDiffStat(best.stat)}` : '';
    out +=
      pick.from === null
        ? `  cargo vet inspect ${n.name} ${formatVetVersion(pick.to)}   (${criteria}; full audit${size})\n`
        : `  cargo vet diff ${n.name} ${formatVetVersion(pick.from)} ${formatVetVersion(pick.to)}   (${criteria}; from audited ${formatVetVersion(pick.from)}${size})\n`;
  }
  return out;
}

export interface DiffStat {
  filesChanged: number;
  insertions: number;
  deletions: number;
}

/** Measures a candidate delta, when both versions' sources are at hand. */
export type DiffStatProvider = (crate: string, delta: SuggestedDelta) => DiffStat | undefined;

/** cargo-vet's `DiffStat` display. */
export function formatDiffStat(d: DiffStat): string {
  let s = `${d.filesChanged} files changed`;
  if (d.insertions > 0) s += `, ${d.insertions} insertions(+)`;
  if (d.deletions > 0) s += `, ${d.deletions} deletions(-)`;
  return s;
}
