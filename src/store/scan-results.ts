// Scanner reports stored per version (the newest is the one that counts).
import type { Kysely } from 'kysely';
import type { Database, ScanResultRow } from './schema.js';
import { nowIso } from './time.js';

export interface StoredScan {
  versionId: number;
  verdict: string;
  findings: unknown[];
  capabilities: string[];
  stats: unknown;
}

export class ScanResultRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async save(scan: StoredScan, now = new Date(), db: Kysely<Database> = this.db): Promise<ScanResultRow> {
    return db
      .insertInto('scan_results')
      .values({
        version_id: scan.versionId,
        verdict: scan.verdict,
        findings: JSON.stringify(scan.findings),
        capabilities: JSON.stringify(scan.capabilities),
        stats: JSON.stringify(scan.stats),
        created_at: nowIso(now),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** The latest verdict of each of these versions, in one query (for lists). */
  async latestVerdicts(versionIds: readonly number[]): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    if (versionIds.length === 0) return out;
    const rows = await this.db
      .selectFrom('scan_results')
      .select(['version_id', 'verdict', 'id'])
      .where('version_id', 'in', [...new Set(versionIds)])
      .orderBy('id', 'asc')
      .execute();
    for (const r of rows) out.set(r.version_id, r.verdict); // later rows win
    return out;
  }

  async latest(versionId: number): Promise<ScanResultRow | undefined> {
    return this.db
      .selectFrom('scan_results')
      .selectAll()
      .where('version_id', '=', versionId)
      .orderBy('id', 'desc')
      .executeTakeFirst();
  }
}
