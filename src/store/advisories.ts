// Advisories the registry holds, synced or authored, one row per advisory id. Rows keep the
// shared advisory model as JSON (metadata, versions, affected, ranges) plus the columns lists
// and lookups filter on; `toAdvisory` turns a row back into the model.
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { canonicalCrateName } from '../domain/crate-name.js';
import { formatVersion, parseVersion } from '../domain/semver.js';
import type {
  Advisory,
  AdvisoryAffected,
  AdvisoryMetadata,
  AdvisoryVersions,
  AffectedRange,
} from '../security/advisories/advisory.js';
import type { AdvisoryOrigin, AdvisoryRow, Database } from './schema.js';
import { nowIso } from './time.js';

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export interface StoredRange {
  introduced: string | null;
  fixed: string | null;
}

/** What decides whether a synced advisory changed: its content, not how its file was laid out. */
export function advisoryContentHash(a: Advisory): string {
  return createHash('sha256')
    .update(JSON.stringify([a.metadata, a.versions, a.affected]))
    .digest('hex');
}

export function storedRanges(ranges: readonly AffectedRange[]): StoredRange[] {
  return ranges.map((r) => ({
    introduced: r.introduced ? formatVersion(r.introduced) : null,
    fixed: r.fixed ? formatVersion(r.fixed) : null,
  }));
}

export function toAdvisory(row: AdvisoryRow): Advisory {
  const ranges = (JSON.parse(row.ranges) as StoredRange[]).map((r) => ({
    introduced: r.introduced === null ? null : parseVersion(r.introduced),
    fixed: r.fixed === null ? null : parseVersion(r.fixed),
  }));
  return {
    metadata: JSON.parse(row.metadata) as AdvisoryMetadata,
    versions: JSON.parse(row.versions) as AdvisoryVersions,
    affected: row.affected === null ? null : (JSON.parse(row.affected) as AdvisoryAffected),
    ranges,
    origin: { database: row.database, file: row.file ?? '' },
  };
}

export interface AdvisoryWrite {
  advisory: Advisory;
  markdown: string;
  origin: AdvisoryOrigin;
  author?: { id: number; login: string } | null;
}

export interface AdvisoryFilter {
  /** Canonical or plain crate name. */
  package?: string;
  origin?: AdvisoryOrigin;
  category?: string;
  /** Only advisories naming a crate this registry has. */
  presentOnly?: boolean;
  includeWithdrawn?: boolean;
  /** Matches the id, package or title. */
  q?: string;
  limit?: number;
  offset?: number;
}

export class AdvisoryRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(id: string, db: Kysely<Database> = this.db): Promise<AdvisoryRow | undefined> {
    return db.selectFrom('advisories').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Every advisory naming this crate (withdrawn ones included), newest first. */
  async forPackage(name: string, db: Kysely<Database> = this.db): Promise<AdvisoryRow[]> {
    return db
      .selectFrom('advisories')
      .selectAll()
      .where('canonical_package', '=', canonicalCrateName(name))
      .orderBy('date', 'desc')
      .orderBy('id', 'desc')
      .execute();
  }

  /** id → content hash and origin of every stored advisory (a sync compares against these). */
  async fingerprints(
    db: Kysely<Database> = this.db,
  ): Promise<Map<string, { hash: string; origin: AdvisoryOrigin; withdrawn: string | null }>> {
    const rows = await db
      .selectFrom('advisories')
      .select(['id', 'content_hash', 'origin', 'withdrawn'])
      .execute();
    return new Map(
      rows.map((r) => [r.id, { hash: r.content_hash, origin: r.origin, withdrawn: r.withdrawn }]),
    );
  }

  /** Inserts or replaces the advisory with this id; `created_at` and the author survive a replace. */
  async upsert(w: AdvisoryWrite, now = new Date(), db: Kysely<Database> = this.db): Promise<AdvisoryRow> {
    const a = w.advisory;
    const at = nowIso(now);
    const values = {
      package: a.metadata.package,
      canonical_package: canonicalCrateName(a.metadata.package),
      collection: a.metadata.collection,
      source: a.metadata.source,
      title: a.metadata.title,
      date: a.metadata.date,
      categories: JSON.stringify(a.metadata.categories),
      informational: a.metadata.informational,
      withdrawn: a.metadata.withdrawn,
      metadata: JSON.stringify(a.metadata),
      versions: JSON.stringify(a.versions),
      affected: a.affected === null ? null : JSON.stringify(a.affected),
      ranges: JSON.stringify(storedRanges(a.ranges)),
      markdown: w.markdown,
      content_hash: advisoryContentHash(a),
      origin: w.origin,
      database: a.origin.database,
      file: a.origin.file || null,
      updated_at: at,
    };
    const existing = await this.get(a.metadata.id, db);
    if (existing) {
      return db
        .updateTable('advisories')
        .set(values)
        .where('id', '=', a.metadata.id)
        .returningAll()
        .executeTakeFirstOrThrow();
    }
    return db
      .insertInto('advisories')
      .values({
        id: a.metadata.id,
        ...values,
        author_id: w.author?.id ?? null,
        author: w.author?.login ?? null,
        created_at: at,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async list(filter: AdvisoryFilter = {}): Promise<{ total: number; advisories: AdvisoryRow[] }> {
    let q = this.db.selectFrom('advisories');
    if (filter.package) q = q.where('canonical_package', '=', canonicalCrateName(filter.package));
    if (filter.origin) q = q.where('origin', '=', filter.origin);
    if (!filter.includeWithdrawn) q = q.where('withdrawn', 'is', null);
    if (filter.category) {
      // Categories are a JSON array of plain words: a quoted match is exact.
      const like = `%${escapeLike(JSON.stringify(filter.category))}%`;
      q = q.where(sql<boolean>`categories like ${like} escape '\\'`);
    }
    if (filter.presentOnly) {
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('crates')
            .select('crates.id')
            .whereRef('crates.canonical_name', '=', 'advisories.canonical_package'),
        ),
      );
    }
    if (filter.q) {
      const text = filter.q.trim().toLowerCase();
      const like = `%${escapeLike(text)}%`;
      q = q.where((eb) =>
        eb.or([
          sql<boolean>`lower(id) like ${like} escape '\\'`,
          eb('canonical_package', '=', canonicalCrateName(text)),
          sql<boolean>`lower(title) like ${like} escape '\\'`,
        ]),
      );
    }
    const total = await q.select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirst();
    const advisories = await q
      .selectAll()
      .orderBy('date', 'desc')
      .orderBy('id', 'desc')
      .limit(Math.min(filter.limit ?? 50, 500))
      .offset(filter.offset ?? 0)
      .execute();
    return { total: Number(total?.n ?? 0), advisories };
  }

  /** Authored advisories, for the database this registry serves. */
  async authored(db: Kysely<Database> = this.db): Promise<AdvisoryRow[]> {
    return db.selectFrom('advisories').selectAll().where('origin', '=', 'authored').orderBy('id').execute();
  }

  /** The next free `PREFIX-YEAR-NNNN` id (4 digits, more once 9999 is passed). */
  async nextAuthoredId(prefix: string, year: number, db: Kysely<Database> = this.db): Promise<string> {
    const stem = `${prefix}-${year}-`;
    const rows = await db
      .selectFrom('advisories')
      .select('id')
      .where(sql<boolean>`id like ${`${escapeLike(stem)}%`} escape '\\'`)
      .execute();
    let max = 0;
    for (const r of rows) {
      const n = Number(r.id.slice(stem.length));
      if (Number.isInteger(n) && n > max) max = n;
    }
    return `${stem}${String(max + 1).padStart(4, '0')}`;
  }
}
