// The registry as a cargo-vet audit authority: criteria with `implies`, signing on an auditor's
// behalf, checking signatures and the files they are bound to, the `audits.toml` the registry
// serves, and whether a version is certified for a criterion (the release-from-quarantine policy).
import { createHash } from 'node:crypto';
import { parseVersion } from '../domain/semver.js';
import { matchesReq, parseVersionReq } from '../domain/version-req.js';
import { emptyAuditsFile, writeAuditsToml, type AuditEntry, type AuditsFile } from '../formats/vet-audits.js';
import { parseVetVersion } from '../formats/vet-common.js';
import { verifyAudit } from '../security/vet/audit-signature.js';
import { keyProblem } from '../security/vet/key-validity.js';
import { SAFE_TO_DEPLOY, SAFE_TO_RUN } from '../security/vet/criteria.js';
import type { BlobStore } from '../store/blob-store.js';
import type { CrateRepository } from '../store/crates.js';
import type { VetAuditRow, VetCriteriaRow } from '../store/schema.js';
import { criteriaOf, signedAuditOf, type VetAuditRepository } from '../store/vet-audits.js';
import type { VetKeyVault } from '../store/vet-key-vault.js';

export const BUILT_IN_CRITERIA: Record<string, { description: string; implies: string[] }> = {
  [SAFE_TO_RUN]: { description: 'cargo-vet built-in: safe to compile, run and test locally', implies: [] },
  [SAFE_TO_DEPLOY]: {
    description: 'cargo-vet built-in: safe to deploy to production exposed to untrusted input',
    implies: [SAFE_TO_RUN],
  },
};

const CRITERIA_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

export function criteriaNameError(name: string): string | null {
  return CRITERIA_NAME.test(name)
    ? null
    : `invalid criteria name \`${name.slice(0, 70)}\`: use 1-64 lowercase letters, digits and \`-\``;
}

/** Every criterion `criteria` stands for, closed under `implies` (built-ins included). */
export function impliedClosure(criteria: readonly string[], custom: readonly VetCriteriaRow[]): Set<string> {
  const implies = new Map<string, string[]>();
  for (const [name, c] of Object.entries(BUILT_IN_CRITERIA)) implies.set(name, c.implies);
  for (const c of custom) implies.set(c.name, JSON.parse(c.implies) as string[]);
  const out = new Set<string>();
  const stack = [...criteria];
  while (stack.length) {
    const c = stack.pop()!;
    if (out.has(c)) continue;
    out.add(c);
    stack.push(...(implies.get(c) ?? []));
  }
  return out;
}

export interface AuditCheck {
  audit: VetAuditRow;
  signatureValid: boolean;
  /** Why the audit no longer holds (bad signature, unknown key, changed or missing file). */
  problems: string[];
}

export class VetAuthority {
  readonly repo: VetAuditRepository;

  constructor(
    repo: VetAuditRepository,
    readonly vault: VetKeyVault,
    private readonly crates: CrateRepository,
    private readonly blobs: BlobStore,
  ) {
    this.repo = repo;
  }

  /**
   * Signature check of stored rows (no file reads): what the console and lists show. Each audit
   * is checked against the key it names, which must have been its recorder's current key when
   * it was recorded (rotated keys keep their old audits valid) and must not be revoked.
   */
  async signatureChecks(rows: VetAuditRow[]): Promise<AuditCheck[]> {
    const keys = new Map((await this.repo.keys()).map((k) => [k.key_id, k]));
    return rows.map((audit) => {
      const key = keys.get(audit.key_id);
      const problems: string[] = [];
      if (!key) problems.push(`signed with unknown key ${audit.key_id}`);
      else {
        // The key must have been the recorder's current one when the audit was recorded.
        const stale = keyProblem(key, audit);
        if (stale) problems.push(stale);
        if (!verifyAudit(signedAuditOf(audit), audit.signature, key.public_key))
          problems.push('signature does not match the recorded audit');
      }
      return { audit, signatureValid: problems.length === 0, problems };
    });
  }

  /**
   * The full check `vet verify` runs: every signature, and each reviewed file is still the one
   * the registry serves for that version (the version's checksum and the stored bytes).
   */
  async verifyAll(onAudit?: (done: number) => void): Promise<AuditCheck[]> {
    const checks = await this.signatureChecks(await this.repo.audits());
    let done = 0;
    for (const check of checks) {
      const a = check.audit;
      const krate = await this.crates.findByName(a.crate_name);
      for (const file of signedAuditOf(a).checksums) {
        const v = krate ? await this.crates.findVersion(krate.id, file.version) : undefined;
        if (!v) {
          check.problems.push(`${a.crate_name}@${file.version} is no longer in the registry`);
          continue;
        }
        if (v.checksum !== file.sha256) {
          check.problems.push(
            `${a.crate_name}@${file.version} is now served with checksum ${v.checksum}, not the ${file.sha256} audited`,
          );
          continue;
        }
        const bytes = await this.blobs.get(v.checksum);
        if (!bytes)
          check.problems.push(`the file of ${a.crate_name}@${file.version} is missing from storage`);
        else if (createHash('sha256').update(bytes).digest('hex') !== file.sha256)
          check.problems.push(
            `the stored file of ${a.crate_name}@${file.version} does not match its checksum`,
          );
      }
      onAudit?.(++done);
    }
    return checks;
  }

  /** The registry's audits in cargo-vet's format: its criteria and every importable, validly signed audit. */
  async auditsToml(): Promise<string> {
    const file: AuditsFile = emptyAuditsFile();
    for (const c of await this.repo.criteria()) {
      file.criteria.push([
        c.name,
        {
          description: c.description,
          implies: JSON.parse(c.implies) as string[],
          aggregatedFrom: [],
          extra: [],
        },
      ]);
    }
    const byCrate = new Map<string, AuditEntry[]>();
    for (const check of await this.signatureChecks(await this.repo.audits())) {
      const a = check.audit;
      if (!check.signatureValid || a.importable !== 1) continue;
      const entry: AuditEntry = {
        who: [a.who],
        criteria: criteriaOf(a),
        kind:
          a.kind === 'full'
            ? { type: 'full', version: parseVetVersion(a.version!) }
            : a.kind === 'delta'
              ? { type: 'delta', from: parseVetVersion(a.delta_from!), to: parseVetVersion(a.delta_to!) }
              : { type: 'violation', violation: parseVersionReq(a.violation!) },
        importable: true,
        ...(a.notes ? { notes: a.notes } : {}),
        aggregatedFrom: [],
        extra: [],
      };
      const list = byCrate.get(a.crate_name) ?? [];
      list.push(entry);
      byCrate.set(a.crate_name, list);
    }
    file.audits = [...byCrate];
    return writeAuditsToml(file, { tidy: true });
  }

  /**
   * Whether `crate@version` holds `criterion` from this registry's validly signed audits: a
   * path from nothing through full audits and deltas (either direction) each certifying it (or
   * a criterion implying it), and no violation audit covering the version for it.
   */
  async certifies(crateName: string, version: string, criterion: string): Promise<boolean> {
    const custom = await this.repo.criteria();
    const checks = (await this.signatureChecks(await this.repo.audits(crateName))).filter(
      (c) => c.signatureValid,
    );
    const holds = (a: VetAuditRow) => impliedClosure(criteriaOf(a), custom).has(criterion);
    const target = parseVersion(version);
    for (const { audit } of checks) {
      if (audit.kind !== 'violation' || !holds(audit)) continue;
      if (matchesReq(parseVersionReq(audit.violation!), target)) return false;
    }
    const reached = new Set<string>();
    const queue: string[] = [];
    for (const { audit } of checks)
      if (audit.kind === 'full' && holds(audit) && !reached.has(audit.version!)) {
        reached.add(audit.version!);
        queue.push(audit.version!);
      }
    while (queue.length) {
      const at = queue.shift()!;
      for (const { audit } of checks) {
        if (audit.kind !== 'delta' || !holds(audit)) continue;
        const next =
          audit.delta_from === at ? audit.delta_to! : audit.delta_to === at ? audit.delta_from! : null;
        if (next !== null && !reached.has(next)) {
          reached.add(next);
          queue.push(next);
        }
      }
    }
    return reached.has(version);
  }
}
