import { createServer, type Server } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexPath } from '../../domain/index-path.js';
import type { LockedPackage } from '../../domain/lockfile.js';
import { checkYanked, openSparseRegistry, snapshotIndex } from './yanked-sources.js';

const CRATES_IO = 'registry+https://github.com/rust-lang/crates.io-index';
const line = (name: string, vers: string, yanked: boolean) =>
  JSON.stringify({ name, vers, deps: [], cksum: '', features: {}, yanked });
const pkg = (name: string, version: string, source: string | null = CRATES_IO): LockedPackage => ({
  name,
  version,
  source,
  checksum: null,
  dependencies: [],
});

describe('sparse registry', () => {
  let server: Server;
  let base: string;
  const files = new Map<string, string | (() => [number, string])>();
  let requests = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      requests++;
      const f = files.get(req.url ?? '');
      if (f === undefined) return res.writeHead(404).end();
      const [status, body] = typeof f === 'function' ? f() : [200, f];
      res.writeHead(status).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    files.set('/index/config.json', JSON.stringify({ dl: `${base}/dl`, api: base }));
    files.set(
      `/index/${indexPath('yanky')}`,
      [line('yanky', '1.0.0', true), line('yanky', '1.1.0', false)].join('\n'),
    );
    files.set(`/index/${indexPath('broken')}`, `{not json\n${line('broken', '0.1.0', true)}\n[1]\n`);
    files.set(`/index/${indexPath('huge')}`, 'x'.repeat(2 * 1024 * 1024));
    files.set(`/index/${indexPath('failing')}`, () => [500, 'oops']);
    files.set(`/index/${indexPath('metadata')}`, line('metadata', '1.0.0+build.1', true));
  });
  afterAll(() => {
    server.close();
  });

  it('finds yanked versions, deleted crates and missing versions, for its own source only', async () => {
    const { source, info } = await openSparseRegistry(`sparse+${base}/index`, { maxFileBytes: 1024 * 1024 });
    expect(info).toEqual({ indexUrl: `${base}/index/`, api: base });
    const own = `sparse+${base}/index/`;
    const packages = [
      pkg('yanky', '1.0.0', own),
      pkg('yanky', '1.1.0', own),
      pkg('gone', '1.0.0', own),
      pkg('yanky', '2.0.0', own),
      pkg('broken', '0.1.0', own),
      pkg('yanky', '1.0.0'), // crates.io: not this registry's
      pkg('yanky', '1.0.0', null),
      pkg('metadata', '1.0.0+build.2', own),
    ];
    const before = requests;
    const r = await checkYanked(packages, source);
    expect(r.yanked).toEqual([0, 4, 7]);
    expect(r.missing).toEqual([
      { index: 2, what: 'crate' },
      { index: 3, what: 'version' },
    ]);
    expect(r.errors).toEqual([]);
    // One request per crate name, none for other sources.
    expect(requests - before).toBe(4);
  });

  it('reports oversized and failing index files as errors, not as findings', async () => {
    const { source } = await openSparseRegistry(`${base}/index/`, { maxFileBytes: 1024 * 1024 });
    const own = `sparse+${base}/index/`;
    const r = await checkYanked([pkg('huge', '1.0.0', own), pkg('failing', '1.0.0', own)], source);
    expect(r.yanked).toEqual([]);
    expect(r.missing).toEqual([]);
    expect(r.checked).toBe(0);
    expect(r.errors.join('\n')).toMatch(/larger than 1048576 bytes/);
    expect(r.errors.join('\n')).toMatch(/HTTP 500/);
  });

  it("finds a cratekeeper server's index from its own URL, and refuses what is not an index", async () => {
    const { info } = await openSparseRegistry(base);
    expect(info.indexUrl).toBe(`${base}/index/`);
    files.set('/notjson/config.json', 'hello');
    await expect(openSparseRegistry(`${base}/notjson/`)).rejects.toThrow(/not JSON/);
    files.set('/nodl/config.json', '{"api": "x"}');
    await expect(openSparseRegistry(`${base}/nodl/`)).rejects.toThrow(/no `dl`/);
    files.set('/auth/config.json', () => [401, '']);
    await expect(openSparseRegistry(`${base}/auth/`)).rejects.toThrow(/requires a token/);
    await expect(openSparseRegistry('file:///etc/')).rejects.toThrow(/http\(s\) URL/);
  });

  it('answers for crates.io packages when told it mirrors crates.io', async () => {
    const { source } = await openSparseRegistry(`${base}/index/`, { extraSources: [CRATES_IO] });
    const r = await checkYanked([pkg('yanky', '1.0.0')], source);
    expect(r.yanked).toEqual([0]);
  });
});

describe('index snapshot', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ck-yanked-'));
    const write = async (name: string, text: string) => {
      const p = join(dir, indexPath(name));
      await mkdir(dirname(p), { recursive: true });
      await writeFile(p, text);
    };
    await write('serde', [line('serde', '1.0.0', false), line('serde', '1.0.1', true)].join('\n'));
    await write('a', line('a', '0.1.0', true));
    await writeFile(join(dir, 'config.json'), '{"dl":"x"}');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a directory in the index layout, for crates.io packages', async () => {
    const r = await checkYanked(
      [
        pkg('serde', '1.0.0'),
        pkg('serde', '1.0.1'),
        pkg('a', '0.1.0'),
        pkg('nope', '1.0.0'),
        pkg('a', '0.1.0', null),
      ],
      snapshotIndex(dir),
    );
    expect(r.yanked).toEqual([1, 2]);
    expect(r.missing).toEqual([{ index: 3, what: 'crate' }]);
  });
});
