// The audit-authority tables on both databases: the auditor role, keys encrypted at rest and
// bound to their owner, criteria, and audits whose stored rows verify until they are edited.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS, openTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { signAudit, verifyAudit } from '../security/vet/audit-signature.js';
import type { UserRow } from './schema.js';
import { UserRepository } from './users.js';
import { criteriaOf, signedAuditOf, VetAuditRepository } from './vet-audits.js';
import { VetKeyVault } from './vet-key-vault.js';

describe.each(DIALECTS)('vet audit store on %s', (dialect) => {
  let t: TestDatabase;
  let repo: VetAuditRepository;
  let ada: UserRow;
  const vault = VetKeyVault.fromKey(randomBytes(32));
  beforeEach(async () => {
    t = await openTestDatabase(dialect);
    repo = new VetAuditRepository(t.db.kysely);
    ada = await new UserRepository(t.db.kysely).create({ login: 'ada', name: 'Ada' });
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('grants and revokes the auditor role and keeps retired keys', async () => {
    expect(ada.is_auditor).toBe(0);
    await repo.setAuditor(ada.id, true);
    const key = vault.generate(ada.id);
    await repo.addKey(ada.id, key);
    expect((await repo.auditors()).map((u) => u.login)).toEqual(['ada']);
    expect((await repo.activeKey(ada.id))?.key_id).toBe(key.keyId);
    await repo.setAuditor(ada.id, false);
    expect(await repo.retireKeys(ada.id)).toBe(1);
    expect(await repo.auditors()).toEqual([]);
    expect(await repo.activeKey(ada.id)).toBeUndefined();
    expect((await repo.keysOf(ada.id))[0]?.retired_at).not.toBeNull();
    expect((await repo.keysOf(ada.id))[0]?.revoked_at).toBeNull();
  });

  it('stores a signed audit that verifies, and fails once a column is edited', async () => {
    const key = vault.generate(ada.id);
    await repo.addKey(ada.id, key);
    const row = (await repo.activeKey(ada.id))!;
    const priv = vault.privateKey(row);
    await repo.addCriteria('crypto-reviewed', 'constant-time code checked', ['safe-to-deploy']);
    const entry = {
      crate: 'demo',
      kind: { type: 'full', version: '1.0.0' } as const,
      criteria: ['safe-to-deploy', 'crypto-reviewed'],
      who: 'Ada (ada)',
      notes: 'line one\nline two',
      checksums: [{ version: '1.0.0', sha256: 'ab'.repeat(32) }],
    };
    const stored = await repo.insertAudit({
      crateName: 'demo',
      kind: 'full',
      version: '1.0.0',
      criteria: entry.criteria,
      who: entry.who,
      notes: entry.notes,
      checksums: entry.checksums,
      signature: signAudit(entry, priv),
      keyId: key.keyId,
      recordedBy: ada.id,
    });
    expect(criteriaOf(stored)).toEqual(['crypto-reviewed', 'safe-to-deploy']);
    const [read] = await repo.audits('Demo');
    expect(verifyAudit(signedAuditOf(read!), read!.signature, row.public_key)).toBe(true);
    await t.db.kysely
      .updateTable('vet_audits')
      .set({ notes: 'line one' })
      .where('id', '=', stored.id)
      .execute();
    const [edited] = await repo.audits('demo');
    expect(verifyAudit(signedAuditOf(edited!), edited!.signature, row.public_key)).toBe(false);
    expect((await repo.criteria()).map((c) => [c.name, JSON.parse(c.implies)])).toEqual([
      ['crypto-reviewed', ['safe-to-deploy']],
    ]);
    await expect(repo.addCriteria('crypto-reviewed', 'again', [])).rejects.toThrow();
  });

  it('replaces an imported audit set of the same name', async () => {
    await repo.putImport('mozilla', 'https://example/a.toml', '[audits]\n', 0);
    await repo.putImport('mozilla', 'file.toml', '[[audits.x]]\n', 1);
    const rows = await repo.imports();
    expect(rows.map((r) => [r.name, r.source, r.audit_count])).toEqual([['mozilla', 'file.toml', 1]]);
  });
});

describe('vet key vault', () => {
  it('encrypts private keys bound to their owner and refuses another key file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ck-vault-'));
    try {
      const file = join(dir, 'vet-signing.key');
      const vault = VetKeyVault.fromFile(file);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(VetKeyVault.fromFile(file)).toBeDefined();
      const key = vault.generate(7);
      expect(key.privateKeyEnc).not.toContain('PRIVATE');
      const row = { user_id: 7, key_id: key.keyId, private_key_enc: key.privateKeyEnc };
      expect(vault.privateKey(row).asymmetricKeyType).toBe('ed25519');
      expect(() => vault.privateKey({ ...row, user_id: 8 })).toThrow(/cannot be decrypted/);
      expect(() => VetKeyVault.fromKey(randomBytes(32)).privateKey(row)).toThrow(/cannot be decrypted/);
      expect(() => vault.privateKey({ ...row, private_key_enc: 'AAAA' })).toThrow(/damaged/);
      expect(readFileSync(file, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
