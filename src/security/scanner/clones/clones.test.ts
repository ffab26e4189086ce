import { describe, expect, it } from 'vitest';
import { rustParser } from '../rust-parser.js';
import { compareSources, isClone } from './compare.js';
import { diffLines, unifiedDiff } from './line-diff.js';
import { splitFunctions } from './rust-functions.js';

const ORIGINAL = `//! A tiny decimal.
pub struct Decimal(i128);

impl Decimal {
    /// Makes one.
    pub fn new(v: i128) -> Self {
        Decimal(v)
    }
    pub fn scale(&self) -> u32 { 0 }
}

impl std::fmt::Display for Decimal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

pub mod ops {
    pub fn add(a: i128, b: i128) -> i128 { a + b }
}

trait Zero { fn zero() -> Self where Self: Sized { unimplemented!() } }

#[cfg(test)]
mod tests {
    #[test]
    fn works() {}
}
`;

describe('clone comparison', () => {
  it('splits a file into qualified functions, leaving tests out', async () => {
    const fns = splitFunctions(await rustParser(), 'src/lib.rs', ORIGINAL);
    expect(fns.map((f) => f.name)).toEqual([
      'Decimal::new',
      'Decimal::scale',
      '<Decimal as Display>::fmt',
      'ops::add',
      'Zero::zero',
    ]);
    const fmt = fns[2]!;
    expect([fmt.line, fmt.endLine]).toEqual([13, 15]);
  });

  it('ignores comments, docs and reformatting, but not a changed body', async () => {
    const parser = await rustParser();
    const reformatted = ORIGINAL.replace(
      '/// Makes one.',
      '/// Makes one, documented at length.\n    // really',
    ).replace('pub fn scale(&self) -> u32 { 0 }', 'pub fn scale(&self)->u32{\n        0 // none\n    }');
    const a = splitFunctions(parser, 'src/lib.rs', ORIGINAL);
    const b = splitFunctions(parser, 'src/lib.rs', reformatted);
    expect(b.map((f) => f.key)).toEqual(a.map((f) => f.key));
    const changed = splitFunctions(parser, 'src/lib.rs', ORIGINAL.replace('Decimal(v)', 'Decimal(v + 1)'));
    expect(changed[0]!.key).not.toBe(a[0]!.key);
  });

  it('matches identical, changed, added and removed functions, across moved files', async () => {
    const parser = await rustParser();
    const original = {
      files: [{ path: 'src/lib.rs', text: ORIGINAL }],
      functions: splitFunctions(parser, 'src/lib.rs', ORIGINAL),
    };
    const copy = ORIGINAL.replace('Decimal(v)', 'beacon(); Decimal(v)').replace(
      'pub mod ops {\n    pub fn add(a: i128, b: i128) -> i128 { a + b }\n}',
      'fn beacon() {}',
    );
    const clone = {
      files: [{ path: 'src/decimal.rs', text: copy }],
      functions: splitFunctions(parser, 'src/decimal.rs', copy),
    };
    const c = compareSources(original, clone);
    expect(c.identical.map((f) => f.name)).toEqual([
      'Decimal::scale',
      '<Decimal as Display>::fmt',
      'Zero::zero',
    ]);
    expect(c.changed.map((x) => [x.original.name, x.clone.path])).toEqual([
      ['Decimal::new', 'src/decimal.rs'],
    ]);
    expect(c.added.map((f) => f.name)).toEqual(['beacon']);
    expect(c.removed.map((f) => f.name)).toEqual(['ops::add']);
    expect(c.identicalFiles).toBe(0);
    expect(isClone(c)).toBe(true);

    // An unrelated crate with a `new` of its own is no clone.
    const other = 'pub struct Decimal; impl Decimal { pub fn new() -> Self { Decimal } }';
    const unrelated = compareSources(original, {
      files: [{ path: 'src/lib.rs', text: other }],
      functions: splitFunctions(parser, 'src/lib.rs', other),
    });
    expect(isClone(unrelated)).toBe(false);
  });

  it('diffs lines (Myers) and renders a bounded unified diff with source line numbers', () => {
    const ops = diffLines(['a', 'b', 'c', 'd'], ['a', 'x', 'c', 'd', 'e'])!;
    expect(ops.map((o) => o.kind)).toEqual(['same', 'del', 'add', 'same', 'same', 'add']);
    expect(diffLines([], [])).toEqual([]);
    expect(diffLines(['a', 'b'], ['c', 'd'], 1)).toBeNull();
    const num = (xs: string[], from: number) => xs.map((text, i) => ({ line: from + i, text }));
    const d = unifiedDiff(
      num(['fn new() {', 'let a = 1;', 'let b = 2;', 'let c = 3;', 'let d = 4;', 'x(a)', '}'], 10),
      num(
        ['fn new() {', 'let a = 1;', 'let b = 2;', 'let c = 3;', 'let d = 4;', 'send(a);', 'x(a)', '}'],
        20,
      ),
      { context: 1 },
    );
    expect(d).toBe('@@ -14,2 +24,3 @@\n let d = 4;\n+send(a);\n x(a)');
    const long = unifiedDiff(
      num(['a'], 1),
      num(
        Array.from({ length: 50 }, (_, i) => `l${i}`),
        1,
      ),
      { maxLines: 5 },
    );
    expect(long!.split('\n')).toHaveLength(6);
    expect(long).toMatch(/… 47 more diff lines$/);
  });
});
