// cargo-vet's store files: exact round trips of fixtures written in cargo-vet's own layout,
// what the readers keep, tidy order, and refusals of malformed and hostile input.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAuditsToml, parseForeignAuditsToml, writeAuditsToml } from './vet-audits.js';
import { formatVetVersion, MAX_VET_FILE_BYTES, VetFormatError } from './vet-common.js';
import { parseConfigToml, writeConfigToml } from './vet-config.js';
import { parseImportsLock, userInfoFromImports, writeImportsLock } from './vet-imports-lock.js';

const dir = join(import.meta.dirname, '../../test/fixtures/vet/store');
const fixture = (name: string): string => readFileSync(join(dir, name), 'utf8');

describe('round trips in cargo-vet layout', () => {
  it('imports.lock is written back byte for byte', () => {
    const text = fixture('imports.lock');
    expect(writeImportsLock(parseImportsLock(text, { strict: true }))).toBe(text);
  });

  it('audits.toml is written back byte for byte, user-id comments from imports.lock', () => {
    const text = fixture('audits.toml');
    const users = userInfoFromImports(parseImportsLock(fixture('imports.lock')));
    expect(writeAuditsToml(parseAuditsToml(text, { strict: true }), { users })).toBe(text);
    // Without publisher data the comment cannot be known, and only the comment is lost.
    const bare = writeAuditsToml(parseAuditsToml(text));
    expect(bare).toBe(text.replaceAll(' # Tess Maintainer (tess)', ''));
  });

  it('config.toml is written back byte for byte', () => {
    const text = fixture('config.toml');
    expect(writeConfigToml(parseConfigToml(text))).toBe(text);
  });

  it('reads every field shape: single strings, lists, multi-line notes, git versions, violations', () => {
    const a = parseAuditsToml(fixture('audits.toml'), { strict: true });
    const alpha = a.audits.find(([k]) => k === 'alpha')![1];
    expect(alpha.map((e) => e.kind.type)).toEqual(['full', 'delta', 'delta', 'violation']);
    expect(alpha[0]!.who).toEqual(['Rita Reviewer <rita@example.com>']);
    expect(alpha[2]!.criteria).toEqual(['safe-to-run', 'fuzzed']);
    expect(alpha[2]!.notes).toBe(
      'Backwards delta: 1.2.0 only adds an API that 1.1.0 lacks.\n\nReviewed the removed `unsafe` block carefully.\n',
    );
    expect(alpha[1]!.notes).toBe('Only touches C:\\Windows path handling');
    const k = alpha[2]!.kind;
    expect(k.type === 'delta' && [formatVetVersion(k.from), formatVetVersion(k.to)]).toEqual([
      '1.2.0',
      '1.1.0',
    ]);
    const beta = a.audits.find(([k2]) => k2 === 'beta')![1][0]!;
    expect(beta.importable).toBe(false);
    expect(beta.kind.type === 'full' && beta.kind.version.gitRev).toBe(
      '00112233445566778899aabbccddeeff00112233',
    );
    const zeta = a.wildcardAudits.find(([k2]) => k2 === 'zeta-macros')![1][0]!;
    expect(zeta.source).toEqual({ trustedPublisher: 'github:example-org/zeta' });
    expect(zeta.renew).toBe(false);
    const shim = a.wildcardAudits.find(([k2]) => k2 === 'tokio-shim')![1][0]!;
    expect(shim.source).toEqual({ userId: 3618n });
    expect(a.criteria.find(([n]) => n === 'fuzzed')![1].implies).toEqual(['safe-to-run', 'ub-risk-2']);
    const c = parseConfigToml(fixture('config.toml'));
    expect(c.defaultCriteria).toBe('safe-to-run');
    expect(c.imports.find(([n]) => n === 'mirror')![1].url).toHaveLength(2);
    expect(c.imports.find(([n]) => n === 'peer')![1].criteriaMap).toEqual([
      ['fuzzed', ['fuzzed']],
      ['their-strong', ['safe-to-deploy', 'crypto-reviewed']],
    ]);
    const forked = c.policy.filter((r) => r.crate === 'forked');
    expect(forked.map((r) => r.version && formatVetVersion(r.version))).toEqual(['1.4.0', '2.0.0']);
    expect(c.policy.find((r) => r.crate === 'app')!.entry.dependencyCriteria).toEqual([
      ['alpha', ['fuzzed']],
      ['beta', []],
    ]);
    expect(c.exemptions[0]![1][1]).toMatchObject({ criteria: [], suggest: false });
  });
});

describe('tidy order and preserved keys', () => {
  const shuffled = `
[[audits.zlib]]
who = "B"
criteria = "safe-to-run"
delta = "1.0.0 -> 1.1.0"

[[audits.zlib]]
who = "A"
criteria = "safe-to-run"
violation = "<1"

[[audits.zlib]]
who = "A"
criteria = "safe-to-run"
version = "2.0.0"
x-reviewed-commit = "abc123"

[[audits.anyhow]]
criteria = "safe-to-deploy"
version = "1.0.0"
`;

  it('sorts crates and entries as cargo-vet tidy() does (full, delta, violation)', () => {
    const out = writeAuditsToml(parseAuditsToml(shuffled));
    const order = [
      ...out.matchAll(/^\[\[audits\.(\w+)\]\]\n(?:.*\n)*?(version|delta|violation) = "([^"]*)"/gm),
    ].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
    expect(order).toEqual([
      'anyhow version 1.0.0',
      'zlib version 2.0.0',
      'zlib delta 1.0.0 -> 1.1.0',
      'zlib violation <1',
    ]);
  });

  it('keeps the original order untidied, and unknown keys after the known ones', () => {
    const out = writeAuditsToml(parseAuditsToml(shuffled), { tidy: false });
    expect(out.indexOf('[[audits.zlib]]')).toBeLessThan(out.indexOf('[[audits.anyhow]]'));
    expect(out).toContain('version = "2.0.0"\nx-reviewed-commit = "abc123"\n');
    expect(parseAuditsToml(out)).toEqual(parseAuditsToml(shuffled));
  });

  it('strict reading refuses unknown audit keys as cargo-vet does, naming file and entry', () => {
    expect(() => parseAuditsToml(shuffled, { strict: true })).toThrow(
      "audits.toml: audits.zlib[2]: unknown field 'x-reviewed-commit'",
    );
  });

  it('keeps unknown tables and keys in config.toml', () => {
    const text = `
[cargo-vet]
version = "0.10"
experimental = true

[policy.app]
criteria = "safe-to-run"
owner = "team-a"

[x-local.settings]
retries = 3
ratio = 1.5
when = 2024-01-01
`;
    const out = writeConfigToml(parseConfigToml(text));
    expect(out).toContain('[cargo-vet]\nversion = "0.10"\nexperimental = true\n');
    expect(out).toContain('[policy.app]\ncriteria = "safe-to-run"\nowner = "team-a"\n');
    expect(out).toContain('[x-local.settings]\nretries = 3\nratio = 1.5\nwhen = 2024-01-01\n');
  });

  it('reads the old name `unaudited` and writes `exemptions`', () => {
    const c = parseConfigToml(
      '[cargo-vet]\nversion = "0.10"\n[[unaudited.foo]]\nversion = "1.0.0"\ncriteria = "safe-to-run"\n',
    );
    expect(writeConfigToml(c)).toContain('[[exemptions.foo]]\nversion = "1.0.0"\ncriteria = "safe-to-run"\n');
  });

  it('chooses string quoting as toml_write does', () => {
    const file = parseAuditsToml('[audits]');
    file.audits.push([
      'q',
      [
        {
          who: [],
          criteria: ['safe-to-run'],
          kind: { type: 'full', version: { semver: { major: 1, minor: 0, patch: 0, pre: [], build: [] } } },
          importable: true,
          aggregatedFrom: [],
          extra: [],
          notes: 'says "hi"',
        },
      ],
    ]);
    expect(writeAuditsToml(file)).toContain(`notes = 'says "hi"'`);
    file.audits[0]![1][0]!.notes = 'it\'s a "tab"\there';
    expect(writeAuditsToml(file)).toContain('notes = """it\'s a "tab"\\there"""');
    file.audits[0]![1][0]!.notes = 'bell\u0007';
    expect(writeAuditsToml(file)).toContain('notes = "bell\\u0007"');
  });
});

describe('malformed and hostile input', () => {
  const bad = (text: string, message: string | RegExp): void => {
    expect(() => parseAuditsToml(text)).toThrow(VetFormatError);
    expect(() => parseAuditsToml(text)).toThrow(message);
  };

  it('needs exactly one of version, delta and violation', () => {
    bad(
      '[[audits.a]]\ncriteria = "safe-to-run"\nversion = "1.0.0"\ndelta = "1.0.0 -> 1.0.1"\n',
      "audits.a[0]: audit entries must have exactly one of 'version', 'delta', and 'violation'",
    );
    bad('[[audits.a]]\ncriteria = "safe-to-run"\n', 'exactly one of');
    bad(
      '[[audits.a]]\ncriteria = "safe-to-run"\ndelta = "1.0.0"\n',
      "'delta' must be a delta of the form 'VERSION -> VERSION'",
    );
  });

  it('refuses bad versions, requirements, dates and ids with the entry named', () => {
    bad(
      '[[audits.a]]\ncriteria = "x"\nversion = "1.0"\n',
      /audits\.a\[0\]: 'version' is not a valid version/,
    );
    bad('[[audits.a]]\ncriteria = "x"\nversion = "1.0.0@git:1234"\n', 'invalid git hash');
    bad(
      '[[audits.a]]\ncriteria = "x"\nviolation = ">>1"\n',
      "'violation' is not a valid version requirement",
    );
    bad(
      '[audits]\n[[wildcard-audits.a]]\ncriteria = "x"\nuser-id = 1\nstart = 2023-01-01\nend = "2024-01-01"\n',
      "'start' must be a date string",
    );
    bad(
      '[audits]\n[[wildcard-audits.a]]\ncriteria = "x"\nuser-id = 1\nstart = "2023-02-30"\nend = "2024-01-01"\n',
      'not a valid date',
    );
    bad(
      '[audits]\n[[wildcard-audits.a]]\ncriteria = "x"\nuser-id = -4\nstart = "2023-02-01"\nend = "2024-01-01"\n',
      'out of range',
    );
    bad(
      '[audits]\n[[trusted.a]]\ncriteria = "x"\nstart = "2023-02-01"\nend = "2024-01-01"\n',
      "missing 'user-id' or 'trusted-publisher'",
    );
  });

  it('refuses wrong types and shapes', () => {
    bad(
      '[[audits.a]]\ncriteria = 5\nversion = "1.0.0"\n',
      "'criteria' must be a string or an array of strings, found an integer",
    );
    bad('[[audits.a]]\ncriteria = ["ok", 1]\nversion = "1.0.0"\n', "'criteria' [1] must be a string");
    bad('[audits]\na = "x"\n', 'must be an array of tables');
    bad('audits = 3\n', 'audits: must be a table');
    bad('[criteria]\n', "missing field 'audits'");
    expect(() => parseConfigToml('[policy.a]\ncriteria = "x"\n[policy."a:1.0.0"]\ncriteria = "x"\n')).toThrow(
      'cannot mix versioned and unversioned policies for a',
    );
    expect(() => parseConfigToml('[cargo-vet]\nversion = "ten"\n')).toThrow('store version');
    expect(() =>
      parseImportsLock('[[publisher.a]]\nversion = "1.0.0"\nwhen = "2024-01-01"\nuser-id = 1\n'),
    ).toThrow("publisher.a[0]: missing field 'user-login'");
  });

  it('refuses truncated, oversized and deeply nested documents without crashing', () => {
    bad('[[audits.a]]\ncriteria = "safe-to-run"\nnotes = """never closed\n', /TOML parse error at line/);
    bad('[[audits.a', /TOML parse error/);
    const deep = `[audits]\nx = ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
    bad(deep, /audits.toml: /);
    const huge = `[audits]\n# ${'x'.repeat(MAX_VET_FILE_BYTES)}\n`;
    bad(huge, 'larger than');
    bad('\u0000\u0001binary', /TOML parse error/);
  });

  it('reads a peer file entry by entry, dropping what cargo-vet would drop', () => {
    const peer = `
[criteria.reviewed]
description = "reviewed"
implies = ["safe-to-run", "from-the-future"]

[criteria.broken]
description = 3

[[audits.a]]
criteria = "reviewed"
version = "1.0.0"

[[audits.a]]
criteria = "reviewed"
version = "1.1.0"
new-fangled-field = true

[[audits.a]]
criteria = ["from-the-future"]
version = "1.2.0"

[[audits.a]]
criteria = "safe-to-deploy"
version = "1.3.0"
importable = false

[[wildcard-audits.b]]
criteria = "safe-to-run"
user-id = "not a number"
start = "2023-01-01"
end = "2024-01-01"
`;
    const { audits, ignored } = parseForeignAuditsToml(peer, 'peer');
    expect(audits.criteria.map(([n]) => n)).toEqual(['reviewed']);
    expect(audits.criteria[0]![1].implies).toEqual(['safe-to-run']);
    expect(audits.audits).toHaveLength(1);
    expect(
      audits.audits[0]![1].map((e) => e.kind.type === 'full' && formatVetVersion(e.kind.version)),
    ).toEqual(['1.0.0']);
    expect(audits.wildcardAudits).toEqual([]);
    expect(ignored.length).toBe(4);
    expect(ignored.join('\n')).toContain("unknown field 'new-fangled-field'");
  });
});

describe('mutated input never crashes a reader', () => {
  it('every failure on 600 corrupted copies of the fixtures is a VetFormatError', () => {
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const junk = [
      '"',
      "'",
      '[',
      ']',
      '[[',
      '=',
      '\n',
      '{',
      '}',
      ',',
      '5',
      'true',
      '-4',
      '1979-05-27',
      '"1.0.0"',
      '->',
      '@git:',
      '\u0000',
      '#',
    ];
    const readers: [string, (t: string) => unknown][] = [
      ['audits.toml', (t) => parseAuditsToml(t, { strict: true })],
      ['config.toml', (t) => parseConfigToml(t)],
      ['imports.lock', (t) => parseImportsLock(t, { strict: true })],
    ];
    let refused = 0;
    for (let i = 0; i < 600; i++) {
      const [name, read] = readers[i % readers.length]!;
      let text = fixture(name);
      for (let k = 0; k < 1 + rand(4); k++) {
        const at = rand(text.length);
        const op = rand(3);
        if (op === 0) text = text.slice(0, at) + junk[rand(junk.length)]! + text.slice(at);
        else if (op === 1) text = text.slice(0, at) + text.slice(at + 1 + rand(20));
        else text = text.slice(0, at);
      }
      try {
        read(text);
      } catch (err) {
        if (!(err instanceof VetFormatError))
          throw new Error(`${name} mutation ${i} threw ${String(err)}:\n${text}`);
        refused++;
      }
    }
    // Most corruptions are caught, and each refusal was a named format error.
    expect(refused).toBeGreaterThan(300);
  });
});
