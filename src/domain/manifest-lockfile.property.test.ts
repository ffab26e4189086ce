// Property-based tests of Cargo manifests and Cargo.lock (issue 15): a manifest or lockfile
// rendered from generated values parses back to those values; any text, any mutation of a real
// one, fails only with ManifestError / LockfileError; and every parsed manifest converts to
// publish metadata without throwing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  findLockedPackage,
  LockfileError,
  parseLockDependencyRef,
  parseLockfile,
  type LockedPackage,
} from './lockfile.js';
import { ManifestError, manifestToPublishMetadata, parseManifest } from './manifest.js';

// TOML basic strings accept JSON's escapes for printable text (no lone surrogates).
const q = (s: string) => JSON.stringify(s);
const qa = (xs: readonly string[]) => `[${xs.map(q).join(', ')}]`;

const ident = fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}$/);
const version = fc
  .tuple(
    fc.nat(20),
    fc.nat(20),
    fc.nat(20),
    fc.option(fc.constantFrom('alpha.1', 'rc.2', 'beta'), { nil: undefined }),
  )
  .map(([a, b, c, pre]) => `${a}.${b}.${c}${pre ? `-${pre}` : ''}`);
const text = fc.string({ maxLength: 30 });

/** Mutations of a document: characters replaced, a slice removed, or the text cut short. */
function mutate(doc: string, edits: [number, string][], cut: number | null): string {
  const chars = [...doc];
  for (const [at, c] of edits) chars[at % chars.length] = c;
  const out = chars.join('');
  return cut === null ? out : out.slice(0, cut % (out.length + 1));
}
const edits = fc.array(
  fc.tuple(fc.nat(), fc.constantFrom('"', '[', ']', '=', '\n', '.', '{', '}', ',', 'x', '1', '\\', "'", '#')),
  {
    maxLength: 4,
  },
);
const cut = fc.option(fc.nat(), { nil: null });

function onlyThrows(errorType: abstract new (...args: never[]) => Error, f: () => unknown): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(errorType);
  }
}

// ---- Cargo.toml ----

const depArb = fc.record({
  key: ident,
  req: fc.constantFrom('1', '^1.2', '>=0.3, <0.5', '=1.0.0', '*', '~2'),
  kind: fc.constantFrom('normal', 'dev', 'build'),
  target: fc.option(fc.constantFrom('cfg(unix)', 'cfg(windows)', 'x86_64-unknown-linux-gnu'), { nil: null }),
  optional: fc.boolean(),
  defaultFeatures: fc.boolean(),
  features: fc.array(ident, { maxLength: 3 }),
  package: fc.option(ident, { nil: null }),
});

const manifestArb = fc.record({
  name: ident,
  version,
  description: fc.option(text, { nil: null }),
  license: fc.option(fc.constantFrom('MIT', 'Apache-2.0 OR MIT'), { nil: null }),
  keywords: fc.array(ident, { maxLength: 4 }),
  authors: fc.array(text, { maxLength: 2 }),
  edition: fc.option(fc.constantFrom('2015', '2018', '2021', '2024'), { nil: null }),
  features: fc.dictionary(ident, fc.array(ident, { maxLength: 3 }), { maxKeys: 3 }),
  deps: fc.uniqueArray(depArb, { maxLength: 5, selector: (d) => `${d.target} ${d.kind} ${d.key}` }),
});

type ManifestSpec = typeof manifestArb extends fc.Arbitrary<infer T> ? T : never;

function renderManifest(m: ManifestSpec): string {
  const lines = ['[package]', `name = ${q(m.name)}`, `version = ${q(m.version)}`];
  if (m.description !== null) lines.push(`description = ${q(m.description)}`);
  if (m.license !== null) lines.push(`license = ${q(m.license)}`);
  if (m.edition !== null) lines.push(`edition = ${q(m.edition)}`);
  lines.push(`keywords = ${qa(m.keywords)}`, `authors = ${qa(m.authors)}`, '', '[features]');
  for (const [k, v] of Object.entries(m.features)) lines.push(`${q(k)} = ${qa(v)}`);
  for (const d of m.deps) {
    const section = { normal: 'dependencies', dev: 'dev-dependencies', build: 'build-dependencies' }[d.kind];
    lines.push('', `[${d.target === null ? '' : `target.${q(d.target)}.`}${section}.${q(d.key)}]`);
    lines.push(
      `version = ${q(d.req)}`,
      `optional = ${d.optional}`,
      `default-features = ${d.defaultFeatures}`,
    );
    lines.push(`features = ${qa(d.features)}`);
    if (d.package !== null) lines.push(`package = ${q(d.package)}`);
  }
  return lines.join('\n') + '\n';
}

describe('Cargo.toml (property)', () => {
  it('parses back the values it was rendered from', () => {
    fc.assert(
      fc.property(manifestArb, (m) => {
        const parsed = parseManifest(renderManifest(m));
        expect(parsed).toMatchObject({
          name: m.name,
          version: m.version,
          description: m.description,
          license: m.license,
          edition: m.edition,
          keywords: m.keywords,
          authors: m.authors,
          features: m.features,
        });
        const key = (d: { kind: string; target: string | null; name: string }) =>
          `${d.target} ${d.kind} ${d.name}`;
        const expected = m.deps
          .map((d) => ({
            name: d.package ?? d.key,
            rename: d.package === null ? null : d.key,
            req: d.req,
            kind: d.kind,
            target: d.target,
            optional: d.optional,
            defaultFeatures: d.defaultFeatures,
            features: d.features,
            registry: null,
            path: null,
            git: null,
            versionSpecified: true,
          }))
          .sort((a, b) => (key(a) < key(b) ? -1 : 1));
        expect([...parsed.dependencies].sort((a, b) => (key(a) < key(b) ? -1 : 1))).toEqual(expected);
        // And the publish metadata cargo would send is built without error.
        expect(manifestToPublishMetadata(parsed).name).toBe(m.name);
      }),
      { numRuns: 80 },
    );
  });

  it('any text, and any mutation of a manifest, fails only with ManifestError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 60 }),
          fc.tuple(manifestArb, edits, cut).map(([m, e, n]) => mutate(renderManifest(m), e, n)),
        ),
        (doc) => {
          onlyThrows(ManifestError, () => {
            const m = parseManifest(doc, () => true);
            manifestToPublishMetadata(m);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('values of the wrong type fail with ManifestError, whichever key they are under', () => {
    const keys = [
      'name',
      'version',
      'description',
      'keywords',
      'authors',
      'publish',
      'build',
      'readme',
      'links',
    ];
    const wrong = fc.constantFrom(
      '1',
      'true',
      '[1]',
      '{ a = 1 }',
      '"x"',
      '["a", 2]',
      '1979-05-27',
      '{ workspace = true }',
    );
    fc.assert(
      fc.property(fc.constantFrom(...keys), wrong, (key, value) => {
        const doc = `[package]\nname = "a"\nversion = "1.0.0"\n`.replace(
          new RegExp(`^${key} = .*$`, 'm'),
          '',
        );
        onlyThrows(ManifestError, () => parseManifest(`${doc}${key} = ${value}\n`));
      }),
      { numRuns: 100 },
    );
  });
});

// ---- Cargo.lock ----

const SOURCES = [
  'registry+https://github.com/rust-lang/crates.io-index',
  'sparse+https://r.example/index/',
  'git+https://g.example/r#abc',
];

const lockArb = fc
  .uniqueArray(
    fc.record({
      name: ident,
      version,
      source: fc.option(fc.constantFrom(...SOURCES), { nil: null }),
      checksum: fc.option(fc.stringMatching(/^[0-9a-f]{64}$/), { nil: null }),
    }),
    { maxLength: 6, selector: (p) => `${p.name} ${p.version}` },
  )
  .chain((pkgs) =>
    fc.tuple(
      fc.constant(pkgs),
      // Each package depends on some of the others, by the full reference.
      fc.array(fc.subarray(pkgs.map((_, i) => i)), { minLength: pkgs.length, maxLength: pkgs.length }),
    ),
  )
  .map(([pkgs, deps]): LockedPackage[] =>
    pkgs.map((p, i) => ({
      ...p,
      // Path packages have no checksum.
      checksum: p.source === null ? null : p.checksum,
      dependencies: deps[i]!.map((j) => ref(pkgs[j]!)),
    })),
  );

function ref(p: { name: string; version: string; source: string | null }): string {
  return p.source === null ? `${p.name} ${p.version}` : `${p.name} ${p.version} (${p.source})`;
}

/** v3/v4: checksums inline; v1: checksums in [metadata]. */
function renderLock(pkgs: LockedPackage[], format: 1 | 3 | 4): string {
  const out = format === 1 ? [] : [`version = ${format}`, ''];
  for (const p of pkgs) {
    out.push('[[package]]', `name = ${q(p.name)}`, `version = ${q(p.version)}`);
    if (p.source !== null) out.push(`source = ${q(p.source)}`);
    if (format !== 1 && p.checksum !== null) out.push(`checksum = ${q(p.checksum)}`);
    if (p.dependencies.length > 0) out.push(`dependencies = ${qa(p.dependencies)}`);
    out.push('');
  }
  if (format === 1) {
    out.push('[metadata]');
    for (const p of pkgs) {
      if (p.source !== null) out.push(`${q(`checksum ${ref(p)}`)} = ${q(p.checksum ?? '<none>')}`);
    }
  }
  return out.join('\n') + '\n';
}

describe('Cargo.lock (property)', () => {
  it('parses back the packages it was rendered from, in v1, v3 and v4', () => {
    fc.assert(
      fc.property(lockArb, fc.constantFrom(1 as const, 3 as const, 4 as const), (pkgs, format) => {
        const lock = parseLockfile(renderLock(pkgs, format));
        expect(lock.packages).toEqual(pkgs);
        if (format !== 1) expect(lock.version).toBe(format);
        else expect(lock.version).toBe(1);
        // Every dependency reference resolves to the package it was written for.
        for (const p of lock.packages) {
          for (const d of p.dependencies) expect(ref(findLockedPackage(lock, d)!)).toBe(d);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('any text, and any mutation of a lockfile, fails only with LockfileError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 60 }),
          fc.tuple(lockArb, edits, cut).map(([p, e, n]) => mutate(renderLock(p, 3), e, n)),
          fc.tuple(lockArb, edits, cut).map(([p, e, n]) => mutate(renderLock(p, 1), e, n)),
        ),
        (doc) => {
          onlyThrows(LockfileError, () => {
            const lock = parseLockfile(doc);
            for (const p of lock.packages) for (const d of p.dependencies) findLockedPackage(lock, d);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('dependency references split back into name, version and source', () => {
    fc.assert(
      fc.property(
        ident,
        fc.option(version, { nil: null }),
        fc.option(fc.oneof(fc.constantFrom(...SOURCES), fc.string({ minLength: 1, maxLength: 20 })), {
          nil: null,
        }),
        (name, v, source) => {
          const s = v === null ? null : source;
          const text = v === null ? name : s === null ? `${name} ${v}` : `${name} ${v} (${s})`;
          expect(parseLockDependencyRef(text)).toEqual({ name, version: v, source: s });
        },
      ),
      { numRuns: 200 },
    );
  });
});
