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
import { CHECK_ORDER } from '../src/security/typosquat/checks.js';
import {
  CONVENTION_TOP,
  EXTRA_WORD_TOP,
  SHAPE_ORDER,
  type ShapeKind,
} from '../src/security/typosquat/shapes.js';
import { readMaliciousCrates, RUSTSEC_IMITATIONS, RUSTSEC_NOT_IMITATIONS } from './_rustsec.js';

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
const peak = () => process.resourceUsage().maxRSS * 1024;
const peakRead = peak();
const corpus = popularity.top(top);
const candidates = popularity.allNames().map((name) => ({ name }));
const config = { ...defaultTyposquatConfig(), top };
// Every name of the index: the conventions off-convention-word reads (shapes.ts).
const ecosystem = candidates.map((c) => c.name);
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
  single.push(await timed(() => scanCandidates(corpus, config, candidates, { threads: 1, ecosystem })));
const rssIndexed = process.memoryUsage().rss;
const peakIndexed = peak();
const heapIndexed = process.memoryUsage().heapUsed;

// Worker threads from the compiled build (bench/run.ts builds it first), as the CLI runs them:
// from the sources each thread would load tsx and compile the checker again (~150 MB more).
const compiled = (await import(new URL('../dist/security/typosquat/scan.js', import.meta.url).href)) as {
  scanCandidates: typeof scanCandidates;
};
const double: Run[] = [];
for (let i = 0; i < repeat; i++)
  double.push(
    await timed(() => compiled.scanCandidates(corpus, config, candidates, { threads: 2, ecosystem })),
  );
const peakDouble = peak();

const naive: Run[] = [];
for (let i = 0; i < Math.max(1, Math.min(2, repeat)); i++) {
  naive.push(
    await timed(() =>
      scanWith(new TyposquatChecker(corpus, config, { method: 'naive', ecosystem }), candidates),
    ),
  );
}

const peakNaive = peak();

// One name at a time, as the registry checks a new crate: the full variant table is built once.
t = performance.now();
const registry = new TyposquatChecker(corpus, config, { ecosystem });
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
summary('inverted, 2 worker threads (compiled)', double);
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
  `memory: RSS ${mb(rssIndexed)} after the indexed scans (heap ${mb(heapIndexed)}); peak RSS ${mb(peakRead)} after the index read, ${mb(peakIndexed)} after the indexed scans, ${mb(peakDouble)} after the worker threads, ${mb(peakNaive)} after the straightforward method, ${mb(peak())} with the registry table`,
);
console.log(`target: scan under 1000 ms wall time, memory under 300 MB`);

// Attack shapes (shapes.ts): what the checks beyond Typomania add, on the index and on the crates
// RustSec marks malicious (checked against the same corpus; most were published after 2019).
console.log(`\nattack shapes (checks beyond Typomania):`);
const parity = scanWith(new TyposquatChecker(corpus, config, { shapes: false }), candidates);
const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(1)}%`;
const share = (n: number) => `${n} (${pct(n, candidates.length)})`;
console.log(
  `  flagged names of the ${candidates.length}: ${share(parity.length)} with Typomania's checks only, ` +
    `${share(reference.length)} with the shapes (budget: 5.0%)`,
);
console.log(`  per kind (names with a hit of the kind; "alone": no hit of another kind):`);
for (const kind of [...CHECK_ORDER, ...SHAPE_ORDER]) {
  const names = reference.filter((e) => e.hits.some((h) => h.kind === kind));
  const only = names.filter((e) => e.hits.every((h) => h.kind === kind));
  const sample = SHAPE_ORDER.includes(kind as ShapeKind)
    ? only
        .slice(0, 6)
        .map((e) => `${e.name}→${e.hits[0]!.target}`)
        .join(', ')
    : '';
  console.log(
    `    ${kind.padEnd(19)} ${share(names.length).padStart(13)}, alone ${String(only.length).padStart(4)}  ${sample}`,
  );
}
const byName = scanWith(
  new TyposquatChecker(corpus, config, { extraWordByName: true, ecosystem }),
  candidates,
);
console.log(
  `  extra-word on the name alone (not the default) would flag ${share(byName.length)} names in all`,
);

const malicious = await readMaliciousCrates(advisories);
const imitations = malicious.filter((n) => RUSTSEC_IMITATIONS[n]);
const hitsOf = (checker: TyposquatChecker, name: string) =>
  checker.check({ name }).filter((h) => RUSTSEC_IMITATIONS[name]!.targets.includes(h.target));
const flaggedWith = (checker: TyposquatChecker) => imitations.filter((n) => hitsOf(checker, n).length > 0);
const before = flaggedWith(new TyposquatChecker(corpus, config, { shapes: false }));
const after = flaggedWith(registry);
console.log(
  `\n  RustSec malicious crates: ${malicious.length}, of which ${imitations.length} imitate a top-${top} crate of the index`,
);
console.log(
  `  imitations flagged (a hit on the imitated crate): ${after.length}/${imitations.length} ` +
    `(${before.length} with Typomania's checks only); newly flagged by the shapes: ${after.filter((n) => !before.includes(n)).join(', ')}`,
);
const extraCapable = new TyposquatChecker(corpus, config, { extraWordByName: true, ecosystem });
const missed = imitations.filter((n) => !after.includes(n));
console.log(`  still missed: ${missed.length}`);
for (const n of missed) {
  const { targets, shape } = RUSTSEC_IMITATIONS[n]!;
  const rank = corpus.findIndex((c) => targets.includes(c.name)) + 1;
  const why =
    (hitsOf(extraCapable, n).length > 0
      ? 'extra-word is reported only with a copied description/README (an index has none)'
      : `extra-word only imitates the top ${EXTRA_WORD_TOP}`) +
    (rank <= CONVENTION_TOP
      ? `; off-convention-word: the family's own separator or an ordinary extension word`
      : `; off-convention-word only imitates the top ${CONVENTION_TOP}`);
  console.log(`    ${n} → ${targets[0]} (rank ${rank}), ${shape}: ${why}`);
}
const others = malicious.filter((n) => !RUSTSEC_IMITATIONS[n]);
const falseAlarms = others.filter((n) => registry.check({ name: n }).length > 0);
console.log(
  `  not imitations of a top-${top} crate: ${others.length} (flagged anyway: ${falseAlarms.join(', ') || 'none'}); ` +
    `${others.filter((n) => !RUSTSEC_NOT_IMITATIONS[n]).length} of them descriptive names imitating no crate`,
);

// Ranking: where each flagged imitation's score would place it among the index's flagged names
// (percentile 0 = above every one of them; lower is better).
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
// Over all imitations, a missed one counts as ranked last (100).
function ranking(checker: TyposquatChecker, flagged: readonly string[], index: readonly ScanEntry[]) {
  const scores = index.map((e) => e.score);
  const placed = flagged
    .map((n) => {
      const score = checker.check({ name: n })[0]!.score;
      return { n, score, p: (100 * scores.filter((s) => s > score).length) / scores.length };
    })
    .sort((a, b) => a.p - b.p);
  const within = (p: number) => placed.filter((x) => x.p < p).length;
  return {
    placed,
    summary:
      `median percentile ${median(placed.map((x) => x.p)).toFixed(1)} of the ${scores.length} flagged index names ` +
      `(0 = ranked first), ${median([...placed.map((x) => x.p), ...imitations.filter((n) => !flagged.includes(n)).map(() => 100)]).toFixed(1)} ` +
      `over all ${imitations.length} imitations (a missed one as 100); ${within(10)} of ${placed.length} in the top 10%, ${within(25)} in the top 25%`,
  };
}
const ranked = ranking(registry, after, reference);
const rankedParity = ranking(new TyposquatChecker(corpus, config, { shapes: false }), before, parity);
console.log(`  ranking of the flagged imitations by score: ${ranked.summary}`);
console.log(`    ${ranked.placed.map((x) => `${x.n} ${x.score} (${x.p.toFixed(1)})`).join(', ')}`);
console.log(`  the same with Typomania's checks only: ${rankedParity.summary}`);
console.log(`\npeak RSS of the whole bench: ${mb(peak())}`);
if (!same) process.exitCode = 1;
