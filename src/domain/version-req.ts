// Cargo version requirements with the grammar and matching rules of the Rust `semver`
// crate's `VersionReq` (what cargo and crates.io use), which differ from npm's: a bare `1.2`
// means `^1.2`, comparators are joined by `,` (no `||`, no hyphen ranges), and pre-releases
// match only through a comparator naming the same major.minor.patch with a pre-release.
import {
  EMPTY_PRE,
  MAX_SEMVER_INPUT_LENGTH,
  SemverError,
  SemverScanner,
  comparePreRelease,
  quoteCharAt,
  samePreRelease,
} from './semver.js';
import type { PreReleaseId, SemverPosition, Version } from './semver.js';

export type ComparatorOp = '=' | '>' | '>=' | '<' | '<=' | '~' | '^' | '*';

export interface Comparator {
  /** `*` is a wildcard comparator such as `1.*` or `1.2.x`; a lone `*` has no comparators. */
  op: ComparatorOp;
  major: number;
  minor?: number;
  patch?: number;
  /** Only present when `patch` is. */
  pre: readonly PreReleaseId[];
}

export interface VersionReq {
  /** ANDed; empty means `*` (any release). */
  readonly comparators: readonly Comparator[];
}

/** The semver crate refuses requirements with more comparators than this. */
export const MAX_COMPARATORS = 32;

export const STAR_REQ: VersionReq = Object.freeze({
  comparators: Object.freeze([]) as readonly Comparator[],
});

const CH_SPACE = 32;
const CH_COMMA = 44;
const CH_DOT = 46;
const CH_DASH = 45;
const CH_PLUS = 43;
const CH_EQ = 61;
const CH_GT = 62;
const CH_LT = 60;
const CH_TILDE = 126;
const CH_CARET = 94;
const CH_STAR = 42;
const CH_X = 120;
const CH_BIG_X = 88;

function isWildcard(c: number): boolean {
  return c === CH_STAR || c === CH_X || c === CH_BIG_X;
}

// Only ASCII spaces are skipped, as in the semver crate: tabs and newlines are errors.
function skipSpaces(s: SemverScanner): void {
  const text = s.text;
  while (s.pos < text.length && text.charCodeAt(s.pos) === CH_SPACE) s.pos++;
}

export function parseVersionReq(text: string): VersionReq {
  if (typeof text !== 'string') throw new SemverError('invalid version requirement: expected a string');
  if (text.length > MAX_SEMVER_INPUT_LENGTH) {
    throw new SemverError(
      `version requirement is too long (${text.length} characters, max ${MAX_SEMVER_INPUT_LENGTH})`,
    );
  }
  const s = new SemverScanner(text, 'version requirement');
  skipSpaces(s);
  const first = s.peek();
  if (isWildcard(first)) {
    const ch = String.fromCharCode(first);
    s.pos++;
    skipSpaces(s);
    if (s.atEnd()) return STAR_REQ;
    if (s.peek() === CH_COMMA) s.fail(`wildcard req (${ch}) must be the only comparator in the version req`);
    s.fail('unexpected character after wildcard in version req');
  }

  const comparators: Comparator[] = [];
  while (true) {
    const start = s.pos;
    let after: SemverPosition;
    try {
      after = parseComparator(s, comparators);
    } catch (e) {
      // `1.0, *` gets the crate's clearer message rather than "unexpected character '*'".
      if (e instanceof SemverError && isWildcard(text.charCodeAt(start))) {
        let i = start + 1;
        while (i < text.length && text.charCodeAt(i) === CH_SPACE) i++;
        if (i >= text.length || text.charCodeAt(i) === CH_COMMA) {
          s.fail(`wildcard req (${text[start]}) must be the only comparator in the version req`);
        }
      }
      throw e;
    }
    if (s.atEnd()) return { comparators };
    if (s.peek() !== CH_COMMA) s.fail(`expected comma after ${after}, found ${quoteCharAt(text, s.pos)}`);
    s.pos++;
    skipSpaces(s);
    if (comparators.length === MAX_COMPARATORS) s.fail('excessive number of version comparators');
  }
}

/** Parses one comparator at the cursor into `out`; returns the last position parsed. */
function parseComparator(s: SemverScanner, out: Comparator[]): SemverPosition {
  const text = s.text;
  let op: ComparatorOp = '^';
  let defaultOp = false;
  const c0 = s.peek();
  if (c0 === CH_EQ) {
    op = '=';
    s.pos++;
  } else if (c0 === CH_GT || c0 === CH_LT) {
    const orEq = s.pos + 1 < text.length && text.charCodeAt(s.pos + 1) === CH_EQ;
    op = c0 === CH_GT ? (orEq ? '>=' : '>') : orEq ? '<=' : '<';
    s.pos += orEq ? 2 : 1;
  } else if (c0 === CH_TILDE) {
    op = '~';
    s.pos++;
  } else if (c0 === CH_CARET) {
    op = '^';
    s.pos++;
  } else {
    defaultOp = true;
  }
  skipSpaces(s);

  let pos: SemverPosition = 'major version number';
  const major = s.numeric(pos);
  let minor: number | undefined;
  let patch: number | undefined;
  let pre: readonly PreReleaseId[] = EMPTY_PRE;
  let minorWildcard = false;

  if (s.peek() === CH_DOT) {
    s.pos++;
    pos = 'minor version number';
    if (isWildcard(s.peek())) {
      s.pos++;
      minorWildcard = true;
      if (defaultOp) op = '*';
    } else {
      minor = s.numeric(pos);
    }
  }
  if (s.peek() === CH_DOT) {
    s.pos++;
    pos = 'patch version number';
    if (isWildcard(s.peek())) {
      s.pos++;
      if (defaultOp) op = '*';
    } else if (minorWildcard) {
      s.fail('unexpected character after wildcard in version req');
    } else {
      patch = s.numeric(pos);
    }
  }
  if (patch !== undefined) {
    if (s.peek() === CH_DASH) {
      s.pos++;
      pos = 'pre-release identifier';
      pre = s.preRelease();
    }
    // Build metadata is accepted and dropped: it never affects matching.
    if (s.peek() === CH_PLUS) {
      s.pos++;
      pos = 'build metadata';
      s.buildMetadata();
    }
  }
  skipSpaces(s);
  out.push({ op, major, minor, patch, pre });
  return pos;
}

export function tryParseVersionReq(text: string): VersionReq | null {
  try {
    return parseVersionReq(text);
  } catch (e) {
    if (e instanceof SemverError) return null;
    throw e;
  }
}

/** Whether `v` satisfies every comparator of `req`, with cargo's pre-release rule. */
export function matchesReq(req: VersionReq, v: Version): boolean {
  const cmps = req.comparators;
  for (let i = 0; i < cmps.length; i++) {
    if (!matchesComparatorIgnoringPre(cmps[i] as Comparator, v)) return false;
  }
  if (v.pre.length === 0) return true;
  // A pre-release is only eligible when the requirement names its exact major.minor.patch
  // together with some pre-release, so `^1.0` never picks up `1.1.0-beta`.
  for (let i = 0; i < cmps.length; i++) {
    if (preIsCompatible(cmps[i] as Comparator, v)) return true;
  }
  return false;
}

/** One comparator on its own, with the same pre-release rule. */
export function matchesComparator(c: Comparator, v: Version): boolean {
  return matchesComparatorIgnoringPre(c, v) && (v.pre.length === 0 || preIsCompatible(c, v));
}

function preIsCompatible(c: Comparator, v: Version): boolean {
  return c.major === v.major && c.minor === v.minor && c.patch === v.patch && c.pre.length > 0;
}

function matchesComparatorIgnoringPre(c: Comparator, v: Version): boolean {
  switch (c.op) {
    case '=':
    case '*':
      return matchesExact(c, v);
    case '>':
      return matchesGreater(c, v);
    case '>=':
      return matchesExact(c, v) || matchesGreater(c, v);
    case '<':
      return matchesLess(c, v);
    case '<=':
      return matchesExact(c, v) || matchesLess(c, v);
    case '~':
      return matchesTilde(c, v);
    case '^':
      return matchesCaret(c, v);
  }
}

function matchesExact(c: Comparator, v: Version): boolean {
  if (v.major !== c.major) return false;
  if (c.minor !== undefined && v.minor !== c.minor) return false;
  if (c.patch !== undefined && v.patch !== c.patch) return false;
  return samePreRelease(v.pre, c.pre);
}

function matchesGreater(c: Comparator, v: Version): boolean {
  if (v.major !== c.major) return v.major > c.major;
  if (c.minor === undefined) return false;
  if (v.minor !== c.minor) return v.minor > c.minor;
  if (c.patch === undefined) return false;
  if (v.patch !== c.patch) return v.patch > c.patch;
  return comparePreRelease(v.pre, c.pre) > 0;
}

function matchesLess(c: Comparator, v: Version): boolean {
  if (v.major !== c.major) return v.major < c.major;
  if (c.minor === undefined) return false;
  if (v.minor !== c.minor) return v.minor < c.minor;
  if (c.patch === undefined) return false;
  if (v.patch !== c.patch) return v.patch < c.patch;
  return comparePreRelease(v.pre, c.pre) < 0;
}

function matchesTilde(c: Comparator, v: Version): boolean {
  if (v.major !== c.major) return false;
  if (c.minor !== undefined && v.minor !== c.minor) return false;
  if (c.patch !== undefined && v.patch !== c.patch) return v.patch > c.patch;
  return comparePreRelease(v.pre, c.pre) >= 0;
}

function matchesCaret(c: Comparator, v: Version): boolean {
  if (v.major !== c.major) return false;
  if (c.minor === undefined) return true;
  if (c.patch === undefined) return c.major > 0 ? v.minor >= c.minor : v.minor === c.minor;
  if (c.major > 0) {
    if (v.minor !== c.minor) return v.minor > c.minor;
    if (v.patch !== c.patch) return v.patch > c.patch;
  } else if (c.minor > 0) {
    if (v.minor !== c.minor) return false;
    if (v.patch !== c.patch) return v.patch > c.patch;
  } else if (v.minor !== c.minor || v.patch !== c.patch) {
    return false;
  }
  return comparePreRelease(v.pre, c.pre) >= 0;
}

/** One comparator as the semver crate displays it: `^1.2`, `>=1.0.0-rc.1`, `1.*`. */
export function formatComparator(c: Comparator): string {
  let out = c.op === '*' ? '' : c.op;
  out += c.major;
  if (c.minor !== undefined) {
    out += `.${c.minor}`;
    if (c.patch !== undefined) {
      out += `.${c.patch}`;
      if (c.pre.length > 0) out += `-${c.pre.join('.')}`;
    } else if (c.op === '*') {
      out += '.*';
    }
  } else if (c.op === '*') {
    out += '.*';
  }
  return out;
}

/** The canonical text (`^1.2, <1.5`); `*` for the empty requirement. */
export function formatVersionReq(req: VersionReq): string {
  if (req.comparators.length === 0) return '*';
  return req.comparators.map(formatComparator).join(', ');
}
