import { beforeAll, describe, expect, it } from 'vitest';
import { AdvisoryFormatError, parseAdvisoryMarkdown } from './advisory-markdown.js';
import { formatOsv, formatOsvJson, parseOsvAdvisory } from './advisory-osv.js';
import type { AdvisoryIndex } from '../security/advisories/advisory.js';
import { loadAdvisoryDatabases } from '../security/advisories/database.js';
import { formatRange, isVersionAffected, mergeRanges } from '../security/advisories/ranges.js';

const origin = { database: 'osv-test', file: 'RUSTSEC-2024-0001.json' };
let db: AdvisoryIndex;

beforeAll(async () => {
  db = await loadAdvisoryDatabases(['/work/shared/data/rustsec-advisory-db-2026-08-21.tar.gz']);
});

function osvError(doc: unknown): string {
  try {
    parseOsvAdvisory(typeof doc === 'string' ? doc : JSON.stringify(doc), origin);
  } catch (e) {
    expect(e).toBeInstanceOf(AdvisoryFormatError);
    return (e as Error).message;
  }
  throw new Error('expected the OSV document to be rejected');
}

describe('formatOsv (rustsec export shape)', () => {
  it('writes the arrayref advisory as advisory-db`s osv branch does', () => {
    const osv = formatOsv(db.get('RUSTSEC-2026-0260')!);
    expect(osv).toMatchObject({
      id: 'RUSTSEC-2026-0260',
      published: '2026-08-20T12:00:00Z',
      aliases: [],
      related: [],
      severity: [],
      affected: [
        {
          package: { ecosystem: 'crates.io', name: 'arrayref', purl: 'pkg:cargo/arrayref' },
          ranges: [{ type: 'SEMVER', events: [{ introduced: '0.3.10-0' }] }],
          versions: [],
          ecosystem_specific: { affects: { arch: [], os: [], functions: [] }, affected_functions: null },
          database_specific: { categories: ['malicious'], cvss: null, informational: null },
        },
      ],
      references: [
        { type: 'PACKAGE', url: 'https://crates.io/crates/arrayref' },
        { type: 'ADVISORY', url: 'https://rustsec.org/advisories/RUSTSEC-2026-0260.html' },
        { type: 'WEB', url: 'https://blog.rust-lang.org/2026/08/20/supply-chain-attack-on-arrayref' },
      ],
      database_specific: { license: 'CC0-1.0' },
    });
    expect(Object.keys(osv)).toEqual([
      'id',
      'modified',
      'published',
      'aliases',
      'related',
      'summary',
      'details',
      'severity',
      'affected',
      'references',
      'database_specific',
    ]);
  });

  it('writes withdrawn, CVSS severity and bounded ranges', () => {
    const osv = formatOsv(db.get('RUSTSEC-2022-0009')!, { modified: '2024-01-01T00:00:00Z' }) as Record<
      string,
      unknown
    >;
    expect(osv.modified).toBe('2024-01-01T00:00:00Z');
    const affected = (osv.affected as { ranges: unknown[] }[])[0]!;
    expect(affected.ranges).toEqual([
      {
        type: 'SEMVER',
        events: [
          { introduced: '0.30.0-rc.1' },
          { fixed: '0.30.2' },
          { introduced: '0.31.0-0' },
          { fixed: '0.31.1' },
        ],
      },
    ]);
    const withdrawn = formatOsv(db.get('RUSTSEC-2022-0044')!);
    expect(withdrawn.withdrawn).toBe('2025-04-28T12:00:00Z');
    const withCvss = db.advisories.find((a) => a.metadata.cvss?.startsWith('CVSS:4.0/'))!;
    expect(formatOsv(withCvss).severity).toEqual([{ type: 'CVSS_V4', score: withCvss.metadata.cvss }]);
  });
});

describe('parseOsvAdvisory', () => {
  it('round-trips every advisory of the snapshot (ranges, metadata; url folds into references)', () => {
    for (const a of db.advisories) {
      const back = parseOsvAdvisory(formatOsvJson(a), origin);
      expect(back).toHaveLength(1);
      const b = back[0]!;
      // rustsec writes empty ranges ([x, x)) that reading drops; the versions covered are the same.
      expect(b.ranges.map(formatRange), a.metadata.id).toEqual(mergeRanges(a.ranges).map(formatRange));
      expect(b.metadata, a.metadata.id).toEqual({
        ...a.metadata,
        // OSV names crates.io packages only: toolchain advisories read back as crates.
        collection: 'crates',
        keywords: [],
        url: null,
        // The crates.io and rustsec.org pages are what the export adds itself; reading drops them.
        references: [
          ...new Set([...(a.metadata.url ? [a.metadata.url] : []), ...a.metadata.references]),
        ].filter(
          (u) =>
            u !== `https://crates.io/crates/${a.metadata.package}` &&
            u !== `https://rustsec.org/advisories/${a.metadata.id}.html`,
        ),
        expectDeleted: false,
      });
      expect(b.affected?.arch ?? [], a.metadata.id).toEqual(a.affected?.arch ?? []);
      expect(Object.keys(b.affected?.functions ?? {})).toEqual(Object.keys(a.affected?.functions ?? {}));
    }
  });

  it('keeps a non-crates.io source in its database_specific (cratekeeper`s own advisories)', () => {
    const a = parseAdvisoryMarkdown(
      '```toml\n[advisory]\nid = "CK-2026-0001"\npackage = "internal-auth"\ndate = "2026-01-05"\nsource = "sparse+https://registry.example.com/index/"\n\n[versions]\npatched = [">= 1.0.1"]\n```\n\n# Token bypass\n\nDetails.\n',
      { collection: 'crates', database: 'own', file: 'crates/internal-auth/CK-2026-0001.md' },
    );
    const osv = formatOsv(a);
    expect((osv.references as { url: string }[]).map((r) => r.url)).toEqual([]);
    const [back] = parseOsvAdvisory(osv, origin);
    expect(back!.metadata.source).toBe('sparse+https://registry.example.com/index/');
  });

  it('reads osv.dev GHSA entries: ECOSYSTEM ranges, introduced "0", last_affected, several entries per package', () => {
    const ghsa = {
      schema_version: '1.6.0',
      id: 'GHSA-abcd-1234-wxyz',
      modified: '2025-03-01T10:00:00.123Z',
      published: '2025-02-27T18:30:00Z',
      aliases: ['CVE-2025-0001'],
      summary: 'Demo is vulnerable',
      details: 'Long text.',
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
      affected: [
        {
          package: { ecosystem: 'crates.io', name: 'demo' },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '0.9.3' }] }],
        },
        {
          package: { ecosystem: 'crates.io', name: 'demo' },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.0.0' }, { last_affected: '1.2.0' }] }],
        },
        {
          package: { ecosystem: 'npm', name: 'demo' },
          ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }],
        },
        {
          package: { ecosystem: 'crates.io', name: 'demo-sys' },
          versions: ['0.1.0', '0.1.1'],
          ranges: [{ type: 'GIT', repo: 'https://x', events: [{ introduced: 'abc' }] }],
        },
      ],
      references: [{ type: 'ADVISORY', url: 'https://nvd.nist.gov/vuln/detail/CVE-2025-0001' }],
      database_specific: { github_reviewed: true, cwe_ids: ['CWE-79'] },
    };
    const out = parseOsvAdvisory(JSON.stringify(ghsa), origin);
    expect(out.map((a) => a.metadata.package)).toEqual(['demo', 'demo-sys']);
    const demo = out[0]!;
    expect(demo.metadata.cvss).toBe('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H');
    expect(demo.metadata.date).toBe('2025-02-27');
    expect(demo.metadata.license).toBe('CC0-1.0');
    expect(demo.metadata.references).toEqual(['https://nvd.nist.gov/vuln/detail/CVE-2025-0001']);
    expect(demo.ranges.map(formatRange)).toEqual([
      { introduced: '0.0.0-0', fixed: '0.9.3' },
      { introduced: '1.0.0', fixed: '1.2.1-0' },
    ]);
    expect(demo.versions).toEqual({ patched: ['>= 0.9.3, < 1.0.0', '>= 1.2.1-0'], unaffected: [] });
    expect(
      ['0.1.0', '0.9.3', '1.0.0', '1.2.0', '1.2.1-rc.1', '1.2.1'].filter((v) => isVersionAffected(demo, v)),
    ).toEqual(['0.1.0', '1.0.0', '1.2.0']);
    const sys = out[1]!;
    expect(['0.1.0', '0.1.1', '0.1.2', '0.1.1+b'].filter((v) => isVersionAffected(sys, v))).toEqual([
      '0.1.0',
      '0.1.1',
      '0.1.1+b',
    ]);
  });

  it('reads unsorted events and an open range', () => {
    const [a] = parseOsvAdvisory(
      {
        id: 'RUSTSEC-2024-0002',
        published: '2024-01-01T00:00:00Z',
        affected: [
          {
            package: { ecosystem: 'crates.io', name: 'demo' },
            ranges: [
              {
                type: 'SEMVER',
                events: [{ introduced: '2.0.0' }, { fixed: '1.5.0' }, { introduced: '1.0.0' }],
              },
            ],
          },
        ],
      },
      origin,
    );
    expect(a!.ranges.map(formatRange)).toEqual([
      { introduced: '1.0.0', fixed: '1.5.0' },
      { introduced: '2.0.0', fixed: null },
    ]);
    expect(a!.metadata.title).toBe('RUSTSEC-2024-0002');
  });

  it('rejects malformed, truncated and hostile documents with a clear message', () => {
    const ok = {
      id: 'RUSTSEC-2024-0001',
      published: '2024-01-01T12:00:00Z',
      affected: [{ package: { ecosystem: 'crates.io', name: 'demo' }, ranges: [] }],
    };
    expect(osvError('{"id": "RUSTSEC-2024-0001", "aff')).toMatch(/invalid JSON/);
    expect(osvError('[]')).toMatch(/must be a JSON object/);
    expect(osvError({ ...ok, id: undefined })).toMatch(/missing osv.id/);
    expect(osvError({ ...ok, id: 'RUSTSEC-1900-0001' })).toMatch(/year/);
    expect(osvError({ ...ok, published: undefined })).toMatch(/missing osv.published/);
    expect(osvError({ ...ok, published: 'yesterday' })).toMatch(/RFC 3339/);
    expect(osvError({ ...ok, affected: {} })).toMatch(/affected must be an array/);
    expect(
      osvError({ ...ok, affected: [{ package: { ecosystem: 'crates.io', name: '../../etc' } }] }),
    ).toMatch(/not a valid crate name/);
    const withEvents = (events: unknown) => ({
      ...ok,
      affected: [{ package: { ecosystem: 'crates.io', name: 'demo' }, ranges: [{ type: 'SEMVER', events }] }],
    });
    expect(osvError(withEvents([{ introduced: '1.0' }]))).toMatch(/introduced/);
    expect(osvError(withEvents([{ introduced: '1.0.0', fixed: '2.0.0' }]))).toMatch(/exactly one/);
    expect(osvError(withEvents([{ broken: '1.0.0' }]))).toMatch(/unknown event/);
    expect(osvError(withEvents('1.0.0'))).toMatch(/events must be an array/);
    expect(osvError({ ...ok, severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N' }] })).toMatch(/cvss/);
    expect(osvError(' '.repeat(3 * 1024 * 1024))).toMatch(/too large/);
    // `__proto__` keys stay data, never reach a prototype.
    const proto = JSON.parse(
      '{"id":"RUSTSEC-2024-0003","published":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"crates.io","name":"demo"},"ecosystem_specific":{"affects":{"functions":["demo::__proto__"]}}}]}',
    );
    const [p] = parseOsvAdvisory(proto, origin);
    expect(Object.keys(p!.affected!.functions)).toEqual(['demo::__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
