// What happens to a publish after (and, with quarantine on, during) the registry accepts
// it: the malicious-crate scan, typosquat and impersonation checks for new names and
// publishers, and the alerts responders act on.
import { canonicalCrateName } from '../domain/crate-name.js';
import { compareVersions, tryParseVersion } from '../domain/semver.js';
import type {
  AdmissionRequest,
  PublishedVersion,
  PublishService,
  Publisher,
} from '../registry/publish-service.js';
import { badRequest } from '../registry/errors.js';
import type { RegistryServices } from '../registry/services.js';
import { Scanner } from '../security/scanner/scanner.js';
import { atLeast, type RegistryContext, type ScanReport, type Severity } from '../security/scanner/types.js';
import {
  TyposquatChecker,
  defaultTyposquatConfig,
  type SquatHit,
  type TyposquatConfig,
} from '../security/typosquat/index.js';
import { AlertRepository, severityRank } from '../store/alerts.js';
import { JobQueue } from '../store/jobs.js';
import { ScanResultRepository } from '../store/scan-results.js';
import { VersionFileRepository, type FileHash } from '../store/version-files.js';
import { readCrateArchive } from '../formats/crate-archive.js';
import { createHash } from 'node:crypto';
import type { AlertSeverity } from '../store/schema.js';
import { registryCorpus, type RegistryPopularCrate } from './registry-corpus.js';
import type { Worker } from './worker.js';

export type QuarantinePolicy = 'off' | 'high' | 'critical';

export interface SecurityConfig {
  /** Versions whose scan verdict is at or above this wait for an administrator. */
  quarantine: QuarantinePolicy;
  typosquat: TyposquatConfig;
  /** How long the popular-crate corpus is reused before it is rebuilt (ms). */
  corpusRefreshMs: number;
  /** Window for "recent downloads" when ranking popular crates (crates.io: 90 days). */
  downloadWindowDays: number;
}

export function defaultSecurityConfig(overrides: Partial<SecurityConfig> = {}): SecurityConfig {
  return {
    quarantine: 'off',
    typosquat: defaultTyposquatConfig(),
    corpusRefreshMs: 5 * 60_000,
    downloadWindowDays: 90,
    ...overrides,
  };
}

interface ScanJob {
  versionId: number;
}
interface TyposquatJob {
  versionId: number;
  newCrate: boolean;
  publisher: string;
}

/** Typosquat scores run 0–100; these bands decide how loudly a hit is raised. */
function squatSeverity(score: number): AlertSeverity {
  return score >= 70 ? 'high' : score >= 40 ? 'medium' : 'low';
}

export class SecurityPipeline {
  readonly queue: JobQueue;
  readonly alerts: AlertRepository;
  readonly scans: ScanResultRepository;
  private scanner: Promise<Scanner> | null = null;
  private checker: {
    at: number;
    checker: TyposquatChecker;
    size: number;
    ranked: RegistryPopularCrate[];
  } | null = null;
  private checkerBuild: Promise<TyposquatChecker> | null = null;
  /** Reports from scans run during admission, saved once the version has an id. */
  private readonly inlineReports = new Map<string, { report: ScanReport; files: FileHash[] }>();
  readonly versionFiles: VersionFileRepository;
  /** Called after an alert is created (notifications hook in here). */
  readonly alertListeners: ((alert: {
    id: number;
    severity: AlertSeverity;
    title: string;
    kind: string;
    crateName: string;
  }) => void | Promise<void>)[] = [];

  constructor(
    private readonly services: RegistryServices,
    readonly config: SecurityConfig,
  ) {
    const { kysely, dialect } = services.db;
    this.queue = new JobQueue(kysely, dialect);
    this.alerts = new AlertRepository(kysely);
    this.scans = new ScanResultRepository(kysely);
    this.versionFiles = new VersionFileRepository(kysely);
  }

  /** Hooks the pipeline into the publish path. */
  attach(publisher: PublishService): void {
    publisher.preChecks.push((metadata, who, newCrate) =>
      this.refuseBlockedSquat(metadata.name, who, newCrate),
    );
    publisher.admission = (req) => this.admit(req);
    publisher.onPublished((published) => this.afterPublish(published));
  }

  register(worker: Worker): void {
    worker.handle('scan', async (payload) => {
      await this.runScanJob(payload as ScanJob);
    });
    worker.handle('typosquat', async (payload) => {
      await this.runTyposquatJob(payload as TyposquatJob);
    });
  }

  private async getScanner(): Promise<Scanner> {
    this.scanner ??= Scanner.create();
    return this.scanner;
  }

  /** The checker over the registry's popular crates, rebuilt when older than the refresh interval. */
  async typosquatChecker(forceRefresh = false): Promise<TyposquatChecker> {
    const fresh = this.checker && Date.now() - this.checker.at < this.config.corpusRefreshMs;
    if (this.checker && fresh && !forceRefresh) return this.checker.checker;
    this.checkerBuild ??= (async () => {
      const ranked = await registryCorpus(
        this.services.crates,
        this.config.typosquat.top,
        this.config.downloadWindowDays,
      );
      const checker = new TyposquatChecker(ranked, this.config.typosquat);
      checker.prepare(); // build the lookup table now, not on the first check
      this.checker = { at: Date.now(), checker, size: ranked.length, ranked };
      return checker;
    })().finally(() => (this.checkerBuild = null));
    return this.checkerBuild;
  }

  /**
   * The checker to judge a new crate with: the corpus as it stood before the crate existed.
   * In a registry smaller than the corpus every crate is in it, the candidate and crates
   * published after it included; neither is an original the candidate can imitate.
   */
  private async checkerFor(name: string, crateId: number): Promise<TyposquatChecker> {
    const checker = await this.typosquatChecker();
    const cached = this.checker;
    if (!cached) return checker;
    // Only crates that existed before the candidate can be the original it imitates.
    const older = cached.ranked.filter((c) => c.id < crateId);
    if (older.length === cached.ranked.length) return checker;
    return new TyposquatChecker(older, this.config.typosquat);
  }

  private async refuseBlockedSquat(name: string, publisher: Publisher, newCrate: boolean): Promise<void> {
    const blockTop = this.config.typosquat.blockTop;
    if (!newCrate || blockTop <= 0) return;
    const checker = await this.typosquatChecker();
    const hit = checker.check({ name, owners: [publisher.user.login] }).find((h) => h.targetRank <= blockTop);
    if (hit) {
      throw badRequest(
        `the name \`${name}\` is too close to the popular crate \`${hit.target}\` (${hit.message}); this registry does not accept such names. If this is a mistake, ask the registry administrators.`,
      );
    }
  }

  private async admit(
    req: AdmissionRequest,
  ): Promise<{ status: 'published' | 'quarantined'; warning?: string }> {
    if (this.config.quarantine === 'off') return { status: 'published' };
    // With quarantine on, the scan decides before the version reaches the index.
    const files = await hashFiles(req.crateBytes);
    const context = await this.scanContext(
      req.metadata.name,
      null,
      req.publisher.user.login,
      req.metadata.deps.map((d) => d.name),
      files,
    );
    const report = await (await this.getScanner()).scanCrateBytes(req.crateBytes, context);
    this.inlineReports.set(`${canonicalCrateName(req.metadata.name)}@${req.metadata.vers}`, {
      report,
      files,
    });
    if (report.verdict !== 'clean' && atLeast(report.verdict, this.config.quarantine as Severity)) {
      return {
        status: 'quarantined',
        warning: `${req.metadata.name}@${req.metadata.vers} is held for security review (scanner verdict: ${report.verdict}) and will not resolve until an administrator releases it`,
      };
    }
    return { status: 'published' };
  }

  private async afterPublish(p: PublishedVersion): Promise<void> {
    // While the registry has fewer crates than the corpus holds, every new crate joins it; past
    // that, a new crate (no downloads, no dependents) cannot rank, and the TTL refresh suffices.
    if (p.newCrate && this.checker && this.checker.size < this.config.typosquat.top) this.checker = null;
    const key = `${canonicalCrateName(p.crate.name)}@${p.version.num}`;
    const inline = this.inlineReports.get(key);
    this.inlineReports.delete(key);
    if (inline) {
      await this.versionFiles.save(p.version.id, inline.files);
      await this.recordScan(p.version.id, p.crate.name, p.version.num, inline.report);
    } else await this.queue.enqueue('scan', { versionId: p.version.id } satisfies ScanJob);
    const publisher = (await this.services.users.findById(p.version.published_by ?? -1))?.login ?? '';
    await this.queue.enqueue('typosquat', {
      versionId: p.version.id,
      newCrate: p.newCrate,
      publisher,
    } satisfies TyposquatJob);
  }

  async runScanJob(job: ScanJob): Promise<ScanReport | null> {
    const row = await this.versionWithCrate(job.versionId);
    if (!row) return null; // deleted since it was queued
    const bytes = await this.services.blobs.get(row.checksum);
    if (!bytes) throw new Error(`the file of ${row.name}@${row.num} is missing from storage`);
    const publisher = row.published_by
      ? ((await this.services.users.findById(row.published_by))?.login ?? null)
      : null;
    const deps = await this.services.db.kysely
      .selectFrom('dependencies')
      .select('crate_name')
      .where('version_id', '=', row.id)
      .execute();
    const files = await hashFiles(bytes);
    const context = await this.scanContext(
      row.name,
      row.id,
      publisher,
      deps.map((d) => d.crate_name),
      files,
    );
    const report = await (await this.getScanner()).scanCrateBytes(bytes, context);
    await this.versionFiles.save(row.id, files);
    await this.recordScan(row.id, row.name, row.num, report);
    return report;
  }

  private async recordScan(
    versionId: number,
    crateName: string,
    version: string,
    report: ScanReport,
  ): Promise<void> {
    await this.scans.save({
      versionId,
      verdict: report.verdict,
      findings: report.findings,
      capabilities: report.capabilities,
      stats: report.stats,
    });
    if (report.verdict === 'clean' || !atLeast(report.verdict, 'medium')) return;
    const top = [...report.findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity))[0];
    await this.raise({
      kind: 'scanner',
      severity: report.verdict,
      crateName,
      version,
      versionId,
      title: `${crateName}@${version}: ${report.verdict} — ${top?.title ?? 'suspicious code'}`,
      details: {
        verdict: report.verdict,
        findings: report.findings,
        capabilities: report.capabilities,
        stats: report.stats,
      },
      score: severityRank(report.verdict) * 20 + Math.min(report.findings.length, 19),
      dedupeKey: `scanner:${canonicalCrateName(crateName)}@${version}`,
    });
  }

  async runTyposquatJob(job: TyposquatJob): Promise<SquatHit[]> {
    const row = await this.versionWithCrate(job.versionId);
    if (!row) return [];
    const checker = await this.checkerFor(row.name, row.crate_id);
    const hits = job.newCrate
      ? checker.check({
          name: row.name,
          owners: job.publisher ? [job.publisher] : [],
          description: row.crate_description,
          readme: row.readme,
        })
      : [];
    for (const hit of hits) {
      await this.raise({
        kind: 'typosquat',
        severity: squatSeverity(hit.score),
        crateName: row.name,
        version: row.num,
        versionId: row.id,
        title: `${row.name} imitates ${hit.target}: ${hit.message}`,
        details: { candidate: row.name, publisher: job.publisher, ...hit },
        score: hit.score,
        dedupeKey: `typosquat:${canonicalCrateName(row.name)}:${canonicalCrateName(hit.target)}:${hit.kind}`,
      });
    }
    if (job.publisher) {
      for (const hit of checker.checkPublisher(job.publisher)) {
        await this.raise({
          kind: 'impersonation',
          severity: squatSeverity(Math.max(hit.score, 70)),
          crateName: row.name,
          version: row.num,
          versionId: row.id,
          title: `publisher ${job.publisher} imitates ${hit.target}, owner of ${hit.crates.slice(0, 3).join(', ')}`,
          details: { publisher: job.publisher, ...hit },
          score: hit.score,
          dedupeKey: `impersonation:${job.publisher.toLowerCase()}:${hit.target.toLowerCase()}`,
        });
      }
    }
    return hits;
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
    await this.typosquatChecker();
    const popular = new Set((this.checker?.ranked ?? []).map((c) => canonicalCrateName(c.name)));
    const own = new Set<string>([canonicalCrateName(crateName)]);
    const user = publisher ? await this.services.users.findByLogin(publisher) : undefined;
    if (user) {
      const owned = await this.services.db.kysely
        .selectFrom('crate_owners')
        .innerJoin('crates', 'crates.id', 'crate_owners.crate_id')
        .select('crates.canonical_name')
        .where('crate_owners.user_id', '=', user.id)
        .execute();
      for (const o of owned) own.add(o.canonical_name);
    }
    const found = await this.versionFiles.cratesWithFiles(files.map((f) => f.sha256));
    // Plain data (the scanner's context may cross to a worker thread): sha256 → popular holders.
    const table: Record<string, string[]> = {};
    for (const sha of new Set(files.map((f) => f.sha256))) {
      const holders = [...(found.get(sha) ?? [])].map(canonicalCrateName);
      // A file the publisher already ships in a crate of their own is theirs to reuse.
      if (holders.some((n) => own.has(n) && n !== canonicalCrateName(crateName))) continue;
      const popularHolders = holders.filter((n) => popular.has(n) && !own.has(n));
      if (popularHolders.length > 0) table[sha] = popularHolders;
    }
    return table;
  }

  private async raise(alert: Parameters<AlertRepository['raise']>[0]): Promise<void> {
    const { alert: row, created } = await this.alerts.raise(alert);
    if (created) {
      for (const l of this.alertListeners) {
        await l({
          id: row.id,
          severity: row.severity,
          title: row.title,
          kind: row.kind,
          crateName: row.crate_name,
        });
      }
    }
  }

  private async versionWithCrate(versionId: number) {
    return this.services.db.kysely
      .selectFrom('versions')
      .innerJoin('crates', 'crates.id', 'versions.crate_id')
      .select([
        'versions.id',
        'versions.num',
        'versions.checksum',
        'versions.published_by',
        'versions.crate_id',
        'crates.name',
        'crates.description as crate_description',
        'crates.readme',
      ])
      .where('versions.id', '=', versionId)
      .executeTakeFirst();
  }

  /**
   * What the registry knows that the scanner's history rules need: the previous version, the
   * publisher's track record, the dependencies' age and reputation, recent yanks.
   */
  async scanContext(
    crateName: string,
    versionId: number | null,
    publisher: string | null,
    depNames: string[],
    files: FileHash[] = [],
  ): Promise<RegistryContext> {
    const db = this.services.db.kysely;
    const now = new Date();
    const krate = await this.services.crates.findByName(crateName);
    let previousVersion: RegistryContext['previousVersion'] = null;
    let recentYanks: RegistryContext['recentYanks'] = [];
    if (krate) {
      const versions = (await this.services.crates.versions(krate.id)).filter(
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
          ? ((await this.services.users.findById(prev.published_by))?.login ?? null)
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
      const user = await this.services.users.findByLogin(publisher);
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
      const dep = await this.services.crates.findByName(name);
      if (!dep) continue;
      const dependents = await this.services.crates.dependentCount(dep.id);
      const owners = (await this.services.crates.owners(dep.id)).map((o) => o.login);
      const latest = await db
        .selectFrom('versions')
        .select('id')
        .where('crate_id', '=', dep.id)
        .orderBy('id', 'desc')
        .executeTakeFirst();
      const scan = latest ? await this.scans.latest(latest.id) : undefined;
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
}

const MAX_HASHED_FILE = 4 * 1024 * 1024;

/** SHA-256 of each file of a crate (tiny files say nothing about copying and are skipped). */
async function hashFiles(bytes: Buffer): Promise<FileHash[]> {
  const archive = await readCrateArchive(bytes, {
    keep: (_p, size) => size >= 64 && size <= MAX_HASHED_FILE,
  });
  return archive.files
    .filter((f) => f.data !== null)
    .map((f) => ({ path: f.path, size: f.size, sha256: createHash('sha256').update(f.data!).digest('hex') }));
}
