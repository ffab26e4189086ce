// The security pipeline, composed: the publish policy the publish service receives, and the
// background jobs (scan, source analysis, typosquat, sandboxed build, notifications) a worker runs. Each role lives in its own
// module; this one only wires them.
import type { Kysely } from 'kysely';
import { AlertRepository } from '../store/alerts.js';
import type { BlobStore } from '../store/blob-store.js';
import type { CrateRepository } from '../store/crates.js';
import { JobQueue } from '../store/jobs.js';
import { ScanResultRepository } from '../store/scan-results.js';
import type { Database } from '../store/schema.js';
import type { UserRepository } from '../store/users.js';
import { VersionAnalysisRepository } from '../store/version-analyses.js';
import { VersionFileRepository } from '../store/version-files.js';
import type { DialectName } from '../store/dialect.js';
import { AlertRaiser } from './alert-raiser.js';
import { AnalysisJobs, type AnalysisJob } from './analysis-job.js';
import { AdvisorySync, type SyncJob } from './advisory-sync.js';
import { advisoryFormats } from './advisory-formats.js';
import type { AuditLog } from '../store/audit-log.js';
import { DetonateJobs, type DetonateJob } from './detonate-job.js';
import { Notifier, defaultNotificationConfig, type NotificationConfig } from './notifications.js';
import { PopularCrates } from './popular-crates.js';
import { ScanContextSource } from './scan-context.js';
import { ScanJobs, type ScanJob } from './scan-job.js';
import { ScanRunner, defaultScanRunnerOptions, type ScanRunnerOptions } from './scan-runner.js';
import type { SecurityConfig } from './security-config.js';
import { SecurityPolicy } from './security-policy.js';
import { TyposquatJobs, type TyposquatJob } from './typosquat-job.js';
import type { Worker } from './worker.js';

export { defaultSecurityConfig } from './security-config.js';
export type { QuarantinePolicy, SecurityConfig } from './security-config.js';

export interface SecurityPipelineDeps {
  db: Kysely<Database>;
  dialect: DialectName;
  crates: CrateRepository;
  users: UserRepository;
  blobs: BlobStore;
  audit: AuditLog;
  /** The registry's public URL (advisories name this registry by its index URL). */
  publicUrl: () => string;
  /** Versions of these crates changed status outside a request (advisory quarantine). */
  cratesChanged: (names: string[]) => void;
}

export class SecurityPipeline {
  readonly queue: JobQueue;
  readonly alerts: AlertRepository;
  readonly scans: ScanResultRepository;
  readonly versionFiles: VersionFileRepository;
  readonly analyses: VersionAnalysisRepository;
  readonly analysisJobs: AnalysisJobs;
  readonly popular: PopularCrates;
  readonly policy: SecurityPolicy;
  readonly scanJobs: ScanJobs;
  readonly typosquatJobs: TyposquatJobs;
  readonly detonateJobs: DetonateJobs;
  readonly notifier: Notifier;
  readonly advisorySync: AdvisorySync;
  /** The worker threads scans run on (inline and jobs). */
  readonly runner: ScanRunner;

  constructor(
    deps: SecurityPipelineDeps,
    readonly config: SecurityConfig,
    notifications: NotificationConfig = defaultNotificationConfig(),
    runner: ScanRunnerOptions = defaultScanRunnerOptions(),
  ) {
    const { db, crates, users, blobs } = deps;
    this.queue = new JobQueue(db, deps.dialect);
    this.alerts = new AlertRepository(db);
    this.scans = new ScanResultRepository(db);
    this.versionFiles = new VersionFileRepository(db);
    this.analyses = new VersionAnalysisRepository(db);
    this.analysisJobs = new AnalysisJobs({ crates, blobs, analyses: this.analyses });
    this.popular = new PopularCrates(crates, config);
    this.notifier = new Notifier(notifications, this.queue, this.alerts);
    const raiser = new AlertRaiser(this.alerts, this.notifier);
    this.runner = new ScanRunner(runner);
    const contexts = new ScanContextSource({
      db,
      blobs,
      crates,
      users,
      scans: this.scans,
      versionFiles: this.versionFiles,
      popular: this.popular,
    });
    this.scanJobs = new ScanJobs({
      db,
      blobs,
      crates,
      users,
      scans: this.scans,
      versionFiles: this.versionFiles,
      contexts,
      runner: this.runner,
      raiser,
      queue: this.queue,
    });
    this.detonateJobs = new DetonateJobs({
      db,
      blobs,
      crates,
      scans: this.scans,
      raiser,
      config: config.detonate,
    });
    this.advisorySync = new AdvisorySync({
      db,
      crates,
      audit: deps.audit,
      raiser,
      queue: this.queue,
      config: config.advisories,
      formats: advisoryFormats,
      publicUrl: deps.publicUrl,
      cratesChanged: deps.cratesChanged,
    });
    this.typosquatJobs = new TyposquatJobs({ db, crates, popular: this.popular, raiser, queue: this.queue });
    this.policy = new SecurityPolicy({
      config,
      queue: this.queue,
      popular: this.popular,
      contexts,
      runner: this.runner,
      scanJobs: this.scanJobs,
      advisories: this.advisorySync,
    });
  }

  /** The jobs a worker runs for the pipeline. */
  register(worker: Worker): void {
    worker.handle('scan', async (payload, _job, run) => {
      await this.scanJobs.run(payload as ScanJob, run);
    });
    worker.handle('analyze', async (payload) => {
      await this.analysisJobs.run(payload as AnalysisJob);
    });
    worker.handle('typosquat', async (payload) => {
      await this.typosquatJobs.run(payload as TyposquatJob);
    });
    worker.handle('detonate', async (payload, _job, run) => {
      await this.detonateJobs.run(payload as DetonateJob, run);
    });
    worker.handle('advisory-sync', async (payload) => {
      await this.advisorySync.run(payload as SyncJob);
    });
    this.notifier.register(worker);
  }

  async close(): Promise<void> {
    await this.runner.close();
    await this.analysisJobs.close();
  }
}
