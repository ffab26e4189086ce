// Crates, versions, dependencies, owners and downloads: what the registry API and the
// sparse index read and write.
import { CompiledQuery, SqliteAdapter, sql, type Kysely, type Transaction } from 'kysely';
import { HELD_FOR_REVIEW_CRATE, canonicalCrateName } from '../domain/crate-name.js';
import type { IndexDependency, IndexLine } from '../domain/index-line.js';
import { pickMaxVersion } from '../domain/semver.js';
import type { CrateRow, Database, UserRow, VersionRow, VersionStatus } from './schema.js';
import { nowIso } from './time.js';

/** See `indexLines`: what makes a held version unresolvable. */
const HELD_DEPENDENCY: IndexDependency = {
  name: HELD_FOR_REVIEW_CRATE,
  req: '=0.0.0',
  features: [],
  optional: false,
  default_features: true,
  target: null,
  kind: 'normal',
};

export interface NewDependency {
  crateName: string;
  explicitName: string | null;
  req: string;
  features: string[];
  optional: boolean;
  defaultFeatures: boolean;
  target: string | null;
  kind: 'normal' | 'build' | 'dev';
  registry: string | null;
}

export interface PublishRecord {
  name: string;
  version: string;
  versionNoBuild: string;
  checksum: string;
  size: number;
  status: VersionStatus;
  features: Record<string, string[]>;
  features2: Record<string, string[]>;
  links: string | null;
  rustVersion: string | null;
  license: string | null;
  licenseFile: string | null;
  description: string | null;
  authors: string[];
  hasBuildScript: boolean;
  isProcMacro: boolean;
  dependencies: NewDependency[];
  crateMeta: {
    description: string | null;
    homepage: string | null;
    documentation: string | null;
    repository: string | null;
    readme: string | null;
    keywords: string[];
    categories: string[];
  };
  provenance: { userId: number; tokenId: number | null; clientIp: string | null; userAgent: string | null };
  publishedAt: Date;
}

export class DuplicateVersionError extends Error {}
/** The crate exists under another spelling of its name. */
export class PublishConflictError extends Error {}
/** The crate exists (perhaps created a moment ago by someone else) and the publisher does not own it. */
export class NotOwnerError extends Error {}

export interface DownloadTarget {
  crateName: string;
  versionId: number;
  num: string;
  status: VersionStatus;
  checksum: string;
}

export interface SearchHit {
  name: string;
  max_version: string;
  description: string | null;
  downloads: number;
}

/** What a search returns of a crate: all of it in the covering index `crates_search_cover`. */
const SEARCH_COLUMNS = [
  'crates.id',
  'crates.name',
  'crates.description',
  'crates.downloads',
  'crates.max_version',
] as const;

export class CrateRepository {
  private readonly sqlite: boolean;

  constructor(private readonly db: Kysely<Database>) {
    this.sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  }

  async findByName(name: string): Promise<CrateRow | undefined> {
    return this.db
      .selectFrom('crates')
      .selectAll()
      .where('canonical_name', '=', canonicalCrateName(name))
      .executeTakeFirst();
  }

  async versions(crateId: number): Promise<VersionRow[]> {
    return this.db.selectFrom('versions').selectAll().where('crate_id', '=', crateId).orderBy('id').execute();
  }

  /** A version by its exact number, or by its number without build metadata when that is unique. */
  async findVersion(crateId: number, num: string): Promise<VersionRow | undefined> {
    const exact = await this.db
      .selectFrom('versions')
      .selectAll()
      .where('crate_id', '=', crateId)
      .where('num', '=', num)
      .executeTakeFirst();
    if (exact) return exact;
    return this.db
      .selectFrom('versions')
      .selectAll()
      .where('crate_id', '=', crateId)
      .where('num_no_build', '=', num)
      .executeTakeFirst();
  }

  /** A version with what the background jobs need of its crate, or undefined once deleted. */
  async versionWithCrate(versionId: number) {
    return this.db
      .selectFrom('versions')
      .innerJoin('crates', 'crates.id', 'versions.crate_id')
      .select([
        'versions.id',
        'versions.num',
        'versions.checksum',
        'versions.published_by',
        'versions.crate_id',
        'crates.name',
        'crates.description as crate_description',
        'crates.readme',
      ])
      .where('versions.id', '=', versionId)
      .executeTakeFirst();
  }

  /** The crate names a version depends on (real names, renamed dependencies resolved). */
  async dependencyNames(versionId: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('dependencies')
      .select('crate_name')
      .where('version_id', '=', versionId)
      .execute();
    return rows.map((r) => r.crate_name);
  }

  /**
   * The crate's index file: every version that reached the index, oldest first. A version held
   * in quarantine is listed too, with a dependency no crate can satisfy (HELD_FOR_REVIEW_CRATE):
   * cargo's publish sees it land instead of polling for 60 s and warning of a backlog (its poll
   * ignores yanked lines, so marking it yanked would not do), no resolution can select it, and
   * downloads of it are refused. Released, the line shows its real dependencies; rejected, it
   * goes. `held: 'omit'` leaves held versions out (for readers that want what is live).
   */
  async indexLines(
    crateId: number,
    { held = 'unresolvable' }: { held?: 'unresolvable' | 'omit' } = {},
  ): Promise<IndexLine[]> {
    const crate = await this.db
      .selectFrom('crates')
      .select('name')
      .where('id', '=', crateId)
      .executeTakeFirstOrThrow();
    const versions = await this.db
      .selectFrom('versions')
      .selectAll()
      .where('crate_id', '=', crateId)
      .where('status', 'in', held === 'omit' ? ['published'] : ['published', 'quarantined'])
      .orderBy('id')
      .execute();
    if (versions.length === 0) return [];
    const deps = await this.db
      .selectFrom('dependencies')
      .selectAll()
      .where(
        'version_id',
        'in',
        versions.map((v) => v.id),
      )
      .orderBy('id')
      .execute();
    const byVersion = new Map<number, IndexDependency[]>();
    for (const d of deps) {
      const list = byVersion.get(d.version_id) ?? [];
      // In the index, `name` is what the dependent calls it and `package` the real crate.
      list.push({
        name: d.explicit_name ?? d.crate_name,
        req: d.req,
        features: JSON.parse(d.features) as string[],
        optional: d.optional === 1,
        default_features: d.default_features === 1,
        target: d.target,
        kind: d.kind,
        ...(d.registry ? { registry: d.registry } : {}),
        ...(d.explicit_name ? { package: d.crate_name } : {}),
      });
      byVersion.set(d.version_id, list);
    }
    return versions.map((v) => {
      const features2 = JSON.parse(v.features2) as Record<string, string[]>;
      const line: IndexLine = {
        name: crate.name,
        vers: v.num,
        deps:
          v.status === 'quarantined'
            ? [...(byVersion.get(v.id) ?? []), HELD_DEPENDENCY]
            : (byVersion.get(v.id) ?? []),
        cksum: v.checksum,
        features: JSON.parse(v.features) as Record<string, string[]>,
        yanked: v.yanked === 1,
        links: v.links,
        rust_version: v.rust_version,
        pubtime: v.published_at.replace(/\.\d{3}Z$/, 'Z'),
      };
      if (Object.keys(features2).length > 0) {
        line.features2 = features2;
        line.v = 2;
      }
      return line;
    });
  }

  /**
   * Writes a publish into the caller's transaction: the crate (when new, with the publisher as
   * first owner), its version and dependencies. The caller adds what must commit with it (the
   * audit entry, the jobs). Safe against concurrent publishes: two first publishes of one new
   * crate both land (the loser of the insert race reads the winner's row), and the same version
   * twice, or a number that was used before and deleted, is refused.
   */
  async publish(
    trx: Transaction<Database>,
    record: PublishRecord,
  ): Promise<{ crate: CrateRow; version: VersionRow; newCrate: boolean }> {
    const now = nowIso(record.publishedAt);
    const canonical = canonicalCrateName(record.name);
    const meta = {
      description: record.crateMeta.description,
      homepage: record.crateMeta.homepage,
      documentation: record.crateMeta.documentation,
      repository: record.crateMeta.repository,
      readme: record.crateMeta.readme,
      keywords: JSON.stringify(record.crateMeta.keywords),
      categories: JSON.stringify(record.crateMeta.categories),
      updated_at: now,
    };
    const retired = await trx
      .selectFrom('deleted_versions')
      .select('num')
      .where('canonical_name', '=', canonical)
      .where('num_no_build', '=', record.versionNoBuild)
      .executeTakeFirst();
    if (retired) {
      throw new DuplicateVersionError(
        `crate version \`${retired.num}\` was published before and deleted; a version number is never reused (publish a new version)`,
      );
    }
    // ON CONFLICT DO NOTHING: on PostgreSQL the second of two concurrent first publishes waits
    // for the first to commit and then finds the row, instead of failing on the unique index.
    const inserted = await trx
      .insertInto('crates')
      .values({ name: record.name, canonical_name: canonical, created_at: now, ...meta })
      .onConflict((oc) => oc.column('canonical_name').doNothing())
      .returningAll()
      .executeTakeFirst();
    const newCrate = inserted !== undefined;
    let crate: CrateRow;
    if (inserted) {
      crate = inserted;
      await trx
        .insertInto('crate_owners')
        .values({ crate_id: crate.id, user_id: record.provenance.userId, created_at: now, added_by: null })
        .execute();
    } else {
      const existing = await trx
        .selectFrom('crates')
        .selectAll()
        .where('canonical_name', '=', canonical)
        .executeTakeFirstOrThrow();
      if (existing.name !== record.name) {
        throw new PublishConflictError(`crate was previously named \`${existing.name}\``);
      }
      // Checked again here: the crate may have been created by someone else since the caller looked.
      const owner = await trx
        .selectFrom('crate_owners')
        .select('user_id')
        .where('crate_id', '=', existing.id)
        .where('user_id', '=', record.provenance.userId)
        .executeTakeFirst();
      if (!owner) throw new NotOwnerError();
      const dup = await trx
        .selectFrom('versions')
        .select('num')
        .where('crate_id', '=', existing.id)
        .where('num_no_build', '=', record.versionNoBuild)
        .executeTakeFirst();
      if (dup) throw new DuplicateVersionError(`crate version \`${dup.num}\` is already uploaded`);
      crate = await trx
        .updateTable('crates')
        .set(meta)
        .where('id', '=', existing.id)
        .returningAll()
        .executeTakeFirstOrThrow();
    }
    let version: VersionRow;
    try {
      version = await trx
        .insertInto('versions')
        .values({
          crate_id: crate.id,
          num: record.version,
          num_no_build: record.versionNoBuild,
          checksum: record.checksum,
          size: record.size,
          yanked: 0,
          yanked_at: null,
          status: record.status,
          features: JSON.stringify(record.features),
          features2: JSON.stringify(record.features2),
          links: record.links,
          rust_version: record.rustVersion,
          license: record.license,
          license_file: record.licenseFile,
          description: record.description,
          authors: JSON.stringify(record.authors),
          has_build_script: record.hasBuildScript ? 1 : 0,
          is_proc_macro: record.isProcMacro ? 1 : 0,
          published_at: now,
          published_by: record.provenance.userId,
          token_id: record.provenance.tokenId,
          client_ip: record.provenance.clientIp,
          user_agent: record.provenance.userAgent,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (err) {
      // Two concurrent publishes of the same version race to the unique constraint.
      if (/unique|duplicate key/i.test(String(err))) {
        throw new DuplicateVersionError(`crate version \`${record.version}\` is already uploaded`);
      }
      throw err;
    }
    await insertDependencies(trx, version.id, record.dependencies);
    crate = { ...crate, max_version: await this.refreshMaxVersion(trx, crate.id) };
    return { crate, version, newCrate };
  }

  // The writes below take the caller's transaction (`db`) so an action commits with its audit entry.
  async setYanked(
    versionId: number,
    yanked: boolean,
    now = new Date(),
    db: Kysely<Database> = this.db,
  ): Promise<void> {
    await db
      .updateTable('versions')
      .set({ yanked: yanked ? 1 : 0, yanked_at: yanked ? nowIso(now) : null })
      .where('id', '=', versionId)
      .execute();
    await this.refreshMaxVersionOf(db, versionId);
  }

  /** Marks the crate changed now (its index file's Last-Modified). */
  async touch(crateId: number, now = new Date(), db: Kysely<Database> = this.db): Promise<void> {
    await db
      .updateTable('crates')
      .set({ updated_at: nowIso(now) })
      .where('id', '=', crateId)
      .execute();
  }

  async setStatus(versionId: number, status: VersionStatus, db: Kysely<Database> = this.db): Promise<void> {
    await db.updateTable('versions').set({ status }).where('id', '=', versionId).execute();
    await this.refreshMaxVersionOf(db, versionId);
  }

  /** Recomputes `crates.max_version` from the crate's versions; returns it. */
  private async refreshMaxVersion(db: Kysely<Database>, crateId: number): Promise<string> {
    const rows = await db
      .selectFrom('versions')
      .select(['num', 'yanked'])
      .where('crate_id', '=', crateId)
      .where('status', '=', 'published')
      .execute();
    const max = pickMaxVersion(rows);
    await db.updateTable('crates').set({ max_version: max }).where('id', '=', crateId).execute();
    return max;
  }

  private async refreshMaxVersionOf(db: Kysely<Database>, versionId: number): Promise<void> {
    const v = await db
      .selectFrom('versions')
      .select('crate_id')
      .where('id', '=', versionId)
      .executeTakeFirst();
    if (v) await this.refreshMaxVersion(db, v.crate_id);
  }

  async owners(crateId: number): Promise<UserRow[]> {
    return this.db
      .selectFrom('crate_owners')
      .innerJoin('users', 'users.id', 'crate_owners.user_id')
      .selectAll('users')
      .where('crate_owners.crate_id', '=', crateId)
      .orderBy('crate_owners.created_at')
      .orderBy('users.id')
      .execute();
  }

  async isOwner(crateId: number, userId: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('crate_owners')
      .select('user_id')
      .where('crate_id', '=', crateId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row !== undefined;
  }

  async addOwner(crateId: number, userId: number, addedBy: number | null): Promise<boolean> {
    if (await this.isOwner(crateId, userId)) return false;
    await this.db
      .insertInto('crate_owners')
      .values({ crate_id: crateId, user_id: userId, created_at: nowIso(), added_by: addedBy })
      .execute();
    return true;
  }

  async removeOwner(crateId: number, userId: number, db: Kysely<Database> = this.db): Promise<boolean> {
    const res = await db
      .deleteFrom('crate_owners')
      .where('crate_id', '=', crateId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  /**
   * What a download needs, in one query: the crate's name and the version by its exact number,
   * or by its number without build metadata (as `findVersion`). Undefined when either is missing.
   */
  async downloadTarget(name: string, num: string): Promise<DownloadTarget | undefined> {
    // The hot path of downloads: each statement is built and compiled once, then run with the
    // request's values (building a Kysely query costs more than SQLite running it).
    const run = async (compiled: CompiledQuery<DownloadTarget>) =>
      (
        await this.db.executeQuery(
          CompiledQuery.raw(compiled.sql, [
            canonicalCrateName(name),
            num,
            ...compiled.parameters.slice(2),
          ]) as CompiledQuery<DownloadTarget>,
        )
      ).rows[0];
    this.downloadQueries ??= {
      exact: this.downloadTargetQuery('versions.num'),
      noBuild: this.downloadTargetQuery('versions.num_no_build'),
    };
    // The exact number is what cargo asks for; the other form is the rare fallback.
    return (await run(this.downloadQueries.exact)) ?? (await run(this.downloadQueries.noBuild));
  }

  private downloadQueries?: { exact: CompiledQuery<DownloadTarget>; noBuild: CompiledQuery<DownloadTarget> };

  /** The download lookup; its first two parameters are the canonical crate name and the version. */
  private downloadTargetQuery(
    column: 'versions.num' | 'versions.num_no_build',
  ): CompiledQuery<DownloadTarget> {
    return this.db
      .selectFrom('crates')
      .innerJoin('versions', 'versions.crate_id', 'crates.id')
      .select([
        'crates.name as crateName',
        'versions.id as versionId',
        'versions.num',
        'versions.status',
        'versions.checksum',
      ])
      .where('crates.canonical_name', '=', '')
      .where(column, '=', '')
      .orderBy('versions.id')
      .limit(1)
      .compile();
  }

  async recordDownload(versionId: number, date: string): Promise<void> {
    await this.recordDownloads([{ versionId, date, count: 1 }]);
  }

  /**
   * Adds a batch of download counts in one transaction: the per-day rows and each crate's total.
   * Versions deleted since they were counted are skipped, so one deletion cannot fail the batch.
   */
  async recordDownloads(batch: readonly { versionId: number; date: string; count: number }[]): Promise<void> {
    if (batch.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      const ids = [...new Set(batch.map((b) => b.versionId))];
      const crateOf = new Map<number, number>();
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await trx
          .selectFrom('versions')
          .select(['id', 'crate_id'])
          .where('id', 'in', ids.slice(i, i + 500))
          .execute();
        for (const r of rows) crateOf.set(r.id, r.crate_id);
      }
      const perCrate = new Map<number, number>();
      for (const b of batch) {
        const crateId = crateOf.get(b.versionId);
        if (crateId === undefined || b.count <= 0) continue;
        perCrate.set(crateId, (perCrate.get(crateId) ?? 0) + b.count);
        await trx
          .insertInto('version_downloads')
          .values({ version_id: b.versionId, date: b.date, downloads: b.count })
          .onConflict((oc) =>
            oc
              .columns(['version_id', 'date'])
              .doUpdateSet((eb) => ({ downloads: eb('version_downloads.downloads', '+', b.count) })),
          )
          .execute();
      }
      for (const [crateId, n] of perCrate) {
        await trx
          .updateTable('crates')
          .set((eb) => ({ downloads: eb('downloads', '+', n) }))
          .where('id', '=', crateId)
          .execute();
      }
    });
  }

  async downloadsOf(crateId: number): Promise<number> {
    const row = await this.db
      .selectFrom('version_downloads')
      .innerJoin('versions', 'versions.id', 'version_downloads.version_id')
      .select((eb) => eb.fn.sum<string | number | null>('version_downloads.downloads').as('total'))
      .where('versions.crate_id', '=', crateId)
      .executeTakeFirst();
    return Number(row?.total ?? 0);
  }

  /**
   * Name and description search, exact name first, then by downloads. It filters and ranks by
   * columns of `crates` alone (downloads and published_versions are maintained there,
   * migration 005): the page walks the ranking index and stops when full, the exact match is one
   * unique-index lookup, the total one count, and the page's max versions one more query (not a
   * query per hit).
   */
  async search(
    query: string,
    limit: number,
    offset: number,
    /** The number of matches when the caller already knows it (a recent count). */
    knownTotal?: number,
  ): Promise<{ total: number; crates: SearchHit[] }> {
    const q = query.trim().toLowerCase();
    const canonical = canonicalCrateName(q);
    const escape = (v: string) => `%${v.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    // SQLite's LIKE already ignores ASCII case (and its lower() folds nothing else); PostgreSQL's
    // LIKE does not. SQLite has no default LIKE escape character; name one for both dialects.
    const folded = (column: 'crates.name' | 'crates.description') =>
      this.sqlite ? sql.ref(column) : sql`lower(${sql.ref(column)})`;
    let matching = this.db.selectFrom('crates').where('crates.published_versions', '>', 0);
    // An empty query lists everything (no `where true`: SQLite cannot bind a boolean).
    if (q !== '') {
      const like = escape(q);
      matching = matching.where((eb) =>
        eb.or([
          sql<boolean>`${folded('crates.name')} like ${like} escape '\\'`,
          sql<boolean>`${folded('crates.description')} like ${like} escape '\\'`,
          // `serde_json` finds `serde-json`: only a query with `-` or `_` needs the canonical form.
          ...(/[-_]/.test(q)
            ? [sql<boolean>`crates.canonical_name like ${escape(canonical)} escape '\\'`]
            : []),
        ]),
      );
    }
    const exact =
      q === ''
        ? undefined
        : await matching
            .select(SEARCH_COLUMNS)
            .where('crates.canonical_name', '=', canonical)
            .executeTakeFirst();
    // The exact match heads the ranking; the rest follow it by downloads.
    const head = exact && offset === 0 ? [exact] : [];
    const restOffset = exact ? Math.max(offset - 1, 0) : offset;
    const rest =
      limit - head.length <= 0
        ? []
        : await matching
            .select(SEARCH_COLUMNS)
            .$if(exact !== undefined, (qb) => qb.where('crates.id', '!=', exact!.id))
            .orderBy('crates.downloads', 'desc')
            .orderBy('crates.name')
            .limit(limit - head.length)
            .offset(restOffset)
            .execute();
    const rows = [...head, ...rest];
    // A first page that is not full is the whole result: no count needed; nor is one the caller knows.
    const totalRow =
      offset === 0 && rows.length < limit
        ? { n: rows.length }
        : knownTotal !== undefined
          ? { n: knownTotal }
          : await matching.select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirst();
    return {
      total: Number(totalRow?.n ?? 0),
      crates: rows.map((r) => ({
        name: r.name,
        max_version: r.max_version,
        description: r.description,
        downloads: Number(r.downloads),
      })),
    };
  }

  /** The highest non-yanked published version by semver precedence (any version if all are yanked). */
  async maxVersion(crateId: number): Promise<string> {
    const row = await this.db
      .selectFrom('crates')
      .select('max_version')
      .where('id', '=', crateId)
      .executeTakeFirst();
    return row?.max_version ?? '0.0.0';
  }

  /** `maxVersion` of several crates, computed from their versions with one query. */
  async maxVersions(crateIds: readonly number[]): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    if (crateIds.length === 0) return out;
    const rows = await this.db
      .selectFrom('versions')
      .select(['crate_id', 'num', 'yanked'])
      .where('crate_id', 'in', [...crateIds])
      .where('status', '=', 'published')
      .execute();
    const byCrate = new Map<number, typeof rows>();
    for (const r of rows) byCrate.set(r.crate_id, [...(byCrate.get(r.crate_id) ?? []), r]);
    for (const [id, list] of byCrate) out.set(id, pickMaxVersion(list));
    return out;
  }

  /**
   * Per crate: owners' logins, downloads since `since` (YYYY-MM-DD) and the number of distinct
   * other crates depending on it (any version, any kind, the real name when renamed).
   */
  async popularityStats(since: string): Promise<
    {
      id: number;
      name: string;
      owners: string[];
      recentDownloads: number;
      dependents: number;
      description: string | null;
    }[]
  > {
    const crates = await this.db
      .selectFrom('crates')
      .select(['id', 'name', 'canonical_name', 'description'])
      .execute();
    const downloads = await this.db
      .selectFrom('version_downloads')
      .innerJoin('versions', 'versions.id', 'version_downloads.version_id')
      .select([
        'versions.crate_id',
        (eb) => eb.fn.sum<string | number>('version_downloads.downloads').as('n'),
      ])
      .where('version_downloads.date', '>=', since)
      .groupBy('versions.crate_id')
      .execute();
    const dependents = await this.db
      .selectFrom('dependencies')
      .innerJoin('versions', 'versions.id', 'dependencies.version_id')
      .innerJoin('crates', 'crates.id', 'versions.crate_id')
      .select([
        sql<string>`lower(replace(dependencies.crate_name, '-', '_'))`.as('dep'),
        sql<string | number>`count(distinct versions.crate_id)`.as('n'),
      ])
      .where('dependencies.registry', 'is', null)
      // A crate depending on itself (a dev-dependency) does not make it popular.
      .where(sql<boolean>`lower(replace(dependencies.crate_name, '-', '_')) <> crates.canonical_name`)
      .groupBy(sql`lower(replace(dependencies.crate_name, '-', '_'))`)
      .execute();
    const owners = await this.db
      .selectFrom('crate_owners')
      .innerJoin('users', 'users.id', 'crate_owners.user_id')
      .select(['crate_owners.crate_id', 'users.login'])
      .execute();
    const dl = new Map(downloads.map((d) => [d.crate_id, Number(d.n)]));
    const deps = new Map(dependents.map((d) => [d.dep, Number(d.n)]));
    const own = new Map<number, string[]>();
    for (const o of owners) own.set(o.crate_id, [...(own.get(o.crate_id) ?? []), o.login]);
    return crates.map((c) => ({
      id: c.id,
      name: c.name,
      owners: own.get(c.id) ?? [],
      recentDownloads: dl.get(c.id) ?? 0,
      dependents: deps.get(c.canonical_name) ?? 0,
      description: c.description,
    }));
  }

  /** Distinct other crates depending on this one (any version, any kind, real name when renamed). */
  async dependentCount(crateId: number): Promise<number> {
    const row = await this.db
      .selectFrom('dependencies')
      .innerJoin('versions', 'versions.id', 'dependencies.version_id')
      .innerJoin('crates as target', (join) =>
        join.on(
          sql`lower(replace(dependencies.crate_name, '-', '_'))`,
          '=',
          sql.ref('target.canonical_name'),
        ),
      )
      .select(sql<string | number>`count(distinct versions.crate_id)`.as('n'))
      .where('target.id', '=', crateId)
      .where('dependencies.registry', 'is', null)
      .where('versions.crate_id', '!=', crateId)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async readmes(crateIds: number[]): Promise<Map<number, string | null>> {
    if (crateIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('crates')
      .select(['id', 'readme'])
      .where('id', 'in', crateIds)
      .execute();
    return new Map(rows.map((r) => [r.id, r.readme]));
  }

  async isReserved(name: string): Promise<boolean> {
    return (await this.reservation(name)) !== null;
  }

  /** Whether an administrator reserved or blocked the name, and why. */
  async reservation(name: string): Promise<{ kind: string; reason: string | null } | null> {
    const row = await this.db
      .selectFrom('reserved_names')
      .select(['kind', 'reason'])
      .where('canonical_name', '=', canonicalCrateName(name))
      .executeTakeFirst();
    return row ?? null;
  }

  /** Holds a name for someone (`reserved`) or refuses it for good (`blocked`); a later call replaces the kind. */
  async reserveName(
    name: string,
    reason: string | null,
    kind: 'reserved' | 'blocked' = 'reserved',
    db: Kysely<Database> = this.db,
  ): Promise<void> {
    await db
      .insertInto('reserved_names')
      .values({ canonical_name: canonicalCrateName(name), name, reason, created_at: nowIso(), kind })
      .onConflict((oc) => oc.column('canonical_name').doUpdateSet({ kind, reason }))
      .execute();
  }

  /** Lifts a reservation or block; whether there was one. */
  async releaseName(name: string, db: Kysely<Database> = this.db): Promise<boolean> {
    const res = await db
      .deleteFrom('reserved_names')
      .where('canonical_name', '=', canonicalCrateName(name))
      .executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  /**
   * Deletes one version; returns its checksum when no other version shares the file. Runs in
   * the caller's transaction when given one, else in its own.
   */
  async deleteVersion(
    versionId: number,
    now = new Date(),
    db: Kysely<Database> = this.db,
  ): Promise<{ orphanedChecksum: string | null }> {
    return inTransaction(db, async (trx) => {
      const v = await trx
        .selectFrom('versions')
        .innerJoin('crates', 'crates.id', 'versions.crate_id')
        .select([
          'versions.checksum',
          'versions.num',
          'versions.num_no_build',
          'versions.crate_id',
          'crates.canonical_name',
        ])
        .where('versions.id', '=', versionId)
        .executeTakeFirstOrThrow();
      await retireVersions(trx, v.canonical_name, [v], now);
      await trx.deleteFrom('versions').where('id', '=', versionId).execute();
      await this.refreshMaxVersion(trx, v.crate_id);
      const other = await trx
        .selectFrom('versions')
        .select('id')
        .where('checksum', '=', v.checksum)
        .executeTakeFirst();
      return { orphanedChecksum: other ? null : v.checksum };
    });
  }

  /**
   * Deletes a crate with all its versions, and blocks its name for `blockDays` (crates.io keeps
   * a deleted crate's name from being taken at once). Returns the files no longer referenced.
   */
  async deleteCrate(
    crateId: number,
    blockDays: number,
    reason: string,
    now = new Date(),
    db: Kysely<Database> = this.db,
  ): Promise<{ orphanedChecksums: string[] }> {
    return inTransaction(db, async (trx) => {
      const krate = await trx
        .selectFrom('crates')
        .selectAll()
        .where('id', '=', crateId)
        .executeTakeFirstOrThrow();
      const sums = await trx
        .selectFrom('versions')
        .select(['checksum', 'num', 'num_no_build'])
        .where('crate_id', '=', crateId)
        .execute();
      await retireVersions(trx, krate.canonical_name, sums, now);
      await trx.deleteFrom('crates').where('id', '=', crateId).execute();
      await trx
        .insertInto('deleted_crates')
        .values({
          name: krate.name,
          canonical_name: krate.canonical_name,
          deleted_at: nowIso(now),
          available_at: nowIso(new Date(now.getTime() + blockDays * 86_400_000)),
          reason,
        })
        .execute();
      const orphaned: string[] = [];
      for (const { checksum } of sums) {
        const other = await trx
          .selectFrom('versions')
          .select('id')
          .where('checksum', '=', checksum)
          .executeTakeFirst();
        if (!other) orphaned.push(checksum);
      }
      return { orphanedChecksums: orphaned };
    });
  }

  /** When a deleted crate's name becomes available again, if it is still blocked. */
  async deletedNameBlockedUntil(name: string, now = new Date()): Promise<string | null> {
    const row = await this.db
      .selectFrom('deleted_crates')
      .select('available_at')
      .where('canonical_name', '=', canonicalCrateName(name))
      .where('available_at', '>', nowIso(now))
      .orderBy('available_at', 'desc')
      .executeTakeFirst();
    return row?.available_at ?? null;
  }
}

/** Runs `fn` in `db` when it is already a transaction (Kysely does not nest them), else in a new one. */
function inTransaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

/** Records deleted version numbers so they can never be published again (lockfiles pin them). */
async function retireVersions(
  trx: Kysely<Database>,
  canonicalName: string,
  versions: { num: string; num_no_build: string }[],
  now: Date,
): Promise<void> {
  for (let i = 0; i < versions.length; i += 200) {
    const batch = versions.slice(i, i + 200);
    if (batch.length === 0) break;
    await trx
      .insertInto('deleted_versions')
      .values(
        batch.map((v) => ({
          canonical_name: canonicalName,
          num: v.num,
          num_no_build: v.num_no_build,
          deleted_at: nowIso(now),
        })),
      )
      .onConflict((oc) => oc.columns(['canonical_name', 'num_no_build']).doNothing())
      .execute();
  }
}

async function insertDependencies(
  trx: Transaction<Database>,
  versionId: number,
  deps: NewDependency[],
): Promise<void> {
  if (deps.length === 0) return;
  // Batches keep each statement under SQLite's bound-parameter limit.
  for (let i = 0; i < deps.length; i += 100) {
    await trx
      .insertInto('dependencies')
      .values(
        deps.slice(i, i + 100).map((d) => ({
          version_id: versionId,
          crate_name: d.crateName,
          explicit_name: d.explicitName,
          req: d.req,
          features: JSON.stringify(d.features),
          optional: d.optional ? 1 : 0,
          default_features: d.defaultFeatures ? 1 : 0,
          target: d.target,
          kind: d.kind,
          registry: d.registry,
        })),
      )
      .execute();
  }
}
