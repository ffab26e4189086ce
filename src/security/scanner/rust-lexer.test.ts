import { describe, expect, it } from 'vitest';
import { lexRust } from './rust-lexer.js';

const kinds = (src: string) => lexRust(src).tokens.map((t) => `${t.kind}:${t.text}`);

describe('lexRust', () => {
  it('splits identifiers, keywords, punctuation and paths', () => {
    expect(kinds('let x = std::process::Command::new("sh");')).toEqual([
      'kw:let',
      'id:x',
      'punct:=',
      'id:std',
      'punct:::',
      'id:process',
      'punct:::',
      'id:Command',
      'punct:::',
      'id:new',
      'punct:(',
      'str:sh',
      'punct:)',
      'punct:;',
    ]);
  });

  it('reads string escapes, raw strings, byte strings and raw identifiers', () => {
    const t = lexRust('"a\\x41\\u{1F600}\\n" r#"x"y"# br"\\x" b"\\x7fELF" r#match c"z"').tokens;
    expect(t.map((x) => x.text)).toEqual(['aA\u{1F600}\n', 'x"y', '\\x', '\x7fELF', 'match', 'z']);
    expect(t[0]!.kind).toBe('str');
    expect(t[3]!.bytes).toBe(true);
    expect(t[4]!.kind).toBe('id');
  });

  it('tells chars from lifetimes and labels', () => {
    const t = lexRust(
      "fn f<'a>(x: &'a str) -> char { 'outer: loop { break 'outer; } ; 'x' ; '\\'' ; b'\\x7f' }",
    ).tokens;
    const chars = t.filter((x) => x.kind === 'char');
    expect(chars.map((c) => c.num)).toEqual([0x78, 0x27, 0x7f]);
    // Lifetimes and labels leave no token behind.
    expect(t.some((x) => x.text === 'a' || x.text === 'outer')).toBe(false);
  });

  it('skips nested block comments and line comments, counting lines', () => {
    const t = lexRust('/* a /* nested */ "not a string" */\n// "nor this"\nlet s = "yes";').tokens;
    expect(t.filter((x) => x.kind === 'str').map((x) => x.text)).toEqual(['yes']);
    expect(t[0]!.line).toBe(3);
  });

  it('reads integers with bases, suffixes and underscores, and floats', () => {
    const t = lexRust('0x2f 0o17 0b101 1_000u32 007 1.5 2e10 3f32 1..2 x.0').tokens;
    expect(t.filter((x) => x.kind === 'int').map((x) => x.num)).toEqual([0x2f, 15, 5, 1000, 7, 1, 2, 0]);
    expect(t.filter((x) => x.kind === 'float').map((x) => x.text)).toEqual(['1.5', '2e10', '3f32']);
  });

  it('keeps multi-character operators whole', () => {
    expect(kinds('a ^= b >> 2 ..= c => d :: e')).toContain('punct:^=');
    expect(kinds('a ^= b >> 2 ..= c => d :: e')).toEqual([
      'id:a',
      'punct:^=',
      'id:b',
      'punct:>>',
      'int:2',
      'punct:..=',
      'id:c',
      'punct:=>',
      'id:d',
      'punct:::',
      'id:e',
    ]);
  });

  it('keeps only the start of very long integer tables', () => {
    const t = lexRust(
      `static T: [u8; 10000] = [${Array.from({ length: 10_000 }, (_, i) => `0x${(i & 0xff).toString(16)}`).join(', ')}];`,
    ).tokens;
    const ints = t.filter((x) => x.kind === 'int');
    expect(ints.length).toBeLessThan(4200);
    expect(ints.length).toBeGreaterThanOrEqual(4096);
    // ints[0] is the 10000 of the type; the table follows.
    expect(ints[256]!.num).toBe(255);
    expect(t[t.length - 1]!.text).toBe(';');
  });

  it('survives truncated and hostile input', () => {
    expect(() => lexRust('"unterminated')).not.toThrow();
    expect(lexRust('"unterminated').tokens[0]!.text).toBe('unterminated');
    expect(() => lexRust('r###"never closed')).not.toThrow();
    expect(() => lexRust('/* never closed /* nested')).not.toThrow();
    expect(() => lexRust("'")).not.toThrow();
    expect(() => lexRust('\u0000\uffff\ud800 0x')).not.toThrow();
    const big = lexRust('a '.repeat(10_000), 100);
    expect(big.truncated).toBe(true);
    expect(big.tokens).toHaveLength(100);
  });
});
