// A publish is one unit of work and never loses a file: concurrent identical publishes leave
// the winner's `.crate` in place, and a publish whose audit entry or jobs cannot be written
// leaves no version behind. On SQLite and PostgreSQL.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeCrateArchive } from '../../src/formats/crate-archive.js';
import { dropPostgresSchema } from '../../src/store/database.js';
import { DIALECTS, POSTGRES_URL } from '../support/databases.js';
import { manifestToml, metadataFor, publishBody } from '../support/publish-body.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';

async function crateBody(name: string, version: string): Promise<Buffer> {
  const crate = await writeCrateArchive(`${name}-${version}`, [
    { path: 'Cargo.toml', data: manifestToml(name, version) },
    { path: 'src/lib.rs', data: `pub fn v() -> &'static str { "${version}" }\n` },
  ]);
  return publishBody(metadataFor(name, version), crate);
}

describe.each(DIALECTS)('publish integrity on %s', (dialect) => {
  let h: Harness;
  let token: string;
  let schema: string | null = null;

  beforeAll(async () => {
    if (dialect === 'postgres') {
      schema = `ck_e2e_${randomBytes(6).toString('hex')}`;
      h = await startRegistry({ database: { url: POSTGRES_URL, schema, poolSize: 12 } });
    } else h = await startRegistry();
    token = await h.token('alice');
  });
  afterAll(async () => {
    await h?.close();
    if (schema) await dropPostgresSchema(POSTGRES_URL, schema);
  });

  const put = (body: Buffer) =>
    fetch(`${h.url}/api/v1/crates/new`, { method: 'PUT', headers: { authorization: token }, body });

  /** Every version in the index downloads, and its bytes hash to the index line's cksum. */
  async function expectIndexDownloadable(name: string, path: string): Promise<number> {
    const res = await fetch(`${h.url}/index/${path}`);
    expect(res.status).toBe(200);
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { vers: string; cksum: string });
    for (const line of lines) {
      const dl = await fetch(`${h.url}/api/v1/crates/${name}/${line.vers}/download`);
      expect(dl.status, `${name}@${line.vers}`).toBe(200);
      const sum = createHash('sha256')
        .update(Buffer.from(await dl.arrayBuffer()))
        .digest('hex');
      expect(sum, `${name}@${line.vers}`).toBe(line.cksum);
    }
    return lines.length;
  }

  it('keeps the file of the winner of 20 concurrent identical publishes, 10 rounds', async () => {
    for (let round = 0; round < 10; round++) {
      const body = await crateBody('race-me', `1.0.${round}`);
      const results = await Promise.all(Array.from({ length: 20 }, () => put(body)));
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s !== 200).every((s) => s === 409)).toBe(true);
      await Promise.all(results.map((r) => r.arrayBuffer()));
    }
    expect(await expectIndexDownloadable('race-me', 'ra/ce/race-me')).toBe(10);
  });

  it('lands concurrent first publishes of different versions of a new crate', async () => {
    const bodies = await Promise.all(
      ['0.1.0', '0.1.1', '0.2.0', '0.3.0'].map((v) => crateBody('newborn', v)),
    );
    const results = await Promise.all(bodies.map((b) => put(b)));
    const texts = await Promise.all(results.map((r) => r.text()));
    expect(
      results.map((r) => r.status),
      texts.join('\n'),
    ).toEqual([200, 200, 200, 200]);
    expect(await expectIndexDownloadable('newborn', 'ne/wb/newborn')).toBe(4);
  });

  it('writes the audit entry and the jobs with the version, and nothing when either fails', async () => {
    const ok = await put(await crateBody('atomic', '1.0.0'));
    expect(ok.status).toBe(200);
    const db = h.services.db.kysely;
    const version = await db
      .selectFrom('versions')
      .innerJoin('crates', 'crates.id', 'versions.crate_id')
      .select('versions.id')
      .where('crates.name', '=', 'atomic')
      .executeTakeFirstOrThrow();
    const audit = await h.services.audit.list({ action: 'publish', target: 'atomic@1.0.0' });
    expect(audit.total).toBe(1);
    const jobs = await db.selectFrom('jobs').select(['kind', 'payload']).execute();
    const mine = jobs.filter(
      (j) => (JSON.parse(j.payload) as { versionId?: number }).versionId === version.id,
    );
    expect(mine.map((j) => j.kind).sort()).toEqual(['analyze', 'scan', 'typosquat']);

    // A failing audit append: the publish fails and the version never reaches the index.
    const append = vi.spyOn(h.services.audit, 'append').mockRejectedValueOnce(new Error('disk full'));
    const failed = await put(await crateBody('atomic', '1.0.1'));
    append.mockRestore();
    expect(failed.status).toBe(500);
    const detail = ((await failed.json()) as { errors: { detail: string }[] }).errors[0]!.detail;
    expect(detail).toMatch(/internal server error/);
    expect(
      (await h.services.crates.versions((await h.services.crates.findByName('atomic'))!.id)).length,
    ).toBe(1);
    const index = await (await fetch(`${h.url}/index/at/om/atomic`)).text();
    expect(index).not.toContain('1.0.1');

    // A failing job write: same.
    const enqueue = vi
      .spyOn(h.services.security.queue, 'enqueue')
      .mockRejectedValueOnce(new Error('no space'));
    const failed2 = await put(await crateBody('atomic', '1.0.2'));
    enqueue.mockRestore();
    expect(failed2.status).toBe(500);
    expect((await h.services.audit.list({ target: 'atomic@1.0.2' })).total).toBe(0);
    expect(
      await h.services.crates.findVersion((await h.services.crates.findByName('atomic'))!.id, '1.0.2'),
    ).toBe(undefined);
    // The version number was never used: it can be published once the fault is gone.
    expect((await put(await crateBody('atomic', '1.0.2'))).status).toBe(200);
  });
});
