// The sparse index published as static files (optional: `[storage.index]`), so a CDN or a plain
// web server can serve cargo's index reads without reaching a registry process.
//
// Every change of what the index shows queues an `index-publish` job in the changing
// transaction (database triggers, migration 015: the jobs table is the outbox), so a crash can
// never keep a change and lose its publish. The job carries only the crate's name and reads the
// crate's current state when it runs: jobs are idempotent and the latest state wins. Two jobs of
// one crate may still finish out of order (the older render written last), so a job re-reads
// after its write and writes again until what is stored is what the database says.
//
// Caching rules (docs/deployment.md): index files and config.json change in place, so they get a
// short max-age and the target's ETag for revalidation; `.crate` files are immutable.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { indexPath } from '../domain/index-path.js';
import type { CrateRepository } from '../store/crates.js';
import type { Database } from '../store/schema.js';
import { renderIndexFile } from './index-cache.js';

export const INDEX_PUBLISH_JOB = 'index-publish';
export const DEFAULT_INDEX_MAX_AGE_SECONDS = 60;

export type IndexPublishJob = { crate: string } | { config: true } | { all: true };

export interface StaticFileHeaders {
  contentType: string;
  cacheControl: string;
}

/** Where the static index goes: a bucket (and prefix) or a directory a web server serves. */
export interface StaticFileTarget {
  put(key: string, body: Buffer, headers: StaticFileHeaders): Promise<void>;
  delete(key: string): Promise<void>;
  describe(): string;
}

export class FsStaticTarget implements StaticFileTarget {
  constructor(private readonly root: string) {}

  async put(key: string, body: Buffer): Promise<void> {
    const path = join(this.root, key);
    await mkdir(dirname(path), { recursive: true });
    // Temp file and rename: a web server never serves half a file.
    const tmp = join(dirname(path), `.tmp-${randomBytes(8).toString('hex')}`);
    await writeFile(tmp, body);
    await rename(tmp, path);
  }

  async delete(key: string): Promise<void> {
    await rm(join(this.root, key), { force: true });
  }

  describe(): string {
    return this.root;
  }
}

export interface StaticIndexDeps {
  db: Kysely<Database>;
  crates: CrateRepository;
  target: StaticFileTarget;
  /** What config.json names: the registry's public URL (downloads and the API stay there). */
  publicUrl: () => string;
  maxAgeSeconds?: number;
}

export class StaticIndexPublisher {
  private readonly cacheControl: string;

  constructor(private readonly deps: StaticIndexDeps) {
    this.cacheControl = `public, max-age=${deps.maxAgeSeconds ?? DEFAULT_INDEX_MAX_AGE_SECONDS}`;
  }

  get target(): StaticFileTarget {
    return this.deps.target;
  }

  /**
   * Turns the triggers' publish jobs on (or off) for every process sharing the database, and
   * when turning them on queues a full publish, so crates changed while it was off are written.
   */
  static async setEnabled(db: Kysely<Database>, enabled: boolean): Promise<boolean> {
    return db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('registry_state')
        .set({ static_index: enabled ? 1 : 0 })
        .where('id', '=', 1)
        .where('static_index', '=', enabled ? 0 : 1)
        .executeTakeFirst();
      const switched = Number(result.numUpdatedRows) > 0;
      if (switched && enabled) {
        const now = new Date().toISOString();
        await trx
          .insertInto('jobs')
          .values({
            kind: INDEX_PUBLISH_JOB,
            payload: JSON.stringify({ all: true }),
            status: 'queued',
            attempts: 0,
            max_attempts: 5,
            run_at: now,
            locked_by: null,
            locked_at: null,
            last_error: null,
            created_at: now,
            finished_at: null,
          })
          .execute();
      }
      return switched;
    });
  }

  async run(job: IndexPublishJob): Promise<void> {
    if ('crate' in job) await this.publishCrate(job.crate);
    else if ('config' in job) await this.publishConfig();
    else await this.publishAll();
  }

  /** Writes config.json: the same document the registry serves at /index/config.json. */
  async publishConfig(): Promise<void> {
    const url = this.deps.publicUrl();
    const body = Buffer.from(JSON.stringify({ dl: `${url}/api/v1/crates`, api: url }));
    await this.deps.target.put('config.json', body, {
      contentType: 'application/json',
      cacheControl: this.cacheControl,
    });
  }

  /** Writes (or removes) one crate's index file, as the database has it when this runs. */
  async publishCrate(name: string): Promise<void> {
    const key = indexPath(name.toLowerCase());
    let written: string | null | undefined;
    // Until a re-read after the write agrees with it (see the header).
    for (let round = 0; round < 5; round++) {
      const file = await renderIndexFile(this.deps.crates, name);
      const etag = file?.etag ?? null;
      if (etag === written) return;
      if (file)
        await this.deps.target.put(key, file.body, {
          contentType: 'text/plain; charset=utf-8',
          cacheControl: this.cacheControl,
        });
      else await this.deps.target.delete(key);
      written = etag;
    }
    throw new Error(`index file of ${name} kept changing while it was published; retrying later`);
  }

  async publishAll(): Promise<number> {
    await this.publishConfig();
    const rows = await sql<{ name: string }>`select name from crates order by id`.execute(this.deps.db);
    for (const r of rows.rows) await this.publishCrate(r.name);
    return rows.rows.length;
  }
}
