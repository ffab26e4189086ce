import { beforeAll, describe, expect, it } from 'vitest';
import { parseVersion } from '../../domain/semver.js';
import type { Version } from '../../domain/semver.js';
import { matchesReq, parseVersionReq } from '../../domain/version-req.js';
import { parseAdvisoryMarkdown } from '../../formats/advisory-markdown.js';
import type { Advisory, AdvisoryIndex } from './advisory.js';
import { loadAdvisoryDatabases } from './database.js';
import {
  AdvisoryRangeError,
  CRATES_IO_GIT_INDEX,
  CRATES_IO_SPARSE_INDEX,
  advisoryAppliesToSource,
  advisoryMatches,
  affectedFunctionsFor,
  computeAffectedRanges,
  formatRange,
  incrementVersion,
  isVersionAffected,
  isWithdrawn,
  mergeRanges,
  versionsForRanges,
} from './ranges.js';

const SNAPSHOT = '/work/shared/data/rustsec-advisory-db-2026-08-21.tar.gz';
let db: AdvisoryIndex;

beforeAll(async () => {
  db = await loadAdvisoryDatabases([SNAPSHOT]);
});

function real(id: string): Advisory {
  const a = db.get(id);
  if (!a) throw new Error(`${id} missing from the snapshot`);
  return a;
}

/** Which of these versions the advisory affects. */
function affected(a: Advisory, versions: string[]): string[] {
  return versions.filter((v) => isVersionAffected(a, v));
}

const ranges = (patched: string[], unaffected: string[] = []) =>
  computeAffectedRanges(patched, unaffected).map(formatRange);

describe('computeAffectedRanges (rustsec ranges_for_advisory)', () => {
  it('turns inclusive and exclusive bounds into [introduced, fixed) with rustsec increment', () => {
    expect(ranges([], ['<= 0.3.9'])).toEqual([{ introduced: '0.3.10-0', fixed: null }]);
    expect(ranges(['> 1.2.3'])).toEqual([{ introduced: '0.0.0-0', fixed: '1.2.4-0' }]);
    expect(ranges(['> 1.2.3-rc.1'])).toEqual([{ introduced: '0.0.0-0', fixed: '1.2.3-rc.1.0' }]);
    expect(ranges(['>= 1.2.3'], ['< 1.0.0'])).toEqual([{ introduced: '1.0.0', fixed: '1.2.3' }]);
  });

  it('gives ^ and ~ their upper bounds as x.y.z-0', () => {
    expect(ranges(['^1.2.3'])).toEqual([
      { introduced: '0.0.0-0', fixed: '1.2.3' },
      { introduced: '2.0.0-0', fixed: null },
    ]);
    expect(ranges(['^0.2.3'])[1]).toEqual({ introduced: '0.3.0-0', fixed: null });
    expect(ranges(['^0.0.3'])[1]).toEqual({ introduced: '0.0.4-0', fixed: null });
    expect(ranges(['^0.0'])[1]).toEqual({ introduced: '0.1.0-0', fixed: null });
    expect(ranges(['^0'])[1]).toEqual({ introduced: '1.0.0-0', fixed: null });
    expect(ranges(['~1.2.3'])[1]).toEqual({ introduced: '1.3.0-0', fixed: null });
    expect(ranges(['~1'])[1]).toEqual({ introduced: '2.0.0-0', fixed: null });
    // A bare version is a caret requirement.
    expect(ranges(['1.4'])).toEqual(ranges(['^1.4']));
  });

  it('treats = as a single inclusive version', () => {
    expect(ranges(['= 1.2.3'])).toEqual([
      { introduced: '0.0.0-0', fixed: '1.2.3' },
      { introduced: '1.2.4-0', fixed: null },
    ]);
  });

  it('affects every version when both lists are empty, none when `*` is patched', () => {
    expect(computeAffectedRanges([], [])).toEqual([{ introduced: null, fixed: null }]);
    expect(computeAffectedRanges(['*'], [])).toEqual([]);
  });

  it('orders requirements by their start whatever order they are written in', () => {
    expect(ranges(['>= 2.0.0', '>= 1.1.0, < 1.5.0'])).toEqual(ranges(['>= 1.1.0, < 1.5.0', '>= 2.0.0']));
  });

  it('throws AdvisoryRangeError for what rustsec refuses', () => {
    expect(() => computeAffectedRanges(['>= 1, < 2, < 3'], [])).toThrow(AdvisoryRangeError);
    expect(() => computeAffectedRanges(['1.*'], [])).toThrow(/unsupported operator/);
    expect(() => computeAffectedRanges(['>= 1.0'], ['>= 0.5'])).toThrow(/overlapping/);
  });

  it('ignores build metadata on a bound and on the version compared', () => {
    expect(ranges(['>= 1.2.3+build.5'], ['< 1.0.0+old'])).toEqual(ranges(['>= 1.2.3'], ['< 1.0.0']));
    expect(ranges([], ['<= 0.3.9+meta'])).toEqual([{ introduced: '0.3.10-0', fixed: null }]);
    const a = parseAdvisoryMarkdown(
      '```toml\n[advisory]\nid = "RUSTSEC-2024-0001"\npackage = "demo"\ndate = "2024-01-01"\n[versions]\npatched = [">= 1.2.3+build.5"]\n```\n\n# T\n\nD\n',
      { collection: 'crates', database: 'x', file: 'crates/demo/RUSTSEC-2024-0001.md' },
    );
    expect(
      ['1.2.2+build.5', '1.2.3+other', '1.2.3+build.5', '1.2.3-rc.1+build.5'].filter((v) =>
        isVersionAffected(a, v),
      ),
    ).toEqual(['1.2.2+build.5', '1.2.3-rc.1+build.5']);
  });

  it('increments releases and pre-releases as rustsec does', () => {
    expect(incrementVersion(parseVersion('1.2.3+build'))).toEqual(parseVersion('1.2.4-0'));
    expect(incrementVersion(parseVersion('1.2.3-alpha'))).toEqual(parseVersion('1.2.3-alpha.0'));
  });
});

describe('isVersionAffected over real advisories of the 2026-08-21 snapshot', () => {
  it('patched = [] with unaffected only: arrayref (malicious 0.3.10)', () => {
    const a = real('RUSTSEC-2026-0260');
    expect(a.versions).toEqual({ patched: [], unaffected: ['<= 0.3.9'] });
    expect(a.metadata.categories).toContain('malicious');
    expect(
      affected(a, ['0.1.0', '0.3.9', '0.3.9+build.7', '0.3.10-0', '0.3.10-alpha', '0.3.10', '1.0.0']),
    ).toEqual(['0.3.10-0', '0.3.10-alpha', '0.3.10', '1.0.0']);
  });

  it('^ and a pre-release bound: hyper-staticfile, pre-releases inside the range are affected', () => {
    const a = real('RUSTSEC-2022-0069');
    expect(a.versions.patched).toEqual(['^0.9.2', '>= 0.10.0-alpha.2']);
    expect(
      affected(a, [
        '0.9.1',
        '0.9.2',
        '0.9.3-beta',
        '0.9.9',
        '0.10.0-0',
        '0.10.0-alpha.1',
        '0.10.0-alpha.2',
        '0.10.0',
      ]),
    ).toEqual(['0.9.1', '0.10.0-0', '0.10.0-alpha.1']);
    // Naive VersionReq::matches would call 0.9.3-beta unpatched (it matches neither req).
    expect(a.versions.patched.some((r) => matchesReq(parseVersionReq(r), parseVersion('0.9.3-beta')))).toBe(
      false,
    );
  });

  it('pre-releases at both bounds, build metadata ignored: anchor-lang', () => {
    const a = real('RUSTSEC-2026-0146');
    expect(a.versions).toEqual({ patched: ['>= 1.0.0-rc.2'], unaffected: ['< 1.0.0-rc.1'] });
    expect(
      affected(a, [
        '0.31.1',
        '1.0.0-beta.9',
        '1.0.0-rc.1',
        '1.0.0-rc.1+sha.abc',
        '1.0.0-rc.1.5',
        '1.0.0-rc.2',
        '1.0.0',
      ]),
    ).toEqual(['1.0.0-rc.1', '1.0.0-rc.1+sha.abc', '1.0.0-rc.1.5']);
  });

  it('alphanumeric pre-release identifiers compare lexically: serde_yaml < 0.6.0-rc1', () => {
    const a = real('RUSTSEC-2018-0005');
    expect(
      affected(a, ['0.5.9', '0.6.0-rc0', '0.6.0-rc1', '0.6.0', '0.7.5', '0.8.3', '0.8.4', '0.9.0']),
    ).toEqual(['0.6.0-rc1', '0.6.0', '0.7.5', '0.8.3']);
  });

  it('several comparators and ^ with a space: libp2p-core', () => {
    const a = real('RUSTSEC-2022-0009');
    expect(a.versions).toEqual({ patched: ['^ 0.30.2', '>= 0.31.1'], unaffected: ['< 0.30.0-rc.1'] });
    expect(a.ranges.map(formatRange)).toEqual([
      { introduced: '0.30.0-rc.1', fixed: '0.30.2' },
      { introduced: '0.31.0-0', fixed: '0.31.1' },
    ]);
    expect(
      affected(a, [
        '0.29.9',
        '0.30.0-rc.1',
        '0.30.1',
        '0.30.2',
        '0.30.9',
        '0.31.0-alpha',
        '0.31.0',
        '0.31.1',
      ]),
    ).toEqual(['0.30.0-rc.1', '0.30.1', '0.31.0-alpha', '0.31.0']);
  });

  it('a run of = requirements leaves the pre-releases between them affected: time', () => {
    const a = real('RUSTSEC-2020-0071');
    expect(a.versions.unaffected).toHaveLength(7);
    expect(
      affected(a, ['0.1.45', '0.2.0', '0.2.1-beta', '0.2.1', '0.2.6', '0.2.7', '0.2.22', '0.2.23', '0.3.36']),
    ).toEqual(['0.1.45', '0.2.1-beta', '0.2.7', '0.2.22']);
  });

  it('partial versions take missing parts as 0, as rustsec comp_to_ver does: libpulse-binding "> 0"', () => {
    const a = real('RUSTSEC-2020-0055');
    expect(a.versions.unaffected).toEqual(['> 0']);
    // rustsec reads `> 0` as `> 0.0.0` (semver's VersionReq would say `>= 1.0.0`).
    expect(affected(a, ['0.0.0', '0.0.1-alpha', '0.0.1', '0.5.0', '2.0.0'])).toEqual(['0.0.0']);
    expect(isWithdrawn(a)).toBe(true);
  });

  it('withdrawn advisories never match, though their versions are affected: markdown', () => {
    const a = real('RUSTSEC-2022-0044');
    expect(a.metadata.withdrawn).toBe('2025-04-28');
    expect(isVersionAffected(a, '0.3.0')).toBe(true);
    expect(advisoryMatches(a, { name: 'markdown', version: '0.3.0', source: CRATES_IO_GIT_INDEX })).toBe(
      false,
    );
    const withdrawn = db.advisories.filter(isWithdrawn).map((x) => x.metadata.id);
    expect(withdrawn).toHaveLength(13);
    expect(withdrawn).toContain('RUSTSEC-2020-0055');
  });

  it('informational advisories keep their kind: unmaintained with patched = [] affects everything', () => {
    const a = real('RUSTSEC-2022-0057');
    expect(a.metadata.informational).toBe('unmaintained');
    expect(a.versions.patched).toEqual([]);
    expect(affected(a, ['0.0.0-0', '0.1.0', '99.0.0'])).toEqual(['0.0.0-0', '0.1.0', '99.0.0']);
    const kinds = new Map<string, number>();
    for (const x of db.advisories) {
      if (x.metadata.informational !== null) {
        kinds.set(x.metadata.informational, (kinds.get(x.metadata.informational) ?? 0) + 1);
      }
    }
    expect(kinds.get('unmaintained')).toBe(267);
    expect(kinds.get('unsound')).toBe(203);
    expect(kinds.get('notice')).toBe(6);
    expect([...kinds.keys()].sort()).toEqual(['notice', 'unmaintained', 'unsound']);
  });

  it('agrees with VersionReq::matches on release versions for every advisory of the snapshot', () => {
    // For releases, rustsec's intervals and semver matching coincide, except where rustsec fills
    // the missing parts of `>`, `<=` and `=` partial versions with 0 (see "> 0" above).
    let checked = 0;
    for (const a of db.advisories) {
      const reqs = [...a.versions.patched, ...a.versions.unaffected].map(parseVersionReq);
      const partial = reqs.some((r) =>
        r.comparators.some((c) => (c.op === '>' || c.op === '<=' || c.op === '=') && c.patch === undefined),
      );
      if (partial) continue;
      const candidates = new Map<string, Version>();
      for (const r of reqs) {
        for (const c of r.comparators) {
          const major = c.major;
          const minor = c.minor ?? 0;
          const patch = c.patch ?? 0;
          for (const [M, m, p] of [
            [major, minor, patch],
            [major, minor, patch + 1],
            [major, minor + 1, 0],
            [major + 1, 0, 0],
            [major, minor, Math.max(0, patch - 1)],
          ] as const) {
            const v = parseVersion(`${M}.${m}.${p}`);
            candidates.set(`${M}.${m}.${p}`, v);
          }
        }
      }
      candidates.set('0.0.0', parseVersion('0.0.0'));
      for (const v of candidates.values()) {
        const naive = !reqs.some((r) => matchesReq(r, v));
        expect(isVersionAffected(a, v), `${a.metadata.id} at ${v.major}.${v.minor}.${v.patch}`).toBe(naive);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5000);
  });
});

describe('affectedFunctionsFor (plain VersionReq::matches, as rustsec)', () => {
  it('lists the paths whose requirements match: lz4_flex', () => {
    const a = real('RUSTSEC-2026-0041');
    expect(affectedFunctionsFor(a, '0.12.0')).toHaveLength(6);
    expect(affectedFunctionsFor(a, '0.11.5')).toContain('lz4_flex::block::decompress');
    expect(affectedFunctionsFor(a, '0.12.1')).toEqual([]);
    expect(affectedFunctionsFor(real('RUSTSEC-2026-0260'), '0.3.10')).toBeNull();
  });

  it('does not extend to pre-releases of another version, unlike the ranges: libp2p-core', () => {
    const a = real('RUSTSEC-2022-0009');
    expect(affectedFunctionsFor(a, '0.30.0')).toEqual(['libp2p_core::PeerRecord::from_signed_envelope']);
    expect(affectedFunctionsFor(a, '0.30.0-rc.2')).toEqual(['libp2p_core::PeerRecord::from_signed_envelope']);
    expect(isVersionAffected(a, '0.31.0-alpha')).toBe(true);
    expect(affectedFunctionsFor(a, '0.31.0-alpha')).toEqual([]);
  });
});

describe('advisoryAppliesToSource', () => {
  const make = (source: string | null): Advisory =>
    parseAdvisoryMarkdown(
      `\`\`\`toml\n[advisory]\nid = "CK-2026-0001"\npackage = "internal-auth"\ndate = "2026-01-05"\n${
        source === null ? '' : `source = "${source}"\n`
      }\n[versions]\npatched = [">= 1.0.1"]\n\`\`\`\n\n# Token bypass\n\nDetails.\n`,
      { collection: 'crates', database: 'own', file: 'crates/internal-auth/CK-2026-0001.md' },
    );

  it('crates.io advisories match only the two crates.io source ids', () => {
    const a = make(null);
    expect(advisoryAppliesToSource(a, CRATES_IO_GIT_INDEX)).toBe(true);
    expect(advisoryAppliesToSource(a, CRATES_IO_SPARSE_INDEX)).toBe(true);
    expect(advisoryAppliesToSource(a, 'sparse+https://registry.example.com/index/')).toBe(false);
    expect(advisoryAppliesToSource(a, 'git+https://github.com/org/internal-auth?rev=abc#abc123')).toBe(false);
    expect(advisoryAppliesToSource(a, null)).toBe(false);
    expect(advisoryAppliesToSource(a, undefined)).toBe(false);
  });

  it('an advisory naming another registry matches that registry only, sparse+ and registry+ alike', () => {
    const a = make('sparse+https://Registry.Example.com/index/');
    expect(advisoryAppliesToSource(a, 'sparse+https://registry.example.com/index/')).toBe(true);
    expect(advisoryAppliesToSource(a, 'sparse+https://registry.example.com/index')).toBe(true);
    expect(advisoryAppliesToSource(a, 'registry+https://registry.example.com/index')).toBe(true);
    expect(advisoryAppliesToSource(a, 'sparse+https://registry.example.com/other/')).toBe(false);
    expect(advisoryAppliesToSource(a, 'sparse+https://evil.example.net/index/')).toBe(false);
    expect(advisoryAppliesToSource(a, CRATES_IO_SPARSE_INDEX)).toBe(false);
    expect(advisoryAppliesToSource(a, 'git+https://registry.example.com/index')).toBe(false);
    expect(
      advisoryMatches(a, {
        name: 'internal-auth',
        version: '1.0.0',
        source: 'sparse+https://registry.example.com/index/',
      }),
    ).toBe(true);
    expect(
      advisoryMatches(a, {
        name: 'internal-auth',
        version: '1.0.1',
        source: 'sparse+https://registry.example.com/index/',
      }),
    ).toBe(false);
    expect(
      advisoryMatches(a, {
        name: 'internal_auth',
        version: '1.0.0',
        source: 'sparse+https://registry.example.com/index/',
      }),
    ).toBe(false);
  });

  it('an explicit crates.io source is crates.io in either spelling', () => {
    const a = make(CRATES_IO_GIT_INDEX);
    expect(advisoryAppliesToSource(a, CRATES_IO_SPARSE_INDEX)).toBe(true);
    expect(advisoryAppliesToSource(a, CRATES_IO_GIT_INDEX)).toBe(true);
  });
});

describe('mergeRanges and versionsForRanges', () => {
  it('merges overlapping and touching ranges and describes them as [versions] again', () => {
    const v = (s: string) => parseVersion(s);
    const merged = mergeRanges([
      { introduced: v('1.1.0'), fixed: v('1.5.0') },
      { introduced: null, fixed: v('1.2.0') },
      { introduced: v('1.5.0'), fixed: v('1.6.0') },
      { introduced: v('2.0.0'), fixed: v('2.0.0') },
      { introduced: v('3.0.0'), fixed: null },
    ]);
    expect(merged.map(formatRange)).toEqual([
      { introduced: '0.0.0-0', fixed: '1.6.0' },
      { introduced: '3.0.0', fixed: null },
    ]);
    const versions = versionsForRanges(merged);
    expect(versions).toEqual({ patched: ['>= 1.6.0, < 3.0.0'], unaffected: [] });
    expect(computeAffectedRanges(versions.patched, versions.unaffected).map(formatRange)).toEqual(
      merged.map(formatRange),
    );
  });
});
