// The registry's publish policy: refuse names squatting the most popular crates (when
// configured), hold versions whose scan reaches the quarantine level, and queue the scan,
// source-analysis and typosquat jobs (and, when enabled, the sandboxed build) in the publish transaction.
import type { Transaction } from 'kysely';
import { badRequest } from '../registry/errors.js';
import type {
  Admission,
  CommittedVersion,
  PublishCandidate,
  PublishPolicy,
  Publisher,
} from '../registry/publish-policy.js';
import type { PublishMetadata } from '../domain/publish-metadata.js';
import { atLeast, type ScanReport, type Severity } from '../security/scanner/types.js';
import type { JobQueue } from '../store/jobs.js';
import type { Database } from '../store/schema.js';
import type { FileHash } from '../store/version-files.js';
import type { PopularCrates } from './popular-crates.js';
import { fileHashes, type ScanContextSource } from './scan-context.js';
import { ScanPoolBusyError, type ScanRunner } from './scan-runner.js';
import { RegistryError } from '../registry/errors.js';
import type { AnalysisJob } from './analysis-job.js';
import type { DetonateJob } from './detonate-job.js';
import type { ScanJob, ScanJobs } from './scan-job.js';
import type { SecurityConfig } from './security-config.js';
import type { TyposquatJob } from './typosquat-job.js';
import type { AdvisorySync } from './advisory-sync.js';

/** An inline scan's outcome, recorded with the version in the publish transaction. */
export interface InlineScan {
  report: ScanReport;
  files: FileHash[];
}

export interface SecurityPolicyDeps {
  config: SecurityConfig;
  queue: JobQueue;
  popular: PopularCrates;
  contexts: ScanContextSource;
  runner: ScanRunner;
  scanJobs: ScanJobs;
  /** Malicious advisories hold matching versions at publish and alert on the name. */
  advisories?: AdvisorySync;
}

export class SecurityPolicy implements PublishPolicy<InlineScan> {
  constructor(private readonly deps: SecurityPolicyDeps) {}

  /** With `block_top`, a new name too close to one of the top N crates is refused outright. */
  async check(metadata: PublishMetadata, publisher: Publisher, newCrate: boolean): Promise<void> {
    const blockTop = this.deps.config.typosquat.blockTop;
    if (!newCrate || blockTop <= 0) return;
    const checker = await this.deps.popular.checker();
    const hit = checker
      .check({ name: metadata.name, owners: [publisher.user.login] })
      .find((h) => h.targetRank <= blockTop);
    if (hit) {
      throw badRequest(
        `the name \`${metadata.name}\` is too close to the popular crate \`${hit.target}\` (${hit.message}); this registry does not accept such names. If this is a mistake, ask the registry administrators.`,
      );
    }
  }

  /** With quarantine on, the scan decides before the version reaches the index. */
  async admit(candidate: PublishCandidate): Promise<Admission<InlineScan>> {
    // A version a malicious advisory for this registry names is held from the start.
    const held = await this.deps.advisories?.holdOnPublish(candidate.metadata.name, candidate.metadata.vers);
    if (held && held.length > 0) {
      return {
        status: 'quarantined',
        warning: `${candidate.metadata.name}@${candidate.metadata.vers} is held for security review: advisory ${held.map((a) => a.metadata.id).join(', ')} reports this crate as malicious`,
      };
    }
    const level = this.deps.config.quarantine;
    if (level === 'off') return { status: 'published' };
    const { metadata, publisher, archive } = candidate;
    const files = fileHashes(archive.files);
    const context = await this.deps.contexts.build(
      metadata.name,
      null,
      publisher.user.login,
      metadata.deps.map((d) => d.name),
      files,
      archive,
    );
    let report: ScanReport;
    try {
      report = await this.deps.runner.scan(archive, context, { name: metadata.name, version: metadata.vers });
    } catch (err) {
      if (!(err instanceof ScanPoolBusyError)) throw err;
      // Nothing is written yet: cargo shows this and the publisher retries shortly.
      throw new RegistryError(
        503,
        'the registry is scanning too many uploads right now; try the publish again in a minute',
        {},
        { 'retry-after': '30' },
      );
    }
    const evidence = { report, files };
    if (report.verdict !== 'clean' && atLeast(report.verdict, level as Severity)) {
      return {
        status: 'quarantined',
        warning: `${metadata.name}@${metadata.vers} is held for security review (scanner verdict: ${report.verdict}) and will not resolve until an administrator releases it`,
        evidence,
      };
    }
    return { status: 'published', evidence };
  }

  async record(
    trx: Transaction<Database>,
    { crate, version, newCrate }: CommittedVersion,
    candidate: PublishCandidate,
    admission: Admission<InlineScan>,
  ): Promise<void> {
    const { queue, scanJobs } = this.deps;
    await this.deps.advisories?.actOnPublish(trx, crate.name);
    if (admission.evidence) {
      const { report, files } = admission.evidence;
      await scanJobs.record(trx, version.id, crate.name, version.num, report, files);
    } else {
      await queue.enqueue('scan', { versionId: version.id } satisfies ScanJob, {}, trx);
    }
    await queue.enqueue('analyze', { versionId: version.id } satisfies AnalysisJob, {}, trx);
    if (this.deps.config.detonate.enabled)
      await queue.enqueue(
        'detonate',
        { versionId: version.id } satisfies DetonateJob,
        { maxAttempts: 3 },
        trx,
      );
    await queue.enqueue(
      'typosquat',
      { versionId: version.id, newCrate, publisher: candidate.publisher.user.login } satisfies TyposquatJob,
      {},
      trx,
    );
  }
}
