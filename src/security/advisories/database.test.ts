import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTarGz, buildZip } from '../../../test/support/archive-builders.js';
import { formatAdvisoryMarkdown, parseAdvisoryMarkdown } from '../../formats/advisory-markdown.js';
import { formatOsvJson } from '../../formats/advisory-osv.js';
import type { AdvisoryIndex } from './advisory.js';
import { AdvisoryDatabaseError, loadAdvisoryDatabases } from './database.js';
import type { LoadProgress } from './database.js';
import { isVersionAffected } from './ranges.js';

const SNAPSHOT = '/work/shared/data/rustsec-advisory-db-2026-08-21.tar.gz';
let tmp: string;
let snapshot: AdvisoryIndex;
let snapshotMs: number;
let snapshotCpuMs: number;

function advisory(id: string, pkg: string, extra = '', versions = 'patched = [">= 1.0.0"]'): string {
  return `\`\`\`toml\n[advisory]\nid = "${id}"\npackage = "${pkg}"\ndate = "2024-05-01"\n${extra}\n[versions]\n${versions}\n\`\`\`\n\n# ${pkg} is broken\n\nDetails for ${id}.\n`;
}

function writeTree(root: string, files: Record<string, string | Buffer>): string {
  for (const [rel, data] of Object.entries(files)) {
    const full = path.join(root, rel);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, data);
  }
  return root;
}

async function loadError(sources: string[], opts = {}): Promise<string> {
  try {
    await loadAdvisoryDatabases(sources, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(AdvisoryDatabaseError);
    return (e as Error).message;
  }
  throw new Error('expected the database to be refused');
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-advisory-db-'));
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  snapshot = await loadAdvisoryDatabases([SNAPSHOT]);
  const cpu = process.cpuUsage(cpu0);
  snapshotMs = performance.now() - t;
  snapshotCpuMs = (cpu.user + cpu.system) / 1000;
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the 2026-08-21 advisory-db snapshot', () => {
  it('loads all 1,225 advisories without a problem, 73 of them for malicious crates', () => {
    expect(snapshot.problems).toEqual([]);
    expect(snapshot.advisories).toHaveLength(1225);
    expect(snapshot.duplicates).toEqual([]);
    const malicious = snapshot.advisories.filter((a) => a.metadata.categories.includes('malicious'));
    expect(malicious).toHaveLength(73);
    expect(malicious.map((a) => a.metadata.id)).toContain('RUSTSEC-2026-0260');
    expect(snapshot.advisories.filter((a) => a.metadata.collection === 'rust')).toHaveLength(20);
    expect(snapshot.databases).toEqual([
      {
        label: SNAPSHOT,
        advisoryCount: 1225,
        lastCommit: 'bf5c0d245a92671908518d7e765914d437954ed6',
        lastUpdated: '2026-08-21T06:28:40.000Z',
      },
    ]);
    expect(snapshot.forPackage('arrayref').map((a) => a.metadata.id)).toContain('RUSTSEC-2026-0260');
    expect(snapshot.forPackage('std').every((a) => a.metadata.collection === 'rust')).toBe(true);
    expect(snapshot.forPackage('no-such-crate')).toEqual([]);
    expect(snapshot.get('RUSTSEC-2026-0260')?.origin).toEqual({
      database: SNAPSHOT,
      file: 'crates/arrayref/RUSTSEC-2026-0260.md',
    });
  });

  it('loads quickly (target < 300 ms; scripts/advisory-load-time.ts measures it properly)', () => {
    console.log(
      `advisory-db snapshot loaded in ${snapshotMs.toFixed(0)} ms wall, ${snapshotCpuMs.toFixed(0)} ms CPU`,
    );
    // CPU time, with a bound that allows for cold code and a busy machine: this catches an
    // order-of-magnitude regression, not the target itself.
    expect(snapshotCpuMs).toBeLessThan(2000);
  });

  it('writes every advisory back as a RustSec file that reads back the same', () => {
    for (const a of snapshot.advisories) {
      const text = formatAdvisoryMarkdown(a);
      expect(
        parseAdvisoryMarkdown(text, { collection: a.metadata.collection, ...a.origin }),
        a.metadata.id,
      ).toEqual(a);
    }
  });

  it('reads the same advisories from an extracted directory', async () => {
    const dir = path.join(tmp, 'extracted');
    fs.mkdirSync(dir);
    execFileSync('tar', ['xzf', SNAPSHOT, '-C', dir]);
    const idx = await loadAdvisoryDatabases([path.join(dir, 'advisory-db-2026-08-21')]);
    expect(idx.problems).toEqual([]);
    expect(idx.advisories.map((a) => a.metadata.id).sort()).toEqual(
      snapshot.advisories.map((a) => a.metadata.id).sort(),
    );
    expect(idx.databases[0]!.lastCommit).toBeNull();
    expect(idx.databases[0]!.lastUpdated).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});

describe('git checkouts', () => {
  function makeRepo(name: string): string {
    const dir = writeTree(path.join(tmp, name), {
      'crates/demo/RUSTSEC-2024-0001.md': advisory('RUSTSEC-2024-0001', 'demo'),
      'rust/cargo/CVE-2024-0002.md': advisory('CVE-2024-0002', 'cargo'),
    });
    const git = (...args: string[]) =>
      execFileSync('git', args, {
        cwd: dir,
        env: {
          ...process.env,
          GIT_AUTHOR_DATE: '2025-01-02T03:04:05Z',
          GIT_COMMITTER_DATE: '2025-01-02T03:04:05Z',
          GIT_CONFIG_GLOBAL: '/dev/null',
        },
      })
        .toString()
        .trim();
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'advisories');
    return dir;
  }

  it('reports the HEAD commit and its time', async () => {
    const dir = makeRepo('repo');
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir }).toString().trim();
    const idx = await loadAdvisoryDatabases([dir]);
    expect(idx.advisories.map((a) => [a.metadata.id, a.metadata.collection])).toEqual(
      expect.arrayContaining([
        ['RUSTSEC-2024-0001', 'crates'],
        ['CVE-2024-0002', 'rust'],
      ]),
    );
    expect(idx.databases[0]).toMatchObject({ lastCommit: head, lastUpdated: '2025-01-02T03:04:05.000Z' });
  });

  it('reads the commit from .git when git cannot be run', async () => {
    const dir = makeRepo('repo-nogit');
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir }).toString().trim();
    // Packed refs, as a fresh clone has them.
    execFileSync('git', ['pack-refs', '--all'], { cwd: dir });
    const savedPath = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const idx = await loadAdvisoryDatabases([dir]);
      expect(idx.databases[0]!.lastCommit).toBe(head);
    } finally {
      process.env.PATH = savedPath;
    }
  });
});

describe('bad advisories are problems of their file, never fatal', () => {
  it('reports each bad file and keeps the good ones', async () => {
    const dir = writeTree(path.join(tmp, 'bad'), {
      'crates/good/RUSTSEC-2024-0001.md': advisory('RUSTSEC-2024-0001', 'good'),
      'crates/good/RUSTSEC-0000-0000.md': advisory('RUSTSEC-0000-0000', 'good'),
      'crates/good/.hidden.md': 'not even an advisory',
      'crates/toml/RUSTSEC-2024-0002.md': '```toml\n[advisory\nid = \n```\n\n# x\n\ny\n',
      'crates/truncated/RUSTSEC-2024-0003.md':
        '```toml\n[advisory]\nid = "RUSTSEC-2024-0003"\npackage = "trunc',
      'crates/named/RUSTSEC-2024-0099.md': advisory('RUSTSEC-2024-0004', 'named'),
      'crates/elsewhere/RUSTSEC-2024-0005.md': advisory('RUSTSEC-2024-0005', 'other'),
      'crates/overlap/RUSTSEC-2024-0006.md': advisory(
        'RUSTSEC-2024-0006',
        'overlap',
        '',
        'patched = [">= 1.0"]\nunaffected = ["< 1.5"]',
      ),
      'crates/binary/RUSTSEC-2024-0007.md': Buffer.from([0x60, 0x60, 0x60, 0xff, 0xfe, 0x00]),
      'crates/huge/RUSTSEC-2024-0008.md': Buffer.alloc(2 * 1024 * 1024, 0x61),
      'crates/dup-a/RUSTSEC-2024-0009.md': advisory('RUSTSEC-2024-0009', 'dup-a'),
      'crates/OSV-like.json': '{"id": "RUSTSEC-2024-0010", "aff',
      'README.md': '# not an advisory',
      'support.toml': 'x = 1',
    });
    const idx = await loadAdvisoryDatabases([dir]);
    expect(idx.advisories.map((a) => a.metadata.id).sort()).toEqual([
      'RUSTSEC-2024-0001',
      'RUSTSEC-2024-0009',
    ]);
    const byFile = Object.fromEntries(idx.problems.map((p) => [p.file, p.message]));
    expect(byFile).toEqual({
      'crates/toml/RUSTSEC-2024-0002.md': expect.stringMatching(/invalid TOML/),
      'crates/truncated/RUSTSEC-2024-0003.md': expect.stringMatching(/end of the TOML front matter/),
      'crates/named/RUSTSEC-2024-0099.md': expect.stringMatching(/named RUSTSEC-2024-0004.md/),
      'crates/elsewhere/RUSTSEC-2024-0005.md': expect.stringMatching(/in the other directory/),
      'crates/overlap/RUSTSEC-2024-0006.md': expect.stringMatching(/overlapping/),
      'crates/binary/RUSTSEC-2024-0007.md': expect.stringMatching(/not valid UTF-8/),
      'crates/huge/RUSTSEC-2024-0008.md': expect.stringMatching(/too large/),
      'crates/OSV-like.json': expect.stringMatching(/invalid JSON/),
    });
    expect(idx.problems.every((p) => p.database === dir)).toBe(true);
  });

  it('does not follow symbolic links out of the database', async () => {
    const outside = writeTree(path.join(tmp, 'outside'), {
      'crates/secret/RUSTSEC-2024-0001.md': advisory('RUSTSEC-2024-0001', 'secret'),
    });
    const dir = path.join(tmp, 'linked');
    fs.mkdirSync(path.join(dir, 'crates'), { recursive: true });
    fs.symlinkSync(path.join(outside, 'crates', 'secret'), path.join(dir, 'crates', 'secret'));
    const idx = await loadAdvisoryDatabases([dir]);
    expect(idx.advisories).toEqual([]);
  });

  it('reports unsafe names and bad entries inside archives', async () => {
    const good = advisory('RUSTSEC-2024-0001', 'demo');
    const tarPath = path.join(tmp, 'hostile.tar.gz');
    fs.writeFileSync(
      tarPath,
      buildTarGz([
        { name: 'db/crates/demo/RUSTSEC-2024-0001.md', data: good },
        { name: 'db/crates/../../../etc/RUSTSEC-2024-0002.md', data: good },
        { name: 'db/crates/link/RUSTSEC-2024-0003.md', type: '2', linkname: '/etc/passwd' },
        { name: 'db/crates/big/RUSTSEC-2024-0004.md', data: Buffer.alloc(5 * 1024 * 1024, 0x20) },
      ]),
    );
    const idx = await loadAdvisoryDatabases([tarPath]);
    expect(idx.advisories.map((a) => a.metadata.id)).toEqual(['RUSTSEC-2024-0001']);
    expect(idx.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/unsafe path/),
      expect.stringMatching(/symlink/),
      expect.stringMatching(/too large/),
    ]);

    const zipPath = path.join(tmp, 'hostile.zip');
    const osv = formatOsvJson(snapshot.get('RUSTSEC-2026-0260')!);
    fs.writeFileSync(
      zipPath,
      buildZip([
        { name: 'RUSTSEC-2026-0260.json', data: osv },
        { name: '../../RUSTSEC-2026-0261.json', data: osv },
        { name: 'RUSTSEC-2026-0262.json', data: Buffer.alloc(8 * 1024 * 1024) },
        { name: 'RUSTSEC-2026-0263.json', data: '{"id": 1}' },
      ]),
    );
    const z = await loadAdvisoryDatabases([zipPath]);
    expect(z.advisories.map((a) => a.metadata.id)).toEqual(['RUSTSEC-2026-0260']);
    expect(Object.fromEntries(z.problems.map((p) => [p.file, p.message]))).toEqual({
      '../../RUSTSEC-2026-0261.json': expect.stringMatching(/unsafe path/),
      'RUSTSEC-2026-0262.json': expect.stringMatching(/too large/),
      'RUSTSEC-2026-0263.json': expect.stringMatching(/osv.id must be a string/),
    });
  });

  it('reports the same id twice in one source as a problem', async () => {
    const dir = writeTree(path.join(tmp, 'dup'), {
      'crates/demo/RUSTSEC-2024-0001.md': advisory('RUSTSEC-2024-0001', 'demo'),
      'osv/RUSTSEC-2024-0001.json': formatOsvJson(snapshot.get('RUSTSEC-2026-0260')!).replace(
        /RUSTSEC-2026-0260/g,
        'RUSTSEC-2024-0001',
      ),
      'osv/RUSTSEC-2024-0002.json': formatOsvJson(snapshot.get('RUSTSEC-2026-0260')!)
        .replace(/RUSTSEC-2026-0260/g, 'RUSTSEC-2024-0001')
        .replace(/arrayref/g, 'demo'),
    });
    const idx = await loadAdvisoryDatabases([dir]);
    expect(idx.advisories.map((a) => [a.metadata.id, a.metadata.package])).toEqual([
      ['RUSTSEC-2024-0001', 'demo'],
      ['RUSTSEC-2024-0001', 'arrayref'],
    ]);
    expect(idx.problems).toEqual([
      {
        database: dir,
        file: 'osv/RUSTSEC-2024-0002.json',
        message: expect.stringMatching(/duplicate advisory RUSTSEC-2024-0001 for demo/),
      },
    ]);
  });
});

describe('unreadable sources are an AdvisoryDatabaseError', () => {
  it('names the source and the reason', async () => {
    expect(await loadError([path.join(tmp, 'missing')])).toMatch(
      /missing: cannot read advisory database: ENOENT/,
    );
    const badGz = path.join(tmp, 'bad.tar.gz');
    fs.writeFileSync(badGz, Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(50, 7)]));
    expect(await loadError([badGz])).toMatch(/bad\.tar\.gz: bad gzip data/);
    const junk = path.join(tmp, 'junk.bin');
    fs.writeFileSync(junk, 'just some bytes');
    expect(await loadError([junk])).toMatch(/not a directory, \.tar\.gz, \.zip/);
    const badZip = path.join(tmp, 'bad.zip');
    fs.writeFileSync(badZip, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(100)]));
    expect(await loadError([badZip])).toMatch(/bad\.zip: not a zip archive/);
    expect(await loadError([SNAPSHOT], { maxDownloadBytes: 1000 })).toMatch(/too large/);
    // Nothing partial: a good source before a bad one does not produce an index.
    expect(await loadError([SNAPSHOT, badGz])).toMatch(/bad gzip/);
  });
});

describe('OSV sources', () => {
  it('reads an osv-branch directory, a single JSON file and an osv.dev-style zip', async () => {
    const picks = ['RUSTSEC-2026-0260', 'RUSTSEC-2022-0069', 'RUSTSEC-2026-0146'].map((id) =>
      snapshot.get(id)!,
    );
    const dir = writeTree(
      path.join(tmp, 'osv-branch'),
      Object.fromEntries(picks.map((a) => [`crates/${a.metadata.id}.json`, formatOsvJson(a)])),
    );
    const fromDir = await loadAdvisoryDatabases([dir]);
    expect(fromDir.problems).toEqual([]);
    expect(fromDir.advisories.map((a) => a.metadata.id).sort()).toEqual(
      picks.map((a) => a.metadata.id).sort(),
    );
    const hyper = fromDir.get('RUSTSEC-2022-0069')!;
    expect(
      ['0.9.1', '0.9.3-beta', '0.10.0-alpha.1', '0.10.0'].filter((v) => isVersionAffected(hyper, v)),
    ).toEqual(['0.9.1', '0.10.0-alpha.1']);

    const single = await loadAdvisoryDatabases([path.join(dir, 'crates', 'RUSTSEC-2026-0260.json')]);
    expect(single.advisories.map((a) => a.metadata.id)).toEqual(['RUSTSEC-2026-0260']);

    const zipPath = path.join(tmp, 'all.zip');
    fs.writeFileSync(
      zipPath,
      buildZip(picks.map((a) => ({ name: `${a.metadata.id}.json`, data: formatOsvJson(a) }))),
    );
    const fromZip = await loadAdvisoryDatabases([zipPath]);
    expect(fromZip.advisories).toHaveLength(3);
    expect(fromZip.problems).toEqual([]);
  });

  it('reads a single Markdown advisory file', async () => {
    const idx = await loadAdvisoryDatabases([
      writeTree(path.join(tmp, 'single-md'), {
        'crates/demo/RUSTSEC-2024-0001.md': advisory('RUSTSEC-2024-0001', 'demo'),
      }) + '/crates/demo/RUSTSEC-2024-0001.md',
    ]);
    expect(idx.advisories.map((a) => a.metadata.id)).toEqual(['RUSTSEC-2024-0001']);
    // Outside the crates/<name>/ layout, any file name will do.
    const loose = path.join(tmp, 'draft-for-review.md');
    fs.writeFileSync(loose, advisory('CK-2026-0009', 'demo'));
    const one = await loadAdvisoryDatabases([loose]);
    expect(one.problems).toEqual([]);
    expect(one.advisories.map((a) => a.metadata.id)).toEqual(['CK-2026-0009']);
  });
});

describe('several databases', () => {
  it('merges by id: the first source wins, later copies (also GHSA aliases) are recorded as duplicates', async () => {
    const own = writeTree(path.join(tmp, 'own-db'), {
      'crates/arrayref/RUSTSEC-2026-0260.md': advisory('RUSTSEC-2026-0260', 'arrayref', '', 'patched = []'),
      'crates/internal-auth/CK-2026-0001.md': advisory(
        'CK-2026-0001',
        'internal-auth',
        'source = "sparse+https://registry.example.com/index/"',
      ),
    });
    const arrayref = snapshot.get('RUSTSEC-2026-0260')!;
    const hyper = snapshot.get('RUSTSEC-2022-0069')!;
    const ghsa = JSON.parse(formatOsvJson(hyper));
    ghsa.id = 'GHSA-q89x-f52w-6hj2';
    ghsa.aliases = ['CVE-2022-39230', 'RUSTSEC-2022-0069'];
    const zipPath = path.join(tmp, 'osv-dev.zip');
    fs.writeFileSync(
      zipPath,
      buildZip([
        { name: 'GHSA-q89x-f52w-6hj2.json', data: JSON.stringify(ghsa) },
        { name: 'RUSTSEC-2022-0069.json', data: formatOsvJson(hyper) },
        { name: 'RUSTSEC-2026-0260.json', data: formatOsvJson(arrayref) },
      ]),
    );
    const progress: LoadProgress[] = [];
    const idx = await loadAdvisoryDatabases([own, SNAPSHOT, zipPath], {
      onProgress: (p) => progress.push(p),
    });
    expect(progress.map((p) => [p.label, p.done, p.total, p.advisories])).toEqual([
      [own, 1, 3, 2],
      [SNAPSHOT, 2, 3, 1225],
      [zipPath, 3, 3, 3],
    ]);
    expect(idx.advisories).toHaveLength(1226);
    // The operator's own copy of RUSTSEC-2026-0260 (patched = []) is the one kept.
    expect(idx.get('RUSTSEC-2026-0260')!.origin.database).toBe(own);
    expect(idx.get('RUSTSEC-2026-0260')!.versions.unaffected).toEqual([]);
    expect(idx.get('CK-2026-0001')!.metadata.source).toBe('sparse+https://registry.example.com/index/');
    expect(idx.duplicates!.map((d) => [d.id, d.kept.database, d.dropped.database])).toEqual([
      ['RUSTSEC-2026-0260', own, SNAPSHOT],
      ['RUSTSEC-2022-0069', SNAPSHOT, zipPath],
      ['RUSTSEC-2026-0260', own, zipPath],
      ['GHSA-q89x-f52w-6hj2', SNAPSHOT, zipPath],
    ]);
    expect(idx.databases.map((d) => d.advisoryCount)).toEqual([2, 1225, 3]);
    expect(
      idx
        .forPackage('hyper-staticfile')
        .map((a) => a.metadata.id)
        .sort(),
    ).toEqual(['RUSTSEC-2022-0069', 'RUSTSEC-2022-0072']);
  });
});

describe('HTTP(S) sources', () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    const body = fs.readFileSync(SNAPSHOT);
    server = http.createServer((req, res) => {
      if (req.url === '/advisory-db.tar.gz') {
        res.writeHead(200, { 'content-type': 'application/gzip' });
        res.end(body);
      } else if (req.url === '/endless') {
        res.writeHead(200);
        const chunk = Buffer.alloc(64 * 1024);
        const timer = setInterval(() => res.write(chunk), 1);
        res.on('close', () => clearInterval(timer));
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('downloads a .tar.gz and loads it', async () => {
    const idx = await loadAdvisoryDatabases([`${base}/advisory-db.tar.gz`]);
    expect(idx.advisories).toHaveLength(1225);
    expect(idx.databases[0]!.label).toBe(`${base}/advisory-db.tar.gz`);
  });

  it('fails clearly on HTTP errors and on bodies over the limit', async () => {
    expect(await loadError([`${base}/nothing.tar.gz`])).toMatch(/download failed: HTTP 404/);
    expect(await loadError([`${base}/endless`], { maxDownloadBytes: 1024 * 1024 })).toMatch(/too large/);
    expect(await loadError([`${base}/advisory-db.tar.gz`], { maxDownloadBytes: 1000 })).toMatch(/too large/);
  });
});
