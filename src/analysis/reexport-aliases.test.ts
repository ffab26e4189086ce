// The paths an advisory's affected function is reachable by, from the re-exports small fixture
// crates store (analysed with the real parser, summarised as the analyze job stores them):
// `pub use` of an item, of a module, renames, globs, chains of them within a crate and across
// crates, and bounds on hostile ones.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Parser } from 'web-tree-sitter';
import { canonicalCrateName } from '../domain/crate-name.js';
import { rustParser } from '../security/scanner/rust-parser.js';
import { analyzeCrate } from './analyze-crate.js';
import { summarizeAnalysis } from './invocation-summary.js';
import { reexportAliases } from './reexport-aliases.js';
import type { ReexportEdge } from './reexport-aliases.js';

let parser: Parser;
beforeAll(async () => {
  parser = await rustParser();
});

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The re-exports the analyze job would store for this crate. */
function reexports(name: string, deps: string[], files: Record<string, string>): ReexportEdge[] {
  const manifest = `[package]\nname = "${name}"\nversion = "1.0.0"\n[dependencies]\n${deps.map((d) => `${d} = "1"`).join('\n')}\n`;
  const a = analyzeCrate(parser, {
    files: Object.entries({ 'Cargo.toml': manifest, ...files }).map(([path, d]) => ({ path, data: enc(d) })),
    source: { kind: 'path', url: 'file:///x' },
  });
  return summarizeAnalysis(a).reexports.map((r) => ({ crate: canonicalCrateName(name), ...r }));
}

/** A registry of stored re-exports; counts how often each crate is asked for. */
function registry(...crates: ReexportEdge[][]) {
  const all = crates.flat();
  const asked: string[] = [];
  const into = (names: string[]) => {
    asked.push(...names);
    return Promise.resolve(all.filter((e) => names.includes(e.targetCrate)));
  };
  return { into, asked };
}

const paths = async (fn: string, into: (c: string[]) => Promise<ReexportEdge[]>) =>
  (await reexportAliases(fn, into)).map((a) => a.path).sort();

describe('re-exports as the analyze job stores them', () => {
  it('spells each re-export with the crate name: items, modules, renames, globs, other crates', () => {
    const r = reexports('vuln-core', ['dep'], {
      'src/lib.rs':
        'mod imp; pub mod codec; pub use imp::*; pub use codec::decode as parse_frame; pub use dep::util; pub use std::fmt;',
      'src/imp.rs': 'pub fn unpack() {}',
      'src/codec.rs': 'pub fn decode() {}',
    });
    expect(r.sort((x, y) => (x.path < y.path ? -1 : 1))).toEqual([
      {
        crate: 'vuln_core',
        path: 'vuln_core',
        targetCrate: 'vuln_core',
        target: 'vuln_core::imp',
        glob: true,
      },
      {
        crate: 'vuln_core',
        path: 'vuln_core::parse_frame',
        targetCrate: 'vuln_core',
        target: 'vuln_core::codec::decode',
        glob: false,
      },
      { crate: 'vuln_core', path: 'vuln_core::util', targetCrate: 'dep', target: 'dep::util', glob: false },
    ]);
  });
});

describe('reexportAliases', () => {
  let core: ReexportEdge[];
  let facade: ReexportEdge[];
  let outer: ReexportEdge[];
  beforeAll(() => {
    core = reexports('vuln-core', [], {
      'src/lib.rs': 'mod imp; pub mod codec; pub use imp::*; pub use codec::decode as parse_frame;',
      'src/imp.rs': 'pub fn unpack() {} pub mod deep { pub fn dig() {} }',
      'src/codec.rs': 'pub fn decode() {}',
    });
    // Another crate re-exporting a module of vuln-core, and all of its root.
    facade = reexports('facade', ['vuln-core'], {
      'src/lib.rs': 'pub use vuln_core::codec; pub use vuln_core::*; pub fn own() {}',
    });
    // And one re-exporting facade's re-export under a new name.
    outer = reexports('outer', ['facade'], { 'src/lib.rs': 'pub use facade::codec as wire;' });
  });

  it('finds the public paths of a function defined in a private module (globs, across crates)', async () => {
    const { into } = registry(core, facade, outer);
    // (`facade::imp::unpack` too: that `imp` is private is not among the stored facts; the path
    // names nothing and no caller's call has it.)
    expect(await paths('vuln_core::imp::unpack', into)).toEqual([
      'facade::imp::unpack',
      'facade::unpack',
      'vuln_core::imp::unpack',
      'vuln_core::unpack',
    ]);
    // Paths under a module re-exported by a glob keep their rest.
    expect(await paths('vuln_core::imp::deep::dig', into)).toEqual([
      'facade::deep::dig',
      'facade::imp::deep::dig',
      'vuln_core::deep::dig',
      'vuln_core::imp::deep::dig',
    ]);
  });

  it('finds the defining path of a re-exported name, and who re-exports that module', async () => {
    const { into } = registry(core, facade, outer);
    const aliases = await reexportAliases('vuln_core::parse_frame', into);
    expect(aliases.map((a) => a.path).sort()).toEqual([
      'facade::codec::decode',
      'facade::parse_frame',
      'outer::wire::decode',
      'vuln_core::codec::decode',
      'vuln_core::parse_frame',
    ]);
    const wire = aliases.find((a) => a.path === 'outer::wire::decode')!;
    expect(wire.crate).toBe('outer');
    expect(wire.via).toEqual([
      'vuln_core: pub use vuln_core::codec::decode as parse_frame',
      'facade: pub use vuln_core::codec',
      'outer: pub use facade::codec as wire',
    ]);
  });

  it('gives the function alone when nothing re-exports it, and does not walk into unrelated crates', async () => {
    const { into, asked } = registry(core, facade, outer);
    expect(await paths('facade::own', into)).toEqual(['facade::own']);
    expect(asked).toEqual(['facade']);
    // A forward step never leaves the function's crate: facade::util is not facade's code.
    const other = reexports('shim', ['dep'], { 'src/lib.rs': 'pub use dep::util;' });
    expect(await paths('shim::util::f', registry(other).into)).toEqual(['shim::util::f']);
  });

  it('stays bounded on re-exports that loop and on crates with very many', async () => {
    const loop = reexports('looped', [], {
      'src/lib.rs': 'pub mod a; pub mod b; pub use a::*;',
      'src/a.rs': 'pub use crate::b::*; pub fn f() {}',
      'src/b.rs': 'pub use crate::a::*; pub use super::*;',
    });
    const out = await paths('looped::a::f', registry(loop).into);
    expect(out).toContain('looped::f');
    expect(out).toContain('looped::b::f');
    expect(out.length).toBeLessThanOrEqual(256);
    // 300 crates each re-exporting the one before: the walk stops at its depth and size bounds.
    const chain: ReexportEdge[] = Array.from({ length: 300 }, (_, i) => ({
      crate: `c${i + 1}`,
      path: `c${i + 1}::m`,
      targetCrate: `c${i}`,
      target: `c${i}::m`,
      glob: false,
    }));
    const long = await reexportAliases('c0::m::f', registry(chain).into, { depth: 50, max: 20 });
    expect(long).toHaveLength(20);
    expect((await reexportAliases('c0::m::f', registry(chain).into)).map((a) => a.path)).toEqual([
      'c0::m::f',
      'c1::m::f',
      'c2::m::f',
      'c3::m::f',
      'c4::m::f',
    ]);
  });
});
