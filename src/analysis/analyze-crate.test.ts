// The analysis of whole crates: the hand-counted fixture crate (test/fixtures/source-analysis/
// geiger-crate), cargo-geiger's used/unused split and forbids_unsafe, the SafetyReport shape,
// and crates that do not parse or are not crates at all.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Parser } from 'web-tree-sitter';
import { writeCrateArchive } from '../formats/crate-archive.js';
import { rustParser } from '../security/scanner/rust-parser.js';
import { AnalysisError, analyzeCrate } from './analyze-crate.js';
import type { AnalysisInput, CrateAnalysis } from './analyze-crate.js';
import { geigerSafetyReport } from './geiger-report.js';
import { readCrateInput, readDirInput } from './read-input.js';

const FIXTURE = join(import.meta.dirname, '../../test/fixtures/source-analysis/geiger-crate');

let parser: Parser;
let fixture: CrateAnalysis;
const tmp: string[] = [];
beforeAll(async () => {
  parser = await rustParser();
  fixture = analyzeCrate(parser, await readDirInput(FIXTURE));
});
afterAll(async () => {
  for (const d of tmp) await rm(d, { recursive: true, force: true });
});

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
function input(files: Record<string, string | Uint8Array>): AnalysisInput {
  return {
    files: Object.entries(files).map(([path, d]) => ({ path, data: typeof d === 'string' ? enc(d) : d })),
    source: { kind: 'path', url: 'file:///x' },
  };
}
const MANIFEST = '[package]\nname = "t"\nversion = "1.0.0"\n';

describe('analyzeCrate on the fixture crate', () => {
  it('splits files into used (reached from the lib root) and unused, as rustc would compile them', () => {
    const used = fixture.files.filter((f) => f.used).map((f) => f.path);
    const unused = fixture.files.filter((f) => !f.used).map((f) => f.path);
    // nested (mod), extra/mod.rs (default feature), elsewhere/renamed.rs (#[path]), calls.
    expect(used.sort()).toEqual([
      'src/calls.rs',
      'src/elsewhere/renamed.rs',
      'src/extra/mod.rs',
      'src/lib.rs',
      'src/nested.rs',
    ]);
    // windows.rs (#[cfg(windows)]), tests.rs (#[cfg(test)]), integration tests: not in `cargo check`.
    expect(unused.sort()).toEqual(['src/tests.rs', 'src/windows.rs', 'tests/integration.rs']);
    // The build script's own file is not scanned (geiger ignores it).
    expect(fixture.files.some((f) => f.path === 'build.rs')).toBe(false);
    // `mod generated;` has no file (generated code): geiger's used_but_not_scanned.
    expect(fixture.missingModules).toEqual(['src/generated.rs']);
  });

  it('gives the hand-counted numbers per file', () => {
    const by = new Map(fixture.files.map((f) => [f.path, f.counters]));
    // lib.rs — functions: safe_fn, mixed, helper_call, after_leak safe; raw_read, unsafe_helper
    // unsafe, exported unsafe (#[no_mangle]); the #[test] fn is left out.
    // exprs safe: #![doc = include_str!] 1, safe_fn's binary and call 3, mixed's closure, its
    // wrapping_add call and closure(1) 6, get's self.0 7, provided's trailing vec![] 8.
    // exprs unsafe: *p 1, mixed's *v.as_ptr() (unary, method call) 3, get_unchecked's call and
    // field 5, after_leak's call 6 (geiger's leaked scope after the safe #[no_mangle] fn).
    expect(by.get('src/lib.rs')).toEqual({
      functions: { safe: 4, unsafe: 3 },
      exprs: { safe: 8, unsafe: 6 },
      itemImpls: { safe: 1, unsafe: 1 },
      itemTraits: { safe: 1, unsafe: 1 },
      methods: { safe: 1, unsafe: 1 },
    });
    // nested.rs — helper, inner::deep, with_inner_fn and the fn inside it: 4 safe fns. exprs:
    // inner::deep() 1; [0u8; 4] 2; `as` 3 and arr.len() 4; if 5, `let` 6, Some(..) 7, local() 8,
    // else block 9. The #[cfg(test)] module is left out.
    expect(by.get('src/nested.rs')!.functions).toEqual({ safe: 4, unsafe: 0 });
    expect(by.get('src/nested.rs')!.exprs).toEqual({ safe: 9, unsafe: 0 });
    // extra/mod.rs — macro_rules! body, the item macro with `unsafe` inside, statement macros
    // and the garbage tokens in m!/n! count nothing; vec![..] 1; collect, map, iter method calls
    // 2-4, the closure 5 and its binary 6.
    expect(by.get('src/extra/mod.rs')!.functions).toEqual({ safe: 2, unsafe: 0 });
    expect(by.get('src/extra/mod.rs')!.exprs).toEqual({ safe: 6, unsafe: 0 });
    // renamed.rs — struct expression 1, binary 2, two fields 4.
    expect(by.get('src/elsewhere/renamed.rs')!.exprs).toEqual({ safe: 4, unsafe: 0 });
    // calls.rs — seven calls, Wrapper(3) and .get(): 9 safe; run and local_fn.
    expect(by.get('src/calls.rs')!.exprs).toEqual({ safe: 9, unsafe: 0 });
    // tests.rs (a file module, so scanned as a file; geiger does not know it is a test module):
    // helper is a safe fn with 3 unsafe exprs (cast, call, reference); the #[test] fn is out.
    expect(by.get('src/tests.rs')!.functions).toEqual({ safe: 1, unsafe: 0 });
    expect(by.get('src/tests.rs')!.exprs).toEqual({ safe: 0, unsafe: 3 });
  });

  it('sums used and unused like geiger, and forbids_unsafe is false when the lib root does not forbid', () => {
    expect(fixture.unsafety.used).toEqual({
      functions: { safe: 13, unsafe: 3 },
      exprs: { safe: 36, unsafe: 6 },
      itemImpls: { safe: 1, unsafe: 1 },
      itemTraits: { safe: 1, unsafe: 1 },
      methods: { safe: 1, unsafe: 1 },
    });
    // windows.rs win, tests.rs helper, tests/integration.rs support: 3 safe fns, 3 unsafe exprs.
    expect(fixture.unsafety.unused.functions).toEqual({ safe: 3, unsafe: 0 });
    expect(fixture.unsafety.unused.exprs).toEqual({ safe: 0, unsafe: 3 });
    expect(fixture.unsafety.forbidsUnsafe).toBe(false);
    // Parsed: the 8 counted files and build.rs (parsed for its modules, not counted).
    expect(fixture.parse).toEqual({
      files: 9,
      clean: 9,
      parsedFraction: 1,
      notParsed: 0,
      withGrammarGaps: 0,
    });
  });

  it("writes cargo-geiger's SafetyReport shape", () => {
    const r = geigerSafetyReport([fixture]);
    expect(r.packages).toHaveLength(1);
    const p = r.packages[0]!;
    expect(p.package.id.name).toBe('geiger-fixture');
    expect(p.package.id.version).toBe('0.1.0');
    expect(p.package.id.source).toEqual({ Path: expect.stringMatching(/^file:\/\/.*geiger-crate$/) });
    expect(p.unsafety.used.exprs).toEqual({ safe: 36, unsafe_: 6 });
    expect(Object.keys(p.unsafety.used)).toEqual([
      'functions',
      'exprs',
      'item_impls',
      'item_traits',
      'methods',
    ]);
    expect(p.unsafety.forbids_unsafe).toBe(false);
    expect(r.used_but_not_scanned_files).toEqual(['geiger-fixture-0.1.0/src/generated.rs']);
  });
});

describe('analyzeCrate: targets, forbid and cfg', () => {
  it('forbids_unsafe needs every lib and bin root to forbid', () => {
    const forbid = '#![forbid(unsafe_code)]\n';
    const both = analyzeCrate(
      parser,
      input({ 'Cargo.toml': MANIFEST, 'src/lib.rs': forbid, 'src/main.rs': forbid }),
    );
    expect(both.unsafety.forbidsUnsafe).toBe(true);
    const libOnly = analyzeCrate(
      parser,
      input({ 'Cargo.toml': MANIFEST, 'src/lib.rs': forbid, 'src/main.rs': 'fn main() {}' }),
    );
    expect(libOnly.unsafety.forbidsUnsafe).toBe(false);
    expect(
      libOnly.files
        .filter((f) => f.entryPoint)
        .map((f) => f.path)
        .sort(),
    ).toEqual(['src/lib.rs', 'src/main.rs']);
    // src/bin/*.rs are bin roots too; a bench is not.
    const bin = analyzeCrate(
      parser,
      input({
        'Cargo.toml': MANIFEST,
        'src/lib.rs': forbid,
        'src/bin/tool.rs': 'fn main() {}',
        'benches/b.rs': 'fn b() {}',
      }),
    );
    expect(bin.unsafety.forbidsUnsafe).toBe(false);
    expect(bin.files.find((f) => f.path === 'benches/b.rs')!.used).toBe(false);
  });

  it('follows mod rules: a.rs owns a/, #[path] is relative to the file, cfg and features decide', () => {
    const a = analyzeCrate(
      parser,
      input({
        'Cargo.toml': `${MANIFEST}[features]\ndefault = ["x"]\nx = ["y"]\ny = []\nz = []\n`,
        'src/lib.rs':
          'mod a; #[cfg(feature = "y")] mod on; #[cfg(feature = "z")] mod off; #[cfg(all(unix, not(windows)))] mod unixy;',
        'src/a.rs': 'mod b; #[path = "p.rs"] mod q; mod inline { mod deep; }',
        'src/a/b.rs': '',
        'src/p.rs': '',
        'src/a/inline/deep.rs': '',
        'src/on.rs': '',
        'src/off.rs': '',
        'src/unixy/mod.rs': '',
      }),
    );
    const used = a.files
      .filter((f) => f.used)
      .map((f) => f.path)
      .sort();
    expect(used).toEqual([
      'src/a.rs',
      'src/a/b.rs',
      'src/a/inline/deep.rs',
      'src/lib.rs',
      'src/on.rs',
      'src/p.rs',
      'src/unixy/mod.rs',
    ]);
  });
});

describe('analyzeCrate: modules declared in cfg_if!', () => {
  it('follows the branch of cfg_if! that holds for the assumed build, nested ones too', () => {
    const r = analyzeCrate(
      parser,
      input({
        'Cargo.toml': MANIFEST,
        'src/lib.rs': `cfg_if::cfg_if! {
          if #[cfg(windows)] { mod win; }
          else if #[cfg(unix)] {
            #[path = "u.rs"] pub mod unix;
            #[cfg(feature = "nope")] mod off;
            cfg_if! { if #[cfg(target_os = "linux")] { mod linux; } else { mod other; } }
          } else { mod fallback; }
        }`,
        'src/win.rs': '',
        'src/u.rs': '',
        'src/off.rs': '',
        'src/linux.rs': '',
        'src/other.rs': '',
        'src/fallback.rs': '',
      }),
    );
    const used = a(r);
    expect(used).toEqual(['src/lib.rs', 'src/linux.rs', 'src/u.rs']);
  });
});
const a = (r: CrateAnalysis): string[] =>
  r.files
    .filter((f) => f.used)
    .map((f) => f.path)
    .sort();

describe('analyzeCrate: broken and hostile crates', () => {
  it('still gives a result for a crate whose files do not all parse, with notes and a parsed fraction', () => {
    const r = analyzeCrate(
      parser,
      input({
        'Cargo.toml': MANIFEST,
        'src/lib.rs': 'mod bad; pub fn ok() { unsafe { f(); } }',
        'src/bad.rs': 'pub fn broken( { ]]] ~~~ unsafe { g(); }',
        'src/latin1.rs': new Uint8Array([0x66, 0x6e, 0x20, 0xe9, 0xff]),
      }),
    );
    expect(r.parse.files).toBe(3);
    expect(r.parse.clean).toBe(1);
    // latin1.rs was not parsed at all: reported on its own, and not clean.
    expect(r.parse.notParsed).toBe(1);
    expect(r.parse.parsedFraction).toBeGreaterThan(0);
    expect(r.parse.parsedFraction).toBeLessThan(1);
    expect(r.files.find((f) => f.path === 'src/latin1.rs')!.error).toBe('not UTF-8');
    expect(r.files.find((f) => f.path === 'src/bad.rs')!.error).toMatch(/syntax errors/);
    expect(r.unsafety.used.exprs.unsafe).toBeGreaterThanOrEqual(1);
  });

  it('reads extern types (`pub type X;` in an extern block, which tree-sitter-rust 0.24 lacks) as valid, and nothing else', () => {
    // web-sys's generated files declare one per JS class; syn parses them (ForeignItem::Type).
    const externTypes = [
      '#![allow(unused_imports)]',
      'use wasm_bindgen::prelude::*;',
      '#[wasm_bindgen]',
      'extern "C" {',
      '    # [wasm_bindgen (extends = :: js_sys :: Object , js_name = AbortController)]',
      '    #[derive(Debug, Clone, PartialEq, Eq)]',
      '    #[doc = "The `AbortController` class."]',
      '    pub type AbortController;',
      '    pub(crate) type Inner<T> /* generic */ ;',
      '    type Private;',
      '    # [wasm_bindgen (method , structural , js_class = "AbortController" , js_name = abort)]',
      '    pub fn abort(this: &AbortController);',
      '}',
      'pub fn make() -> u8 { unsafe { f() } }',
      '',
    ].join('\n');
    const r = analyzeCrate(
      parser,
      input({
        'Cargo.toml': MANIFEST,
        'src/lib.rs': 'mod gen; mod not_extern; mod bounds;',
        'src/gen.rs': externTypes,
        // The same item outside an extern block is not Rust: still an error.
        'src/not_extern.rs': 'pub type Alias;\n',
        // Bounds on an extern type: not syntax syn or rustc accept, still an error.
        'src/bounds.rs': 'extern "C" { pub type D: Sized; }\n',
      }),
    );
    const file = (p: string) => r.files.find((f) => f.path === p)!;
    expect(file('src/gen.rs').error).toBeUndefined();
    expect(file('src/gen.rs').parsedFraction).toBe(1);
    expect(file('src/gen.rs').grammarGaps).toBe(2);
    expect(file('src/not_extern.rs').error).toMatch(/syntax errors/);
    expect(file('src/bounds.rs').error).toMatch(/syntax errors/);
    expect(r.parse).toMatchObject({ files: 4, clean: 2, notParsed: 0, withGrammarGaps: 1 });
    // What follows the extern types is counted as before: make(), its unsafe call.
    expect(file('src/gen.rs').counters.functions).toEqual({ safe: 1, unsafe: 0 });
    expect(file('src/gen.rs').counters.exprs).toEqual({ safe: 0, unsafe: 1 });
  });

  it('refuses what is not a crate with a clear error', () => {
    expect(() => analyzeCrate(parser, input({ 'src/lib.rs': '' }))).toThrow(AnalysisError);
    expect(() => analyzeCrate(parser, input({ 'Cargo.toml': 'not = [toml' }))).toThrow(/Cargo.toml/);
    expect(() => analyzeCrate(parser, input({ 'Cargo.toml': new Uint8Array([0xff, 0xfe]) }))).toThrow(
      /UTF-8/,
    );
  });

  it('does not follow #[path] out of the package or loop on modules that include each other', () => {
    const r = analyzeCrate(
      parser,
      input({
        'Cargo.toml': MANIFEST,
        'src/lib.rs':
          '#[path = "../../../etc/passwd"] mod p; #[path = "lib.rs"] mod again; include!("lib.rs");',
      }),
    );
    expect(r.files.map((f) => f.path)).toEqual(['src/lib.rs']);
    expect(r.missingModules).toEqual(['../../etc/passwd']);
  });

  it('reads a .crate archive through the bounded reader, and refuses a truncated one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ck-analyze-'));
    tmp.push(dir);
    const bytes = await writeCrateArchive('t-1.0.0', [
      { path: 'Cargo.toml', data: Buffer.from(MANIFEST) },
      { path: 'src/lib.rs', data: Buffer.from('pub unsafe fn f() { g(); }') },
      { path: 'data.bin', data: Buffer.alloc(4096, 7) },
    ]);
    const r = analyzeCrate(parser, await readCrateInput(bytes));
    expect(r.unsafety.used.functions).toEqual({ safe: 0, unsafe: 1 });
    expect(r.source).toEqual({
      kind: 'registry',
      name: 'crates.io',
      url: 'https://github.com/rust-lang/crates.io-index',
    });
    await expect(readCrateInput(bytes.subarray(0, bytes.length >> 1))).rejects.toThrow();
    await mkdir(join(dir, 'x'));
    await writeFile(join(dir, 'x', 'notes.txt'), 'no manifest');
    await expect(readDirInput(join(dir, 'x')).then((i) => analyzeCrate(parser, i))).rejects.toThrow(
      /no Cargo.toml/,
    );
  });
});
