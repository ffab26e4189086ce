import { describe, expect, it } from 'vitest';
import { displayVersionReq, rfc3339, validateCargoAuditReport } from './cargo-audit-report.js';

describe('rfc3339', () => {
  it('writes times as the time crate does', () => {
    expect(rfc3339('2026-08-21T06:28:40.000Z')).toBe('2026-08-21T06:28:40Z');
    expect(rfc3339('2026-08-21T06:28:40.500Z')).toBe('2026-08-21T06:28:40.500Z');
    expect(rfc3339('2026-08-21T08:28:40+02:00')).toBe('2026-08-21T08:28:40+02:00');
    expect(rfc3339('not a time')).toBe('not a time');
  });
});

describe('displayVersionReq', () => {
  it('spells requirements as the semver crate displays them', () => {
    expect(displayVersionReq('>= 0.6.10')).toBe('>=0.6.10');
    expect(displayVersionReq('< 0.6.10, >= 0.6.5')).toBe('<0.6.10, >=0.6.5');
    expect(displayVersionReq('^0.4')).toBe('^0.4');
    expect(displayVersionReq('1.2.3')).toBe('^1.2.3');
    expect(displayVersionReq('not a req')).toBe('not a req');
  });
});

describe('validateCargoAuditReport', () => {
  const minimal = {
    database: { 'advisory-count': 0, 'last-commit': null, 'last-updated': null },
    lockfile: { 'dependency-count': 1 },
    settings: { target_arch: [], target_os: [], severity: null, ignore: [], informational_warnings: [] },
    vulnerabilities: { found: false, count: 0, list: [] },
    warnings: {},
  };
  it("allows cratekeeper's one extra top-level key, and no other", () => {
    expect(validateCargoAuditReport(minimal)).toEqual([]);
    expect(validateCargoAuditReport({ ...minimal, cratekeeper: { reachability: {} } })).toEqual([]);
    expect(validateCargoAuditReport({ ...minimal, cratekeeper: [] })).toEqual([
      '$.cratekeeper: expected an object',
    ]);
    expect(validateCargoAuditReport({ ...minimal, other: 1 })).toEqual(['$.other: unexpected key']);
  });
});
