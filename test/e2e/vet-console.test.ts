// The console's reads of the audit authority, on SQLite and PostgreSQL: the signed-in auditor's
// own key, which criteria each version holds from signed audits (a full audit, a delta chain from
// it, criteria implied, a violation that cancels them, an audit whose signature no longer
// verifies), and the audit sets imported from other organisations.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditorSelf, CrateAuditStatus, ImportedAuditSets } from '../../src/admin/vet-console-types.js';
import { dropPostgresSchema } from '../../src/store/database.js';
import { createAdmin, signIn, type ConsoleSession } from '../support/console-session.js';
import { DIALECTS, POSTGRES_URL } from '../support/databases.js';
import { publishMinimal } from '../support/publish-body.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';

const PASSWORD = 'correct horse battery staple';

const FOREIGN = `
[criteria.reviewed]
description = "reviewed by mycorp"

[[audits.mid]]
who = "Grace H <grace@example.com>"
criteria = "safe-to-deploy"
version = "1.0.0"
notes = "read it all"

[[audits.other]]
who = "Grace H <grace@example.com>"
criteria = "reviewed"
delta = "0.1.0 -> 0.2.0"
`;

describe.each(DIALECTS)('audit authority console reads (%s)', { timeout: 120_000 }, (dialect) => {
  let h: Harness;
  let admin: ConsoleSession;
  let ada: ConsoleSession;
  const schema = `ck_vc_${randomBytes(5).toString('hex')}`;

  const json = async <T>(who: ConsoleSession, method: string, path: string, body?: unknown) => {
    const res = await who.call(method, path, body);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  };
  const status = async () => {
    const s = await json<CrateAuditStatus>(admin, 'GET', '/api/admin/crates/mid/vet/status');
    return new Map(s.versions.map((v) => [v.version, v]));
  };

  beforeAll(async () => {
    h = await startRegistry(
      dialect === 'postgres' ? { database: { url: POSTGRES_URL, schema, poolSize: 4 } } : {},
    );
    await createAdmin(h, 'root', PASSWORD);
    await createAdmin(h, 'ada', PASSWORD, false);
    admin = await signIn(h, 'root', PASSWORD);
    const alice = await h.token('alice');
    for (const v of ['1.0.0', '1.1.0', '1.2.0', '2.0.0'])
      expect((await publishMinimal(h.url, alice, 'mid', v)).status).toBe(200);
    await json(admin, 'POST', '/api/admin/vet/auditors/ada', { reason: 'security team' });
    await json(admin, 'POST', '/api/admin/vet/criteria', {
      name: 'unsafe-reviewed',
      description: 'every unsafe block was read',
      implies: ['safe-to-run'],
      reason: 'our own bar',
    });
    ada = await signIn(h, 'ada', PASSWORD);
  });
  afterAll(async () => {
    await h?.close();
    if (dialect === 'postgres') await dropPostgresSchema(POSTGRES_URL, schema);
  });

  it("answers the auditor's own key, and that an administrator is not one", async () => {
    const me = await json<AuditorSelf>(ada, 'GET', '/api/admin/vet/me');
    expect(me).toMatchObject({ login: 'ada', isAuditor: true, auditsRecorded: 0 });
    expect(me.keys).toHaveLength(1);
    expect(me.keys[0]!.publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(me.keys[0]!.revokedAt).toBeNull();
    // The key the registry publishes for others to pin.
    const published = (await (await fetch(`${h.url}/vet/keys/ada`)).json()) as {
      keys: { key_id: string; public_key: string }[];
    };
    expect(published.keys).toMatchObject([{ key_id: me.keys[0]!.keyId, public_key: me.keys[0]!.publicKey }]);
    const root = await json<AuditorSelf>(admin, 'GET', '/api/admin/vet/me');
    expect(root).toMatchObject({ login: 'root', isAuditor: false, keys: [] });
    expect((await fetch(`${h.url}/api/admin/vet/me`)).status).toBe(401);
  });

  it('certifies versions through full audits and delta chains, following implies', async () => {
    expect([...(await status()).values()].every((v) => v.certified.length === 0)).toBe(true);
    const audit = (body: Record<string, unknown>) =>
      json(ada, 'POST', '/api/admin/crates/mid/vet/audits', { reason: 'review', ...body });
    await audit({ version: '1.0.0', criteria: ['safe-to-deploy'] });
    await audit({ delta: '1.0.0 -> 1.1.0', criteria: ['unsafe-reviewed'] });
    const s = await status();
    const crit = (v: string) => s.get(v)!.certified.map((c) => [c.criteria, c.implied]);
    // safe-to-deploy implies safe-to-run; 1.1.0 holds only what both links certify.
    expect(crit('1.0.0')).toEqual([
      ['safe-to-run', true],
      ['safe-to-deploy', false],
    ]);
    expect(crit('1.1.0')).toEqual([['safe-to-run', true]]);
    expect(s.get('1.1.0')!.certified[0]!.by.map((b) => b.how)).toEqual([
      'full 1.0.0',
      'delta 1.0.0 -> 1.1.0',
    ]);
    expect(s.get('1.1.0')!.certified[0]!.by.every((b) => b.who === 'ada' && b.signatureValid)).toBe(true);
    expect(crit('1.2.0')).toEqual([]);
    expect((await json<AuditorSelf>(ada, 'GET', '/api/admin/vet/me')).auditsRecorded).toBe(2);
  });

  it('lets a violation cancel criteria and ignores audits whose signature fails', async () => {
    await json(ada, 'POST', '/api/admin/crates/mid/vet/audits', {
      reason: 'found a backdoor',
      violation: '>=1.1.0, <1.2.0',
      criteria: ['safe-to-run'],
    });
    let s = await status();
    expect(s.get('1.1.0')!.certified).toEqual([]);
    expect(s.get('1.1.0')!.violations.map((v) => [v.who, v.violation])).toEqual([['ada', '>=1.1.0, <1.2.0']]);
    expect(s.get('1.0.0')!.certified.map((c) => c.criteria)).toEqual(['safe-to-run', 'safe-to-deploy']);
    // Someone edits the stored full audit: its signature no longer covers it.
    await h.services.db.kysely
      .updateTable('vet_audits')
      .set({ notes: 'edited behind the registry' })
      .where('kind', '=', 'full')
      .execute();
    s = await status();
    expect(s.get('1.0.0')!.certified).toEqual([]);
    expect(s.get('1.0.0')!.invalid).toHaveLength(1);
  });

  it('lists imported audit sets with their audits', async () => {
    expect((await json<ImportedAuditSets>(ada, 'GET', '/api/admin/vet/imports')).imports).toEqual([]);
    await h.services.vet.repo.putImport('mycorp', 'https://audits.example/audits.toml', FOREIGN, 2);
    const { imports } = await json<ImportedAuditSets>(ada, 'GET', '/api/admin/vet/imports');
    expect(imports).toHaveLength(1);
    expect(imports[0]).toMatchObject({
      name: 'mycorp',
      auditCount: 2,
      source: 'https://audits.example/audits.toml',
    });
    expect(imports[0]!.audits).toEqual([
      {
        crate: 'mid',
        kind: 'full',
        target: '1.0.0',
        criteria: ['safe-to-deploy'],
        who: ['Grace H <grace@example.com>'],
        notes: 'read it all',
      },
      {
        crate: 'other',
        kind: 'delta',
        target: '0.1.0 -> 0.2.0',
        criteria: ['reviewed'],
        who: ['Grace H <grace@example.com>'],
        notes: null,
      },
    ]);
  });

  it('refuses outsiders and unknown crates', async () => {
    for (const p of ['/api/admin/vet/imports', '/api/admin/crates/mid/vet/status'])
      expect((await fetch(`${h.url}${p}`)).status, p).toBe(401);
    expect((await admin.call('GET', '/api/admin/crates/nope/vet/status')).status).toBe(404);
  });
});
