// The registry's popular crates as the typosquat corpus: top N by recent downloads, then by
// distinct dependent crates (crates.io's ranking), with owners, descriptions and READMEs.
import { rankRegistryCorpus, type PopularCrate } from '../security/typosquat/index.js';
import type { CrateRepository } from '../store/crates.js';

/** A popular crate with its id, which grows with creation order. */
export type RegistryPopularCrate = PopularCrate & { id: number };

/**
 * The ranked corpus; `allCrates` holds every crate name of the registry with its id, for the
 * conventions typosquat's off-convention-word reads (TyposquatCheckerOptions.ecosystem).
 */
export async function registryCorpus(
  crates: CrateRepository,
  top: number,
  downloadWindowDays: number,
): Promise<RegistryPopularCrate[] & { allCrates: { name: string; id: number }[] }> {
  const since = new Date(Date.now() - downloadWindowDays * 86_400_000).toISOString().slice(0, 10);
  const stats = await crates.popularityStats(since);
  const ranked = rankRegistryCorpus(stats, top);
  const ids = new Map(stats.map((s) => [s.name, s.id]));
  const readmes = await crates.readmes(ranked.map((r) => ids.get(r.name)!).filter(Boolean));
  const corpus = ranked.map((r) => ({
    ...r,
    id: ids.get(r.name)!,
    readme: readmes.get(ids.get(r.name)!) ?? null,
  }));
  return Object.assign(corpus, { allCrates: stats.map((s) => ({ name: s.name, id: s.id })) });
}
