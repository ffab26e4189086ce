// `cratekeeper advisories`: sync advisory databases into the registry, and export the
// registry's own advisories as a RustSec tree (optionally a git repository).
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { exportAdvisoryDb, ownAdvisoryFiles } from '../../registry/advisory-db.js';
import type { SyncReport } from '../../jobs/advisory-sync.js';
import { loadConfigFile, section } from '../config-file.js';
import { addCommon, openFromOptions, type CommonOptions } from './registry.js';

export function describeSync(r: SyncReport): string {
  const lines = [
    `synced ${r.databases.map((d) => `${d.label} (${d.advisoryCount})`).join(', ')}: ` +
      `${r.added} added, ${r.updated} updated, ${r.withdrawn} withdrawn, ${r.unchanged} unchanged, ` +
      `${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}`,
  ];
  for (const m of r.malicious) {
    lines.push(
      `  MALICIOUS ${m.advisory} names ${m.crate} in this registry (${m.scope === 'applies' ? 'applies' : 'same name only'}): ` +
        `critical alert #${m.alertId}` +
        (m.quarantined.length ? `, quarantined ${m.quarantined.join(', ')}` : ', nothing quarantined'),
    );
  }
  for (const p of r.problems.slice(0, 20)) lines.push(`  skipped ${p.file} (${p.database}): ${p.message}`);
  if (r.problems.length > 20) lines.push(`  … and ${r.problems.length - 20} more (use --json)`);
  return lines.join('\n');
}

type PublicUrlOption = { publicUrl?: string };

/** The public URL the registry is reached at: it names this registry in advisories' `source`. */
function publicUrlOf(opts: CommonOptions & PublicUrlOption): string | undefined {
  const server = section(loadConfigFile(opts.config).table, 'server');
  const url = opts.publicUrl ?? (server.public_url as string | undefined);
  return url?.replace(/\/+$/, '');
}

export function registerAdvisoryCommands(program: Command): void {
  const cmd = program
    .command('advisories')
    .description("advisory databases and this registry's own advisories");

  addCommon(
    cmd
      .command('sync')
      .description(
        'upsert advisories from databases (directory, git checkout, .tar.gz, OSV JSON, URL) in one transaction',
      ),
  )
    .requiredOption('--from <sources...>', 'advisory databases to read')
    .option('--public-url <url>', "this registry's public URL (default: [server] public_url)")
    .option('--json', 'print the report as JSON')
    .action(async (opts: CommonOptions & PublicUrlOption & { from: string[]; json?: boolean }) => {
      const publicUrl = publicUrlOf(opts);
      const services = await openFromOptions(opts, publicUrl ? { publicUrl } : {});
      if (!publicUrl)
        process.stderr.write(
          `note: no --public-url or [server] public_url; advisories for this registry are those whose source is sparse+${services.config.publicUrl}/index/\n`,
        );
      try {
        const report = await services.security.advisorySync.sync(opts.from);
        process.stdout.write(
          opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${describeSync(report)}\n`,
        );
      } finally {
        await services.close();
      }
    });

  addCommon(
    cmd
      .command('export')
      .description("write this registry's own advisories as a RustSec tree (crates/<name>/<id>.md)"),
  )
    .requiredOption('--out <dir>', 'directory to write (its crates/ is replaced)')
    .option('--git', 'commit the tree with git (the repository is created when missing)')
    .action(async (opts: CommonOptions & { out: string; git?: boolean }) => {
      const services = await openFromOptions(opts);
      try {
        const files = await ownAdvisoryFiles(services.security.advisorySync.advisories);
        const out = resolve(opts.out);
        const r = await exportAdvisoryDb(out, files, { git: opts.git === true });
        process.stdout.write(
          `wrote ${r.files} advisor${r.files === 1 ? 'y' : 'ies'} to ${out}` +
            (opts.git ? (r.commit ? ` (commit ${r.commit.slice(0, 12)})` : ' (nothing changed)') : '') +
            '\n',
        );
      } finally {
        await services.close();
      }
    });
}
