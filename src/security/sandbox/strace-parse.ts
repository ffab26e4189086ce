// Reads the output of `strace -f -qq -x -y` into syscall events. Pure: text in, events out.
// With -f, a call interrupted by another process's call is split into `<unfinished ...>` and
// `<... name resumed>` lines; they are joined back per pid before parsing.

export interface SyscallLine {
  pid: number;
  name: string;
  /** Raw top-level arguments, as strace printed them. */
  args: string[];
  /** What follows ` = ` (e.g. `3</etc/passwd>`, `-1 ENOENT (No such file or directory)`). */
  ret: string;
  /** The whole (joined) line, for evidence. */
  text: string;
}

const LINE = /^(\d+)\s+(.*)$/;
const UNFINISHED = ' <unfinished ...>';
const RESUMED = /^<\.\.\. ([a-z0-9_]+) resumed>(.*)$/;

/** Joins split calls and parses every syscall line; other lines (signals, exits) are dropped. */
export function* parseStrace(lines: Iterable<string>): Generator<SyscallLine> {
  const pending = new Map<number, string>();
  for (const raw of lines) {
    const m = LINE.exec(raw);
    if (!m) continue;
    const pid = Number(m[1]);
    let body = m[2]!;
    if (body.endsWith(UNFINISHED)) {
      pending.set(pid, body.slice(0, -UNFINISHED.length));
      continue;
    }
    const resumed = RESUMED.exec(body);
    if (resumed) {
      const start = pending.get(pid);
      pending.delete(pid);
      if (start === undefined) continue;
      body = start + resumed[2]!;
    }
    const call = parseCall(pid, body);
    if (call) yield call;
  }
}

function parseCall(pid: number, body: string): SyscallLine | null {
  const open = body.indexOf('(');
  if (open <= 0) return null;
  const name = body.slice(0, open);
  if (!/^[a-z0-9_]+$/.test(name)) return null;
  const { args, end } = splitArgs(body, open + 1);
  const rest = body.slice(end + 1);
  const eq = rest.indexOf(' = ');
  const ret = eq === -1 ? '?' : rest.slice(eq + 3).trim();
  return { pid, name, args, ret, text: `${pid} ${body}` };
}

/** Splits at top-level commas, respecting strings, brackets and braces; stops at the closing `)`. */
function splitArgs(s: string, from: number): { args: string[]; end: number } {
  const args: string[] = [];
  let depth = 0;
  let start = from;
  let i = from;
  for (; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"') {
      i++;
      while (i < s.length && s[i] !== '"') i += s[i] === '\\' ? 2 : 1;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (c === ')') {
      if (depth === 0) break;
      depth--;
    } else if (c === ',' && depth === 0) {
      args.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = s.slice(start, i).trim();
  if (last !== '' || args.length > 0) args.push(last);
  return { args, end: i };
}

const SIMPLE_ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, v: 11, f: 12, '"': 34, '\\': 92 };

/** Decodes a strace string literal (`"a\x00b"`, possibly followed by `...`) to its bytes. */
export function decodeStraceString(arg: string): Buffer | null {
  const m = /^"((?:[^"\\]|\\.)*)"/s.exec(arg);
  if (!m) return null;
  const body = m[1]!;
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      for (const b of Buffer.from(c, 'utf8')) out.push(b);
      continue;
    }
    const n = body[i + 1] ?? '';
    if (n === 'x') {
      out.push(parseInt(body.slice(i + 2, i + 4), 16));
      i += 3;
    } else if (/[0-7]/.test(n)) {
      const oct = /^[0-7]{1,3}/.exec(body.slice(i + 1))![0];
      out.push(parseInt(oct, 8));
      i += oct.length;
    } else {
      out.push(SIMPLE_ESCAPES[n] ?? n.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(out);
}

/** A string argument as text (paths, argv items). */
export function straceText(arg: string): string | null {
  return decodeStraceString(arg)?.toString('utf8') ?? null;
}

/** The elements of an array argument such as execve's argv: `["sh", "-c", "…"]`. */
export function straceStringArray(arg: string): string[] {
  const out: string[] = [];
  for (const m of arg.matchAll(/"((?:[^"\\]|\\.)*)"/gs)) out.push(straceText(m[0]) ?? '');
  return out;
}

/** The path strace's -y prints after a returned descriptor: `3</etc/passwd>`. */
export function returnedPath(ret: string): string | null {
  const m = /^\d+<(.*)>$/.exec(ret);
  return m ? m[1]! : null;
}

/** The path -y prints for a descriptor argument (`3</dir>`), or null (`AT_FDCWD`). */
export function descriptorPath(arg: string): string | null {
  const m = /^\d+<(.*)>$/.exec(arg);
  return m ? m[1]! : null;
}

export function failed(ret: string): boolean {
  return ret.startsWith('-1 ') || ret === '?';
}
