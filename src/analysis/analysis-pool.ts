// Analyses crates on worker threads, one crate per thread at a time, so the command uses every
// core. A crate that takes longer than the timeout is abandoned (its worker replaced); a worker
// that crashes fails only its own crate.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AnalyzeOptions, CrateAnalysis } from './analyze-crate.js';

export interface AnalysisRequest {
  id: number;
  /** `bytes`: a `.crate` file's contents sent along (the registry's blobs are not files). */
  kind: 'crate' | 'dir' | 'bytes';
  path: string;
  bytes?: Uint8Array;
}

export type AnalysisResponse =
  | { id: number; ok: true; analysis: CrateAnalysis }
  | { id: number; ok: false; error: string; code?: string }
  | { ready: true };

export type AnalysisResult =
  { ok: true; analysis: CrateAnalysis } | { ok: false; error: string; code?: string };

export interface AnalysisPoolOptions {
  /** Worker threads. Default: the number of cores. */
  workers?: number;
  analyze?: AnalyzeOptions;
  /** Per-crate limit; default 120 s. */
  timeoutMs?: number;
  /** Each worker's JS heap ceiling in MiB. Default 2048. */
  maxHeapMb?: number;
}

function startWorker(data: AnalyzeOptions, maxHeapMb: number): Worker {
  const opts = { workerData: data, resourceLimits: { maxOldGenerationSizeMb: maxHeapMb } };
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./analysis-worker.js', import.meta.url), opts);
  // From TypeScript sources (tests, benches under tsx): tsx's loader does not reach worker
  // threads, so the worker registers it before importing its .ts entry.
  const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const api = pathToFileURL(join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./analysis-worker.ts', import.meta.url).href;
  const boot = `(async () => { const { register } = await import(${JSON.stringify(api)}); register(); await import(${JSON.stringify(entry)}); })();`;
  return new Worker(boot, { eval: true, ...opts });
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job: { req: AnalysisRequest; resolve: (r: AnalysisResult) => void } | null;
  timer?: NodeJS.Timeout;
}

export class AnalysisPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: { req: AnalysisRequest; resolve: (r: AnalysisResult) => void }[] = [];
  private readonly options: Required<Omit<AnalysisPoolOptions, 'workers'>>;
  private nextId = 1;
  private closed = false;

  constructor(opts: AnalysisPoolOptions = {}) {
    this.options = {
      analyze: opts.analyze ?? {},
      timeoutMs: opts.timeoutMs ?? 120_000,
      maxHeapMb: opts.maxHeapMb ?? 2048,
    };
    const n = Math.max(1, opts.workers ?? availableParallelism());
    for (let i = 0; i < n; i++) this.addSlot();
  }

  get size(): number {
    return this.slots.length;
  }

  analyze(kind: 'crate' | 'dir', path: string): Promise<AnalysisResult> {
    if (this.closed) return Promise.reject(new Error('analysis pool is closed'));
    return new Promise((resolve) => {
      this.waiting.push({ req: { id: this.nextId++, kind, path }, resolve });
      this.pump();
    });
  }

  /** Analyses a `.crate` file given as bytes; `label` names it in errors. */
  analyzeBytes(bytes: Uint8Array, label: string): Promise<AnalysisResult> {
    if (this.closed) return Promise.reject(new Error('analysis pool is closed'));
    return new Promise((resolve) => {
      this.waiting.push({ req: { id: this.nextId++, kind: 'bytes', path: label, bytes }, resolve });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w.resolve({ ok: false, error: 'analysis pool is closed' });
    for (const s of this.slots) clearTimeout(s.timer);
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private addSlot(): void {
    const slot: Slot = {
      worker: startWorker(this.options.analyze, this.options.maxHeapMb),
      ready: false,
      job: null,
    };
    slot.worker.on('message', (res: AnalysisResponse) => {
      if ('ready' in res) {
        slot.ready = true;
        this.pump();
        return;
      }
      const job = slot.job;
      slot.job = null;
      clearTimeout(slot.timer);
      if (job && job.req.id === res.id) {
        job.resolve(
          res.ok
            ? { ok: true, analysis: res.analysis }
            : { ok: false, error: res.error, ...(res.code ? { code: res.code } : {}) },
        );
      }
      this.pump();
    });
    slot.worker.on('error', (err) => this.failSlot(slot, err));
    slot.worker.on('exit', (code) => this.failSlot(slot, new Error(`exited with code ${code}`)));
    this.slots.push(slot);
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (!slot.ready || slot.job) continue;
      const job = this.waiting.shift();
      if (!job) return;
      slot.job = job;
      slot.timer = setTimeout(() => {
        if (slot.job !== job) return;
        slot.job = null;
        job.resolve({
          ok: false,
          error: `analysis took longer than ${this.options.timeoutMs} ms`,
          code: 'timeout',
        });
        this.failSlot(slot, new Error('timed out'));
        void slot.worker.terminate();
      }, this.options.timeoutMs);
      slot.worker.postMessage(job.req);
    }
  }

  private failSlot(slot: Slot, err: Error): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    clearTimeout(slot.timer);
    if (slot.job) {
      const oom = (err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
      slot.job.resolve({
        ok: false,
        error: `worker crashed: ${err.message}`,
        ...(oom ? { code: 'out-of-memory' } : {}),
      });
      slot.job = null;
    }
    if (this.closed) return;
    // A worker that never loaded its parser is not replaced (a broken install would respawn forever).
    if (slot.ready) this.addSlot();
    if (this.slots.length === 0) {
      for (const w of this.waiting.splice(0)) w.resolve({ ok: false, error: 'all analysis workers crashed' });
    } else this.pump();
  }
}
