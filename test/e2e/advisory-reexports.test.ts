// The callers of an advisory's affected functions found through `pub use` re-exports, on SQLite
// and PostgreSQL: crates published through the registry API and analysed by the worker, whose
// stored re-exports (migration 019) let `/advisories/:id/callers` match a dependent that calls
// the function by another path — the callee's glob re-export of a private module, a renamed
// re-export, and another crate re-exporting the callee's module and root.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdvisoryCallersAnswer } from '../../src/admin/analysis-types.js';
import type { AdvisoryWriteAnswer } from '../../src/web/src/api-types.js';
import { dropPostgresSchema } from '../../src/store/database.js';
import { publishCrate } from '../support/analysis-fixtures.js';
import { createAdmin, signIn, type ConsoleSession } from '../support/console-session.js';
import { DIALECTS, POSTGRES_URL } from '../support/databases.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';

const PASSWORD = 'correct horse battery staple';

/** `unpack` lives in a private module, public through a glob; `decode` also as `parse_frame`. */
const CORE = 'mod imp;\npub mod codec;\npub use imp::*;\npub use codec::decode as parse_frame;\n';
const CORE_IMP = 'pub fn unpack(b: &[u8]) -> u8 {\n    b[0]\n}\n';
const CORE_CODEC = 'pub fn decode(b: &[u8]) -> u8 {\n    b[1]\n}\n';

const ADVISORY = [
  '```toml',
  '[advisory]',
  'id = "RUSTSEC-0000-0000"',
  'package = "wire-core"',
  'date = "2026-12-01"',
  '',
  '[affected.functions]',
  '"wire_core::imp::unpack" = ["< 2.0.0"]',
  '"wire_core::parse_frame" = ["< 2.0.0"]',
  '',
  '[versions]',
  'patched = [">= 2.0.0"]',
  '```',
  '',
  '# unpack reads past the end',
  '',
  'An empty slice makes `unpack` and `parse_frame` read out of bounds.',
  '',
].join('\n');

describe.each(DIALECTS)('advisory callers through re-exports (%s)', { timeout: 120_000 }, (dialect) => {
  let h: Harness;
  let admin: ConsoleSession;
  let answer: AdvisoryCallersAnswer;
  const schema = `ck_rx_${randomBytes(5).toString('hex')}`;

  beforeAll(async () => {
    h = await startRegistry(
      dialect === 'postgres' ? { database: { url: POSTGRES_URL, schema, poolSize: 4 } } : {},
    );
    await createAdmin(h, 'root', PASSWORD);
    admin = await signIn(h, 'root', PASSWORD);
    const alice = await h.token('alice');
    const bob = await h.token('bob');
    await publishCrate(
      h.url,
      alice,
      'wire-core',
      '1.0.0',
      CORE,
      [],
      [
        { path: 'src/imp.rs', data: CORE_IMP },
        { path: 'src/codec.rs', data: CORE_CODEC },
      ],
    );
    // facade re-exports wire-core's `codec` module and everything public at its root.
    await publishCrate(
      h.url,
      alice,
      'facade',
      '1.0.0',
      'pub use wire_core::codec;\npub use wire_core::*;\npub fn own() {}\n',
      [['wire-core', '^1']],
    );
    const user = (call: string) => `pub fn run(b: &[u8]) -> u8 {\n    ${call}\n}\n`;
    // Calls the public path the glob makes, not the path the advisory names.
    await publishCrate(h.url, bob, 'direct-user', '0.1.0', user('wire_core::unpack(b)'), [
      ['wire-core', '^1'],
    ]);
    // Calls the renamed re-export's defining path (the advisory names `parse_frame`).
    await publishCrate(h.url, bob, 'codec-user', '0.1.0', user('wire_core::codec::decode(b)'), [
      ['wire-core', '^1'],
    ]);
    // Depends on facade only: both functions through facade's re-exports of another crate.
    await publishCrate(
      h.url,
      bob,
      'facade-user',
      '0.1.0',
      user('facade::unpack(b) + facade::codec::decode(b)'),
      [['facade', '^1']],
    );
    // Calls facade, but nothing affected.
    await publishCrate(h.url, bob, 'bystander', '0.1.0', 'pub fn run() {\n    facade::own()\n}\n', [
      ['facade', '^1'],
    ]);
    await h.worker.drain();
    const res = await admin.call('POST', '/api/admin/advisories', { markdown: ADVISORY, reason: 'review' });
    expect(res.status, await res.clone().text()).toBe(200);
    const { id } = (await res.json()) as AdvisoryWriteAnswer;
    const callers = await admin.call('GET', `/api/admin/advisories/${id}/callers`);
    expect(callers.status).toBe(200);
    answer = (await callers.json()) as AdvisoryCallersAnswer;
  });
  afterAll(async () => {
    await h?.close();
    if (dialect === 'postgres') await dropPostgresSchema(POSTGRES_URL, schema);
  });

  it('stores the re-exports of each analysed version', async () => {
    const rows = await h.services.db.kysely
      .selectFrom('version_reexports')
      .innerJoin('versions', 'versions.id', 'version_reexports.version_id')
      .innerJoin('crates', 'crates.id', 'versions.crate_id')
      .select([
        'crates.name',
        'version_reexports.path',
        'version_reexports.target_crate',
        'version_reexports.target_path',
        'version_reexports.glob',
      ])
      .orderBy('crates.name')
      .orderBy('version_reexports.path')
      .execute();
    expect(rows.map((r) => [r.name, r.path, r.target_crate, r.target_path, Number(r.glob)])).toEqual([
      ['facade', 'facade', 'wire_core', 'wire_core', 1],
      ['facade', 'facade::codec', 'wire_core', 'wire_core::codec', 0],
      ['wire-core', 'wire_core', 'wire_core', 'wire_core::imp', 1],
      ['wire-core', 'wire_core::parse_frame', 'wire_core', 'wire_core::codec::decode', 0],
    ]);
  });

  it('finds the dependents calling an affected function by any path it is re-exported under', () => {
    expect(answer.functions).toEqual(['wire_core::imp::unpack', 'wire_core::parse_frame']);
    const by = new Map(answer.callers.map((c) => [c.crate, c]));
    expect([...by.keys()].sort()).toEqual(['codec-user', 'direct-user', 'facade-user']);
    expect(by.get('direct-user')!.functions).toEqual([
      { path: 'wire_core::unpack', calls: 1, affected: 'wire_core::imp::unpack' },
    ]);
    expect(by.get('codec-user')!.functions).toEqual([
      { path: 'wire_core::codec::decode', calls: 1, affected: 'wire_core::parse_frame' },
    ]);
    // A dependent of facade, never naming wire-core: found through facade's re-exports.
    expect(by.get('facade-user')).toMatchObject({ version: '0.1.0', latest: true, calls: 2 });
    expect(by.get('facade-user')!.functions).toEqual([
      { path: 'facade::codec::decode', calls: 1, affected: 'wire_core::parse_frame' },
      { path: 'facade::unpack', calls: 1, affected: 'wire_core::imp::unpack' },
    ]);
  });

  it('leaves out a dependent that calls only what is not affected, and the re-exporting crate itself', () => {
    expect(answer.callers.some((c) => c.crate === 'bystander')).toBe(false);
    // facade calls nothing: re-exporting is not calling.
    expect(answer.callers.some((c) => c.crate === 'facade')).toBe(false);
  });
});
