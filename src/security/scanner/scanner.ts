// The scanner's entry point: one Scanner per process (it holds the loaded parser), scanning
// files already read (one bounded read of a `.crate`, see read-crate.ts), `.crate` bytes, or a
// source directory on disk, always within the same read ceilings.
import { lstat, open, readFile, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Parser } from 'web-tree-sitter';
import type { CrateArchiveLimits } from '../../formats/crate-archive.js';
import { ScanReadBudget, readCrateForScan } from './read-crate.js';
import type { ScanReadLimits } from './read-crate.js';
import { rustParser } from './rust-parser.js';
import { DEFAULT_SETTINGS, scanCrateSource } from './scan-crate.js';
import type { CrateSource, ScanSettings } from './scan-crate.js';
import type { SourceFile } from './rules/model.js';
import { RULE_CATALOG } from './rules/catalog.js';
import type { RegistryContext, ScanReport } from './types.js';

export interface ScannerOptions {
  rules?: {
    /** Rule ids to leave out. */
    disable?: string[];
  };
  /** A dependency younger than this many days is "young" (registry rules). Default 30. */
  youngDays?: number;
  /** Rust files larger than this are not parsed. Default 4 MiB. */
  maxRustBytes?: number;
  /** Bounds for reading `.crate` files (defaults: the archive reader's). */
  archiveLimits?: Partial<CrateArchiveLimits>;
  /** What a scan keeps in memory per file and per crate (defaults: DEFAULT_SCAN_READ_LIMITS). */
  readLimits?: Partial<ScanReadLimits>;
  /** Bounds for reading source directories. */
  directoryLimits?: { maxFiles?: number; maxBytes?: number };
}

export class ScannerError extends Error {
  override name = 'ScannerError';
}

export class Scanner {
  private constructor(
    private readonly parser: Parser,
    private readonly settings: ScanSettings,
    private readonly options: ScannerOptions,
  ) {}

  static async create(opts: ScannerOptions = {}): Promise<Scanner> {
    for (const id of opts.rules?.disable ?? []) {
      if (!RULE_CATALOG.has(id)) throw new ScannerError(`unknown rule id: ${id}`);
    }
    const settings: ScanSettings = {
      disabled: new Set(opts.rules?.disable ?? []),
      youngDays: opts.youngDays ?? DEFAULT_SETTINGS.youngDays,
      maxRustBytes: opts.maxRustBytes ?? DEFAULT_SETTINGS.maxRustBytes,
    };
    return new Scanner(await rustParser(), settings, opts);
  }

  /**
   * Scans a `.crate` file's bytes (one bounded read, then scanFiles); throws the archive
   * reader's CrateArchiveError on bad archives.
   */
  async scanCrateBytes(bytes: Buffer, context?: RegistryContext): Promise<ScanReport> {
    const crate = await readCrateForScan(bytes, {
      ...(this.options.archiveLimits ? { archive: this.options.archiveLimits } : {}),
      ...(this.options.readLimits ? { read: this.options.readLimits } : {}),
    });
    return this.scanFiles(crate, context);
  }

  /**
   * Scans files already in memory: the output of readCrateForScan (or any CrateSource).
   * Files whose `data` is null are reported as not examined.
   */
  scanFiles(crate: CrateSource, context?: RegistryContext): ScanReport {
    return this.scanSource(crate, context);
  }

  /** Scans an unpacked crate (a directory holding Cargo.toml). */
  async scanDirectory(dir: string, context?: RegistryContext): Promise<ScanReport> {
    const files = await readSourceTree(dir, this.options.directoryLimits, this.options.readLimits);
    if (!files.some((f) => f.path === 'Cargo.toml')) throw new ScannerError(`${dir}: no Cargo.toml`);
    return this.scanSource({ prefix: null, files }, context);
  }

  /** Scans files already in memory (paths relative to the crate root). */
  scanSource(source: CrateSource, context?: RegistryContext): ScanReport {
    return scanCrateSource(this.parser, source, context, this.settings);
  }
}

const SKIP_DIRS = new Set(['.git', 'target', 'node_modules']);

/**
 * Reads a source tree without following symlinks, within bounds; files over the scan read
 * ceilings keep only their head, as in a `.crate` scan.
 */
export async function readSourceTree(
  root: string,
  limits: { maxFiles?: number; maxBytes?: number } = {},
  readLimits: Partial<ScanReadLimits> = {},
): Promise<SourceFile[]> {
  const budget = new ScanReadBudget(readLimits);
  const maxFiles = limits.maxFiles ?? 20_000;
  const maxBytes = limits.maxBytes ?? 512 * 1024 * 1024;
  const out: SourceFile[] = [];
  let total = 0;
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const full = join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) await walk(full);
      } else if (e.isFile()) {
        if (out.length >= maxFiles) throw new ScannerError(`${root}: more than ${maxFiles} files`);
        const st = await lstat(full);
        total += st.size;
        if (total > maxBytes) throw new ScannerError(`${root}: more than ${maxBytes} bytes`);
        const path = relative(root, full).split(sep).join('/');
        const decision = budget.decide(path, st.size);
        if (decision.keep) {
          const data = await readFile(full);
          out.push({ path, size: data.length, data });
        } else {
          out.push({
            path,
            size: st.size,
            data: null,
            head: await readHead(full, decision.head),
            skipped: decision.reason,
          });
        }
      }
      // Symlinks, sockets and devices are not part of a crate.
    }
  };
  await walk(root);
  return out;
}

async function readHead(path: string, n: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
