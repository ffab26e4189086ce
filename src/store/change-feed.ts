// What other processes changed in the index, read from the database: every change to a version
// the index shows (or to whether it shows it) bumps `registry_state.generation` and records the
// crate in `crate_changes`, in the changing transaction, by triggers (migration 015). A process
// holding caches derived from the index (rendered index files, download targets, search totals,
// the registry graph) calls `sync()` before it trusts them: one single-row read; when the
// generation moved, one indexed read of the crates changed since, whose entries it drops.
//
// `sync()` is shared by the requests that arrive together, without ever letting a request rely
// on a read that started before it arrived: a change committed before the request reached this
// process is always seen. That is the guarantee "publish through A, read through B at once".
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export type IndexChange = { crates: string[] } | 'all';

/** Keep this long of change records; a process that looked less recently starts afresh. */
export const CHANGE_RETENTION_MS = 60 * 60_000;

export class ChangeFeed {
  /** The generation this process's caches reflect; null before the first look. */
  private seen: number | null = null;
  private current: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly apply: (change: IndexChange) => void,
  ) {}

  /** Resolves once every change committed before this call has been applied to the caches. */
  sync(): Promise<void> {
    if (this.queued) return this.queued; // it starts after now: good enough for this caller too
    if (!this.current) return this.start();
    // The read in flight may have started before the caller's change committed: queue the next.
    this.queued = this.current.then(() => {
      this.queued = null;
      return this.start();
    });
    return this.queued;
  }

  /** The generation last applied (null before the first look). */
  generation(): number | null {
    return this.seen;
  }

  private start(): Promise<void> {
    const p = this.check().finally(() => {
      if (this.current === p) this.current = null;
    });
    this.current = p;
    return p;
  }

  private async check(): Promise<void> {
    try {
      const seen = this.seen;
      if (seen === null) {
        // First look: caches may hold what was read before it, so all of them go.
        const row = await this.db
          .selectFrom('registry_state')
          .select('generation')
          .where('id', '=', 1)
          .executeTakeFirstOrThrow();
        this.apply('all');
        this.seen = Number(row.generation);
        return;
      }
      // The generation and the crates changed since `seen`, in one round trip: under load every
      // request pays for this read, and most find the generation moved by a publish.
      const rows = await this.db
        .selectFrom('registry_state as s')
        .leftJoin('crate_changes as c', (join) =>
          join.on('c.generation', '>', seen).onRef('c.generation', '<=', 's.generation'),
        )
        .select(['s.generation', 'c.canonical_name'])
        .where('s.id', '=', 1)
        .execute();
      if (rows.length === 0) throw new Error('registry_state has no row');
      const generation = Number(rows[0]!.generation);
      if (seen === generation) return;
      if (generation < seen) {
        this.apply('all'); // a restored database
      } else {
        const names = rows.flatMap((r) => (r.canonical_name === null ? [] : [r.canonical_name]));
        // Fewer rows than generations: records this process never saw were pruned.
        if (names.length < generation - seen) this.apply('all');
        else this.apply({ crates: [...new Set(names)] });
      }
      this.seen = generation;
    } catch {
      // Cannot tell what changed: trust nothing cached. The next request looks again.
      this.apply('all');
    }
  }
}

/** Removes change records older than the retention (housekeeping; any process may run it). */
export async function pruneCrateChanges(db: Kysely<Database>, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - CHANGE_RETENTION_MS).toISOString();
  const result = await db.deleteFrom('crate_changes').where('changed_at', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}
