// Whether this registry's audits certify a version for a criterion (the release policy): full
// audits, delta chains in both directions, implies (built-in and custom), violations, and
// audits whose signature no longer verifies, each worked out by hand.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { signAudit, type SignedAudit } from '../security/vet/audit-signature.js';
import { FsBlobStore } from '../store/blob-store.js';
import { CrateRepository } from '../store/crates.js';
import { UserRepository } from '../store/users.js';
import { VetAuditRepository } from '../store/vet-audits.js';
import { VetKeyVault } from '../store/vet-key-vault.js';
import { impliedClosure, VetAuthority } from './vet-authority.js';

describe('VetAuthority.certifies', () => {
  let t: TestDatabase;
  let dir: string;
  let vet: VetAuthority;
  let add: (kind: SignedAudit['kind'], criteria: string[]) => Promise<number>;
  beforeEach(async () => {
    t = await openTestDatabase('sqlite');
    dir = mkdtempSync(join(tmpdir(), 'ck-vetauth-'));
    const repo = new VetAuditRepository(t.db.kysely);
    const vault = VetKeyVault.fromKey(randomBytes(32));
    vet = new VetAuthority(repo, vault, new CrateRepository(t.db.kysely), new FsBlobStore(dir));
    const user = await new UserRepository(t.db.kysely).create({ login: 'ada' });
    await repo.addKey(user.id, vault.generate(user.id));
    const key = (await repo.activeKey(user.id))!;
    await repo.addCriteria('crypto-reviewed', 'constant-time code', ['safe-to-deploy']);
    add = async (kind, criteria) => {
      const entry: SignedAudit = { crate: 'demo', kind, criteria, who: 'ada', notes: null, checksums: [] };
      const row = await repo.insertAudit({
        crateName: 'demo',
        kind: kind.type,
        version: kind.type === 'full' ? kind.version : null,
        deltaFrom: kind.type === 'delta' ? kind.from : null,
        deltaTo: kind.type === 'delta' ? kind.to : null,
        violation: kind.type === 'violation' ? kind.violation : null,
        criteria,
        who: 'ada',
        notes: null,
        checksums: [],
        signature: signAudit(entry, vault.privateKey(key)),
        keyId: key.key_id,
        recordedBy: user.id,
      });
      return row.id;
    };
  });
  afterEach(async () => {
    await t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('follows full audits and delta chains both ways, with implies', async () => {
    await add({ type: 'full', version: '1.0.0' }, ['crypto-reviewed']);
    await add({ type: 'delta', from: '1.0.0', to: '1.1.0' }, ['safe-to-deploy']);
    await add({ type: 'delta', from: '0.9.0', to: '1.0.0' }, ['safe-to-deploy']); // backwards from 1.0.0
    await add({ type: 'delta', from: '1.1.0', to: '1.2.0' }, ['safe-to-run']);
    const cert = (v: string, c: string) => vet.certifies('demo', v, c);
    expect(await cert('1.0.0', 'safe-to-deploy')).toBe(true); // crypto-reviewed implies it
    expect(await cert('1.0.0', 'safe-to-run')).toBe(true); // and safe-to-deploy implies this
    expect(await cert('1.1.0', 'safe-to-deploy')).toBe(true);
    expect(await cert('0.9.0', 'safe-to-deploy')).toBe(true);
    expect(await cert('1.1.0', 'crypto-reviewed')).toBe(false); // the delta only certifies safe-to-deploy
    expect(await cert('1.2.0', 'safe-to-run')).toBe(true);
    expect(await cert('1.2.0', 'safe-to-deploy')).toBe(false); // the last link is only safe-to-run
    expect(await cert('2.0.0', 'safe-to-run')).toBe(false);
    expect(await vet.certifies('other', '1.0.0', 'safe-to-run')).toBe(false);
  });

  it('a violation covering the version wins; an audit whose row was edited counts for nothing', async () => {
    await add({ type: 'full', version: '1.0.0' }, ['safe-to-deploy']);
    const id = await add({ type: 'full', version: '2.0.0' }, ['safe-to-run']);
    await add({ type: 'violation', violation: '>=1.0.0, <1.1.0' }, ['safe-to-deploy']);
    expect(await vet.certifies('demo', '1.0.0', 'safe-to-deploy')).toBe(false);
    // As cargo-vet, a violation's criteria are closed under implies: safe-to-run is refused too.
    expect(await vet.certifies('demo', '1.0.0', 'safe-to-run')).toBe(false);
    expect(await vet.certifies('demo', '1.1.0', 'safe-to-run')).toBe(false); // never audited
    expect(await vet.certifies('demo', '2.0.0', 'safe-to-run')).toBe(true);
    await t.db.kysely
      .updateTable('vet_audits')
      .set({ criteria: '["safe-to-deploy"]' })
      .where('id', '=', id)
      .execute();
    expect(await vet.certifies('demo', '2.0.0', 'safe-to-run')).toBe(false);
    expect(await vet.certifies('demo', '2.0.0', 'safe-to-deploy')).toBe(false);
    const checks = await vet.signatureChecks(await vet.repo.audits('demo'));
    expect(checks.map((c) => c.signatureValid)).toEqual([true, false, true]);
  });

  it('closes criteria under implies', () => {
    expect([...impliedClosure(['safe-to-deploy'], [])].sort()).toEqual(['safe-to-deploy', 'safe-to-run']);
    expect(impliedClosure(['x'], []).has('safe-to-run')).toBe(false);
  });
});
