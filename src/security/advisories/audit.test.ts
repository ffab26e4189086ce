import { describe, expect, it } from 'vitest';
import { parseLockfile } from '../../domain/lockfile.js';
import { parseAdvisoryMarkdown } from '../../formats/advisory-markdown.js';
import { cargoAuditReportJson, validateCargoAuditReport } from '../../formats/cargo-audit-report.js';
import type { Advisory, AdvisoryIndex } from './advisory.js';
import {
  addYankedWarnings,
  auditLockfile,
  defaultAuditSettings,
  deniedKinds,
  informationalWarningsFor,
  shouldFail,
  type AuditSettings,
} from './audit.js';

const CRATES_IO = 'registry+https://github.com/rust-lang/crates.io-index';
const OTHER = 'sparse+https://registry.example.com/index/';

function advisory(front: string, title = 'A title'): Advisory {
  return parseAdvisoryMarkdown('```toml\n' + front + '\n```\n\n# ' + title + '\n\nDescription.\n', {
    collection: 'crates',
    database: 'test',
    file: 'x.md',
  });
}

export function indexOf(list: Advisory[]): AdvisoryIndex {
  return {
    advisories: list,
    problems: [],
    databases: [{ label: 'test', advisoryCount: list.length, lastCommit: null, lastUpdated: null }],
    get: (id) => list.find((a) => a.metadata.id === id),
    forPackage: (name) => list.filter((a) => a.metadata.package === name),
  };
}

const ADVISORIES = [
  advisory(
    `[advisory]\nid = "RUSTSEC-2019-0009"\npackage = "smallvec"\ndate = "2019-06-06"\ncvss = "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"\n[affected.functions]\n"smallvec::SmallVec::grow" = ["< 0.6.10, >= 0.6.5"]\n[versions]\npatched = [">= 0.6.10"]\nunaffected = ["< 0.6.5"]`,
    'Double-free in SmallVec::grow()',
  ),
  advisory(
    `[advisory]\nid = "RUSTSEC-2020-0036"\npackage = "failure"\ndate = "2020-05-02"\ninformational = "unmaintained"\n[versions]\npatched = []`,
  ),
  advisory(
    `[advisory]\nid = "RUSTSEC-2021-0001"\npackage = "failure"\ndate = "2021-01-01"\ninformational = "something-new"\n[versions]\npatched = []`,
  ),
  advisory(
    `[advisory]\nid = "RUSTSEC-2022-0001"\npackage = "smallvec"\ndate = "2022-01-01"\nwithdrawn = "2022-02-01"\n[versions]\npatched = []`,
  ),
  advisory(
    `[advisory]\nid = "RUSTSEC-2023-0001"\npackage = "winonly"\ndate = "2023-01-01"\ncvss = "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"\n[affected]\nos = ["windows"]\narch = ["x86_64"]\n[versions]\npatched = [">= 2.0.0"]`,
  ),
  advisory(
    `[advisory]\nid = "RUSTSEC-2024-0001"\npackage = "inhouse"\ndate = "2024-01-01"\nsource = "${OTHER}"\n[versions]\npatched = [">= 1.1.0"]`,
  ),
  advisory(
    `[advisory]\nid = "RUSTSEC-2024-0002"\npackage = "smallvec"\ndate = "2024-02-01"\ninformational = "notice"\n[versions]\npatched = []`,
  ),
];

const LOCK = `version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = ["helper", "failure", "winonly", "inhouse", "smallvec 0.6.9 (git+https://example.com/smallvec#abc)"]

[[package]]
name = "helper"
version = "0.1.0"
dependencies = ["smallvec 0.6.9 (${CRATES_IO})"]

[[package]]
name = "smallvec"
version = "0.6.9"
source = "${CRATES_IO}"
checksum = "aaaa"

[[package]]
name = "smallvec"
version = "0.6.9"
source = "git+https://example.com/smallvec#abc"

[[package]]
name = "failure"
version = "0.1.8"
source = "${CRATES_IO}"

[[package]]
name = "winonly"
version = "1.0.0"
source = "${CRATES_IO}"

[[package]]
name = "inhouse"
version = "1.0.0"
source = "${OTHER}"
`;

const run = (s: Partial<AuditSettings> = {}, lock = LOCK) =>
  auditLockfile(indexOf(ADVISORIES), parseLockfile(lock), { ...defaultAuditSettings(), ...s });

describe('auditLockfile', () => {
  it('matches crates.io packages only, with rustsec ranges, and names the dependency path', () => {
    const r = run();
    const ids = r.vulnerabilities.map(
      (v) => `${v.advisory!.metadata.id} ${v.package.name} ${v.package.source}`,
    );
    expect(ids).toEqual([
      `RUSTSEC-2019-0009 smallvec ${CRATES_IO}`,
      `RUSTSEC-2023-0001 winonly ${CRATES_IO}`,
      `RUSTSEC-2024-0001 inhouse ${OTHER}`,
    ]);
    const path = r.vulnerabilities[0]!.path.map((i) => r.packages[i]!.name);
    expect(path).toEqual(['app', 'helper', 'smallvec']);
  });

  it('turns informational advisories into warnings of known kinds only; withdrawn never match', () => {
    const r = run();
    expect([...r.warnings.keys()]).toEqual(['notice', 'unmaintained']);
    expect(r.warnings.get('unmaintained')!.map((w) => w.advisory!.metadata.id)).toEqual([
      'RUSTSEC-2020-0036',
    ]);
    expect(r.warnings.get('notice')!.map((w) => w.package.source)).toEqual([CRATES_IO]);
    const all = [...r.vulnerabilities, ...[...r.warnings.values()].flat()].map(
      (f) => f.advisory!.metadata.id,
    );
    expect(all).not.toContain('RUSTSEC-2022-0001');
    expect(all).not.toContain('RUSTSEC-2021-0001');
    expect(run({ informationalWarnings: ['unsound'] }).warnings.size).toBe(0);
  });

  it('applies ignores after matching and counts what each suppressed', () => {
    const r = run({ ignore: ['RUSTSEC-2019-0009', 'RUSTSEC-2020-0036', 'RUSTSEC-1999-0001'] });
    expect(r.vulnerabilities.map((v) => v.advisory!.metadata.id)).not.toContain('RUSTSEC-2019-0009');
    expect(r.warnings.has('unmaintained')).toBe(false);
    expect(Object.fromEntries(r.ignoredMatches)).toEqual({ 'RUSTSEC-2019-0009': 1, 'RUSTSEC-2020-0036': 1 });
  });

  it('filters by target only when both the advisory and the user name one', () => {
    const id = (s: Partial<AuditSettings>) => run(s).vulnerabilities.map((v) => v.advisory!.metadata.id);
    expect(id({ targetOs: ['linux'] })).not.toContain('RUSTSEC-2023-0001');
    expect(id({ targetOs: ['windows', 'linux'] })).toContain('RUSTSEC-2023-0001');
    expect(id({ targetArch: ['aarch64'] })).not.toContain('RUSTSEC-2023-0001');
    // smallvec's advisory names no target: it is kept whatever the user gives.
    expect(id({ targetOs: ['linux'], targetArch: ['aarch64'] })).toContain('RUSTSEC-2019-0009');
  });

  it('drops advisories below the severity threshold, never those without CVSS', () => {
    const ids = run({ severity: 'medium' }).vulnerabilities.map((v) => v.advisory!.metadata.id);
    expect(ids).toContain('RUSTSEC-2019-0009'); // 9.8 critical
    expect(ids).not.toContain('RUSTSEC-2023-0001'); // 1.8 low
    expect(ids).toContain('RUSTSEC-2024-0001'); // no CVSS
  });

  it('does not match a patched version', () => {
    const r = run({}, LOCK.replaceAll('0.6.9', '0.6.10'));
    expect(r.vulnerabilities.map((v) => v.advisory!.metadata.id)).not.toContain('RUSTSEC-2019-0009');
  });

  it('audits 500 packages quickly', () => {
    const lines = [
      'version = 4',
      '',
      '[[package]]',
      'name = "root"',
      'version = "0.1.0"',
      'dependencies = [',
    ];
    for (let i = 0; i < 500; i++) lines.push(`  "p${i}",`);
    lines.push(']');
    for (let i = 0; i < 500; i++)
      lines.push('', '[[package]]', `name = "p${i}"`, 'version = "1.0.0"', `source = "${CRATES_IO}"`);
    const lock = parseLockfile(lines.join('\n'));
    const index = indexOf(ADVISORIES);
    auditLockfile(index, lock, defaultAuditSettings());
    const t = performance.now();
    auditLockfile(index, lock, defaultAuditSettings());
    expect(performance.now() - t).toBeLessThan(50);
  });
});

describe('deny mapping and exit rule', () => {
  it('maps --deny warnings to unmaintained, unsound and yanked, not notice', () => {
    expect([...deniedKinds(['warnings'])].sort()).toEqual(['unmaintained', 'unsound', 'yanked']);
    expect([...deniedKinds(['unsound'])]).toEqual(['unsound']);
    expect(informationalWarningsFor(['unsound'], ['warnings'])).toEqual([
      'unsound',
      'notice',
      'unmaintained',
    ]);
    expect(informationalWarningsFor([], ['unmaintained'])).toEqual(['unmaintained']);
    expect(informationalWarningsFor(null, [])).toEqual(['unmaintained', 'unsound', 'notice']);
  });

  it('fails on vulnerabilities and denied warnings only', () => {
    const clean = `version = 4\n\n[[package]]\nname = "failure"\nversion = "0.1.8"\nsource = "${CRATES_IO}"\n`;
    const r = run({}, clean);
    expect(r.vulnerabilities).toHaveLength(0);
    expect(shouldFail(r, deniedKinds([]))).toBe(false);
    expect(shouldFail(r, deniedKinds(['warnings']))).toBe(true);
    expect(shouldFail(r, deniedKinds(['unsound']))).toBe(false);
    const notice = `version = 4\n\n[[package]]\nname = "smallvec"\nversion = "1.0.0"\nsource = "${CRATES_IO}"\n`;
    const n = run({}, notice);
    expect([...n.warnings.keys()]).toEqual(['notice']);
    expect(shouldFail(n, deniedKinds(['warnings']))).toBe(false);
    addYankedWarnings(n, [0]);
    expect(shouldFail(n, deniedKinds(['yanked']))).toBe(true);
    expect([...n.warnings.keys()]).toEqual(['notice', 'yanked']);
  });
});

describe('cargo-audit JSON', () => {
  it('has exactly the report shape, with rustsec serde names', () => {
    const r = run();
    addYankedWarnings(r, [4]);
    const json = cargoAuditReportJson(r, { advisoryCount: 7, lastCommit: null, lastUpdated: null });
    expect(validateCargoAuditReport(JSON.parse(JSON.stringify(json)))).toEqual([]);
    const v = (json.vulnerabilities as { list: Record<string, Record<string, unknown>>[] }).list[0]!;
    expect(v.advisory!['expect-deleted']).toBe(false);
    expect(v.versions).toEqual({ patched: ['>=0.6.10'], unaffected: ['<0.6.5'] });
    expect(v.affected).toEqual({
      arch: [],
      os: [],
      functions: { 'smallvec::SmallVec::grow': ['<0.6.10, >=0.6.5'] },
    });
    expect(v.package).toEqual({
      name: 'smallvec',
      version: '0.6.9',
      source: CRATES_IO,
      checksum: 'aaaa',
      replace: null,
    });
    const w = json.warnings as Record<string, Record<string, unknown>[]>;
    expect(Object.keys(w)).toEqual(['notice', 'unmaintained', 'yanked']);
    expect(w.yanked![0]).toMatchObject({ kind: 'yanked', advisory: null, affected: null, versions: null });
    expect(Object.keys(json.settings as object)).toEqual([
      'target_arch',
      'target_os',
      'severity',
      'ignore',
      'informational_warnings',
    ]);
  });

  it('the validator refuses other shapes', () => {
    const good = JSON.parse(
      JSON.stringify(cargoAuditReportJson(run(), { advisoryCount: 1, lastCommit: 'ab', lastUpdated: null })),
    );
    expect(validateCargoAuditReport(good)).toEqual([]);
    const extra = structuredClone(good);
    extra.vulnerabilities.list[0].advisory.expectDeleted = false;
    expect(validateCargoAuditReport(extra)).toContain(
      '$.vulnerabilities.list[0].advisory.expectDeleted: unexpected key',
    );
    const missing = structuredClone(good);
    delete missing.database['last-commit'];
    expect(validateCargoAuditReport(missing)).toContain('$.database.last-commit: missing');
    const miscount = structuredClone(good);
    miscount.vulnerabilities.count = 99;
    expect(validateCargoAuditReport(miscount).join()).toMatch(/count/);
    const badKind = structuredClone(good);
    badKind.warnings.other = [];
    expect(validateCargoAuditReport(badKind).join()).toMatch(/unknown warning kind/);
    expect(validateCargoAuditReport(null)).toEqual(['$: expected an object']);
  });
});
