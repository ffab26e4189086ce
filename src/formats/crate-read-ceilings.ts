// How much of a `.crate` is held in memory for analysis (scanner, file hashes): whole files up
// to a per-file ceiling, until a per-crate budget is spent. Files past either keep their size
// and no bytes, so what was not examined can be reported instead of silently ignored, and a
// small archive that unpacks to hundreds of MiB costs a bounded amount of memory.
import { readCrateArchive, type CrateArchive, type ReadCrateOptions } from './crate-archive.js';

export interface ReadCeilings {
  maxFileBytes: number;
  maxTotalBytes: number;
}

export const DEFAULT_READ_CEILINGS: ReadCeilings = Object.freeze({
  maxFileBytes: 4 * 1024 * 1024,
  maxTotalBytes: 64 * 1024 * 1024,
});

/** A `keep` callback for readCrateArchive that enforces the ceilings (Cargo.toml is always kept). */
export function keepWithin(
  ceilings: ReadCeilings = DEFAULT_READ_CEILINGS,
): (path: string, size: number) => boolean {
  let kept = 0;
  return (_path, size) => {
    if (size > ceilings.maxFileBytes || kept + size > ceilings.maxTotalBytes) return false;
    kept += size;
    return true;
  };
}

/** Reads an archive once, keeping the bytes of the files within the ceilings. */
export function readCrateWithin(
  bytes: Buffer,
  options: Omit<ReadCrateOptions, 'keep'> = {},
  ceilings: ReadCeilings = DEFAULT_READ_CEILINGS,
): Promise<CrateArchive> {
  return readCrateArchive(bytes, { ...options, keep: keepWithin(ceilings) });
}
