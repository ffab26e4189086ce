// `cratekeeper analyze PATH…`: source analysis without a build — cargo-geiger's unsafe counts
// and the crate's resolved invocations — for `.crate` files, crate source trees, or folders of
// them, on all cores. Human output by default; `--json` for ours, `--geiger` for cargo-geiger's
// SafetyReport. Exit 2 on bad arguments or when some input could not be analysed at all.
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { AnalysisPool } from '../../analysis/analysis-pool.js';
import type { CrateAnalysis } from '../../analysis/analyze-crate.js';
import { geigerSafetyReport } from '../../analysis/geiger-report.js';
import { COUNTER_KEYS, totalUnsafe } from '../../analysis/unsafe-counts.js';
import { createProgress } from '../progress.js';
import { collectInputs } from './scan.js';
import type { ScanInput } from './scan.js';

interface AnalyzeCliOptions {
  json?: boolean;
  geiger?: boolean;
  includeTests?: boolean;
  workers?: string;
  progress?: boolean;
  calls?: boolean;
  topUnsafe?: string;
}

import { UsageError } from '../usage-error.js';

export function registerAnalyzeCommands(program: Command): void {
  program
    .command('analyze')
    .description(
      'count unsafe code (as cargo-geiger does) and resolve who calls what, from source, without a build',
    )
    .argument('<paths...>', '.crate files, crate directories, or folders holding them')
    .option('--json', 'print the analyses as JSON')
    .option('--geiger', "print cargo-geiger's JSON SafetyReport")
    .option('--include-tests', 'count inside #[test] fns and #[cfg(test)] modules too')
    .option('--calls', 'human output: list every call site with its resolution')
    .option('--top-unsafe <n>', 'print only the N crates with the most unsafe code (used files)')
    .option('--workers <n>', 'worker threads (default: one per core)')
    .option('--progress', 'show progress on stderr even when it is not a terminal')
    .action(async (paths: string[], opts: AnalyzeCliOptions) => {
      try {
        process.exitCode = await runAnalyze(paths, opts);
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        process.stderr.write(`error: ${e.message}\n`);
        process.exitCode = 2;
      }
    });
}

async function runAnalyze(paths: string[], opts: AnalyzeCliOptions): Promise<number> {
  if (opts.json && opts.geiger) throw new UsageError('give either --json or --geiger, not both');
  let workers = availableParallelism();
  if (opts.workers !== undefined) {
    workers = Number(opts.workers);
    if (!Number.isInteger(workers) || workers < 1 || workers > 64)
      throw new UsageError(`--workers must be 1–64, got ${opts.workers}`);
  }
  let top: number | null = null;
  if (opts.topUnsafe !== undefined) {
    top = Number(opts.topUnsafe);
    if (!Number.isInteger(top) || top < 1)
      throw new UsageError(`--top-unsafe must be a positive integer, got ${opts.topUnsafe}`);
    if (opts.geiger || opts.calls)
      throw new UsageError('--top-unsafe goes with the human output or --json only');
  }
  let inputs: ScanInput[];
  try {
    inputs = await collectInputs(paths);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (inputs.length === 0) throw new UsageError('no .crate files or crate directories found');

  const pool = new AnalysisPool({
    workers: Math.min(workers, inputs.length),
    analyze: { includeTests: opts.includeTests === true },
  });
  // Progress only when it is worth it (or asked for): a bar for one crate is noise.
  const progress = createProgress('analyze', inputs.length, { force: opts.progress === true });
  const results: { input: ScanInput; analysis?: CrateAnalysis; error?: string }[] = [];
  try {
    await Promise.all(
      inputs.map(async (input) => {
        const r = await pool.analyze(input.kind, input.path);
        results.push(r.ok ? { input, analysis: r.analysis } : { input, error: r.error });
        progress.tick(1, r.ok ? r.analysis.name : 'error');
      }),
    );
  } finally {
    await pool.close();
  }
  if (inputs.length > 1 || opts.progress) progress.done();
  const order = new Map(inputs.map((x, i) => [x, i]));
  results.sort((a, b) => order.get(a.input)! - order.get(b.input)!);
  const ok = results.filter((r) => r.analysis) as { input: ScanInput; analysis: CrateAnalysis }[];
  const errors = results.filter((r) => r.error);

  if (top !== null) {
    process.stdout.write(
      formatTopUnsafe(
        topUnsafe(
          ok.map((r) => r.analysis),
          top,
        ),
        opts.json === true,
      ),
    );
  } else if (opts.geiger) {
    process.stdout.write(`${JSON.stringify(geigerSafetyReport(ok.map((r) => r.analysis)), null, 2)}\n`);
  } else if (opts.json) {
    const out = {
      analyses: ok.map((r) => ({ path: r.input.path, ...r.analysis })),
      errors: errors.map((e) => ({ path: e.input.path, error: e.error })),
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    process.stdout.write(ok.map((r) => formatHuman(r.analysis, opts.calls === true)).join('\n'));
  }
  for (const e of errors) process.stderr.write(`error: ${e.input.path}: ${e.error}\n`);
  return errors.length > 0 ? 2 : 0;
}

const LABELS: Record<(typeof COUNTER_KEYS)[number], string> = {
  functions: 'functions',
  exprs: 'expressions',
  itemImpls: 'impls',
  itemTraits: 'traits',
  methods: 'methods',
};

export function formatHuman(a: CrateAnalysis, calls: boolean): string {
  const lines: string[] = [];
  const pct = (x: number): string => `${(x * 100).toFixed(x === 1 ? 0 : 1)}%`;
  lines.push(`${a.name} ${a.version}${a.unsafety.forbidsUnsafe ? '  #![forbid(unsafe_code)]' : ''}`);
  lines.push(`  unsafe / total      used            unused`);
  for (const k of COUNTER_KEYS) {
    const u = a.unsafety.used[k];
    const n = a.unsafety.unused[k];
    const cell = (c: { safe: number; unsafe: number }): string =>
      `${c.unsafe}/${c.safe + c.unsafe}`.padEnd(16);
    lines.push(`  ${LABELS[k].padEnd(18)}  ${cell(u)}${cell(n)}`);
  }
  const used = a.files.filter((f) => f.used).length;
  lines.push(
    `  files: ${a.parse.files} Rust files (${used} used), ${a.parse.clean} parsed cleanly, ${pct(a.parse.parsedFraction)} of the source parsed`,
  );
  // Said only when it applies: extern types tree-sitter-rust lacks a rule for, read as valid.
  if (a.parse.withGrammarGaps > 0)
    lines.push(`    (${a.parse.withGrammarGaps} of them clean only by reading extern types as valid syntax)`);
  for (const f of a.files.filter((x) => x.error)) lines.push(`    ${f.path}: ${f.error}`);
  if (a.missingModules.length > 0)
    lines.push(`  declared modules not in the package: ${a.missingModules.join(', ')}`);
  for (const [target, inv] of Object.entries(a.invocations)) {
    const resolved = inv.calls.filter((c) => c.callee.kind === 'resolved');
    const crates = new Map<string, number>();
    for (const c of resolved)
      if (c.callee.kind === 'resolved') crates.set(c.callee.crate, (crates.get(c.callee.crate) ?? 0) + 1);
    const into = [...crates.entries()]
      .filter(([c]) => c !== a.name.replace(/-/g, '_'))
      .sort((x, y) => y[1] - x[1])
      .map(([c, n]) => `${c} (${n})`);
    lines.push(
      `  ${target}: ${inv.defs.length} fns, ${inv.calls.length} calls, ${resolved.length} resolved${into.length ? `; calls into ${into.join(', ')}` : ''}`,
    );
    if (calls) {
      for (const c of inv.calls) {
        const to =
          c.callee.kind === 'resolved'
            ? c.callee.path
            : `unresolved (${c.callee.method ? `.${c.callee.method}()` : (c.callee.written ?? c.callee.reason)})`;
        lines.push(`    ${c.file}:${c.line}  ${c.caller} -> ${to}`);
      }
    }
  }
  for (const n of a.notes) lines.push(`  note: ${n}`);
  return `${lines.join('\n')}\n`;
}

export interface UnsafeRank {
  name: string;
  version: string;
  /** Unsafe items in the files the build uses: functions, expressions, impls, traits, methods. */
  unsafe: number;
  exprs: number;
  forbidsUnsafe: boolean;
}

/** Crates by unsafe code in used files, most first (ties by name and version). */
export function topUnsafe(analyses: CrateAnalysis[], n: number): UnsafeRank[] {
  return analyses
    .map((a) => ({
      name: a.name,
      version: a.version,
      unsafe: totalUnsafe(a.unsafety.used),
      exprs: a.unsafety.used.exprs.unsafe,
      forbidsUnsafe: a.unsafety.forbidsUnsafe,
    }))
    .sort((x, y) => y.unsafe - x.unsafe || x.name.localeCompare(y.name) || x.version.localeCompare(y.version))
    .slice(0, n);
}

function formatTopUnsafe(rows: UnsafeRank[], json: boolean): string {
  if (json) return `${JSON.stringify({ top_unsafe: rows }, null, 2)}\n`;
  const lines = ['rank  unsafe  unsafe exprs  crate'];
  rows.forEach((r, i) =>
    lines.push(
      `${String(i + 1).padStart(4)}  ${String(r.unsafe).padStart(6)}  ${String(r.exprs).padStart(12)}  ${r.name} ${r.version}`,
    ),
  );
  return `${lines.join('\n')}\n`;
}
