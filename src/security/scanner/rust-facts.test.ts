import { describe, expect, it } from 'vitest';
import { extractRustFacts } from './rust-facts.js';
import { rustParser } from './rust-parser.js';

const SRC = `
use std::process::{Command, Stdio as S};
use std::env::*;
use reqwest::blocking::Client as C;
#[path = "net/impl.rs"]
mod net;
mod plain;
fn outer() { let x = Command::new("a"); }
impl Foo { fn method(&self) { call(); } }
#[cfg(test)]
mod tests {
    mod helpers;
    #[test] fn t() { let s = "in test"; }
}
#[test]
fn lone_test() { let y = "also test"; }
fn after() { let z = "not test"; }
`;

describe('extractRustFacts', () => {
  it('reads the same syntax from tree-sitter and from tokens', async () => {
    const parser = await rustParser();
    const tree = extractRustFacts(parser, SRC, { syntax: 'tree-sitter' });
    const toks = extractRustFacts(parser, SRC, { syntax: 'tokens' });
    expect(tree.syntax).toBe('tree-sitter');
    expect(toks.syntax).toBe('tokens');
    for (const f of [tree, toks]) {
      expect(f.uses.get('Command')).toBe('std::process::Command');
      expect(f.uses.get('S')).toBe('std::process::Stdio');
      expect(f.uses.get('C')).toBe('reqwest::blocking::Client');
      expect(f.globUses).toEqual(['std::env']);
      expect(f.mods.map((m) => [m.name, m.pathAttr, m.test])).toEqual([
        ['net', 'net/impl.rs', false],
        ['plain', null, false],
        ['helpers', null, true],
      ]);
      expect(f.functions.map((fn) => fn.name)).toEqual(
        expect.arrayContaining(['outer', 'method', 't', 'lone_test', 'after']),
      );
      const str = (v: string) => f.tokens.find((t) => t.kind === 'str' && t.text === v)!;
      expect(str('in test').test).toBe(true);
      expect(str('also test').test).toBe(true);
      expect(str('not test').test).toBe(false);
      // Tokens know their function.
      expect(f.functions[str('a').fn]!.name).toBe('outer');
      expect(f.functions[str('not test').fn]!.name).toBe('after');
    }
  });

  it('picks tree-sitter only for files with a call-level trigger', async () => {
    const parser = await rustParser();
    expect(extractRustFacts(parser, 'fn f() { let v = std::env::var("X"); }').syntax).toBe('tree-sitter');
    expect(extractRustFacts(parser, 'pub const TABLE: [u8; 3] = [1, 2, 3];').syntax).toBe('tokens');
  });

  it('survives hostile nesting in both readings', async () => {
    const parser = await rustParser();
    const blocks = `fn main() { Command::new("x"); ${'{'.repeat(50_000)}${'}'.repeat(50_000)} }`;
    const uses = `use a::${'{b::'.repeat(20_000)}C${'}'.repeat(20_000)}; fn f() {}`;
    for (const syntax of ['tree-sitter', 'tokens'] as const) {
      expect(extractRustFacts(parser, blocks, { syntax }).functions.map((f) => f.name)).toEqual(['main']);
      expect(() => extractRustFacts(parser, uses, { syntax })).not.toThrow();
    }
  });

  it('copes with syntax errors and garbage', async () => {
    const parser = await rustParser();
    const f = extractRustFacts(parser, 'fn ( { Command::new("x" }}} mod ;;', { syntax: 'tree-sitter' });
    expect(f.hasErrors).toBe(true);
    expect(f.tokens.some((t) => t.text === 'x')).toBe(true);
    expect(() => extractRustFacts(parser, '\u0000'.repeat(1000), { syntax: 'tree-sitter' })).not.toThrow();
  });

  it('gives technique-family files the full reading and leaves plain files on the fast path', async () => {
    const parser = await rustParser();
    for (const src of [
      '#[link_section = ".init_array"] static I: extern "C" fn() = boot;',
      'fn f() { unsafe { libc::memfd_create(p, 0); } }',
      'fn k() { unsafe { SetWindowsHookExW(WH_KEYBOARD_LL, cb, 0, 0); } }',
      'fn c() { let _ = arboard::Clipboard::new(); }',
    ])
      expect(extractRustFacts(parser, src).syntax).toBe('tree-sitter');
    expect(extractRustFacts(parser, 'fn add(a: u8, b: u8) -> u8 { a ^ b }').syntax).toBe('tokens');
  });
});
