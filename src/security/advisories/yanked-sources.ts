// Where the audit learns which locked versions are yanked, and which are gone from the index
// altogether (a deleted crate — often removed malware — or a version the index never had):
// a sparse registry over HTTP (crates.io's `https://index.crates.io/`, this registry's
// `/index/`, any other), or an index snapshot (directory or `.tar.gz`). Only packages whose
// lockfile source is that registry's are looked up, as cargo-audit does for crates.io.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { indexPath } from '../../domain/index-path.js';
import { parseIndexFile, readCratesIndex } from '../../formats/crates-index.js';
import { tryParseVersion, compareVersions } from '../../domain/semver.js';
import type { LockedPackage } from '../../domain/lockfile.js';
import { canonicalRegistrySource } from './audit-matching.js';

/** What the index says about one crate: each version's yanked flag; null when the crate is absent. */
export type CrateVersions = Map<string, boolean> | null;

export interface YankedSource {
  /** How to name it in messages. */
  label: string;
  /** Registries (normalized, see canonicalRegistrySource) whose packages this index answers for. */
  sources: ReadonlySet<string | null>;
  /** The crates' versions; a crate that could not be looked up is reported in `errors`. */
  lookup(names: readonly string[]): Promise<{ crates: Map<string, CrateVersions>; errors: string[] }>;
}

export interface YankedCheck {
  /** Package indices of yanked versions. */
  yanked: number[];
  missing: { index: number; what: 'crate' | 'version' }[];
  errors: string[];
  checked: number;
}

const CRATES_IO = 'registry+https://github.com/rust-lang/crates.io-index';

/** Checks the packages of `source`'s registry in `packages` (indices into that list). */
export async function checkYanked(
  packages: readonly LockedPackage[],
  source: YankedSource,
): Promise<YankedCheck> {
  const mine: number[] = [];
  packages.forEach((p, i) => {
    if (p.source === null) return;
    const registry = canonicalRegistrySource(p.source);
    if (registry !== null && source.sources.has(registry)) mine.push(i);
  });
  const names = [...new Set(mine.map((i) => packages[i]!.name))];
  const { crates, errors } = await source.lookup(names);
  const out: YankedCheck = { yanked: [], missing: [], errors, checked: 0 };
  for (const i of mine) {
    const p = packages[i]!;
    if (!crates.has(p.name)) continue; // lookup failed; already in errors
    out.checked++;
    const versions = crates.get(p.name) ?? null;
    if (versions === null) {
      out.missing.push({ index: i, what: 'crate' });
      continue;
    }
    let yanked = versions.get(p.version);
    if (yanked === undefined) {
      // The lockfile and the index may spell build metadata differently; precedence decides.
      const want = tryParseVersion(p.version);
      for (const [v, y] of versions) {
        const got = tryParseVersion(v);
        if (want && got && compareVersions(want, got) === 0) yanked = y;
      }
    }
    if (yanked === undefined) out.missing.push({ index: i, what: 'version' });
    else if (yanked) out.yanked.push(i);
  }
  return out;
}

function versionsOf(text: string): Map<string, boolean> {
  const out = new Map<string, boolean>();
  // Malformed lines are skipped: one bad line must not hide the others' yanked flags.
  for (const line of parseIndexFile('index', text, () => {})) out.set(line.vers, line.yanked);
  return out;
}

export interface SparseRegistryOptions {
  /** `Authorization` header value for registries that require it. */
  token?: string;
  concurrency?: number;
  /** Largest index file accepted (bytes). */
  maxFileBytes?: number;
  timeoutMs?: number;
  /** Extra lockfile sources this index answers for. */
  extraSources?: string[];
}

export interface SparseRegistryInfo {
  /** The index root, ending in `/`. */
  indexUrl: string;
  /** `config.json`'s `api`, when given. */
  api: string | null;
}

async function fetchLimited(
  url: string,
  opts: SparseRegistryOptions,
): Promise<{ status: number; text: string | null }> {
  const maxBytes = opts.maxFileBytes ?? 16 * 1024 * 1024;
  const res = await fetch(url, {
    headers: {
      'user-agent': 'cratekeeper-audit',
      ...(opts.token ? { authorization: opts.token } : {}),
    },
    redirect: 'follow',
    signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
  });
  if (res.status !== 200) {
    await res.body?.cancel();
    return { status: res.status, text: null };
  }
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel();
    throw new Error(`${url}: index file larger than ${maxBytes} bytes`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (res.body) {
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      if (size > maxBytes) throw new Error(`${url}: index file larger than ${maxBytes} bytes`);
      chunks.push(chunk);
    }
  }
  return { status: 200, text: Buffer.concat(chunks).toString('utf8') };
}

/** Reads `config.json` of a sparse index; `url` may carry the `sparse+` prefix. */
export async function openSparseRegistry(
  url: string,
  opts: SparseRegistryOptions = {},
): Promise<{ source: YankedSource; info: SparseRegistryInfo }> {
  let base = url.startsWith('sparse+') ? url.slice('sparse+'.length) : url;
  if (!/^https?:\/\//.test(base))
    throw new Error(`--registry must be an http(s) URL of a sparse index, got ${url}`);
  if (!base.endsWith('/')) base += '/';
  let config = await fetchLimited(`${base}config.json`, { ...opts, maxFileBytes: 1024 * 1024 });
  if (config.status === 404 && !base.endsWith('/index/')) {
    // A cratekeeper server's own URL: its sparse index lives under /index/.
    const alt = `${new URL(base).origin}/index/`;
    const tried = await fetchLimited(`${alt}config.json`, { ...opts, maxFileBytes: 1024 * 1024 });
    if (tried.status === 200) {
      base = alt;
      config = tried;
    }
  }
  if (config.status === 401)
    throw new Error(`${base}config.json: the registry requires a token (set CRATEKEEPER_REGISTRY_TOKEN)`);
  if (config.status !== 200 || config.text === null)
    throw new Error(`${base}config.json: HTTP ${config.status}; is ${base} a sparse index?`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(config.text);
  } catch {
    throw new Error(`${base}config.json is not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { dl?: unknown }).dl !== 'string')
    throw new Error(`${base}config.json has no \`dl\` field; is ${base} a sparse index?`);
  const api = (parsed as { api?: unknown }).api;
  const sources = new Set<string | null>([canonicalRegistrySource(`sparse+${base}`)]);
  for (const s of opts.extraSources ?? []) sources.add(canonicalRegistrySource(s));
  const concurrency = Math.max(1, opts.concurrency ?? 8);
  const source: YankedSource = {
    label: base,
    sources,
    async lookup(names) {
      const crates = new Map<string, CrateVersions>();
      const errors: string[] = [];
      let next = 0;
      const worker = async () => {
        while (next < names.length) {
          const name = names[next++]!;
          const fileUrl = base + indexPath(name);
          try {
            const res = await fetchLimited(fileUrl, opts);
            if (res.status === 404 || res.status === 410) crates.set(name, null);
            else if (res.status !== 200 || res.text === null) errors.push(`${fileUrl}: HTTP ${res.status}`);
            else crates.set(name, versionsOf(res.text));
          } catch (e) {
            errors.push(`${fileUrl}: ${(e as Error).message}`);
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, names.length) }, worker));
      return { crates, errors };
    },
  };
  return { source, info: { indexUrl: base, api: typeof api === 'string' ? api : null } };
}

/**
 * An index snapshot (a directory in the index layout, or a `.tar.gz` of one), answering for
 * crates.io packages unless `sources` says otherwise.
 */
export function snapshotIndex(path: string, sources: readonly string[] = [CRATES_IO]): YankedSource {
  return {
    label: path,
    sources: new Set(sources.map(canonicalRegistrySource)),
    async lookup(names) {
      const crates = new Map<string, CrateVersions>();
      const st = await stat(path);
      if (st.isDirectory()) {
        for (const name of names) {
          try {
            crates.set(name, versionsOf(await readFile(join(path, indexPath(name)), 'utf8')));
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code === 'ENOENT') crates.set(name, null);
            else throw e;
          }
        }
        return { crates, errors: [] };
      }
      const wanted = new Map(names.map((n) => [n.toLowerCase(), n]));
      await readCratesIndex(
        path,
        (name, lines) => {
          const asked = wanted.get(name.toLowerCase());
          if (asked === undefined) return;
          crates.set(asked, new Map(lines.map((l) => [l.vers, l.yanked])));
        },
        { skipMalformed: true },
      );
      for (const n of names) if (!crates.has(n)) crates.set(n, null);
      return { crates, errors: [] };
    },
  };
}
