// The diff viewer's source-analysis facts, on SQLite and PostgreSQL: two versions of a crate
// published and analysed by the worker, the second adding an unsafe fn that calls into another
// crate and a new module with an unsafe block; the diff tree's `analysis` names the changed
// unsafe counts, the new call and each file's changes, in both directions; a version analysed
// before per-file facts were kept, one not analysed yet, and neither analysed are said so and
// break nothing.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrateDiff } from '../../src/admin/api-types.js';
import { dropPostgresSchema } from '../../src/store/database.js';
import { publishWrapFixtures } from '../support/analysis-fixtures.js';
import { createAdmin, signIn, type ConsoleSession } from '../support/console-session.js';
import { DIALECTS, POSTGRES_URL } from '../support/databases.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';

const PASSWORD = 'correct horse battery staple';
const READ_PTR = 'ffi_core::raw::read_ptr';

describe.each(DIALECTS)('diff viewer analysis facts (%s)', { timeout: 120_000 }, (dialect) => {
  let h: Harness;
  let admin: ConsoleSession;
  const schema = `ck_da_${randomBytes(5).toString('hex')}`;

  const diff = async (from: string, to: string): Promise<CrateDiff> => {
    const res = await admin.call('GET', `/api/admin/crates/wrap/diff?from=${from}&to=${to}`);
    const text = await res.text();
    expect(res.status, text).toBe(200);
    return JSON.parse(text) as CrateDiff;
  };
  const versionId = async (num: string) =>
    (await h.services.crates.findVersion((await h.services.crates.findByName('wrap'))!.id, num))!.id;

  beforeAll(async () => {
    h = await startRegistry(
      dialect === 'postgres' ? { database: { url: POSTGRES_URL, schema, poolSize: 4 } } : {},
    );
    await createAdmin(h, 'root', PASSWORD);
    admin = await signIn(h, 'root', PASSWORD);
    await publishWrapFixtures(h.url, await h.token('alice'));
    await h.worker.drain();
  });
  afterAll(async () => {
    await h?.close();
    if (dialect === 'postgres') await dropPostgresSchema(POSTGRES_URL, schema);
  });

  it('names the unsafe code and calls a delta adds, overall and per file', async () => {
    const { analysis } = await diff('0.1.0', '0.2.0');
    expect(analysis).not.toBeNull();
    const a = analysis!;
    expect(a.from).toMatchObject({ version: '0.1.0', status: 'analyzed', unsafeUsed: 0, perFile: true });
    expect(a.to).toMatchObject({ version: '0.2.0', status: 'analyzed', perFile: true });
    expect(a.to.unsafeUsed).toBeGreaterThanOrEqual(2);
    expect(a.unsafe).toContainEqual({ counter: 'functions', before: 0, after: 1 });
    expect(a.callsAdded).toEqual([{ crate: 'ffi_core', path: READ_PTR, calls: 1 }]);
    expect(a.callsRemoved).toEqual([]);
    const byPath = new Map(a.files.map((f) => [f.path, f]));
    expect([...byPath.keys()]).toEqual(['src/extra.rs', 'src/lib.rs']);
    const lib = byPath.get('src/lib.rs')!;
    expect(lib).toMatchObject({
      unsafeBefore: 0,
      callsAdded: [{ path: READ_PTR, calls: 1 }],
      callsRemoved: [],
    });
    expect(lib.unsafe).toContainEqual({ counter: 'functions', before: 0, after: 1 });
    // A file the older version does not have: no "before".
    const extra = byPath.get('src/extra.rs')!;
    expect(extra.unsafeBefore).toBeNull();
    expect(extra.unsafeAfter).toBeGreaterThanOrEqual(1);
    expect(extra.callsAdded).toEqual([]);
  });

  it('reads the other way round as calls and unsafe code removed', async () => {
    const a = (await diff('0.2.0', '0.1.0')).analysis!;
    expect(a.callsAdded).toEqual([]);
    expect(a.callsRemoved).toEqual([{ crate: 'ffi_core', path: READ_PTR, calls: 1 }]);
    expect(a.unsafe).toContainEqual({ counter: 'functions', before: 1, after: 0 });
    expect(a.files.find((f) => f.path === 'src/extra.rs')!.unsafeAfter).toBeNull();
  });

  it('says what is missing when a version lacks per-file facts, or any analysis', async () => {
    const db = h.services.db.kysely;
    const [v1, v2] = [await versionId('0.1.0'), await versionId('0.2.0')];
    // A row analysed before per-file facts were kept: the crate-level facts still show.
    await db.updateTable('version_analyses').set({ files: null }).where('version_id', '=', v1).execute();
    let a = (await diff('0.1.0', '0.2.0')).analysis!;
    expect(a.from.perFile).toBe(false);
    expect(a.files).toEqual([]);
    expect(a.callsAdded).toEqual([{ crate: 'ffi_core', path: READ_PTR, calls: 1 }]);
    // Not analysed (yet): nothing compared, nothing guessed.
    await db.deleteFrom('version_callees').where('version_id', '=', v2).execute();
    await db.deleteFrom('version_analyses').where('version_id', '=', v2).execute();
    const d = await diff('0.1.0', '0.2.0');
    a = d.analysis!;
    expect(a.to).toMatchObject({ status: 'pending', unsafeUsed: null, perFile: false });
    expect([a.unsafe, a.callsAdded, a.callsRemoved, a.files]).toEqual([null, null, null, []]);
    expect(d.files.map((f) => f.path)).toContain('src/extra.rs');
    await db.deleteFrom('version_analyses').where('version_id', '=', v1).execute();
    expect((await diff('0.1.0', '0.2.0')).analysis).toBeNull();
  });
});
