// Scans on worker threads with bounded concurrency and a bounded queue: a fixed set of threads,
// each with its own parser, fed one crate at a time (so a huge crate on one thread does not hold
// up the others). The registry hands it files already read (readCrateForScan) and a plain-data
// RegistryContext, so inline scans run off the request thread; the CLI hands it paths.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CrateSource } from './scan-crate.js';
import type { ScannerOptions } from './scanner.js';
import type { RegistryContext, ScanReport } from './types.js';

export type PoolRequest =
  | { id: number; kind: 'crate' | 'dir'; path: string }
  | { id: number; kind: 'files'; input: CrateSource; context?: RegistryContext };

export type PoolResponse =
  | { id: number; ok: true; report: ScanReport }
  | { id: number; ok: false; error: string; code?: string }
  /** Sent once the worker's Scanner (and parser) is loaded. */
  | { ready: true };

export type PoolResult = { ok: true; report: ScanReport } | { ok: false; error: string; code?: string };

/** The queue is full: the caller should scan later (e.g. as a background job) or refuse. */
export class ScanPoolBusyError extends Error {
  override name = 'ScanPoolBusyError';
  readonly code = 'busy';
}

export interface ScanPoolOptions {
  /** Worker threads, i.e. scans running at once. Default: the number of cores. */
  workers?: number;
  scanner?: ScannerOptions;
  /**
   * Scans allowed to wait for a free worker; past that, scan() rejects with ScanPoolBusyError.
   * Each waiting scan holds its files, so this bounds memory. Default: unbounded (the CLI).
   */
  maxPending?: number;
  /**
   * A scan running longer is abandoned (result code 'timeout') and its worker replaced: the
   * analysis of a few MiB of dense hostile Rust can take tens of seconds. Default: none.
   */
  timeoutMs?: number;
  /** Each worker's JS heap ceiling (resourceLimits.maxOldGenerationSizeMb); over it, the scan fails. */
  maxHeapMb?: number;
}

type RequestBody = PoolRequest extends infer R ? (R extends PoolRequest ? Omit<R, 'id'> : never) : never;

/** Measured on the Debian corpus: 27 crates/s with V8's default, 32 with 64 MiB, 38 with 128, 36 with 256. */
export const SCAN_YOUNG_GENERATION_MB = 128;

function startWorker(workerData: ScannerOptions, maxHeapMb: number | undefined): Worker {
  // A scan allocates many short-lived tokens and facts: a young generation larger than V8's
  // default (16 MiB semi-spaces) lets most of them die there, which costs far less collection.
  const resourceLimits = {
    resourceLimits: {
      maxYoungGenerationSizeMb: SCAN_YOUNG_GENERATION_MB,
      ...(maxHeapMb ? { maxOldGenerationSizeMb: maxHeapMb } : {}),
    },
  };
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./scan-worker.js', import.meta.url), { workerData, ...resourceLimits });
  // Running from TypeScript sources (tests, benchmarks under tsx): tsx's loader does not carry
  // over to worker threads, so the worker registers it before importing its .ts entry.
  // tsx's ESM API (its `exports` map: ./esm/api → dist/esm/api/index.mjs for `import`).
  const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const api = pathToFileURL(join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./scan-worker.ts', import.meta.url).href;
  const boot = `(async () => { const { register } = await import(${JSON.stringify(api)}); register(); await import(${JSON.stringify(entry)}); })();`;
  return new Worker(boot, { eval: true, workerData, ...resourceLimits });
}

interface Slot {
  worker: Worker;
  busy: boolean;
  /** Its Scanner loaded: a worker that dies after that is replaced, one that cannot start is not. */
  ready: boolean;
  timer?: NodeJS.Timeout;
}

export class ScanPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: { req: PoolRequest; resolve: (r: PoolResult) => void }[] = [];
  private readonly running = new Map<number, { slot: Slot; resolve: (r: PoolResult) => void }>();
  private readonly scanner: ScannerOptions;
  private readonly maxPending: number;
  private readonly timeoutMs: number | undefined;
  private readonly maxHeapMb: number | undefined;
  private nextId = 1;
  private closed = false;

  constructor(opts: ScanPoolOptions = {}) {
    const n = Math.max(1, opts.workers ?? availableParallelism());
    this.scanner = opts.scanner ?? {};
    this.maxPending = opts.maxPending ?? Infinity;
    this.timeoutMs = opts.timeoutMs;
    this.maxHeapMb = opts.maxHeapMb;
    for (let i = 0; i < n; i++) this.addSlot();
  }

  /** Worker threads alive. */
  get size(): number {
    return this.slots.length;
  }

  /** Scans accepted and not yet finished (running and waiting). */
  get pending(): number {
    return this.running.size + this.waiting.length;
  }

  /**
   * Scans files already read (readCrateForScan's output) with a plain-data context. Both are
   * copied to the worker (structured clone); the caller may drop its copy once this resolves.
   */
  scan(input: CrateSource, context?: RegistryContext): Promise<PoolResult> {
    return this.submit(context ? { kind: 'files', input, context } : { kind: 'files', input });
  }

  /** Scans a `.crate` file or a source directory, read on the worker thread. */
  scanPath(kind: 'crate' | 'dir', path: string): Promise<PoolResult> {
    return this.submit({ kind, path });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w.resolve({ ok: false, error: 'scan pool is closed' });
    for (const s of this.slots) clearTimeout(s.timer);
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private submit(body: RequestBody): Promise<PoolResult> {
    if (this.closed) return Promise.reject(new Error('scan pool is closed'));
    // Room for one scan per idle worker (it may still be starting) plus maxPending waiting.
    const idle = this.slots.filter((s) => !s.busy).length;
    if (this.waiting.length >= this.maxPending + idle) {
      return Promise.reject(
        new ScanPoolBusyError(
          `all ${this.slots.length} scan workers are busy and ${this.waiting.length} scans are waiting`,
        ),
      );
    }
    return new Promise((resolve) => {
      this.waiting.push({ req: { ...body, id: this.nextId++ } as PoolRequest, resolve });
      this.pump();
    });
  }

  private addSlot(): void {
    const worker = startWorker(this.scanner, this.maxHeapMb);
    const slot: Slot = { worker, busy: false, ready: false };
    worker.on('message', (res: PoolResponse) => {
      if ('ready' in res) {
        slot.ready = true;
        this.pump();
      } else this.done(slot, res);
    });
    worker.on('error', (err) => this.failSlot(slot, err));
    worker.on('exit', (code) => this.failSlot(slot, new Error(`exited with code ${code}`)));
    this.slots.push(slot);
  }

  private pump(): void {
    for (const slot of this.slots) {
      // Only loaded workers get work, so a timeout measures the scan, not the start-up.
      if (slot.busy || !slot.ready) continue;
      const job = this.waiting.shift();
      if (!job) return;
      slot.busy = true;
      this.running.set(job.req.id, { slot, resolve: job.resolve });
      if (this.timeoutMs !== undefined) {
        const ms = this.timeoutMs;
        slot.timer = setTimeout(() => this.timeOut(slot, job.req.id, ms), ms);
      }
      slot.worker.postMessage(job.req);
    }
  }

  private done(slot: Slot, res: Exclude<PoolResponse, { ready: true }>): void {
    const p = this.running.get(res.id);
    this.running.delete(res.id);
    clearTimeout(slot.timer);
    slot.busy = false;
    if (p)
      p.resolve(
        res.ok
          ? { ok: true, report: res.report }
          : { ok: false, error: res.error, ...(res.code ? { code: res.code } : {}) },
      );
    this.pump();
  }

  private timeOut(slot: Slot, id: number, ms: number): void {
    const p = this.running.get(id);
    if (!p || p.slot !== slot) return;
    this.running.delete(id);
    p.resolve({ ok: false, error: `the scan took longer than ${ms} ms`, code: 'timeout' });
    // The only way to stop a synchronous scan is to end its thread.
    this.failSlot(slot, new Error('timed out'));
    void slot.worker.terminate();
  }

  private failSlot(slot: Slot, err: Error): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return; // already handled ('error' and 'exit' both fire)
    this.slots.splice(i, 1);
    clearTimeout(slot.timer);
    // A crashed worker fails its job; the pool keeps going with the others.
    for (const [id, p] of this.running) {
      if (p.slot === slot) {
        this.running.delete(id);
        p.resolve({
          ok: false,
          error: `worker crashed: ${err.message}`,
          ...((err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? { code: 'out-of-memory' }
            : {}),
        });
      }
    }
    if (this.closed) return;
    // A long-lived pool (the registry's) keeps its size; a worker that never got its scanner
    // loaded is not replaced, or a broken install would respawn forever.
    if (slot.ready) this.addSlot();
    if (this.slots.length === 0) {
      for (const w of this.waiting.splice(0)) w.resolve({ ok: false, error: 'all scan workers crashed' });
    } else this.pump();
  }
}
