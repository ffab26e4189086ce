// rustsec's version matching (`osv/unaffected_range.rs`, `osv/ranges_for_advisory.rs`):
// each `patched`/`unaffected` requirement becomes one interval, the complement of their union
// becomes `[introduced, fixed)` ranges, and a version is affected when it lies in one of them
// by semver precedence. Unlike `VersionReq::matches`, pre-releases inside a range are affected.
import { EMPTY_BUILD, EMPTY_PRE, SemverError, compareVersions, parseVersion } from '../../domain/semver.js';
import type { Version } from '../../domain/semver.js';
import { matchesReq, parseVersionReq } from '../../domain/version-req.js';
import type { Comparator, VersionReq } from '../../domain/version-req.js';
import type { Advisory, AffectedRange } from './advisory.js';

/** A `[versions]` requirement that rustsec refuses (too many comparators, overlap, ...). */
export class AdvisoryRangeError extends Error {
  override name = 'AdvisoryRangeError';
}

type Bound = { kind: 'unbounded' } | { kind: 'inclusive' | 'exclusive'; v: Version };

interface UnaffectedInterval {
  start: Bound;
  end: Bound;
  text: string;
}

const UNBOUNDED: Bound = { kind: 'unbounded' };

function release(major: number, minor: number, patch: number, pre = EMPTY_PRE): Version {
  return { major, minor, patch, pre, build: EMPTY_BUILD };
}

/** `Prerelease::new("0")`: the lowest version with this major.minor.patch. */
function lowest(major: number, minor: number, patch: number): Version {
  return release(major, minor, patch, [0]);
}

function comparatorVersion(c: Comparator): Version {
  return release(c.major, c.minor ?? 0, c.patch ?? 0, c.pre);
}

/**
 * The smallest version above `v` (rustsec `increment`): `1.2.3` → `1.2.4-0`,
 * `1.2.3-rc.1` → `1.2.3-rc.1.0`. Build metadata is dropped.
 */
export function incrementVersion(v: Version): Version {
  if (v.pre.length === 0) return lowest(v.major, v.minor, v.patch + 1);
  return release(v.major, v.minor, v.patch, [...v.pre, 0]);
}

function boundLessOrEqual(start: Bound, end: Bound): boolean {
  if (start.kind === 'unbounded' || end.kind === 'unbounded') return true;
  const c = compareVersions(start.v, end.v);
  if (c < 0) return true;
  return c === 0 && start.kind === 'inclusive' && end.kind === 'inclusive';
}

function showInterval(r: UnaffectedInterval): string {
  const s =
    r.start.kind === 'unbounded' ? '[0' : `${r.start.kind === 'inclusive' ? '[' : '('}${fmt(r.start.v)}`;
  const e = r.end.kind === 'unbounded' ? '∞)' : `${fmt(r.end.v)}${r.end.kind === 'inclusive' ? ']' : ')'}`;
  return `${s}, ${e}`;
}

function fmt(v: Version): string {
  return `${v.major}.${v.minor}.${v.patch}${v.pre.length > 0 ? `-${v.pre.join('.')}` : ''}`;
}

/** One requirement as an interval, with rustsec's restrictions on what a requirement may say. */
function toInterval(req: VersionReq, text: string): UnaffectedInterval {
  const cmps = req.comparators;
  if (cmps.length > 2)
    throw new AdvisoryRangeError(`too many comparators in version requirement "${text}" (max 2)`);
  let start: Bound = UNBOUNDED;
  let end: Bound = UNBOUNDED;
  for (const c of cmps) {
    switch (c.op) {
      case '>':
      case '>=':
        if (start.kind !== 'unbounded')
          throw new AdvisoryRangeError(`more than one lower bound in "${text}"`);
        start = { kind: c.op === '>' ? 'exclusive' : 'inclusive', v: comparatorVersion(c) };
        break;
      case '<':
      case '<=':
        if (end.kind !== 'unbounded') throw new AdvisoryRangeError(`more than one upper bound in "${text}"`);
        end = { kind: c.op === '<' ? 'exclusive' : 'inclusive', v: comparatorVersion(c) };
        break;
      case '=':
        if (cmps.length !== 1) {
          throw new AdvisoryRangeError(`an exact version ("=") must be alone in its requirement: "${text}"`);
        }
        start = { kind: 'inclusive', v: comparatorVersion(c) };
        end = start;
        break;
      case '^': {
        if (cmps.length !== 1)
          throw new AdvisoryRangeError(`"^" must be alone in its requirement: "${text}"`);
        let upper: Version;
        if (c.major > 0) upper = lowest(c.major + 1, 0, 0);
        else if (c.minor === undefined) upper = lowest(1, 0, 0);
        else if (c.minor === 0 && c.patch !== undefined) upper = lowest(0, 0, c.patch + 1);
        else upper = lowest(0, c.minor + 1, 0);
        start = { kind: 'inclusive', v: comparatorVersion(c) };
        end = { kind: 'exclusive', v: upper };
        break;
      }
      case '~': {
        if (cmps.length !== 1)
          throw new AdvisoryRangeError(`"~" must be alone in its requirement: "${text}"`);
        const upper = c.minor === undefined ? lowest(c.major + 1, 0, 0) : lowest(c.major, c.minor + 1, 0);
        start = { kind: 'inclusive', v: comparatorVersion(c) };
        end = { kind: 'exclusive', v: upper };
        break;
      }
      case '*':
        throw new AdvisoryRangeError(`unsupported operator (wildcard) in version requirement "${text}"`);
    }
  }
  if (!boundLessOrEqual(start, end)) {
    throw new AdvisoryRangeError(
      `invalid range "${text}": start must be <= end; if equal, both bounds must be inclusive`,
    );
  }
  return { start, end, text };
}

/**
 * Parses a `[versions]` requirement as rustsec does. The shared parser accepts more than
 * rustsec (wildcards, up to 32 comparators); `toInterval` refuses the rest.
 */
export function parseAdvisoryReq(text: string): VersionReq {
  if (typeof text !== 'string') throw new AdvisoryRangeError('version requirement must be a string');
  try {
    return parseVersionReq(text);
  } catch (e) {
    if (e instanceof SemverError) throw new AdvisoryRangeError(e.message);
    throw e;
  }
}

/**
 * The affected ranges for `patched` and `unaffected`, or AdvisoryRangeError when rustsec
 * would reject them (≤ 2 comparators, ops `> >= < <= = ^ ~`, `= ^ ~` alone, one lower and
 * one upper bound at most, no two requirements overlapping).
 */
export function computeAffectedRanges(
  patched: readonly string[],
  unaffected: readonly string[],
): AffectedRange[] {
  const intervals: UnaffectedInterval[] = [];
  // rustsec's order: unaffected first, then patched (only matters for error messages).
  for (const text of unaffected) intervals.push(toInterval(parseAdvisoryReq(text), text));
  for (const text of patched) intervals.push(toInterval(parseAdvisoryReq(text), text));
  if (intervals.length === 0) return [{ introduced: null, fixed: null }];

  for (let i = 0; i < intervals.length - 1; i++) {
    for (let j = i + 1; j < intervals.length; j++) {
      const a = intervals[i] as UnaffectedInterval;
      const b = intervals[j] as UnaffectedInterval;
      if (boundLessOrEqual(a.start, b.end) && boundLessOrEqual(b.start, a.end)) {
        throw new AdvisoryRangeError(
          `overlapping version ranges: "${a.text}" ${showInterval(a)} and "${b.text}" ${showInterval(b)}`,
        );
      }
    }
  }

  intervals.sort((a, b) => {
    if (a.start.kind === 'unbounded') return -1;
    if (b.start.kind === 'unbounded') return 1;
    return compareVersions(a.start.v, b.start.v);
  });

  const out: AffectedRange[] = [];
  const first = (intervals[0] as UnaffectedInterval).start;
  if (first.kind === 'exclusive') out.push({ introduced: null, fixed: incrementVersion(first.v) });
  else if (first.kind === 'inclusive') out.push({ introduced: null, fixed: first.v });

  for (let i = 0; i + 1 < intervals.length; i++) {
    const end = (intervals[i] as UnaffectedInterval).end;
    const next = (intervals[i + 1] as UnaffectedInterval).start;
    // Both are bounded: an unbounded end or start would have overlapped a neighbour.
    if (end.kind === 'unbounded' || next.kind === 'unbounded') {
      throw new AdvisoryRangeError('internal: unbounded interval in the middle of the ranges');
    }
    out.push({
      introduced: end.kind === 'exclusive' ? end.v : incrementVersion(end.v),
      fixed: next.kind === 'exclusive' ? incrementVersion(next.v) : next.v,
    });
  }

  const last = (intervals[intervals.length - 1] as UnaffectedInterval).end;
  if (last.kind === 'exclusive') out.push({ introduced: last.v, fixed: null });
  else if (last.kind === 'inclusive') out.push({ introduced: incrementVersion(last.v), fixed: null });
  return out;
}

/** `introduced <= v < fixed` by precedence (build metadata ignored). */
export function rangeAffects(range: AffectedRange, v: Version): boolean {
  if (range.introduced !== null && compareVersions(v, range.introduced) < 0) return false;
  if (range.fixed !== null && compareVersions(v, range.fixed) >= 0) return false;
  return true;
}

function asVersion(version: Version | string): Version {
  return typeof version === 'string' ? parseVersion(version) : version;
}

/**
 * Whether this version of the advisory's package is affected (rustsec `Versions::is_vulnerable`).
 * Withdrawn status is not considered here; see `advisoryMatches`.
 */
export function isVersionAffected(advisory: Advisory, version: Version | string): boolean {
  const v = asVersion(version);
  for (const r of advisory.ranges) if (rangeAffects(r, v)) return true;
  return false;
}

export function isWithdrawn(advisory: Advisory): boolean {
  return advisory.metadata.withdrawn !== null;
}

export const CRATES_IO_GIT_INDEX = 'registry+https://github.com/rust-lang/crates.io-index';
export const CRATES_IO_SPARSE_INDEX = 'sparse+https://index.crates.io/';

/** cargo-lock's `SourceId::is_default_registry`: the two spellings of crates.io. */
export function isCratesIoSource(source: string | null | undefined): boolean {
  return source === CRATES_IO_GIT_INDEX || source === CRATES_IO_SPARSE_INDEX;
}

/**
 * A registry source reduced to what identifies the registry: `registry+`/`sparse+` dropped,
 * scheme and host lower-cased, trailing slashes and any `?query`/`#fragment` dropped; both
 * crates.io spellings become `crates.io`. Null for git, path and anything unparsable.
 */
export function normalizeRegistrySource(source: string): string | null {
  if (isCratesIoSource(source)) return 'crates.io';
  let rest: string;
  if (source.startsWith('registry+')) rest = source.slice('registry+'.length);
  else if (source.startsWith('sparse+')) rest = source.slice('sparse+'.length);
  else return null;
  let url: URL;
  try {
    url = new URL(rest);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:' && url.protocol !== 'file:') return null;
  const path = url.pathname.replace(/\/+$/, '');
  const normal = `${url.protocol}//${url.host.toLowerCase()}${path}`;
  return normal === 'https://github.com/rust-lang/crates.io-index' || normal === 'https://index.crates.io'
    ? 'crates.io'
    : normal;
}

/**
 * Whether an advisory can apply to a package from `packageSource` (a lockfile `source`, or
 * null/undefined for path and workspace packages). Advisories without `source` are for
 * crates.io; one naming another registry applies to that registry's packages only.
 */
export function advisoryAppliesToSource(
  advisory: Advisory,
  packageSource: string | null | undefined,
): boolean {
  if (packageSource === null || packageSource === undefined) return false;
  const wanted = advisory.metadata.source;
  if (wanted === null) return isCratesIoSource(packageSource);
  const a = normalizeRegistrySource(wanted);
  if (a === null) return false;
  return a === normalizeRegistrySource(packageSource);
}

/**
 * The full match used for vulnerabilities and warnings: same package name, a source the
 * advisory applies to, not withdrawn, and an affected version.
 */
export function advisoryMatches(
  advisory: Advisory,
  pkg: { name: string; version: Version | string; source: string | null | undefined },
): boolean {
  return (
    advisory.metadata.package === pkg.name &&
    !isWithdrawn(advisory) &&
    advisoryAppliesToSource(advisory, pkg.source) &&
    isVersionAffected(advisory, pkg.version)
  );
}

/**
 * rustsec `Vulnerability::affected_functions`: the `[affected.functions]` paths whose
 * requirements match this version with plain `VersionReq::matches` (so pre-releases follow
 * cargo's rule, unlike the ranges). Null when the advisory lists no functions.
 */
export function affectedFunctionsFor(advisory: Advisory, version: Version | string): string[] | null {
  const functions = advisory.affected?.functions;
  if (!functions) return null;
  const paths = Object.keys(functions);
  if (paths.length === 0) return null;
  const v = asVersion(version);
  const out: string[] = [];
  for (const path of paths) {
    const reqs = functions[path] ?? [];
    if (reqs.some((text) => matchesReq(parseVersionReq(text), v))) out.push(path);
  }
  return out;
}

/** A range in rustsec's OSV spelling: `introduced` "0.0.0-0" when unbounded below. */
export function formatRange(range: AffectedRange): { introduced: string; fixed: string | null } {
  return {
    introduced: range.introduced === null ? '0.0.0-0' : fmt(range.introduced),
    fixed: range.fixed === null ? null : fmt(range.fixed),
  };
}

function compareLower(a: Version | null, b: Version | null): number {
  if (a === null) return b === null ? 0 : -1;
  if (b === null) return 1;
  return compareVersions(a, b);
}

/** Upper bounds: null (unbounded) is the highest. */
function compareUpper(a: Version | null, b: Version | null): number {
  if (a === null) return b === null ? 0 : 1;
  if (b === null) return -1;
  return compareVersions(a, b);
}

/** The same set of versions as sorted, disjoint, non-adjacent ranges (empty ones dropped). */
export function mergeRanges(ranges: readonly AffectedRange[]): AffectedRange[] {
  const sorted = ranges
    .filter((r) => r.introduced === null || r.fixed === null || compareVersions(r.introduced, r.fixed) < 0)
    .sort((a, b) => compareLower(a.introduced, b.introduced));
  const out: AffectedRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    // Overlapping or touching (`fixed` == next `introduced`): one range.
    if (last !== undefined && (last.fixed === null || compareLower(r.introduced, last.fixed) <= 0)) {
      if (compareUpper(r.fixed, last.fixed) > 0)
        out[out.length - 1] = { introduced: last.introduced, fixed: r.fixed };
    } else {
      out.push({ introduced: r.introduced, fixed: r.fixed });
    }
  }
  return out;
}

/**
 * `[versions]` that describe exactly these ranges (used when the ranges come from OSV):
 * `< introduced` as unaffected below the first, the gaps between ranges and `>= fixed`
 * after the last as patched.
 */
export function versionsForRanges(ranges: readonly AffectedRange[]): {
  patched: string[];
  unaffected: string[];
} {
  const merged = mergeRanges(ranges);
  const patched: string[] = [];
  const unaffected: string[] = [];
  const first = merged[0];
  // Nothing affected: every version is "patched".
  if (first === undefined) return { patched: ['*'], unaffected };
  if (first.introduced !== null) unaffected.push(`< ${fmt(first.introduced)}`);
  for (let i = 0; i < merged.length; i++) {
    const r = merged[i] as AffectedRange;
    if (r.fixed === null) break;
    const next = merged[i + 1];
    patched.push(
      next === undefined ? `>= ${fmt(r.fixed)}` : `>= ${fmt(r.fixed)}, < ${fmt(next.introduced as Version)}`,
    );
  }
  return { patched, unaffected };
}
