// Scans many crates on all cores: a fixed set of worker threads, each with its own parser, fed
// one path at a time (so a huge crate on one thread does not hold up the queue).
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ScannerOptions } from './scanner.js';
import type { ScanReport } from './types.js';

export interface PoolRequest {
  id: number;
  kind: 'crate' | 'dir';
  path: string;
}

export type PoolResponse =
  { id: number; ok: true; report: ScanReport } | { id: number; ok: false; error: string; code?: string };

export type PoolResult = { ok: true; report: ScanReport } | { ok: false; error: string; code?: string };

function startWorker(workerData: ScannerOptions): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./scan-worker.js', import.meta.url), { workerData });
  // Running from TypeScript sources (tests, benchmarks under tsx): tsx's loader does not carry
  // over to worker threads, so the worker registers it before importing its .ts entry.
  // tsx's ESM API (its `exports` map: ./esm/api → dist/esm/api/index.mjs for `import`).
  const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const api = pathToFileURL(join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./scan-worker.ts', import.meta.url).href;
  const boot = `(async () => { const { register } = await import(${JSON.stringify(api)}); register(); await import(${JSON.stringify(entry)}); })();`;
  return new Worker(boot, { eval: true, workerData });
}

interface Slot {
  worker: Worker;
  busy: boolean;
}

export class ScanPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: { req: PoolRequest; resolve: (r: PoolResult) => void }[] = [];
  private readonly pending = new Map<number, { slot: Slot; resolve: (r: PoolResult) => void }>();
  private nextId = 1;
  private closed = false;

  constructor(opts: { workers?: number; scanner?: ScannerOptions } = {}) {
    const n = Math.max(1, opts.workers ?? availableParallelism());
    for (let i = 0; i < n; i++) {
      const worker = startWorker(opts.scanner ?? {});
      const slot: Slot = { worker, busy: false };
      worker.on('message', (res: PoolResponse) => this.done(slot, res));
      worker.on('error', (err) => this.failSlot(slot, err));
      this.slots.push(slot);
    }
  }

  get size(): number {
    return this.slots.length;
  }

  scan(kind: 'crate' | 'dir', path: string): Promise<PoolResult> {
    if (this.closed) return Promise.reject(new Error('scan pool is closed'));
    return new Promise((resolve) => {
      this.waiting.push({ req: { id: this.nextId++, kind, path }, resolve });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.busy) continue;
      const job = this.waiting.shift();
      if (!job) return;
      slot.busy = true;
      this.pending.set(job.req.id, { slot, resolve: job.resolve });
      slot.worker.postMessage(job.req);
    }
  }

  private done(slot: Slot, res: PoolResponse): void {
    const p = this.pending.get(res.id);
    this.pending.delete(res.id);
    slot.busy = false;
    if (p)
      p.resolve(
        res.ok
          ? { ok: true, report: res.report }
          : { ok: false, error: res.error, ...(res.code ? { code: res.code } : {}) },
      );
    this.pump();
  }

  private failSlot(slot: Slot, err: Error): void {
    // A crashed worker fails its job; the pool keeps going with the others.
    for (const [id, p] of this.pending) {
      if (p.slot === slot) {
        this.pending.delete(id);
        p.resolve({ ok: false, error: `worker crashed: ${err.message}` });
      }
    }
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    if (this.slots.length === 0) {
      for (const w of this.waiting.splice(0)) w.resolve({ ok: false, error: 'all scan workers crashed' });
    } else this.pump();
  }
}
