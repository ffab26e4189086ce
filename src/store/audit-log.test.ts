// The audit log on both databases: chained appends (also concurrent), refusal of edits and
// deletes by the database itself, and verification that names the first broken entry.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS, openTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { AuditLog, GENESIS_HASH, entryHash } from './audit-log.js';

describe.each(DIALECTS)('audit log on %s', (dialect) => {
  let t: TestDatabase;
  let log: AuditLog;

  beforeEach(async () => {
    t = await openTestDatabase(dialect);
    log = new AuditLog(t.db.kysely, t.db.dialect);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const event = (i: number) => ({
    actorId: 1,
    actor: 'root',
    action: 'yank',
    targetType: 'version' as const,
    target: `c@1.0.${i}`,
    reason: `reason ${i}`,
    details: { i },
    ip: '127.0.0.1',
  });

  it('chains each entry to the one before', async () => {
    const a = await log.append(event(1));
    const b = await log.append(event(2));
    expect(a.prev_hash).toBe(GENESIS_HASH);
    expect(b.prev_hash).toBe(a.hash);
    expect(entryHash(b)).toBe(b.hash);
    expect(await log.verify()).toEqual({ ok: true, checked: 2, firstBroken: null });
  });

  it('keeps one chain under concurrent appends', async () => {
    await Promise.all(Array.from({ length: 25 }, (_, i) => log.append(event(i))));
    const v = await log.verify();
    expect(v).toEqual({ ok: true, checked: 25, firstBroken: null });
  });

  it('refuses updates and deletes', async () => {
    const a = await log.append(event(1));
    await expect(
      t.db.kysely.updateTable('audit_log').set({ reason: 'edited' }).where('id', '=', a.id).execute(),
    ).rejects.toThrow(/append-only/);
    await expect(t.db.kysely.deleteFrom('audit_log').where('id', '=', a.id).execute()).rejects.toThrow(
      /append-only/,
    );
  });

  it('names the first entry after a tampered one, whether edited or removed', async () => {
    const rows = [];
    for (let i = 0; i < 5; i++) rows.push(await log.append(event(i)));
    // An attacker with database access disables the guard first.
    if (dialect === 'postgres')
      await sql`alter table audit_log disable trigger audit_log_no_update`.execute(t.db.kysely);
    else await sql`drop trigger audit_log_no_update`.execute(t.db.kysely);
    await t.db.kysely
      .updateTable('audit_log')
      .set({ reason: 'nothing happened' })
      .where('id', '=', rows[2]!.id)
      .execute();
    expect(await log.verify()).toMatchObject({
      ok: false,
      checked: 2,
      firstBroken: { id: rows[2]!.id, reason: expect.stringMatching(/content does not match/) },
    });

    await t.db.kysely
      .updateTable('audit_log')
      .set({ reason: 'reason 2' })
      .where('id', '=', rows[2]!.id)
      .execute();
    expect((await log.verify()).ok).toBe(true);
    if (dialect === 'postgres')
      await sql`delete from audit_log where id = ${rows[3]!.id}`.execute(t.db.kysely);
    else {
      await sql`drop trigger audit_log_no_delete`.execute(t.db.kysely);
      await t.db.kysely.deleteFrom('audit_log').where('id', '=', rows[3]!.id).execute();
    }
    expect(await log.verify()).toMatchObject({
      ok: false,
      firstBroken: { id: rows[4]!.id, reason: expect.stringMatching(/link to the previous entry/) },
    });
  });

  it('filters and pages', async () => {
    for (let i = 0; i < 3; i++) await log.append(event(i));
    await log.append({ ...event(9), action: 'sign-in', actor: 'alice' });
    expect((await log.list({ action: 'yank' })).total).toBe(3);
    expect((await log.list({ actor: 'alice' })).entries.map((e) => e.action)).toEqual(['sign-in']);
    expect((await log.list({ limit: 2, offset: 1 })).entries.map((e) => e.target)).toEqual([
      'c@1.0.2',
      'c@1.0.1',
    ]);
  });
});
