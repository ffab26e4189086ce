// Call sites and how their callee paths resolve: `use` groups, renames and globs, extern crate
// aliases, crate/self/super, renamed dependencies, re-exports, and method calls left unresolved.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Parser } from 'web-tree-sitter';
import { parseRust, rustParser } from '../security/scanner/rust-parser.js';
import { analyzeCrate } from './analyze-crate.js';
import { fileInvocations, resolveCrate } from './invocations.js';
import type { CrateInvocations, Invocation } from './invocations.js';
import { readDirInput } from './read-input.js';

let parser: Parser;
beforeAll(async () => {
  parser = await rustParser();
});

/** One crate of files given as `module path -> source`. */
function resolveFiles(
  files: Record<string, string>,
  dependencies: Record<string, string> = {},
): CrateInvocations {
  const per = Object.entries(files).map(([mod, src]) => {
    const tree = parseRust(parser, src);
    try {
      return fileInvocations(tree.rootNode, `${mod || 'lib'}.rs`, mod ? mod.split('::') : []);
    } finally {
      tree.delete();
    }
  });
  return resolveCrate(per, { crateName: 'me', dependencies });
}
const show = (c: Invocation): string =>
  c.callee.kind === 'resolved'
    ? `${c.caller} -> ${c.callee.crate}: ${c.callee.path}`
    : `${c.caller} -> ? ${c.callee.method ? `.${c.callee.method}()` : c.callee.reason}`;

describe('resolveCrate', () => {
  it('resolves the fixture crate: renamed dependency, glob, groups, extern crate alias, re-export', async () => {
    const a = analyzeCrate(
      parser,
      await readDirInput(join(import.meta.dirname, '../../test/fixtures/source-analysis/geiger-crate')),
    );
    const run = a.invocations.lib!.calls.filter((c) => c.caller === 'crate::calls::run').map(show);
    expect(run).toEqual([
      // use json::{from_str as parse_json} with json = { package = "serde_json" }
      'crate::calls::run -> serde_json: serde_json::from_str',
      // use base64::*; the only glob in scope supplies `encode`
      'crate::calls::run -> base64: base64::encode',
      // use crate::nested::{self, inner::deep}
      'crate::calls::run -> geiger_fixture: geiger_fixture::nested::helper',
      'crate::calls::run -> geiger_fixture: geiger_fixture::nested::inner::deep',
      // extern crate std as stdlib
      'crate::calls::run -> std: std::mem::drop',
      // crate::exported_helper is `pub use nested::helper as exported_helper` in lib.rs
      'crate::calls::run -> geiger_fixture: geiger_fixture::nested::helper',
      'crate::calls::run -> geiger_fixture: geiger_fixture::calls::local_fn',
      // Wrapper(3).get(): the receiver's type is not known here, so .get() is not guessed
      'crate::calls::run -> ? .get()',
      'crate::calls::run -> geiger_fixture: geiger_fixture::Wrapper',
    ]);
    // Calls of a #[test] fn and of the #[cfg(test)] module are left out, like the counts.
    expect(a.invocations.lib!.calls.some((c) => c.file === 'src/tests.rs')).toBe(false);
    expect(a.invocations.lib!.defs.map((d) => d.path)).toContain('crate::Wrapper::get_unchecked');
  });

  it('resolves super::, self::, Self:: and self.method() on an inherent impl; not other receivers', () => {
    const r = resolveFiles({
      '': 'mod a; pub fn top() {}',
      a: `
        pub struct S;
        impl S {
          pub fn new() -> S { Self::make() }
          fn make() -> S { S }
          pub fn go(&self) { self.make2(); self.unknown(); super::top(); self::free(); }
          fn make2(&self) {}
        }
        fn free() { let s = S::new(); s.go(); (callback)(); }
      `,
    });
    expect(r.calls.map(show)).toEqual([
      'crate::a::S::new -> me: me::a::S::make',
      'crate::a::S::go -> me: me::a::S::make2',
      'crate::a::S::go -> ? .unknown()',
      'crate::a::S::go -> me: me::top',
      'crate::a::S::go -> me: me::a::free',
      'crate::a::free -> me: me::a::S::new',
      'crate::a::free -> ? .go()',
      'crate::a::free -> ? indirect call',
    ]);
  });

  it('uses nested groups, `self` in groups, `::`-absolute paths, turbofish and qualified paths', () => {
    const r = resolveFiles(
      {
        '': `
          use tokio::{self as rt, net::{TcpStream as Tcp, UdpSocket}};
          fn f() {
            rt::spawn(x);
            Tcp::connect(a);
            UdpSocket::bind::<u8>(b);
            ::regex::Regex::new(c);
            <Vec<u8> as Default>::default();
            Vec::<u8>::with_capacity(1);
            u32::from_str_radix(s, 16);
          }`,
      },
      { tokio: 'tokio', regex: 'regex' },
    );
    expect(r.calls.map(show)).toEqual([
      'crate::f -> tokio: tokio::spawn',
      'crate::f -> tokio: tokio::net::TcpStream::connect',
      'crate::f -> tokio: tokio::net::UdpSocket::bind',
      'crate::f -> regex: regex::Regex::new',
      'crate::f -> core: core::default::Default::default',
      'crate::f -> alloc: alloc::vec::Vec::with_capacity',
      'crate::f -> core: core::primitive::u32::from_str_radix',
    ]);
  });

  it('decides a glob only when it can: own-module globs by their items, two foreign globs never', () => {
    const r = resolveFiles(
      {
        '': 'mod util; mod b; use util::*; fn f() { helper(); }',
        util: 'pub fn helper() {}',
        b: 'use x::*; use y::*; fn g() { which(); }',
      },
      { x: 'x', y: 'y' },
    );
    expect(r.calls.map(show)).toEqual([
      'crate::f -> me: me::util::helper',
      'crate::b::g -> ? ambiguous glob imports',
    ]);
  });

  it('names an unknown single-segment callee as unresolved, not as a guess', () => {
    const r = resolveFiles({ '': 'fn f() { mystery(); let g = |x| x; g(1); }' });
    expect(r.calls.map(show)).toEqual(['crate::f -> ? unknown name', 'crate::f -> ? unknown name']);
  });

  it('lists pub use re-exports per module', () => {
    const r = resolveFiles(
      { '': 'mod inner; pub use inner::Thing; pub use dep::Other as Renamed;', inner: 'pub struct Thing;' },
      {
        dep: 'dep-crate',
      },
    );
    expect(r.exports).toEqual({ crate: { Thing: 'me::inner::Thing', Renamed: 'dep_crate::Other' } });
  });

  it('lists pub use globs per module, resolved, and leaves private globs out', () => {
    const r = resolveFiles(
      {
        '': 'mod inner; mod prelude; pub use inner::*; use inner::hidden::*; pub use dep::*;',
        inner: 'pub mod hidden {} pub fn f() {}',
        prelude: 'pub use crate::inner::*; pub use super::inner::*;',
      },
      { dep: 'dep-crate' },
    );
    expect(r.globExports).toEqual({
      crate: ['me::inner', 'dep_crate'],
      'crate::prelude': ['me::inner'],
    });
    expect(resolveFiles({ '': 'use std::*; pub fn f() {}' }).globExports).toBeUndefined();
  });

  it('is not fooled by Object prototype names, and stays bounded on globs of globs', () => {
    const r = resolveFiles({
      '': 'fn f() { constructor(); toString(); __proto__::x(); hasOwnProperty::y(); }',
    });
    expect(r.calls.map((c) => c.callee.kind)).toEqual([
      'unresolved',
      'unresolved',
      'unresolved',
      'unresolved',
    ]);
    // 40 modules that all glob each other: exponential if globs were followed without a bound.
    const files: Record<string, string> = {
      '': Array.from({ length: 40 }, (_, i) => `mod m${i};`).join(' '),
    };
    for (let i = 0; i < 40; i++) {
      files[`m${i}`] =
        `${Array.from({ length: 40 }, (_, j) => `use super::m${j}::*;`).join(' ')} fn f() { nowhere(); }`;
    }
    const t0 = performance.now();
    const big = resolveFiles(files);
    expect(big.calls).toHaveLength(40);
    expect(big.calls.every((c) => c.callee.kind === 'unresolved')).toBe(true);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
});
