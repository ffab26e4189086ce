// The registry's popular crates (by recent downloads, then dependents) as a typosquat
// checker, rebuilt when older than the refresh interval and shared by the publish-time check
// and the background typosquat job.
import type { CrateRepository } from '../store/crates.js';
import { TyposquatChecker } from '../security/typosquat/index.js';
import { registryCorpus, type RegistryPopularCrate } from './registry-corpus.js';
import type { SecurityConfig } from './security-config.js';

export class PopularCrates {
  private cached: {
    at: number;
    checker: TyposquatChecker;
    ranked: RegistryPopularCrate[];
    ecosystem: { name: string; id: number }[];
  } | null = null;
  private building: Promise<TyposquatChecker> | null = null;

  constructor(
    private readonly crates: CrateRepository,
    private readonly config: SecurityConfig,
  ) {}

  /** The checker over the current corpus. */
  async checker(forceRefresh = false): Promise<TyposquatChecker> {
    const fresh = this.cached && Date.now() - this.cached.at < this.config.corpusRefreshMs;
    if (this.cached && fresh && !forceRefresh) return this.cached.checker;
    this.building ??= (async () => {
      const ranked = await registryCorpus(
        this.crates,
        this.config.typosquat.top,
        this.config.downloadWindowDays,
      );
      const ecosystem = ranked.allCrates;
      const checker = new TyposquatChecker(ranked, this.config.typosquat, {
        ecosystem: ecosystem.map((c) => c.name),
      });
      checker.prepare(); // build the lookup table now, not on the first check
      this.cached = { at: Date.now(), checker, ranked, ecosystem };
      return checker;
    })().finally(() => (this.building = null));
    return this.building;
  }

  /** The ranked corpus behind the checker. */
  async ranked(): Promise<RegistryPopularCrate[]> {
    await this.checker();
    return this.cached?.ranked ?? [];
  }

  /**
   * The checker to judge a new crate with: the corpus as it stood before the crate existed.
   * In a registry smaller than the corpus every crate is in it, the candidate and crates
   * published after it included; neither is an original the candidate can imitate.
   */
  async checkerBefore(crateId: number): Promise<TyposquatChecker> {
    const checker = await this.checker();
    const ranked = this.cached?.ranked ?? [];
    const older = ranked.filter((c) => c.id < crateId);
    if (older.length === ranked.length) return checker;
    const ecosystem = (this.cached?.ecosystem ?? []).filter((c) => c.id < crateId).map((c) => c.name);
    return new TyposquatChecker(older, this.config.typosquat, { ecosystem });
  }

  /**
   * A new crate was committed. While the registry has fewer crates than the corpus holds, every
   * new crate joins it; past that, a new crate (no downloads, no dependents) cannot rank, and
   * the refresh interval suffices.
   */
  crateAdded(): void {
    if (this.cached && this.cached.ranked.length < this.config.typosquat.top) this.cached = null;
  }
}
