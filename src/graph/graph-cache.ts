// The on-disk form of an EcosystemGraph: one binary file holding the typed arrays verbatim
// (8-byte aligned, so loading is a read and a few views) and the string tables as JSON.
//
//   "CKGRAPH\0" | u32 format version | u32 header length | header JSON | padding | sections…
//
// The header names every section with its type, byte offset and element count, plus the
// stats and the cache key it was built for. A file that fails any check is treated as absent.
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { EcosystemGraph, GRAPH_DATA_KEYS } from './ecosystem-graph.js';
import type { GraphData, GraphStats } from './ecosystem-graph.js';

export const GRAPH_CACHE_FORMAT = 1;
const MAGIC = Buffer.from('CKGRAPH\0', 'latin1');

type ArrayType = 'u8' | 'u32' | 'i32' | 'f64';
type Section = { key: string; type: ArrayType | 'json'; offset: number; length: number };
interface Header {
  key: string;
  sections: Section[];
  stats: GraphStats;
}

const CTORS = { u8: Uint8Array, u32: Uint32Array, i32: Int32Array, f64: Float64Array } as const;

function typeOf(value: unknown): ArrayType | 'json' {
  if (value instanceof Uint8Array) return 'u8';
  if (value instanceof Uint32Array) return 'u32';
  if (value instanceof Int32Array) return 'i32';
  if (value instanceof Float64Array) return 'f64';
  return 'json';
}

/** Serializes a graph; `key` identifies the source it was built from. */
export function encodeGraph(g: EcosystemGraph, key: string): Buffer {
  const data = g.data();
  const payloads: Buffer[] = [];
  const sections: Section[] = [];
  let offset = 0;
  for (const k of GRAPH_DATA_KEYS) {
    if (k === 'stats') continue;
    const value = data[k];
    const type = typeOf(value);
    const bytes =
      type === 'json'
        ? Buffer.from(JSON.stringify(value), 'utf8')
        : Buffer.from(
            (value as Uint8Array).buffer,
            (value as Uint8Array).byteOffset,
            (value as Uint8Array).byteLength,
          );
    const length = type === 'json' ? bytes.length : (value as Uint8Array).length;
    sections.push({ key: k, type, offset, length });
    payloads.push(bytes);
    const pad = (8 - (bytes.length % 8)) % 8;
    if (pad) payloads.push(Buffer.alloc(pad));
    offset += bytes.length + pad;
  }
  const header = Buffer.from(JSON.stringify({ key, sections, stats: data.stats } satisfies Header), 'utf8');
  const prefix = Buffer.alloc(16);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(GRAPH_CACHE_FORMAT, 8);
  prefix.writeUInt32LE(header.length, 12);
  const headerPad = (8 - ((16 + header.length) % 8)) % 8;
  return Buffer.concat([prefix, header, Buffer.alloc(headerPad), ...payloads]);
}

export class GraphCacheError extends Error {
  override name = 'GraphCacheError';
}

/** Parses a cache file; throws GraphCacheError when it is not a valid one for `key`. */
export function decodeGraph(buf: Buffer, key?: string): EcosystemGraph {
  const fail = (m: string): never => {
    throw new GraphCacheError(m);
  };
  if (buf.length < 16 || !buf.subarray(0, 8).equals(MAGIC)) fail('not a graph cache file');
  if (buf.readUInt32LE(8) !== GRAPH_CACHE_FORMAT) fail('cache format version differs');
  const headerLen = buf.readUInt32LE(12);
  if (16 + headerLen > buf.length) fail('truncated header');
  let header: Header;
  try {
    header = JSON.parse(buf.subarray(16, 16 + headerLen).toString('utf8')) as Header;
  } catch {
    return fail('corrupt header');
  }
  if (key !== undefined && header.key !== key) fail('cache was built from another source');
  const base = 16 + headerLen + ((8 - ((16 + headerLen) % 8)) % 8);
  const data: Record<string, unknown> = { stats: header.stats };
  // Views need an 8-aligned start; copy once when the buffer itself is not aligned.
  let aligned = buf;
  if (buf.byteOffset % 8 !== 0) {
    aligned = Buffer.from(new ArrayBuffer(buf.length));
    buf.copy(aligned);
  }
  for (const s of header.sections ?? []) {
    if (!GRAPH_DATA_KEYS.includes(s.key as (typeof GRAPH_DATA_KEYS)[number]))
      fail(`unknown section ${s.key}`);
    if (!Number.isSafeInteger(s.offset) || !Number.isSafeInteger(s.length) || s.offset < 0 || s.length < 0) {
      fail(`bad section ${s.key}`);
    }
    const start = base + s.offset;
    if (s.type === 'json') {
      if (start + s.length > aligned.length) fail(`truncated section ${s.key}`);
      try {
        data[s.key] = JSON.parse(aligned.subarray(start, start + s.length).toString('utf8'));
      } catch {
        fail(`corrupt section ${s.key}`);
      }
      continue;
    }
    const Ctor = CTORS[s.type];
    if (!Ctor) fail(`bad section type ${String(s.type)}`);
    if (start + s.length * Ctor.BYTES_PER_ELEMENT > aligned.length) fail(`truncated section ${s.key}`);
    data[s.key] = new Ctor(aligned.buffer as ArrayBuffer, aligned.byteOffset + start, s.length);
  }
  const g = data as unknown as GraphData;
  for (const k of GRAPH_DATA_KEYS) if (g[k] === undefined) fail(`missing section ${k}`);
  checkShape(g, fail);
  return new EcosystemGraph(g);
}

/** Cheap consistency checks so a damaged file cannot send a query out of bounds. */
function checkShape(g: GraphData, fail: (m: string) => never): void {
  const C = g.crateNames.length;
  const V = g.versionNum.length;
  const E = g.depFlags.length;
  const eq = (what: string, a: number, b: number) => a !== b && fail(`${what}: ${a} ≠ ${b}`);
  eq('crateVersionStart', g.crateVersionStart.length, C + 1);
  eq('crateLatest', g.crateLatest.length, C);
  eq('crateOwnerStart', g.crateOwnerStart.length, C + 1);
  for (const k of ['versionCrate', 'versionFlags', 'versionPublished'] as const) eq(k, g[k].length, V);
  eq('depStart', g.depStart.length, V + 1);
  for (const k of [
    'depCrate',
    'depName',
    'depReq',
    'depFeatures',
    'depTarget',
    'depRename',
    'depResolved',
  ] as const) {
    eq(k, g[k].length, E);
  }
  eq('revStart', g.revStart.length, V + 1);
  eq('revFlags', g.revFlags.length, g.revFrom.length);
  eq('crateVersionStart end', g.crateVersionStart[C]!, V);
  eq('depStart end', g.depStart[V]!, E);
  eq('revStart end', g.revStart[V]!, g.revFrom.length);
  const S = g.strings.length;
  for (let e = 0; e < E; e++) {
    if (g.depResolved[e]! >= V || g.depName[e]! >= S || g.depReq[e]! >= S) fail('edge out of range');
    if (g.depFeatures[e]! >= S || g.depTarget[e]! >= S || g.depRename[e]! >= S || g.depCrate[e]! >= C) {
      fail('edge out of range');
    }
  }
  for (let i = 0; i < g.revFrom.length; i++) if (g.revFrom[i]! >= V) fail('reverse edge out of range');
  for (let v = 0; v < V; v++) if (g.versionCrate[v]! >= C) fail('version crate out of range');
  for (let c = 0; c < C; c++) if (g.crateLatest[c]! >= V) fail('latest out of range');
  for (let i = 0; i < g.ownerRefs.length; i++)
    if (g.ownerRefs[i]! >= g.owners.length) fail('owner out of range');
  for (let i = 0; i < C; i++) if (g.crateVersionStart[i]! > g.crateVersionStart[i + 1]!) fail('crate ranges');
  for (let i = 0; i < V; i++) {
    if (g.depStart[i]! > g.depStart[i + 1]! || g.revStart[i]! > g.revStart[i + 1]!) fail('edge ranges');
  }
}

export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'cratekeeper', 'graph');
}

/** File name for a source fingerprint: a hash, so any path or key is a safe name. */
export function cacheFileFor(dir: string, key: string): string {
  const h = createHash('sha256').update(`${GRAPH_CACHE_FORMAT}\0${key}`).digest('hex').slice(0, 32);
  return join(dir, `${h}.ckgraph`);
}

/** Loads the cached graph for `key`, or null when there is none or it is unusable. */
export async function readGraphCache(dir: string, key: string): Promise<EcosystemGraph | null> {
  let buf: Buffer;
  try {
    buf = await readFile(cacheFileFor(dir, key));
  } catch {
    return null;
  }
  try {
    return decodeGraph(buf, key);
  } catch (e) {
    if (e instanceof GraphCacheError) return null;
    throw e;
  }
}

/** Writes atomically (temp file, then rename) so a concurrent reader never sees half a file. */
export async function writeGraphCache(dir: string, key: string, g: EcosystemGraph): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = cacheFileFor(dir, key);
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(encodeGraph(g, key));
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  return path;
}
