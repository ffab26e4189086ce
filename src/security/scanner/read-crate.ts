// The one bounded read of a `.crate` for a publish or a scan: every file streams past once, is
// hashed, and only what the scanner can use is kept in memory, within per-file and per-crate
// ceilings, so a 0.5 MB upload that inflates to 500 MiB costs a scan tens of MiB, not 500.
// What is not kept is marked (`skipped`) and reported by the archive.unexamined-content rule.
import { readCrateArchive } from '../../formats/crate-archive.js';
import type { CrateArchiveLimits, KeepDecision } from '../../formats/crate-archive.js';
import type { SourceFile } from './rules/model.js';

const KiB = 1024;
const MiB = 1024 * KiB;

export interface ScanReadLimits {
  /** Largest code file (Rust source, shipped scripts) kept whole; the parser's limit. */
  maxCodeFileBytes: number;
  /** Code bytes kept per crate, Cargo.toml included. */
  maxCodeBytes: number;
  /** Largest other file kept whole: no data rule looks past its first MiB. */
  maxDataFileBytes: number;
  /** Other bytes kept per crate, the heads of files not kept whole included. */
  maxDataBytes: number;
  /** First bytes kept of a file not kept whole (magic bytes, entropy sample). */
  headBytes: number;
  /** Cargo.toml is always kept; a larger one is refused (no real manifest comes close). */
  maxManifestBytes: number;
}

/** The defaults, documented in docs/rules.md (archive.unexamined-content). */
export const DEFAULT_SCAN_READ_LIMITS: Readonly<ScanReadLimits> = Object.freeze({
  maxCodeFileBytes: 4 * MiB,
  maxCodeBytes: 32 * MiB,
  maxDataFileBytes: 1 * MiB,
  maxDataBytes: 16 * MiB,
  headBytes: 64 * KiB,
  maxManifestBytes: 4 * MiB,
});

/** Files the scanner analyses as code: Rust sources and the scripts build code may run. */
export function isCodePath(path: string): boolean {
  return /\.rs$|\.(sh|bash|zsh|ps1|psm1|bat|cmd|vbs|js|py|pl|rb)$/i.test(path);
}

export function formatBytes(n: number): string {
  if (n < MiB) return `${n} bytes`;
  return `${(n / MiB).toFixed(n < 10 * MiB ? 1 : 0)} MiB`;
}

export type ReadDecision = { keep: true } | { keep: false; head: number; reason: string };

/**
 * The per-file and per-crate ceilings, applied in reading order. Code and data have separate
 * budgets so that big data files cannot crowd the code out.
 */
export class ScanReadBudget {
  readonly limits: ScanReadLimits;
  private code = 0;
  private data = 0;

  constructor(limits: Partial<ScanReadLimits> = {}) {
    this.limits = { ...DEFAULT_SCAN_READ_LIMITS, ...limits };
  }

  decide(path: string, size: number): ReadDecision {
    const l = this.limits;
    if (path === 'Cargo.toml') {
      // Kept regardless (the archive reader needs it); bounded by maxManifestBytes.
      this.code += size;
      return { keep: true };
    }
    const code = isCodePath(path);
    const [fileMax, crateMax, used] = code
      ? [l.maxCodeFileBytes, l.maxCodeBytes, this.code]
      : [l.maxDataFileBytes, l.maxDataBytes, this.data];
    const kind = code ? 'code' : 'other files';
    if (size <= fileMax && used + size <= crateMax) {
      if (code) this.code += size;
      else this.data += size;
      return { keep: true };
    }
    const head = Math.min(size, l.headBytes, Math.max(0, l.maxDataBytes - this.data));
    this.data += head;
    return {
      keep: false,
      head,
      reason:
        size > fileMax
          ? `over the ${formatBytes(fileMax)} per-file ceiling for ${kind}`
          : `past the ${formatBytes(crateMax)} per-crate ceiling for ${kind}`,
    };
  }
}

/** A file as the scanner and the publish path get it. */
export interface ScanFile extends SourceFile {
  mode: number;
  /** SHA-256 (hex) of the whole file, kept or not. */
  sha256: string;
}

/** The output of one bounded read: all the publish path and the scanner need. */
export interface CrateFiles {
  /** `<name>-<version>` */
  prefix: string;
  /** Every regular file, in archive order; `data` is null for those over a ceiling. */
  files: ScanFile[];
  /** Cargo.toml as packaged, for the publish path's manifest parser. */
  manifestText: string;
  /** Sum of all files' sizes. */
  unpackedBytes: number;
  /** Files (and their bytes) not kept whole. */
  skipped: { files: number; bytes: number };
}

export interface ReadCrateForScanOptions {
  /** The crate directory and Cargo.toml must say exactly this name and version. */
  expected?: { name: string; version: string };
  /** Archive bounds (upload size, unpacked size, entries): the reader's defaults otherwise. */
  archive?: Partial<CrateArchiveLimits>;
  /** What is kept in memory: DEFAULT_SCAN_READ_LIMITS otherwise. */
  read?: Partial<ScanReadLimits>;
}

/** Reads a `.crate` once, within bounds; throws the archive reader's CrateArchiveError. */
export async function readCrateForScan(
  bytes: Buffer | Uint8Array,
  options: ReadCrateForScanOptions = {},
): Promise<CrateFiles> {
  const budget = new ScanReadBudget(options.read);
  const reasons = new Map<string, string>();
  const archive = await readCrateArchive(bytes, {
    ...(options.expected ? { expected: options.expected } : {}),
    limits: { ...options.archive, maxManifestBytes: budget.limits.maxManifestBytes },
    hash: true,
    keep: (path, size): KeepDecision => {
      const d = budget.decide(path, size);
      if (d.keep) return true;
      reasons.set(path, d.reason);
      return { head: d.head };
    },
  });
  const skipped = { files: 0, bytes: 0 };
  const files = archive.files.map((f): ScanFile => {
    const file: ScanFile = { path: f.path, size: f.size, mode: f.mode, data: f.data, sha256: f.sha256! };
    const reason = reasons.get(f.path);
    if (f.data === null) {
      skipped.files++;
      skipped.bytes += f.size;
      if (reason !== undefined) file.skipped = reason;
      if (f.head !== undefined) file.head = f.head;
    }
    return file;
  });
  return {
    prefix: archive.prefix,
    files,
    manifestText: archive.manifestText,
    unpackedBytes: archive.unpackedBytes,
    skipped,
  };
}
