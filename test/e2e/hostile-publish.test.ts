// Hostile and malformed publishes: each gets a clear 4xx in cargo's error shape and leaves
// no rows and no blob behind.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCrateArchive, writeRawTarGz } from '../../src/formats/crate-archive.js';
import { manifestToml, metadataFor, publishBody } from '../support/publish-body.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';

async function filesUnder(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  } catch {
    return [];
  }
}

describe('hostile publishes', () => {
  let h: Harness;
  let token: string;
  const limits = { maxUploadBytes: 256 * 1024, maxUnpackedBytes: 1024 * 1024, maxMetadataBytes: 64 * 1024 };

  beforeAll(async () => {
    h = await startRegistry({ config: { limits } });
    token = await h.token('mallory');
  });
  afterAll(async () => {
    await h?.close();
  });

  const put = (body: Buffer) =>
    fetch(`${h.url}/api/v1/crates/new`, { method: 'PUT', headers: { authorization: token }, body });

  async function expectRefusedCleanly(
    body: Buffer,
    status: number | number[],
    detail: RegExp,
  ): Promise<void> {
    const res = await put(body);
    const statuses = Array.isArray(status) ? status : [status];
    const json = (await res.json()) as { errors: { detail: string }[] };
    expect(statuses, JSON.stringify(json)).toContain(res.status);
    expect(json.errors).toHaveLength(1);
    expect(json.errors[0]!.detail).toMatch(detail);
    const db = h.services.db.kysely;
    expect(await db.selectFrom('crates').selectAll().execute()).toEqual([]);
    expect(await db.selectFrom('versions').selectAll().execute()).toEqual([]);
    expect(await db.selectFrom('dependencies').selectAll().execute()).toEqual([]);
    expect(await filesUnder(join(h.dir, 'data', 'crates'))).toEqual([]);
  }

  const good = (name = 'victim', version = '1.0.0') =>
    writeCrateArchive(`${name}-${version}`, [
      { path: 'Cargo.toml', data: manifestToml(name, version) },
      { path: 'src/lib.rs', data: 'pub fn f() {}\n' },
    ]);

  it('refuses a body too short to hold a length', async () => {
    await expectRefusedCleanly(Buffer.from([1, 0]), 400, /too short/);
  });

  it('refuses a metadata length larger than the body', async () => {
    const body = Buffer.alloc(12);
    body.writeUInt32LE(1000, 0);
    await expectRefusedCleanly(body, 400, /runs past the end of the body/);
  });

  it('refuses a huge metadata length before reading it', async () => {
    const body = Buffer.alloc(12);
    body.writeUInt32LE(0xffffffff, 0);
    await expectRefusedCleanly(body, 413, /over the limit/);
  });

  it('refuses invalid JSON metadata', async () => {
    await expectRefusedCleanly(publishBody('{"name": "victim", ', await good()), 400, /not valid UTF-8 JSON/);
  });

  it('refuses metadata that is not an object or has wrong types', async () => {
    await expectRefusedCleanly(publishBody('[1,2,3]', await good()), 400, /expected a JSON object/);
    await expectRefusedCleanly(
      publishBody({ ...metadataFor('victim', '1.0.0'), deps: 'serde' }, await good()),
      400,
      /`deps` must be a list/,
    );
  });

  it('refuses a .crate length larger than what follows, and trailing bytes', async () => {
    const body = publishBody(metadataFor('victim', '1.0.0'), await good());
    await expectRefusedCleanly(body.subarray(0, body.length - 10), 400, /runs past the end of the body/);
    await expectRefusedCleanly(
      Buffer.concat([body, Buffer.from('junk')]),
      400,
      /unexpected bytes after the \.crate/,
    );
  });

  it('refuses a .crate over the upload limit', async () => {
    const big = Buffer.alloc(limits.maxUploadBytes + 1);
    await expectRefusedCleanly(publishBody(metadataFor('victim', '1.0.0'), big), 413, /max upload size/);
  });

  it('refuses a body over the request limit before buffering it all', async () => {
    const huge = Buffer.alloc(limits.maxUploadBytes + limits.maxMetadataBytes + 1024);
    await expectRefusedCleanly(huge, 413, /larger than this registry accepts/);
  });

  it('refuses a truncated and a garbage .crate', async () => {
    const crate = await good();
    await expectRefusedCleanly(
      publishBody(metadataFor('victim', '1.0.0'), crate.subarray(0, crate.length / 2)),
      400,
      /invalid/,
    );
    await expectRefusedCleanly(
      publishBody(metadataFor('victim', '1.0.0'), Buffer.from('not a gzip at all')),
      400,
      /invalid/,
    );
  });

  it('refuses a tar bomb', async () => {
    // 4 MiB of zeros compresses to a few KB but unpacks past the 1 MiB limit.
    const bomb = await writeRawTarGz([
      { name: 'victim-1.0.0/Cargo.toml', data: manifestToml('victim', '1.0.0') },
      { name: 'victim-1.0.0/zeros.bin', data: Buffer.alloc(4 * 1024 * 1024) },
    ]);
    expect(bomb.length).toBeLessThan(limits.maxUploadBytes);
    await expectRefusedCleanly(
      publishBody(metadataFor('victim', '1.0.0'), bomb),
      400,
      /too large|unpack|limit/i,
    );
  });

  it('refuses path traversal, absolute paths, symlinks and hard links', async () => {
    const cases: [Parameters<typeof writeRawTarGz>[0][number], RegExp][] = [
      [{ name: 'victim-1.0.0/../../etc/passwd', data: 'x' }, /escapes|\.\./],
      [{ name: '/etc/passwd', data: 'x' }, /absolute/],
      [{ name: 'victim-1.0.0/link', type: 'symlink', linkname: '/etc/passwd' }, /symbolic link/],
      [{ name: 'victim-1.0.0/hard', type: 'link', linkname: 'victim-1.0.0/Cargo.toml' }, /link/],
      [{ name: 'victim-1.0.0/dev', type: 'character-device' }, /device|special/],
    ];
    for (const [entry, detail] of cases) {
      const crate = await writeRawTarGz([
        { name: 'victim-1.0.0/Cargo.toml', data: manifestToml('victim', '1.0.0') },
        entry,
      ]);
      await expectRefusedCleanly(publishBody(metadataFor('victim', '1.0.0'), crate), 400, detail);
    }
  });

  it('refuses a manifest whose name or version differs from the metadata', async () => {
    const otherName = await writeCrateArchive('victim-1.0.0', [
      { path: 'Cargo.toml', data: manifestToml('innocent', '1.0.0') },
    ]);
    await expectRefusedCleanly(publishBody(metadataFor('victim', '1.0.0'), otherName), 400, /innocent/);
    const otherVersion = await writeCrateArchive('victim-1.0.0', [
      { path: 'Cargo.toml', data: manifestToml('victim', '9.9.9') },
    ]);
    await expectRefusedCleanly(publishBody(metadataFor('victim', '1.0.0'), otherVersion), 400, /9\.9\.9/);
    const wrongDir = await good('innocent', '1.0.0');
    await expectRefusedCleanly(
      publishBody(metadataFor('victim', '1.0.0'), wrongDir),
      400,
      /innocent-1\.0\.0/,
    );
  });

  it('refuses a crate without Cargo.toml', async () => {
    const crate = await writeRawTarGz([{ name: 'victim-1.0.0/src/lib.rs', data: '' }]);
    await expectRefusedCleanly(publishBody(metadataFor('victim', '1.0.0'), crate), 400, /Cargo\.toml/);
  });

  it('refuses bad names, versions, licenses and dependencies with crates.io’s rules', async () => {
    const crate = await good();
    const cases: [unknown, RegExp][] = [
      [metadataFor('1victim', '1.0.0'), /first character must be an ASCII letter/],
      [metadataFor('victim', '1.0'), /invalid version/],
      [metadataFor('victim', '1.0.0', { license: 'Not A License' }), /invalid license expression/],
      [metadataFor('victim', '1.0.0', { description: '' }), /missing or empty metadata fields: description/],
      [metadataFor('victim', '1.0.0', { keywords: ['a', 'b', 'c', 'd', 'e', 'f'] }), /at most 5 keywords/],
      [metadataFor('nul', '1.0.0'), /reserved name/],
      [
        metadataFor('victim', '1.0.0', {
          deps: [
            {
              name: 'nonexistent',
              version_req: '^1',
              features: [],
              optional: false,
              default_features: true,
              target: null,
              kind: 'normal',
            },
          ],
        }),
        /no known crate named `nonexistent`/,
      ],
      [
        metadataFor('victim', '1.0.0', {
          deps: [
            {
              name: 'x',
              version_req: '*',
              features: [],
              optional: false,
              default_features: true,
              target: null,
              kind: 'normal',
            },
          ],
        }),
        /wildcard/,
      ],
    ];
    for (const [meta, detail] of cases) await expectRefusedCleanly(publishBody(meta, crate), 400, detail);
  });

  it('accepts the well-formed publish the cases above were variations of', async () => {
    const res = await put(publishBody(metadataFor('victim', '1.0.0'), await good()));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ warnings: { invalid_categories: [], invalid_badges: [], other: [] } });
    expect(await filesUnder(join(h.dir, 'data', 'crates'))).toHaveLength(1);
  });
});
