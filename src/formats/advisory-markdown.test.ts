import { describe, expect, it } from 'vitest';
import {
  AdvisoryFormatError,
  buildAdvisory,
  MAX_ADVISORY_FILE_BYTES,
  checkCvssVector,
  formatAdvisoryMarkdown,
  parseAdvisoryMarkdown,
} from './advisory-markdown.js';
import { formatRange } from '../security/advisories/ranges.js';

const origin = {
  collection: 'crates' as const,
  database: 'test-db',
  file: 'crates/demo/RUSTSEC-2024-0001.md',
};

function advisoryText(front: string, body = '# Demo title\n\nSome description.\n'): string {
  return `\`\`\`toml\n${front}\n\`\`\`\n\n${body}`;
}

const BASE = `[advisory]
id = "RUSTSEC-2024-0001"
package = "demo"
date = "2024-02-29"`;

function parse(front: string, body?: string) {
  return parseAdvisoryMarkdown(advisoryText(front, body), origin);
}

function parseError(front: string, body?: string): string {
  try {
    parse(front, body);
  } catch (e) {
    expect(e).toBeInstanceOf(AdvisoryFormatError);
    return (e as Error).message;
  }
  throw new Error('expected the advisory to be rejected');
}

const FULL = `[advisory]
id = "RUSTSEC-2024-0001"
package = "demo"
date = "2024-02-29"
url = "https://example.com/report"
references = ["https://github.com/demo/demo/issues/1"]
informational = "unsound"
categories = ["memory-corruption", "malicious", "something-new"]
keywords = ["buffer", "overflow"]
cvss = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"
aliases = ["CVE-2024-1234", "GHSA-abcd-efgh-ijkl"]
related = ["RUSTSEC-2023-0002"]
source = "sparse+https://registry.example.com/index/"
withdrawn = "2024-03-01"
license = "CC-BY-4.0"
expect-deleted = true

[affected]
arch = ["x86_64"]
os = ["windows", "linux"]

[affected.functions]
"demo::Buffer::with_capacity" = [">= 1.3.0, < 1.3.4"]
"demo::<Vec<T>>::push" = ["*"]

[versions]
patched = [">= 1.2.3, < 1.3.0", ">= 1.3.4"]
unaffected = ["<= 0.1.2"]`;

describe('parseAdvisoryMarkdown', () => {
  it('reads every field', () => {
    const a = parse(FULL, '# Buffer overflow in `demo`\n\nLine one.\n\n- item\n\n');
    expect(a.metadata).toEqual({
      id: 'RUSTSEC-2024-0001',
      package: 'demo',
      title: 'Buffer overflow in `demo`',
      description: 'Line one.\n\n- item',
      date: '2024-02-29',
      aliases: ['CVE-2024-1234', 'GHSA-abcd-efgh-ijkl'],
      related: ['RUSTSEC-2023-0002'],
      collection: 'crates',
      categories: ['memory-corruption', 'malicious', 'something-new'],
      keywords: ['buffer', 'overflow'],
      cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H',
      informational: 'unsound',
      references: ['https://github.com/demo/demo/issues/1'],
      source: 'sparse+https://registry.example.com/index/',
      url: 'https://example.com/report',
      withdrawn: '2024-03-01',
      license: 'CC-BY-4.0',
      expectDeleted: true,
    });
    expect(a.affected).toEqual({
      arch: ['x86_64'],
      os: ['windows', 'linux'],
      functions: {
        'demo::Buffer::with_capacity': ['>= 1.3.0, < 1.3.4'],
        'demo::<Vec<T>>::push': ['*'],
      },
    });
    expect(a.versions).toEqual({ patched: ['>= 1.2.3, < 1.3.0', '>= 1.3.4'], unaffected: ['<= 0.1.2'] });
    expect(a.ranges.map(formatRange)).toEqual([
      { introduced: '0.1.3-0', fixed: '1.2.3' },
      { introduced: '1.3.0', fixed: '1.3.4' },
    ]);
    expect(a.origin).toEqual({ database: 'test-db', file: origin.file });
  });

  it('accepts front matter without the [advisory] header (the "V4" format) and applies defaults', () => {
    const a = parse(
      `id = "RUSTSEC-2024-0001"\npackage = "demo"\ndate = "2024-01-02"\n\n[versions]\npatched = []`,
    );
    expect(a.metadata.id).toBe('RUSTSEC-2024-0001');
    expect(a.metadata.license).toBe('CC0-1.0');
    expect(a.metadata.expectDeleted).toBe(false);
    expect(a.metadata.source).toBeNull();
    expect(a.affected).toBeNull();
    expect(a.ranges).toEqual([{ introduced: null, fixed: null }]);
  });

  it('keeps the collection it is given (rust/ toolchain advisories)', () => {
    const a = parseAdvisoryMarkdown(
      advisoryText(
        '[advisory]\nid = "CVE-2018-1000657"\npackage = "std"\ndate = "2018-09-21"\n\n[versions]\npatched = [">= 1.22.0"]',
      ),
      { ...origin, collection: 'rust' },
    );
    expect(a.metadata.collection).toBe('rust');
  });

  it('rejects title and description keys in the TOML', () => {
    expect(parseError(`${BASE}\ntitle = "x"\n[versions]\npatched = []`)).toMatch(/invalid `title` attribute/);
    expect(parseError(`${BASE}\ndescription = "x"\n[versions]\npatched = []`)).toMatch(
      /invalid `description`/,
    );
  });

  it('rejects files that are not shaped like an advisory', () => {
    const bad = (text: string): string => {
      try {
        parseAdvisoryMarkdown(text, origin);
      } catch (e) {
        expect(e).toBeInstanceOf(AdvisoryFormatError);
        return (e as Error).message;
      }
      throw new Error('expected an error');
    };
    expect(bad('# Title\n```toml\n```')).toMatch(/unexpected start of advisory/);
    expect(bad('\uFEFF```toml\nid = "x"\n```\n# T\n\n')).toMatch(/unexpected start/);
    expect(bad('```toml\n[advisory]\nid = "RUSTSEC-2024-0001"')).toMatch(/end of the TOML front matter/);
    expect(bad(advisoryText(`${BASE}\n[versions]\npatched = []`, 'Title without hash\n'))).toMatch(/# Title/);
    expect(bad(advisoryText(`${BASE}\n[versions]\npatched = []`, '# Title with no newline'))).toMatch(
      /no Markdown body/,
    );
    expect(bad(advisoryText('[advisory\nid = 1'))).toMatch(/invalid TOML/);
    expect(bad('x'.repeat(MAX_ADVISORY_FILE_BYTES + 1))).toMatch(/too large/);
  });

  it('requires id, package, date and versions.patched, with the right types', () => {
    expect(parseError('[advisory]\npackage = "demo"\ndate = "2024-01-01"\n[versions]\npatched = []')).toMatch(
      /missing advisory.id/,
    );
    expect(
      parseError('[advisory]\nid = "RUSTSEC-2024-0001"\ndate = "2024-01-01"\n[versions]\npatched = []'),
    ).toMatch(/missing advisory.package/);
    expect(parseError(`${BASE}`)).toMatch(/missing \[versions\]/);
    expect(parseError(`${BASE}\n[versions]\nunaffected = ["< 1.0"]`)).toMatch(/missing versions.patched/);
    expect(parseError(`${BASE}\n[versions]\npatched = ">= 1.0"`)).toMatch(
      /versions.patched must be an array/,
    );
    expect(parseError(`${BASE}\n[versions]\npatched = [1]`)).toMatch(
      /versions.patched\[0\] must be a string/,
    );
    expect(parseError(`${BASE}\naliases = "CVE-2024-1"\n[versions]\npatched = []`)).toMatch(
      /aliases must be an array/,
    );
    expect(parseError(`${BASE}\nexpect-deleted = "yes"\n[versions]\npatched = []`)).toMatch(
      /expect-deleted must be a boolean/,
    );
    expect(
      parseError(
        `[advisory]\nid = "RUSTSEC-2024-0001"\npackage = "demo"\ndate = 2024-01-01\n[versions]\npatched = []`,
      ),
    ).toMatch(/advisory.date must be a string, found a datetime/);
  });

  it('validates ids, dates, URLs, package names and sources as rustsec does', () => {
    const v = '\n[versions]\npatched = []';
    expect(
      parseError(`[advisory]\nid = "RUSTSEC-1999-0001"\npackage = "demo"\ndate = "2024-01-01"${v}`),
    ).toMatch(/year/);
    expect(parseError(`[advisory]\nid = "RUSTSEC-2024"\npackage = "demo"\ndate = "2024-01-01"${v}`)).toMatch(
      /malformed/,
    );
    expect(
      parseError(`[advisory]\nid = "RUSTSEC-2024-00a1"\npackage = "demo"\ndate = "2024-01-01"${v}`),
    ).toMatch(/malformed/);
    expect(
      parseError(`[advisory]\nid = "RUSTSEC-2024-0001"\npackage = "demo"\ndate = "2023-02-29"${v}`),
    ).toMatch(/date/);
    expect(
      parseError(`[advisory]\nid = "RUSTSEC-2024-0001"\npackage = "demo"\ndate = "2024-13-01"${v}`),
    ).toMatch(/date/);
    expect(
      parseError(`[advisory]\nid = "RUSTSEC-2024-0001"\npackage = "../etc"\ndate = "2024-01-01"${v}`),
    ).toMatch(/not a valid crate name/);
    expect(parseError(`${BASE}\nurl = "not a url"${v}`)).toMatch(/advisory.url is not a valid URL/);
    expect(parseError(`${BASE}\nreferences = ["javascript:alert(1)"]${v}`)).toMatch(/http\(s\) URL/);
    expect(parseError(`${BASE}\nsource = "https://example.com/index"${v}`)).toMatch(/cargo source id/);
    expect(parseError(`${BASE}\nwithdrawn = "soon"${v}`)).toMatch(/advisory.withdrawn must be a date/);
    // GHSA and other ids are free-form.
    expect(
      parse(`[advisory]\nid = "GHSA-xxxx-yyyy-zzzz"\npackage = "demo"\ndate = "2024-01-01"${v}`).metadata.id,
    ).toBe('GHSA-xxxx-yyyy-zzzz');
  });

  it('requires a url for CC-BY-4.0 advisories (attribution)', () => {
    expect(parseError(`${BASE}\nlicense = "CC-BY-4.0"\n[versions]\npatched = []`)).toMatch(
      /CC-BY-4.0 requires advisory.url/,
    );
  });

  it('validates CVSS vectors of every version', () => {
    for (const ok of [
      'AV:N/AC:L/Au:N/C:P/I:P/A:P',
      'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N',
      'CVSS:3.1/AV:L/AC:H/PR:L/UI:R/S:C/C:L/I:L/A:L/E:P/RL:O',
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
    ]) {
      expect(checkCvssVector(ok)).toBe(ok);
    }
    const v = '\n[versions]\npatched = []';
    expect(parseError(`${BASE}\ncvss = "CVSS:2.0/AV:N"${v}`)).toMatch(/unsupported CVSS version/);
    expect(parseError(`${BASE}\ncvss = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N"${v}`)).toMatch(
      /lacks base metric A/,
    );
    expect(parseError(`${BASE}\ncvss = "CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"${v}`)).toMatch(
      /AV has an invalid value/,
    );
    expect(parseError(`${BASE}\ncvss = "CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"${v}`)).toMatch(
      /repeats metric AV/,
    );
    expect(parseError(`${BASE}\ncvss = "CVSS:4.0/AV:N/AC:L"${v}`)).toMatch(/lacks base metric/);
    expect(parseError(`${BASE}\ncvss = "9.8"${v}`)).toMatch(/malformed metric/);
  });

  it('validates affected function paths and their requirements', () => {
    const f = (path: string, req = '>= 1.0.0'): string =>
      parseError(`${BASE}\n[affected.functions]\n"${path}" = ["${req}"]\n[versions]\npatched = []`);
    expect(f('single_segment')).toMatch(/two segments/);
    expect(f('no-hyphens::foo')).toMatch(/invalid character/);
    expect(f('demo::0rly')).toMatch(/invalid identifier start/);
    expect(f('demo::f(x)')).toMatch(/omit parameters/);
    expect(f('demo::f', 'not a req')).toMatch(/affected.functions/);
    expect(parseError(`${BASE}\n[affected]\nos = "linux"\n[versions]\npatched = []`)).toMatch(
      /affected.os must be an array/,
    );
  });

  it('applies rustsec restrictions on [versions] requirements', () => {
    const v = (patched: string, unaffected = ''): string =>
      parseError(
        `${BASE}\n[versions]\npatched = [${patched}]${unaffected ? `\nunaffected = [${unaffected}]` : ''}`,
      );
    expect(v('">= 1.0.0, < 2.0.0, < 3.0.0"')).toMatch(/too many comparators/);
    expect(v('"1.*"')).toMatch(/unsupported operator/);
    expect(v('"^1.2, < 1.5"')).toMatch(/"\^" must be alone/);
    expect(v('"~1.2, >= 1.0"')).toMatch(/"~" must be alone/);
    expect(v('"=1.2.3, >= 1.0"')).toMatch(/exact version/);
    expect(v('">= 1.0, > 1.1"')).toMatch(/more than one lower bound/);
    expect(v('"< 1.0, <= 1.1"')).toMatch(/more than one upper bound/);
    expect(v('">= 2.0.0, < 1.0.0"')).toMatch(/start must be <= end/);
    expect(v('">= 1.0.0"', '"< 1.5.0"')).toMatch(/overlapping version ranges/);
    expect(v('"^1.2.3"', '"= 1.4.0"')).toMatch(/overlapping/);
    expect(v('">= 1.0.0"', '"<= 1.0.0"')).toMatch(/overlapping/);
    expect(v('"nope"')).toMatch(/versions/);
    // Touching but not overlapping is fine: `< 1.0.0` and `>= 1.0.0` meet at 1.0.0, leaving
    // the empty range rustsec's export writes too.
    expect(
      parse(`${BASE}\n[versions]\npatched = [">= 1.0.0"]\nunaffected = ["< 1.0.0"]`).ranges.map(formatRange),
    ).toEqual([{ introduced: '1.0.0', fixed: '1.0.0' }]);
  });

  it('ignores unknown keys as rustsec does', () => {
    expect(parse(`${BASE}\nfuture-key = 1\n[versions]\npatched = []\nextra = true`).metadata.id).toBe(
      'RUSTSEC-2024-0001',
    );
  });
});

describe('formatAdvisoryMarkdown', () => {
  it('round-trips every field', () => {
    const a = parse(FULL, '# Buffer overflow in `demo`\n\nLine one.\n\n```rust\nlet x = 1;\n```\n');
    const text = formatAdvisoryMarkdown(a);
    expect(text.startsWith('```toml\n[advisory]\n')).toBe(true);
    expect(parseAdvisoryMarkdown(text, origin)).toEqual(a);
  });

  it('escapes strings so that hostile values cannot inject TOML or end the front matter', () => {
    const a = parse(`${BASE}\n[versions]\npatched = []`);
    a.metadata.keywords = [
      'quote " and \\ backslash',
      'line\n```\n[versions]\npatched = ["*"]',
      'del \x7f',
      'tab\t',
    ];
    a.metadata.informational = 'notice';
    const text = formatAdvisoryMarkdown(a);
    const back = parseAdvisoryMarkdown(text, origin);
    expect(back.metadata.keywords).toEqual(a.metadata.keywords);
    expect(back.versions.patched).toEqual([]);
  });

  it('refuses what could not be read back', () => {
    const a = parse(`${BASE}\n[versions]\npatched = []`);
    expect(() => formatAdvisoryMarkdown({ ...a, metadata: { ...a.metadata, title: 'two\nlines' } })).toThrow(
      /single line/,
    );
    expect(() =>
      formatAdvisoryMarkdown({ ...a, versions: { patched: ['>= 1.0', '>= 2.0'], unaffected: [] } }),
    ).toThrow(AdvisoryFormatError);
    expect(() => formatAdvisoryMarkdown({ ...a, metadata: { ...a.metadata, keywords: ['\uD800'] } })).toThrow(
      /lone surrogate/,
    );
  });
});

describe('buildAdvisory', () => {
  it('validates authored fields and fills the defaults', () => {
    const a = buildAdvisory(
      {
        id: 'CK-2026-0001',
        package: 'internal-auth',
        title: 'Token check bypass',
        description: 'Versions before 1.0.1 accept expired tokens.',
        date: '2026-01-05',
        categories: ['privilege-escalation'],
        source: 'sparse+https://registry.example.com/index/',
        patched: ['>= 1.0.1'],
      },
      { database: 'registry' },
    );
    expect(a.origin).toEqual({ database: 'registry', file: 'crates/internal-auth/CK-2026-0001.md' });
    expect(a.metadata.license).toBe('CC0-1.0');
    expect(a.ranges.map(formatRange)).toEqual([{ introduced: '0.0.0-0', fixed: '1.0.1' }]);
    expect(() =>
      buildAdvisory(
        { id: 'CK-2026-0002', package: 'x', title: 'T', description: '', date: '2026-02-30', patched: [] },
        { database: 'registry' },
      ),
    ).toThrow(/advisory.date/);
    expect(() =>
      buildAdvisory(
        {
          id: 'CK-2026-0003',
          package: 'x',
          title: 'T',
          description: '',
          date: '2026-01-01',
          patched: ['>= 1', '>= 2'],
        },
        { database: 'registry' },
      ),
    ).toThrow(/overlapping/);
  });
});
