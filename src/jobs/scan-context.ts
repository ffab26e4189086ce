// What the registry knows that the scanner's history rules need: the previous version, the
// publisher's track record, the dependencies' age and reputation, recent yanks, and which
// popular crates already hold the candidate's files, and which one it may be a clone of (with
// that original's sources, for the function-level comparison).
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { parse as parseToml } from 'smol-toml';
import { canonicalCrateName } from '../domain/crate-name.js';
import { compareVersions, pickMaxVersion, tryParseVersion } from '../domain/semver.js';
import {
  ORIGINAL_SOURCE_BOUNDS,
  boundSources,
  isComparedSource,
} from '../security/scanner/clones/sources.js';
import { readCrateForScan } from '../security/scanner/read-crate.js';
import type { ScanFile } from '../security/scanner/read-crate.js';
import type { SourceFile } from '../security/scanner/rules/model.js';
import type { CloneCandidate, CloneReason, RegistryContext, Severity } from '../security/scanner/types.js';
import type { BlobStore } from '../store/blob-store.js';
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
  /** Where the clone candidate's `.crate` is read from. */
  blobs: BlobStore;
  crates: CrateRepository;
  users: UserRepository;
  scans: ScanResultRepository;
  versionFiles: VersionFileRepository;
  popular: PopularCrates;
}

/** What the one bounded read gives that the clone lookup needs (a CrateFiles will do). */
export interface CrateProbe {
  manifestText: string;
  files: readonly SourceFile[];
}

/** READMEs shorter than this are templates, not evidence of copying. */
const MIN_README_CHARS = 200;
const DEFAULT_READMES = ['README.md', 'README.txt', 'README', 'readme.md'];
const utf8 = new TextDecoder('utf-8', { fatal: false });

/** `https://www.GitHub.com/a/b.git/` and `http://github.com/a/b` are one repository. */
export function normalizeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  const u = url
    .trim()
    .toLowerCase()
    .replace(/^[a-z+]+:\/\//, '')
    .replace(/^www\./, '')
    .replace(/[?#].*$/, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
  // A bare host (`github.com`) says nothing about which crate it is.
  return u.includes('/') ? u : null;
}

const sha = (text: string) => createHash('sha256').update(text.replace(/\r\n/g, '\n').trim()).digest('hex');

/** What the manifest and README say the crate is, read leniently (the scan reports bad manifests). */
function identityOf(probe: CrateProbe): {
  libName: string | null;
  repository: string | null;
  homepage: string | null;
  readmeHash: string | null;
} {
  let doc: Record<string, unknown> = {};
  try {
    doc = parseToml(probe.manifestText, { maxDepth: 100 }) as Record<string, unknown>;
  } catch {
    // Nothing to read identity from.
  }
  const table = (v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const pkg = table(doc.package);
  const readmePath = str(pkg.readme);
  const readme = probe.files.find((f) =>
    readmePath ? f.path === readmePath.replace(/^\.\//, '') : DEFAULT_READMES.includes(f.path),
  );
  const readmeText = readme?.data ? utf8.decode(readme.data).trim() : '';
  return {
    libName: str(table(doc.lib).name),
    repository: normalizeUrl(str(pkg.repository)),
    homepage: normalizeUrl(str(pkg.homepage)),
    readmeHash: readmeText.length >= MIN_README_CHARS ? sha(readmeText) : null,
  };
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
    crate?: CrateProbe,
  ): Promise<RegistryContext> {
    const { db, crates, users, scans } = this.deps;
    const now = new Date();
    const krate = await crates.findByName(crateName);
    let previousVersion: RegistryContext['previousVersion'] = null;
    let recentYanks: RegistryContext['recentYanks'] = [];
    let owners: string[] = [];
    if (krate) {
      owners = (await crates.owners(krate.id)).map((o) => o.login);
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
    const own = await this.ownCrates(crateName, publisher);
    const popularFileHashes = await this.popularFileLookup(crateName, own, files);
    return {
      previousVersion,
      publisher,
      owners,
      publisherFirstSeen,
      dependencyInfo: depInfo,
      recentYanks,
      popularFileHashes,
      cloneCandidate: await this.cloneCandidate(krate?.id ?? null, own, files, popularFileHashes, crate),
      now,
    };
  }

  /** The crate itself and every crate its publisher owns, by canonical name. */
  private async ownCrates(crateName: string, publisher: string | null): Promise<Set<string>> {
    const { db, users } = this.deps;
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
    return own;
  }

  /**
   * The popular crate this one may be a clone of: the one sharing the most Rust files by hash,
   * else one it names as its `[lib] name`, whose repository or homepage it copies, or whose
   * README it ships; with the Rust sources of its newest non-yanked version, bounded. Popular
   * crates created after this one are no originals of it (as in PopularCrates.checkerBefore).
   */
  private async cloneCandidate(
    crateId: number | null,
    own: ReadonlySet<string>,
    files: FileHash[],
    popularFileHashes: Record<string, string[]>,
    probe: CrateProbe | undefined,
  ): Promise<CloneCandidate | null> {
    const { db, popular } = this.deps;
    const corpus = (await popular.ranked()).filter(
      (c) => !own.has(canonicalCrateName(c.name)) && (crateId === null || c.id < crateId),
    );
    if (corpus.length === 0) return null;
    const score = new Map<string, { shared: number; reasons: CloneReason[]; rank: number }>();
    const byName = new Map(corpus.map((c, rank) => [canonicalCrateName(c.name), { c, rank }]));
    const entry = (name: string) => {
      const e = score.get(name) ?? { shared: 0, reasons: [], rank: byName.get(name)!.rank };
      score.set(name, e);
      return e;
    };
    for (const sha256 of new Set(files.filter((f) => isComparedSource(f.path)).map((f) => f.sha256))) {
      for (const holder of popularFileHashes[sha256] ?? []) {
        const name = canonicalCrateName(holder);
        if (byName.has(name)) entry(name).shared++;
      }
    }
    if (probe) {
      const id = identityOf(probe);
      if (id.libName && byName.has(canonicalCrateName(id.libName)))
        entry(canonicalCrateName(id.libName)).reasons.push('lib-name');
      if (id.readmeHash)
        for (const c of corpus)
          if (c.readme && c.readme.trim().length >= MIN_README_CHARS && sha(c.readme) === id.readmeHash)
            entry(canonicalCrateName(c.name)).reasons.push('readme');
      if (id.repository || id.homepage) {
        for (let i = 0; i < corpus.length; i += 500) {
          const rows = await db
            .selectFrom('crates')
            .select(['canonical_name', 'repository', 'homepage'])
            .where(
              'id',
              'in',
              corpus.slice(i, i + 500).map((c) => c.id),
            )
            .execute();
          for (const r of rows) {
            const repo = normalizeUrl(r.repository);
            const home = normalizeUrl(r.homepage);
            if (id.repository && (repo === id.repository || home === id.repository))
              entry(r.canonical_name).reasons.push('repository');
            else if (id.homepage && (home === id.homepage || repo === id.homepage))
              entry(r.canonical_name).reasons.push('homepage');
          }
        }
      }
    }
    const best = [...score.entries()].sort(
      ([, a], [, b]) => b.shared - a.shared || b.reasons.length - a.reasons.length || a.rank - b.rank,
    )[0];
    if (!best) return null;
    const [name, { shared, reasons }] = best;
    return this.loadCandidate(
      byName.get(name)!.c,
      shared,
      shared > 0 ? ['shared-files', ...reasons] : reasons,
    );
  }

  /** The newest non-yanked published version's Rust sources; null when it cannot be read. */
  private async loadCandidate(
    original: { id: number; name: string },
    sharedFiles: number,
    reasons: CloneReason[],
  ): Promise<CloneCandidate | null> {
    const { crates, blobs } = this.deps;
    const versions = (await crates.versions(original.id)).filter(
      (v) => v.status === 'published' && v.yanked === 0,
    );
    if (versions.length === 0) return null;
    const num = pickMaxVersion(versions);
    const version = versions.find((v) => v.num === num)!;
    const bytes = await blobs.get(version.checksum);
    if (!bytes) return null;
    let read: Awaited<ReturnType<typeof readCrateForScan>>;
    try {
      // Code only: the comparison reads no data files, so none are kept.
      read = await readCrateForScan(bytes, {
        read: {
          maxCodeBytes: 4 * ORIGINAL_SOURCE_BOUNDS.maxBytes,
          maxDataFileBytes: 0,
          maxDataBytes: 0,
          headBytes: 0,
        },
      });
    } catch {
      return null; // an unreadable original is no reason to fail this crate's scan
    }
    const texts = read.files.flatMap((f) =>
      f.data && isComparedSource(f.path) ? [{ path: f.path, text: utf8.decode(f.data) }] : [],
    );
    const { sources, truncated } = boundSources(texts, ORIGINAL_SOURCE_BOUNDS);
    if (sources.length === 0) return null;
    return { name: original.name, version: num, reasons, sharedFiles, sources, truncated };
  }

  /**
   * Which popular crates (the typosquat corpus) hold each of these files, leaving out the crate
   * itself, crates the publisher owns, and files the publisher already ships elsewhere
   * (forking your own crate is not a clone attack).
   */
  private async popularFileLookup(
    crateName: string,
    own: ReadonlySet<string>,
    files: FileHash[],
  ): Promise<Record<string, string[]>> {
    if (files.length === 0) return {};
    const { versionFiles, popular } = this.deps;
    const corpus = new Set((await popular.ranked()).map((c) => canonicalCrateName(c.name)));
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
