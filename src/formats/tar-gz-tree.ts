// A bounded reader for a directory tree shipped as .tar.gz (a GitHub archive of
// advisory-db, `git archive`, `tar czf`): regular files only, unsafe names refused, sizes and
// counts limited, and a single top-level directory (`advisory-db-<sha>/`) stripped.
import zlib from 'node:zlib';

export class TarArchiveError extends Error {
  override name = 'TarArchiveError';
}

export interface TarLimits {
  /** Compressed input. */
  maxArchiveBytes: number;
  /** The whole tar stream after gunzip. */
  maxUncompressedBytes: number;
  /** Headers of every kind (files, directories, links). */
  maxEntries: number;
  /** One file that is kept. */
  maxEntryBytes: number;
}

export const DEFAULT_TAR_LIMITS: TarLimits = {
  maxArchiveBytes: 256 * 1024 * 1024,
  maxUncompressedBytes: 1024 * 1024 * 1024,
  maxEntries: 200_000,
  maxEntryBytes: 4 * 1024 * 1024,
};

export interface TreeFile {
  /** `/`-separated, relative to the tree's root (prefix stripped). */
  path: string;
  data: Buffer;
  mtime: Date | null;
}

export interface TreeProblem {
  path: string;
  message: string;
}

export interface TarTree {
  files: TreeFile[];
  problems: TreeProblem[];
  /** The commit a GitHub / `git archive` tarball names in its pax global header. */
  commit: string | null;
}

/** A relative path without `..`, empty or `.` segments, backslashes or NUL; else null. */
export function safeRelativePath(name: string): string | null {
  let p = name;
  while (p.startsWith('./')) p = p.slice(2);
  if (p.endsWith('/')) p = p.slice(0, -1);
  if (p.length === 0 || p.startsWith('/') || /[\\\0]/.test(p) || /^[A-Za-z]:/.test(p)) return null;
  for (const seg of p.split('/')) if (seg === '' || seg === '.' || seg === '..') return null;
  return p;
}

function gunzip(buf: Buffer, limits: TarLimits): Buffer {
  if (buf.length > limits.maxArchiveBytes) {
    throw new TarArchiveError(`archive is too large (${buf.length} bytes, max ${limits.maxArchiveBytes})`);
  }
  if (buf.length < 2 || buf[0] !== 0x1f || buf[1] !== 0x8b) throw new TarArchiveError('not a gzip file');
  try {
    return zlib.gunzipSync(buf, { maxOutputLength: limits.maxUncompressedBytes });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_BUFFER_TOO_LARGE') {
      throw new TarArchiveError(`archive expands to more than ${limits.maxUncompressedBytes} bytes`);
    }
    throw new TarArchiveError(`bad gzip data: ${err.message}`);
  }
}

function octal(block: Buffer, off: number, len: number, what: string): number {
  // GNU base-256 for sizes over 8 GiB: far beyond any limit here.
  if ((block[off] as number) & 0x80) throw new TarArchiveError(`${what} in base-256 is not supported`);
  let i = off;
  const end = off + len;
  while (i < end && block[i] === 0x20) i++;
  let value = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = block[i] as number;
    if (c === 0 || c === 0x20) break;
    if (c < 0x30 || c > 0x37) throw new TarArchiveError(`bad tar header: ${what} is not octal`);
    value = value * 8 + (c - 0x30);
    digits++;
  }
  // Only NULs and spaces may follow the digits.
  for (; i < end; i++) {
    const c = block[i] as number;
    if (c !== 0 && c !== 0x20) throw new TarArchiveError(`bad tar header: ${what} is not octal`);
  }
  return digits === 0 ? 0 : value;
}

function cString(block: Buffer, off: number, len: number): string {
  const end = block.indexOf(0, off);
  return block.toString('utf8', off, end < 0 || end > off + len ? off + len : end);
}

/** `LEN key=value\n` records of a pax header. */
function paxRecords(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    if (space < 0) break;
    const len = Number(data.toString('latin1', i, space));
    if (!Number.isInteger(len) || len <= 0 || i + len > data.length)
      throw new TarArchiveError('bad pax header record');
    const rec = data.toString('utf8', space + 1, i + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out.set(rec.slice(0, eq), rec.slice(eq + 1));
    i += len;
  }
  return out;
}

/** The header's checksum as computed (the checksum field counted as spaces); 0 for a zero block. */
function headerSum(block: Buffer): number {
  let raw = 0;
  let field = 0;
  for (let i = 0; i < 512; i++) raw += block[i] as number;
  for (let i = 148; i < 156; i++) field += block[i] as number;
  return raw === 0 ? 0 : raw - field + 8 * 32;
}

/**
 * Reads the regular files whose (prefix-stripped) path `want` takes. Unsafe names, links
 * and oversized files among them are problems; a corrupt archive, or one over the limits,
 * is a TarArchiveError. (A synchronous walk over the gunzipped bytes: tar-stream's
 * per-entry streams cost 0.1 ms each, most of the load time of advisory-db's 2,000 entries.)
 */
export async function readTarGzTree(
  buf: Buffer,
  want: (path: string) => boolean,
  limits: TarLimits = DEFAULT_TAR_LIMITS,
): Promise<TarTree> {
  const tarBytes = gunzip(buf, limits);
  let commit: string | null = null;
  // The prefix is known only once every name is seen: keep candidates by their full name.
  const kept: { name: string; data: Buffer; mtime: Date | null }[] = [];
  const oversized: { name: string; size: number }[] = [];
  const problems: TreeProblem[] = [];
  const names: string[] = [];
  let count = 0;
  let pax: Map<string, string> | null = null;
  let longName: string | null = null;
  let pos = 0;
  let ended = false;
  while (pos + 512 <= tarBytes.length) {
    const block = tarBytes.subarray(pos, pos + 512);
    const sum = headerSum(block);
    if (sum === 0) {
      ended = true;
      break;
    }
    if (sum !== octal(block, 148, 8, 'checksum'))
      throw new TarArchiveError(`bad tar header checksum at offset ${pos}`);
    if (++count > limits.maxEntries) throw new TarArchiveError(`too many entries (max ${limits.maxEntries})`);
    const type = String.fromCharCode(block[156] as number);
    let size = octal(block, 124, 12, 'size');
    if (pax?.has('size')) size = Number(pax.get('size'));
    if (!Number.isSafeInteger(size) || size < 0) throw new TarArchiveError('bad tar header: size');
    const dataStart = pos + 512;
    const dataEnd = dataStart + size;
    if (dataEnd > tarBytes.length) throw new TarArchiveError('truncated tar archive');
    pos = dataStart + Math.ceil(size / 512) * 512;

    if (type === 'g' || type === 'x' || type === 'L') {
      if (size > 1024 * 1024) throw new TarArchiveError('tar extended header is too large');
      const data = tarBytes.subarray(dataStart, dataEnd);
      if (type === 'L') longName = cString(data, 0, data.length);
      else if (type === 'x') pax = paxRecords(data);
      else commit = /^[0-9a-f]{40}$/.exec(paxRecords(data).get('comment') ?? '')?.[0] ?? commit;
      continue;
    }
    let rawName = pax?.get('path') ?? longName;
    if (rawName === undefined || rawName === null) {
      const name = cString(block, 0, 100);
      const ustar = block.toString('latin1', 257, 262) === 'ustar';
      const prefix = ustar ? cString(block, 345, 155) : '';
      rawName = prefix ? `${prefix}/${name}` : name;
    }
    const mtimeText = pax?.get('mtime');
    const mtime = new Date(
      (mtimeText !== undefined ? Number(mtimeText) : octal(block, 136, 12, 'mtime')) * 1000,
    );
    pax = null;
    longName = null;

    const name = safeRelativePath(rawName);
    if (name === null) {
      problems.push({
        path: rawName,
        message: 'unsafe path in archive (absolute, `..` or malformed); skipped',
      });
      continue;
    }
    names.push(name);
    if (type === '1' || type === '2') {
      const slash = name.indexOf('/');
      if (want(name) || (slash >= 0 && want(name.slice(slash + 1)))) {
        problems.push({
          path: name,
          message: `${type === '2' ? 'symlink' : 'hard link'} in archive is not followed; skipped`,
        });
      }
      continue;
    }
    if (type !== '0' && type !== '\0' && type !== '7') continue;
    const slash = name.indexOf('/');
    if (!want(name) && !(slash >= 0 && want(name.slice(slash + 1)))) continue;
    if (size > limits.maxEntryBytes) {
      oversized.push({ name, size });
      continue;
    }
    kept.push({
      name,
      data: tarBytes.subarray(dataStart, dataEnd),
      mtime: Number.isNaN(mtime.getTime()) ? null : mtime,
    });
  }
  if (!ended) throw new TarArchiveError('truncated tar archive (no end-of-archive marker)');

  const prefix = commonTopDirectory(names);
  const strip = (name: string): string | null => {
    if (prefix === null) return name;
    return name.startsWith(`${prefix}/`) ? name.slice(prefix.length + 1) : null;
  };
  const files: TreeFile[] = [];
  for (const k of kept) {
    const path = strip(k.name);
    if (path !== null && want(path)) files.push({ path, data: k.data, mtime: k.mtime });
  }
  for (const o of oversized) {
    const path = strip(o.name);
    if (path !== null && want(path)) {
      problems.push({
        path,
        message: `file is too large (${o.size} bytes, max ${limits.maxEntryBytes}); skipped`,
      });
    }
  }
  return Promise.resolve({ files, problems, commit });
}

/** The one directory every entry lies under, as GitHub archives have; null when there is none. */
function commonTopDirectory(names: readonly string[]): string | null {
  let top: string | null = null;
  let nested = false;
  for (const n of names) {
    const slash = n.indexOf('/');
    const first = slash < 0 ? n : n.slice(0, slash);
    if (top === null) top = first;
    else if (top !== first) return null;
    if (slash >= 0) nested = true;
  }
  // A tree whose root already holds `crates/` or `rust/` keeps its names.
  if (top === null || !nested || top === 'crates' || top === 'rust') return null;
  return top;
}
