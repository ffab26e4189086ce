// `cratekeeper audit [LOCKFILE|DIR…] --db PATH…`: cargo-audit's lockfile audit with rustsec's
// semantics (security/advisories/audit.ts), its JSON (`--json`, one report per lockfile per
// line) and SARIF, its config file (`.cargo/audit.toml`) and exit codes — plus what cargo-audit
// cannot do: ignores with reasons and expiry dates and a report of ignores that matched nothing;
// yanked and deleted versions from any sparse registry or an index snapshot; pruning by the
// graph `cargo metadata` resolves for the real features and target; typosquat-looking names;
// this registry's quarantine and open alerts.
//
// Exit codes (cargo-audit's): 0 clean; 1 a vulnerability, or a warning of a denied kind
// (`--deny warnings` = unmaintained + unsound + yanked, not notice); 2 unreadable input
// (lockfile, config, database, arguments).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { LockfileError, parseLockfile, type Lockfile } from '../../domain/lockfile.js';
import { cargoAuditReportJson, databaseInfo } from '../../formats/cargo-audit-report.js';
import type { AdvisoryIndex } from '../../security/advisories/advisory.js';
import {
  addYankedWarnings,
  auditLockfile,
  deniedKinds,
  informationalWarningsFor,
  shouldFail,
  type AuditReport,
  type AuditSettings,
  type DenyOption,
  type WarningKind,
} from '../../security/advisories/audit.js';
import { isSeverity } from '../../security/advisories/cvss.js';
import type { YankedSource } from '../../security/advisories/yanked-sources.js';
import type { PopularCrate } from '../../security/typosquat/index.js';
import type { cargoAuditSarif } from '../../formats/cargo-audit-sarif.js';
import type { graphWithReasons } from './audit-cargo-metadata.js';
import {
  AuditConfigError,
  effectiveIgnores,
  emptyAuditConfig,
  parseAdvisoryId,
  parseAuditConfig,
  parseDenyOption,
  type AuditFileConfig,
  type IgnoreEntry,
} from './audit-config.js';
import type { LockfileReachability } from '../../analysis/lockfile-reachability.js';
import { formatReachability } from '../../analysis/lockfile-reachability.js';
import type { Json } from '../../formats/cargo-audit-report.js';
import { emptyExtras, formatHumanReport, type Extras } from './audit-presenter.js';
import { UsageError } from '../usage-error.js';

interface AuditOptions {
  db: string[];
  file?: string;
  registry?: string;
  registrySource?: string;
  index?: string;
  yanked: boolean;
  ignore: string[];
  deny: string[];
  targetArch: string[];
  targetOs: string[];
  json?: boolean;
  sarif?: boolean;
  format?: string;
  config?: string;
  manifestPath?: string;
  target?: string;
  features: string[];
  allFeatures?: boolean;
  defaultFeatures: boolean;
  typosquatCorpus?: string;
  typosquatIndex?: string;
  typosquat: boolean;
  quiet?: boolean;
  color?: string;
  severityThreshold?: string;
  reachability?: boolean;
  vendor?: string;
}

const TOOL_VERSION = '0.1.0';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function collectCommaList(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(/[ ,]+/).filter((s) => s.length > 0)];
}

export function registerAuditCommands(program: Command): void {
  program
    .command('audit')
    .description('audit Cargo.lock files for advisories (RustSec and others), yanked and deleted crates')
    .argument('[lockfiles...]', 'Cargo.lock files or directories holding one (default: ./Cargo.lock)')
    .option(
      '--db <path>',
      'advisory database: an advisory-db checkout or directory, a .tar.gz of one, OSV JSON, or an http(s) URL of one (repeatable; required unless set in the config file)',
      collect,
      [],
    )
    .option('-f, --file <lockfile>', 'Cargo lockfile to inspect (`-` for stdin), as cargo-audit')
    .option(
      '--registry <url>',
      'sparse registry index (e.g. https://index.crates.io/ or a cratekeeper server) for yanked checks and its security status',
    )
    .option(
      '--registry-source <source>',
      "the lockfile source of --registry's packages (default sparse+URL; `crates-io` for a crates.io mirror)",
    )
    .option('--index <path>', 'crates.io index snapshot (directory or .tar.gz) for yanked checks')
    .option('--no-yanked', 'do not check for yanked crates')
    .option('--ignore <id>', 'advisory id to ignore (repeatable)', collect, [])
    .option(
      '-D, --deny <kind>',
      'exit 1 on: warnings (unmaintained, unsound, yanked), unmaintained, unsound, yanked (repeatable)',
      collect,
      [],
    )
    .option(
      '--target-arch <arch>',
      'only advisories affecting this CPU architecture (repeatable)',
      collect,
      [],
    )
    .option('--target-os <os>', 'only advisories affecting this operating system (repeatable)', collect, [])
    .option(
      '--severity-threshold <severity>',
      'drop advisories whose CVSS severity is below: none, low, medium, high, critical',
    )
    .option('--json', "print cargo-audit's JSON report, one line per lockfile")
    .option('--sarif', 'print a SARIF 2.1.0 log per lockfile, one line each')
    .option('--format <format>', 'terminal, json or sarif (--json wins)')
    .option(
      '--config <file>',
      'audit config (cargo-audit keys; default .cargo/audit.toml, then ~/.cargo/audit.toml)',
    )
    .option(
      '--manifest-path <path>',
      'Cargo.toml: drop findings on packages the build does not use (needs cargo on PATH)',
    )
    .option('--target <triple>', 'with --manifest-path: the target platform')
    .option(
      '--features <features>',
      'with --manifest-path: features to enable (comma or space separated)',
      collectCommaList,
      [],
    )
    .option('--all-features', 'with --manifest-path: enable all features')
    .option('--no-default-features', 'with --manifest-path: do not enable the default features')
    .option(
      '--typosquat-corpus <file>',
      'popular crates (JSON, as `typosquat --corpus`) to flag look-alike dependency names',
    )
    .option(
      '--typosquat-index <path>',
      'index snapshot (.tar.gz or directory) whose most-depended-on crates are the popular ones',
    )
    .option('--no-typosquat', 'do not flag typosquat-looking dependency names')
    .option(
      '--reachability',
      "for advisories listing [affected.functions]: whether the workspace's code calls them (analyses the locked sources)",
    )
    .option('--vendor <dir>', 'with --reachability: a `cargo vendor` directory holding the registry sources')
    .option('-q, --quiet', 'avoid printing anything but the findings')
    .option('--color <when>', 'always, never or auto (default: auto, or CARGO_TERM_COLOR)')
    .action(async (lockfiles: string[], opts: AuditOptions) => {
      try {
        process.exitCode = await runAudit(lockfiles, opts);
      } catch (e) {
        if (!(e instanceof UsageError) && !(e instanceof AuditConfigError)) throw e;
        process.stderr.write(`error: ${e.message}\n`);
        process.exitCode = 2;
      }
    });
}

function findConfigFile(given: string | undefined): string | null {
  if (given !== undefined) {
    if (!existsSync(given)) throw new UsageError(`config file ${given} does not exist`);
    return given;
  }
  const local = join('.cargo', 'audit.toml');
  if (existsSync(local)) return local;
  const home = join(process.env.CARGO_HOME ?? join(homedir(), '.cargo'), 'audit.toml');
  return existsSync(home) ? home : null;
}

function loadConfig(path: string | null): AuditFileConfig {
  if (path === null) return emptyAuditConfig();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read config file ${path}: ${(e as Error).message}`);
  }
  return parseAuditConfig(text, path);
}

interface LockInput {
  path: string;
  text: string;
  lock: Lockfile;
}

function lockfilePaths(args: string[], opts: AuditOptions, workspaceRoot: string | null): string[] {
  const given = [...args, ...(opts.file !== undefined ? [opts.file] : [])];
  if (given.length === 0) return [workspaceRoot ? join(workspaceRoot, 'Cargo.lock') : 'Cargo.lock'];
  return given.map((p) => {
    if (p === '-') return p;
    try {
      if (statSync(p).isDirectory()) return join(p, 'Cargo.lock');
    } catch {
      // reported when read
    }
    return p;
  });
}

function readLock(path: string): LockInput {
  let text: string;
  try {
    text = path === '-' ? readFileSync(0, 'utf8') : readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT'
        ? `couldn't load ${path}: no such file (run \`cargo generate-lockfile\` to create one)`
        : `couldn't load ${path}: ${(e as Error).message}`,
    );
  }
  try {
    return { path, text, lock: parseLockfile(text) };
  } catch (e) {
    if (e instanceof LockfileError) throw new UsageError(`couldn't load ${path}: ${e.message}`);
    throw e;
  }
}

function useColor(when: string | undefined): boolean {
  const choice = when ?? process.env.CARGO_TERM_COLOR ?? 'auto';
  if (choice === 'always') return true;
  if (choice === 'never') return false;
  if (choice !== 'auto') throw new UsageError(`--color must be always, never or auto, got ${choice}`);
  return process.stdout.isTTY === true && !process.env.NO_COLOR;
}

async function loadDatabases(paths: string[]): Promise<AdvisoryIndex> {
  const { loadAdvisoryDatabases } = await import('../../security/advisories/database.js');
  try {
    return await loadAdvisoryDatabases(paths);
  } catch (e) {
    throw new UsageError(`error loading advisory database: ${(e as Error).message}`);
  }
}

async function runAudit(args: string[], opts: AuditOptions): Promise<number> {
  const config = loadConfig(findConfigFile(opts.config));

  // Settings: the config file, overridden by flags (cargo-audit's `override_config`).
  let format: 'terminal' | 'json' | 'sarif' = config.format ?? 'terminal';
  if (opts.format !== undefined) {
    if (opts.format !== 'terminal' && opts.format !== 'json' && opts.format !== 'sarif')
      throw new UsageError(`--format must be terminal, json or sarif, got ${opts.format}`);
    format = opts.format;
  }
  if (opts.sarif) format = 'sarif';
  if (opts.json) format = 'json';
  const quiet = opts.quiet === true || config.quiet || format !== 'terminal';
  const say = (line: string) => {
    if (!quiet) process.stderr.write(`${line}\n`);
  };
  const deny: DenyOption[] = [...config.deny];
  for (const d of opts.deny) {
    try {
      deny.push(parseDenyOption(d));
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const denied = deniedKinds(deny);
  const ignores: IgnoreEntry[] = [
    ...config.ignore,
    ...opts.ignore.map((id) => ({
      id: parseAdvisoryId(id),
      reason: null,
      expires: null,
      origin: '--ignore',
    })),
  ];
  const today = new Date().toISOString().slice(0, 10);
  const { active, expired } = effectiveIgnores(ignores, today);
  let severity = config.severityThreshold;
  if (opts.severityThreshold !== undefined) {
    if (!isSeverity(opts.severityThreshold))
      throw new UsageError('--severity-threshold must be none, low, medium, high or critical');
    severity = opts.severityThreshold;
  }
  const settings: AuditSettings = {
    targetArch: opts.targetArch.length > 0 ? opts.targetArch : config.targetArch,
    targetOs: opts.targetOs.length > 0 ? opts.targetOs : config.targetOs,
    severity,
    ignore: [...new Set(active.map((e) => e.id))],
    informationalWarnings: informationalWarningsFor(config.informationalWarnings, deny),
  };
  const color = format === 'terminal' && useColor(opts.color);
  if (opts.vendor !== undefined) {
    if (!opts.reachability) throw new UsageError('--vendor goes with --reachability');
    if (!existsSync(opts.vendor) || !statSync(opts.vendor).isDirectory())
      throw new UsageError(`--vendor ${opts.vendor} is not a directory`);
  }

  // The resolved graph, when asked: it also tells where the lockfile is.
  let graph: Awaited<ReturnType<typeof graphWithReasons>> | null = null;
  if (opts.manifestPath !== undefined) {
    const metadata = await import('./audit-cargo-metadata.js');
    try {
      graph = await metadata.graphWithReasons({
        manifestPath: resolve(opts.manifestPath),
        target: opts.target ?? null,
        features: opts.features,
        allFeatures: opts.allFeatures === true,
        noDefaultFeatures: opts.defaultFeatures === false,
      });
    } catch (e) {
      if (e instanceof metadata.CargoMetadataError) throw new UsageError(`--manifest-path: ${e.message}`);
      throw e;
    }
  } else if (
    opts.target !== undefined ||
    opts.features.length > 0 ||
    opts.allFeatures ||
    opts.defaultFeatures === false
  ) {
    throw new UsageError(
      '--target, --features, --all-features and --no-default-features need --manifest-path',
    );
  }

  // Inputs first (cargo-audit locates the lockfile before loading the database).
  const inputs: LockInput[] = [];
  let unreadable = false;
  for (const path of lockfilePaths(args, opts, graph?.graph.workspaceRoot ?? null)) {
    try {
      inputs.push(readLock(path));
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      process.stderr.write(`error: ${e.message}\n`);
      unreadable = true;
    }
  }
  if (inputs.length === 0) return 2;

  const dbPaths = opts.db.length > 0 ? opts.db : config.databasePaths;
  if (dbPaths.length === 0)
    throw new UsageError(
      'an advisory database is required: give --db PATH (an advisory-db checkout, a .tar.gz of one, or OSV JSON; ' +
        'e.g. a clone of https://github.com/rustsec/advisory-db), or set [database] path in .cargo/audit.toml',
    );
  const index = await loadDatabases(dbPaths.map((p) => (/^https?:\/\//.test(p) ? p : resolve(p))));
  say(`    Loaded ${index.advisories.length} security advisories (from ${dbPaths.join(', ')})`);
  if (index.problems.length > 0) {
    say(`warning: skipped ${index.problems.length} advisory file(s) that could not be read:`);
    for (const p of index.problems.slice(0, 10)) say(`  ${p.database}: ${p.file}: ${p.message}`);
  }
  const db = databaseInfo(index.databases, index.advisories.length);

  // Yanked checks: a sparse registry or an index snapshot (cargo-audit uses crates.io's index).
  const notes: string[] = [...config.notes];
  let yankedSource: YankedSource | null = null;
  let registryApi: string | null = null;
  const token = process.env.CRATEKEEPER_REGISTRY_TOKEN;
  const yankedModule = () => import('../../security/advisories/yanked-sources.js');
  if (opts.registry !== undefined) {
    const { openSparseRegistry } = await yankedModule();
    try {
      const extraSources =
        opts.registrySource === undefined
          ? []
          : [
              opts.registrySource === 'crates-io'
                ? 'registry+https://github.com/rust-lang/crates.io-index'
                : opts.registrySource,
            ];
      const opened = await openSparseRegistry(opts.registry, { ...(token ? { token } : {}), extraSources });
      registryApi = opened.info.api;
      if (opts.yanked && config.yankedEnabled) yankedSource = opened.source;
    } catch (e) {
      notes.push(`couldn't open the registry index: ${(e as Error).message}`);
    }
  }
  if (opts.index !== undefined && opts.yanked && config.yankedEnabled) {
    if (!existsSync(opts.index)) throw new UsageError(`--index ${opts.index} does not exist`);
    yankedSource = (await yankedModule()).snapshotIndex(opts.index);
  }
  if (yankedSource === null && opts.yanked && config.yankedEnabled)
    notes.push('yanked versions not checked: give --registry URL or --index PATH (or --no-yanked)');

  const typosquat = opts.typosquat ? await loadTyposquatChecker(opts) : null;

  const ignoreUse = new Map<string, number>();
  let failed = false;
  for (const input of inputs) {
    say(`    Scanning ${input.path} for vulnerabilities (${input.lock.packages.length} crate dependencies)`);
    const extras: Extras = emptyExtras();
    extras.notes.push(...notes);
    for (const e of expired)
      extras.notes.push(
        `ignore of ${e.id} (${e.origin}) expired on ${e.expires}; it no longer applies${e.reason ? ` (reason was: ${e.reason})` : ''}`,
      );

    let lock = input.lock;
    if (graph !== null) {
      const full = auditLockfile(index, lock, settings);
      const keep = lock.packages.filter(
        (p) => graph!.reasonFor(p.name, p.version) === null || p.source === null,
      );
      lock = { ...lock, packages: keep };
      const kept = new Set(keep);
      for (const f of [...full.vulnerabilities, ...[...full.warnings.values()].flat()]) {
        const original = input.lock.packages[f.package.index]!;
        if (kept.has(original)) continue;
        extras.pruned.push({
          id: f.advisory!.metadata.id,
          name: f.package.name,
          version: f.package.version,
          reason: (await import('./audit-cargo-metadata.js')).PRUNE_REASON_TEXT[
            graph.reasonFor(f.package.name, f.package.version)!
          ],
        });
      }
    }
    const report = auditLockfile(index, lock, settings);
    for (const [id, n] of report.ignoredMatches) ignoreUse.set(id, (ignoreUse.get(id) ?? 0) + n);

    if (yankedSource !== null) {
      try {
        const y = await (await yankedModule()).checkYanked(lock.packages, yankedSource);
        addYankedWarnings(report, y.yanked);
        extras.missing = y.missing;
        for (const e of y.errors.slice(0, 5))
          extras.notes.push(`couldn't check if the package is yanked: ${e}`);
      } catch (e) {
        extras.notes.push(`couldn't check yanked versions in ${yankedSource.label}: ${(e as Error).message}`);
      }
    }
    if (typosquat !== null) extras.typosquats = typosquat(registryNames(report));
    if (registryApi !== null) await addRegistryStatus(registryApi, report, extras, token);

    let reach: LockfileReachability | null = null;
    if (opts.reachability) reach = await reachabilityOf(report, input, opts);

    if (shouldFail(report, denied)) failed = true;
    const sarif =
      format === 'sarif' ? (await import('../../formats/cargo-audit-sarif.js')).cargoAuditSarif : null;
    print(format, report, extras, input, db, {
      color,
      denied,
      showTree: config.showTree && !quiet,
      sarif,
      reach,
    });
  }

  // After every lockfile: ignores that suppressed nothing (cargo-audit never says so).
  for (const e of active) {
    if (!ignoreUse.has(e.id) && opts.quiet !== true)
      process.stderr.write(`warning: ignore of ${e.id} (${e.origin}) matched nothing; it can be removed\n`);
  }
  if (unreadable) return 2;
  return failed ? 1 : 0;
}

function registryNames(report: AuditReport): string[] {
  return [...new Set(report.packages.filter((p) => p.source !== null).map((p) => p.name))];
}

async function addRegistryStatus(
  api: string,
  report: AuditReport,
  extras: Extras,
  token?: string,
): Promise<void> {
  const { fetchSecurityStatus } = await import('./audit-registry-status.js');
  const entries = report.packages.filter((p) => p.source !== null).map((p) => `${p.name}@${p.version}`);
  try {
    const statuses = await fetchSecurityStatus(api, entries, token);
    if (statuses === null) return; // not a cratekeeper registry
    for (const [entry, s] of statuses) {
      if (s.quarantined || s.open_alerts > 0)
        extras.registryFlags.push({
          entry,
          quarantined: s.quarantined,
          severity: s.open_alert_severity,
          alerts: s.open_alerts,
        });
    }
  } catch (e) {
    extras.notes.push(`couldn't ask the registry for its security status: ${(e as Error).message}`);
  }
}

type TyposquatCheck = (names: string[]) => Extras['typosquats'];

/**
 * The popular crates the typosquat check compares against, found as `cratekeeper typosquat`
 * finds them: a corpus file, an index snapshot's most-depended-on crates, or this registry's
 * popular crates when ./data holds one. Null (the check is skipped) when there is none.
 */
async function loadTyposquatChecker(opts: AuditOptions): Promise<TyposquatCheck | null> {
  const ts = await import('../../security/typosquat/index.js');
  const config = ts.defaultTyposquatConfig();
  let corpus: PopularCrate[];
  if (opts.typosquatCorpus !== undefined) {
    corpus = readCorpus(opts.typosquatCorpus);
  } else if (opts.typosquatIndex !== undefined) {
    const { readCratesIndex } = await import('../../formats/crates-index.js');
    const popularity = new ts.IndexPopularity();
    try {
      await readCratesIndex(opts.typosquatIndex, (name, lines) => popularity.add(name, lines), {
        skipMalformed: true,
      });
    } catch (e) {
      throw new UsageError(`cannot read index ${opts.typosquatIndex}: ${(e as Error).message}`);
    }
    corpus = popularity.top(config.top);
  } else if (existsSync(join('data', 'cratekeeper.sqlite'))) {
    const [{ openDatabase }, { CrateRepository }, { registryCorpus }] = await Promise.all([
      import('../../store/database.js'),
      import('../../store/crates.js'),
      import('../../jobs/registry-corpus.js'),
    ]);
    const db = await openDatabase({ url: resolve('data', 'cratekeeper.sqlite') });
    try {
      corpus = await registryCorpus(new CrateRepository(db.kysely), config.top, 90);
    } finally {
      await db.close();
    }
  } else {
    return null;
  }
  const checker = new ts.TyposquatChecker(corpus, config);
  return (names) => {
    const hits = checker.checkAll(names.map((name) => ({ name, owners: [] })));
    const out: Extras['typosquats'] = [];
    hits.forEach((h, i) => {
      if (h.length > 0) out.push({ name: names[i]!, target: h[0]!.target, message: h[0]!.message });
    });
    return out;
  };
}

function readCorpus(file: string): PopularCrate[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read typosquat corpus ${file}: ${(e as Error).message}`);
  }
  if (!Array.isArray(data)) throw new UsageError(`${file}: expected a JSON array of crates`);
  return data.map((c: unknown, i) => {
    const r = c as { name?: unknown; owners?: unknown } | null;
    if (!r || typeof r.name !== 'string' || r.name === '')
      throw new UsageError(`${file}: entry ${i} needs a non-empty string "name"`);
    const owners = Array.isArray(r.owners) ? r.owners.filter((o): o is string => typeof o === 'string') : [];
    return { name: r.name, owners, description: null, readme: null };
  });
}

function print(
  format: 'terminal' | 'json' | 'sarif',
  report: AuditReport,
  extras: Extras,
  input: LockInput,
  db: ReturnType<typeof databaseInfo>,
  opts: {
    color: boolean;
    denied: ReadonlySet<WarningKind>;
    showTree: boolean;
    sarif: typeof cargoAuditSarif | null;
    reach: LockfileReachability | null;
  },
): void {
  if (format === 'json') {
    const json = cargoAuditReportJson(report, db);
    // cargo-audit's shape untouched; ours under one extra top-level key its consumers ignore.
    if (opts.reach) json.cratekeeper = { reachability: reachabilityJson(opts.reach) };
    process.stdout.write(`${JSON.stringify(json)}\n`);
    for (const n of humanExtrasForMachineOutput(report, extras)) process.stderr.write(`${n}\n`);
    return;
  }
  if (format === 'sarif') {
    const uri = input.path === '-' ? 'Cargo.lock' : input.path;
    process.stdout.write(`${JSON.stringify(opts.sarif!(report, uri, input.text, TOOL_VERSION))}\n`);
    if (opts.reach) process.stderr.write(formatReachability(opts.reach));
    for (const n of humanExtrasForMachineOutput(report, extras)) process.stderr.write(`${n}\n`);
    return;
  }
  process.stdout.write(formatHumanReport(report, extras, { ...opts, lockfilePath: input.path }));
  if (opts.reach) process.stdout.write(formatReachability(opts.reach));
}

async function reachabilityOf(
  report: AuditReport,
  input: LockInput,
  opts: AuditOptions,
): Promise<LockfileReachability> {
  const [{ auditReachability }, { defaultAnalysisCacheDir }, { SourceLocationError }] = await Promise.all([
    import('../../analysis/lockfile-reachability.js'),
    import('../../analysis/analysis-cache.js'),
    import('../../analysis/lockfile-sources.js'),
  ]);
  const lockDir = input.path === '-' ? process.cwd() : dirname(resolve(input.path));
  try {
    return await auditReachability(report, {
      manifestPath:
        opts.manifestPath !== undefined ? resolve(opts.manifestPath) : join(lockDir, 'Cargo.toml'),
      ...(opts.vendor !== undefined ? { vendorDir: resolve(opts.vendor) } : {}),
      cacheDir: defaultAnalysisCacheDir(),
    });
  } catch (e) {
    if (e instanceof SourceLocationError) throw new UsageError(`--reachability: ${e.message}`);
    throw e;
  }
}

function reachabilityJson(r: LockfileReachability): Json {
  return {
    vulnerabilities: r.vulnerabilities.map((v) => ({
      advisory: v.advisory,
      package: v.package,
      version: v.version,
      status: v.status,
      functions: v.functions,
      function: v.function ?? null,
      chain: (v.chain ?? []).map((s) => ({
        function: s.function,
        call_site: s.callSite
          ? { crate: s.callSite.crate, file: s.callSite.file, line: s.callSite.line }
          : null,
      })),
      unresolved: v.unresolved
        ? {
            reason: v.unresolved.reason,
            method: v.unresolved.method ?? null,
            written: v.unresolved.written ?? null,
            file: v.unresolved.file,
            line: v.unresolved.line,
          }
        : null,
    })),
    sources_unavailable: r.sourcesUnavailable,
    notes: r.notes,
  };
}

/** With --json/--sarif the report stays cargo-audit's; what it has no place for goes to stderr. */
function humanExtrasForMachineOutput(report: AuditReport, extras: Extras): string[] {
  const out: string[] = [];
  for (const m of extras.missing) {
    const p = report.packages[m.index]!;
    out.push(`warning: ${p.name} ${p.version} is missing from the index (no such ${m.what})`);
  }
  for (const t of extras.typosquats)
    out.push(`warning: ${t.name} looks like a typosquat: ${t.message} (${t.target})`);
  for (const r of extras.registryFlags)
    out.push(
      `warning: ${r.entry} flagged by the registry:${r.quarantined ? ' quarantined' : ''}${r.alerts ? ` ${r.alerts} open alert(s), worst ${r.severity}` : ''}`,
    );
  for (const p of extras.pruned)
    out.push(`note: not reported: ${p.id} on ${p.name} ${p.version}: ${p.reason}`);
  for (const n of extras.notes) out.push(`note: ${n}`);
  return out;
}
