// Checks the domain rules against the whole crates.io index of 2019-11-10 (31,839 crates,
// 184,437 versions, 985,567 dependency rows): real data that crates.io and cargo accepted.
import { join } from 'node:path';
import { SHARED_DATA } from '../../test/support/paths.js';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalCrateName, crateNameError } from './crate-name.js';
import { indexPath, nameFromIndexPath } from './index-path.js';
import { formatVersion, parseVersion } from './semver.js';
import type { Version } from './semver.js';
import { formatVersionReq, matchesReq, parseVersionReq } from './version-req.js';
import type { VersionReq } from './version-req.js';

const SNAPSHOT = join(SHARED_DATA, 'crates-io-index-2019-11-10.tar.gz');

interface Dep {
  crate: string;
  req: string;
}
interface CrateFile {
  path: string;
  lines: { name: string; vers: string; deps: Dep[] }[];
}

async function readSnapshot(): Promise<CrateFile[]> {
  const extract = tar.extract();
  const out: CrateFile[] = [];
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => {
        chunks.push(c as Buffer);
      });
      stream.on('end', () => {
        const path = header.name.replace(/^[^/]+\//, '');
        if (header.type === 'file' && !path.startsWith('.') && path !== 'config.json') {
          const lines = Buffer.concat(chunks)
            .toString('utf8')
            .split('\n')
            .filter((l) => l.length > 0)
            .map((l) => {
              const j = JSON.parse(l) as {
                name: string;
                vers: string;
                deps: { name: string; package?: string | null; req: string; registry?: string | null }[];
              };
              return {
                name: j.name,
                vers: j.vers,
                deps: j.deps
                  .filter((d) => !d.registry)
                  .map((d) => ({ crate: d.package ?? d.name, req: d.req })),
              };
            });
          out.push({ path, lines });
        }
        next();
      });
      stream.on('error', reject);
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  createReadStream(SNAPSHOT).pipe(createGunzip()).pipe(extract);
  await done;
  return out;
}

describe('the 2019 crates.io index', () => {
  let files: CrateFile[] = [];
  beforeAll(async () => {
    files = await readSnapshot();
  }, 120_000);

  it('was read whole', () => {
    expect(files.length).toBe(31_839);
    expect(files.reduce((n, f) => n + f.lines.length, 0)).toBe(184_437);
  });

  it('has every crate file at the index path of its name, and valid, distinct names', () => {
    const canonical = new Set<string>();
    const problems: string[] = [];
    for (const f of files) {
      const name = f.lines[0]!.name;
      if (nameFromIndexPath(f.path) !== name.toLowerCase()) problems.push(`path ${f.path} for ${name}`);
      if (indexPath(name) !== f.path) problems.push(`indexPath(${name}) != ${f.path}`);
      const err = crateNameError(name);
      if (err) problems.push(err);
      canonical.add(canonicalCrateName(name));
    }
    expect(problems).toEqual([]);
    expect(canonical.size).toBe(files.length);
  });

  it('parses every version exactly, except a few beyond 2^53 which fail cleanly', () => {
    const refused: string[] = [];
    const problems: string[] = [];
    for (const f of files) {
      for (const l of f.lines) {
        let v: Version;
        try {
          v = parseVersion(l.vers);
        } catch (e) {
          if (!/exceeds 2\^53 - 1/.test((e as Error).message)) problems.push((e as Error).message);
          refused.push(l.vers);
          continue;
        }
        if (formatVersion(v) !== l.vers) problems.push(`${l.vers} formats as ${formatVersion(v)}`);
      }
    }
    expect(problems).toEqual([]);
    // Joke versions such as 18446744073709551615.18446744073709551615.18446744073709551615.
    expect(refused.length).toBeLessThan(10);
    for (const r of refused) expect(r).toMatch(/\d{16,}/);
  });

  it('parses nearly every requirement, and each canonical form parses back the same', () => {
    const seen = new Map<string, VersionReq | null>();
    let refusals = 0;
    let total = 0;
    for (const f of files) {
      for (const l of f.lines) {
        for (const d of l.deps) {
          total++;
          if (seen.has(d.req)) {
            if (seen.get(d.req) === null) refusals++;
            continue;
          }
          try {
            const r = parseVersionReq(d.req);
            expect(parseVersionReq(formatVersionReq(r))).toEqual(r);
            seen.set(d.req, r);
          } catch (e) {
            // Legacy syntax that the current semver crate rejects too (`^0.51-oldsyn`).
            if (!/expected comma after/.test((e as Error).message)) throw e;
            seen.set(d.req, null);
            refusals++;
          }
        }
      }
    }
    expect(total).toBeGreaterThan(900_000);
    expect(refusals).toBeLessThan(total / 10_000);
  });

  it('matches nearly every dependency requirement to some published version of its crate', () => {
    const versions = new Map<string, Version[]>();
    for (const f of files) {
      const list: Version[] = [];
      for (const l of f.lines) {
        try {
          list.push(parseVersion(l.vers));
        } catch {
          // counted in the test above
        }
      }
      versions.set(f.lines[0]!.name, list);
    }
    const reqs = new Map<string, VersionReq | null>();
    let checked = 0;
    let unmatched = 0;
    for (const f of files) {
      for (const l of f.lines) {
        for (const d of l.deps) {
          const candidates = versions.get(d.crate);
          if (!candidates) continue;
          let r = reqs.get(d.req);
          if (r === undefined) {
            try {
              r = parseVersionReq(d.req);
            } catch {
              r = null;
            }
            reqs.set(d.req, r);
          }
          if (r === null) continue;
          checked++;
          if (!candidates.some((v) => matchesReq(r, v))) unmatched++;
        }
      }
    }
    expect(checked).toBeGreaterThan(900_000);
    // crates.io accepted these against the index of the day; a handful (18 when written)
    // name versions since deleted, but wrong matching rules would strand far more.
    expect(unmatched).toBeLessThan(checked / 10_000);
  });
});
