// On-disk cache of per-crate-version invocation results, so that `audit --reachability` re-runs
// on a lockfile without parsing its dependencies again. Keyed by name, version and the source's
// checksum (a changed source is a different key), one JSON file per entry, bounded by count: the
// least recently used entries go first.
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CrateInvocations } from './invocations.js';

/** Bumped when the analysis or the entry's shape changes: old entries are then never read. */
const FORMAT = 2;

export interface CachedAnalysis {
  name: string;
  version: string;
  invocations: Record<string, CrateInvocations>;
}

export function defaultAnalysisCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'cratekeeper', 'analysis');
}

const SAFE = /^[A-Za-z0-9_.+-]{1,128}$/;

export class AnalysisCache {
  constructor(
    readonly dir: string,
    private readonly maxEntries = 5000,
  ) {}

  private file(name: string, version: string, checksum: string): string | null {
    if (!SAFE.test(name) || !SAFE.test(version)) return null;
    const key = createHash('sha256').update(`${FORMAT}\0${name}\0${version}\0${checksum}`).digest('hex');
    return join(this.dir, `${name}-${version}-${key.slice(0, 24)}.json`);
  }

  get(name: string, version: string, checksum: string): CachedAnalysis | null {
    const f = this.file(name, version, checksum);
    if (f === null) return null;
    try {
      const v = JSON.parse(readFileSync(f, 'utf8')) as Partial<CachedAnalysis> & { format?: number };
      if (
        v.format !== FORMAT ||
        v.name !== name ||
        v.version !== version ||
        typeof v.invocations !== 'object'
      )
        return null;
      const now = new Date();
      utimesSync(f, now, now); // recently used
      return { name, version, invocations: v.invocations! };
    } catch {
      return null; // absent or damaged: analysed again and rewritten
    }
  }

  put(entry: CachedAnalysis, checksum: string): void {
    const f = this.file(entry.name, entry.version, checksum);
    if (f === null) return;
    try {
      mkdirSync(this.dir, { recursive: true });
      const tmp = `${f}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ format: FORMAT, ...entry }));
      renameSync(tmp, f); // readers never see half an entry
      this.evict();
    } catch {
      // a cache that cannot be written only costs time
    }
  }

  private evict(): void {
    const names = readdirSync(this.dir).filter((n) => n.endsWith('.json'));
    if (names.length <= this.maxEntries) return;
    const aged = names
      .map((n) => {
        try {
          return { n, t: statSync(join(this.dir, n)).mtimeMs };
        } catch {
          return { n, t: 0 };
        }
      })
      .sort((a, b) => a.t - b.t);
    for (const { n } of aged.slice(0, names.length - this.maxEntries)) {
      try {
        unlinkSync(join(this.dir, n));
      } catch {
        // removed by another run
      }
    }
  }
}
