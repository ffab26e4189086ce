// `cratekeeper scan PATH…`: the malicious-crate scanner from the command line. PATHs are
// `.crate` files, unpacked crate directories, or folders holding either (searched a few levels
// deep). Crates scanned together are also checked against each other's verdicts (a wrapper that
// depends on a flagged crate of the same run is flagged too).
//
// Exit codes: 1 when --fail-on is given and some crate's verdict reaches it; 2 on bad arguments
// or when an input could not be scanned (e.g. an archive the safe reader refuses); else 0.
import { readdir, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { createProgress } from '../progress.js';
import { ScanPool, reportsToSarif, scanTogether } from '../../security/scanner/index.js';
import { SEVERITIES, atLeast, isSeverity, severityRank } from '../../security/scanner/index.js';
import type { ScanReport, Severity } from '../../security/scanner/index.js';
import {
  Detonator,
  SandboxUnavailableError,
  defaultDetonatorOptions,
  findSandboxTools,
  mergeDetonation,
} from '../../security/sandbox/index.js';
import { UsageError } from '../usage-error.js';

interface ScanOptions {
  json?: boolean;
  sarif?: boolean;
  failOn?: string;
  show?: string;
  progress?: boolean;
  workers?: string;
  together?: boolean;
  detonate?: boolean;
  vendor?: string;
  detonateTimeout?: string;
  detonateMemory?: string;
  toolchain?: string;
}

export interface ScanInput {
  kind: 'crate' | 'dir';
  path: string;
}

const SKIP = new Set(['.git', 'target', 'node_modules']);

/** Expands the command's PATH arguments into `.crate` files and crate directories. */
export async function collectInputs(paths: string[], maxDepth = 3): Promise<ScanInput[]> {
  const out: ScanInput[] = [];
  const visit = async (p: string, depth: number, explicit: boolean): Promise<void> => {
    let st;
    try {
      st = await stat(p);
    } catch {
      if (explicit) throw new UsageError(`${p}: no such file or directory`);
      return;
    }
    if (st.isFile()) {
      if (p.endsWith('.crate') || explicit) out.push({ kind: 'crate', path: p });
      return;
    }
    if (!st.isDirectory()) return;
    const entries = await readdir(p, { withFileTypes: true });
    if (entries.some((e) => e.isFile() && e.name === 'Cargo.toml')) {
      out.push({ kind: 'dir', path: p });
      return;
    }
    if (depth >= maxDepth) return;
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (SKIP.has(e.name)) continue;
      if ((e.isFile() && e.name.endsWith('.crate')) || e.isDirectory())
        await visit(join(p, e.name), depth + 1, false);
    }
  };
  for (const p of paths) await visit(p, 0, true);
  return out;
}

export function registerScanCommands(program: Command): void {
  program
    .command('scan')
    .description('scan crates for malicious code (.crate files, source directories, or folders of them)')
    .argument('<paths...>', '.crate files, crate directories, or folders holding them')
    .option('--json', 'print the reports as JSON')
    .option('--sarif', 'print a SARIF 2.1.0 log')
    .option(
      '--fail-on <severity>',
      'exit 1 when a crate verdict is at or above this severity (info|low|medium|high|critical)',
    )
    .option('--show <severity>', 'lowest finding severity in human output', 'low')
    .option('--progress', 'show progress on stderr even when it is not a terminal')
    .option('--workers <n>', 'worker threads (default: one per core)')
    .option('--no-together', 'do not check crates against the verdicts of the other crates scanned')
    .option(
      '--detonate',
      'also build each build script and proc-macro with cargo inside bubblewrap and report what it does (needs cargo, bwrap, strace)',
    )
    .option('--vendor <dir>', 'with --detonate: dependencies in `cargo vendor` layout (default: none)')
    .option('--detonate-timeout <seconds>', 'with --detonate: wall-clock limit per crate', '120')
    .option('--detonate-memory <MiB>', 'with --detonate: address-space limit inside the sandbox', '4096')
    .option('--toolchain <dir>', 'with --detonate: Rust toolchain sysroot (default: `rustc --print sysroot`)')
    .action(async (paths: string[], opts: ScanOptions) => {
      try {
        process.exitCode = await runScan(paths, opts);
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        process.stderr.write(`error: ${e.message}\n`);
        process.exitCode = 2;
      }
    });
}

async function runScan(paths: string[], opts: ScanOptions): Promise<number> {
  if (opts.json && opts.sarif) throw new UsageError('give either --json or --sarif, not both');
  const failOn = parseSeverity('--fail-on', opts.failOn);
  const show = parseSeverity('--show', opts.show) ?? 'low';
  let workers: number | undefined;
  if (opts.workers !== undefined) {
    workers = Number(opts.workers);
    if (!Number.isInteger(workers) || workers < 1 || workers > 64)
      throw new UsageError(`--workers must be 1–64, got ${opts.workers}`);
  }
  const inputs = await collectInputs(paths);
  if (inputs.length === 0) throw new UsageError('no .crate files or crate directories found');
  // Before any work: a missing tool is an error the user must see, not a silent skip.
  const detonator = opts.detonate ? await sandboxFor(opts) : null;

  const pool = new ScanPool({ workers: Math.min(workers ?? availableParallelism(), inputs.length) });
  const progress = createProgress('scan', inputs.length, { force: opts.progress === true });
  const results: { input: ScanInput; report?: ScanReport; error?: string }[] = [];
  try {
    await Promise.all(
      inputs.map(async (input) => {
        const r = await pool.scanPath(input.kind, input.path);
        results.push(r.ok ? { input, report: r.report } : { input, error: r.error });
        progress.tick(1, r.ok ? r.report.crate.name : 'error');
      }),
    );
  } finally {
    await pool.close();
  }
  progress.done();
  // Keep the argument order, whatever order the workers finished in.
  const order = new Map(inputs.map((x, i) => [x, i]));
  results.sort((a, b) => order.get(a.input)! - order.get(b.input)!);

  let ok = results.filter((r) => r.report).map((r) => ({ input: r.input, report: r.report! }));
  if (opts.together !== false && ok.length > 1) {
    const joined = scanTogether(ok.map((r) => r.report));
    ok = ok.map((r, i) => ({ ...r, report: joined[i]! }));
  }
  if (detonator) {
    // One crate at a time: cargo already uses the cores.
    for (const r of ok) {
      try {
        const d = await detonator.detonate(r.input, opts.vendor ? { dir: opts.vendor } : {});
        r.report = mergeDetonation(r.report, d.findings);
      } catch (e) {
        results.find((x) => x.input === r.input)!.error = `sandboxed build: ${(e as Error).message}`;
      }
    }
    ok = ok.filter((r) => !results.find((x) => x.input === r.input)!.error);
  }
  const errors = results.filter((r) => r.error);

  if (opts.sarif) {
    process.stdout.write(
      `${JSON.stringify(reportsToSarif(ok.map((r) => ({ report: r.report }))), null, 2)}\n`,
    );
  } else if (opts.json) {
    const out = {
      reports: ok.map((r) => ({ path: r.input.path, ...r.report })),
      errors: errors.map((e) => ({ path: e.input.path, error: e.error })),
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    process.stdout.write(formatHuman(ok, show));
  }
  for (const e of errors) process.stderr.write(`error: ${e.input.path}: ${e.error}\n`);

  if (failOn && ok.some((r) => r.report.verdict !== 'clean' && atLeast(r.report.verdict, failOn))) return 1;
  return errors.length > 0 ? 2 : 0;
}

async function sandboxFor(opts: ScanOptions): Promise<Detonator> {
  const seconds = Number(opts.detonateTimeout ?? '120');
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600)
    throw new UsageError(`--detonate-timeout must be 1–3600 seconds, got ${opts.detonateTimeout}`);
  const mib = Number(opts.detonateMemory ?? '4096');
  if (!Number.isInteger(mib) || mib < 256)
    throw new UsageError(`--detonate-memory must be at least 256 MiB, got ${opts.detonateMemory}`);
  if (opts.vendor) {
    const st = await stat(opts.vendor).catch(() => null);
    if (!st?.isDirectory()) throw new UsageError(`--vendor ${opts.vendor}: not a directory`);
  }
  try {
    const tools = await findSandboxTools(opts.toolchain ? { toolchain: opts.toolchain } : {});
    return new Detonator(
      tools,
      defaultDetonatorOptions({ timeoutMs: seconds * 1000, memoryBytes: mib * 1024 * 1024 }),
    );
  } catch (e) {
    if (e instanceof SandboxUnavailableError) throw new UsageError(e.message);
    throw e;
  }
}

function parseSeverity(flag: string, v: string | undefined): Severity | undefined {
  if (v === undefined) return undefined;
  if (!isSeverity(v))
    throw new UsageError(`${flag} must be one of ${SEVERITIES.join(', ')}; got ${JSON.stringify(v)}`);
  return v;
}

/** Crates worst first, each with its findings (worst first) at or above `show`. */
export function formatHuman(results: { input: ScanInput; report: ScanReport }[], show: Severity): string {
  const sorted = [...results].sort(
    (a, b) =>
      severityRank(b.report.verdict) - severityRank(a.report.verdict) ||
      a.report.crate.name.localeCompare(b.report.crate.name),
  );
  const lines: string[] = [];
  const counts = new Map<string, number>();
  for (const { input, report } of sorted) {
    counts.set(report.verdict, (counts.get(report.verdict) ?? 0) + 1);
    const shown = report.findings.filter((f) => severityRank(f.severity) >= severityRank(show));
    lines.push(
      `${report.verdict.toUpperCase().padEnd(8)} ${report.crate.name} ${report.crate.version}  (${input.path})`,
    );
    for (const f of shown) {
      const where = f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : '(crate)';
      lines.push(`  ${f.severity.padEnd(8)} ${f.ruleId}  ${where}${f.context ? ` [${f.context}]` : ''}`);
      lines.push(`           ${f.title}: ${f.evidence}`);
    }
    if (shown.length > 0) lines.push('');
  }
  const summary = ['critical', 'high', 'medium', 'low', 'info', 'clean']
    .filter((k) => counts.has(k))
    .map((k) => `${counts.get(k)} ${k}`)
    .join(', ');
  lines.push(`${results.length} crate${results.length === 1 ? '' : 's'} scanned: ${summary || 'none'}`);
  return `${lines.join('\n')}\n`;
}
