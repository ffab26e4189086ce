// Audit signatures: a valid one verifies; changing any signed field, the reviewed file's
// checksum, the key or the signature makes verification fail.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  canonicalAuditBytes,
  keyIdOf,
  signAudit,
  stableJson,
  verifyAudit,
  type SignedAudit,
} from './audit-signature.js';

const keys = generateKeyPairSync('ed25519');
const base: SignedAudit = {
  crate: 'demo',
  kind: { type: 'full', version: '1.2.0' },
  criteria: ['safe-to-run', 'safe-to-deploy'],
  who: 'Ada <ada>',
  notes: 'read every line\nno unsafe',
  checksums: [{ version: '1.2.0', sha256: 'a'.repeat(64) }],
};

describe('audit signatures', () => {
  const sig = signAudit(base, keys.privateKey);

  it('verifies the signed entry, and is independent of criteria order', () => {
    expect(verifyAudit(base, sig, keys.publicKey)).toBe(true);
    expect(verifyAudit({ ...base, criteria: ['safe-to-deploy', 'safe-to-run'] }, sig, keys.publicKey)).toBe(
      true,
    );
    const pem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(verifyAudit(base, sig, pem)).toBe(true);
  });

  const tampered: [string, SignedAudit][] = [
    ['crate', { ...base, crate: 'demo2' }],
    ['version', { ...base, kind: { type: 'full', version: '1.2.1' } }],
    ['kind', { ...base, kind: { type: 'delta', from: '1.1.0', to: '1.2.0' } }],
    ['criteria (dropped)', { ...base, criteria: ['safe-to-run'] }],
    ['criteria (added)', { ...base, criteria: [...base.criteria, 'crypto-reviewed'] }],
    ['who', { ...base, who: 'Mallory' }],
    ['notes', { ...base, notes: 'read every line\nno unsafe ' }],
    ['notes (removed)', { ...base, notes: null }],
    ['checksum (swapped)', { ...base, checksums: [{ version: '1.2.0', sha256: 'b'.repeat(64) }] }],
    ['checksum (version)', { ...base, checksums: [{ version: '1.2.1', sha256: 'a'.repeat(64) }] }],
    ['checksums (none)', { ...base, checksums: [] }],
  ];
  it.each(tampered)('fails when %s changes', (_field, changed) => {
    expect(verifyAudit(changed, sig, keys.publicKey)).toBe(false);
  });

  it('fails with another key, a flipped bit or junk signatures', () => {
    const other = generateKeyPairSync('ed25519');
    expect(verifyAudit(base, sig, other.publicKey)).toBe(false);
    const bytes = Buffer.from(sig, 'base64');
    bytes[10]! ^= 1;
    expect(verifyAudit(base, bytes.toString('base64'), keys.publicKey)).toBe(false);
    for (const junk of ['', 'AAAA', `${sig}A`, '!'.repeat(88)])
      expect(verifyAudit(base, junk, keys.publicKey)).toBe(false);
    expect(verifyAudit(base, sig, 'not a key')).toBe(false);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(verifyAudit(base, sig, rsa.publicKey)).toBe(false);
    expect(() => signAudit(base, rsa.privateKey)).toThrow(/Ed25519/);
  });

  it('encodes canonically: sorted keys, sorted criteria and checksums, lowercase hex', () => {
    expect(stableJson({ b: 1, a: [{ d: 2, c: null }] })).toBe('{"a":[{"c":null,"d":2}],"b":1}');
    const delta: SignedAudit = {
      ...base,
      kind: { type: 'delta', from: '1.0.0', to: '1.2.0' },
      checksums: [
        { version: '1.2.0', sha256: 'A'.repeat(64) },
        { version: '1.0.0', sha256: 'c'.repeat(64) },
      ],
    };
    const text = canonicalAuditBytes(delta).toString();
    expect(text.indexOf('"1.0.0","sha256"')).toBeLessThan(text.indexOf('"version":"1.2.0"}'));
    expect(text).toContain('a'.repeat(64));
    expect(JSON.parse(text).criteria).toEqual(['safe-to-deploy', 'safe-to-run']);
    expect(keyIdOf(keys.publicKey)).toMatch(/^[0-9a-f]{32}$/);
  });
});
