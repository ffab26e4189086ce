// `npm run bench -- typosquat [--index PATH] [--top N] [--repeat N]`
//
// Scans every crate of the 2019 crates.io index against its top 3,000 (by distinct dependents)
// and prints the wall time and memory of the scan, by the inverted method (one thread, and two
// worker threads) and by the straightforward method (generate each candidate's variants and look
// them up), measured in the same run, and checks that all give the same report. Also times the
// registry's use: the variant table built once, then one name at a time.
// Reading the index is timed separately: it is the same for every method.
import { isDeepStrictEqual } from 'node:util';
import { readCratesIndex } from '../src/formats/crates-index.js';
import { TyposquatChecker } from '../src/security/typosquat/checker.js';
import { defaultTyposquatConfig } from '../src/security/typosquat/config.js';
import { IndexPopularity } from '../src/security/typosquat/corpus.js';
import { compareEntries, scanCandidates, scanWith, type ScanEntry } from '../src/security/typosquat/scan.js';
import { canonicalName, SHAPE_ORDER } from '../src/security/typosquat/shapes.js';
import { readMaliciousCrates } from './_rustsec.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const index = arg(
  'index',
  new URL('../../shared/data/crates-io-index-2019-11-10.tar.gz', import.meta.url).pathname,
);
const advisories = arg(
  'advisories',
  new URL('../../shared/data/rustsec-advisory-db-2026-08-21.tar.gz', import.meta.url).pathname,
);
const top = Number(arg('top', '3000'));
const repeat = Number(arg('repeat', '5'));
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
const ms = (t: number) => `${t.toFixed(0)} ms`;

let t = performance.now();
const popularity = new IndexPopularity();
const read = await readCratesIndex(index, (name, lines) => popularity.add(name, lines));
const readMs = performance.now() - t;
const corpus = popularity.top(top);
const candidates = popularity.allNames().map((name) => ({ name }));
const config = { ...defaultTyposquatConfig(), top };
console.log(
  `index: ${read.crates} crates, ${read.versions} versions, read in ${ms(readMs)} (not part of the scan)`,
);
console.log(`scan: ${candidates.length} names against the top ${corpus.length}\n`);

interface Run {
  ms: number;
  entries: ScanEntry[];
}

async function timed(body: () => Promise<ScanEntry[]> | ScanEntry[]): Promise<Run> {
  const start = performance.now();
  const entries = await body();
  return { ms: performance.now() - start, entries };
}

function summary(label: string, runs: Run[]): void {
  const times = runs.map((r) => r.ms).sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  console.log(
    `${label.padEnd(38)} first ${ms(runs[0]!.ms).padStart(8)}   median ${ms(median).padStart(8)}   best ${ms(times[0]!).padStart(8)}   (${runs.length} runs)`,
  );
}

const single: Run[] = [];
for (let i = 0; i < repeat; i++)
  single.push(await timed(() => scanCandidates(corpus, config, candidates, { threads: 1 })));
const rssIndexed = process.memoryUsage().rss;
const heapIndexed = process.memoryUsage().heapUsed;

const double: Run[] = [];
for (let i = 0; i < repeat; i++)
  double.push(await timed(() => scanCandidates(corpus, config, candidates, { threads: 2 })));

const naive: Run[] = [];
for (let i = 0; i < Math.max(1, Math.min(2, repeat)); i++) {
  naive.push(
    await timed(() => scanWith(new TyposquatChecker(corpus, config, { method: 'naive' }), candidates)),
  );
}

// One name at a time, as the registry checks a new crate: the full variant table is built once.
t = performance.now();
const registry = new TyposquatChecker(corpus, config);
registry.prepare();
const prepareMs = performance.now() - t;
t = performance.now();
const oneByOne: ScanEntry[] = [];
for (const c of candidates) {
  const hits = registry.check(c);
  if (hits.length > 0) oneByOne.push({ name: c.name, score: hits[0]!.score, hits });
}
const oneByOneMs = performance.now() - t;
oneByOne.sort(compareEntries);

const reference = single[0]!.entries;
const same =
  [...single, ...double, ...naive].every((r) => isDeepStrictEqual(r.entries, reference)) &&
  isDeepStrictEqual(oneByOne, reference);

summary('inverted, 1 thread', single);
summary('inverted, 2 worker threads', double);
summary('straightforward method, 1 thread', naive);
console.log(
  `single checks (registry): table of ${registry.tableSize} variant hashes built in ${ms(prepareMs)}, then ${((oneByOneMs * 1000) / candidates.length).toFixed(1)} µs per name (${ms(oneByOneMs)} for all)`,
);
const best = (runs: Run[]) => Math.min(...runs.map((r) => r.ms));
console.log(
  `\nspeed-up of the inverted index over the straightforward method: ${(best(naive) / best(single)).toFixed(1)}x (best runs)`,
);
console.log(`flagged: ${reference.length} names, ${reference.reduce((n, e) => n + e.hits.length, 0)} hits`);
console.log(`identical reports across methods and runs: ${same ? 'yes' : 'NO'}`);
console.log(
  `memory: RSS ${mb(rssIndexed)} after the indexed scans (heap ${mb(heapIndexed)}), peak RSS ${mb(process.resourceUsage().maxRSS * 1024)} (including the index read and the straightforward method)`,
);
console.log(`target: scan under 1000 ms wall time, memory under 300 MB`);

// Attack shapes (shapes.ts): what the checks beyond Typomania add, on the index and on the crates
// RustSec marks malicious (checked against the same corpus; most were published after 2019).
console.log(`\nattack shapes (checks beyond Typomania):`);
const parity = scanWith(new TyposquatChecker(corpus, config, { shapes: false }), candidates);
const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(1)}%`;
console.log(
  `  flagged names: ${parity.length} (${pct(parity.length, candidates.length)}) with Typomania's checks only, ` +
    `${reference.length} (${pct(reference.length, candidates.length)}) with the shapes`,
);
for (const kind of SHAPE_ORDER) {
  const names = reference.filter((e) => e.hits.some((h) => h.kind === kind));
  const only = names.filter((e) => e.hits.every((h) => h.kind === kind));
  const sample = only
    .slice(0, 6)
    .map((e) => `${e.name}→${e.hits[0]!.target}`)
    .join(', ');
  console.log(
    `  ${kind.padEnd(17)} ${String(names.length).padStart(4)} names, ${only.length} by it alone: ${sample}`,
  );
}
const malicious = await readMaliciousCrates(advisories);
const flaggedBy = (checker: TyposquatChecker) =>
  malicious.filter((name) => checker.check({ name }).length > 0);
const before = flaggedBy(new TyposquatChecker(corpus, config, { shapes: false }));
const after = flaggedBy(registry);
console.log(
  `  RustSec malicious crates: ${malicious.length}; flagged ${before.length} with Typomania's checks only, ${after.length} with the shapes`,
);
console.log(`  newly flagged: ${after.filter((n) => !before.includes(n)).join(', ') || 'none'}`);
// Missed, yet one of the top names is inside the malicious name (canonical form).
const topCanon = corpus.map((c) => canonicalName(c.name)).filter((c) => c.length >= 4);
const popularNames = malicious.filter((n) => registry.isPopular(n));
if (popularNames.length > 0)
  console.log(`  themselves in the top ${top} (never flagged): ${popularNames.join(', ')}`);
const missed = malicious
  .filter((n) => !after.includes(n) && !registry.isPopular(n))
  .map((n) => [n, topCanon.filter((c) => canonicalName(n).includes(c))] as const)
  .filter(([, targets]) => targets.length > 0)
  .map(([n, targets]) => `${n} (${targets.slice(0, 3).join('/')})`);
console.log(`  missed, containing a top-${top} name: ${missed.length}: ${missed.join(', ')}`);
if (!same) process.exitCode = 1;
