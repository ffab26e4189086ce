// The `scan` job: reads a committed version's file once (within the read ceilings), scans it
// with the registry's history as context, and records report, file hashes and alerts in one
// transaction. Also records the report of an inline (quarantine) scan inside the publish.
import type { Kysely, Transaction } from 'kysely';
import { canonicalCrateName } from '../domain/crate-name.js';
import { readCrateForScan } from '../security/scanner/read-crate.js';
import { mergeDetonation } from '../security/sandbox/merge-report.js';
import { atLeast, type Finding, type ScanReport } from '../security/scanner/types.js';
import { severityRank } from '../store/alerts.js';
import type { BlobStore } from '../store/blob-store.js';
import type { CrateRepository } from '../store/crates.js';
import type { JobQueue, JobRun } from '../store/jobs.js';
import type { ScanResultRepository } from '../store/scan-results.js';
import type { Database } from '../store/schema.js';
import type { UserRepository } from '../store/users.js';
import type { FileHash, VersionFileRepository } from '../store/version-files.js';
import type { AlertRaiser } from './alert-raiser.js';
import { fileHashes, type ScanContextSource } from './scan-context.js';
import type { ScanRunner } from './scan-runner.js';

export interface ScanJob {
  versionId: number;
}

export interface ScanJobDeps {
  db: Kysely<Database>;
  blobs: BlobStore;
  crates: CrateRepository;
  users: UserRepository;
  scans: ScanResultRepository;
  versionFiles: VersionFileRepository;
  contexts: ScanContextSource;
  runner: ScanRunner;
  raiser: AlertRaiser;
  queue: JobQueue;
}

export class ScanJobs {
  constructor(private readonly deps: ScanJobDeps) {}

  /** Given the worker's `run`, the report and the job's completion commit together. */
  async run(job: ScanJob, run?: JobRun): Promise<ScanReport | null> {
    const { db, blobs, crates, users, contexts } = this.deps;
    const row = await crates.versionWithCrate(job.versionId);
    if (!row) return null; // deleted since it was queued
    const bytes = await blobs.get(row.checksum);
    if (!bytes) throw new Error(`the file of ${row.name}@${row.num} is missing from storage`);
    const archive = await readCrateForScan(bytes);
    const files = fileHashes(archive.files);
    const publisher = row.published_by ? ((await users.findById(row.published_by))?.login ?? null) : null;
    const context = await contexts.build(
      row.name,
      row.id,
      publisher,
      await crates.dependencyNames(row.id),
      files,
      archive,
    );
    const scanned = await this.deps.runner.scan(archive, context, { name: row.name, version: row.num });
    // A rescan reads the same bytes again; what the sandboxed build saw of them still holds, and
    // rebuilding in the sandbox is the detonate job's (costly) business.
    const previous = await this.deps.scans.latest(row.id);
    const sandboxed = previous
      ? (JSON.parse(previous.findings) as Finding[]).filter((f) => f.ruleId.startsWith('sandbox.'))
      : [];
    const report = sandboxed.length > 0 ? mergeDetonation(scanned, sandboxed) : scanned;
    await db.transaction().execute(async (trx) => {
      await this.record(trx, row.id, row.name, row.num, report, files);
      await run?.completeIn(trx);
    });
    this.deps.queue.ready();
    return report;
  }

  /** Saves a report with the version's file hashes, and raises an alert from medium up. */
  async record(
    trx: Transaction<Database>,
    versionId: number,
    crateName: string,
    version: string,
    report: ScanReport,
    files: FileHash[],
  ): Promise<void> {
    await this.deps.versionFiles.save(versionId, files, trx);
    await this.deps.scans.save(
      {
        versionId,
        verdict: report.verdict,
        findings: report.findings,
        capabilities: report.capabilities,
        stats: report.stats,
      },
      new Date(),
      trx,
    );
    if (report.verdict === 'clean' || !atLeast(report.verdict, 'medium')) return;
    const top = [...report.findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity))[0];
    await this.deps.raiser.raise(trx, {
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
}
