// The change feed on both databases: triggers record every index change in the changing
// transaction (whichever process made it), a second process's feed sees it at its next sync,
// rolled-back changes leave nothing, and `static_index` makes each change queue a publish job.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DIALECTS,
  bareVersionRow,
  insertBareCrate,
  openTestDatabase,
  type TestDatabase,
} from '../../test/support/databases.js';
import { ChangeFeed, pruneCrateChanges, type IndexChange } from './change-feed.js';
import type { Db } from './database.js';

describe.each(DIALECTS)('change feed on %s', (dialect) => {
  let t: TestDatabase;
  let db: Db;
  beforeEach(async () => {
    t = await openTestDatabase(dialect);
    db = t.db;
  });
  afterEach(() => t.cleanup());

  function feed(): { feed: ChangeFeed; seen: IndexChange[] } {
    const seen: IndexChange[] = [];
    return { feed: new ChangeFeed(db.kysely, (c) => seen.push(c)), seen };
  }

  it('reports the crates whose index changed since the last sync, and nothing else', async () => {
    const a = await insertBareCrate(db, 'Alpha-One');
    const b = await insertBareCrate(db, 'beta');
    const { feed: f, seen } = feed();
    await f.sync();
    expect(seen).toEqual(['all']); // the first look trusts nothing cached before it
    const v = await db.kysely
      .insertInto('versions')
      .values(bareVersionRow(a.id, '1.0.0'))
      .returningAll()
      .executeTakeFirstOrThrow();
    await f.sync();
    expect(seen.at(-1)).toEqual({ crates: ['alpha_one'] });
    // An update of a column the index does not show is no change; a yank is.
    await db.kysely.updateTable('versions').set({ description: 'x' }).where('id', '=', v.id).execute();
    await f.sync();
    expect(seen).toHaveLength(2);
    await db.kysely.updateTable('versions').set({ yanked: 1 }).where('id', '=', v.id).execute();
    await db.kysely.insertInto('versions').values(bareVersionRow(b.id, '0.1.0')).execute();
    await f.sync();
    expect(seen.at(-1)).toEqual({ crates: ['alpha_one', 'beta'] });
    // Deleting a crate (its versions go with it) is a change of that crate.
    await db.kysely.deleteFrom('versions').where('crate_id', '=', b.id).execute();
    await db.kysely.deleteFrom('crates').where('id', '=', b.id).execute();
    await f.sync();
    expect(seen.at(-1)).toEqual({ crates: ['beta'] });
    expect(f.generation()).toBe(5);
  });

  it('a rolled-back transaction records nothing', async () => {
    const a = await insertBareCrate(db, 'gamma');
    const { feed: f, seen } = feed();
    await f.sync();
    await db.kysely
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('versions').values(bareVersionRow(a.id, '1.0.0')).execute();
        throw new Error('abort');
      })
      .catch(() => {});
    await f.sync();
    expect(seen).toEqual(['all']);
    expect(f.generation()).toBe(0);
  });

  it('concurrent syncs share reads, and a sync never relies on a read older than itself', async () => {
    const a = await insertBareCrate(db, 'delta');
    const { feed: f, seen } = feed();
    await f.sync();
    await db.kysely.insertInto('versions').values(bareVersionRow(a.id, '1.0.0')).execute();
    const first = f.sync(); // starts a read at once
    const second = f.sync(); // `first` is in flight: queued to start after it
    const third = f.sync(); // joins the queued read, which starts after this call too
    expect(second).not.toBe(first);
    expect(third).toBe(second);
    await Promise.all([first, second, third]);
    expect(seen.at(-1)).toEqual({ crates: ['delta'] });
  });

  it('a feed that fell behind the pruned records starts afresh', async () => {
    const a = await insertBareCrate(db, 'epsilon');
    const { feed: f, seen } = feed();
    await f.sync();
    await db.kysely.insertInto('versions').values(bareVersionRow(a.id, '1.0.0')).execute();
    expect(await pruneCrateChanges(db.kysely, new Date(Date.now() + 2 * 3_600_000))).toBe(1);
    await f.sync();
    expect(seen).toEqual(['all', 'all']);
  });

  it('with static_index on, every change queues an index-publish job in the same transaction', async () => {
    const a = await insertBareCrate(db, 'Zeta');
    await db.kysely.insertInto('versions').values(bareVersionRow(a.id, '0.1.0')).execute();
    await sql`update registry_state set static_index = 1 where id = 1`.execute(db.kysely);
    await db.kysely.insertInto('versions').values(bareVersionRow(a.id, '0.2.0')).execute();
    await db.kysely
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('versions').values(bareVersionRow(a.id, '0.3.0')).execute();
        throw new Error('abort');
      })
      .catch(() => {});
    const jobs = await db.kysely.selectFrom('jobs').selectAll().where('kind', '=', 'index-publish').execute();
    expect(jobs.map((j) => JSON.parse(j.payload))).toEqual([{ crate: 'Zeta' }]);
    expect(jobs[0]!.status).toBe('queued');
    // The timestamps have the format every table stores, so the queue's comparisons hold.
    expect(jobs[0]!.run_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Math.abs(Date.parse(jobs[0]!.run_at) - Date.now())).toBeLessThan(60_000);
  });
});
