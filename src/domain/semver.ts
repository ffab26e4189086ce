// SemVer 2.0 versions with the exact grammar and precedence of the Rust `semver` crate, which
// cargo uses (not npm's `semver`): no leading `v`, no surrounding whitespace, no leading zeros,
// pre-release identifiers ordered numerically/lexically, build metadata ignored for precedence.
// Parsed by hand in one pass: this runs over every version in the registry.

export class SemverError extends Error {
  override name = 'SemverError';
}

/** A pre-release identifier; numeric identifiers are numbers so they order numerically. */
export type PreReleaseId = string | number;

export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly pre: readonly PreReleaseId[];
  readonly build: readonly string[];
}

/** Longer input is refused outright: no real version or requirement comes close. */
export const MAX_SEMVER_INPUT_LENGTH = 10_000;

/** Shared empty lists keep release versions (the vast majority) allocation-free. */
export const EMPTY_PRE: readonly PreReleaseId[] = Object.freeze([]);
export const EMPTY_BUILD: readonly string[] = Object.freeze([]);

export type SemverPosition =
  | 'major version number'
  | 'minor version number'
  | 'patch version number'
  | 'pre-release identifier'
  | 'build metadata';

const CH_0 = 48;
const CH_9 = 57;
const CH_DOT = 46;
const CH_DASH = 45;
const CH_PLUS = 43;

/** Describes the character at `i` the way the semver crate does (`'x'`, `'\0'`). */
export function quoteCharAt(text: string, i: number): string {
  const cp = text.codePointAt(i);
  if (cp === undefined) return 'end of input';
  if (cp === 0) return "'\\0'";
  return JSON.stringify(String.fromCodePoint(cp)).replace(/^"|"$/g, "'");
}

/**
 * Cursor over the input shared by the version and requirement parsers. Errors carry the
 * semver crate's wording, prefixed with the input so that a log line stands on its own.
 */
export class SemverScanner {
  pos = 0;
  constructor(
    readonly text: string,
    readonly what: string,
  ) {}

  fail(message: string): never {
    const shown = this.text.length > 80 ? `${this.text.slice(0, 80)}…` : this.text;
    throw new SemverError(`invalid ${this.what} ${JSON.stringify(shown)}: ${message}`);
  }

  /** A numeric component: digits only, no leading zero, at most 2^53 - 1. */
  numeric(position: SemverPosition): number {
    const text = this.text;
    const start = this.pos;
    let i = start;
    let value = 0;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c < CH_0 || c > CH_9) break;
      if (value === 0 && i > start) this.fail(`invalid leading zero in ${position}`);
      value = value * 10 + (c - CH_0);
      if (value > Number.MAX_SAFE_INTEGER) this.fail(`value of ${position} exceeds 2^53 - 1`);
      i++;
    }
    if (i === start) {
      if (i >= text.length) this.fail(`unexpected end of input while parsing ${position}`);
      this.fail(`unexpected character ${quoteCharAt(text, i)} while parsing ${position}`);
    }
    this.pos = i;
    return value;
  }

  /** Pre-release identifiers after a `-`: at least one, dot-separated, `[0-9A-Za-z-]+`. */
  preRelease(): PreReleaseId[] {
    const out: PreReleaseId[] = [];
    const text = this.text;
    while (true) {
      const start = this.pos;
      let i = start;
      let allDigits = true;
      while (i < text.length) {
        const c = text.charCodeAt(i);
        if (c >= CH_0 && c <= CH_9) {
          i++;
        } else if (isIdentLetter(c)) {
          allDigits = false;
          i++;
        } else {
          break;
        }
      }
      if (i === start) this.fail('empty identifier segment in pre-release identifier');
      if (allDigits) {
        if (i - start > 1 && text.charCodeAt(start) === CH_0) {
          this.fail('invalid leading zero in pre-release identifier');
        }
        // Digit-only identifiers longer than 15 digits may not fit a double exactly.
        const n = i - start <= 15 ? parseDigits(text, start, i) : Number(text.slice(start, i));
        if (n > Number.MAX_SAFE_INTEGER) this.fail('value of pre-release identifier exceeds 2^53 - 1');
        out.push(n);
      } else {
        out.push(text.slice(start, i));
      }
      this.pos = i;
      if (i < text.length && text.charCodeAt(i) === CH_DOT) {
        this.pos = i + 1;
        continue;
      }
      return out;
    }
  }

  /** Build metadata after a `+`: dot-separated `[0-9A-Za-z-]+`, leading zeros allowed. */
  buildMetadata(): string[] {
    const out: string[] = [];
    const text = this.text;
    while (true) {
      const start = this.pos;
      let i = start;
      while (i < text.length) {
        const c = text.charCodeAt(i);
        if ((c >= CH_0 && c <= CH_9) || isIdentLetter(c)) i++;
        else break;
      }
      if (i === start) this.fail('empty identifier segment in build metadata');
      out.push(text.slice(start, i));
      this.pos = i;
      if (i < text.length && text.charCodeAt(i) === CH_DOT) {
        this.pos = i + 1;
        continue;
      }
      return out;
    }
  }

  peek(): number {
    return this.pos < this.text.length ? this.text.charCodeAt(this.pos) : -1;
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }
}

function isIdentLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === CH_DASH;
}

function parseDigits(text: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) n = n * 10 + (text.charCodeAt(i) - CH_0);
  return n;
}

/** Parses `MAJOR.MINOR.PATCH[-PRE][+BUILD]` exactly; throws SemverError with the reason. */
export function parseVersion(text: string): Version {
  if (typeof text !== 'string') throw new SemverError('invalid version: expected a string');
  if (text.length === 0) throw new SemverError('empty string, expected a semver version');
  if (text.length > MAX_SEMVER_INPUT_LENGTH) {
    throw new SemverError(`version is too long (${text.length} characters, max ${MAX_SEMVER_INPUT_LENGTH})`);
  }
  const s = new SemverScanner(text, 'version');
  const major = s.numeric('major version number');
  expectDot(s, 'major version number');
  const minor = s.numeric('minor version number');
  expectDot(s, 'minor version number');
  const patch = s.numeric('patch version number');
  if (s.atEnd()) return { major, minor, patch, pre: EMPTY_PRE, build: EMPTY_BUILD };

  let after: SemverPosition = 'patch version number';
  let pre: readonly PreReleaseId[] = EMPTY_PRE;
  let build: readonly string[] = EMPTY_BUILD;
  if (s.peek() === CH_DASH) {
    s.pos++;
    pre = s.preRelease();
    after = 'pre-release identifier';
  }
  if (s.peek() === CH_PLUS) {
    s.pos++;
    build = s.buildMetadata();
    after = 'build metadata';
  }
  if (!s.atEnd()) s.fail(`unexpected character ${quoteCharAt(text, s.pos)} after ${after}`);
  return { major, minor, patch, pre, build };
}

function expectDot(s: SemverScanner, after: SemverPosition): void {
  const c = s.peek();
  if (c === CH_DOT) {
    s.pos++;
    return;
  }
  if (c === -1) s.fail(`unexpected end of input while parsing ${after}`);
  s.fail(`unexpected character ${quoteCharAt(s.text, s.pos)} after ${after}`);
}

export function tryParseVersion(text: string): Version | null {
  try {
    return parseVersion(text);
  } catch (e) {
    if (e instanceof SemverError) return null;
    throw e;
  }
}

/** Orders two pre-release lists; the empty list (a release) sorts after every pre-release. */
export function comparePreRelease(a: readonly PreReleaseId[], b: readonly PreReleaseId[]): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length === 0 ? 0 : 1;
  if (b.length === 0) return -1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as PreReleaseId;
    const y = b[i] as PreReleaseId;
    if (x === y) continue;
    if (typeof x === 'number') {
      // Numeric identifiers have lower precedence than alphanumeric ones.
      if (typeof y !== 'number') return -1;
      return x < y ? -1 : 1;
    }
    if (typeof y === 'number') return 1;
    // Identifiers are ASCII, so UTF-16 code-unit order is ASCII order.
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Whether two pre-release lists are identical (what `=1.2.3-alpha` requires). */
export function samePreRelease(a: readonly PreReleaseId[], b: readonly PreReleaseId[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** SemVer precedence: negative, zero or positive. Build metadata is ignored. */
export function compareVersions(a: Version, b: Version): number {
  if (a.major !== b.major) return a.major < b.major ? -1 : 1;
  if (a.minor !== b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch !== b.patch) return a.patch < b.patch ? -1 : 1;
  return comparePreRelease(a.pre, b.pre);
}

/**
 * A total order for sorting: precedence first, then build metadata (as the semver crate's
 * `Ord` does), so `1.0.0+a` and `1.0.0+b` sort deterministically.
 */
export function compareVersionsWithBuild(a: Version, b: Version): number {
  const c = compareVersions(a, b);
  if (c !== 0) return c;
  return compareBuild(a.build, b.build);
}

function compareBuild(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x === y) continue;
    const xd = isDigits(x);
    const yd = isDigits(y);
    if (xd && yd) {
      // Numerically, then the shorter spelling first: 0 < 00 < 1 < 01 < 2.
      const xv = x.replace(/^0+/, '');
      const yv = y.replace(/^0+/, '');
      if (xv.length !== yv.length) return xv.length < yv.length ? -1 : 1;
      if (xv !== yv) return xv < yv ? -1 : 1;
      return x.length < y.length ? -1 : 1;
    }
    if (xd) return -1;
    if (yd) return 1;
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function isDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < CH_0 || c > CH_9) return false;
  }
  return true;
}

/** The version's text; build metadata included unless `withBuild` is false. */
export function formatVersion(v: Version, withBuild = true): string {
  let out = `${v.major}.${v.minor}.${v.patch}`;
  if (v.pre.length > 0) out += `-${v.pre.join('.')}`;
  if (withBuild && v.build.length > 0) out += `+${v.build.join('.')}`;
  return out;
}

/**
 * The version without build metadata: two versions with the same key have the same
 * precedence, which is how crates.io detects a duplicate publish (`1.0.0+a` vs `1.0.0+b`).
 */
export function versionKey(v: Version): string {
  return formatVersion(v, false);
}

export function isPrerelease(v: Version): boolean {
  return v.pre.length > 0;
}

/** The highest non-yanked version by semver precedence; any version when all are yanked. */
export function pickMaxVersion(rows: readonly { num: string; yanked: number }[]): string {
  let best: { num: string; yanked: boolean; parsed: Version } | null = null;
  for (const r of rows) {
    const parsed = tryParseVersion(r.num);
    if (!parsed) continue;
    const yanked = r.yanked !== 0;
    if (
      !best ||
      (best.yanked && !yanked) ||
      (best.yanked === yanked && compareVersions(parsed, best.parsed) > 0)
    )
      best = { num: r.num, yanked, parsed };
  }
  return best?.num ?? '0.0.0';
}
