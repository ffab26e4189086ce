import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tarGzBuffer } from '../../test/fixtures/graph/archive.js';
import { dbDumpFiles, dbDumpFixture } from '../../test/fixtures/graph/fixture-graph.js';
import type { DumpCrate, DumpDependency, DumpOwner, DumpVersion } from './db-dump.js';
import {
  DbDumpFormatError,
  dumpTableOfPath,
  looksLikeDbDump,
  pgTimestampToIso,
  readDbDump,
} from './db-dump.js';

const tmp = mkdtempSync(join(tmpdir(), 'ck-dbdump-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function collect(source: string) {
  const crates: DumpCrate[] = [];
  const versions: DumpVersion[] = [];
  const deps: DumpDependency[] = [];
  const owners: DumpOwner[] = [];
  const logins: string[] = [];
  const result = await readDbDump(source, {
    crate: (r) => crates.push(r),
    version: (r) => versions.push(r),
    dependency: (r) => deps.push(r),
    owner: (r) => owners.push(r),
    user: (r) => logins.push(r.login),
    team: (r) => logins.push(r.login),
  });
  return { crates, versions, deps, owners, logins, result };
}

async function dumpTarball(name: string, overrides: Record<string, string> = {}): Promise<string> {
  const files = dbDumpFiles();
  for (const [k, v] of Object.entries(overrides)) files[k] = Buffer.from(v);
  const path = join(tmp, name);
  writeFileSync(path, await tarGzBuffer(files));
  return path;
}

describe('readDbDump', () => {
  it('reads the fixture tarball with crates.io column meanings', async () => {
    const { crates, versions, deps, owners, logins, result } = await collect(
      await dumpTarball('dump.tar.gz'),
    );
    expect(result.timestamp).toBe('2019-11-10T02:00:03.123456Z');
    expect(result.rows).toMatchObject({
      crates: 13,
      versions: 19,
      dependencies: 17,
      crate_owners: 4,
      users: 2,
      teams: 1,
    });
    expect(crates.find((c) => c.name === 'base')).toMatchObject({
      id: 100,
      createdAt: '2019-01-01T00:00:00.000Z',
    });
    const yanked = versions.filter((v) => v.yanked).map((v) => crates.find((c) => c.id === v.crateId)!.name);
    expect(yanked.sort()).toEqual(['base', 'weird']);
    const renamed = deps.find((d) => d.explicitName !== null)!;
    expect(renamed).toMatchObject({ explicitName: 'd', req: '=1.0.0', kind: 'normal', crateId: 107 });
    expect(deps.find((d) => d.req === '~1.0')).toMatchObject({
      features: ['std', 'serde'],
      defaultFeatures: false,
    });
    expect(deps.find((d) => d.target !== null)!.target).toBe('cfg(any(windows, target_os = "redox"))');
    expect(deps.filter((d) => d.kind === 'dev')).toHaveLength(2);
    expect(deps.filter((d) => d.kind === 'build')).toHaveLength(1);
    expect(owners.map((o) => o.ownerKind).sort()).toEqual(['team', 'user', 'user', 'user']);
    expect(logins.sort()).toEqual(['alice', 'bob', 'github:org:core']);
  });

  it('reads an unpacked dump directory the same way', async () => {
    const fromTar = await collect(await dumpTarball('dump2.tar.gz'));
    const fromDir = await collect((await dbDumpFixture()).dir);
    expect(fromDir.deps).toEqual(fromTar.deps);
    expect(fromDir.versions).toEqual(fromTar.versions);
    expect(fromDir.result.timestamp).toBe(fromTar.result.timestamp);
  });

  it('finds columns by name, whatever their order', async () => {
    const path = await dumpTarball('reordered.tar.gz', {
      '2019-11-10-020003/data/crates.csv': 'name,id,extra_column\nzeta,9,whatever\n',
    });
    const { crates } = await collect(path);
    expect(crates).toEqual([{ id: 9, name: 'zeta', createdAt: null }]);
  });

  it('reports a bad row with table and record number', async () => {
    const bad = async (file: string, text: string, pattern: RegExp) => {
      const path = await dumpTarball(`bad-${file}.tar.gz`, { [`2019-11-10-020003/data/${file}.csv`]: text });
      const err = await collect(path).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DbDumpFormatError);
      expect(String(err)).toMatch(pattern);
    };
    await bad(
      'versions',
      'id,crate_id,num,yanked\n1,100,1.0.0,maybe\n',
      /versions\.csv record 2: yanked is not a boolean/,
    );
    await bad('versions', 'id,crate_id,num\n1,100,1.0.0\n', /missing column `yanked`/);
    await bad(
      'dependencies',
      'id,version_id,crate_id,req,optional,default_features,features,kind\n1,2,3,^1,f,t,{},7\n',
      /kind is not 0, 1 or 2/,
    );
    await bad(
      'dependencies',
      'id,version_id,crate_id,req,optional,default_features,features,kind\n1,2,3,^1,f,t,"{a,,b}",0\n',
      /features is not an array literal/,
    );
    await bad('crates', 'id,name\n1,a,extra\n', /expected 2 fields, found 3/);
    await bad('crates', 'id,name\nx1,a\n', /id is not an integer/);
    await bad('crates', 'id,name\n1,"a\n', /unterminated/);
  });

  it('fails on a truncated tarball', async () => {
    const path = await dumpTarball('whole.tar.gz');
    const buf = readFileSync(path);
    const cut = join(tmp, 'cut.tar.gz');
    writeFileSync(cut, buf.subarray(0, buf.length - 40));
    await expect(collect(cut)).rejects.toThrow();
  });

  it('tells a dump from an index', async () => {
    expect(await looksLikeDbDump(await dumpTarball('sniff.tar.gz'))).toBe(true);
    expect(await looksLikeDbDump((await dbDumpFixture()).dir)).toBe(true);
    const index = join(tmp, 'index.tar.gz');
    writeFileSync(index, await tarGzBuffer({ 'idx/1/a': '{}\n', 'idx/config.json': '{}' }));
    expect(await looksLikeDbDump(index)).toBe(false);
    const junk = join(tmp, 'junk.bin');
    writeFileSync(junk, 'not gzip');
    expect(await looksLikeDbDump(junk)).toBe(false);
  });
});

describe('db-dump helpers', () => {
  it('maps table paths', () => {
    expect(dumpTableOfPath('2019-11-10-020003/data/crates.csv')).toBe('crates');
    expect(dumpTableOfPath('data/dependencies.csv')).toBe('dependencies');
    expect(dumpTableOfPath('x/y/data/crates.csv')).toBeNull();
    expect(dumpTableOfPath('2019/data/badges.csv')).toBeNull();
    expect(dumpTableOfPath('2019/crates.csv')).toBeNull();
  });
  it('converts Postgres timestamps', () => {
    expect(pgTimestampToIso('2019-11-10 02:00:03.123456')).toBe('2019-11-10T02:00:03.123Z');
    expect(pgTimestampToIso('2019-11-10 02:00:03')).toBe('2019-11-10T02:00:03Z');
    expect(pgTimestampToIso('2019-11-10 02:00:03+02')).toBe('2019-11-10T02:00:03+02:00');
    expect(pgTimestampToIso('yesterday')).toBeNull();
    expect(pgTimestampToIso(null)).toBeNull();
  });
});
