// Worker-thread side of ScanPool: one Scanner per thread, scanning paths it is sent.
import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { Scanner } from './scanner.js';
import type { ScannerOptions } from './scanner.js';
import type { PoolRequest, PoolResponse } from './scan-pool.js';

const port = parentPort;
if (!port) throw new Error('scan-worker must run in a worker thread');
const scanner = Scanner.create((workerData ?? {}) as ScannerOptions);

port.on('message', (req: PoolRequest) => {
  void (async () => {
    let res: PoolResponse;
    try {
      const s = await scanner;
      const report =
        req.kind === 'crate'
          ? await s.scanCrateBytes(await readFile(req.path))
          : await s.scanDirectory(req.path);
      res = { id: req.id, ok: true, report };
    } catch (e) {
      const err = e as { name?: string; code?: string; message?: string };
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
