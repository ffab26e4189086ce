// `cratekeeper vet check`: cargo-vet's `cargo vet check` over the workspace's supply-chain
// store. The graph comes from `cargo metadata --all-features --locked` (`--frozen` with
// `--frozen`), as cargo-vet runs it; the store is `supply-chain/` next to the workspace root
// (or `[workspace.metadata.vet] store.path`, or `--store-path`). With `--locked` imported audits
// come from imports.lock and nothing is fetched; otherwise each import URL is fetched (bounded).
//
// Exit codes as cargo-vet's: 0 when vetting succeeds; 255 (its `exit(-1)`) when it fails, for
// violations, or on any error; 2 for bad arguments.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import type { Command } from 'commander';
import { isTable, own } from '../../domain/toml-values.js';
import { MAX_VET_FILE_BYTES } from '../../formats/vet-common.js';
import { parseConfigToml, policyFor } from '../../formats/vet-config.js';
import {
  buildDepGraph,
  MetadataError,
  parseCargoMetadata,
  MAX_METADATA_BYTES,
} from '../../security/vet/metadata-graph.js';
import { reportHuman, reportJson } from '../../security/vet/report.js';
import { localDiffStats } from './vet-sources.js';
import { resolve } from '../../security/vet/resolver.js';
import {
  applyLivePublishers,
  loadStore,
  publisherCrates,
  StoreError,
  type FetchedImport,
} from '../../security/vet/store.js';
import { parseCratesApiPublishers, type ApiPublisher } from '../../formats/crates-api-publishers.js';
import { checkCratePolicies } from '../../security/vet/policy-check.js';
import { USAGE_EXIT_CODE, UsageError } from '../usage-error.js';
import { registerVetAuthorityCommands } from './vet-authority.js';

export const VET_FAILURE_EXIT = 255;
const FETCH_TIMEOUT_MS = 60_000;

interface CheckOptions {
  manifestPath?: string;
  storePath?: string;
  locked?: boolean;
  frozen?: boolean;
  outputFormat: string;
  allFeatures: boolean;
  cratesApi?: string;
}

export function registerVetCommands(program: Command): void {
  const vet = program
    .command('vet')
    .description("cargo-vet compatible supply-chain checks (cargo-vet's store format and resolver)");
  vet
    .command('check')
    .description(
      'check that every third-party dependency meets its required audit criteria, as `cargo vet check`',
    )
    .option('--manifest-path <PATH>', 'path to Cargo.toml')
    .option('--store-path <STORE_PATH>', 'path to the supply-chain directory')
    .option('--locked', 'do not fetch new imported audits (use imports.lock)')
    .option('--frozen', 'avoid the network entirely (requires --locked)')
    .option('--no-all-features', "don't pass --all-features to cargo metadata")
    .option('--output-format <FORMAT>', 'human or json', 'human')
    .option(
      '--crates-api <URL>',
      "where unlocked runs read who published each version (GET URL/api/v1/crates/NAME, crates.io's shape)",
      'https://crates.io',
    )
    .action(async (opts: CheckOptions) => {
      try {
        const { text, code } = await vetCheck(opts);
        process.stdout.write(text);
        process.exitCode = code;
      } catch (err) {
        process.stderr.write(`error: ${(err as Error).message}\n`);
        // Bad arguments exit 2, as clap (cargo-vet's argument parser) does.
        process.exitCode = err instanceof UsageError ? USAGE_EXIT_CODE : VET_FAILURE_EXIT;
      }
    });
  registerVetAuthorityCommands(vet);
}

export async function vetCheck(opts: CheckOptions): Promise<{ text: string; code: number }> {
  if (opts.outputFormat !== 'human' && opts.outputFormat !== 'json') {
    throw new UsageError(`--output-format must be human or json, not '${opts.outputFormat}'`);
  }
  if (opts.frozen && !opts.locked) throw new UsageError('--frozen requires --locked');
  const locked = opts.locked === true;
  const metaArgs = ['metadata', '--format-version', '1', opts.frozen ? '--frozen' : '--locked'];
  if (opts.allFeatures !== false) metaArgs.push('--all-features');
  if (opts.manifestPath !== undefined) metaArgs.push('--manifest-path', resolvePath(opts.manifestPath));
  const meta = parseCargoMetadata(await runCargo(metaArgs, opts.manifestPath));
  const storeDir = storePath(opts.storePath, meta.workspaceMetadata, meta.workspaceRoot, opts.manifestPath);
  const configPath = join(storeDir, 'config.toml');
  if (!existsSync(configPath))
    throw new StoreError(`You must run 'cargo vet init' (store not found at ${storeDir})`);
  const read = (name: string): string | undefined => {
    const p = join(storeDir, name);
    if (!existsSync(p)) return undefined;
    return readFileSync(p, 'utf8');
  };
  const configText = read('config.toml')!;
  const auditsText = read('audits.toml');
  if (auditsText === undefined) throw new StoreError(`audits.toml is missing from ${storeDir}`);
  const importsText = read('imports.lock');
  const fetched = new Map<string, FetchedImport[]>();
  if (!locked) {
    const config = parseConfigToml(configText);
    for (const [name, imp] of config.imports) {
      fetched.set(
        name,
        await Promise.all(imp.url.map(async (url) => ({ url, text: await fetchImport(name, url) }))),
      );
    }
  }
  const loaded = loadStore(
    {
      config: configText,
      audits: auditsText,
      ...(importsText === undefined ? {} : { imports: importsText }),
    },
    { locked, fetched, today: new Date().toISOString().slice(0, 10) },
  );
  for (const w of loaded.warnings) process.stderr.write(`warning: ${w}\n`);
  const graph = buildDepGraph(meta, {
    auditAsCratesIo: (name, version) => policyFor(loaded.config, name, version)?.auditAsCratesIo,
  });
  if (!locked) {
    // As cargo-vet, refresh publishers of third-party crates with wildcard or trusted entries.
    const wanted = publisherCrates(loaded.store);
    const crates = [
      ...new Set(graph.nodes.filter((n) => n.isThirdParty && wanted.has(n.name)).map((n) => n.name)),
    ];
    const api = (opts.cratesApi ?? 'https://crates.io').replace(/\/+$/, '');
    const infos: ApiPublisher[] = [];
    for (let i = 0; i < crates.length; i += 8) {
      const batch = crates.slice(i, i + 8);
      const texts = await Promise.all(
        batch.map((c) => fetchBounded(`publishers of ${c}`, `${api}/api/v1/crates/${encodeURIComponent(c)}`)),
      );
      batch.forEach((c, j) => infos.push(...parseCratesApiPublishers(c, texts[j]!)));
    }
    applyLivePublishers(loaded.store, infos);
  }
  checkCratePolicies(graph, loaded.config);
  const report = resolve(graph, loaded.store);
  let text: string;
  if (opts.outputFormat === 'json') {
    text = `${JSON.stringify(reportJson(report), null, 2)}\n`;
  } else {
    const sizes = localDiffStats(meta);
    try {
      text = reportHuman(report, sizes.provider);
    } finally {
      sizes.dispose();
    }
  }
  return { text, code: report.conclusion === 'success' ? 0 : VET_FAILURE_EXIT };
}

function storePath(
  cli: string | undefined,
  wsMeta: unknown,
  workspaceRoot: string | undefined,
  manifestPath: string | undefined,
): string {
  if (cli !== undefined) return resolvePath(cli);
  if (isTable(wsMeta)) {
    const vet = own(wsMeta, 'vet');
    if (isTable(vet)) {
      const store = own(vet, 'store');
      if (isTable(store) && typeof own(store, 'path') === 'string')
        return resolvePath(own(store, 'path') as string);
    }
  }
  const root =
    workspaceRoot ?? (manifestPath !== undefined ? dirname(resolvePath(manifestPath)) : process.cwd());
  return join(root, 'supply-chain');
}

function runCargo(args: string[], manifestPath: string | undefined): Promise<string> {
  const cwd = manifestPath !== undefined ? dirname(resolvePath(manifestPath)) : process.cwd();
  return new Promise((resolveText, reject) => {
    execFile(
      'cargo',
      args,
      { cwd, maxBuffer: MAX_METADATA_BYTES, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) reject(new MetadataError(`cargo ${args.join(' ')} failed: ${stderr.trim() || err.message}`));
        else resolveText(stdout);
      },
    );
  });
}

/** One import document over HTTP(S), bounded in size and time. */
export function fetchImport(name: string, url: string): Promise<string> {
  return fetchBounded(`import '${name}'`, url);
}

async function fetchBounded(what: string, url: string): Promise<string> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StoreError(`${what}: invalid URL '${url}'`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new StoreError(`${what}: only http and https URLs can be fetched ('${url}')`);
  }
  const res = await fetch(parsed, {
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    redirect: 'follow',
    headers: { 'user-agent': 'cratekeeper-vet' },
  }).catch((err: Error) => {
    throw new StoreError(`${what}: fetching ${url} failed: ${err.message}`);
  });
  if (!res.ok) throw new StoreError(`${what}: fetching ${url} returned HTTP ${res.status}`);
  const tooLarge = (): StoreError =>
    new StoreError(`${what}: ${url} is larger than ${MAX_VET_FILE_BYTES} bytes`);
  if (Number(res.headers.get('content-length') ?? '0') > MAX_VET_FILE_BYTES) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (res.body) {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_VET_FILE_BYTES) {
        await reader.cancel();
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new StoreError(`${what}: ${url} is not UTF-8 text`);
  }
}
