// The scanner's entry point: one Scanner per process (it holds the loaded parser), scanning
// `.crate` bytes through the safe archive reader or a source directory on disk.
import { lstat, readFile, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Parser } from 'web-tree-sitter';
import { readCrateArchive } from '../../formats/crate-archive.js';
import type { CrateArchiveLimits } from '../../formats/crate-archive.js';
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

  /** Scans a `.crate` file's bytes; throws the archive reader's CrateArchiveError on bad archives. */
  async scanCrateBytes(bytes: Buffer, context?: RegistryContext): Promise<ScanReport> {
    const archive = await readCrateArchive(
      bytes,
      this.options.archiveLimits ? { limits: this.options.archiveLimits } : {},
    );
    return this.scanSource({ prefix: archive.prefix, files: archive.files }, context);
  }

  /** Scans an unpacked crate (a directory holding Cargo.toml). */
  async scanDirectory(dir: string, context?: RegistryContext): Promise<ScanReport> {
    const files = await readSourceTree(dir, this.options.directoryLimits);
    if (!files.some((f) => f.path === 'Cargo.toml')) throw new ScannerError(`${dir}: no Cargo.toml`);
    return this.scanSource({ prefix: null, files }, context);
  }

  /** Scans files already in memory (paths relative to the crate root). */
  scanSource(source: CrateSource, context?: RegistryContext): ScanReport {
    return scanCrateSource(this.parser, source, context, this.settings);
  }
}

const SKIP_DIRS = new Set(['.git', 'target', 'node_modules']);

/** Reads a source tree without following symlinks, within bounds. */
export async function readSourceTree(
  root: string,
  limits: { maxFiles?: number; maxBytes?: number } = {},
): Promise<SourceFile[]> {
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
        const data = await readFile(full);
        out.push({ path: relative(root, full).split(sep).join('/'), size: data.length, data });
      }
      // Symlinks, sockets and devices are not part of a crate.
    }
  };
  await walk(root);
  return out;
}
