// Turns the source text of a Rust literal token into its value: string and byte-string escapes,
// raw strings, chars and integers with suffixes and underscores.

/** Value of a string literal token (`"…"`, `b"…"`, `c"…"`, `r#"…"#`, `br"…"`); null if not one. */
export function stringLiteralValue(text: string): { value: string; bytes: boolean; raw: boolean } | null {
  let i = 0;
  let bytes = false;
  if (text[i] === 'b' || text[i] === 'c') {
    bytes = text[i] === 'b';
    i++;
  }
  if (text[i] === 'r') {
    i++;
    let hashes = 0;
    while (text[i] === '#') {
      hashes++;
      i++;
    }
    if (text[i] !== '"') return null;
    const end = text.length - 1 - hashes;
    if (end < i + 1 || text[end] !== '"') return null;
    return { value: text.slice(i + 1, end), bytes, raw: true };
  }
  if (text[i] !== '"' || text[text.length - 1] !== '"' || text.length < i + 2) return null;
  return { value: unescape(text.slice(i + 1, -1)), bytes, raw: false };
}

/** Resolves Rust escape sequences; malformed escapes are kept as written. */
export function unescape(body: string): string {
  if (!body.includes('\\')) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\' || i + 1 >= body.length) {
      out += ch;
      continue;
    }
    const next = body[i + 1]!;
    switch (next) {
      case 'n':
        out += '\n';
        i++;
        break;
      case 'r':
        out += '\r';
        i++;
        break;
      case 't':
        out += '\t';
        i++;
        break;
      case '0':
        out += '\0';
        i++;
        break;
      case '\\':
      case '"':
      case "'":
        out += next;
        i++;
        break;
      case 'x': {
        const hex = body.slice(i + 2, i + 4);
        if (/^[0-9a-fA-F]{2}$/.test(hex)) {
          out += String.fromCharCode(parseInt(hex, 16));
          i += 3;
        } else out += ch;
        break;
      }
      case 'u': {
        const m = /^\{([0-9a-fA-F_]{1,8})\}/.exec(body.slice(i + 2, i + 14));
        const cp = m ? parseInt(m[1]!.replaceAll('_', ''), 16) : NaN;
        if (m && cp <= 0x10ffff) {
          out += String.fromCodePoint(cp);
          i += 1 + m[0].length;
        } else out += ch;
        break;
      }
      case '\n':
      case '\r': {
        // Line continuation: the newline and the next line's leading whitespace vanish.
        i++;
        while (i + 1 < body.length && /\s/.test(body[i + 1]!)) i++;
        break;
      }
      default:
        out += ch;
    }
  }
  return out;
}

/** Value of a char or byte literal (`'a'`, `b'\x7f'`); null if malformed. */
export function charLiteralValue(text: string): number | null {
  const body = text.startsWith('b') ? text.slice(2, -1) : text.slice(1, -1);
  if (!text.endsWith("'") || body.length === 0) return null;
  const v = unescape(body);
  const cp = v.codePointAt(0);
  return cp === undefined || v.length > (cp > 0xffff ? 2 : 1) ? null : cp;
}

/** Value of an integer literal (`0x2f`, `1_000u32`, `0b1010`, `0o17`); null if not a safe integer. */
export function integerLiteralValue(text: string): number | null {
  // Fast path: plain decimal digits, by far the most common literal.
  let plain = 0;
  let k = 0;
  for (; k < text.length && k < 15; k++) {
    const c = text.charCodeAt(k);
    if (c < 48 || c > 57) break;
    plain = plain * 10 + (c - 48);
  }
  if (k === text.length && k > 0 && !(k > 1 && text.charCodeAt(0) === 48)) return plain;
  // Fast path: plain hex (`0x1f`), the usual spelling of byte tables.
  if (
    text.length > 2 &&
    text.length <= 15 &&
    text.charCodeAt(0) === 48 &&
    (text.charCodeAt(1) === 120 || text.charCodeAt(1) === 88)
  ) {
    let v = 0;
    let m = 2;
    for (; m < text.length; m++) {
      const c = text.charCodeAt(m);
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
      if (d < 0) break;
      v = v * 16 + d;
    }
    if (m === text.length) return v;
  }
  const t = text.replaceAll('_', '').toLowerCase();
  let m: RegExpExecArray | null;
  let v: number;
  if ((m = /^0x([0-9a-f]+)(?:[iu](?:8|16|32|64|128|size))?$/.exec(t))) v = parseInt(m[1]!, 16);
  else if ((m = /^0o([0-7]+)(?:[iu](?:8|16|32|64|128|size))?$/.exec(t))) v = parseInt(m[1]!, 8);
  else if ((m = /^0b([01]+)(?:[iu](?:8|16|32|64|128|size))?$/.exec(t))) v = parseInt(m[1]!, 2);
  else if ((m = /^([0-9]+)(?:[iu](?:8|16|32|64|128|size))?$/.exec(t))) v = parseInt(m[1]!, 10);
  else return null;
  return Number.isSafeInteger(v) ? v : null;
}
