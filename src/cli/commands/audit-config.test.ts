import { describe, expect, it } from 'vitest';
import { AuditConfigError, effectiveIgnores, parseAdvisoryId, parseAuditConfig } from './audit-config.js';

describe('parseAuditConfig', () => {
  it("reads cargo-audit's keys", () => {
    const c = parseAuditConfig(
      `[advisories]
ignore = ["RUSTSEC-2019-0009", "GHSA-xxxx-yyyy-zzzz"]
informational_warnings = ["unmaintained"]
severity_threshold = "medium"

[database]
path = "/srv/advisory-db"
url = "https://github.com/RustSec/advisory-db.git"
fetch = false
stale = true

[output]
deny = ["unmaintained", "yanked"]
format = "json"
quiet = true
show_tree = false

[target]
arch = "x86_64"
os = ["linux", "windows"]

[yanked]
enabled = false
update_index = false
`,
      'audit.toml',
    );
    expect(c.ignore.map((i) => i.id)).toEqual(['RUSTSEC-2019-0009', 'GHSA-xxxx-yyyy-zzzz']);
    expect(c.informationalWarnings).toEqual(['unmaintained']);
    expect(c.severityThreshold).toBe('medium');
    expect(c.databasePaths).toEqual(['/srv/advisory-db']);
    expect(c.deny).toEqual(['unmaintained', 'yanked']);
    expect(c.format).toBe('json');
    expect(c.quiet).toBe(true);
    expect(c.showTree).toBe(false);
    expect(c.targetArch).toEqual(['x86_64']);
    expect(c.targetOs).toEqual(['linux', 'windows']);
    expect(c.yankedEnabled).toBe(false);
    expect(c.notes.join()).toMatch(/database.url/);
  });

  it('reads ignores with a reason and an expiry, as TOML dates or strings', () => {
    const c = parseAuditConfig(
      `[[advisories.ignore]]
id = "RUSTSEC-2023-0071"
reason = "no fix; we never decrypt"
expires = 2027-01-31

[[advisories.ignore]]
id = "RUSTSEC-2020-0036"
expires = "2020-06-30"
`,
      'cratekeeper.toml',
    );
    expect(c.ignore).toEqual([
      {
        id: 'RUSTSEC-2023-0071',
        reason: 'no fix; we never decrypt',
        expires: '2027-01-31',
        origin: 'cratekeeper.toml',
      },
      { id: 'RUSTSEC-2020-0036', reason: null, expires: '2020-06-30', origin: 'cratekeeper.toml' },
    ]);
    const { active, expired } = effectiveIgnores(c.ignore, '2026-12-01');
    expect(active.map((e) => e.id)).toEqual(['RUSTSEC-2023-0071']);
    expect(expired.map((e) => e.id)).toEqual(['RUSTSEC-2020-0036']);
    // The expiry day itself still applies.
    expect(effectiveIgnores(c.ignore, '2020-06-30').active).toHaveLength(2);
  });

  it('leaves other tables of cratekeeper.toml alone', () => {
    const c = parseAuditConfig('[typosquat]\ntop = 10\n[server]\nport = 1\n', 'cratekeeper.toml');
    expect(c.ignore).toEqual([]);
  });

  it.each([
    ['[advisories\n', /not valid TOML/],
    ['advisories = 3\n', /must be a table/],
    ['[advisories]\nignore = "RUSTSEC-2019-0009"\n', /must be an array/],
    ['[advisories]\nignore = [3]\n', /must be a table/],
    ['[[advisories.ignore]]\nreason = "x"\n', /id must be a string/],
    ['[[advisories.ignore]]\nid = "RUSTSEC-2019-0009"\nexpires = "2027-02-30"\n', /date/],
    ['[[advisories.ignore]]\nid = "RUSTSEC-2019-0009"\nexpires = 2027-02-01T10:00:00Z\n', /date/],
    ['[[advisories.ignore]]\nid = "RUSTSEC-2019-0009"\nexpires = "tomorrow"\n', /date/],
    ['[[advisories.ignore]]\nid = "RUSTSEC-2019-0009"\nuntil = "2020-01-01"\n', /unknown key `until`/],
    ['[advisories]\nignore = ["RUSTSEC-abc"]\n', /invalid advisory id/],
    ['[advisories]\nseverity_threshold = "severe"\n', /severity_threshold/],
    ['[output]\ndeny = ["notice"]\n', /invalid deny option: notice/],
    ['[output]\nformat = "xml"\n', /output.format/],
    ['[output]\nquiet = "yes"\n', /true or false/],
    ['[target]\nos = [1]\n', /array of strings/],
    ['[database]\npath = 5\n', /string or an array/],
    ['[yanked]\nfetch = true\n', /unknown key `fetch`/],
  ])('refuses %j', (text, message) => {
    expect(() => parseAuditConfig(text, 'audit.toml')).toThrow(AuditConfigError);
    expect(() => parseAuditConfig(text, 'audit.toml')).toThrow(message);
  });

  it('checks advisory ids like rustsec', () => {
    expect(parseAdvisoryId('RUSTSEC-2019-0009')).toBe('RUSTSEC-2019-0009');
    expect(parseAdvisoryId('CVE-2021-1234')).toBe('CVE-2021-1234');
    expect(parseAdvisoryId('GHSA-abcd')).toBe('GHSA-abcd');
    expect(() => parseAdvisoryId('RUSTSEC-19-0009')).toThrow(/year/);
    expect(() => parseAdvisoryId('')).toThrow();
    expect(() => parseAdvisoryId('has space')).toThrow();
    expect(() => parseAdvisoryId('x'.repeat(300))).toThrow();
  });
});
