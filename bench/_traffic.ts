// Mixed registry traffic for the load and fault benchmarks: sparse-index reads, downloads,
// searches and console API reads from a pool of concurrent clients, and publishes at a fixed
// rate, spread round-robin over the deployment's servers (as a load balancer would).
// Every answer is recorded by kind; acknowledged publishes are kept with their checksum so the
// fault benchmark can check afterwards that none was lost.
import { createHash } from 'node:crypto';
import { indexPath } from '../src/domain/index-path.js';
import { writeCrateArchive } from '../src/formats/crate-archive.js';
import { manifestToml, metadataFor, publishBody } from '../test/support/publish-body.js';
import { percentile } from './_lib.js';

export type Kind = 'index' | 'download' | 'search' | 'console' | 'publish';
export const KINDS: readonly Kind[] = ['index', 'download', 'search', 'console', 'publish'];

export interface KindStats {
  count: number;
  /** Answers that are neither success nor an expected refusal. */
  errors: number;
  /** Errors a client would retry: connection failures, 502/503/504. */
  retryable: number;
  latencies: number[];
  /** A few distinct error descriptions, for the report. */
  samples: Set<string>;
}

export interface Published {
  name: string;
  version: string;
  cksum: string;
}

export interface TrafficOptions {
  baseUrls: () => string[];
  token: string;
  adminToken: string;
  seconds: number;
  publishesPerSecond: number;
  /** Concurrent read clients. */
  readers: number;
  /** Crates the seed created (name → versions), read by index, download and search requests. */
  seeded: Map<string, string[]>;
  /** Distinct crates publishes spread over (each publish is a new version of one of them). */
  publishCrates: string[];
}

export function emptyStats(): Record<Kind, KindStats> {
  return Object.fromEntries(
    KINDS.map((k) => [k, { count: 0, errors: 0, retryable: 0, latencies: [], samples: new Set<string>() }]),
  ) as unknown as Record<Kind, KindStats>;
}

export async function crateBody(name: string, version: string): Promise<{ body: Buffer; cksum: string }> {
  const crate = await writeCrateArchive(`${name}-${version}`, [
    { path: 'Cargo.toml', data: manifestToml(name, version) },
    {
      path: 'src/lib.rs',
      data:
        `//! ${name} ${version}\npub fn value() -> &'static str { "${version}" }\n` +
        'pub fn f(x: u32) -> u32 { x.wrapping_mul(31) }\n'.repeat(40),
    },
  ]);
  return {
    body: publishBody(metadataFor(name, version), crate),
    cksum: createHash('sha256').update(crate).digest('hex'),
  };
}

/** Publishes `versions` of each crate before the measured run (sequentially; not measured). */
export async function seed(
  baseUrl: string,
  token: string,
  crates: string[],
  versions: string[],
): Promise<Map<string, string[]>> {
  const seeded = new Map<string, string[]>();
  for (const name of crates) {
    for (const version of versions) {
      const { body } = await crateBody(name, version);
      const res = await fetch(`${baseUrl}/api/v1/crates/new`, {
        method: 'PUT',
        headers: { authorization: token },
        body,
      });
      if (res.status !== 200)
        throw new Error(`seed publish ${name}@${version}: ${res.status} ${await res.text()}`);
    }
    seeded.set(name, [...versions]);
  }
  return seeded;
}

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}

export async function runTraffic(
  opts: TrafficOptions,
): Promise<{ stats: Record<Kind, KindStats>; published: Published[]; elapsedMs: number }> {
  const stats = emptyStats();
  const published: Published[] = [];
  const t0 = performance.now();
  const end = t0 + opts.seconds * 1000;
  let rr = 0;
  const nextBase = () => {
    const urls = opts.baseUrls();
    return urls[rr++ % urls.length]!;
  };
  const crates = [...opts.seeded.keys()];

  async function timed(kind: Kind, run: () => Promise<Response>, ok: (status: number) => boolean) {
    const s = stats[kind];
    const start = performance.now();
    try {
      const res = await run();
      await res.arrayBuffer();
      s.count++;
      s.latencies.push(performance.now() - start);
      if (!ok(res.status)) {
        s.errors++;
        if ([502, 503, 504].includes(res.status)) s.retryable++;
        if (s.samples.size < 5) s.samples.add(`HTTP ${res.status}`);
        return null;
      }
      return res.status;
    } catch (err) {
      s.count++;
      s.errors++;
      s.retryable++;
      const e = err as Error & { cause?: { code?: string } };
      if (s.samples.size < 5) s.samples.add(e.cause?.code ?? e.message);
      return null;
    }
  }

  async function reader(): Promise<void> {
    while (performance.now() < end) {
      const r = Math.random();
      const name = pick(crates);
      const base = nextBase();
      if (r < 0.5) {
        await timed(
          'index',
          () => fetch(`${base}/index/${indexPath(name)}`),
          (s) => s === 200,
        );
      } else if (r < 0.75) {
        const version = pick(opts.seeded.get(name)!);
        await timed(
          'download',
          () => fetch(`${base}/api/v1/crates/${name}/${version}/download`, { redirect: 'manual' }),
          (s) => s === 200 || s === 302,
        );
      } else if (r < 0.85) {
        await timed(
          'search',
          () => fetch(`${base}/api/v1/crates?q=${encodeURIComponent(name.slice(0, 6))}&per_page=10`),
          (s) => s === 200,
        );
      } else {
        const path = Math.random() < 0.5 ? '/api/admin/alerts?per_page=20' : `/api/admin/crates/${name}`;
        await timed(
          'console',
          () => fetch(`${base}${path}`, { headers: { authorization: opts.adminToken } }),
          (s) => s === 200,
        );
      }
    }
  }

  // Publishes at a fixed rate (open loop): a slow answer does not slow the offered load.
  async function publisher(): Promise<void> {
    const inFlight: Promise<unknown>[] = [];
    const interval = 1000 / opts.publishesPerSecond;
    let i = 0;
    while (true) {
      const due = t0 + i * interval;
      if (due >= end) break;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const name = opts.publishCrates[i % opts.publishCrates.length]!;
      const version = `2.${Math.floor(i / opts.publishCrates.length)}.0`;
      i++;
      inFlight.push(
        (async () => {
          const { body, cksum } = await crateBody(name, version);
          const base = nextBase();
          const status = await timed(
            'publish',
            () =>
              fetch(`${base}/api/v1/crates/new`, {
                method: 'PUT',
                headers: { authorization: opts.token },
                body,
              }),
            (s) => s === 200,
          );
          if (status === 200) published.push({ name, version, cksum });
        })(),
      );
    }
    await Promise.all(inFlight);
  }

  await Promise.all([publisher(), ...Array.from({ length: opts.readers }, () => reader())]);
  return { stats, published, elapsedMs: performance.now() - t0 };
}

export function summarise(s: KindStats, elapsedMs: number) {
  return {
    count: s.count,
    perSecond: s.count / (elapsedMs / 1000),
    p50: s.latencies.length ? percentile(s.latencies, 50) : NaN,
    p99: s.latencies.length ? percentile(s.latencies, 99) : NaN,
    errors: s.errors,
    retryable: s.retryable,
    samples: [...s.samples],
  };
}
