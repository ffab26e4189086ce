// Download counts aggregated in memory and written in batches: a download costs a Map
// increment instead of a database write. A timer flushes every few seconds and `close()`
// flushes what is left, so a clean shutdown loses nothing; a crash loses at most the counts
// of the last interval (README, Limits). Counting is best effort by design: a failed flush
// puts its counts back for the next one.
import type { CrateRepository } from '../store/crates.js';

export const DEFAULT_DOWNLOAD_FLUSH_MS = 5000;

export class DownloadCounter {
  private pending = new Map<string, { versionId: number; date: string; count: number }>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly crates: CrateRepository,
    options: { flushMs?: number; onError?: (err: unknown) => void } = {},
  ) {
    this.onError = options.onError ?? (() => {});
    this.timer = setInterval(
      () => void this.flush().catch(this.onError),
      options.flushMs ?? DEFAULT_DOWNLOAD_FLUSH_MS,
    );
    // The timer alone must not keep a process (a CLI command, a test) alive.
    this.timer.unref();
  }

  private readonly onError: (err: unknown) => void;

  /** Counts one download of a version on `date` (YYYY-MM-DD, UTC). */
  record(versionId: number, date = new Date().toISOString().slice(0, 10)): void {
    const key = `${versionId}|${date}`;
    const entry = this.pending.get(key);
    if (entry) entry.count++;
    else this.pending.set(key, { versionId, date, count: 1 });
  }

  /** Writes what was counted so far in one batch; flushes never overlap. */
  flush(): Promise<void> {
    const run = this.flushing.then(() => this.write());
    // A failed flush must not make the next one fail too.
    this.flushing = run.catch(() => {});
    return run;
  }

  /** Stops the timer and writes the rest. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      clearInterval(this.timer);
    }
    await this.flush();
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    try {
      await this.crates.recordDownloads(batch);
    } catch (err) {
      for (const b of batch) {
        for (let i = 0; i < b.count; i++) this.record(b.versionId, b.date);
      }
      throw err;
    }
  }
}
