// Loads an ecosystem graph from an index or a db-dump, through the on-disk cache: the cache
// key is the source's absolute path, kind and a fingerprint (size and mtime of a file; HEAD of
// a bare git repository; count, total size and newest mtime of a directory's files).
import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { IndexReadProgress } from '../formats/crates-index.js';
import type { DbDumpProgress } from '../formats/db-dump.js';
import { looksLikeDbDump } from '../formats/db-dump.js';
import type { EcosystemGraph } from './ecosystem-graph.js';
import type { BuildProgress } from './graph-builder.js';
import { cacheFileFor, defaultCacheDir, readGraphCache, writeGraphCache } from './graph-cache.js';
import { importDbDump } from './import-db-dump.js';
import { importIndex } from './import-index.js';

/** `registry` is this registry's own database (read by the CLI, never cached). */
export type GraphSourceKind = 'index' | 'db-dump' | 'registry';

export type LoadProgress =
  | { stage: 'read-index'; progress: IndexReadProgress }
  | { stage: 'read-db-dump'; progress: DbDumpProgress }
  | { stage: 'build'; progress: BuildProgress }
  | { stage: 'cache'; message: string };

export interface LoadGraphOptions {
  /** Source format; detected when absent. */
  kind?: GraphSourceKind;
  /** Cache directory; null disables the cache. Default ~/.cache/cratekeeper/graph. */
  cacheDir?: string | null;
  /** Rebuild even when a cached graph exists (and refresh the cache). */
  refresh?: boolean;
  /** Index only: skip malformed lines instead of failing. */
  skipMalformed?: boolean;
  onProgress?: (p: LoadProgress) => void;
}

export interface LoadedGraph {
  graph: EcosystemGraph;
  kind: GraphSourceKind;
  fromCache: boolean;
  cachePath: string | null;
  ms: number;
}

const execFileP = promisify(execFile);

export async function detectSourceKind(source: string): Promise<GraphSourceKind> {
  return (await looksLikeDbDump(source)) ? 'db-dump' : 'index';
}

/** A string that changes whenever the source's content may have changed. */
export async function sourceFingerprint(source: string): Promise<string> {
  const st = await stat(source);
  if (st.isFile()) return `file:${st.size}:${st.mtimeMs}`;
  try {
    const head = await stat(join(source, 'HEAD'));
    const objects = await stat(join(source, 'objects'));
    if (head.isFile() && objects.isDirectory()) {
      const { stdout } = await execFileP('git', ['--git-dir', source, 'rev-parse', 'HEAD']);
      return `git:${stdout.trim()}`;
    }
  } catch {
    // not a bare repository
  }
  let files = 0;
  let bytes = 0;
  let newest = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (e.name === '.git') continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        const s = await stat(p);
        files++;
        bytes += s.size;
        newest = Math.max(newest, s.mtimeMs);
      }
    }
  };
  await walk(source);
  return `dir:${files}:${bytes}:${newest}`;
}

export async function loadGraph(source: string, opts: LoadGraphOptions = {}): Promise<LoadedGraph> {
  const t0 = performance.now();
  const abs = resolve(source);
  const kind = opts.kind ?? (await detectSourceKind(abs));
  const cacheDir = opts.cacheDir === undefined ? defaultCacheDir() : opts.cacheDir;
  const key = cacheDir === null ? null : `${kind}\0${abs}\0${await sourceFingerprint(abs)}`;
  const progress = opts.onProgress;

  if (cacheDir !== null && key !== null && !opts.refresh) {
    const cached = await readGraphCache(cacheDir, key);
    if (cached) {
      return {
        graph: cached,
        kind,
        fromCache: true,
        cachePath: cacheFileFor(cacheDir, key),
        ms: performance.now() - t0,
      };
    }
  }

  let builder;
  if (kind === 'index') {
    ({ builder } = await importIndex(abs, {
      ...(opts.skipMalformed ? { skipMalformed: true } : {}),
      ...(progress
        ? { onProgress: (p: IndexReadProgress) => progress({ stage: 'read-index', progress: p }) }
        : {}),
    }));
  } else {
    ({ builder } = await importDbDump(
      abs,
      progress ? { onProgress: (p) => progress({ stage: 'read-db-dump', progress: p }) } : {},
    ));
  }
  const graph = builder.build(
    progress ? { onProgress: (p) => progress({ stage: 'build', progress: p }) } : {},
  );
  let cachePath: string | null = null;
  if (cacheDir !== null && key !== null) {
    try {
      cachePath = await writeGraphCache(cacheDir, key, graph);
    } catch (e) {
      // An unwritable cache slows the next run down; it must not fail this one.
      progress?.({ stage: 'cache', message: `could not write the graph cache: ${(e as Error).message}` });
    }
  }
  return { graph, kind, fromCache: false, cachePath, ms: performance.now() - t0 };
}
