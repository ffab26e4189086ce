// `npm run bench -- scanner-eval [--samples DIR] [--debian DIR] [--workers N]`
//
// Evaluates the malicious-crate scanner:
//  - training samples (../shared/data/scanner-samples, labels.json): recall on malicious samples
//    at high or critical (scanned together, so wrappers are judged by the payload they pull in),
//    benign samples flagged high or above, per-technique recall;
//  - the Debian corpus (../shared/scripts/debian-crates.sh OUT): the share of real crates with any
//    high+ finding, each listed with its rule, and throughput on all cores.
// Targets (issue 4): 100% recall, at most 1 benign sample at high+, at most 2% of Debian crates
// with a high+ finding, at least 30 crates/s over the Debian corpus on 2 cores.
import { debianCorpus } from './_lib.js';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScanPool, scanTogether } from '../src/security/scanner/index.js';
import { atLeast } from '../src/security/scanner/index.js';
import type { ScanReport } from '../src/security/scanner/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const samplesDir = arg('--samples', join(here, '../../shared/data/scanner-samples'));
// The project's corpus cache (built once by scripts/debian-corpus.sh) unless told otherwise.
const debianDir = arg('--debian', process.env.DEBIAN_CRATES ?? '') || debianCorpus();
const workers = Number(arg('--workers', String(Math.min(2, availableParallelism()))));

interface Label {
  dir: string;
  malicious: boolean;
  techniques: string[];
  note: string;
}

const high = (r: ScanReport) => r.verdict !== 'clean' && atLeast(r.verdict, 'high');
const pct = (a: number, b: number) => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)}%`);
const mark = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

async function scanAll(pool: ScanPool, paths: string[]) {
  const reports: { path: string; report: ScanReport }[] = [];
  const errors: { path: string; error: string }[] = [];
  await Promise.all(
    paths.map(async (p) => {
      const r = await pool.scanPath('crate', p);
      if (r.ok) reports.push({ path: p, report: r.report });
      else errors.push({ path: p, error: r.error });
    }),
  );
  reports.sort((a, b) => a.path.localeCompare(b.path));
  errors.sort((a, b) => a.path.localeCompare(b.path));
  return { reports, errors };
}

const pool = new ScanPool({ workers });
let failed = false;
try {
  // --- Training samples -----------------------------------------------------------------------
  const labels = JSON.parse(readFileSync(join(samplesDir, 'labels.json'), 'utf8')) as Label[];
  const crates = labels.map((l) => join(samplesDir, 'crates', `${l.dir}.crate`));
  const { reports, errors } = await scanAll(pool, crates);
  if (errors.length > 0) for (const e of errors) console.log(`sample error: ${e.path}: ${e.error}`);
  const together = scanTogether(reports.map((r) => r.report));
  const byDir = new Map(together.map((r) => [`${r.crate.name}-${r.crate.version}`, r]));

  console.log(`\n== training samples (${samplesDir})`);
  const mal = labels.filter((l) => l.malicious);
  const ben = labels.filter((l) => !l.malicious);
  let caught = 0;
  const tech = new Map<string, { n: number; hit: number }>();
  for (const l of mal) {
    const r = byDir.get(l.dir);
    const ok = r !== undefined && high(r);
    if (ok) caught++;
    for (const t of l.techniques) {
      const e = tech.get(t) ?? { n: 0, hit: 0 };
      e.n++;
      if (ok) e.hit++;
      tech.set(t, e);
    }
    const top = r?.findings[0];
    console.log(
      `  ${ok ? 'caught ' : 'MISSED '} ${(r?.verdict ?? 'error').padEnd(8)} ${l.dir.padEnd(32)} ${top ? `${top.ruleId} (${top.file ?? '-'}${top.line ? `:${top.line}` : ''})` : ''}`,
    );
  }
  let benignHigh = 0;
  for (const l of ben) {
    const r = byDir.get(l.dir);
    const flagged = r !== undefined && high(r);
    if (flagged) benignHigh++;
    const top = r?.findings[0];
    console.log(
      `  ${flagged ? 'FLAGGED' : 'benign '} ${(r?.verdict ?? 'error').padEnd(8)} ${l.dir.padEnd(32)} ${top ? `${top.severity} ${top.ruleId}` : ''}`,
    );
  }
  console.log('  per technique (malicious samples at high+):');
  for (const [t, e] of [...tech].sort()) console.log(`    ${t.padEnd(28)} ${e.hit}/${e.n}`);
  const recallOk = caught === mal.length;
  const benignOk = benignHigh <= 1;
  console.log(
    `  recall at high+:        ${caught}/${mal.length} = ${pct(caught, mal.length)}   target 100%   ${mark(recallOk)}`,
  );
  console.log(
    `  benign flagged high+:   ${benignHigh}/${ben.length}              target <= 1    ${mark(benignOk)}`,
  );
  failed ||= !recallOk || !benignOk;

  // --- Debian corpus ------------------------------------------------------------------------
  console.log(`\n== Debian corpus (${debianDir})`);
  const debs = existsSync(debianDir)
    ? readdirSync(debianDir)
        .filter((f) => f.endsWith('.crate'))
        .sort()
    : [];
  if (debs.length === 0) {
    console.log(`  no .crate files in ${debianDir}; build the corpus with: bash scripts/debian-corpus.sh`);
    process.exitCode = 1;
  } else {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const deb = await scanAll(
      pool,
      debs.map((f) => join(debianDir, f)),
    );
    const secs = (performance.now() - t0) / 1000;
    const bytes = deb.reports.reduce((n, r) => n + r.report.stats.bytes, 0);
    const flagged = deb.reports.filter((r) => high(r.report));
    console.log(`  crates with a high+ finding:`);
    for (const f of flagged) {
      const worst = f.report.findings.filter((x) => atLeast(x.severity, 'high'));
      for (const w of worst) {
        console.log(
          `    ${f.report.crate.name} ${f.report.crate.version}: ${w.severity} ${w.ruleId} ${w.file ?? ''}${w.line ? `:${w.line}` : ''} — ${w.evidence}`,
        );
      }
    }
    if (deb.errors.length > 0) {
      console.log(`  refused by the safe archive reader (not counted): ${deb.errors.length}`);
      for (const e of deb.errors)
        console.log(`    ${e.path.split('/').pop()}: ${e.error.replace(/^\w+: /, '').slice(0, 140)}`);
    }
    const verdicts = new Map<string, number>();
    for (const r of deb.reports) verdicts.set(r.report.verdict, (verdicts.get(r.report.verdict) ?? 0) + 1);
    const share = flagged.length / Math.max(1, deb.reports.length);
    const rate = deb.reports.length / secs;
    const cpu = process.cpuUsage(cpu0);
    console.log(`  verdicts: ${[...verdicts].map(([k, v]) => `${v} ${k}`).join(', ')}`);
    console.log(
      `  high+ share:  ${flagged.length}/${deb.reports.length} = ${pct(flagged.length, deb.reports.length)}   target <= 2%   ${mark(share <= 0.02)}`,
    );
    console.log(
      `  throughput:   ${rate.toFixed(1)} crates/s (${(bytes / 1e6 / secs).toFixed(1)} MB/s unpacked; ${deb.reports.length + deb.errors.length} crates in ${secs.toFixed(1)} s on ${pool.size} workers; process cpu ${(cpu.user / 1e6).toFixed(1)} s)   target >= 30/s   ${mark(rate >= 30)}`,
    );
    failed ||= share > 0.02 || rate < 30;
  }
} finally {
  await pool.close();
}
process.exitCode = failed ? 1 : 0;
