// Worker thread of a parallel scan: indexes one share of the popular crates and checks every
// candidate against it (see scan.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { TyposquatChecker } from './checker.js';
import { scanWith, type ScanWorkerInput, type ScanWorkerMessage } from './scan.js';

const input = workerData as ScanWorkerInput;
const checker = new TyposquatChecker(input.corpus, input.config, { shard: input.shard });
const entries = scanWith(checker, input.candidates, ({ done }) => {
  parentPort!.postMessage({ type: 'progress', done } satisfies ScanWorkerMessage);
});
parentPort!.postMessage({ type: 'done', entries } satisfies ScanWorkerMessage);
