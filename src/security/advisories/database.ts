// Loads advisory databases (cargo-deny's `db-urls`, cargo-audit's `--db`) into one index:
// a directory or git checkout of advisory-db, a .tar.gz of one, OSV JSON (a file, a
// directory such as advisory-db's `osv` branch, or osv.dev's crates.io `all.zip`), local or
// over HTTP(S).
//
// Merge rule: sources are read in the order given and the first one wins. A later advisory
// with the same id for the same package, or whose id is an id or alias of one already kept
// for that package (osv.dev's GHSA copy of a RUSTSEC advisory), is recorded in
// `duplicates` and dropped. The same id twice inside one source is a problem, as in rustsec.
// A file that cannot be read as an advisory is a problem of its source, never fatal; a source
// that cannot be read at all (missing, corrupt archive, over a limit) is an AdvisoryDatabaseError.
import { isUtf8 } from 'node:buffer';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  AdvisoryFormatError,
  DRAFT_ADVISORY_ID,
  MAX_ADVISORY_FILE_BYTES,
  parseAdvisoryMarkdown,
} from '../../formats/advisory-markdown.js';
import { MAX_OSV_FILE_BYTES, parseOsvAdvisory } from '../../formats/advisory-osv.js';
import { TarArchiveError, readTarGzTree, safeRelativePath } from '../../formats/tar-gz-tree.js';
import { ZipArchiveError, readZip } from '../../formats/zip-archive.js';
import type {
  Advisory,
  AdvisoryCollection,
  AdvisoryDatabaseInfo,
  AdvisoryDuplicate,
  AdvisoryIndex,
  AdvisoryProblem,
} from './advisory.js';

export class AdvisoryDatabaseError extends Error {
  override name = 'AdvisoryDatabaseError';
}

export interface LoadProgress {
  /** The source as given. */
  label: string;
  /** Sources finished so far, of `total`. */
  done: number;
  total: number;
  advisories: number;
  problems: number;
}

export interface LoadOptions {
  onProgress?: (progress: LoadProgress) => void;
  /** Largest archive fetched over HTTP(S) or read from a file (default 128 MiB). */
  maxDownloadBytes?: number;
  /** HTTP(S) timeout for one source (default 60 s). */
  fetchTimeoutMs?: number;
}

const DEFAULT_MAX_DOWNLOAD = 128 * 1024 * 1024;
/** Files walked in one directory source: far above advisory-db's ~2,200. */
const MAX_DIRECTORY_FILES = 200_000;
const MAX_DIRECTORY_DEPTH = 6;

interface SourceResult {
  info: AdvisoryDatabaseInfo;
  advisories: Advisory[];
  problems: AdvisoryProblem[];
}

/** A file of a tree, relative path `/`-separated. */
interface TreeFile {
  path: string;
  data: Buffer;
}

const OSV_FILE = /^[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9._-]+\.json$/;

/** Which files of a tree are advisories: `crates|rust/<pkg>/<file>.md`, or an id-named `.json`. */
function advisoryKind(rel: string): 'markdown' | 'osv' | null {
  const segs = rel.split('/');
  const base = segs[segs.length - 1] as string;
  if (segs.some((s) => s.startsWith('.'))) return null;
  if (base.endsWith('.md')) {
    return segs.length === 3 && (segs[0] === 'crates' || segs[0] === 'rust') ? 'markdown' : null;
  }
  return OSV_FILE.test(base) ? 'osv' : null;
}

/** Turns the files of one tree into advisories and problems. */
function readTree(
  label: string,
  files: readonly TreeFile[],
  problems: AdvisoryProblem[],
  checkLocation = true,
): Advisory[] {
  const out: Advisory[] = [];
  const seen = new Map<string, string>();
  const problem = (file: string, message: string): void => {
    problems.push({ database: label, file, message });
  };
  for (const f of files) {
    const kind = advisoryKind(f.path);
    if (kind === null) continue;
    const segs = f.path.split('/');
    const base = segs[segs.length - 1] as string;
    if (base.startsWith(`${DRAFT_ADVISORY_ID}.`)) continue;
    const limit = kind === 'markdown' ? MAX_ADVISORY_FILE_BYTES : MAX_OSV_FILE_BYTES;
    if (f.data.length > limit) {
      problem(f.path, `file is too large (${f.data.length} bytes, max ${limit})`);
      continue;
    }
    // rustsec reads files with read_to_string: invalid UTF-8 is an error. A BOM is kept (and
    // then fails the ```toml check, as in rustsec).
    if (!isUtf8(f.data)) {
      problem(f.path, 'file is not valid UTF-8');
      continue;
    }
    const text = f.data.toString('utf8');
    try {
      let read: Advisory[];
      if (kind === 'markdown') {
        const collection = segs[0] as AdvisoryCollection;
        const advisory = parseAdvisoryMarkdown(text, { collection, database: label, file: f.path });
        // rustsec `Entries::load_file`: the file names the advisory, the directory its package.
        if (checkLocation && base !== `${advisory.metadata.id}.md`) {
          problem(f.path, `expected the file to be named ${advisory.metadata.id}.md`);
          continue;
        }
        if (checkLocation && segs[1] !== advisory.metadata.package) {
          problem(
            f.path,
            `expected ${advisory.metadata.id} to be in the ${advisory.metadata.package} directory`,
          );
          continue;
        }
        read = [advisory];
      } else {
        read = parseOsvAdvisory(text, { database: label, file: f.path });
      }
      for (const a of read) {
        const key = `${a.metadata.id}\0${a.metadata.package}`;
        const earlier = seen.get(key);
        if (earlier !== undefined) {
          problem(
            f.path,
            `duplicate advisory ${a.metadata.id} for ${a.metadata.package} (also in ${earlier})`,
          );
          continue;
        }
        seen.set(key, f.path);
        out.push(a);
      }
    } catch (e) {
      if (e instanceof AdvisoryFormatError) problem(f.path, e.message);
      else throw e;
    }
  }
  return out;
}

function newestTime(times: readonly (Date | null)[]): string | null {
  let best = -Infinity;
  for (const t of times) if (t !== null && t.getTime() > best) best = t.getTime();
  return Number.isFinite(best) ? new Date(best).toISOString() : null;
}

// ---- directories and git checkouts --------------------------------------------------------

/** Reads a file no larger than `limit`; null (and a problem) when it is larger. */
function readBounded(file: string, limit: number): Buffer | null {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size > limit) return null;
    const buf = Buffer.allocUnsafe(size);
    let off = 0;
    while (off < size) {
      const n = fs.readSync(fd, buf, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
    return off === size ? buf : buf.subarray(0, off);
  } finally {
    fs.closeSync(fd);
  }
}

function walkDirectory(root: string, label: string, problems: AdvisoryProblem[]): TreeFile[] {
  const files: TreeFile[] = [];
  let count = 0;
  const visit = (dir: string, rel: string, depth: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      problems.push({
        database: label,
        file: rel || '.',
        message: `cannot read directory: ${(e as Error).message}`,
      });
      return;
    }
    for (const ent of entries) {
      if (ent.name.startsWith('.')) continue;
      const childRel = rel ? `${rel}/${ent.name}` : ent.name;
      // Symbolic links are not followed: a database is a plain tree.
      if (ent.isDirectory()) {
        if (depth < MAX_DIRECTORY_DEPTH) visit(path.join(dir, ent.name), childRel, depth + 1);
        continue;
      }
      if (!ent.isFile()) continue;
      const kind = advisoryKind(childRel);
      if (kind === null) continue;
      if (++count > MAX_DIRECTORY_FILES) {
        throw new AdvisoryDatabaseError(`${label}: more than ${MAX_DIRECTORY_FILES} advisory files`);
      }
      const limit = kind === 'markdown' ? MAX_ADVISORY_FILE_BYTES : MAX_OSV_FILE_BYTES;
      const full = path.join(dir, ent.name);
      let data: Buffer | null;
      try {
        data = readBounded(full, limit);
      } catch (e) {
        problems.push({
          database: label,
          file: childRel,
          message: `cannot read file: ${(e as Error).message}`,
        });
        continue;
      }
      if (data === null) {
        problems.push({ database: label, file: childRel, message: `file is too large (max ${limit} bytes)` });
        continue;
      }
      files.push({ path: childRel, data });
    }
  };
  visit(root, '', 0);
  return files;
}

function runGit(dir: string): Promise<{ commit: string; time: string } | null> {
  return new Promise((resolve) => {
    execFile(
      'git',
      ['-C', dir, 'log', '-1', '--format=%H%x00%cI'],
      { timeout: 5000, maxBuffer: 64 * 1024, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } },
      (err, stdout) => {
        if (err) return resolve(null);
        const [commit, time] = stdout.trim().split('\0');
        const ms = time ? Date.parse(time) : NaN;
        resolve(
          commit && /^[0-9a-f]{40,64}$/.test(commit) && Number.isFinite(ms)
            ? { commit, time: new Date(ms).toISOString() }
            : null,
        );
      },
    );
  });
}

/** HEAD's commit read from `.git` directly, for when `git` is missing or refuses the checkout. */
function readGitHead(dir: string): string | null {
  try {
    let gitDir = path.join(dir, '.git');
    if (fs.statSync(gitDir).isFile()) {
      const m = /^gitdir: (.+)$/m.exec(fs.readFileSync(gitDir, 'utf8'));
      if (!m) return null;
      gitDir = path.resolve(dir, (m[1] as string).trim());
    }
    const head = fs.readFileSync(path.join(gitDir, 'HEAD'), 'utf8').trim();
    if (/^[0-9a-f]{40,64}$/.test(head)) return head;
    const ref = /^ref: (refs\/[^\s]+)$/.exec(head)?.[1];
    if (!ref || ref.includes('..')) return null;
    // A worktree's branch refs live in the common directory.
    const common = fs.existsSync(path.join(gitDir, 'commondir'))
      ? path.resolve(gitDir, fs.readFileSync(path.join(gitDir, 'commondir'), 'utf8').trim())
      : gitDir;
    for (const base of [gitDir, common]) {
      const refFile = path.join(base, ref);
      if (fs.existsSync(refFile)) return fs.readFileSync(refFile, 'utf8').trim();
    }
    const packed = fs.readFileSync(path.join(common, 'packed-refs'), 'utf8');
    for (const line of packed.split('\n')) {
      const [hash, name] = line.split(' ');
      if (name === ref && hash && /^[0-9a-f]{40,64}$/.test(hash)) return hash;
    }
  } catch {
    // Not a readable checkout: no commit to report.
  }
  return null;
}

async function loadDirectory(dir: string, label: string): Promise<SourceResult> {
  const problems: AdvisoryProblem[] = [];
  const files = walkDirectory(dir, label, problems);
  let lastCommit: string | null = null;
  let lastUpdated: string | null = null;
  if (fs.existsSync(path.join(dir, '.git'))) {
    const git = await runGit(dir);
    lastCommit = git?.commit ?? readGitHead(dir);
    lastUpdated = git?.time ?? null;
  }
  if (lastUpdated === null) {
    const times: Date[] = [];
    for (const f of files) {
      try {
        times.push(fs.statSync(path.join(dir, ...f.path.split('/'))).mtime);
      } catch {
        // Removed meanwhile; its time does not matter.
      }
    }
    lastUpdated = newestTime(times);
  }
  const advisories = readTree(label, files, problems);
  return { info: { label, advisoryCount: advisories.length, lastCommit, lastUpdated }, advisories, problems };
}

// ---- archives and single files ---------------------------------------------------------------

async function loadBytes(buf: Buffer, label: string, fileName: string): Promise<SourceResult> {
  const problems: AdvisoryProblem[] = [];
  const wrap = (e: unknown): never => {
    if (e instanceof TarArchiveError || e instanceof ZipArchiveError) {
      throw new AdvisoryDatabaseError(`${label}: ${e.message}`);
    }
    throw e;
  };
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    const tree = await readTarGzTree(buf, (p) => advisoryKind(p) !== null).catch(wrap);
    for (const p of tree.problems) problems.push({ database: label, file: p.path, message: p.message });
    const advisories = readTree(label, tree.files, problems);
    return {
      info: {
        label,
        advisoryCount: advisories.length,
        lastCommit: tree.commit,
        lastUpdated: newestTime(tree.files.map((f) => f.mtime)),
      },
      advisories,
      problems,
    };
  }
  if (buf.length >= 4 && buf.readUInt32LE(0) === 0x04034b50) {
    let zip: ReturnType<typeof readZip>;
    try {
      // Every id-named .json is taken, so that an unsafe name is reported rather than ignored.
      zip = readZip(buf, (name) => OSV_FILE.test(name.slice(name.lastIndexOf('/') + 1)));
    } catch (e) {
      return wrap(e);
    }
    for (const p of zip.problems) problems.push({ database: label, file: p.name, message: p.message });
    const files: TreeFile[] = [];
    for (const e of zip.entries) {
      const rel = safeRelativePath(e.name);
      if (rel === null) {
        problems.push({
          database: label,
          file: e.name,
          message: 'unsafe path in archive (absolute, `..` or malformed); skipped',
        });
      } else {
        files.push({ path: rel, data: e.data });
      }
    }
    const advisories = readTree(label, files, problems);
    return {
      info: { label, advisoryCount: advisories.length, lastCommit: null, lastUpdated: null },
      advisories,
      problems,
    };
  }
  // A single advisory file: OSV JSON, or Markdown (collection from its directory, if any).
  const base = path.basename(fileName);
  let rel: string;
  let inLayout = true;
  if (base.endsWith('.md')) {
    // In a crates/<name>/ or rust/<name>/ directory, the location is checked as in a tree.
    const parts = fileName.split(/[\\/]/).filter(Boolean).slice(-3);
    inLayout = parts.length === 3 && (parts[0] === 'crates' || parts[0] === 'rust');
    rel = inLayout ? parts.join('/') : `crates/_/${base}`;
  } else if (buf.subarray(0, 64).toString('utf8').trimStart().startsWith('{')) {
    rel = OSV_FILE.test(base) ? base : 'OSV-file.json';
  } else {
    throw new AdvisoryDatabaseError(
      `${label}: not a directory, .tar.gz, .zip, OSV .json or advisory .md file`,
    );
  }
  const advisories = readTree(label, [{ path: rel, data: buf }], problems, inLayout);
  return {
    info: { label, advisoryCount: advisories.length, lastCommit: null, lastUpdated: null },
    advisories,
    problems,
  };
}

async function download(url: string, opts: LoadOptions): Promise<Buffer> {
  const max = opts.maxDownloadBytes ?? DEFAULT_MAX_DOWNLOAD;
  let res: Response;
  try {
    res = await fetch(url, {
      redirect: 'follow',
      signal: AbortSignal.timeout(opts.fetchTimeoutMs ?? 60_000),
    });
  } catch (e) {
    throw new AdvisoryDatabaseError(`${url}: download failed: ${(e as Error).message}`);
  }
  if (!res.ok) throw new AdvisoryDatabaseError(`${url}: download failed: HTTP ${res.status}`);
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > max) throw new AdvisoryDatabaseError(`${url}: too large (${declared} bytes, max ${max})`);
  const chunks: Buffer[] = [];
  let size = 0;
  if (res.body) {
    const reader = res.body.getReader();
    while (true) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (e) {
        throw new AdvisoryDatabaseError(`${url}: download failed: ${(e as Error).message}`);
      }
      if (chunk.done) break;
      const value = chunk.value;
      size += value.length;
      if (size > max) {
        await reader.cancel().catch(() => undefined);
        throw new AdvisoryDatabaseError(`${url}: too large (more than ${max} bytes)`);
      }
      chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    }
  }
  return Buffer.concat(chunks);
}

async function loadSource(source: string, opts: LoadOptions): Promise<SourceResult> {
  if (/^https?:\/\//i.test(source)) {
    const buf = await download(source, opts);
    return loadBytes(buf, source, new URL(source).pathname);
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(source);
  } catch (e) {
    throw new AdvisoryDatabaseError(
      `${source}: cannot read advisory database: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  if (stat.isDirectory()) return loadDirectory(source, source);
  const max = opts.maxDownloadBytes ?? DEFAULT_MAX_DOWNLOAD;
  if (stat.size > max)
    throw new AdvisoryDatabaseError(`${source}: too large (${stat.size} bytes, max ${max})`);
  const buf = await fs.promises.readFile(source);
  return loadBytes(buf, source, source);
}

// ---- the merged index -------------------------------------------------------------------------

function mapFor<K, V>(outer: Map<string, Map<K, V>>, key: string): Map<K, V> {
  let m = outer.get(key);
  if (m === undefined) {
    m = new Map();
    outer.set(key, m);
  }
  return m;
}

/** Within one source, RUSTSEC advisories first, so osv.dev's GHSA copies are the ones dropped. */
function rustsecFirst(a: Advisory, b: Advisory): number {
  return Number(!a.metadata.id.startsWith('RUSTSEC-')) - Number(!b.metadata.id.startsWith('RUSTSEC-'));
}

class MergedIndex implements AdvisoryIndex {
  readonly advisories: Advisory[] = [];
  readonly problems: AdvisoryProblem[] = [];
  readonly databases: AdvisoryDatabaseInfo[] = [];
  readonly duplicates: AdvisoryDuplicate[] = [];
  private readonly byId = new Map<string, Advisory>();
  private readonly byPackage = new Map<string, Advisory[]>();
  /** Per collection:package, the ids and the aliases of the advisories kept. */
  private readonly keptIds = new Map<string, Map<string, Advisory>>();
  private readonly keptAliases = new Map<string, Map<string, Advisory>>();

  add(a: Advisory): void {
    const pkg = `${a.metadata.collection}:${a.metadata.package}`;
    const ids = mapFor(this.keptIds, pkg);
    const aliases = mapFor(this.keptAliases, pkg);
    // The same advisory again, or a copy that names a kept one by alias (GHSA <-> RUSTSEC).
    let kept = ids.get(a.metadata.id) ?? aliases.get(a.metadata.id);
    for (const alias of a.metadata.aliases) kept ??= ids.get(alias);
    if (kept !== undefined) {
      this.duplicates.push({
        id: a.metadata.id,
        package: a.metadata.package,
        kept: kept.origin,
        dropped: a.origin,
      });
      return;
    }
    ids.set(a.metadata.id, a);
    for (const alias of a.metadata.aliases) if (!aliases.has(alias)) aliases.set(alias, a);
    this.advisories.push(a);
    if (!this.byId.has(a.metadata.id)) this.byId.set(a.metadata.id, a);
    const list = this.byPackage.get(a.metadata.package);
    if (list === undefined) this.byPackage.set(a.metadata.package, [a]);
    else list.push(a);
  }

  get(id: string): Advisory | undefined {
    return this.byId.get(id);
  }

  forPackage(name: string): readonly Advisory[] {
    return this.byPackage.get(name) ?? [];
  }
}

/**
 * Loads and merges the advisory databases in order (the first source wins on duplicates).
 * Throws AdvisoryDatabaseError when a source cannot be read at all.
 */
export async function loadAdvisoryDatabases(
  sources: readonly string[],
  opts: LoadOptions = {},
): Promise<AdvisoryIndex> {
  const index = new MergedIndex();
  let done = 0;
  for (const source of sources) {
    const r = await loadSource(source, opts);
    index.databases.push(r.info);
    index.problems.push(...r.problems);
    for (const a of [...r.advisories].sort(rustsecFirst)) index.add(a);
    done++;
    opts.onProgress?.({
      label: source,
      done,
      total: sources.length,
      advisories: r.advisories.length,
      problems: r.problems.length,
    });
  }
  return index;
}
