// The `typosquat` job: a new crate's name against the popular crates that existed before it,
// and the publisher's login against popular owners'. Hits become alerts in one transaction.
import type { Kysely } from 'kysely';
import { canonicalCrateName } from '../domain/crate-name.js';
import type { SquatHit } from '../security/typosquat/index.js';
import type { CrateRepository } from '../store/crates.js';
import type { JobQueue } from '../store/jobs.js';
import type { AlertSeverity, Database } from '../store/schema.js';
import type { AlertRaiser } from './alert-raiser.js';
import type { PopularCrates } from './popular-crates.js';

export interface TyposquatJob {
  versionId: number;
  newCrate: boolean;
  publisher: string;
}

/** Typosquat scores run 0–100; these bands decide how loudly a hit is raised. */
export function squatSeverity(score: number): AlertSeverity {
  return score >= 70 ? 'high' : score >= 40 ? 'medium' : 'low';
}

export class TyposquatJobs {
  constructor(
    private readonly deps: {
      db: Kysely<Database>;
      crates: CrateRepository;
      popular: PopularCrates;
      raiser: AlertRaiser;
      queue: JobQueue;
    },
  ) {}

  async run(job: TyposquatJob): Promise<SquatHit[]> {
    const { db, crates, popular, raiser } = this.deps;
    const row = await crates.versionWithCrate(job.versionId);
    if (!row) return [];
    const checker = await popular.checkerBefore(row.crate_id);
    const hits = job.newCrate
      ? checker.check({
          name: row.name,
          owners: job.publisher ? [job.publisher] : [],
          description: row.crate_description,
          readme: row.readme,
        })
      : [];
    const impersonations = job.publisher ? checker.checkPublisher(job.publisher) : [];
    if (hits.length === 0 && impersonations.length === 0) return hits;
    await db.transaction().execute(async (trx) => {
      for (const hit of hits) {
        await raiser.raise(trx, {
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
      for (const hit of impersonations) {
        await raiser.raise(trx, {
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
    });
    this.deps.queue.ready();
    return hits;
  }
}
