// What the registry knows that the scanner's history rules need: the previous version, the
// publisher's track record, the dependencies' age and reputation, recent yanks, and which
// popular crates already hold the candidate's files.
import type { Kysely } from 'kysely';
import { canonicalCrateName } from '../domain/crate-name.js';
import { compareVersions, tryParseVersion } from '../domain/semver.js';
import type { ScanFile } from '../security/scanner/read-crate.js';
import type { RegistryContext, Severity } from '../security/scanner/types.js';
import type { CrateRepository } from '../store/crates.js';
import type { ScanResultRepository } from '../store/scan-results.js';
import type { Database } from '../store/schema.js';
import type { UserRepository } from '../store/users.js';
import type { FileHash, VersionFileRepository } from '../store/version-files.js';
import type { PopularCrates } from './popular-crates.js';

/** Tiny files say nothing about copying. */
const MIN_HASHED_FILE_BYTES = 64;

/** The file hashes stored per version, from the one bounded read (it hashes every file). */
export function fileHashes(files: readonly ScanFile[]): FileHash[] {
  return files
    .filter((f) => f.size >= MIN_HASHED_FILE_BYTES)
    .map(({ path, size, sha256 }) => ({ path, size, sha256 }));
}

export interface ScanContextDeps {
  db: Kysely<Database>;
  crates: CrateRepository;
  users: UserRepository;
  scans: ScanResultRepository;
  versionFiles: VersionFileRepository;
  popular: PopularCrates;
}

export class ScanContextSource {
  constructor(private readonly deps: ScanContextDeps) {}

  /** The context for scanning `crateName` (versionId null: a version not yet committed). */
  async build(
    crateName: string,
    versionId: number | null,
    publisher: string | null,
    depNames: string[],
    files: FileHash[] = [],
  ): Promise<RegistryContext> {
    const { db, crates, users, scans } = this.deps;
    const now = new Date();
    const krate = await crates.findByName(crateName);
    let previousVersion: RegistryContext['previousVersion'] = null;
    let recentYanks: RegistryContext['recentYanks'] = [];
    if (krate) {
      const versions = (await crates.versions(krate.id)).filter(
        (v) => versionId === null || v.id < versionId,
      );
      const prev = versions
        .filter((v) => v.status === 'published')
        .sort((a, b) => {
          const va = tryParseVersion(a.num);
          const vb = tryParseVersion(b.num);
          return va && vb ? compareVersions(va, vb) : a.id - b.id;
        })
        .pop();
      if (prev) {
        const prevDeps = await db
          .selectFrom('dependencies')
          .select('crate_name')
          .where('version_id', '=', prev.id)
          .execute();
        const prevPublisher = prev.published_by
          ? ((await users.findById(prev.published_by))?.login ?? null)
          : null;
        previousVersion = {
          version: prev.num,
          hasBuildScript: prev.has_build_script === 1,
          dependencies: prevDeps.map((d) => d.crate_name),
          publisher: prevPublisher,
        };
      }
      const weekAgo = new Date(now.getTime() - 7 * 86_400_000).toISOString();
      recentYanks = versions
        .filter((v) => v.yanked === 1 && v.yanked_at !== null && v.yanked_at >= weekAgo)
        .map((v) => ({ version: v.num, yankedAt: v.yanked_at! }));
    }
    let publisherFirstSeen: string | null = null;
    if (publisher) {
      const user = await users.findByLogin(publisher);
      if (user) {
        const first = await db
          .selectFrom('versions')
          .select((eb) => eb.fn.min('published_at').as('first'))
          .where('published_by', '=', user.id)
          .$if(versionId !== null, (q) => q.where('id', '<', versionId!))
          .executeTakeFirst();
        publisherFirstSeen = (first?.first as string | null) ?? null;
      }
    }
    const depInfo: NonNullable<RegistryContext['dependencyInfo']> = {};
    for (const name of new Set(depNames.map(canonicalCrateName))) {
      const dep = await crates.findByName(name);
      if (!dep) continue;
      const dependents = await crates.dependentCount(dep.id);
      const owners = (await crates.owners(dep.id)).map((o) => o.login);
      const latest = await db
        .selectFrom('versions')
        .select('id')
        .where('crate_id', '=', dep.id)
        .orderBy('id', 'desc')
        .executeTakeFirst();
      const scan = latest ? await scans.latest(latest.id) : undefined;
      depInfo[name] = {
        createdAt: dep.created_at,
        dependents,
        owners,
        ...(scan ? { verdict: scan.verdict as Severity | 'clean' } : {}),
      };
    }
    return {
      previousVersion,
      publisher,
      publisherFirstSeen,
      dependencyInfo: depInfo,
      recentYanks,
      popularFileHashes: await this.popularFileLookup(crateName, publisher, files),
      now,
    };
  }

  /**
   * Which popular crates (the typosquat corpus) hold each of these files, leaving out the crate
   * itself, crates the publisher owns, and files the publisher already ships elsewhere
   * (forking your own crate is not a clone attack).
   */
  private async popularFileLookup(
    crateName: string,
    publisher: string | null,
    files: FileHash[],
  ): Promise<Record<string, string[]>> {
    if (files.length === 0) return {};
    const { db, users, versionFiles, popular } = this.deps;
    const corpus = new Set((await popular.ranked()).map((c) => canonicalCrateName(c.name)));
    const own = new Set<string>([canonicalCrateName(crateName)]);
    const user = publisher ? await users.findByLogin(publisher) : undefined;
    if (user) {
      const owned = await db
        .selectFrom('crate_owners')
        .innerJoin('crates', 'crates.id', 'crate_owners.crate_id')
        .select('crates.canonical_name')
        .where('crate_owners.user_id', '=', user.id)
        .execute();
      for (const o of owned) own.add(o.canonical_name);
    }
    const found = await versionFiles.cratesWithFiles(files.map((f) => f.sha256));
    // Plain data, so the context can cross to a scan worker thread: sha256 → popular holders.
    const table: Record<string, string[]> = {};
    for (const sha of new Set(files.map((f) => f.sha256))) {
      const holders = [...(found.get(sha) ?? [])].map(canonicalCrateName);
      // A file the publisher already ships in a crate of their own is theirs to reuse.
      if (holders.some((n) => own.has(n) && n !== canonicalCrateName(crateName))) continue;
      const popularHolders = holders.filter((n) => corpus.has(n) && !own.has(n));
      if (popularHolders.length > 0) table[sha] = popularHolders;
    }
    return table;
  }
}
