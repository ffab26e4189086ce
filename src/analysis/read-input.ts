// Reads a crate for analysis: a `.crate` archive through the scanner's one bounded reader, or an
// unpacked source tree from disk, keeping only Rust sources and Cargo.toml in memory.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readFile } from 'node:fs/promises';
import { readCrateForScan } from '../security/scanner/read-crate.js';
import type { ScanReadLimits } from '../security/scanner/read-crate.js';
import { readSourceTree } from '../security/scanner/scanner.js';
import type { AnalysisInput } from './analyze-crate.js';

const MiB = 1024 * 1024;

/** Rust files up to 8 MiB, 256 MiB per crate; other files are not kept at all. */
export const ANALYSIS_READ_LIMITS: Partial<ScanReadLimits> = {
  maxCodeFileBytes: 8 * MiB,
  maxCodeBytes: 256 * MiB,
  maxDataFileBytes: 0,
  maxDataBytes: 0,
  headBytes: 0,
};

/** crates.io, as cargo-geiger's PackageId names it. */
export const CRATES_IO_SOURCE = {
  kind: 'registry',
  name: 'crates.io',
  url: 'https://github.com/rust-lang/crates.io-index',
} as const;

function onlyRust<T extends { path: string; data: Uint8Array | null }>(files: T[]): T[] {
  return files.filter((f) => f.path === 'Cargo.toml' || f.path.endsWith('.rs'));
}

export async function readCrateInput(bytes: Uint8Array): Promise<AnalysisInput> {
  const crate = await readCrateForScan(bytes, { read: ANALYSIS_READ_LIMITS });
  return { files: onlyRust(crate.files), source: { ...CRATES_IO_SOURCE } };
}

export async function readDirInput(dir: string): Promise<AnalysisInput> {
  const files = await readSourceTree(dir, {}, ANALYSIS_READ_LIMITS);
  return { files: onlyRust(files), source: { kind: 'path', url: pathToFileURL(resolve(dir)).href } };
}

export async function readInput(kind: 'crate' | 'dir', path: string): Promise<AnalysisInput> {
  return kind === 'crate' ? readCrateInput(await readFile(path)) : readDirInput(path);
}
