// Maintenance commands: gc (orphaned `.crate` blobs), rescan (re-queue security scans, or with
// --analysis the source analyses that fill in unsafe counts and invocations for old versions),
// backup and restore (SQLite registries; PostgreSQL ones use pg_dump, docs/deployment.md).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { REGISTRY_DATABASE_FILE } from '../../registry/services.js';
import { backupRegistry, restoreRegistry } from '../../store/backup.js';
import { VET_KEY_FILE } from '../../store/vet-key-vault.js';
import { loadConfigFile } from '../config-file.js';
import { openBlobStore, storageConfigFrom } from '../storage-config.js';
import { UsageError } from '../usage-error.js';
import type { RegistryServices } from '../../registry/services.js';
import { DEFAULT_BLOB_GRACE_MS, collectBlobGarbage } from '../../store/blob-gc.js';
import { JobQueue } from '../../store/jobs.js';
import { describeGc, parseGrace, plural } from '../blob-gc.js';
import { addCommon, openFromOptions, type CommonOptions } from './registry.js';

export function registerMaintenanceCommands(program: Command): void {
  addCommon(
    program
      .command('gc')
      .description('remove .crate blobs no version references, and temp files, past a grace period'),
  )
    .option('--dry-run', 'report what would be removed; remove nothing')
    .option(
      '--grace <minutes>',
      'spare anything written this recently',
      String(DEFAULT_BLOB_GRACE_MS / 60_000),
    )
    .option('--json', 'print the report as JSON')
    .action(async (opts: CommonOptions & { dryRun?: boolean; grace: string; json?: boolean }) => {
      const graceMs = parseGrace(opts.grace);
      const services = await openFromOptions(opts);
      try {
        const report = await collectBlobGarbage(services.db.kysely, services.blobs, {
          graceMs,
          dryRun: opts.dryRun === true,
        });
        if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
        else process.stdout.write(`${describeGc(report)}\n`);
      } finally {
        await services.close();
      }
    });

  addCommon(
    program
      .command('backup')
      .description(
        'copy a SQLite registry (online, consistent) and its blobs into a new directory with a manifest',
      ),
  )
    .requiredOption('--out <dir>', 'where the backup goes (must not exist or be empty)')
    .option('--all-blobs', 'copy every blob in the store, not only those the database references')
    .option('--json', 'print the manifest as JSON')
    .action(async (opts: CommonOptions & { out: string; allBlobs?: boolean; json?: boolean }) => {
      if (opts.databaseUrl)
        throw new UsageError(
          'backup covers the SQLite default; back up PostgreSQL with pg_dump and a copy of the blob store (docs/deployment.md)',
        );
      const dataDir = resolve(opts.data);
      const databaseFile = join(dataDir, REGISTRY_DATABASE_FILE);
      if (!existsSync(databaseFile)) throw new UsageError(`no registry at ${dataDir}`);
      const file = loadConfigFile(opts.config);
      const { manifest, out } = await backupRegistry({
        databaseFile,
        blobs: await openBlobStore(storageConfigFrom(file.table), dataDir),
        dataDir,
        extraFiles: [VET_KEY_FILE],
        out: resolve(opts.out),
        allBlobs: opts.allBlobs === true,
      });
      if (opts.json) process.stdout.write(JSON.stringify(manifest, null, 2) + '\n');
      else
        process.stdout.write(
          `backed up the database and ${plural(manifest.blobs.count, 'blob')} (${manifest.blobs.bytes} bytes) to ${out}\n`,
        );
    });

  addCommon(
    program
      .command('restore')
      .description('restore a backup made by `cratekeeper backup` into an empty data directory'),
  )
    .requiredOption('--from <dir>', 'the backup directory')
    .action(async (opts: CommonOptions & { from: string }) => {
      if (opts.databaseUrl)
        throw new UsageError(
          'restore covers the SQLite default; restore PostgreSQL with pg_restore (docs/deployment.md)',
        );
      const dataDir = resolve(opts.data);
      const storage = storageConfigFrom(loadConfigFile(opts.config).table);
      const manifest = await restoreRegistry({
        from: resolve(opts.from),
        dataDir,
        databaseFile: join(dataDir, REGISTRY_DATABASE_FILE),
        // Blobs go to the configured store; the default store lives inside the data directory.
        ...(storage.kind === 's3' || storage.dir ? { blobs: await openBlobStore(storage, dataDir) } : {}),
      });
      process.stdout.write(
        `restored the backup of ${manifest.createdAt} (${plural(manifest.blobs.count, 'blob')}) into ${dataDir}\n`,
      );
    });

  const rescan = addCommon(
    program
      .command('rescan [target]')
      .description('re-queue security scans of CRATE@VERSION, every version of CRATE, or --all'),
  )
    .option('--all', 'every version of every crate')
    .option('--analysis', 'queue source analyses (unsafe counts, invocations) instead of scans')
    .action(
      async (target: string | undefined, opts: CommonOptions & { all?: boolean; analysis?: boolean }) => {
        if ((target === undefined) === (opts.all !== true))
          rescan.error('usage: cratekeeper rescan [--analysis] CRATE[@VERSION] | --all', { exitCode: 2 });
        const services = await openFromOptions(opts);
        try {
          const ids =
            target === undefined ? await allVersionIds(services) : await versionIdsOf(services, target);
          const queue = new JobQueue(services.db.kysely, services.db.dialect);
          const kind = opts.analysis ? 'analyze' : 'scan';
          // One transaction: all the jobs are queued, or none.
          await services.db.kysely.transaction().execute(async (trx) => {
            for (const versionId of ids) await queue.enqueue(kind, { versionId }, {}, trx);
          });
          process.stdout.write(`queued ${plural(ids.length, opts.analysis ? 'analysis job' : 'scan job')}\n`);
        } finally {
          await services.close();
        }
      },
    );
}

async function allVersionIds(services: RegistryServices): Promise<number[]> {
  const rows = await services.db.kysely.selectFrom('versions').select('id').orderBy('id').execute();
  return rows.map((r) => r.id);
}

async function versionIdsOf(services: RegistryServices, target: string): Promise<number[]> {
  const at = target.indexOf('@');
  const name = at < 0 ? target : target.slice(0, at);
  const num = at < 0 ? null : target.slice(at + 1);
  const crate = await services.crates.findByName(name);
  if (!crate) throw new Error(`no crate \`${name}\``);
  if (num === null) return (await services.crates.versions(crate.id)).map((v) => v.id);
  const version = await services.crates.findVersion(crate.id, num);
  if (!version) throw new Error(`no version ${num} of \`${crate.name}\``);
  return [version.id];
}
