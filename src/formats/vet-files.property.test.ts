// Property-based tests of cargo-vet's store files (issue 15): an audits.toml built from
// generated entries — names, notes and criteria of any text, which exercise the TOML string
// and key quoting — reads back to the same entries; and whatever a mutated fixture still parses
// to (audits.toml, config.toml, imports.lock) writes to a file that reads back, a fixed point.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseVersion } from '../domain/semver.js';
import { parseAuditsToml, writeAuditsToml, type AuditEntry, type AuditsFile } from './vet-audits.js';
import { VetFormatError, type VetVersion } from './vet-common.js';
import { parseConfigToml, writeConfigToml } from './vet-config.js';
import { parseImportsLock, writeImportsLock } from './vet-imports-lock.js';

const dir = join(import.meta.dirname, '../../test/fixtures/vet/store');
const fixture = (name: string): string => readFileSync(join(dir, name), 'utf8');

/** Text that TOML can hold: any characters but lone surrogates, weighted to quoting trouble. */
const tomlText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc
    .array(fc.constantFrom('"', "'", '\\', '\n', '\r', '\t', 'a', ' ', '\u007f', '\u0001', '#', '='), {
      maxLength: 12,
    })
    .map((cs) => cs.join('')),
);

const vetVersion: fc.Arbitrary<VetVersion> = fc.oneof(
  fc.tuple(fc.nat(9), fc.nat(9), fc.nat(9)).map(([a, b, c]) => ({ semver: parseVersion(`${a}.${b}.${c}`) })),
  fc
    .tuple(fc.nat(9), fc.stringMatching(/^[0-9a-f]{40}$/))
    .map(([a, rev]) => ({ semver: parseVersion(`${a}.0.0`), gitRev: rev })),
);

const auditEntry: fc.Arbitrary<AuditEntry> = fc
  .record({
    who: fc.array(tomlText, { maxLength: 2 }),
    criteria: fc.array(tomlText, { minLength: 1, maxLength: 2 }),
    kind: fc.oneof(
      vetVersion.map((version) => ({ type: 'full' as const, version })),
      fc.tuple(vetVersion, vetVersion).map(([from, to]) => ({ type: 'delta' as const, from, to })),
    ),
    importable: fc.boolean(),
    notes: fc.option(tomlText, { nil: undefined }),
  })
  .map((e) => {
    const out: AuditEntry = { ...e, aggregatedFrom: [], extra: [] };
    if (e.notes === undefined) delete out.notes;
    return out;
  });

const auditsFile: fc.Arbitrary<AuditsFile> = fc
  .record({
    criteria: fc.uniqueArray(
      fc.tuple(tomlText, fc.record({ description: tomlText, implies: fc.array(tomlText, { maxLength: 2 }) })),
      { maxLength: 2, selector: ([k]) => k },
    ),
    audits: fc.uniqueArray(fc.tuple(tomlText, fc.array(auditEntry, { minLength: 1, maxLength: 2 })), {
      maxLength: 3,
      selector: ([k]) => k,
    }),
  })
  .map((f) => ({
    criteria: f.criteria.map(
      ([k, c]) => [k, { ...c, aggregatedFrom: [], extra: [] }] as [string, AuditsFile['criteria'][0][1]],
    ),
    wildcardAudits: [],
    audits: f.audits,
    trusted: [],
    extra: [],
  }));

function mutate(doc: string, edits: [number, string][], cut: number | null): string {
  const chars = [...doc];
  for (const [at, c] of edits) chars[at % chars.length] = c;
  const out = chars.join('');
  return cut === null ? out : out.slice(0, cut % (out.length + 1));
}
const edits = fc.array(
  fc.tuple(fc.nat(), fc.constantFrom('"', "'", '[', ']', '=', '\n', '.', ',', '1', 'x', '#', '\\')),
  {
    maxLength: 3,
  },
);
const cut = fc.option(fc.nat(), { nil: null });

/** The value `text` parses to, or null when it is refused (only ever with VetFormatError). */
function parsed<T>(parse: (t: string) => T, text: string): T | null {
  try {
    return parse(text);
  } catch (e) {
    expect(e).toBeInstanceOf(VetFormatError);
    return null;
  }
}

describe('cargo-vet files (property)', () => {
  it('audits.toml: parse(write(file)) is file, for names and notes of any text', () => {
    fc.assert(
      fc.property(auditsFile, (file) => {
        const text = writeAuditsToml(file, { tidy: false });
        expect(parseAuditsToml(text, { strict: true })).toEqual(file);
      }),
      { numRuns: 150 },
    );
  });

  it('whatever a mutated file parses to writes to text that parses, and writing again changes nothing', () => {
    const files = [
      {
        text: fixture('audits.toml'),
        parse: (t: string) => parseAuditsToml(t),
        write: (f: AuditsFile) => writeAuditsToml(f),
      },
      { text: fixture('config.toml'), parse: (t: string) => parseConfigToml(t), write: writeConfigToml },
      { text: fixture('imports.lock'), parse: (t: string) => parseImportsLock(t), write: writeImportsLock },
    ] as { text: string; parse: (t: string) => unknown; write: (v: never) => string }[];
    fc.assert(
      fc.property(fc.constantFrom(...files), edits, cut, (f, e, n) => {
        const value = parsed(f.parse, mutate(f.text, e, n));
        if (value === null) return;
        // Writing normalizes (the current store version, default criteria, empty lists dropped):
        // what it writes must parse, and be a fixed point.
        const written = f.write(value as never);
        const again = f.parse(written);
        expect(f.write(again as never)).toBe(written);
        expect(f.parse(f.write(again as never))).toEqual(again);
      }),
      { numRuns: 200 },
    );
  });
});
