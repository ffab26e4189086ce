import { beforeAll, describe, expect, it } from 'vitest';
import type { AdvisoryIndex } from './advisory.js';
import { loadAdvisoryDatabases } from './database.js';
import { advisoriesForPackage } from './query.js';
import { CRATES_IO_GIT_INDEX, CRATES_IO_SPARSE_INDEX } from './ranges.js';

let db: AdvisoryIndex;

beforeAll(async () => {
  db = await loadAdvisoryDatabases(['/work/shared/data/rustsec-advisory-db-2026-08-21.tar.gz']);
});

const ids = (r: ReturnType<typeof advisoriesForPackage>) => ({
  vulnerabilities: r.vulnerabilities.map((a) => a.metadata.id).sort(),
  warnings: r.warnings.map((w) => `${w.kind}:${w.advisory.metadata.id}`).sort(),
});

describe('advisoriesForPackage', () => {
  it('finds the malicious arrayref 0.3.10 from crates.io only', () => {
    const hit = advisoriesForPackage(db, {
      name: 'arrayref',
      version: '0.3.10',
      source: CRATES_IO_SPARSE_INDEX,
    });
    expect(ids(hit).vulnerabilities).toContain('RUSTSEC-2026-0260');
    expect(
      ids(advisoriesForPackage(db, { name: 'arrayref', version: '0.3.9', source: CRATES_IO_GIT_INDEX }))
        .vulnerabilities,
    ).not.toContain('RUSTSEC-2026-0260');
    for (const source of [
      null,
      undefined,
      'git+https://github.com/droundy/arrayref#abc',
      'sparse+https://other.example/index/',
    ]) {
      expect(advisoriesForPackage(db, { name: 'arrayref', version: '0.3.10', source })).toEqual({
        vulnerabilities: [],
        warnings: [],
      });
    }
  });

  it('reports informational advisories as warnings with their kind and skips withdrawn ones', () => {
    expect(
      ids(advisoriesForPackage(db, { name: 'badge', version: '0.3.0', source: CRATES_IO_GIT_INDEX })),
    ).toEqual({
      vulnerabilities: [],
      warnings: ['unmaintained:RUSTSEC-2022-0057'],
    });
    // markdown's unmaintained advisory is withdrawn.
    expect(
      advisoriesForPackage(db, { name: 'markdown', version: '0.3.0', source: CRATES_IO_GIT_INDEX }).warnings,
    ).toEqual([]);
  });

  it('never matches toolchain (rust/) advisories against crates', () => {
    expect(db.forPackage('cargo').some((a) => a.metadata.collection === 'rust')).toBe(true);
    expect(
      advisoriesForPackage(db, {
        name: 'cargo',
        version: '0.1.0',
        source: CRATES_IO_GIT_INDEX,
      }).vulnerabilities.every((a) => a.metadata.collection === 'crates'),
    ).toBe(true);
  });
});
