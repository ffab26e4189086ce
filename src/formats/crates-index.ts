// Reads a whole Cargo registry index (crates.io's layout): a `.tar.gz` snapshot, a plain
// directory, a git working tree, or a bare git repository (HEAD's tree). Each crate's file is
// handed to the caller as parsed, shape-checked index lines; nothing is kept in memory between
// crates, so a caller can build whatever it needs from a stream of ~30k crates.
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import type { DependencyKind, IndexDependency, IndexLine } from '../domain/index-line.js';
import { nameFromIndexPath } from '../domain/index-path.js';

export interface IndexReadProgress {
  crates: number;
  /** Bytes consumed from the source (compressed bytes for a tarball). */
  bytes: number;
  totalBytes?: number;
}

export interface MalformedIndexLine {
  /** Path of the crate's file inside the index. */
  file: string;
  /** 1-based line number. */
  line: number;
  message: string;
}

export interface ReadCratesIndexOptions {
  onProgress?: (p: IndexReadProgress) => void;
  /** Skip malformed lines (counted in the result and reported to `onMalformed`) instead of failing. */
  skipMalformed?: boolean;
  onMalformed?: (m: MalformedIndexLine) => void;
  /** A crate file larger than this is malformed input, not an index file (default 64 MiB). */
  maxFileBytes?: number;
}

export interface ReadCratesIndexResult {
  crates: number;
  versions: number;
  /** Lines skipped because they were malformed (only with `skipMalformed`). */
  malformed: number;
}

export class IndexFormatError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}:${line}: ${message}`);
    this.name = 'IndexFormatError';
  }
}

const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;
const KINDS: ReadonlySet<string> = new Set(['normal', 'build', 'dev']);

/**
 * The crate-file path relative to the index root, or null when `path` is not a crate file
 * (config.json, README, .git/…). Tarballs often wrap the index in one top-level directory, so
 * one leading component is allowed.
 */
export function indexRelativePath(path: string): string | null {
  let p = path.replaceAll('\\', '/');
  while (p.startsWith('./')) p = p.slice(2);
  if (p.split('/').some((c) => c.startsWith('.'))) return null;
  if (nameFromIndexPath(p) !== null) return p;
  const slash = p.indexOf('/');
  if (slash < 0) return null;
  const rest = p.slice(slash + 1);
  return nameFromIndexPath(rest) !== null ? rest : null;
}

/**
 * Checks one parsed line's shape and fills what older index lines leave out (a missing `kind`
 * means normal, missing `default_features` means true). Returns an error message or the line.
 */
export function normalizeIndexLine(value: unknown): IndexLine | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'line is not a JSON object';
  const v = value as Record<string, unknown>;
  if (typeof v.name !== 'string' || v.name.length === 0) return '`name` must be a non-empty string';
  if (typeof v.vers !== 'string' || v.vers.length === 0) return '`vers` must be a non-empty string';
  const rawDeps = v.deps ?? [];
  if (!Array.isArray(rawDeps)) return '`deps` must be an array';
  const deps: IndexDependency[] = [];
  for (let i = 0; i < rawDeps.length; i++) {
    const d = rawDeps[i] as Record<string, unknown> | null;
    if (typeof d !== 'object' || d === null || Array.isArray(d)) return `deps[${i}] is not an object`;
    if (typeof d.name !== 'string' || d.name.length === 0)
      return `deps[${i}].name must be a non-empty string`;
    if (typeof d.req !== 'string') return `deps[${i}].req must be a string`;
    const kind = d.kind ?? 'normal';
    if (typeof kind !== 'string' || !KINDS.has(kind)) return `deps[${i}].kind is not normal, build or dev`;
    const features = d.features ?? [];
    if (!Array.isArray(features) || features.some((f) => typeof f !== 'string')) {
      return `deps[${i}].features must be an array of strings`;
    }
    if (d.target !== undefined && d.target !== null && typeof d.target !== 'string') {
      return `deps[${i}].target must be a string or null`;
    }
    if (d.package !== undefined && d.package !== null && typeof d.package !== 'string') {
      return `deps[${i}].package must be a string or null`;
    }
    const dep: IndexDependency = {
      name: d.name,
      req: d.req,
      features: features as string[],
      optional: d.optional === true,
      default_features: d.default_features !== false,
      target: (d.target as string | null | undefined) ?? null,
      kind: kind as DependencyKind,
    };
    if (typeof d.registry === 'string') dep.registry = d.registry;
    if (typeof d.package === 'string') dep.package = d.package;
    deps.push(dep);
  }
  const features = v.features ?? {};
  if (!isFeatureMap(features)) return '`features` must be an object of arrays of strings';
  const line: IndexLine = {
    name: v.name,
    vers: v.vers,
    deps,
    cksum: typeof v.cksum === 'string' ? v.cksum : '',
    features: features as Record<string, string[]>,
    yanked: v.yanked === true,
  };
  if (typeof v.links === 'string') line.links = v.links;
  if (typeof v.v === 'number') line.v = v.v;
  if (typeof v.features2 === 'object' && v.features2 !== null && !Array.isArray(v.features2)) {
    if (!isFeatureMap(v.features2)) return '`features2` must be an object of arrays of strings';
    line.features2 = v.features2;
  }
  if (typeof v.rust_version === 'string') line.rust_version = v.rust_version;
  if (typeof v.pubtime === 'string') line.pubtime = v.pubtime;
  return line;
}

/**
 * `{feature: [values]}` with every value a string: what cargo writes. Checked here so that no
 * consumer of a line meets a number or an object where the type promises a list of strings.
 */
function isFeatureMap(f: unknown): f is Record<string, string[]> {
  if (typeof f !== 'object' || f === null || Array.isArray(f)) return false;
  return Object.values(f).every((vs) => Array.isArray(vs) && vs.every((x) => typeof x === 'string'));
}

/** Parses one crate file's text into lines; calls `bad` for each malformed line. */
export function parseIndexFile(
  file: string,
  text: string,
  bad: (line: number, message: string) => void,
): IndexLine[] {
  const out: IndexLine[] = [];
  let start = 0;
  let lineNo = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    const raw = text.slice(start, end);
    start = end + 1;
    if (raw.trim().length === 0) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (e) {
      bad(lineNo, `invalid JSON: ${(e as Error).message}`);
      continue;
    }
    const line = normalizeIndexLine(parsed);
    if (typeof line === 'string') bad(lineNo, line);
    else out.push(line);
  }
  return out;
}

/**
 * Reads every crate file of the index at `source` and calls `onCrate` once per crate, with the
 * crate's name as published (from its first line) and its versions in file order.
 */
export async function readCratesIndex(
  source: string,
  onCrate: (name: string, lines: IndexLine[]) => void,
  opts: ReadCratesIndexOptions = {},
): Promise<ReadCratesIndexResult> {
  const result: ReadCratesIndexResult = { crates: 0, versions: 0, malformed: 0 };
  const maxFileBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  let bytes = 0;
  let totalBytes: number | undefined;

  const handleFile = (rel: string, data: Buffer): void => {
    const lines = parseIndexFile(rel, data.toString('utf8'), (line, message) => {
      if (!opts.skipMalformed) throw new IndexFormatError(rel, line, message);
      result.malformed++;
      opts.onMalformed?.({ file: rel, line, message });
    });
    if (lines.length === 0) return;
    result.crates++;
    result.versions += lines.length;
    onCrate(lines[0]!.name, lines);
    opts.onProgress?.({ crates: result.crates, bytes, ...(totalBytes !== undefined ? { totalBytes } : {}) });
  };

  const readTar = async (input: Readable, gunzip: boolean): Promise<void> => {
    const extract = tar.extract();
    const stream = gunzip ? input.pipe(createGunzip()) : input;
    input.on('data', (chunk: Buffer) => (bytes += chunk.length));
    // Errors on the source or gunzip must reach the consumer, not crash the process.
    input.on('error', (e) => extract.destroy(e));
    if (gunzip) stream.on('error', (e) => extract.destroy(e));
    stream.pipe(extract);
    try {
      for await (const entry of extract) {
        const rel = entry.header.type === 'file' ? indexRelativePath(entry.header.name) : null;
        if (rel === null || (entry.header.size ?? 0) > maxFileBytes) {
          if (rel !== null) {
            if (!opts.skipMalformed)
              throw new IndexFormatError(rel, 0, `file larger than ${maxFileBytes} bytes`);
            result.malformed++;
            opts.onMalformed?.({ file: rel, line: 0, message: `file larger than ${maxFileBytes} bytes` });
          }
          entry.resume();
          continue;
        }
        const chunks: Buffer[] = [];
        for await (const chunk of entry) chunks.push(chunk as Buffer);
        handleFile(rel, Buffer.concat(chunks));
      }
    } finally {
      // Stop reading the source when the consumer failed or stopped early.
      input.destroy();
    }
  };

  const st = await stat(source);
  if (st.isFile()) {
    totalBytes = st.size;
    const fh = await open(source, 'r');
    const magic = Buffer.alloc(2);
    await fh.read(magic, 0, 2, 0);
    await fh.close();
    const gz = magic[0] === 0x1f && magic[1] === 0x8b;
    await readTar(createReadStream(source, { highWaterMark: 1 << 20 }), gz);
  } else if (st.isDirectory() && (await isBareGitRepo(source))) {
    await readGitHead(source, (input) => readTar(input, false));
  } else if (st.isDirectory()) {
    for await (const rel of walkIndexDir(source, '')) {
      const abs = join(source, rel);
      const size = (await stat(abs)).size;
      if (size > maxFileBytes) {
        if (!opts.skipMalformed) throw new IndexFormatError(rel, 0, `file larger than ${maxFileBytes} bytes`);
        result.malformed++;
        opts.onMalformed?.({ file: rel, line: 0, message: `file larger than ${maxFileBytes} bytes` });
        continue;
      }
      const data = await readFile(abs);
      bytes += data.length;
      handleFile(rel, data);
    }
  } else {
    throw new Error(`${source}: not a file or directory`);
  }
  return result;
}

/** Index files under `dir`, in sorted order, skipping dot-entries (.git, .github) and symlinks. */
async function* walkIndexDir(root: string, rel: string): AsyncGenerator<string> {
  const entries = await readdir(join(root, rel), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const child = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) yield* walkIndexDir(root, child);
    else if (e.isFile() && nameFromIndexPath(child) !== null) yield child;
  }
}

/** A bare repository has HEAD, objects/ and refs/ at its top and no working tree. */
async function isBareGitRepo(dir: string): Promise<boolean> {
  try {
    const [head, objects, refs] = await Promise.all([
      stat(join(dir, 'HEAD')),
      stat(join(dir, 'objects')),
      stat(join(dir, 'refs')),
    ]);
    return head.isFile() && objects.isDirectory() && refs.isDirectory();
  } catch {
    return false;
  }
}

/** Streams HEAD's tree of a bare repository as an (uncompressed) tar archive. */
async function readGitHead(gitDir: string, consume: (tar: Readable) => Promise<void>): Promise<void> {
  const child = spawn('git', ['--git-dir', gitDir, 'archive', '--format=tar', 'HEAD'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
  try {
    await consume(child.stdout);
  } catch (e) {
    child.kill();
    await exited.catch(() => 1);
    throw e;
  }
  const code = await exited;
  if (code !== 0) throw new Error(`git archive failed in ${gitDir}: ${stderr.trim()}`);
}
