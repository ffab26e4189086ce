// Planning a sync: which incoming advisories are new, changed, withdrawn by this sync, or
// unchanged, compared by content hash with what the registry holds. Pure: the registry's
// advisory-sync job applies the plan in one transaction.
import type { Advisory, AdvisoryProblem } from './advisory.js';

export interface StoredFingerprint {
  hash: string;
  origin: 'synced' | 'authored';
  withdrawn: string | null;
}

export interface SyncPlan {
  added: Advisory[];
  updated: Advisory[];
  /** Among added and updated: those this sync marks withdrawn (newly, or arriving withdrawn). */
  withdrawn: Advisory[];
  unchanged: number;
  problems: AdvisoryProblem[];
}

export function planSync(
  incoming: readonly Advisory[],
  stored: ReadonlyMap<string, StoredFingerprint>,
  hashOf: (a: Advisory) => string,
): SyncPlan {
  const plan: SyncPlan = { added: [], updated: [], withdrawn: [], unchanged: 0, problems: [] };
  for (const a of incoming) {
    const id = a.metadata.id;
    const have = stored.get(id);
    if (have?.origin === 'authored') {
      // An operator's advisory is never overwritten by a database that reuses its id.
      plan.problems.push({
        database: a.origin.database,
        file: a.origin.file,
        message: `${id} is an advisory authored in this registry; the synced one was skipped`,
      });
      continue;
    }
    if (have && have.hash === hashOf(a)) {
      plan.unchanged++;
      continue;
    }
    (have ? plan.updated : plan.added).push(a);
    if (a.metadata.withdrawn !== null && (!have || have.withdrawn === null)) plan.withdrawn.push(a);
  }
  return plan;
}
