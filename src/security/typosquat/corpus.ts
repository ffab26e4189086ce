// Where the popular crates come from. Two sources, both reduced to a ranked PopularCrate list:
// - the registry database: top N by recent downloads, then by distinct dependent crates;
// - an index snapshot (no download counts, no owners): top N by distinct dependent crates, ties
//   by name. The snapshot is streamed crate by crate (see formats/crates-index.ts).
import { canonicalCrateName } from '../../domain/crate-name.js';
import type { IndexLine } from '../../domain/index-line.js';
import type { PopularCrate } from './checker.js';

export interface RegistryCrateStats {
  name: string;
  owners: string[];
  /** Downloads over the recent window (crates.io: 90 days). */
  recentDownloads: number;
  /** Distinct crates that depend on this one. */
  dependents: number;
  description?: string | null;
  readme?: string | null;
}

/** The registry corpus: top `n` by recent downloads, then dependents, then name. */
export function rankRegistryCorpus(rows: readonly RegistryCrateStats[], n: number): PopularCrate[] {
  return [...rows]
    .sort(
      (a, b) =>
        b.recentDownloads - a.recentDownloads || b.dependents - a.dependents || compare(a.name, b.name),
    )
    .slice(0, Math.max(0, n))
    .map((r) => ({
      name: r.name,
      owners: [...r.owners],
      description: r.description ?? null,
      readme: r.readme ?? null,
    }));
}

/**
 * Counts, from an index snapshot, how many distinct crates depend on each crate: any version,
 * any kind (normal, build, dev), the real name when renamed (`package`). Dependencies on other
 * registries are not counted, nor is a crate depending on itself. Names are matched in canonical
 * form (`-` = `_`, any case), as cargo and crates.io resolve them.
 */
export class IndexPopularity {
  /** canonical name → name as published */
  private readonly names = new Map<string, string>();
  /** canonical dependency name → canonical names of the crates depending on it */
  private readonly dependents = new Map<string, Set<string>>();

  add(name: string, lines: readonly IndexLine[]): void {
    const self = canonicalCrateName(name);
    if (!this.names.has(self)) this.names.set(self, name);
    for (const line of lines) {
      for (const dep of line.deps) {
        if (dep.registry) continue;
        const target = canonicalCrateName(dep.package || dep.name);
        if (target === self) continue;
        let set = this.dependents.get(target);
        if (!set) this.dependents.set(target, (set = new Set()));
        set.add(self);
      }
    }
  }

  /** Every crate name seen, as published, in the order added. */
  allNames(): string[] {
    return [...this.names.values()];
  }

  dependentCount(name: string): number {
    return this.dependents.get(canonicalCrateName(name))?.size ?? 0;
  }

  /** The top `n` crates by distinct dependents, ties by name (code-unit order). */
  top(n: number): PopularCrate[] {
    const ranked = [...this.names].map(([canonical, name]) => ({
      name,
      count: this.dependents.get(canonical)?.size ?? 0,
    }));
    ranked.sort((a, b) => b.count - a.count || compare(a.name, b.name));
    return ranked.slice(0, Math.max(0, n)).map((r) => ({ name: r.name, owners: [] }));
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
