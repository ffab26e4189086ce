// Brings advisories into the registry: a sync upserts a database's advisories by id in one
// transaction, and in that transaction every new or changed `malicious` advisory naming a
// crate present here raises a critical alert and, when it applies to that crate and the
// policy says so, quarantines the affected versions (with an audit entry each). The alert's
// notifications are queued in the same transaction (the jobs table is the outbox).
//
// `serve` schedules syncs by queueing `advisory-sync` jobs (see scheduleDue); the worker runs them.
import type { Kysely, Transaction } from 'kysely';
import { AdvisoryFormatError } from '../formats/advisory-markdown.js';
import { canonicalCrateName } from '../domain/crate-name.js';
import type { Advisory, AdvisoryIndex, AdvisoryProblem } from '../security/advisories/advisory.js';
import {
  advisoryScope,
  affectedNums,
  isMalicious,
  registrySourceId,
  type AdvisoryScope,
  type RegistryIdentity,
} from '../security/advisories/registry-scope.js';
import { planSync } from '../security/advisories/sync.js';
import { AdvisoryRepository, advisoryContentHash, toAdvisory } from '../store/advisories.js';
import type { AuditLog } from '../store/audit-log.js';
import type { CrateRepository } from '../store/crates.js';
import type { JobQueue } from '../store/jobs.js';
import type { AlertRow, Database } from '../store/schema.js';
import { nowIso } from '../store/time.js';
import type { AlertRaiser } from './alert-raiser.js';

/** Whether any string in the value holds a NUL character. */
function holdsNul(v: unknown): boolean {
  if (typeof v === 'string') return v.includes('\0');
  if (Array.isArray(v)) return v.some(holdsNul);
  if (v && typeof v === 'object') return Object.values(v).some(holdsNul);
  return false;
}

export interface AdvisoryConfig {
  /** Databases `serve` syncs from (paths, `.tar.gz` files, URLs). */
  sources: string[];
  /** Minutes between scheduled syncs; null: no schedule. */
  syncIntervalMinutes: number | null;
  /** This registry's crates are crates.io's (a mirror): crates.io advisories apply to them. */
  cratesIoMirror: boolean;
  /** Quarantine the affected versions when a malicious advisory applies to a crate here. */
  quarantineOnMalicious: boolean;
  /** Prefix of authored advisory ids: `CK` gives `CK-2026-0001`. */
  idPrefix: string;
}

export function defaultAdvisoryConfig(overrides: Partial<AdvisoryConfig> = {}): AdvisoryConfig {
  return {
    sources: [],
    syncIntervalMinutes: null,
    cratesIoMirror: false,
    quarantineOnMalicious: true,
    idPrefix: 'CK',
    ...overrides,
  };
}

/** The readers and writers of the advisory formats (formats/ and security/advisories/). */
export interface AdvisoryFormats {
  load(sources: string[]): Promise<AdvisoryIndex>;
  formatMarkdown(advisory: Advisory): string;
}

export interface MaliciousOutcome {
  advisory: string;
  crate: string;
  scope: AdvisoryScope;
  affected: string[];
  quarantined: string[];
  alertId: number;
}

export interface SyncReport {
  databases: { label: string; advisoryCount: number }[];
  added: number;
  updated: number;
  withdrawn: number;
  unchanged: number;
  problems: AdvisoryProblem[];
  malicious: MaliciousOutcome[];
}

export interface AdvisorySyncDeps {
  db: Kysely<Database>;
  crates: CrateRepository;
  audit: AuditLog;
  raiser: AlertRaiser;
  queue: JobQueue;
  config: AdvisoryConfig;
  formats: AdvisoryFormats;
  /** The registry's public URL (known only once `serve` listens). */
  publicUrl: () => string;
  /** Versions of these crates changed status: drop what was derived from them. */
  cratesChanged: (names: string[]) => void;
}

export interface SyncJob {
  /** Sources to sync from; the configured ones when absent. */
  sources?: string[];
}

export class AdvisorySync {
  readonly advisories: AdvisoryRepository;

  constructor(private readonly deps: AdvisorySyncDeps) {
    this.advisories = new AdvisoryRepository(deps.db);
  }

  get idPrefix(): string {
    return this.deps.config.idPrefix;
  }

  identity(): RegistryIdentity {
    return {
      source: registrySourceId(this.deps.publicUrl()),
      cratesIoMirror: this.deps.config.cratesIoMirror,
    };
  }

  /** Loads the databases and applies them. A database that cannot be read at all throws. */
  async sync(sources: string[] = this.deps.config.sources): Promise<SyncReport> {
    if (sources.length === 0) throw new Error('no advisory sources given (and none configured)');
    const index = await this.deps.formats.load(sources);
    return this.apply(index);
  }

  /** Upserts every advisory of the index in one transaction; a failure leaves nothing behind. */
  async apply(index: AdvisoryIndex, now = new Date()): Promise<SyncReport> {
    const { db, formats } = this.deps;
    const changedCrates = new Set<string>();
    const report = await db.transaction().execute(async (trx) => {
      const plan = planSync(index.advisories, await this.advisories.fingerprints(trx), advisoryContentHash);
      // An advisory the reader took but that cannot be stored as a RustSec file (the writer
      // refuses it, or it holds a NUL, which PostgreSQL text refuses) is reported and skipped;
      // any other failure rolls the whole sync back.
      const stored: Advisory[] = [];
      const skipped = new Set<Advisory>();
      for (const a of [...plan.added, ...plan.updated]) {
        let markdown: string;
        try {
          if (holdsNul(a)) throw new AdvisoryFormatError('the advisory contains a NUL character');
          markdown = formats.formatMarkdown(a);
        } catch (err) {
          if (!(err instanceof AdvisoryFormatError)) throw err;
          plan.problems.push({
            database: a.origin.database,
            file: a.origin.file,
            message: `not stored: ${err.message}`,
          });
          skipped.add(a);
          continue;
        }
        await this.advisories.upsert({ advisory: a, markdown, origin: 'synced' }, now, trx);
        stored.push(a);
      }
      const malicious: MaliciousOutcome[] = [];
      for (const a of stored) {
        const outcome = await this.actOnMalicious(trx, a, { actor: 'advisory-sync', reason: 'synced' });
        if (outcome) {
          malicious.push(outcome);
          if (outcome.quarantined.length > 0) changedCrates.add(outcome.crate);
        }
      }
      return {
        databases: index.databases.map((d) => ({ label: d.label, advisoryCount: d.advisoryCount })),
        added: plan.added.filter((a) => !skipped.has(a)).length,
        updated: plan.updated.filter((a) => !skipped.has(a)).length,
        withdrawn: plan.withdrawn.filter((a) => !skipped.has(a)).length,
        unchanged: plan.unchanged,
        problems: [...index.problems, ...plan.problems],
        malicious,
      } satisfies SyncReport;
    });
    this.deps.cratesChanged([...changedCrates]);
    this.deps.queue.ready();
    return report;
  }

  /**
   * A malicious advisory (not withdrawn) naming a crate present here: raises the critical alert
   * and, when the advisory applies to that crate and the policy says so, quarantines the
   * affected versions that are published. Null when there is nothing to act on. Runs in the
   * caller's transaction; the caller drops derived caches for `crate` after its commit.
   */
  async actOnMalicious(
    trx: Transaction<Database>,
    a: Advisory,
    by: { actor: string; actorId?: number | null; reason: string; quarantine?: boolean },
  ): Promise<MaliciousOutcome | null> {
    if (!isMalicious(a) || a.metadata.withdrawn !== null || a.metadata.collection !== 'crates') return null;
    const krate = await trx
      .selectFrom('crates')
      .selectAll()
      .where('canonical_name', '=', canonicalCrateName(a.metadata.package))
      .executeTakeFirst();
    if (!krate) return null;
    const versions = await trx
      .selectFrom('versions')
      .select(['id', 'num', 'status'])
      .where('crate_id', '=', krate.id)
      .where('status', '!=', 'rejected')
      .execute();
    const affected = new Set(
      affectedNums(
        a,
        versions.map((v) => v.num),
      ),
    );
    const scope = advisoryScope(a, this.identity());
    const quarantine =
      scope === 'applies' && this.deps.config.quarantineOnMalicious && by.quarantine !== false;
    const quarantined: string[] = [];
    if (quarantine) {
      for (const v of versions) {
        if (!affected.has(v.num) || v.status !== 'published') continue;
        await this.deps.crates.setStatus(v.id, 'quarantined', trx);
        await this.deps.audit.append(
          {
            actorId: by.actorId ?? null,
            actor: by.actor,
            action: 'advisory-quarantine',
            targetType: 'version',
            target: `${krate.name}@${v.num}`,
            reason: `${a.metadata.id}: ${a.metadata.title}`.slice(0, 500),
            details: { advisory: a.metadata.id, categories: a.metadata.categories, via: by.reason },
          },
          new Date(),
          trx,
        );
        quarantined.push(v.num);
      }
      if (quarantined.length > 0) await this.deps.crates.touch(krate.id, new Date(), trx);
    }
    const affectedList = [...affected];
    const alert: AlertRow = await this.deps.raiser.raise(trx, {
      kind: 'advisory',
      severity: 'critical',
      crateName: krate.name,
      version: null,
      versionId: null,
      title:
        scope === 'applies'
          ? `${krate.name}: malicious crate advisory ${a.metadata.id} — ${a.metadata.title}`
          : `${krate.name} has the name of a crate reported as malicious (${a.metadata.id}, ${a.metadata.source ?? 'crates.io'})`,
      details: {
        advisory: a.metadata.id,
        title: a.metadata.title,
        source: a.metadata.source,
        scope,
        categories: a.metadata.categories,
        url: a.metadata.url,
        affectedVersions: affectedList,
        quarantined,
        // Why nothing was quarantined, in the responder's words.
        ...(scope === 'name-only'
          ? {
              note: 'the advisory is for another registry’s crate of this name; this registry’s crate was not quarantined automatically (see [advisories] crates_io_mirror)',
            }
          : !this.deps.config.quarantineOnMalicious
            ? { note: 'quarantine_on_malicious_advisory is off' }
            : {}),
      },
      score: 100,
      dedupeKey: `advisory:${a.metadata.id}:${krate.canonical_name}`,
    });
    return {
      advisory: a.metadata.id,
      crate: krate.name,
      scope,
      affected: affectedList,
      quarantined,
      alertId: alert.id,
    };
  }

  /**
   * At publish, before the version is admitted: the malicious advisories that apply to
   * this crate and name this version. Non-empty means the version is held (when the policy
   * quarantines on malicious advisories).
   */
  async holdOnPublish(name: string, version: string): Promise<Advisory[]> {
    if (!this.deps.config.quarantineOnMalicious) return [];
    const identity = this.identity();
    return (await this.advisories.forPackage(name))
      .map(toAdvisory)
      .filter(
        (a) =>
          isMalicious(a) && advisoryScope(a, identity) === 'applies' && affectedNums(a, [version]).length > 0,
      );
  }

  /**
   * In the publish transaction: every live malicious advisory naming the crate raises (or
   * refreshes) its alert, so publishing the name of known malware is seen at once.
   */
  async actOnPublish(trx: Transaction<Database>, name: string): Promise<MaliciousOutcome[]> {
    const out: MaliciousOutcome[] = [];
    for (const row of await this.advisories.forPackage(name, trx)) {
      const a = toAdvisory(row);
      if (!isMalicious(a) || a.metadata.withdrawn !== null) continue;
      // Other versions are left as they are: one an administrator released stays released
      // (the new version itself was held by holdOnPublish).
      const outcome = await this.actOnMalicious(trx, a, {
        actor: 'publish',
        reason: 'published',
        quarantine: false,
      });
      if (outcome) out.push(outcome);
    }
    return out;
  }

  /**
   * Queues an `advisory-sync` job when syncs are scheduled, none is queued or running, and the
   * last one finished at least an interval ago. Called on a timer by `serve`: the timer only
   * queues, the worker syncs, and several processes doing this queue at most a few duplicates
   * (a sync is idempotent).
   */
  async scheduleDue(now = new Date()): Promise<boolean> {
    const { config, db, queue } = this.deps;
    if (config.syncIntervalMinutes === null || config.sources.length === 0) return false;
    const pending = await db
      .selectFrom('jobs')
      .select('id')
      .where('kind', '=', 'advisory-sync')
      .where('status', 'in', ['queued', 'running'])
      .executeTakeFirst();
    if (pending) return false;
    const last = await db
      .selectFrom('jobs')
      .select((eb) => eb.fn.max('finished_at').as('at'))
      .where('kind', '=', 'advisory-sync')
      .where('status', 'in', ['done', 'failed'])
      .executeTakeFirst();
    const due = nowIso(new Date(now.getTime() - config.syncIntervalMinutes * 60_000));
    if (last?.at && String(last.at) > due) return false;
    await queue.enqueue('advisory-sync', {} satisfies SyncJob, { maxAttempts: 3 });
    return true;
  }

  /** The `advisory-sync` job. */
  async run(job: SyncJob): Promise<SyncReport> {
    return this.sync(job.sources ?? this.deps.config.sources);
  }
}
