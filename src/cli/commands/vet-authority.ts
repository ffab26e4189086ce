// `cratekeeper vet verify` and `cratekeeper vet import`: the registry side of audit
// certification. `verify` checks every recorded audit's Ed25519 signature against the key that
// was its auditor's current one when it was recorded (none revoked), and that each file it
// was bound to is still the one served (the version's checksum and the stored bytes); `import`
// keeps another organisation's audits.toml (Mozilla's, Google's, …) for display next to ours.
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { parseForeignAuditsToml } from '../../formats/vet-audits.js';
import { MAX_VET_FILE_BYTES, VetFormatError } from '../../formats/vet-common.js';
import { keyState } from '../../security/vet/key-validity.js';
import { UsageError } from '../usage-error.js';
import { addCommon, openFromOptions, type CommonOptions } from './registry.js';
import { fetchImport } from './vet.js';

const IMPORT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function registerVetAuthorityCommands(vet: Command): void {
  addCommon(
    vet
      .command('verify')
      .description(
        'check every audit this registry recorded: its signature, and that the audited .crate files are still the ones served (exit 1 on any failure)',
      ),
  ).action(async (opts: CommonOptions) => {
    const services = await openFromOptions(opts);
    try {
      const checks = await services.vet.verifyAll();
      const failed = checks.filter((c) => c.problems.length > 0);
      for (const c of failed) {
        const a = c.audit;
        const what =
          a.kind === 'full'
            ? `${a.crate_name}@${a.version}`
            : a.kind === 'delta'
              ? `${a.crate_name} ${a.delta_from} -> ${a.delta_to}`
              : `${a.crate_name} violation ${a.violation}`;
        process.stdout.write(`FAIL audit #${a.id} (${what}, by ${a.who}): ${c.problems.join('; ')}\n`);
      }
      // Which key vouched for how many audits, with the interval it was valid for.
      const used = new Map<string, number>();
      for (const c of checks) used.set(c.audit.key_id, (used.get(c.audit.key_id) ?? 0) + 1);
      for (const key of await services.vet.repo.keys()) {
        const n = used.get(key.key_id);
        if (!n) continue;
        const owner = (await services.users.findById(key.user_id))?.login ?? `#${key.user_id}`;
        const until = key.retired_at ?? 'now';
        process.stdout.write(
          `key ${key.key_id} (${owner}, ${keyState(key)}, valid ${key.created_at} to ${until}): ${n} audit${n === 1 ? '' : 's'}\n`,
        );
      }
      process.stdout.write(
        failed.length === 0
          ? `all ${checks.length} audits verified\n`
          : `${failed.length} of ${checks.length} audits failed verification\n`,
      );
      process.exitCode = failed.length === 0 ? 0 : 1;
    } finally {
      await services.close();
    }
  });

  addCommon(
    vet
      .command('import')
      .argument('<source>', 'URL or file of an audits.toml')
      .requiredOption('--name <NAME>', 'name to keep the audit set under (replaces one of that name)')
      .description("store another organisation's cargo-vet audits.toml for display next to this registry's"),
  ).action(async (source: string, opts: CommonOptions & { name: string }) => {
    if (!IMPORT_NAME.test(opts.name))
      throw new UsageError(
        `--name must be 1-64 letters, digits, '-' or '_', not '${opts.name.slice(0, 70)}'`,
      );
    const text = await readSource(source, opts.name);
    let parsed;
    try {
      parsed = parseForeignAuditsToml(text, source);
    } catch (err) {
      if (err instanceof VetFormatError)
        throw new UsageError(`${source} is not a cargo-vet audits.toml: ${err.message}`);
      throw err;
    }
    const count = parsed.audits.audits.reduce((n, [, list]) => n + list.length, 0);
    const services = await openFromOptions(opts);
    try {
      await services.vet.repo.putImport(opts.name, source, text, count);
    } finally {
      await services.close();
    }
    for (const note of parsed.ignored) process.stderr.write(`warning: ignored ${note}\n`);
    process.stdout.write(
      `imported ${count} audits and ${parsed.audits.criteria.length} criteria as '${opts.name}'\n`,
    );
  });
}

async function readSource(source: string, name: string): Promise<string> {
  if (/^https?:\/\//i.test(source)) return fetchImport(name, source);
  if (!existsSync(source)) throw new UsageError(`no such file: ${source}`);
  if (statSync(source).size > MAX_VET_FILE_BYTES)
    throw new UsageError(`${source} is larger than ${MAX_VET_FILE_BYTES} bytes`);
  const bytes = readFileSync(source);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(`${source} is not UTF-8 text`);
  }
}
