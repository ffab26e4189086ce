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

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const index = arg(
  'index',
  new URL('../../shared/data/crates-io-index-2019-11-10.tar.gz', import.meta.url).pathname,
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
if (!same) process.exitCode = 1;
