// Source analysis stored per version, on SQLite and PostgreSQL: crates published through the
// registry API get an `analyze` job in the publish transaction; the worker stores geiger's
// unsafe counts and the calls into other crates; the admin API answers a version's counts, the
// crates it calls into, who calls it (requirement-aware), the callers of an advisory's affected
// functions, and the top crates by unsafe code. The job is idempotent, and `rescan --analysis`
// backfills versions whose analysis is missing.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalysisPool } from '../../src/analysis/analysis-pool.js';
import type {
  AdvisoryCallersAnswer,
  CrateAnalysisList,
  TopUnsafeAnswer,
  VersionAnalysisAnswer,
} from '../../src/admin/analysis-types.js';
import type { AdvisoryWriteAnswer } from '../../src/web/src/api-types.js';
import { dropPostgresSchema } from '../../src/store/database.js';
import { FFI_ADVISORY, publishAnalysisFixtures } from '../support/analysis-fixtures.js';
import { createAdmin, signIn, type ConsoleSession } from '../support/console-session.js';
import { DIALECTS, POSTGRES_URL } from '../support/databases.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';

const PASSWORD = 'correct horse battery staple';

describe.each(DIALECTS)('source analysis per version (%s)', { timeout: 120_000 }, (dialect) => {
  let h: Harness;
  let admin: ConsoleSession;
  const schema = `ck_an_${randomBytes(5).toString('hex')}`;

  const get = async <T>(path: string, who = admin): Promise<{ status: number; body: T }> => {
    const res = await who.call('GET', path);
    return { status: res.status, body: (await res.json()) as T };
  };
  const versionId = async (name: string, num: string): Promise<number> => {
    const c = (await h.services.crates.findByName(name))!;
    return (await h.services.crates.findVersion(c.id, num))!.id;
  };

  beforeAll(async () => {
    h = await startRegistry(
      dialect === 'postgres' ? { database: { url: POSTGRES_URL, schema, poolSize: 4 } } : {},
    );
    await createAdmin(h, 'root', PASSWORD);
    admin = await signIn(h, 'root', PASSWORD);
    await publishAnalysisFixtures(h.url, await h.token('alice'), await h.token('bob'));
    await h.worker.drain();
  });
  afterAll(async () => {
    await h?.close();
    if (dialect === 'postgres') await dropPostgresSchema(POSTGRES_URL, schema);
  });

  it("stores what `cratekeeper analyze` computes for the version's .crate", async () => {
    const { status, body } = await get<VersionAnalysisAnswer>(
      '/api/admin/crates/ffi-core/versions/1.0.0/analysis',
    );
    expect(status).toBe(200);
    expect(body.status).toBe('analyzed');
    expect(body.error).toBeNull();
    // The same bytes through the analysis pool directly: the stored counts are its counts.
    const v = (await h.services.crates.versionWithCrate(await versionId('ffi-core', '1.0.0')))!;
    const pool = new AnalysisPool({ workers: 1 });
    const direct = await pool.analyzeBytes((await h.services.blobs.get(v.checksum))!, 'ffi-core');
    await pool.close();
    if (!direct.ok) throw new Error(direct.error);
    expect(body.unsafe).toEqual({
      used: direct.analysis.unsafety.used,
      unused: direct.analysis.unsafety.unused,
      unsafeUsed: expect.any(Number) as number,
      forbidsUnsafe: false,
      parsedFraction: 1,
    });
    expect(body.unsafe!.used.functions).toEqual({ safe: 1, unsafe: 1 });
    expect(body.unsafe!.unsafeUsed).toBeGreaterThan(1);
    expect(body.callsInto).toEqual([]);
  });

  it('answers the crates a version calls into, with paths and call counts', async () => {
    const safe = await get<VersionAnalysisAnswer>('/api/admin/crates/safe-app/versions/0.1.0/analysis');
    expect(safe.body.unsafe).toMatchObject({ forbidsUnsafe: true, unsafeUsed: 0 });
    expect(safe.body.callsInto).toEqual([
      {
        crate: 'ffi_core',
        inRegistry: true,
        calls: 3,
        paths: [{ path: 'ffi_core::raw::checked', calls: 3 }],
      },
    ]);
    const risky = await get<VersionAnalysisAnswer>('/api/admin/crates/risky-app/versions/0.2.0/analysis');
    expect(risky.body.callsInto.map((c) => c.paths)).toEqual([
      [{ path: 'ffi_core::raw::read_ptr', calls: 1 }],
    ]);
  });

  it('answers who calls a version, those whose requirement accepts it first', async () => {
    const old = await get<VersionAnalysisAnswer>('/api/admin/crates/ffi-core/versions/1.0.0/analysis');
    expect(
      old.body.calledBy.map((c) => [c.crate, c.version, c.requirement, c.acceptsThisVersion, c.calls]),
    ).toEqual([
      ['safe-app', '0.1.0', '^1.0', true, 3],
      ['risky-app', '0.2.0', '^1.1', false, 1],
    ]);
    const now = await get<VersionAnalysisAnswer>('/api/admin/crates/ffi-core/versions/1.1.0/analysis');
    expect(now.body.calledBy.every((c) => c.acceptsThisVersion)).toBe(true);
    expect(now.body.calledBy.find((c) => c.crate === 'risky-app')!.paths).toEqual([
      { path: 'ffi_core::raw::read_ptr', calls: 1 },
    ]);
  });

  it('records a crate that does not parse with its parsed fraction and an error note', async () => {
    const { body } = await get<VersionAnalysisAnswer>('/api/admin/crates/broken/versions/0.1.0/analysis');
    expect(body.status).toBe('analyzed');
    expect(body.unsafe!.parsedFraction).toBeGreaterThan(0);
    expect(body.unsafe!.parsedFraction).toBeLessThan(1);
    expect(body.error).toMatch(/src\/lib\.rs: syntax errors/);
    const list = await get<CrateAnalysisList>('/api/admin/crates/ffi-core/analysis');
    expect(list.body.versions.map((v) => [v.version, v.status, v.forbidsUnsafe])).toEqual([
      ['1.0.0', 'analyzed', false],
      ['1.1.0', 'analyzed', false],
    ]);
  });

  it('lists the callers of an advisory’s affected functions', async () => {
    const res = await admin.call('POST', '/api/admin/advisories', {
      markdown: FFI_ADVISORY,
      reason: 'found in review',
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const { id } = (await res.json()) as AdvisoryWriteAnswer;
    const { status, body } = await get<AdvisoryCallersAnswer>(`/api/admin/advisories/${id}/callers`);
    expect(status).toBe(200);
    expect(body.functions).toEqual(['ffi_core::raw::read_ptr']);
    expect(body.callers).toEqual([
      {
        crate: 'risky-app',
        version: '0.2.0',
        status: 'published',
        latest: true,
        calls: 1,
        functions: [{ path: 'ffi_core::raw::read_ptr', calls: 1, affected: 'ffi_core::raw::read_ptr' }],
      },
    ]);
    expect((await get('/api/admin/advisories/NOPE-1/callers')).status).toBe(404);
  });

  it('ranks crates by unsafe code, alone and with their dependencies', async () => {
    const { status, body } = await get<TopUnsafeAnswer>('/api/admin/analysis/top-unsafe?limit=10');
    expect(status).toBe(200);
    const by = new Map(body.crates.map((c) => [c.crate, c]));
    const core = by.get('ffi-core')!;
    expect(body.crates[0]!.crate).toBe('ffi-core');
    expect(core.version).toBe('1.1.0');
    // safe-app has none of its own; through ffi-core 1.1.0 (what ^1.0 resolves to) it has core's.
    expect(by.get('safe-app')).toMatchObject({
      unsafeUsed: 0,
      transitiveUnsafe: core.unsafeUsed,
      analyzedDependencies: 1,
    });
    expect((await get('/api/admin/analysis/top-unsafe?limit=0')).status).toBe(400);
    expect((await get('/api/admin/analysis/top-unsafe?limit=abc')).status).toBe(400);
  });

  it('is idempotent, and rescans fill in versions with no analysis', async () => {
    const id = await versionId('safe-app', '0.1.0');
    const db = h.services.db.kysely;
    const rows = () => db.selectFrom('version_callees').selectAll().where('version_id', '=', id).execute();
    const before = await rows();
    expect(await h.services.security.analysisJobs.run({ versionId: id })).toBe('analyzed');
    expect(await rows()).toEqual(before);
    await db.deleteFrom('version_analyses').where('version_id', '=', id).execute();
    expect(
      (await get<VersionAnalysisAnswer>('/api/admin/crates/safe-app/versions/0.1.0/analysis')).body.status,
    ).toBe('pending');
    await h.services.security.queue.enqueue('analyze', { versionId: id });
    await h.worker.drain();
    expect(
      (await get<VersionAnalysisAnswer>('/api/admin/crates/safe-app/versions/0.1.0/analysis')).body.status,
    ).toBe('analyzed');
  });

  it('refuses outsiders, tokens limited to other crates, and unknown versions', async () => {
    expect((await fetch(`${h.url}/api/admin/crates/ffi-core/versions/1.0.0/analysis`)).status).toBe(401);
    const scoped = await h.token('carol', undefined, ['other-*']);
    const res = await fetch(`${h.url}/api/admin/crates/ffi-core/versions/1.0.0/analysis`, {
      headers: { authorization: scoped },
    });
    expect([401, 403]).toContain(res.status);
    expect((await get('/api/admin/crates/ffi-core/versions/9.9.9/analysis')).status).toBe(404);
    expect((await get('/api/admin/crates/nope/analysis')).status).toBe(404);
  });
});
