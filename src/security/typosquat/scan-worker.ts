// Worker thread of a parallel scan: takes one share of the popular crates and checks every
// candidate against it (see scan.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { TyposquatChecker } from './checker.js';
import { flaggedOnly, type ScanWorkerInput, type ScanWorkerMessage } from './scan.js';

const input = workerData as ScanWorkerInput;
const checker = new TyposquatChecker(input.corpus, input.config, {
  shard: input.shard,
  ecosystem: input.ecosystem,
});
const total = input.candidates.length;
const results = checker.checkAll(input.candidates, (fraction) => {
  parentPort!.postMessage({
    type: 'progress',
    done: Math.floor(fraction * total),
  } satisfies ScanWorkerMessage);
});
parentPort!.postMessage({ type: 'done', flagged: flaggedOnly(results) } satisfies ScanWorkerMessage);
