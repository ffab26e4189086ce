// A registry deployment for the load and fault benchmarks: either one `serve` process on the
// embedded SQLite default (worker inside), or several stateless `serve --no-worker` processes
// and separate `worker` processes sharing one PostgreSQL schema. Processes can be killed with
// SIGKILL and started again, as the fault benchmark does. Blobs can live on a real S3-protocol
// server (s3rver) started with the deployment, which the fault benchmark stops for a while.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropPostgresSchema } from '../src/store/database.js';
import { startS3, type TestS3 } from '../test/support/s3-server.js';
import { cli, freePort, repoRoot, stop, waitForHttp } from './_lib.js';

/**
 * The load and fault runs publish hundreds of versions from one account: the registry's rate
 * limits (tested on their own) would answer most of them 429, so these runs lift them.
 */
export const UNLIMITED_PUBLISHING_TOML = `
[limits.publish_new]
burst = 1000000
[limits.publish_update]
burst = 1000000
`;

export interface ClusterOptions {
  /** `single`: one SQLite server with its worker; `cluster`: PostgreSQL, N servers, M workers. */
  mode: 'single' | 'cluster';
  servers?: number;
  workers?: number;
  databaseUrl?: string;
  /** Extra TOML appended to the config file every process reads. */
  configToml?: string;
  /** `dist`: the compiled build, as operators run it (default); `tsx`: the sources. */
  entry?: 'dist' | 'tsx';
  /** Where the `.crate` files go: the data directory (default) or an S3-protocol server. */
  blobs?: 'fs' | 's3';
}

interface Member {
  kind: 'serve' | 'worker';
  port: number | null;
  child: ChildProcess;
  /** Peak resident set size seen, in bytes. */
  peakRss: number;
  restarts: number;
  /** Serving: started and answering, not killed since. */
  up: boolean;
}

export class Cluster {
  readonly members: Member[] = [];
  token = '';
  adminToken = '';
  private work = '';
  private data = '';
  private configPath = '';
  private schema = '';
  private rssTimer: NodeJS.Timeout | null = null;
  /** The S3-protocol server holding the blobs, when `blobs: 's3'`. */
  s3: TestS3 | null = null;

  constructor(readonly options: ClusterOptions) {}

  /** The PostgreSQL schema of a `cluster` deployment. */
  get schemaName(): string {
    return this.schema;
  }

  get dbArgs(): string[] {
    return this.options.mode === 'cluster'
      ? ['--database-url', this.options.databaseUrl!, '--database-schema', this.schema]
      : [];
  }

  private commonArgs(): string[] {
    return ['--data', this.data, '--config', this.configPath, ...this.dbArgs];
  }

  get baseUrls(): string[] {
    return this.members.filter((m) => m.kind === 'serve').map((m) => `http://127.0.0.1:${m.port}`);
  }

  /** The servers a load balancer would route to now (those killed and not yet back excluded). */
  liveBaseUrls(): string[] {
    return this.members.filter((m) => m.kind === 'serve' && m.up).map((m) => `http://127.0.0.1:${m.port}`);
  }

  async start(): Promise<void> {
    this.work = await mkdtemp(join(tmpdir(), 'ck-bench-cluster-'));
    this.data = join(this.work, 'data');
    this.configPath = join(this.work, 'cratekeeper.toml');
    this.schema = `ck_bench_${randomBytes(4).toString('hex')}`;
    if (this.options.blobs === 's3') this.s3 = await startS3();
    await writeFile(
      this.configPath,
      `${this.options.configToml ?? ''}\n${this.s3 ? this.s3.configToml('crates/') : ''}`,
    );
    this.cli(['init']);
    this.cli(['user', 'add', 'loadbot', '--admin', '--no-password']);
    this.token = this.cli(['token', 'create', '--user', 'loadbot']).trim();
    this.adminToken = this.cli([
      'token',
      'create',
      '--user',
      'loadbot',
      '--name',
      'admin',
      '--scopes',
      'admin',
    ]).trim();
    if (this.options.mode === 'single') {
      await this.spawnMember('serve', await freePort());
    } else {
      for (let i = 0; i < (this.options.servers ?? 2); i++) await this.spawnMember('serve', await freePort());
      for (let i = 0; i < (this.options.workers ?? 1); i++) await this.spawnMember('worker', null);
    }
    this.rssTimer = setInterval(() => void this.sampleRss(), 500);
    this.rssTimer.unref();
  }

  private async spawnMember(kind: 'serve' | 'worker', port: number | null, reuse?: Member): Promise<void> {
    const args =
      kind === 'serve'
        ? ['serve', '--port', String(port), ...(this.options.mode === 'cluster' ? ['--no-worker'] : [])]
        : ['worker'];
    const entry =
      this.options.entry === 'tsx'
        ? ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts')]
        : [join(repoRoot, 'dist/cli/main.js')];
    // CK_BENCH_CPU_PROF=DIR: every member writes a V8 CPU profile there when it exits.
    const prof = process.env.CK_BENCH_CPU_PROF;
    const profile = prof ? ['--cpu-prof', '--cpu-prof-dir', prof] : [];
    const child = spawn(process.execPath, [...profile, ...entry, ...args, ...this.commonArgs()], {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (reuse) {
      reuse.child = child;
      reuse.restarts++;
    }
    const member = reuse ?? { kind, port, child, peakRss: 0, restarts: 0, up: false };
    if (!reuse) this.members.push(member);
    if (port !== null) await waitForHttp(`http://127.0.0.1:${port}/index/config.json`, 120_000);
    member.up = true;
  }

  /** SIGKILL a member, then start it again on the same port; resolves when it serves again. */
  async killAndRestart(member: Member, downMs = 0): Promise<void> {
    member.up = false;
    await new Promise<void>((resolve) => {
      if (member.child.exitCode !== null || member.child.signalCode !== null) return resolve();
      member.child.once('exit', () => resolve());
      member.child.kill('SIGKILL');
    });
    if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
    await this.spawnMember(member.kind, member.port, member);
  }

  private async sampleRss(): Promise<void> {
    for (const m of this.members) {
      const pid = m.child.pid;
      if (pid === undefined || m.child.exitCode !== null) continue;
      try {
        const status = await readFile(`/proc/${pid}/status`, 'utf8');
        const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
        m.peakRss = Math.max(m.peakRss, kb * 1024);
      } catch {
        // the process is gone between the check and the read
      }
    }
  }

  /** Job counts by status, from the admin API of the first server. */
  async jobCounts(): Promise<Record<string, number>> {
    const res = await fetch(`${this.baseUrls[0]}/api/admin/jobs`, {
      headers: { authorization: this.adminToken },
    });
    if (!res.ok) throw new Error(`GET /api/admin/jobs: ${res.status}`);
    return ((await res.json()) as { counts: Record<string, number> }).counts;
  }

  /** Milliseconds until no job is pending or running (or `timeoutMs`, then -1). */
  async drainTime(timeoutMs = 120_000): Promise<number> {
    const t0 = Date.now();
    while (Date.now() - t0 < timeoutMs) {
      const counts = await this.jobCounts().catch(() => null);
      if (counts && (counts.queued ?? 0) + (counts.running ?? 0) === 0) return Date.now() - t0;
      await new Promise((r) => setTimeout(r, 200));
    }
    return -1;
  }

  /** Runs the CLI against this deployment's database and data directory. */
  cli(args: string[]): string {
    return cli([...args, ...this.commonArgs()], { entry: this.options.entry ?? 'dist' });
  }

  async stop(): Promise<void> {
    if (this.rssTimer) clearInterval(this.rssTimer);
    await Promise.all(this.members.map((m) => stop(m.child)));
    if (this.work) await rm(this.work, { recursive: true, force: true });
    await this.s3?.close();
    if (this.options.mode === 'cluster') await dropPostgresSchema(this.options.databaseUrl!, this.schema);
  }
}
