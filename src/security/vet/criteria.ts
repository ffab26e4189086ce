// Criteria as cargo-vet's `CriteriaMapper` handles them (`criteria.rs`): the built-ins
// `safe-to-run` (index 0) and `safe-to-deploy` (index 1, implies safe-to-run), then the store's
// own criteria in name order; every set is closed under `implies`, precomputed per criterion.
// Sets are bit masks (cargo-vet's limit of 64 criteria is kept).
import type { CriteriaEntry } from '../../formats/vet-audits.js';
import { compareStrings } from '../../formats/vet-common.js';

export const SAFE_TO_RUN = 'safe-to-run';
export const SAFE_TO_DEPLOY = 'safe-to-deploy';
export const MAX_CRITERIA = 64;

export type CriteriaSet = bigint;

export class CriteriaError extends Error {
  override name = 'CriteriaError';
}

export class CriteriaMapper {
  readonly names: string[];
  private readonly index = new Map<string, number>();
  /** Per criterion: itself and everything it implies, transitively. */
  private readonly implied: CriteriaSet[];

  constructor(criteria: readonly [string, Pick<CriteriaEntry, 'implies'>][]) {
    const custom = [...criteria].sort((a, b) => compareStrings(a[0], b[0]));
    this.names = [SAFE_TO_RUN, SAFE_TO_DEPLOY, ...custom.map(([n]) => n)];
    if (this.names.length > MAX_CRITERIA) {
      throw new CriteriaError(
        `too many criteria (${this.names.length}; cargo-vet allows ${MAX_CRITERIA} including the two built-ins)`,
      );
    }
    this.names.forEach((n, i) => {
      if (this.index.has(n))
        throw new CriteriaError(
          `criteria '${n}' is defined more than once (built-in criteria cannot be redefined)`,
        );
      this.index.set(n, i);
    });
    const direct: number[][] = this.names.map(() => []);
    direct[1]!.push(0);
    for (const [name, entry] of custom) {
      const from = this.index.get(name)!;
      for (const implied of entry.implies) {
        const to = this.index.get(implied);
        if (to === undefined)
          throw new CriteriaError(`criteria '${name}' implies unknown criteria '${implied}'`);
        direct[from]!.push(to);
      }
    }
    this.implied = this.names.map((name, idx) => {
      let set = 0n;
      const stack = [...direct[idx]!];
      while (stack.length > 0) {
        const next = stack.pop()!;
        if (next === idx) throw new CriteriaError(`criteria '${name}' implies itself`);
        const bit = 1n << BigInt(next);
        if ((set & bit) !== 0n) continue;
        set |= bit;
        stack.push(...direct[next]!);
      }
      return set | (1n << BigInt(idx));
    });
  }

  get size(): number {
    return this.names.length;
  }

  has(name: string): boolean {
    return this.index.has(name);
  }

  indexOf(name: string): number {
    const i = this.index.get(name);
    if (i === undefined) throw new CriteriaError(`unknown criteria '${name}'`);
    return i;
  }

  /** The closure of the named criteria under `implies`. */
  fromList(names: Iterable<string>): CriteriaSet {
    let set = 0n;
    for (const n of names) set |= this.implied[this.indexOf(n)]!;
    return set;
  }

  all(): CriteriaSet {
    return (1n << BigInt(this.names.length)) - 1n;
  }

  /** The criteria that imply the given one (itself included). */
  impliedBy(idx: number): number[] {
    const bit = 1n << BigInt(idx);
    return this.names.map((_, i) => i).filter((i) => (this.implied[i]! & bit) !== 0n);
  }

  /** Indices in the set, lowest first. */
  indices(set: CriteriaSet): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.names.length; i++) if ((set >> BigInt(i)) & 1n) out.push(i);
    return out;
  }

  /** The members not implied by another member (cargo-vet's `minimal_indices`). */
  minimalIndices(set: CriteriaSet): number[] {
    const idx = this.indices(set);
    return idx.filter((cur) =>
      idx.every((other) => other === cur || ((this.implied[other]! >> BigInt(cur)) & 1n) === 0n),
    );
  }

  /** How cargo-vet names a set: its minimal members, in index order. */
  namesOf(set: CriteriaSet): string[] {
    return this.minimalIndices(set).map((i) => this.names[i]!);
  }
}

export function hasCriteria(set: CriteriaSet, idx: number): boolean {
  return ((set >> BigInt(idx)) & 1n) === 1n;
}

export function containsAll(set: CriteriaSet, other: CriteriaSet): boolean {
  return (set & other) === other;
}

/**
 * How an import's criteria land in the local namespace (`storage.rs`
 * `fetch_single_imported_audit`): through `criteria-map` first, then the built-ins map to
 * themselves, anything else maps to nothing. The peer's own `implies` apply before mapping.
 */
export function mapForeignCriteria(
  foreignCriteria: readonly [string, Pick<CriteriaEntry, 'implies'>][],
  criteriaMap: readonly [string, string[]][],
  local: CriteriaMapper,
): (criteria: readonly string[]) => string[] {
  const foreign = new CriteriaMapper(foreignCriteria);
  const map = new Map(criteriaMap);
  const toLocal = foreign.names.map((name) => {
    const mapped = map.get(name);
    if (mapped !== undefined) return local.fromList(mapped);
    if (name === SAFE_TO_DEPLOY || name === SAFE_TO_RUN) return local.fromList([name]);
    return 0n;
  });
  return (criteria) => {
    let set = 0n;
    for (const i of foreign.indices(foreign.fromList(criteria))) set |= toLocal[i]!;
    return local.namesOf(set);
  };
}
