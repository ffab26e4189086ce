// The `detonate` job: the sandboxed build of a published version's build script and
// proc-macros (src/security/sandbox/), with dependencies vendored from this registry. Its
// findings are merged into the version's scan report (a new scan result: the newest counts)
// and an alert is raised from medium up. It waits for the version's static scan to be recorded
// (retrying), so the merged report never drops the static findings.
import type { Kysely } from 'kysely';
import { canonicalCrateName } from '../domain/crate-name.js';
import { parseManifest } from '../domain/manifest.js';
import { readCrateArchive } from '../formats/crate-archive.js';
import {
  Detonator,
  defaultDetonatorOptions,
  findSandboxTools,
  mergeDetonation,
} from '../security/sandbox/index.js';
import { atLeast, type ScanReport } from '../security/scanner/types.js';
import { severityRank } from '../store/alerts.js';
import type { BlobStore } from '../store/blob-store.js';
import type { CrateRepository } from '../store/crates.js';
import type { JobRun } from '../store/jobs.js';
import type { ScanResultRepository } from '../store/scan-results.js';
import type { Database } from '../store/schema.js';
import type { AlertRaiser } from './alert-raiser.js';
import { vendorFromRegistry } from './registry-vendor.js';
import type { DetonateConfig } from './security-config.js';

export interface DetonateJob {
  versionId: number;
}

export interface DetonateJobDeps {
  db: Kysely<Database>;
  blobs: BlobStore;
  crates: CrateRepository;
  scans: ScanResultRepository;
  raiser: AlertRaiser;
  config: DetonateConfig;
  /** Given in tests; by default built on first use from the worker's own tools. */
  detonator?: Detonator;
}

export class DetonateJobs {
  private detonator: Promise<Detonator> | null;

  constructor(private readonly deps: DetonateJobDeps) {
    this.detonator = deps.detonator ? Promise.resolve(deps.detonator) : null;
  }

  /** Given the worker's `run`, the report and the job's completion commit together. */
  async run(job: DetonateJob, run?: JobRun): Promise<ScanReport | null> {
    const { db, blobs, crates, scans } = this.deps;
    const row = await crates.versionWithCrate(job.versionId);
    if (!row) return null; // deleted since it was queued
    const stored = await scans.latest(row.id);
    if (!stored)
      throw new Error(
        `the scan of ${row.name}@${row.num} is not recorded yet; the sandboxed build waits for it`,
      );
    const bytes = await blobs.get(row.checksum);
    if (!bytes) throw new Error(`the file of ${row.name}@${row.num} is missing from storage`);
    // A missing tool fails the job with the tools' message (recorded as the job's last error).
    const detonator = await this.sandbox();
    const archive = await readCrateArchive(bytes, { expected: { name: row.name, version: row.num } });
    const deps = parseManifest(archive.manifestText).dependencies;
    const vendored = await vendorFromRegistry(crates, blobs, deps);
    const result = await detonator.detonate(
      { kind: 'bytes', bytes, name: row.name, version: row.num },
      { crates: vendored },
    );
    const report = mergeDetonation(
      {
        crate: { name: row.name, version: row.num },
        verdict: stored.verdict as ScanReport['verdict'],
        findings: JSON.parse(stored.findings) as ScanReport['findings'],
        capabilities: JSON.parse(stored.capabilities) as string[],
        stats: JSON.parse(stored.stats) as ScanReport['stats'],
      },
      result.findings,
    );
    await db.transaction().execute(async (trx) => {
      await scans.save(
        {
          versionId: row.id,
          verdict: report.verdict,
          findings: report.findings,
          capabilities: report.capabilities,
          stats: report.stats,
        },
        new Date(),
        trx,
      );
      await run?.completeIn(trx);
      const sandbox = result.findings.filter((f) => atLeast(f.severity, 'medium'));
      if (sandbox.length === 0) return;
      const top = [...sandbox].sort((a, b) => severityRank(b.severity) - severityRank(a.severity))[0]!;
      await this.deps.raiser.raise(trx, {
        kind: 'sandbox',
        severity: top.severity,
        crateName: row.name,
        version: row.num,
        versionId: row.id,
        title: `${row.name}@${row.num}: ${top.severity} in the sandboxed build — ${top.title}`,
        details: {
          verdict: report.verdict,
          findings: result.findings,
          ms: result.ms,
          timedOut: result.timedOut,
        },
        score: severityRank(top.severity) * 20 + Math.min(sandbox.length, 19),
        dedupeKey: `sandbox:${canonicalCrateName(row.name)}@${row.num}`,
      });
    });
    return report;
  }

  private sandbox(): Promise<Detonator> {
    const { config } = this.deps;
    this.detonator ??= findSandboxTools(config.toolchain ? { toolchain: config.toolchain } : {}).then(
      (tools) =>
        new Detonator(
          tools,
          defaultDetonatorOptions({
            timeoutMs: config.timeoutMs,
            memoryBytes: config.memoryMiB * 1024 * 1024,
          }),
        ),
    );
    // A failed lookup is retried on the next job (the tools may be installed meanwhile).
    this.detonator.catch(() => (this.detonator = null));
    return this.detonator;
  }
}
