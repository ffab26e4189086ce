// File hashes of published versions, and which other crates contain a given file.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface FileHash {
  path: string;
  sha256: string;
  size: number;
}

export class VersionFileRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async save(versionId: number, files: FileHash[], db: Kysely<Database> = this.db): Promise<void> {
    await db.deleteFrom('version_files').where('version_id', '=', versionId).execute();
    for (let i = 0; i < files.length; i += 200) {
      await db
        .insertInto('version_files')
        .values(files.slice(i, i + 200).map((f) => ({ version_id: versionId, ...f })))
        .execute();
    }
  }

  /** For each hash, the crates (by name) that have a version containing that file. */
  async cratesWithFiles(hashes: string[]): Promise<Map<string, Set<string>>> {
    const out = new Map<string, Set<string>>();
    const unique = [...new Set(hashes)];
    for (let i = 0; i < unique.length; i += 500) {
      const rows = await this.db
        .selectFrom('version_files')
        .innerJoin('versions', 'versions.id', 'version_files.version_id')
        .innerJoin('crates', 'crates.id', 'versions.crate_id')
        .select(['version_files.sha256', 'crates.name'])
        .distinct()
        .where('version_files.sha256', 'in', unique.slice(i, i + 500))
        .execute();
      for (const r of rows) {
        const set = out.get(r.sha256) ?? new Set<string>();
        set.add(r.name);
        out.set(r.sha256, set);
      }
    }
    return out;
  }
}
