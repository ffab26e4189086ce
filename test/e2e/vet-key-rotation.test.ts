// Auditor signing-key rotation and compromised-key revocation, on SQLite and PostgreSQL: an
// auditor rotates their key after re-authenticating; audits signed before stay verifiable with
// the retired key (kept, published, with its validity interval), new audits are signed with the
// new key, `vet verify` checks each audit against the key current when it was recorded and says
// which key vouched for what; both actions are in the audit log; revoking a key as compromised
// fails every audit it signed (verify, status, audits.toml) and gives the auditor a new key.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditorList, RevokeKeyAnswer, RotateKeyAnswer } from '../../src/admin/api-types.js';
import type { AuditorSelf, CrateAuditStatus, RecordAuditAnswer } from '../../src/admin/vet-console-types.js';
import { parseAuditsToml } from '../../src/formats/vet-audits.js';
import { dropPostgresSchema } from '../../src/store/database.js';
import { runCli } from '../support/cli-process.js';
import { createAdmin, signIn, type ConsoleSession } from '../support/console-session.js';
import { DIALECTS, POSTGRES_URL } from '../support/databases.js';
import { publishMinimal } from '../support/publish-body.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';

const PASSWORD = 'correct horse battery staple';

interface PublishedKeys {
  keys: {
    key_id: string;
    created_at: string;
    retired_at: string | null;
    revoked_at: string | null;
    status: string;
  }[];
}

describe.each(DIALECTS)('auditor key rotation (%s)', { timeout: 180_000 }, (dialect) => {
  let h: Harness;
  let admin: ConsoleSession;
  let ada: ConsoleSession;
  const schema = `ck_kr_${randomBytes(5).toString('hex')}`;
  let firstKey = '';
  let secondKey = '';

  const json = async <T>(who: ConsoleSession, method: string, path: string, body?: unknown) => {
    const res = await who.call(method, path, body);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  };
  const record = (body: Record<string, unknown>) =>
    json<RecordAuditAnswer>(ada, 'POST', '/api/admin/crates/mid/vet/audits', { reason: 'review', ...body });
  /** Ends the sudo window that signing in opened, as time would. */
  const expireSudo = () =>
    h.services.db.kysely.updateTable('sessions').set({ reauth_until: '2000-01-01T00:00:00.000Z' }).execute();
  const verify = () =>
    runCli([
      'vet',
      'verify',
      '--data',
      join(h.dir, 'data'),
      ...(dialect === 'postgres' ? ['--database-url', POSTGRES_URL, '--database-schema', schema] : []),
    ]);
  const status = async () => {
    const s = await json<CrateAuditStatus>(ada, 'GET', '/api/admin/crates/mid/vet/status');
    return new Map(s.versions.map((v) => [v.version, v.certified.map((c) => c.criteria)]));
  };

  beforeAll(async () => {
    h = await startRegistry(
      dialect === 'postgres' ? { database: { url: POSTGRES_URL, schema, poolSize: 4 } } : {},
    );
    await createAdmin(h, 'root', PASSWORD);
    await createAdmin(h, 'ada', PASSWORD, false);
    admin = await signIn(h, 'root', PASSWORD);
    const alice = await h.token('alice');
    for (const v of ['1.0.0', '1.1.0', '1.2.0'])
      expect((await publishMinimal(h.url, alice, 'mid', v)).status).toBe(200);
    await json(admin, 'POST', '/api/admin/vet/auditors/ada', { reason: 'security team' });
    ada = await signIn(h, 'ada', PASSWORD);
  });
  afterAll(async () => {
    await h?.close();
    if (dialect === 'postgres') await dropPostgresSchema(POSTGRES_URL, schema);
  });

  it('rotates after re-authentication; old audits verify with the retired key, new ones use the new key', async () => {
    const full = await record({ version: '1.0.0', criteria: ['safe-to-run'] });
    firstKey = full.audit.keyId;

    await expireSudo();
    const refused = await ada.call('POST', '/api/admin/vet/me/key/rotate', { reason: 'yearly rotation' });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ reauth: true });
    expect((await ada.call('POST', '/api/admin/session/reauth', { password: 'wrong one' })).status).toBe(401);
    await json(ada, 'POST', '/api/admin/session/reauth', { password: PASSWORD });
    const rotated = await json<RotateKeyAnswer>(ada, 'POST', '/api/admin/vet/me/key/rotate', {
      reason: 'yearly rotation',
    });
    expect(rotated.retiredKeyId).toBe(firstKey);
    secondKey = rotated.keyId;
    expect(secondKey).not.toBe(firstKey);

    const delta = await record({ delta: '1.0.0 -> 1.1.0', criteria: ['safe-to-run'] });
    expect(delta.audit.keyId).toBe(secondKey);

    // Both keys listed with their state and what each signed; the current one first.
    const me = await json<AuditorSelf>(ada, 'GET', '/api/admin/vet/me');
    expect(me.keys.map((k) => [k.keyId, k.state, k.auditsSigned])).toEqual([
      [secondKey, 'current', 1],
      [firstKey, 'retired', 1],
    ]);
    expect(me.keys[1]!.retiredAt).toBe(me.keys[0]!.createdAt);
    expect(me.keys[1]!.publicKey).not.toBe(me.keys[0]!.publicKey);
    const published = (await (await fetch(`${h.url}/vet/keys/ada`)).json()) as PublishedKeys;
    expect(published.keys.map((k) => [k.key_id, k.status])).toEqual([
      [firstKey, 'retired'],
      [secondKey, 'current'],
    ]);

    // The chain across the rotation still certifies, and both audits are served.
    expect((await status()).get('1.1.0')).toEqual(['safe-to-run']);
    const served = parseAuditsToml(await (await fetch(`${h.url}/vet/audits.toml`)).text(), { strict: true });
    expect(served.audits.map(([c, list]) => [c, list.length])).toEqual([['mid', 2]]);

    const ok = await verify();
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain('all 2 audits verified');
    expect(ok.stdout).toMatch(new RegExp(`key ${firstKey} \\(ada, retired, valid .+ to .+\\): 1 audit\\n`));
    expect(ok.stdout).toMatch(new RegExp(`key ${secondKey} \\(ada, current, valid .+ to now\\): 1 audit\\n`));

    const log = await h.services.audit.list({ action: 'vet-rotate-key' });
    expect(log.total).toBe(1);
    expect(log.entries[0]).toMatchObject({ actor: 'ada', target: 'ada', reason: 'yearly rotation' });
    expect(JSON.parse(log.entries[0]!.details)).toMatchObject({
      retiredKeyId: firstKey,
      keyId: secondKey,
      publicKey: me.keys[0]!.publicKey,
    });
    expect((await h.services.audit.verify()).ok).toBe(true);
  });

  it('fails an audit recorded outside its key’s validity interval', async () => {
    const db = h.services.db.kysely;
    const row = (await h.services.vet.repo.audits('mid')).find((a) => a.key_id === firstKey)!;
    // Moved to after the rotation, the audit claims a key that no longer signed then.
    await db
      .updateTable('vet_audits')
      .set({ created_at: '2999-01-01T00:00:00.000Z' })
      .where('id', '=', row.id)
      .execute();
    try {
      const bad = await verify();
      expect(bad.code).toBe(1);
      expect(bad.stdout).toContain(`FAIL audit #${row.id}`);
      expect(bad.stdout).toContain(`after key ${firstKey} was retired`);
    } finally {
      await db
        .updateTable('vet_audits')
        .set({ created_at: row.created_at })
        .where('id', '=', row.id)
        .execute();
    }
    expect((await verify()).code).toBe(0);
  });

  it('refuses rotation to others, and revocation to auditors and without re-authentication', async () => {
    // An administrator who is not an auditor has no key to rotate.
    expect((await admin.call('POST', '/api/admin/vet/me/key/rotate', { reason: 'mine?' })).status).toBe(403);
    const revoke = `/api/admin/vet/keys/${firstKey}/revoke`;
    expect((await ada.call('POST', revoke, { reason: 'my own' })).status).toBe(403);
    await expireSudo();
    const res = await admin.call('POST', revoke, { reason: 'laptop stolen' });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ reauth: true });
    expect((await h.services.vet.repo.key(firstKey))!.revoked_at).toBeNull();
  });

  it('revokes a compromised key: its audits fail everywhere, and the auditor gets a new key', async () => {
    await json(admin, 'POST', '/api/admin/session/reauth', { password: PASSWORD });
    expect((await admin.call('POST', '/api/admin/vet/keys/nothex/revoke', { reason: 'x x x' })).status).toBe(
      400,
    );
    expect(
      (await admin.call('POST', `/api/admin/vet/keys/${'0'.repeat(32)}/revoke`, { reason: 'x x x' })).status,
    ).toBe(404);
    const first = await json<RevokeKeyAnswer>(admin, 'POST', `/api/admin/vet/keys/${firstKey}/revoke`, {
      reason: 'old laptop stolen',
    });
    // A retired key: ada keeps signing with the current one.
    expect(first).toMatchObject({ keyId: firstKey, auditsAffected: 1, replacementKeyId: null });
    expect(
      (await admin.call('POST', `/api/admin/vet/keys/${firstKey}/revoke`, { reason: 'again' })).status,
    ).toBe(400);

    const bad = await verify();
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`revoked as compromised at`);
    expect(bad.stdout).toContain('(old laptop stolen)');
    expect(bad.stdout).toContain('1 of 2 audits failed verification');
    // The full audit no longer holds, so neither does the chain built on it.
    expect((await status()).get('1.0.0')).toEqual([]);
    expect((await status()).get('1.1.0')).toEqual([]);
    const served = parseAuditsToml(await (await fetch(`${h.url}/vet/audits.toml`)).text(), { strict: true });
    expect(served.audits.flatMap(([, list]) => list.map((a) => a.kind.type))).toEqual(['delta']);

    // Revoking the current key replaces it at once.
    const second = await json<RevokeKeyAnswer>(admin, 'POST', `/api/admin/vet/keys/${secondKey}/revoke`, {
      reason: 'whole machine compromised',
    });
    expect(second.replacementKeyId).toMatch(/^[0-9a-f]{32}$/);
    const again = await record({ version: '1.0.0', criteria: ['safe-to-run'] });
    expect(again.audit.keyId).toBe(second.replacementKeyId);
    expect((await status()).get('1.0.0')).toEqual(['safe-to-run']);

    const { auditors } = await json<AuditorList>(admin, 'GET', '/api/admin/vet/auditors');
    expect(auditors.map((a) => [a.login, a.keys.map((k) => [k.state, k.auditsSigned])])).toEqual([
      [
        'ada',
        [
          ['current', 1],
          ['revoked', 1],
          ['revoked', 1],
        ],
      ],
    ]);
    const log = await h.services.audit.list({ action: 'vet-revoke-key' });
    expect(log.total).toBe(2);
    expect(log.entries.map((e) => JSON.parse(e.details).keyId).sort()).toEqual([firstKey, secondKey].sort());
    const after = await verify();
    expect(after.stdout).toContain('2 of 3 audits failed verification');
  });
});
