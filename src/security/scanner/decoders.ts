// Static decoding of obfuscated literals: base64, hex, byte and char arrays, single-byte, short
// repeating-key and rolling XOR, RC4 with a key written in the file, char arithmetic (a constant added to every byte), reversed strings and
// fragments joined by arrays, `concat!`, `+` or `format!`. Rules then match the decoded text like
// any other literal, so hiding a URL does not hide it from the scanner.
import { gunzipSync, inflateSync } from 'node:zlib';
import { executableFormat } from './file-kind.js';
import type { ExecutableFormat } from './file-kind.js';
import type { Token } from './rust-facts.js';

export type DecodeMethod =
  | 'base64'
  | 'hex'
  | 'bytes'
  | 'xor'
  | 'xor-rolling'
  | 'rc4'
  | 'shift'
  | 'rot13'
  | 'inflate'
  | 'reverse'
  | 'concat'
  | 'format';

export interface DecodedString {
  value: string;
  /** How it was obtained, outermost last, e.g. ['concat', 'base64']. */
  how: DecodeMethod[];
  line: number;
  /** Index of the first token it came from. */
  tok: number;
  /** What was decoded (shortened), for evidence. */
  from: string;
  /** The decoded bytes are a native executable (value is then a description). */
  executable?: ExecutableFormat;
  /** Written out as plain bytes rather than encoded: embedded, not hidden. */
  plain?: boolean;
}

export interface DecodeOptions {
  /** Brute-forced XOR/shift results are kept only if this says they mean something. */
  meaningful: (s: string) => boolean;
}

const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$|^[A-Za-z0-9_-]+={0,2}$/;
const HEX_RE = /^(?:[0-9a-fA-F]{2}){4,}$/;
const MAX_BRUTE_ARRAYS = 200;
const MAX_BRUTE_LEN = 256;
const MAX_CANDIDATES = 5000;

function printable(bytes: ArrayLike<number>, minLen = 4): boolean {
  if (bytes.length < minLen) return false;
  let alnum = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 9 || b === 10 || b === 13) continue;
    if (b < 0x20 || b > 0x7e) return false;
    if ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)) alnum++;
  }
  return alnum * 3 >= bytes.length;
}

/** Digits, dots and colons only: an IP address or `ip:port` has no letters but is worth decoding. */
function numericAddress(bytes: ArrayLike<number>): boolean {
  if (bytes.length < 7) return false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (!((b >= 0x30 && b <= 0x39) || b === 0x2e || b === 0x3a)) return false;
  }
  return true;
}

function bytesToString(bytes: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

export function decodeBase64(s: string): Buffer | null {
  if (s.length < 8 || !BASE64_RE.test(s)) return null;
  // Plain words and identifiers also fit the alphabet; real base64 of text mixes cases and digits.
  if (!/[A-Z]/.test(s) || !/[a-z]/.test(s)) return null;
  const stripped = s.replace(/=+$/, '');
  if (stripped.length % 4 === 1) return null;
  const buf = Buffer.from(
    s.includes('-') || s.includes('_') ? s : stripped,
    s.includes('-') || s.includes('_') ? 'base64url' : 'base64',
  );
  return buf.length >= 4 ? buf : null;
}

export function decodeHex(s: string): Buffer | null {
  if (!HEX_RE.test(s)) return null;
  return Buffer.from(s, 'hex');
}

/** Byte arrays written as `[0x68, 0x74, …]`, `[b'h', …]` or `['h', …]` in the token stream. */
export function byteArrays(tokens: Token[]): { values: number[]; line: number; tok: number }[] {
  const out: { values: number[]; line: number; tok: number }[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i]!.text !== '[' || tokens[i]!.kind !== 'punct') continue;
    const values: number[] = [];
    let j = i + 1;
    let ok = true;
    for (; j < tokens.length; j++) {
      const t = tokens[j]!;
      if ((t.kind === 'int' || t.kind === 'char') && t.num !== undefined) {
        if (t.num > 255) {
          ok = false;
          break;
        }
        values.push(t.num);
        const next = tokens[j + 1];
        if (next?.text === ',') j++;
        else if (next?.text !== ']') {
          ok = false;
          break;
        }
      } else break;
    }
    if (ok && tokens[j]?.text === ']' && values.length >= 4) {
      out.push({ values, line: tokens[i]!.line, tok: i });
      i = j;
    }
  }
  return out;
}

/** Named string constants and arrays of strings: `const A: &str = "…"`, `static B: [&str; 2] = […]`. */
export function stringConstants(tokens: Token[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i + 3 < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'kw' || (t.text !== 'const' && t.text !== 'static' && t.text !== 'let')) continue;
    let j = i + 1;
    if (tokens[j]?.text === 'mut') j++;
    const name = tokens[j];
    if (!name || name.kind !== 'id') continue;
    // Skip the type annotation (which may hold `;`, as in `[&str; 6]`) up to `=`.
    let k = j + 1;
    let depth = 0;
    while (k < tokens.length && k < j + 24 && tokens[k]!.text !== '=') {
      const x = tokens[k]!.text;
      if (x === '[' || x === '(' || x === '<') depth++;
      else if (x === ']' || x === ')' || x === '>') depth--;
      else if (x === ';' && depth <= 0) break;
      k++;
    }
    if (tokens[k]?.text !== '=') continue;
    k++;
    if (tokens[k]?.text === '&') k++;
    const v = tokens[k];
    if (v?.kind === 'str' && tokens[k + 1]?.text === ';') {
      out.set(name.text, [v.text]);
    } else if (v?.text === '[') {
      const values: string[] = [];
      let m = k + 1;
      while (m < tokens.length && tokens[m]!.kind === 'str') {
        values.push(tokens[m]!.text);
        m++;
        if (tokens[m]?.text === ',') m++;
      }
      if (tokens[m]?.text === ']' && values.length > 0) out.set(name.text, values);
    }
  }
  return out;
}

/**
 * Everything the file's literals decode to. The brute-force decoders (XOR, shifts, reversal) run
 * only when the operators that would undo them appear in the file at all.
 */
export function decodeLiterals(tokens: Token[], opts: DecodeOptions): DecodedString[] {
  const out: DecodedString[] = [];
  const seen = new Set<string>();
  let hasXor = false;
  let hasArith = false;
  let hasRev = false;
  let hasCharCast = false;
  let hasRot13 = false;
  let hasRot13Const = false;
  let hasPercent = false;
  // RC4's key schedule: a 256-entry state and swaps.
  let has256 = false;
  let hasSwap = false;
  // A key that moves with the position: an index in the loop, or the previous byte.
  let hasRolling = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.text === 'char' && (tokens[i - 1]?.text === 'as' || tokens[i + 1]?.text === '::'))
      hasCharCast = true;
    if (t.kind === 'punct') {
      if (t.text === '%') hasPercent = true;
      if (t.text === '^' || t.text === '^=') hasXor = true;
      else if (t.text === '+' || t.text === '-' || t.text === 'wrapping_add') hasArith = true;
    } else if (t.kind === 'id' && (t.text === 'rev' || t.text === 'reverse')) hasRev = true;
    else if (t.kind === 'id' && (t.text === 'wrapping_sub' || t.text === 'wrapping_add')) hasArith = true;
    else if (t.kind === 'int' && (t.num === 13 || t.num === 26)) hasRot13Const = true;
    else if (t.kind === 'int' && t.num === 256) has256 = true;
    else if (t.kind === 'id' && t.text === 'swap') hasSwap = true;
    else if (t.kind === 'id' && /^(enumerate|wrapping_add|prev|last|windows)$/.test(t.text))
      hasRolling = true;
    else if (t.kind === 'id' && /^rot_?13$/i.test(t.text)) hasRot13 = true;
  }
  hasRot13 ||= hasRot13Const && hasPercent;
  const add = (value: string, how: DecodeMethod[], line: number, tok: number, from: string): void => {
    if (out.length >= MAX_CANDIDATES || value.length < 4) return;
    const key = `${how.join('+')}\u0000${value}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ value, how, line, tok, from: from.length > 60 ? `${from.slice(0, 59)}…` : from });
  };

  const consts = stringConstants(tokens);
  // Texts to try the text decoders on: each literal, and joined runs of fragments.
  const texts: { value: string; how: DecodeMethod[]; line: number; tok: number }[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'str' || t.test) continue;
    texts.push({ value: t.text, how: [], line: t.line, tok: i });
  }
  for (const run of fragmentRuns(tokens, consts)) {
    add(run.value, ['concat'], run.line, run.tok, run.parts.join(' + '));
    texts.push({ value: run.value, how: ['concat'], line: run.line, tok: run.tok });
  }
  for (const f of formatStrings(tokens, consts)) {
    add(f.value, ['format'], f.line, f.tok, f.template);
  }

  type Binary = { bytes: ArrayLike<number>; how: DecodeMethod[]; line: number; tok: number; from: string };
  const binaries: Binary[] = [];
  // Decoded data that starts like gzip/zlib, whatever its length.
  const compressed: Binary[] = [];
  const keepCompressed = (b: Binary) => {
    if (b.bytes.length >= 18 && (b.bytes[0] === 0x1f || b.bytes[0] === 0x78) && compressed.length < 16)
      compressed.push(b);
  };
  for (const t of texts) {
    const v = t.value;
    if (v.length >= 8 && v.length <= 65536) {
      const b64 = decodeBase64(v);
      const hexBytes = b64 ? null : decodeHex(v);
      // An executable hidden in a literal is worth a finding whatever else it decodes to.
      const bin = b64 ?? hexBytes;
      const fmt = bin && bin.length >= 64 ? executableFormat(bin) : null;
      if (fmt && out.length < MAX_CANDIDATES) {
        out.push({
          value: `${fmt} executable, ${bin!.length} bytes`,
          how: [...t.how, b64 ? 'base64' : 'hex'],
          line: t.line,
          tok: t.tok,
          from: `${v.slice(0, 40)}…`,
          executable: fmt,
        });
      }
      if (b64) {
        const wide = utf16(b64);
        if (printable(b64)) add(bytesToString(b64), [...t.how, 'base64'], t.line, t.tok, v);
        else if (wide !== null) add(wide, [...t.how, 'base64'], t.line, t.tok, v);
        else {
          const b: Binary = { bytes: b64, how: [...t.how, 'base64'], line: t.line, tok: t.tok, from: v };
          keepCompressed(b);
          if (b64.length <= MAX_BRUTE_LEN) binaries.push(b);
        }
      }
      const hex = decodeHex(v);
      if (hex) {
        if (printable(hex)) add(bytesToString(hex), [...t.how, 'hex'], t.line, t.tok, v);
        else {
          const b: Binary = { bytes: hex, how: [...t.how, 'hex'], line: t.line, tok: t.tok, from: v };
          keepCompressed(b);
          if (hex.length <= MAX_BRUTE_LEN) binaries.push(b);
        }
      }
    }
    // Reversal only counts when it turns meaningless text into meaningful text.
    if (hasRev && v.length >= 6 && v.length <= 512 && !/^[\d.:]+$/.test(v) && !opts.meaningful(v)) {
      const r = [...v].reverse().join('');
      if (opts.meaningful(r)) add(r, [...t.how, 'reverse'], t.line, t.tok, v);
    }
  }
  for (const arr of byteArrays(tokens)) {
    if (tokens[arr.tok]?.test) continue;
    const from = `[${arr.values.slice(0, 8).join(', ')}${arr.values.length > 8 ? ', …' : ''}]`;
    const fmt = arr.values.length >= 64 ? executableFormat(Uint8Array.from(arr.values)) : null;
    if (fmt && out.length < MAX_CANDIDATES) {
      out.push({
        value: `${fmt} executable, ${arr.values.length}+ bytes`,
        how: ['bytes'],
        line: arr.line,
        tok: arr.tok,
        from,
        executable: fmt,
        plain: true,
      });
      continue;
    }
    if (printable(arr.values)) {
      const s = bytesToString(arr.values);
      add(s, ['bytes'], arr.line, arr.tok, from);
      if (hasRev && opts.meaningful([...s].reverse().join('')))
        add([...s].reverse().join(''), ['bytes', 'reverse'], arr.line, arr.tok, from);
    } else {
      const b: Binary = { bytes: arr.values, how: ['bytes'], line: arr.line, tok: arr.tok, from };
      keepCompressed(b);
      if (arr.values.length <= MAX_BRUTE_LEN) binaries.push(b);
    }
  }
  // Byte strings (`b"\x1e\x16…"`) are byte arrays too.
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'str' && t.bytes && !t.test && t.text.length >= 4 && t.text.length <= MAX_BRUTE_LEN) {
      const bytes = Array.from(t.text, (c) => c.charCodeAt(0) & 0xff);
      if (!printable(bytes)) binaries.push({ bytes, how: ['bytes'], line: t.line, tok: i, from: t.text });
    }
  }

  // Compressed payloads: gzip/zlib inside base64, hex or byte arrays.
  for (const bin of compressed) {
    const inflated = inflate(bin.bytes);
    if (!inflated) continue;
    const fmt = executableFormat(inflated);
    if (fmt)
      out.push({
        value: `${fmt} executable, ${inflated.length} bytes`,
        how: [...bin.how, 'inflate'],
        line: bin.line,
        tok: bin.tok,
        from: bin.from,
        executable: fmt,
      });
    else if (printable(inflated) && opts.meaningful(bytesToString(inflated)))
      add(bytesToString(inflated), [...bin.how, 'inflate'], bin.line, bin.tok, bin.from);
  }

  if (hasXor || hasArith) {
    const keys = hasXor ? repeatingKeys(tokens) : [];
    for (const bin of binaries.slice(0, MAX_BRUTE_ARRAYS)) {
      if (bin.bytes.length < 4) continue;
      if (hasXor) {
        for (let k = 1; k < 256; k++) {
          const s = transform(bin.bytes, (b) => b ^ k);
          if (s !== null && opts.meaningful(s)) add(s, [...bin.how, 'xor'], bin.line, bin.tok, bin.from);
        }
        for (const key of keys) {
          const s = transform(bin.bytes, (b, i) => b ^ key[i % key.length]!);
          if (s !== null && opts.meaningful(s)) add(s, [...bin.how, 'xor'], bin.line, bin.tok, bin.from);
        }
        // Rolling keys: the key grows with the index, or each byte is keyed by the one before.
        for (let k = 0; hasRolling && k < 256; k++) {
          const r = transform(bin.bytes, (b, i) => b ^ ((k + i) & 0xff));
          if (r !== null && opts.meaningful(r))
            add(r, [...bin.how, 'xor-rolling'], bin.line, bin.tok, bin.from);
          const c = transform(bin.bytes, (b, i) => b ^ (i === 0 ? k : bin.bytes[i - 1]!));
          if (c !== null && opts.meaningful(c))
            add(c, [...bin.how, 'xor-rolling'], bin.line, bin.tok, bin.from);
        }
        if (has256 && hasSwap) {
          for (const key of keys) {
            const r = rc4(key, bin.bytes);
            const s = printable(r) ? bytesToString(r) : null;
            if (s !== null && opts.meaningful(s)) add(s, [...bin.how, 'rc4'], bin.line, bin.tok, bin.from);
          }
        }
      }
      if (hasArith) {
        for (let k = -64; k <= 64; k++) {
          if (k === 0) continue;
          const s = transform(bin.bytes, (b) => (b + k) & 0xff);
          if (s !== null && opts.meaningful(s)) add(s, [...bin.how, 'shift'], bin.line, bin.tok, bin.from);
        }
      }
    }
    if (hasRot13) {
      for (const t of texts) {
        if (t.value.length < 8 || t.value.length > 512 || t.how.length > 0 || opts.meaningful(t.value))
          continue;
        const r = rot13(t.value);
        if (opts.meaningful(r)) add(r, ['rot13'], t.line, t.tok, t.value);
      }
    }
    if (hasArith && hasCharCast) {
      // Char arithmetic over a printable-looking literal (a Caesar shift of a URL is still printable).
      for (const t of texts) {
        if (t.value.length < 8 || t.value.length > 256 || t.how.length > 0) continue;
        if (opts.meaningful(t.value)) continue;
        const codes = Array.from(t.value, (c) => c.charCodeAt(0));
        if (codes.some((c) => c > 255)) continue;
        for (const k of [-3, -2, -1, 1, 2, 3, -13, 13]) {
          const s = transform(codes, (b) => (b + k) & 0xff);
          if (s !== null && opts.meaningful(s)) add(s, ['shift'], t.line, t.tok, t.value);
        }
      }
    }
  }
  return out;
}

/** UTF-16LE text (PowerShell's -EncodedCommand), if the bytes are that and printable. */
function utf16(bytes: Buffer): string | null {
  if (bytes.length < 8 || bytes.length % 2 !== 0) return null;
  for (let i = 1; i < bytes.length; i += 2) if (bytes[i] !== 0) return null;
  const s = bytes.toString('utf16le');
  return printable(Array.from(s, (c) => c.charCodeAt(0))) ? s : null;
}

export function rot13(s: string): string {
  return s.replace(/[a-zA-Z]/g, (c) => {
    const base = c <= 'Z' ? 65 : 97;
    return String.fromCharCode(((c.charCodeAt(0) - base + 13) % 26) + base);
  });
}

/** gzip or zlib data inflated within a bound; null if it is neither. */
function inflate(bytes: ArrayLike<number>): Buffer | null {
  const b0 = bytes[0];
  const b1 = bytes[1];
  const gz = b0 === 0x1f && b1 === 0x8b;
  const zl = b0 === 0x78 && (b1 === 0x01 || b1 === 0x5e || b1 === 0x9c || b1 === 0xda);
  if (!gz && !zl) return null;
  try {
    const input = Buffer.from(bytes as ArrayLike<number> as Uint8Array);
    return gz
      ? gunzipSync(input, { maxOutputLength: 1 << 20 })
      : inflateSync(input, { maxOutputLength: 1 << 20 });
  } catch {
    return null;
  }
}

/** Applies a byte map; returns null as soon as a byte is not printable. */
// Brute force tries hundreds of keys per array and most fail on the first bytes: one scratch
// buffer instead of an allocation per try.
let scratch = new Uint8Array(MAX_BRUTE_LEN);

function transform(bytes: ArrayLike<number>, f: (b: number, i: number) => number): string | null {
  if (scratch.length < bytes.length) scratch = new Uint8Array(bytes.length);
  const out = scratch;
  let letters = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = f(bytes[i]!, i);
    if (b < 0x20 || b > 0x7e) {
      if (b !== 10 && b !== 13 && b !== 9) return null;
    }
    if ((b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)) letters++;
    out[i] = b;
  }
  const view = out.subarray(0, bytes.length);
  return letters * 4 >= bytes.length || numericAddress(view) ? bytesToString(view) : null;
}

/** RC4 (KSA then PRGA) of `data` under `key`. */
export function rc4(key: ArrayLike<number>, data: ArrayLike<number>): Uint8Array {
  const S = new Uint8Array(256);
  for (let i = 0; i < 256; i++) S[i] = i;
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + S[i]! + key[i % key.length]!) & 0xff;
    [S[i], S[j]] = [S[j]!, S[i]!];
  }
  const out = new Uint8Array(data.length);
  for (let n = 0, i = 0, j = 0; n < data.length; n++) {
    i = (i + 1) & 0xff;
    j = (j + S[i]!) & 0xff;
    [S[i], S[j]] = [S[j]!, S[i]!];
    out[n] = data[n]! ^ S[(S[i]! + S[j]!) & 0xff]!;
  }
  return out;
}

/** Short literals that could be XOR or RC4 keys (2–32 bytes). */
function repeatingKeys(tokens: Token[]): number[][] {
  const keys: number[][] = [];
  for (const t of tokens) {
    if (keys.length >= 24) break;
    if (t.kind === 'str' && t.text.length >= 2 && t.text.length <= 32) {
      keys.push(Array.from(t.text, (c) => c.charCodeAt(0) & 0xff));
    }
  }
  for (const arr of byteArrays(tokens)) {
    if (keys.length >= 32) break;
    if (arr.values.length >= 2 && arr.values.length <= 32) keys.push(arr.values);
  }
  return keys;
}

/**
 * Runs of string fragments: `["aHR0", "cHM6"]`, `concat!("a", "b")`, `"a".to_owned() + "b"` and the
 * same with named string constants. Each run of two or more yields its concatenation.
 */
export function fragmentRuns(
  tokens: Token[],
  consts: Map<string, string[]>,
): { value: string; parts: string[]; line: number; tok: number }[] {
  const out: { value: string; parts: string[]; line: number; tok: number }[] = [];
  const valueAt = (i: number): string | null => {
    const t = tokens[i]!;
    if (t.kind === 'str') return t.text;
    if (t.kind === 'id') {
      const c = consts.get(t.text);
      if (c && c.length === 1) return c[0]!;
    }
    return null;
  };
  // A named array of fragments joined at runtime (`P.concat()`, `P.join("")`).
  for (const [name, values] of consts) {
    if (values.length >= 2) {
      const first = tokens.findIndex((t) => t.kind === 'id' && t.text === name);
      out.push({
        value: values.join(''),
        parts: values.slice(0, 6),
        line: tokens[first]?.line ?? 0,
        tok: Math.max(first, 0),
      });
    }
  }
  for (let i = 0; i < tokens.length; i++) {
    const v0 = valueAt(i);
    if (v0 === null || tokens[i]!.test) continue;
    const parts = [v0];
    let j = i;
    while (j + 1 < tokens.length) {
      let sep = j + 1;
      // Tolerate `.to_string()`, `.to_owned()` and `&` around fragments joined with `+`.
      if (
        tokens[sep]?.text === '.' &&
        /^(to_string|to_owned|into|as_str)$/.test(tokens[sep + 1]?.text ?? '')
      ) {
        sep += 4;
      }
      const op = tokens[sep]?.text;
      if (op !== ',' && op !== '+') break;
      let k = sep + 1;
      if (tokens[k]?.text === '&') k++;
      const v = k < tokens.length ? valueAt(k) : null;
      if (v === null) break;
      parts.push(v);
      j = k;
    }
    if (parts.length >= 2 && parts.length <= 256) {
      const value = parts.join('');
      if (value.length >= 6 && value.length <= 65536)
        out.push({ value, parts: parts.slice(0, 6), line: tokens[i]!.line, tok: i });
    }
    i = j;
  }
  return out;
}

const FORMAT_MACROS = new Set(['format', 'concat', 'write', 'writeln', 'print', 'println']);

/** `format!`-style templates with their literal or constant arguments filled in. */
export function formatStrings(
  tokens: Token[],
  consts: Map<string, string[]>,
): { value: string; template: string; line: number; tok: number }[] {
  const out: { value: string; template: string; line: number; tok: number }[] = [];
  for (let i = 0; i + 3 < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'id' || tokens[i + 1]!.text !== '!' || !FORMAT_MACROS.has(t.text)) continue;
    let k = i + 3;
    if (t.text === 'write' || t.text === 'writeln') {
      while (k < tokens.length && tokens[k]!.text !== ',' && k < i + 12) k++;
      k++;
    }
    const tmpl = tokens[k];
    if (!tmpl || tmpl.kind !== 'str' || !tmpl.text.includes('{')) continue;
    // Positional arguments that are literals or constants.
    const args: (string | null)[] = [];
    let m = k + 1;
    while (tokens[m]?.text === ',' && args.length < 16) {
      m++;
      const a = tokens[m];
      if (!a) break;
      const c = a.kind === 'id' ? consts.get(a.text) : undefined;
      const next = tokens[m + 1]?.text;
      const simple = next === ',' || next === ')';
      args.push(a.kind === 'str' && simple ? a.text : c && c.length === 1 && simple ? c[0]! : null);
      while (m < tokens.length && tokens[m]!.text !== ',' && tokens[m]!.text !== ')') m++;
    }
    let pos = 0;
    let changed = false;
    const value = tmpl.text.replace(
      /\{([A-Za-z_][A-Za-z0-9_]*)?(?::[^}]*)?\}/g,
      (whole, name: string | undefined) => {
        if (name) {
          const c = consts.get(name);
          if (c && c.length === 1) {
            changed = true;
            return c[0]!;
          }
          return whole;
        }
        const a = args[pos++];
        if (a !== null && a !== undefined) {
          changed = true;
          return a;
        }
        return whole;
      },
    );
    if (changed) out.push({ value, template: tmpl.text, line: tmpl.line, tok: k });
  }
  return out;
}
