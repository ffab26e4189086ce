// Backup and restore of a registry on the SQLite default: the database copied with SQLite's
// online backup API (a consistent snapshot while the server keeps writing), then the blobs the
// snapshot references, each checked against its checksum, and the vet signing-key file, into a
// directory with a manifest. Blobs are read after the snapshot: a blob a snapshot references
// is never removed within the collector's grace period of its version's deletion, so every
// one is still there. Restore checks everything against the manifest in a staging directory
// beside the target and moves it into place only when all of it is sound, so a failed restore
// leaves nothing behind; it refuses a data directory that is not empty.
//
// PostgreSQL registries are backed up with pg_dump and a copy of the bucket (docs/deployment.md).
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { BlobStore } from './blob-store.js';

export const BACKUP_MANIFEST = 'manifest.json';
const BACKUP_DATABASE = 'cratekeeper.sqlite';
const BACKUP_BLOBS = 'crates';

export interface BackupManifest {
  format: 'cratekeeper-backup';
  version: 1;
  createdAt: string;
  database: { file: string; sha256: string; size: number };
  blobs: { count: number; bytes: number; scope: 'referenced' | 'all' };
  /** Files of the data directory copied as they are (the vet signing-key file). */
  files: { name: string; sha256: string; size: number }[];
}

export interface BackupReport {
  out: string;
  manifest: BackupManifest;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function blobPath(root: string, checksum: string): string {
  return join(root, checksum.slice(0, 2), checksum.slice(2, 4), `${checksum}.crate`);
}

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
}

export async function backupRegistry(options: {
  databaseFile: string;
  blobs: BlobStore;
  /** Files beside the database worth keeping (by name, in `dataDir`), copied when present. */
  dataDir: string;
  extraFiles: string[];
  out: string;
  allBlobs?: boolean;
}): Promise<BackupReport> {
  const { out } = options;
  if (!(await isEmptyOrMissing(out))) throw new Error(`backup target ${out} is not empty`);
  const staging = join(dirname(out), `.${basename(out)}.partial-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(join(staging, BACKUP_BLOBS), { recursive: true });
  try {
    // The online backup: a consistent snapshot, taken page by page while writers carry on.
    const source = new BetterSqlite3(options.databaseFile, { readonly: true, fileMustExist: true });
    try {
      await source.backup(join(staging, BACKUP_DATABASE));
    } finally {
      source.close();
    }
    const snapshot = new BetterSqlite3(join(staging, BACKUP_DATABASE), { readonly: true });
    let checksums: string[];
    try {
      checksums = (
        snapshot.prepare('select distinct checksum from versions').all() as { checksum: string }[]
      ).map((r) => r.checksum);
    } finally {
      snapshot.close();
    }
    if (options.allBlobs) {
      const referenced = new Set(checksums);
      for await (const e of options.blobs.list())
        if (e.checksum && !referenced.has(e.checksum)) checksums.push(e.checksum);
    }
    let bytes = 0;
    for (const checksum of checksums) {
      const blob = await options.blobs.get(checksum);
      if (!blob) throw new Error(`blob ${checksum} is referenced by the database but missing from the store`);
      if (sha256(blob) !== checksum)
        throw new Error(`blob ${checksum} does not match its checksum: the store is damaged`);
      const path = blobPath(join(staging, BACKUP_BLOBS), checksum);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, blob);
      bytes += blob.length;
    }
    const files: BackupManifest['files'] = [];
    for (const name of options.extraFiles) {
      const content = await readFile(join(options.dataDir, name)).catch(() => null);
      if (!content) continue;
      await writeFile(join(staging, name), content, { mode: 0o600 });
      files.push({ name, sha256: sha256(content), size: content.length });
    }
    const db = await readFile(join(staging, BACKUP_DATABASE));
    const manifest: BackupManifest = {
      format: 'cratekeeper-backup',
      version: 1,
      createdAt: new Date().toISOString(),
      database: { file: BACKUP_DATABASE, sha256: sha256(db), size: db.length },
      blobs: { count: checksums.length, bytes, scope: options.allBlobs ? 'all' : 'referenced' },
      files,
    };
    await writeFile(join(staging, BACKUP_MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
    await rm(out, { recursive: true, force: true }); // empty or missing, checked above
    await rename(staging, out);
    return { out, manifest };
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}

async function readManifest(from: string): Promise<BackupManifest> {
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(await readFile(join(from, BACKUP_MANIFEST), 'utf8')) as BackupManifest;
  } catch (err) {
    throw new Error(
      `${from} is not a cratekeeper backup (no readable ${BACKUP_MANIFEST}: ${(err as Error).message})`,
    );
  }
  if (manifest.format !== 'cratekeeper-backup' || manifest.version !== 1)
    throw new Error(
      `${from}: unsupported backup format ${JSON.stringify(manifest.format)} ${manifest.version}`,
    );
  return manifest;
}

/** Checks a backup against its manifest and checksums; resolves with the manifest when sound. */
export async function verifyBackup(from: string): Promise<BackupManifest> {
  const manifest = await readManifest(from);
  const db = await readFile(join(from, manifest.database.file));
  if (sha256(db) !== manifest.database.sha256)
    throw new Error(`${from}: the database copy does not match the manifest`);
  for (const f of manifest.files) {
    const content = await readFile(join(from, f.name));
    if (sha256(content) !== f.sha256) throw new Error(`${from}: ${f.name} does not match the manifest`);
  }
  let count = 0;
  for await (const { checksum, path } of backupBlobs(join(from, BACKUP_BLOBS))) {
    if (sha256(await readFile(path)) !== checksum)
      throw new Error(`${from}: blob ${checksum} does not match its checksum`);
    count++;
  }
  if (count !== manifest.blobs.count)
    throw new Error(`${from}: ${count} blobs present, the manifest says ${manifest.blobs.count}`);
  return manifest;
}

async function* backupBlobs(root: string): AsyncIterable<{ checksum: string; path: string }> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const m = /^([0-9a-f]{64})\.crate$/.exec(e.name);
    if (e.isFile() && m) yield { checksum: m[1]!, path: join(e.parentPath, e.name) };
  }
}

/**
 * Restores a backup into an empty (or missing) data directory. `blobs`: where the blobs go
 * when they are not kept in the data directory (an S3 bucket); by default `DATA/crates`.
 */
export async function restoreRegistry(options: {
  from: string;
  dataDir: string;
  databaseFile: string;
  blobs?: BlobStore;
}): Promise<BackupManifest> {
  const { dataDir } = options;
  if (!(await isEmptyOrMissing(dataDir)))
    throw new Error(
      `refusing to restore into ${dataDir}: it is not empty (restore into a new, empty directory)`,
    );
  const manifest = await verifyBackup(options.from);
  const staging = join(dirname(dataDir), `.${basename(dataDir)}.restoring-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    if (options.blobs) {
      for await (const { checksum, path } of backupBlobs(join(options.from, BACKUP_BLOBS)))
        await options.blobs.put(checksum, await readFile(path));
    } else {
      for await (const { checksum, path } of backupBlobs(join(options.from, BACKUP_BLOBS))) {
        const target = blobPath(join(staging, BACKUP_BLOBS), checksum);
        await mkdir(dirname(target), { recursive: true });
        await copyFile(path, target);
      }
    }
    for (const f of manifest.files) await copyFile(join(options.from, f.name), join(staging, f.name));
    await copyFile(join(options.from, manifest.database.file), join(staging, basename(options.databaseFile)));
    await rm(dataDir, { recursive: true, force: true }); // empty or missing, checked above
    await rename(staging, dataDir);
    await stat(join(dataDir, basename(options.databaseFile)));
    return manifest;
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}
