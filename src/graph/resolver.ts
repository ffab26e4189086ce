// Resolves a requirement against one crate's versions the way a fresh `cargo generate-lockfile`
// would for that dependency alone: the highest non-yanked version that matches. Requirements
// are parsed once per distinct string and answers memoized per (crate, requirement), since a
// few thousand pairs such as (serde, ^1.0) cover most of the index's dependencies.
import type { Version } from '../domain/semver.js';
import { matchesReq, tryParseVersionReq } from '../domain/version-req.js';
import type { VersionReq } from '../domain/version-req.js';
import { UNRESOLVED_BAD_REQ, UNRESOLVED_NO_MATCH, V_INVALID, V_YANKED } from './ecosystem-graph.js';

const UNPARSED = 0;
const BAD = 1;

export class RequirementResolver {
  private readonly reqs: (VersionReq | typeof UNPARSED | typeof BAD)[];
  private readonly memo = new Map<number, number>();
  distinctRequirements = 0;
  unparsableRequirements = 0;

  constructor(
    /** String table holding the requirement texts. */
    private readonly strings: readonly string[],
    private readonly crateVersionStart: Uint32Array,
    private readonly versionFlags: Uint8Array,
    /** Parsed versions in graph order (null for invalid ones). */
    private readonly versions: readonly (Version | null)[],
  ) {
    this.reqs = new Array(strings.length).fill(UNPARSED);
  }

  /** The parsed requirement at string index `reqIdx`, or null when it does not parse. */
  requirement(reqIdx: number): VersionReq | null {
    let r = this.reqs[reqIdx]!;
    if (r === UNPARSED) {
      const parsed = tryParseVersionReq(this.strings[reqIdx]!);
      this.distinctRequirements++;
      if (parsed === null) this.unparsableRequirements++;
      r = parsed ?? BAD;
      this.reqs[reqIdx] = r;
    }
    return r === BAD ? null : (r as VersionReq);
  }

  /** Version id chosen for crate `c` under requirement string `reqIdx`, or an UNRESOLVED_* code. */
  resolve(c: number, reqIdx: number): number {
    const key = c * this.strings.length + reqIdx;
    const hit = this.memo.get(key);
    if (hit !== undefined) return hit;
    const req = this.requirement(reqIdx);
    let result = UNRESOLVED_BAD_REQ;
    if (req !== null) {
      result = UNRESOLVED_NO_MATCH;
      const lo = this.crateVersionStart[c]!;
      for (let v = this.crateVersionStart[c + 1]! - 1; v >= lo; v--) {
        if (this.versionFlags[v]! & (V_YANKED | V_INVALID)) continue;
        if (matchesReq(req, this.versions[v]!)) {
          result = v;
          break;
        }
      }
    }
    this.memo.set(key, result);
    return result;
  }
}
