// Worker-thread side of AnalysisPool: one parser per thread, analysing the crates it is sent.
import { parentPort, workerData } from 'node:worker_threads';
import { rustParser } from '../security/scanner/rust-parser.js';
import { analyzeCrate } from './analyze-crate.js';
import type { AnalyzeOptions } from './analyze-crate.js';
import type { AnalysisRequest, AnalysisResponse } from './analysis-pool.js';
import { readCrateInput, readInput } from './read-input.js';

const port = parentPort;
if (!port) throw new Error('analysis-worker must run in a worker thread');
const options = (workerData ?? {}) as AnalyzeOptions;
const parser = rustParser();
void parser.then(() => port.postMessage({ ready: true } satisfies AnalysisResponse));

port.on('message', (req: AnalysisRequest) => {
  void (async () => {
    let res: AnalysisResponse;
    try {
      const input =
        req.kind === 'bytes'
          ? await readCrateInput(req.bytes ?? new Uint8Array())
          : await readInput(req.kind, req.path);
      res = { id: req.id, ok: true, analysis: analyzeCrate(await parser, input, options) };
    } catch (e) {
      const err = e as { name?: string; message?: string; code?: string };
      res = {
        id: req.id,
        ok: false,
        error: `${err.name ?? 'Error'}: ${err.message ?? String(e)}`,
        ...(err.code ? { code: err.code } : {}),
      };
    }
    port.postMessage(res);
  })();
});
