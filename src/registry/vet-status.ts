// Which criteria each version of a crate holds from the registry's signed audits, and through
// which audits: the same rule as VetAuthority.certifies (a chain from a full audit through deltas
// in either direction, each certifying the criteria or one implying it; no violation covering the
// version) computed for every version and criteria at once, keeping the chain for display.
import { tryParseVersion } from '../domain/semver.js';
import { matchesReq, tryParseVersionReq } from '../domain/version-req.js';
import type { AuditCheck } from './vet-authority.js';
import { BUILT_IN_CRITERIA, impliedClosure } from './vet-authority.js';
import { criteriaOf } from '../store/vet-audits.js';
import type { VetAuditRow, VetCriteriaRow } from '../store/schema.js';
import type { CertifiedBy, VersionAuditStatus } from '../admin/vet-console-types.js';

const how = (a: VetAuditRow): string =>
  a.kind === 'full'
    ? `full ${a.version}`
    : a.kind === 'delta'
      ? `delta ${a.delta_from} -> ${a.delta_to}`
      : `violation ${a.violation}`;

export function versionAuditStatus(
  versions: { num: string; checksum: string; status: string }[],
  checks: AuditCheck[],
  custom: VetCriteriaRow[],
): VersionAuditStatus[] {
  const valid = checks.filter((c) => c.signatureValid).map((c) => c.audit);
  const names = [...Object.keys(BUILT_IN_CRITERIA), ...custom.map((c) => c.name)];
  const closure = new Map(valid.map((a) => [a.id, impliedClosure(criteriaOf(a), custom)]));
  // Per criteria: the chain (audits) that first reaches each version, breadth-first.
  const chains = new Map<string, Map<string, VetAuditRow[]>>();
  for (const criterion of names) {
    const holds = valid.filter((a) => closure.get(a.id)!.has(criterion));
    const reached = new Map<string, VetAuditRow[]>();
    const queue: string[] = [];
    for (const a of holds)
      if (a.kind === 'full' && !reached.has(a.version!)) {
        reached.set(a.version!, [a]);
        queue.push(a.version!);
      }
    while (queue.length > 0) {
      const at = queue.shift()!;
      for (const a of holds) {
        if (a.kind !== 'delta') continue;
        const next = a.delta_from === at ? a.delta_to! : a.delta_to === at ? a.delta_from! : null;
        if (next !== null && !reached.has(next)) {
          reached.set(next, [...reached.get(at)!, a]);
          queue.push(next);
        }
      }
    }
    chains.set(criterion, reached);
  }
  return versions.map((v) => {
    const parsed = tryParseVersion(v.num);
    const violations = valid.filter((a) => {
      if (a.kind !== 'violation') return false;
      const req = tryParseVersionReq(a.violation!);
      return req !== null && parsed !== null && matchesReq(req, parsed);
    });
    const violated = new Set(violations.flatMap((a) => [...closure.get(a.id)!]));
    const certified = names
      .filter((c) => !violated.has(c) && chains.get(c)!.has(v.num))
      .map((c) => {
        const chain = chains.get(c)!.get(v.num)!;
        const by: CertifiedBy[] = chain.map((a) => ({
          auditId: a.id,
          who: a.who,
          how: how(a),
          signatureValid: true,
        }));
        return { criteria: c, by, implied: !chain.every((a) => criteriaOf(a).includes(c)) };
      });
    const invalid = checks
      .filter(
        (c) =>
          !c.signatureValid &&
          (c.audit.version === v.num || c.audit.delta_from === v.num || c.audit.delta_to === v.num),
      )
      .map((c) => c.audit.id);
    return {
      version: v.num,
      checksum: v.checksum,
      status: v.status,
      certified,
      violations: violations.map((a) => ({
        auditId: a.id,
        who: a.who,
        violation: a.violation!,
        criteria: criteriaOf(a),
      })),
      invalid,
    };
  });
}
