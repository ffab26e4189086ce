// Shared pieces of the benchmarks: child servers, waiting for ports, wrk runs, stats.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * `cratekeeper ARGS…` to completion: the compiled build by default (bench/run.ts builds it first,
 * the test suite's global setup too), or the sources through tsx.
 */
export function cli(args: string[], opts: { env?: NodeJS.ProcessEnv; entry?: 'dist' | 'tsx' } = {}): string {
  const entry =
    opts.entry === 'tsx'
      ? ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts')]
      : [join(repoRoot, 'dist/cli/main.js')];
  return execFileSync(process.execPath, [...entry, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

export function debianCorpus(): string {
  return execFileSync('bash', [join(repoRoot, 'scripts/debian-corpus.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .trim()
    .split('\n')
    .pop()!;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export async function waitForHttp(url: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up within ${timeoutMs} ms`);
}

export function startServe(dataDir: string, port: number, extra: string[] = []): ChildProcess {
  const child = spawn(
    process.execPath,
    [
      // CRATEKEEPER_BENCH_CPU_PROF=DIR writes the server's CPU profile there (on a clean stop).
      ...(process.env.CRATEKEEPER_BENCH_CPU_PROF
        ? ['--cpu-prof', '--cpu-prof-dir', process.env.CRATEKEEPER_BENCH_CPU_PROF]
        : []),
      // The compiled build (bench/run.ts builds it first), as operators run it.
      join(repoRoot, 'dist/cli/main.js'),
      'serve',
      '--data',
      dataDir,
      '--port',
      String(port),
      ...extra,
    ],
    { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return child;
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

export interface WrkResult {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: string | null;
}

function toMs(v: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(v.trim());
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 's' ? n * 1000 : n;
}

export function runWrk(
  url: string,
  opts: { connections: number; seconds: number; threads?: number; script?: string },
): Promise<WrkResult> {
  const args = [
    `-t${opts.threads ?? 2}`,
    `-c${opts.connections}`,
    `-d${opts.seconds}s`,
    '--latency',
    ...(opts.script ? ['-s', opts.script] : []),
    url,
  ];
  return new Promise((resolve, reject) => {
    execFile('wrk', args, { timeout: (opts.seconds + 30) * 1000 }, (err, stdout) => {
      if (err) return reject(err);
      const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
      const p50 = /^\s+50%\s+(\S+)/m.exec(stdout);
      const p99 = /^\s+99%\s+(\S+)/m.exec(stdout);
      const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout);
      const errors = /Socket errors:.*$/m.exec(stdout);
      if (!rps || !p99 || !p50) return reject(new Error(`could not read wrk output:\n${stdout}`));
      resolve({
        requestsPerSec: Number(rps[1]),
        p50Ms: toMs(p50[1]!),
        p99Ms: toMs(p99[1]!),
        non2xx: non2xx ? Number(non2xx[1]) : 0,
        errors: errors ? errors[0] : null,
      });
    });
  });
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

export function argValue(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
