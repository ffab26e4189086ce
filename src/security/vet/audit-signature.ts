// Signatures over recorded cargo-vet audits. The signed bytes are a canonical encoding of the
// entry (JSON with sorted keys and sorted criteria, under a version tag) together with the
// SHA-256 of every `.crate` file reviewed, so an audit is bound to the exact bytes its auditor
// read: editing any field, or serving a different file for the version, breaks it.
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

export const AUDIT_SIGNATURE_VERSION = 'cratekeeper-vet-audit/1';

export type SignedAuditKind =
  | { type: 'full'; version: string }
  | { type: 'delta'; from: string; to: string }
  | { type: 'violation'; violation: string };

export interface ReviewedFile {
  version: string;
  /** SHA-256 of the `.crate` file, lowercase hex. */
  sha256: string;
}

export interface SignedAudit {
  crate: string;
  kind: SignedAuditKind;
  criteria: readonly string[];
  who: string;
  notes: string | null;
  checksums: readonly ReviewedFile[];
}

/** JSON with object keys sorted at every level; arrays keep their order. */
export function stableJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  const entries = Object.entries(v as Record<string, unknown>)
    .filter(([, x]) => x !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableJson(x)}`).join(',')}}`;
}

const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The exact bytes signed for an audit. */
export function canonicalAuditBytes(a: SignedAudit): Buffer {
  const kind =
    a.kind.type === 'full'
      ? { type: 'full', version: a.kind.version }
      : a.kind.type === 'delta'
        ? { type: 'delta', from: a.kind.from, to: a.kind.to }
        : { type: 'violation', violation: a.kind.violation };
  const doc = {
    format: AUDIT_SIGNATURE_VERSION,
    crate: a.crate,
    kind,
    criteria: [...a.criteria].sort(byCode),
    who: a.who,
    notes: a.notes,
    checksums: [...a.checksums]
      .map((c) => ({ version: c.version, sha256: c.sha256.toLowerCase() }))
      .sort((x, y) => byCode(x.version, y.version) || byCode(x.sha256, y.sha256)),
  };
  return Buffer.from(stableJson(doc), 'utf8');
}

/** Ed25519 (no pre-hash: node's `sign` with a null algorithm) over the canonical bytes, base64. */
export function signAudit(a: SignedAudit, privateKey: KeyObject): string {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('audit keys are Ed25519 keys');
  return sign(null, canonicalAuditBytes(a), privateKey).toString('base64');
}

/** Whether `signature` (base64) is `publicKey`'s signature over this audit; false for junk input. */
export function verifyAudit(a: SignedAudit, signature: string, publicKey: KeyObject | string): boolean {
  try {
    const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
    if (key.asymmetricKeyType !== 'ed25519') return false;
    if (!/^[A-Za-z0-9+/]{86}==$/.test(signature)) return false;
    return verify(null, canonicalAuditBytes(a), key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** A key's id: the first 16 bytes of SHA-256 over its SPKI DER encoding, hex. */
export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 32);
}
