// cargo-geiger's counting rules, one construct at a time, with the numbers worked out by hand
// from geiger's visitor (geiger/src/geiger_syn_visitor.rs) and syn's `visit` functions.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Parser } from 'web-tree-sitter';
import { parseRust, rustParser } from '../security/scanner/rust-parser.js';
import { countUnsafe } from './unsafe-counts.js';
import type { FileUnsafety } from './unsafe-counts.js';

let parser: Parser;
beforeAll(async () => {
  parser = await rustParser();
});

function count(src: string, includeTests = false): FileUnsafety {
  const tree = parseRust(parser, src);
  try {
    return countUnsafe(tree.rootNode, { includeTests });
  } finally {
    tree.delete();
  }
}
const exprs = (src: string): [number, number] => {
  const c = count(src).counters.exprs;
  return [c.safe, c.unsafe];
};

describe('countUnsafe: functions and methods', () => {
  it('counts free fns, nested fns and fns in modules; unsafe for `unsafe fn`, #[no_mangle], #[export_name]', () => {
    const c = count(`
      fn a() {}                        // safe 1
      unsafe fn b() {}                 // unsafe 1
      mod m {
        pub fn c() {                   // safe 2
          fn d() {}                    // safe 3: an ItemFn inside a body
        }
        #[export_name = "e"]
        pub unsafe extern "C" fn e() {}  // unsafe 2
      }
      #[no_mangle] pub extern "C" fn f() {}  // unsafe 3
      #[unsafe(no_mangle)] pub fn g() {}     // the attribute's path is \`unsafe\`: safe 4
    `).counters;
    expect(c.functions).toEqual({ safe: 4, unsafe: 3 });
    expect(c.methods).toEqual({ safe: 0, unsafe: 0 });
  });

  it('counts impl fns as methods; trait fns (with or without a body) and extern fns are neither', () => {
    const c = count(`
      impl S { fn a(&self) {} unsafe fn b(&self) {} }            // methods: safe 1, unsafe 1
      impl T for S { fn c(&self) {} }                            // safe 2
      trait T { fn c(&self) {} unsafe fn d(&self); fn e(); }     // not counted
      extern "C" { fn ext(); }                                   // ForeignItemFn: not counted
    `).counters;
    expect(c.methods).toEqual({ safe: 2, unsafe: 1 });
    expect(c.functions).toEqual({ safe: 0, unsafe: 0 });
    expect(c.itemImpls).toEqual({ safe: 2, unsafe: 0 });
    expect(c.itemTraits).toEqual({ safe: 1, unsafe: 0 });
  });

  it('counts unsafe impls and unsafe traits', () => {
    const c = count(`
      unsafe impl Send for S {}
      unsafe impl<T> Sync for W<T> {}
      impl Drop for S { fn drop(&mut self) {} }
      pub unsafe trait U {}
      trait P {}
    `).counters;
    expect(c.itemImpls).toEqual({ safe: 1, unsafe: 2 });
    expect(c.itemTraits).toEqual({ safe: 1, unsafe: 1 });
  });

  it('an unsafe fn in a trait opens no unsafe scope: its default body counts as safe', () => {
    expect(exprs('trait T { unsafe fn d(&self) { f(); } }')).toEqual([1, 0]);
  });
});

describe('countUnsafe: expressions', () => {
  it('counts every expression but literals, paths and the unsafe block itself', () => {
    // f(1): call 1 (f is a path, 1 a literal); x.m(): method call 2 (the receiver is a path);
    // *y: unary 3; a + b: binary 4; (a): paren 5; s.f: field 6; &v: reference 7; v[0]: index 8;
    // t as u8: cast 9; (1, 2): tuple 10; (): tuple 11; [1, 2]: array 12; [0; 4]: repeat 13;
    // 1..2: range 14; r?: try 15; S { a: 1, b }: struct 16 (shorthand `b` is a path);
    // x = 1: assign 17; x += 1: binary 18; -1: unary 19; !b: unary 20.
    expect(
      exprs(`fn f() {
        f(1); x.m(); *y; a + b; (a); s.f; &v; v[0]; t as u8; (1, 2); (); [1, 2]; [0; 4];
        1..2; r?; S { a: 1, b }; x = 1; x += 1; -1; !b;
      }`),
    ).toEqual([20, 0]);
  });

  it('counts blocks in expression position, but not the bodies of fns, loops and ifs', () => {
    // { 1 } as a statement: Expr::Block 1; 'a: {}: Expr::Block 2; if c {} else {}: if 3 and the
    // else block 4 (then-branch is a Block); loop {}: 5; while c {}: 6; for x in y {}: 7; the
    // let-else's block is an Expr 8 and `return` in it 9; || {}: closure 10, body block 11;
    // async {}: 12 (its block is a Block); const { 1 }: 13.
    expect(
      exprs(`fn f() {
        { 1 }
        'a: {}
        if c {} else {}
        loop {}
        while c {}
        for x in y {}
        let Some(z) = w else { return };
        let g = || {};
        let h = async {};
        let k = const { 1 };
      }`),
    ).toEqual([13, 0]);
  });

  it('counts `let` conditions and let chains as syn parses them', () => {
    // if: 1; `let Some(x) = a`: Expr::Let 2; `let Some(y) = b`: 3; `&&` twice: Binary 4, 5;
    // the call c(): 6.
    expect(exprs('fn f() { if let Some(x) = a && let Some(y) = b && c() {} }')).toEqual([6, 0]);
    // while: 1, let: 2, it.next(): method call 3.
    expect(exprs('fn f() { while let Some(x) = it.next() {} }')).toEqual([3, 0]);
  });

  it('counts match, guards and arm bodies', () => {
    // match: 1; guard g(): 2; arm block {}: Expr::Block 3; arm value `1`: literal.
    expect(exprs('fn f() { match x { A if g() => {}, _ => 1 } }')).toEqual([3, 0]);
  });

  it('counts a macro where syn parses an expression, never what is inside', () => {
    // `println!(..);` and `m! {}` are statement macros (Stmt::Macro): not counted; `let v =
    // vec![..]`: Expr::Macro 1; `f(format!(..))`: call 2, macro 3; trailing `vec![]`: 4. The
    // unsafe block inside `m!` is tokens: nothing unsafe is counted.
    expect(
      exprs(`fn f() -> Vec<u8> {
        println!("{}", 1);
        m! { unsafe { x() } }
        let v = vec![1];
        f(format!("{}", 2));
        vec![]
      }`),
    ).toEqual([4, 0]);
    // Type and pattern macros are not expressions; a macro in a match guard is.
    expect(exprs('fn f(t: Token![=]) -> ty![T] { let p![a] = x; match y { _ if cfg!(z) => {} } }')).toEqual([
      3, 0,
    ]);
  });

  it('does not count macro_rules! bodies (tree-sitter names `$b:block` fragments `block`)', () => {
    expect(exprs('macro_rules! m { ($b:block) => { unsafe $b }; ($e:expr) => { f($e) } }')).toEqual([0, 0]);
  });

  it('reaches the expressions syn visits outside bodies', () => {
    // const initialiser: binary 1; static: call 2; enum discriminant: binary 3; array length in
    // a type: binary 4; a block as array length: Expr::Block 5; #[doc = include_str!(..)]: macro
    // 6; a const generic argument in braces: Expr::Block 7 and binary 8.
    expect(
      exprs(`
        #![doc = include_str!("README.md")]
        const A: u32 = 1 + 2;
        static B: u32 = f();
        enum E { X = 1 << 2 }
        struct S { a: [u8; N * 2], b: [u8; { 4 }] }
        type T = W<{ N + 1 }>;
      `),
    ).toEqual([8, 0]);
  });
});

describe('countUnsafe: where tree-sitter reads the source differently from syn', () => {
  it('counts a stray `;` in a block as syn does (an empty Expr::Verbatim statement)', () => {
    // `fn g() {};`: the item, then a stray `;` 1; `let a = 1;;`: the second `;` 2. A brace macro
    // statement and a block-like expression statement take their `;`: `m! {};`, `if c {};`.
    expect(exprs('fn f() { fn g() {}; m! {}; let a = 1;; if c {}; }')).toEqual([3, 0]);
  });

  it('reads the prefix range `..=x` as one range (tree-sitter makes it `(..) = x`)', () => {
    // call 1, reference 2, index 3, range 4; y(..=j): call 5, range 6.
    expect(exprs('fn f() { x(&a[..=i]); y(..=j); }')).toEqual([6, 0]);
  });

  it('counts a 2015-edition `try!(…)` as one macro and nothing inside it', () => {
    // `let t = try!(a.b(c));`: Expr::Macro 1; `try!(x);`: Stmt::Macro; `try!(y)?;`: Try 2,
    // Expr::Macro 3.
    expect(exprs('fn f() { let t = try!(a.b(c)); try!(x); try!(y)?; }')).toEqual([3, 0]);
  });
});

describe('countUnsafe: unsafe scopes', () => {
  it('counts as unsafe what is inside an unsafe block or an unsafe fn, nesting included', () => {
    // g: safe call f() 1; in the block: call 1u, and inside a nested unsafe block call 2u.
    // unsafe fn h: call 3u; the closure 4u and its call 5u; an unnecessary unsafe block: call 6u.
    // After h: i's call is safe again 2.
    expect(
      exprs(`
        fn g() { f(); unsafe { f(); unsafe { f(); } } }
        unsafe fn h() { f(); let c = || x(); unsafe { f(); } }
        fn i() { f(); }
      `),
    ).toEqual([2, 6]);
    // Methods: only `unsafe fn` opens a scope.
    expect(exprs('impl S { unsafe fn a(&self) { f(); } fn b(&self) { f(); } }')).toEqual([1, 1]);
  });

  it("keeps geiger's unbalanced scope: after a safe #[no_mangle] fn, the rest of the file is unsafe", () => {
    // Geiger enters a scope for #[no_mangle] but leaves only for `unsafe fn`. a: safe 1;
    // b's call: unsafe 1 (b is an unsafe function); c's call: unsafe 2 (leaked scope).
    const c = count('fn a() { f(); } #[no_mangle] fn b() { f(); } fn c() { f(); }').counters;
    expect(c.exprs).toEqual({ safe: 1, unsafe: 2 });
    expect(c.functions).toEqual({ safe: 2, unsafe: 1 });
  });
});

describe('countUnsafe: tests and forbid', () => {
  const src = `
    pub fn f() { f(); }                     // fn safe, expr safe
    pub unsafe fn g() { f(); }              // fn unsafe, expr unsafe
    #[cfg(test)]
    mod tests {
      pub unsafe fn h() { f(); }            // only with tests: fn unsafe, expr unsafe
      pub fn i() { f(); unsafe { f(); } }   // only with tests: fn safe, one safe, one unsafe
    }
    #[test]
    fn t() { f(); }                         // only with tests: fn safe, expr safe
    mod inner { #![cfg(test)] fn j() {} }   // inner cfg(test): a test module too
    #[cfg(all(test, unix))] mod k { fn k() {} }   // syn stops at \`all(\`: not a test module
    #[tokio::test] fn u() {}                // a two-segment path: not \`test\`
  `;
  it('leaves #[test] fns and #[cfg(test)] modules out by default, as geiger does', () => {
    const c = count(src).counters;
    expect(c.functions).toEqual({ safe: 3, unsafe: 1 });
    expect(c.exprs).toEqual({ safe: 1, unsafe: 1 });
  });
  it('counts them with includeTests', () => {
    const c = count(src, true).counters;
    expect(c.functions).toEqual({ safe: 6, unsafe: 2 });
    expect(c.exprs).toEqual({ safe: 3, unsafe: 3 });
  });

  it('reads #![forbid(unsafe_code)] at the file level only, as syn nested metas', () => {
    expect(count('#![forbid(unsafe_code)]').forbidsUnsafe).toBe(true);
    expect(count('#![forbid(missing_docs, unsafe_code)]').forbidsUnsafe).toBe(true);
    expect(count('#![deny(unsafe_code)]').forbidsUnsafe).toBe(false);
    expect(count('#![cfg_attr(not(test), forbid(unsafe_code))]').forbidsUnsafe).toBe(false);
    expect(count('#[forbid(unsafe_code)] fn f() {}').forbidsUnsafe).toBe(false);
    expect(count('mod m { #![forbid(unsafe_code)] }').forbidsUnsafe).toBe(false);
  });
});

describe('countUnsafe: hostile and broken input', () => {
  it('counts what parsed around syntax errors and skips what is inside them', () => {
    const c = count('fn a() { f(); } fn b( { g(); ~~~ } fn c() { unsafe { h(); } }').counters;
    expect(c.exprs.unsafe).toBe(1);
    expect(c.functions.safe + c.functions.unsafe).toBeGreaterThanOrEqual(2);
  });

  it('survives empty, binary-looking, truncated and deeply nested input', () => {
    expect(count('').counters.exprs).toEqual({ safe: 0, unsafe: 0 });
    expect(() => count('\u0000\u0001\uFFFD fn \u0000')).not.toThrow();
    expect(() => count('fn f() { if x { match y { A => { unsafe { (')).not.toThrow();
    const deep = `fn f() { ${'('.repeat(3000)}1${')'.repeat(3000)}; ${'{'.repeat(2000)}${'}'.repeat(2000)} }`;
    expect(count(deep).counters.exprs.safe).toBeGreaterThan(0);
  });
});
