// The `analyze` job: the source analysis (cargo-geiger's unsafe counts, resolved invocations) of
// a committed version's `.crate`, stored per version. Queued in the publish transaction beside
// the scan, and by `cratekeeper rescan --analysis` for versions published before. Idempotent: a
// run replaces whatever the version had, so a job that runs twice (a worker died after saving)
// leaves the same rows. The parse runs on a worker thread: the job's event loop stays free for
// the worker's heartbeat.
import { AnalysisPool } from '../analysis/analysis-pool.js';
import { summarizeAnalysis } from '../analysis/invocation-summary.js';
import type { BlobStore } from '../store/blob-store.js';
import type { CrateRepository } from '../store/crates.js';
import type { VersionAnalysisRepository } from '../store/version-analyses.js';

export interface AnalysisJob {
  versionId: number;
}

export interface AnalysisJobDeps {
  crates: CrateRepository;
  blobs: BlobStore;
  analyses: VersionAnalysisRepository;
}

export type AnalysisOutcome = 'analyzed' | 'failed' | 'gone';

/** Errors of the run, not of the crate: the job is retried instead of storing them. */
const TRANSIENT = /analysis pool is closed|all analysis workers crashed/;

export class AnalysisJobs {
  private pool: AnalysisPool | null = null;

  constructor(private readonly deps: AnalysisJobDeps) {}

  async run(job: AnalysisJob): Promise<AnalysisOutcome> {
    const { crates, blobs, analyses } = this.deps;
    const row = await crates.versionWithCrate(job.versionId);
    if (!row) return 'gone'; // deleted since it was queued
    const bytes = await blobs.get(row.checksum);
    if (!bytes) throw new Error(`the file of ${row.name}@${row.num} is missing from storage`);
    // One thread: analyses are background work and must not take the cores publishes need.
    this.pool ??= new AnalysisPool({ workers: 1 });
    const result = await this.pool.analyzeBytes(bytes, `${row.name}-${row.num}.crate`);
    if (!result.ok) {
      if (TRANSIENT.test(result.error)) throw new Error(result.error);
      // The crate itself cannot be analysed (no Cargo.toml, a timeout): that is the answer.
      await analyses.save(row.id, { error: result.error });
      return 'failed';
    }
    await analyses.save(row.id, summarizeAnalysis(result.analysis));
    return 'analyzed';
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.close();
  }
}
