// Runs the registry's scans (inline quarantine scans and scan jobs) on a small pool of worker
// threads: off the request thread, a bounded number at once, each with a time and heap
// ceiling. A scan that cannot finish is itself a finding: content that defeats the analyser
// is held for review, never waved through.
import { availableParallelism } from 'node:os';
import type { CrateFiles } from '../security/scanner/read-crate.js';
import { ScanPool } from '../security/scanner/scan-pool.js';
import type { RegistryContext, ScanReport } from '../security/scanner/types.js';

export { ScanPoolBusyError } from '../security/scanner/scan-pool.js';

export interface ScanRunnerOptions {
  workers: number;
  /** Scans waiting for a worker before more are refused (each holds its files: bounds memory). */
  maxPending: number;
  timeoutMs: number;
  maxHeapMb: number;
}

export function defaultScanRunnerOptions(): ScanRunnerOptions {
  return {
    workers: Math.max(1, Math.min(2, availableParallelism())),
    maxPending: 8,
    timeoutMs: 60_000,
    maxHeapMb: 512,
  };
}

export class ScanRunner {
  private pool: ScanPool | null = null;

  constructor(private readonly options: ScanRunnerOptions = defaultScanRunnerOptions()) {}

  /** Scans one crate; rejects with ScanPoolBusyError when the pool's queue is full. */
  async scan(
    crate: CrateFiles,
    context: RegistryContext,
    identity: ScanReport['crate'],
  ): Promise<ScanReport> {
    // Started on first use: a registry that never scans (tests, CLI commands) starts no threads.
    this.pool ??= new ScanPool(this.options);
    const result = await this.pool.scan(crate, context);
    if (result.ok) return result.report;
    return incompleteScan(identity, result.error, result.code ?? 'error', crate);
  }

  async close(): Promise<void> {
    await this.pool?.close();
    this.pool = null;
  }
}

/** The report for a scan that did not finish (timeout, heap ceiling, a crashed worker). */
function incompleteScan(
  identity: ScanReport['crate'],
  error: string,
  code: string,
  crate: CrateFiles,
): ScanReport {
  return {
    crate: identity,
    verdict: 'high',
    findings: [
      {
        ruleId: 'scanner.incomplete',
        severity: 'high',
        title: 'The scan did not complete',
        file: null,
        line: null,
        evidence: `${code}: ${error.slice(0, 300)}`,
        why: 'Content that exhausts the analyser cannot be vouched for; an administrator must review it.',
      },
    ],
    capabilities: [],
    stats: {
      files: crate.files.length,
      rustFiles: crate.files.filter((f) => f.path.endsWith('.rs')).length,
      bytes: crate.unpackedBytes,
      ms: 0,
    },
  };
}
