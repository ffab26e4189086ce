// `cratekeeper typosquat check|scan`: typosquat detection from the command line.
//
// Exit codes: `check` exits 1 when any name is flagged and 0 when none is; `scan` exits 0 once
// the report is written. Both exit 2 on bad input (config, corpus, index, arguments).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readCratesIndex } from '../../formats/crates-index.js';
import { registryCorpus } from '../../jobs/registry-corpus.js';
import { CrateRepository } from '../../store/crates.js';
import { isPostgresUrl, openDatabase } from '../../store/database.js';
import { loadConfigFile } from '../config-file.js';
import { createProgress } from '../progress.js';
import {
  defaultTyposquatConfig,
  IndexPopularity,
  loadTyposquatConfig,
  scanCandidates,
  TyposquatChecker,
  type PopularCrate,
  type ScanEntry,
  type TyposquatConfig,
} from '../../security/typosquat/index.js';
import { REGISTRY_DATABASE_FILE } from '../../registry/services.js';
import { UsageError } from '../usage-error.js';

interface CommonOptions {
  index?: string;
  registry?: string;
  corpus?: string;
  top?: string;
  config?: string;
  json?: boolean;
  progress?: boolean;
}

interface CheckOptions extends CommonOptions {
  owner?: string[];
  publisher?: boolean;
}

interface ScanOptions extends CommonOptions {
  threads?: string;
  limit?: string;
}

/** One flagged name as printed: its hits, worst first. */
interface Flagged {
  name: string;
  score: number;
  squats: Row[];
}

interface Row {
  kind: string;
  target: string;
  message: string;
  score: number;
  similarity?: number;
  /** Publisher hits: the impersonated owner's popular crates. */
  crates?: string[];
}

function flagged(e: ScanEntry): Flagged {
  return {
    name: e.name,
    score: e.score,
    squats: e.hits.map((h) => ({
      kind: h.kind,
      target: h.target,
      message: h.message,
      score: h.score,
      ...(h.similarity !== undefined ? { similarity: h.similarity } : {}),
    })),
  };
}

export function registerTyposquatCommands(program: Command): void {
  const cmd = program
    .command('typosquat')
    .description('find crate names that imitate popular crates (the Typomania checks, and more)');

  cmd
    .command('check')
    .description(
      'check crate names (or publisher logins) against the popular crates; exit 1 when any is flagged',
    )
    .argument('<names...>', 'crate names to check')
    .option(
      '--index <path>',
      'crates.io index snapshot (.tar.gz, directory or git repository) for the corpus',
    )
    .option(
      '--registry <data-dir|url>',
      "this registry's popular crates (its data directory or a postgres:// URL); the default when ./data holds a registry",
    )
    .option(
      '--corpus <file>',
      'JSON array of popular crates {name, owners, description?, readme?}, most popular first',
    )
    .option('--top <n>', 'number of popular crates to compare against (default: config, 3000)')
    .option(
      '--config <file>',
      'cratekeeper.toml with a [typosquat] table (default: ./cratekeeper.toml if present)',
    )
    .option('--owner <login...>', 'owners of the checked crates: a popular crate sharing one is not a squat')
    .option('--publisher', 'treat the names as publisher logins and look for impersonated popular owners')
    .option('--progress', 'show progress on stderr even when it is not a terminal')
    .option(
      '--json',
      'one JSON object per flagged name: {name, score, squats: [{kind, target, message, score}]}',
    )
    .action(async (names: string[], opts: CheckOptions) => {
      await run(async () => {
        const config = loadConfig(opts);
        const corpus = await loadCorpus(opts, config);
        // A gate must not pass because there was nothing to compare against.
        if (corpus.length === 0)
          throw new UsageError('the corpus of popular crates is empty: nothing to check against');
        const checker = new TyposquatChecker(corpus, config, { ecosystem: corpus.ecosystem });
        const entries: Flagged[] = [];
        if (opts.publisher) {
          for (const name of names) {
            const hits = checker.checkPublisher(name);
            if (hits.length > 0) entries.push({ name, score: hits[0]!.score, squats: hits });
          }
        } else {
          // A batch: cheaper than building the whole variant table for a few names.
          const results = checker.checkAll(names.map((name) => ({ name, owners: opts.owner ?? [] })));
          results.forEach((hits, i) => {
            if (hits.length > 0) entries.push(flagged({ name: names[i]!, score: hits[0]!.score, hits }));
          });
        }
        entries.sort((a, b) => b.score - a.score || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        if (opts.json) printJson(entries);
        else printTable(entries, names.length, corpus.length);
        process.exitCode = entries.length > 0 ? 1 : 0;
      });
    });

  cmd
    .command('scan')
    .description('check every crate of an index snapshot against its own most-depended-on crates')
    .requiredOption('--index <path>', 'crates.io index snapshot (.tar.gz, directory or git repository)')
    .option('--top <n>', 'number of popular crates to compare against (default: config, 3000)')
    .option(
      '--config <file>',
      'cratekeeper.toml with a [typosquat] table (default: ./cratekeeper.toml if present)',
    )
    .option(
      '--threads <n>',
      'worker threads for the checks (default 1: at index scale threads cost more than they save)',
    )
    .option('--limit <n>', 'human output: show only the N worst names')
    .option('--progress', 'show progress on stderr even when it is not a terminal')
    .option(
      '--json',
      'one JSON object per flagged name: {name, score, squats: [{kind, target, message, score}]}',
    )
    .action(async (opts: ScanOptions) => {
      await run(async () => {
        const config = loadConfig(opts);
        const threads = opts.threads ? positive('--threads', opts.threads) : 1;
        const popularity = new IndexPopularity();
        await readIndex(opts.index!, popularity, opts.progress === true);
        const corpus = popularity.top(config.top);
        const candidates = popularity.allNames().map((name) => ({ name }));
        const progress = createProgress('checking', candidates.length, { force: opts.progress === true });
        let shown = 0;
        const entries = await scanCandidates(corpus, config, candidates, {
          threads,
          ecosystem: candidates.map((c) => c.name),
          onProgress: (p) => {
            progress.tick(p.done - shown);
            shown = p.done;
          },
        });
        progress.done();
        const rows = entries.map(flagged);
        if (opts.json) printJson(rows);
        else {
          const limit = opts.limit ? positive('--limit', opts.limit) : rows.length;
          printTable(rows.slice(0, limit), candidates.length, corpus.length, rows.length);
        }
        process.exitCode = 0;
      });
    });
}

async function run(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exitCode = 2;
  }
}

function loadConfig(opts: CommonOptions): TyposquatConfig {
  let config = defaultTyposquatConfig();
  const file = loadConfigFile(opts.config);
  if (file.text !== null) {
    try {
      config = loadTyposquatConfig(file.text);
    } catch (e) {
      throw new UsageError(`${file.path}: ${(e as Error).message}`);
    }
  }
  if (opts.top !== undefined) config.top = positive('--top', opts.top);
  return config;
}

function positive(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`${flag} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** The popular crates, and (from an index) every crate name, for the ecosystem's conventions. */
async function loadCorpus(
  opts: CommonOptions,
  config: TyposquatConfig,
): Promise<PopularCrate[] & { ecosystem?: string[] }> {
  const given = [opts.corpus, opts.index, opts.registry].filter((o) => o !== undefined).length;
  if (given > 1) throw new UsageError('give one of --index, --corpus or --registry');
  const registry =
    opts.registry ?? (given === 0 && existsSync(join('data', REGISTRY_DATABASE_FILE)) ? 'data' : undefined);
  if (registry !== undefined) {
    const url = isPostgresUrl(registry) ? registry : join(resolve(registry), REGISTRY_DATABASE_FILE);
    if (!isPostgresUrl(registry) && !existsSync(url)) throw new UsageError(`no registry database at ${url}`);
    const db = await openDatabase({ url });
    try {
      const corpus = await registryCorpus(new CrateRepository(db.kysely), config.top, 90);
      return Object.assign(corpus, { ecosystem: corpus.allCrates.map((c) => c.name) });
    } finally {
      await db.close();
    }
  }
  if (opts.corpus !== undefined) return readCorpusFile(opts.corpus);
  if (opts.index !== undefined) {
    const popularity = new IndexPopularity();
    await readIndex(opts.index, popularity, opts.progress === true);
    return Object.assign(popularity.top(config.top), { ecosystem: popularity.allNames() });
  }
  throw new UsageError(
    'no popular crates to compare against: give --index PATH, --registry DATA_DIR or --corpus FILE',
  );
}

function readCorpusFile(path: string): PopularCrate[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read corpus ${path}: ${(e as Error).message}`);
  }
  if (!Array.isArray(data)) throw new UsageError(`${path}: expected a JSON array of crates`);
  return data.map((c: unknown, i) => {
    const r = c as Record<string, unknown> | null;
    if (typeof r !== 'object' || r === null || typeof r.name !== 'string' || r.name === '') {
      throw new UsageError(`${path}: entry ${i} needs a non-empty string "name"`);
    }
    const owners = r.owners ?? [];
    if (!Array.isArray(owners) || owners.some((o) => typeof o !== 'string')) {
      throw new UsageError(`${path}: entry ${i} ("${r.name}"): "owners" must be an array of strings`);
    }
    const text = (k: string) => (typeof r[k] === 'string' ? (r[k] as string) : null);
    return {
      name: r.name,
      owners: owners as string[],
      description: text('description'),
      readme: text('readme'),
    };
  });
}

async function readIndex(path: string, popularity: IndexPopularity, forceProgress: boolean): Promise<void> {
  let malformed = 0;
  // The total is known once the reader reports it (compressed bytes of a tarball).
  const progress = createProgress('reading index', 0, { force: forceProgress });
  let bytes = 0;
  try {
    await readCratesIndex(path, (name, lines) => popularity.add(name, lines), {
      skipMalformed: true,
      onMalformed: () => malformed++,
      onProgress: (p) => {
        if (p.totalBytes !== undefined) progress.setTotal(p.totalBytes);
        progress.tick(p.bytes - bytes, `${p.crates} crates`);
        bytes = p.bytes;
      },
    });
  } catch (e) {
    throw new UsageError(`cannot read index ${path}: ${(e as Error).message}`);
  } finally {
    progress.done();
  }
  if (malformed > 0)
    process.stderr.write(`warning: skipped ${malformed} malformed index line(s) in ${path}\n`);
}

function printJson(entries: readonly Flagged[]): void {
  if (entries.length > 0) process.stdout.write(entries.map((e) => JSON.stringify(e)).join('\n') + '\n');
}

function printTable(
  entries: readonly Flagged[],
  checked: number,
  corpusSize: number,
  total = entries.length,
): void {
  const rows: string[][] = [];
  for (const e of entries) {
    e.squats.forEach((h, i) => {
      const sim = h.similarity !== undefined ? ` (text similarity ${h.similarity.toFixed(2)})` : '';
      rows.push([i === 0 ? e.name : '', h.score.toFixed(1), h.kind, h.target, h.message + sim]);
    });
  }
  const out: string[] = [];
  if (rows.length > 0) {
    const header = ['NAME', 'SCORE', 'KIND', 'TARGET', 'MESSAGE'];
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
    const fmt = (r: string[]) =>
      r
        .map((cell, c) =>
          c === 1 ? cell.padStart(widths[c]!) : c === r.length - 1 ? cell : cell.padEnd(widths[c]!),
        )
        .join('  ');
    out.push(fmt(header), ...rows.map(fmt));
  }
  const shown = entries.length < total ? ` (showing the ${entries.length} worst)` : '';
  out.push(`${total} of ${checked} name(s) flagged against ${corpusSize} popular crates${shown}`);
  process.stdout.write(out.join('\n') + '\n');
}
