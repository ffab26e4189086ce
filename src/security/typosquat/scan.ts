// Checking many names at once (a whole index): on the calling thread with one checker, or split
// over worker threads, each taking a share of the popular crates and checking every name against
// it. Both give the same entries in the same order.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  compareHits,
  TyposquatChecker,
  type PopularCrate,
  type SquatHit,
  type TyposquatCandidate,
} from './checker.js';
import type { TyposquatConfig } from './config.js';

export interface ScanEntry {
  name: string;
  /** The worst hit's score. */
  score: number;
  hits: SquatHit[];
}

export interface ScanProgress {
  done: number;
  total: number;
}

export interface ScanOptions {
  /** Worker threads; 1 (the default) checks on the calling thread. */
  threads?: number;
  onProgress?: (p: ScanProgress) => void;
  /** Every crate name of the index or registry (TyposquatCheckerOptions.ecosystem). */
  ecosystem?: readonly string[];
}

/** Worst first, then by name. */
export function compareEntries(a: ScanEntry, b: ScanEntry): number {
  return b.score - a.score || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** Checks every candidate with `checker`; only flagged names are returned, worst first. */
export function scanWith(
  checker: TyposquatChecker,
  candidates: readonly TyposquatCandidate[],
  onProgress?: (p: ScanProgress) => void,
): ScanEntry[] {
  const total = candidates.length;
  const results = checker.checkAll(candidates, (fraction) =>
    onProgress?.({ done: Math.floor(fraction * total), total }),
  );
  onProgress?.({ done: total, total });
  return mergeShards(candidates, [flaggedOnly(results)]);
}

/** The flagged candidates of `checkAll` results, as [candidate index, hits] pairs. */
export function flaggedOnly(results: readonly SquatHit[][]): [number, SquatHit[]][] {
  const out: [number, SquatHit[]][] = [];
  results.forEach((hits, i) => {
    if (hits.length > 0) out.push([i, hits]);
  });
  return out;
}

/** Merges per-shard hits of the same candidates into entries, as one checker would give them. */
export function mergeShards(
  candidates: readonly TyposquatCandidate[],
  shards: readonly (readonly [number, SquatHit[]][])[],
): ScanEntry[] {
  const byIndex = new Map<number, SquatHit[]>();
  for (const shard of shards) {
    for (const [i, hits] of shard) {
      const list = byIndex.get(i);
      if (list) list.push(...hits);
      else byIndex.set(i, [...hits]);
    }
  }
  const out: ScanEntry[] = [];
  for (const [i, hits] of byIndex) {
    hits.sort(compareHits);
    out.push({ name: candidates[i]!.name, score: hits[0]!.score, hits });
  }
  return out.sort(compareEntries);
}

export interface ScanWorkerInput {
  corpus: PopularCrate[];
  config: TyposquatConfig;
  candidates: TyposquatCandidate[];
  shard: { index: number; count: number };
  ecosystem?: readonly string[];
}

export type ScanWorkerMessage =
  { type: 'progress'; done: number } | { type: 'done'; flagged: [number, SquatHit[]][] };

/** Checks `candidates` against `corpus`, on `threads` worker threads when more than one. */
export async function scanCandidates(
  corpus: PopularCrate[],
  config: TyposquatConfig,
  candidates: TyposquatCandidate[],
  options: ScanOptions = {},
): Promise<ScanEntry[]> {
  const threads = Math.max(1, Math.floor(options.threads ?? 1));
  const onProgress = options.onProgress;
  const ecosystem = options.ecosystem;
  if (threads === 1)
    return scanWith(new TyposquatChecker(corpus, config, { ecosystem }), candidates, onProgress);

  const total = candidates.length;
  const done = new Array<number>(threads).fill(0);
  const report = () => {
    // Every thread checks every name: progress is the average over threads.
    onProgress?.({ done: Math.floor(done.reduce((a, b) => a + b, 0) / threads), total });
  };
  const shards = await Promise.all(
    Array.from({ length: threads }, (_, index) =>
      runWorker({ corpus, config, candidates, shard: { index, count: threads }, ecosystem }, (n) => {
        done[index] = n;
        report();
      }),
    ),
  );
  return mergeShards(candidates, shards);
}

function runWorker(input: ScanWorkerInput, onDone: (n: number) => void): Promise<[number, SquatHit[]][]> {
  // From TypeScript sources (tests, tsx) the worker is a .ts file and needs tsx's loader.
  const fromSource = import.meta.url.endsWith('.ts');
  const url = new URL(`./scan-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url);
  return new Promise((resolve, reject) => {
    const worker = fromSource
      ? new Worker(tsxBootstrap(url.href), { eval: true, workerData: input })
      : new Worker(url, { workerData: input });
    let result: [number, SquatHit[]][] | undefined;
    worker.on('message', (m: ScanWorkerMessage) => {
      if (m.type === 'progress') onDone(m.done);
      else result = m.flagged;
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (result) resolve(result);
      else reject(new Error(`typosquat scan worker exited with code ${code} before finishing`));
    });
  });
}

/** Worker code that registers tsx's loader in the thread, then runs the TypeScript worker. */
function tsxBootstrap(workerUrl: string): string {
  // The ESM build of tsx's API (require.resolve would pick the CommonJS one).
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
  const api = new URL('dist/esm/api/index.mjs', pathToFileURL(pkg)).href;
  return `(async () => {
    const { register } = await import(${JSON.stringify(api)});
    register();
    await import(${JSON.stringify(workerUrl)});
  })().catch((e) => { throw e; });`;
}
