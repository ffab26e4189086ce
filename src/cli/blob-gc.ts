// The blob collector as the CLI shows it, and the collection `serve` runs at start-up.
import type { RegistryServices } from '../registry/services.js';
import { DEFAULT_BLOB_GRACE_MS, collectBlobGarbage, type BlobGcReport } from '../store/blob-gc.js';
import { section, type ConfigTable } from './config-file.js';

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function describeGc(r: BlobGcReport): string {
  const minutes = +(r.graceMs / 60_000).toFixed(2);
  return (
    `${r.dryRun ? 'would remove' : 'removed'} ${plural(r.removed.blobs, 'blob')} and ` +
    `${plural(r.removed.tempFiles, 'temp file')} (${formatBytes(r.removed.bytes)}); ` +
    `kept ${r.kept.referenced} referenced and ${r.kept.young} within the ${minutes}-minute grace period ` +
    `(${formatBytes(r.kept.bytes)})`
  );
}

export function parseGrace(text: string): number {
  const minutes = Number(text);
  if (text.trim() === '' || !Number.isFinite(minutes) || minutes < 0)
    throw new Error(`--grace takes a number of minutes, not \`${text}\``);
  return minutes * 60_000;
}

/**
 * The collection `serve` runs at start-up: in the background (the listen never waits for it),
 * logged, never fatal. `[gc] on_start = false` turns it off; `grace_minutes` sets the grace.
 */
export function startupBlobGc(
  services: RegistryServices,
  table: ConfigTable,
  log: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<void> {
  const gc = section(table, 'gc');
  if (gc.on_start === false) return Promise.resolve();
  const graceMs =
    gc.grace_minutes === undefined ? DEFAULT_BLOB_GRACE_MS : parseGrace(String(gc.grace_minutes));
  return collectBlobGarbage(services.db.kysely, services.blobs, { graceMs }).then(
    (report) => log(`blob gc: ${describeGc(report)}`),
    (err: unknown) => log(`blob gc failed: ${(err as Error).message}`),
  );
}
