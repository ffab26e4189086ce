// Garbage collection of `.crate` blobs: publishes never delete a blob (a losing request of two
// identical publishes would delete the winner's), so blobs no version references, and temp
// files of interrupted writes, are removed here, never within a grace period of their last
// write. A publish writes (or, reusing an orphan, refreshes) its blob before its version
// commits, so within the grace period nothing a publish may still reference is touched; the
// store re-checks age and references at the moment of removal.
import type { Kysely } from 'kysely';
import type { BlobEntry, BlobStore } from './blob-store.js';
import type { Database } from './schema.js';

export const DEFAULT_BLOB_GRACE_MS = 60 * 60_000;

export interface BlobGcOptions {
  /** Spare anything written more recently than this (ms). */
  graceMs?: number;
  /** Report what would be removed; remove nothing. */
  dryRun?: boolean;
  now?: Date;
}

export interface BlobGcReport {
  dryRun: boolean;
  graceMs: number;
  removed: { blobs: number; tempFiles: number; bytes: number; keys: string[] };
  kept: { referenced: number; young: number; bytes: number };
}

const BATCH = 500;

async function referenced(db: Kysely<Database>, checksums: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < checksums.length; i += BATCH) {
    const rows = await db
      .selectFrom('versions')
      .select('checksum')
      .distinct()
      .where('checksum', 'in', checksums.slice(i, i + BATCH))
      .execute();
    for (const r of rows) found.add(r.checksum);
  }
  return found;
}

export async function collectBlobGarbage(
  db: Kysely<Database>,
  blobs: BlobStore,
  options: BlobGcOptions = {},
): Promise<BlobGcReport> {
  const graceMs = options.graceMs ?? DEFAULT_BLOB_GRACE_MS;
  const olderThan = new Date((options.now ?? new Date()).getTime() - graceMs);
  const report: BlobGcReport = {
    dryRun: options.dryRun === true,
    graceMs,
    removed: { blobs: 0, tempFiles: 0, bytes: 0, keys: [] },
    kept: { referenced: 0, young: 0, bytes: 0 },
  };
  const keep = (entry: BlobEntry, why: 'referenced' | 'young') => {
    report.kept[why]++;
    report.kept.bytes += entry.size;
  };

  const old: BlobEntry[] = [];
  for await (const entry of blobs.list()) {
    if (entry.mtime >= olderThan) keep(entry, 'young');
    else old.push(entry);
  }
  const inUse = await referenced(
    db,
    old.flatMap((e) => (e.checksum === null ? [] : [e.checksum])),
  );

  for (const entry of old) {
    if (entry.checksum !== null && inUse.has(entry.checksum)) {
      keep(entry, 'referenced');
      continue;
    }
    let outcome = 'removed';
    if (!report.dryRun) {
      const checksum = entry.checksum;
      outcome = await blobs.reclaim(entry, {
        olderThan,
        // Asked at the moment of removal: a version may have committed since the batch query.
        unreferenced: async () => checksum === null || (await referenced(db, [checksum])).size === 0,
      });
    }
    if (outcome === 'removed') {
      if (entry.checksum === null) report.removed.tempFiles++;
      else report.removed.blobs++;
      report.removed.bytes += entry.size;
      report.removed.keys.push(entry.key);
    } else if (outcome === 'referenced') keep(entry, 'referenced');
    else if (outcome === 'fresh') keep(entry, 'young');
  }
  return report;
}
