// Cross-checks the graph built from the real 2019 crates.io index snapshot against a direct,
// deliberately naive scan of the same tarball (its own gunzip + tar + JSON.parse, resolution by
// trying every version), so the importer, builder and queries are checked against data nobody
// hand-picked.
import { join } from 'node:path';
import { SHARED_DATA } from '../../test/support/paths.js';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareVersionsWithBuild as compareVersions, tryParseVersion } from '../domain/semver.js';
import type { Version } from '../domain/semver.js';
import { matchesReq, tryParseVersionReq } from '../domain/version-req.js';
import { findDependents } from './dependents.js';
import type { EcosystemGraph } from './ecosystem-graph.js';
import { importIndex } from './import-index.js';
import { dependentCounts } from './top-crates.js';

const SNAPSHOT = join(SHARED_DATA, 'crates-io-index-2019-11-10.tar.gz');

interface RawLine {
  name: string;
  vers: string;
  yanked: boolean;
  deps: { name: string; package?: string; req: string; kind?: string; optional: boolean }[];
}

async function scan(): Promise<Map<string, RawLine[]>> {
  const crates = new Map<string, RawLine[]>();
  const extract = tar.extract();
  createReadStream(SNAPSHOT).pipe(createGunzip()).pipe(extract);
  for await (const entry of extract) {
    const parts = entry.header.name.split('/');
    const isCrateFile =
      entry.header.type === 'file' && !parts.some((p) => p.startsWith('.')) && parts.length >= 3;
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    if (!isCrateFile || parts[parts.length - 1] === 'config.json') continue;
    const lines = Buffer.concat(chunks)
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as RawLine);
    if (lines.length > 0) crates.set(lines[0]!.name, lines);
  }
  return crates;
}

/** The highest non-yanked version matching `req`, by trying them all (build metadata breaks ties, as in the semver crate's Ord). */
function naiveResolve(lines: RawLine[], req: string): string | null {
  const r = tryParseVersionReq(req);
  if (!r) return null;
  let best: Version | null = null;
  let bestText: string | null = null;
  for (const l of lines) {
    const v = tryParseVersion(l.vers);
    if (!v || l.yanked || !matchesReq(r, v)) continue;
    if (!best || compareVersions(v, best) > 0) {
      best = v;
      bestText = l.vers;
    }
  }
  return bestText;
}

function naiveLatest(lines: RawLine[]): RawLine | null {
  let best: { line: RawLine; v: Version } | null = null;
  let bestPre: { line: RawLine; v: Version } | null = null;
  for (const l of lines) {
    const v = tryParseVersion(l.vers);
    if (!v || l.yanked) continue;
    const slot = v.pre.length > 0 ? bestPre : best;
    if (!slot || compareVersions(v, slot.v) > 0) {
      if (v.pre.length > 0) bestPre = { line: l, v };
      else best = { line: l, v };
    }
  }
  return (best ?? bestPre)?.line ?? null;
}

describe('2019 crates.io snapshot', () => {
  let raw: Map<string, RawLine[]>;
  let g: EcosystemGraph;

  beforeAll(async () => {
    raw = await scan();
    g = (await importIndex(SNAPSHOT)).builder.build();
  });

  it('has every crate, version and dependency row of the files', () => {
    let lines = 0;
    let deps = 0;
    let dupLines = 0;
    let dupDeps = 0;
    for (const ls of raw.values()) {
      const seen = new Set<string>();
      for (const l of ls) {
        lines++;
        deps += l.deps.length;
        if (seen.has(l.vers)) {
          dupLines++;
          dupDeps += l.deps.length;
        }
        seen.add(l.vers);
      }
    }
    // The published figures for this snapshot.
    expect(raw.size).toBe(31839);
    expect(lines).toBe(184437);
    expect(deps).toBe(985567);
    expect(g.stats.crates).toBe(raw.size);
    expect(g.stats.versions).toBe(lines - dupLines);
    expect(g.stats.duplicateVersions).toBe(dupLines);
    expect(g.stats.dependencies).toBe(deps - dupDeps);
  });

  it("resolves serde's direct dependents exactly as a naive scan does", () => {
    const serde = raw.get('serde')!;
    const expected = new Set<string>();
    for (const [name, ls] of raw) {
      const seen = new Set<string>();
      for (const l of ls) {
        if (seen.has(l.vers)) continue; // the graph keeps a duplicated line's first copy
        seen.add(l.vers);
        for (const d of l.deps) {
          if ((d.package ?? d.name) !== 'serde') continue;
          const to = naiveResolve(serde, d.req);
          if (to) expected.add(`${name}@${l.vers} -> serde@${to}`);
        }
      }
    }
    const all = findDependents(g, g.versionsOf(g.crateId('serde')), {
      allVersions: true,
      kinds: ['normal', 'build', 'dev'],
      includeOptional: true,
    });
    const actual = new Set<string>();
    for (const r of all.dependents) {
      for (const dep of g.dependenciesOf(r.version)) {
        if (dep.crate === 'serde' && dep.resolved !== null)
          actual.add(`${g.label(r.version)} -> ${g.label(dep.resolved)}`);
      }
    }
    expect(expected.size).toBeGreaterThan(10000);
    expect([...actual].sort()).toEqual([...expected].sort());
  });

  it('finds the latest versions that depend on serde (normal + build, not optional)', () => {
    const expected: string[] = [];
    for (const [name, ls] of raw) {
      const latest = naiveLatest(ls);
      if (!latest || name === 'serde') continue;
      const uses = latest.deps.some(
        (d) =>
          (d.package ?? d.name) === 'serde' &&
          (d.kind ?? 'normal') !== 'dev' &&
          !d.optional &&
          naiveResolve(raw.get('serde')!, d.req) !== null,
      );
      if (uses) expected.push(`${name}@${latest.vers}`);
    }
    const got = findDependents(g, g.versionsOf(g.crateId('serde'))).dependents.map((r) => g.label(r.version));
    expect(got.sort()).toEqual(expected.sort());
  });

  it('counts transitive dependents the same way forward and backward', () => {
    const counts = dependentCounts(g);
    for (const name of ['serde', 'libc', 'rand', 'syn', 'tokio', 'winapi']) {
      const c = g.crateId(name);
      const r = findDependents(g, g.versionsOf(c), { transitive: true });
      expect(counts.transitive[c], name).toBe(r.crates);
      expect(counts.transitive[c]!, name).toBeGreaterThan(100);
    }
  });
});
