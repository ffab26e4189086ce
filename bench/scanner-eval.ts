// `npm run bench -- scanner-eval [--part train|heldout|samples|debian]… [--samples DIR] [--debian DIR] [--workers N]`
//
// Evaluates the malicious-crate scanner on four sets, each reported on its own (`--part`, which
// may be repeated or comma-separated, runs only those; the default is all four):
//  - train / heldout: cratekeeper's own corpus (test/fixtures/scanner-corpus, labels.json), each
//    split scanned as one set with scanTogether so a front crate is judged by its dependency:
//    recall at high+ on malicious samples, benign-hard samples at high+, recall per technique and
//    per trigger, and every miss with its verdict. heldout/ is never tuned on;
//  - samples: ../shared/data/scanner-samples (labels.json, .crate files), scanned together:
//    recall at high+, benign samples at high+, per-technique recall;
//  - debian: the Debian corpus of real crates (scripts/debian-corpus.sh): the share with any
//    high+ finding, each listed with its rule, and throughput.
// Targets (issue 10): held-out recall at high+ >= 95% with at most 1 benign-hard sample at high+
// (train is held to the same figures); Debian <= 1% at high+; static throughput >= 30 crates/s on
// 2 cores. The samples set keeps issue 4's targets: 100% recall, at most 1 benign at high+.
import { debianCorpus } from './_lib.js';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScanPool, atLeast, scanTogether } from '../src/security/scanner/index.js';
import type { ScanReport } from '../src/security/scanner/index.js';
import { CORPUS_DIR, readCorpusLabels } from '../test/fixtures/scanner-corpus/labels.js';
import type { Split } from '../test/fixtures/scanner-corpus/labels.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const PARTS = ['train', 'heldout', 'samples', 'debian'] as const;
type Part = (typeof PARTS)[number];
const asked = args.flatMap((a, i) => (args[i - 1] === '--part' ? a.split(',') : []));
for (const p of asked) {
  if (!(PARTS as readonly string[]).includes(p)) {
    console.error(`unknown --part ${p}; one of ${PARTS.join(', ')}`);
    process.exit(2);
  }
}
const parts = new Set<Part>(asked.length > 0 ? (asked as Part[]) : PARTS);
const samplesDir = arg('--samples', join(here, '../../shared/data/scanner-samples'));
const workers = Number(arg('--workers', String(Math.min(2, availableParallelism()))));

interface Labelled {
  dir: string;
  malicious: boolean;
  techniques: string[];
  trigger?: string;
}

interface Targets {
  recall: number;
  benignHigh: number;
}

const high = (r: ScanReport) => r.verdict !== 'clean' && atLeast(r.verdict, 'high');
const pct = (a: number, b: number) => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)}%`);
const mark = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

async function scanAll(pool: ScanPool, kind: 'crate' | 'dir', paths: string[]) {
  const reports: { path: string; report: ScanReport }[] = [];
  const errors: { path: string; error: string }[] = [];
  await Promise.all(
    paths.map(async (p) => {
      const r = await pool.scanPath(kind, p);
      if (r.ok) reports.push({ path: p, report: r.report });
      else errors.push({ path: p, error: r.error });
    }),
  );
  reports.sort((a, b) => a.path.localeCompare(b.path));
  errors.sort((a, b) => a.path.localeCompare(b.path));
  return { reports, errors };
}

/** Scans `paths` (one per label, same order) and runs the multi-crate mode over the whole set. */
async function scanSet(pool: ScanPool, kind: 'crate' | 'dir', paths: string[]) {
  const { reports, errors } = await scanAll(pool, kind, paths);
  for (const e of errors) console.log(`  scan error: ${e.path}: ${e.error}`);
  const together = scanTogether(reports.map((r) => r.report));
  const byPath = new Map(reports.map((r, i) => [r.path, together[i]!]));
  return paths.map((p) => byPath.get(p));
}

function tally(into: Map<string, { n: number; hit: number }>, key: string, hit: boolean) {
  const e = into.get(key) ?? { n: 0, hit: 0 };
  e.n++;
  if (hit) e.hit++;
  into.set(key, e);
}

function topFinding(r: ScanReport | undefined): string {
  const top = r?.findings[0];
  return top ? `${top.severity} ${top.ruleId} (${top.file ?? '-'}${top.line ? `:${top.line}` : ''})` : '';
}

/** Prints one labelled set's figures; returns whether it met its targets. */
// For the held-out part (`blind`) only verdicts are printed, not where the findings are: nobody
// should be able to tune rules from its output.
function evaluate(
  labels: Labelled[],
  reports: (ScanReport | undefined)[],
  targets: Targets,
  blind = false,
): boolean {
  const where = (r: ScanReport | undefined) => (blind ? '' : topFinding(r));
  const tech = new Map<string, { n: number; hit: number }>();
  const trig = new Map<string, { n: number; hit: number }>();
  const misses: string[] = [];
  const flagged: string[] = [];
  let caught = 0;
  let benignHigh = 0;
  labels.forEach((l, i) => {
    const r = reports[i];
    const isHigh = r !== undefined && high(r);
    const verdict = (r?.verdict ?? 'error').padEnd(8);
    if (l.malicious) {
      if (isHigh) caught++;
      else
        misses.push(
          `${verdict} ${l.dir.padEnd(44)} [${l.trigger ?? '-'}] ${l.techniques.join(', ')}  ${where(r)}`,
        );
      for (const t of l.techniques) tally(tech, t, isHigh);
      if (l.trigger) tally(trig, l.trigger, isHigh);
    } else if (isHigh) {
      benignHigh++;
      flagged.push(`${verdict} ${l.dir.padEnd(44)} ${where(r)}`);
    }
    console.log(
      `  ${l.malicious ? (isHigh ? 'caught ' : 'MISSED ') : isHigh ? 'FLAGGED' : 'benign '} ${verdict} ${l.dir.padEnd(44)} ${where(r)}`,
    );
  });
  const table = (title: string, m: Map<string, { n: number; hit: number }>) => {
    if (m.size === 0) return;
    console.log(`  per ${title} (malicious at high+):`);
    for (const [k, e] of [...m].sort())
      console.log(`    ${k.padEnd(32)} ${`${e.hit}/${e.n}`.padStart(6)}  ${pct(e.hit, e.n)}`);
  };
  table('technique', tech);
  table('trigger', trig);
  if (misses.length > 0) {
    console.log(`  misses (verdict, sample, [trigger] techniques, top finding):`);
    for (const m of misses) console.log(`    ${m}`);
  }
  if (flagged.length > 0) {
    console.log(`  benign at high+:`);
    for (const f of flagged) console.log(`    ${f}`);
  }
  const mal = labels.filter((l) => l.malicious).length;
  const ben = labels.length - mal;
  const recallOk = mal > 0 && caught / mal >= targets.recall;
  const benignOk = benignHigh <= targets.benignHigh;
  console.log(
    `  recall at high+:        ${caught}/${mal} = ${pct(caught, mal)}   target >= ${100 * targets.recall}%   ${mark(recallOk)}`,
  );
  console.log(
    `  benign at high+:        ${benignHigh}/${ben}              target <= ${targets.benignHigh}    ${mark(benignOk)}`,
  );
  return recallOk && benignOk;
}

async function corpusPart(pool: ScanPool, split: Split): Promise<boolean> {
  console.log(`\n== corpus ${split} (${join(CORPUS_DIR, split)})`);
  const labels = readCorpusLabels().filter((l) => l.split === split);
  const reports = await scanSet(
    pool,
    'dir',
    labels.map((l) => join(CORPUS_DIR, l.dir)),
  );
  return evaluate(labels, reports, { recall: 0.95, benignHigh: 1 }, split === 'heldout');
}

async function samplesPart(pool: ScanPool): Promise<boolean> {
  console.log(`\n== scanner-samples (${samplesDir})`);
  const labels = JSON.parse(readFileSync(join(samplesDir, 'labels.json'), 'utf8')) as Labelled[];
  const reports = await scanSet(
    pool,
    'crate',
    labels.map((l) => join(samplesDir, 'crates', `${l.dir}.crate`)),
  );
  return evaluate(labels, reports, { recall: 1, benignHigh: 1 });
}

async function debianPart(pool: ScanPool): Promise<boolean> {
  // The project's corpus cache (built once by scripts/debian-corpus.sh) unless told otherwise.
  const debianDir = arg('--debian', process.env.DEBIAN_CRATES ?? '') || debianCorpus();
  console.log(`\n== Debian corpus (${debianDir})`);
  const debs = existsSync(debianDir)
    ? readdirSync(debianDir)
        .filter((f) => f.endsWith('.crate'))
        .sort()
    : [];
  if (debs.length === 0) {
    console.log(`  no .crate files in ${debianDir}; build the corpus with: bash scripts/debian-corpus.sh`);
    return false;
  }
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const deb = await scanAll(
    pool,
    'crate',
    debs.map((f) => join(debianDir, f)),
  );
  const secs = (performance.now() - t0) / 1000;
  const bytes = deb.reports.reduce((n, r) => n + r.report.stats.bytes, 0);
  const flagged = deb.reports.filter((r) => high(r.report));
  console.log(`  crates with a high+ finding:`);
  for (const f of flagged) {
    for (const w of f.report.findings.filter((x) => atLeast(x.severity, 'high'))) {
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
    `  high+ share:  ${flagged.length}/${deb.reports.length} = ${pct(flagged.length, deb.reports.length)}   target <= 1%   ${mark(share <= 0.01)}`,
  );
  console.log(
    `  throughput:   ${rate.toFixed(1)} crates/s (${(bytes / 1e6 / secs).toFixed(1)} MB/s unpacked; ${deb.reports.length + deb.errors.length} crates in ${secs.toFixed(1)} s on ${pool.size} workers; process cpu ${(cpu.user / 1e6).toFixed(1)} s)   target >= 30/s   ${mark(rate >= 30)}`,
  );
  return share <= 0.01 && rate >= 30;
}

const pool = new ScanPool({ workers });
const results: [Part, boolean][] = [];
try {
  if (parts.has('train')) results.push(['train', await corpusPart(pool, 'train')]);
  if (parts.has('heldout')) results.push(['heldout', await corpusPart(pool, 'heldout')]);
  if (parts.has('samples')) results.push(['samples', await samplesPart(pool)]);
  if (parts.has('debian')) results.push(['debian', await debianPart(pool)]);
} finally {
  await pool.close();
}
console.log(`\n== summary: ${results.map(([p, ok]) => `${p} ${mark(ok)}`).join(', ')}`);
process.exitCode = results.every(([, ok]) => ok) ? 0 : 1;
