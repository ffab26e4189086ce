// The file tree diff between two versions of a crate, read from their stored `.crate` files
// with the bounded archive reader: which files were added, removed, modified or left alone,
// with sizes, hashes and line counts; and one file's hunks on request. Renames are not
// detected (a moved file is one removal and one addition).
import { createHash } from 'node:crypto';
import { readCrateArchive, type CrateArchiveLimits, type CrateFile } from '../../formats/crate-archive.js';
import {
  DEFAULT_LINE_DIFF_LIMITS,
  diffFiles,
  isBinary,
  WorkBudget,
  type FileDiff,
  type LineDiffLimits,
  type LineDiffOptions,
} from './line-diff.js';

export type FileChange = 'added' | 'removed' | 'modified' | 'unchanged';

export interface FileSide {
  size: number;
  sha256: string;
}

export interface CrateDiffEntry {
  path: string;
  change: FileChange;
  old: FileSide | null;
  new: FileSide | null;
  /** `text`, or `binary` / `too-large` (compared by hash only, no line counts). */
  content: FileDiff['kind'];
  /** Lines added and removed; null for files compared by hash only. */
  linesAdded: number | null;
  linesRemoved: number | null;
}

export interface CrateTreeDiff {
  files: CrateDiffEntry[];
  totals: Record<FileChange, number> & { linesAdded: number; linesRemoved: number };
  /** Some line counts were taken from an approximate diff (the work cap was reached). */
  approximate: boolean;
}

export interface CrateDiffOptions {
  archiveLimits?: Partial<CrateArchiveLimits>;
  lineLimits?: Partial<LineDiffLimits>;
  /** Search steps for the line counts of all files of a tree together (default 50 million). */
  maxTreeWork?: number;
  /** Read archives kept between calls (the tree and then a file read the same two crates). */
  cache?: ArchiveCache;
}

export class CrateDiffError extends Error {}

interface ReadSide {
  files: Map<string, CrateFile>;
  /** Bytes held: the kept files' data. */
  weight: number;
}

/**
 * Read archives by the SHA-256 of the `.crate` (its content, so an entry never goes stale),
 * least recently used first out, bounded by the bytes they hold.
 */
export class ArchiveCache {
  private readonly entries = new Map<string, Promise<ReadSide>>();
  private readonly weights = new Map<string, number>();
  private held = 0;
  constructor(readonly maxBytes = 64 * 1024 * 1024) {}

  get(key: string, read: () => Promise<ReadSide>): Promise<ReadSide> {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const pending = read();
    this.entries.set(key, pending);
    pending.then(
      (side) => {
        if (this.entries.get(key) !== pending) return;
        this.weights.set(key, side.weight);
        this.held += side.weight;
        this.evict();
      },
      () => this.entries.delete(key),
    );
    return pending;
  }

  private evict(): void {
    for (const key of this.entries.keys()) {
      if (this.held <= this.maxBytes) break;
      const w = this.weights.get(key);
      if (w === undefined) continue; // still being read
      this.entries.delete(key);
      this.weights.delete(key);
      this.held -= w;
    }
  }
}

function readSide(bytes: Buffer, options: CrateDiffOptions): Promise<ReadSide> {
  if (!options.cache) return readSideUncached(bytes, options);
  const key = createHash('sha256').update(bytes).digest('hex');
  return options.cache.get(key, () => readSideUncached(bytes, options));
}

async function readSideUncached(bytes: Buffer, options: CrateDiffOptions): Promise<ReadSide> {
  const maxFile = options.lineLimits?.maxFileBytes ?? DEFAULT_LINE_DIFF_LIMITS.maxFileBytes;
  // Only files small enough to line-diff keep their bytes; every file is hashed.
  const archive = await readCrateArchive(bytes, {
    hash: true,
    keep: (_path, size) => size <= maxFile,
    ...(options.archiveLimits ? { limits: options.archiveLimits } : {}),
  });
  let weight = 0;
  for (const f of archive.files) weight += f.data?.length ?? 0;
  return { files: new Map(archive.files.map((f) => [f.path, f])), weight };
}

const side = (f: CrateFile | undefined): FileSide | null => (f ? { size: f.size, sha256: f.sha256! } : null);

function changeOf(a: CrateFile | undefined, b: CrateFile | undefined): FileChange {
  if (!a) return 'added';
  if (!b) return 'removed';
  return a.sha256 === b.sha256 ? 'unchanged' : 'modified';
}

/** Bytes for the line diff, or a marker that the file was not kept (over the size cap). */
function bytesOf(f: CrateFile | undefined): Buffer | null | 'not-kept' {
  if (!f) return null;
  return f.data ?? 'not-kept';
}

function compare(a: CrateFile | undefined, b: CrateFile | undefined, options: LineDiffOptions): FileDiff {
  const x = bytesOf(a);
  const y = bytesOf(b);
  if (x === 'not-kept' || y === 'not-kept') {
    return {
      kind: 'too-large',
      changed: a?.sha256 !== b?.sha256,
      oldSha256: a?.sha256 ?? null,
      newSha256: b?.sha256 ?? null,
      reason: 'too large to compare line by line; compared by hash only',
    };
  }
  return diffFiles(x, y, options);
}

/** The file tree diff of two `.crate` files (`from` → `to`). */
export async function diffCrateTrees(
  fromCrate: Buffer,
  toCrate: Buffer,
  options: CrateDiffOptions = {},
): Promise<CrateTreeDiff> {
  const [a, b] = await Promise.all([readSide(fromCrate, options), readSide(toCrate, options)]);
  const paths = [...new Set([...a.files.keys(), ...b.files.keys()])].sort();
  const totals = { added: 0, removed: 0, modified: 0, unchanged: 0, linesAdded: 0, linesRemoved: 0 };
  let approximate = false;
  // One budget for the whole tree: a crate of thousands of hostile files costs no more than one.
  const budget = new WorkBudget(options.maxTreeWork ?? 50_000_000);
  const files = paths.map((path): CrateDiffEntry => {
    const x = a.files.get(path);
    const y = b.files.get(path);
    const change = changeOf(x, y);
    totals[change] += 1;
    // Unchanged files need no search; their content kind still says whether they are text.
    const d: Pick<FileDiff, 'kind'> & { added?: number; removed?: number; approximate?: boolean } =
      change === 'unchanged'
        ? { kind: !x!.data ? 'too-large' : isBinary(x!.data) ? 'binary' : 'text', added: 0, removed: 0 }
        : compare(x, y, {
            countOnly: true,
            budget,
            ...(options.lineLimits ? { limits: options.lineLimits } : {}),
          });
    const counted = d.kind === 'text';
    if (counted) {
      totals.linesAdded += d.added ?? 0;
      totals.linesRemoved += d.removed ?? 0;
      approximate ||= d.approximate ?? false;
    }
    return {
      path,
      change,
      old: side(x),
      new: side(y),
      content: d.kind,
      linesAdded: counted ? (d.added ?? 0) : null,
      linesRemoved: counted ? (d.removed ?? 0) : null,
    };
  });
  return { files, totals, approximate };
}

export interface CrateFileDiff {
  path: string;
  change: FileChange;
  old: FileSide | null;
  new: FileSide | null;
  diff: FileDiff;
}

/** One file's diff between two `.crate` files; throws CrateDiffError when neither has it. */
export async function diffCrateFile(
  fromCrate: Buffer,
  toCrate: Buffer,
  path: string,
  options: CrateDiffOptions & { context?: number; focusNewLines?: readonly number[] } = {},
): Promise<CrateFileDiff> {
  const [a, b] = await Promise.all([readSide(fromCrate, options), readSide(toCrate, options)]);
  const x = a.files.get(path);
  const y = b.files.get(path);
  if (!x && !y) throw new CrateDiffError(`neither version has a file \`${path.slice(0, 200)}\``);
  const diff = compare(x, y, {
    ...(options.context !== undefined ? { context: options.context } : {}),
    ...(options.focusNewLines ? { focusNewLines: options.focusNewLines } : {}),
    ...(options.lineLimits ? { limits: options.lineLimits } : {}),
  });
  return { path, change: changeOf(x, y), old: side(x), new: side(y), diff };
}
