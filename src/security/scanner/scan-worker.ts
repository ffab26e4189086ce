// Worker-thread side of ScanPool: one Scanner per thread, scanning the paths or files it is sent.
import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { Scanner } from './scanner.js';
import type { ScannerOptions } from './scanner.js';
import type { PoolRequest, PoolResponse } from './scan-pool.js';
import type { CrateSource } from './scan-crate.js';

const port = parentPort;
if (!port) throw new Error('scan-worker must run in a worker thread');
const scanner = Scanner.create((workerData ?? {}) as ScannerOptions);
void scanner.then(() => port.postMessage({ ready: true } satisfies PoolResponse));

// Structured cloning turns Buffers into plain Uint8Arrays; the rules want Buffers (views, no copy).
const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
function revive(input: CrateSource): CrateSource {
  return {
    ...input,
    files: input.files.map((f) => ({
      ...f,
      data: f.data ? asBuffer(f.data) : null,
      ...(f.head ? { head: asBuffer(f.head) } : {}),
    })),
  };
}

port.on('message', (req: PoolRequest) => {
  void (async () => {
    let res: PoolResponse;
    try {
      const s = await scanner;
      const report =
        req.kind === 'files'
          ? s.scanFiles(revive(req.input), req.context)
          : req.kind === 'crate'
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
