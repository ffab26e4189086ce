// The sandboxed build: builds a crate's build script and proc-macros with real cargo inside
// bubblewrap and records what they do with strace. Every cargo command runs inside the
// sandbox (no host `cargo metadata` on an untrusted manifest); the host only unpacks files
// with the safe archive reader and writes the generated consumer project and config.
//
// The sandbox: new user, pid, network (loopback only), ipc, uts and cgroup namespaces; the
// toolchain, /usr and the loader's /etc files read-only; a generated /etc (passwd, hosts,
// resolv.conf → 127.0.0.1, where the DNS sinkhole answers every name with a loopback address
// of its own, so the connect that follows a lookup is traced too); the crate, the consumer
// project, the target directory and a fake home with canary credentials writable; nothing of the real home. Bounded by a wall-clock timeout
// (the whole process group is killed; --die-with-parent and the pid namespace take the rest)
// and by RLIMIT_AS / RLIMIT_FSIZE on everything that runs inside.
//
// The sinkhole is the sandbox's first process and the only one with a capability
// (CAP_NET_BIND_SERVICE, for port 53); setpriv drops it before prlimit, strace and cargo.
// bwrap keeps the sandbox uid in the user namespace that owns the network namespace only when
// it mounts no devpts, so /dev is assembled from host device nodes instead of `--dev`.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { cp, lstat, mkdir, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseManifest } from '../../domain/manifest.js';
import { readCrateArchive } from '../../formats/crate-archive.js';
import { ruleInfo } from '../scanner/rules/catalog.js';
import type { Finding } from '../scanner/types.js';
import { consumerMain, consumerManifest, procMacroExports } from './consumer-project.js';
import { SINKHOLE_SCRIPT, readSinkholeLog } from './dns-sinkhole.js';
import { CANARY_ENV, CANARY_FILES, SANDBOX, canaryEnvValue } from './sandbox-layout.js';
import type { SandboxTools } from './sandbox-tools.js';
import { inCgroup, openPidsCgroup, type ProcessLimitMode } from './process-limit.js';
import { traceFindings } from './trace-findings.js';
import { writeVendorSource, type VendoredCrate } from './vendor-source.js';

export interface DetonatorOptions {
  /** Wall-clock limit per crate (default 120 s). */
  timeoutMs: number;
  /** Address-space limit for everything in the sandbox (default 4 GiB). */
  memoryBytes: number;
  /** Largest file anything in the sandbox may write, the trace included (default 1 GiB). */
  maxFileBytes: number;
  /** cargo --jobs (default 2). */
  jobs: number;
  /** Processes and threads of the whole build at once (default 1024; rustc is threaded). */
  maxTasks: number;
}

export function defaultDetonatorOptions(overrides: Partial<DetonatorOptions> = {}): DetonatorOptions {
  return {
    timeoutMs: 120_000,
    memoryBytes: 4 * 1024 ** 3,
    maxFileBytes: 1024 ** 3,
    jobs: 2,
    maxTasks: 1024,
    ...overrides,
  };
}

export type DetonationInput =
  | { kind: 'dir'; path: string }
  | { kind: 'crate'; path: string }
  | { kind: 'bytes'; bytes: Buffer; name?: string; version?: string };

export interface DetonationVendor {
  /** Dependency .crate files to vendor (the registry's own versions). */
  crates?: readonly VendoredCrate[];
  /** A directory already in `cargo vendor` layout, bound read-only instead. */
  dir?: string;
}

export interface DetonationResult {
  crate: { name: string; version: string };
  /** False when the crate has neither a build script nor proc-macros: nothing was built. */
  built: boolean;
  findings: Finding[];
  timedOut: boolean;
  exitCode: number | null;
  ms: number;
  /** The end of cargo's output, for a failed build. */
  log: string;
  /** How the process ceiling was enforced (`none`: only RLIMIT_NPROC, which root ignores). */
  processLimit: ProcessLimitMode;
}

const TRACED = [
  'execve',
  'execveat',
  'clone',
  'clone3',
  'fork',
  'vfork',
  'chdir',
  'fchdir',
  'open',
  'openat',
  'openat2',
  'creat',
  'rename',
  'renameat',
  'renameat2',
  'unlink',
  'unlinkat',
  'mkdir',
  'mkdirat',
  'rmdir',
  'symlink',
  'symlinkat',
  'link',
  'linkat',
  'truncate',
  'connect',
  'sendto',
  'sendmsg',
  'sendmmsg',
].join(',');
const LOG_TAIL = 4000;
/** Host /etc entries the loader and compilers need (cc is an alternatives link on Debian). */
const HOST_ETC = ['ld.so.cache', 'ld.so.conf', 'ld.so.conf.d', 'alternatives'];
/** What `--dev` would give, without its devpts mount (see the top of this file). */
const DEVICES = ['null', 'zero', 'full', 'random', 'urandom'];
const SINKHOLE_LOG = 'dns-sinkhole.log';

export class Detonator {
  constructor(
    private readonly tools: SandboxTools,
    private readonly options: DetonatorOptions = defaultDetonatorOptions(),
  ) {}

  async detonate(input: DetonationInput, vendor: DetonationVendor = {}): Promise<DetonationResult> {
    const started = Date.now();
    const scratch = await mkdtemp(join(tmpdir(), 'ck-detonate-'));
    try {
      const dirs = {
        crate: join(scratch, 'crate'),
        project: join(scratch, 'project'),
        target: join(scratch, 'target'),
        home: join(scratch, 'home'),
        trace: join(scratch, 'trace'),
        vendor: vendor.dir ? resolve(vendor.dir) : join(scratch, 'vendor'),
        etc: join(scratch, 'etc'),
        runtime: join(scratch, 'runtime'),
      };
      for (const d of Object.values(dirs)) if (d !== vendor.dir) await mkdir(d, { recursive: true });
      await unpackInput(input, dirs.crate);
      const manifestText = await readFile(join(dirs.crate, 'Cargo.toml'), 'utf8');
      const files = await existing(dirs.crate);
      const manifest = parseManifest(manifestText, files);
      const crate = { name: manifest.name, version: manifest.version };
      if (!manifest.build && !manifest.procMacro) {
        return {
          crate,
          built: false,
          findings: [],
          timedOut: false,
          exitCode: null,
          ms: Date.now() - started,
          log: '',
          processLimit: 'none',
        };
      }
      const vendoredManifests = vendor.crates ? await writeVendorSource(dirs.vendor, vendor.crates) : [];
      const token = randomBytes(8).toString('hex');
      await this.writeHome(dirs.home, token, [manifestText, ...vendoredManifests]);
      await writeEtc(dirs.etc);
      await writeFile(join(dirs.runtime, 'sinkhole.mjs'), SINKHOLE_SCRIPT);
      const exports = manifest.procMacro
        ? procMacroExports(await rustSources(dirs.crate, manifest.libPath ?? 'src/lib.rs'))
        : null;
      await mkdir(join(dirs.project, 'src'), { recursive: true });
      await writeFile(join(dirs.project, 'Cargo.toml'), consumerManifest(manifest.name));
      await writeFile(join(dirs.project, 'src', 'main.rs'), consumerMain(exports));

      const env = canaryEnv(token);
      const group = await openPidsCgroup(this.options.maxTasks);
      let run: Awaited<ReturnType<Detonator['runSandboxed']>>;
      let refused = 0;
      try {
        const argv = [this.tools.bwrap, ...(await this.bwrapArgs(dirs, env, group === null))];
        run = await this.runSandboxed(group ? inCgroup(group, argv) : argv);
        refused = group ? await group.refusedForks() : 0;
      } finally {
        await group?.remove();
      }
      const sinkhole = readSinkholeLog(
        await readFile(join(dirs.trace, SINKHOLE_LOG), 'utf8').catch(() => ''),
      );
      const findings = await readTrace(join(dirs.trace, 'strace.log'), {
        canaryValues: [`CANARY-${token}`],
        sinkhole,
        crateName: manifest.name,
        buildScript: manifest.build,
        libPath: manifest.libPath,
      });
      const seconds = Math.round(this.options.timeoutMs / 1000);
      if (run.timedOut)
        findings.push(note('sandbox.timeout', 'medium', `killed after ${seconds} s`, run.log));
      else if (run.exitCode !== 0)
        findings.push(note('sandbox.build-failed', 'info', `cargo exited with ${run.exitCode}`, run.log));
      if (refused > 0) {
        const title = `${refused} fork${refused === 1 ? '' : 's'} refused at ${this.options.maxTasks} tasks`;
        findings.push(note('sandbox.process-limit', 'medium', title, run.log));
      }
      return {
        crate,
        built: true,
        findings,
        timedOut: run.timedOut,
        exitCode: run.exitCode,
        ms: Date.now() - started,
        log: run.log,
        processLimit: group?.mode ?? 'none',
      };
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  private async writeHome(home: string, token: string, manifests: string[]): Promise<void> {
    for (const c of CANARY_FILES) {
      const p = join(home, c.path);
      await mkdir(dirname(p), { recursive: true });
      await writeFile(p, c.content(token), { mode: 0o600 });
    }
    await writeFile(join(home, '.cargo', 'config.toml'), cargoConfig(manifests, this.options.jobs));
  }

  /** `rlimitTasks`: no cgroup holds the build, so RLIMIT_NPROC is the (weaker) ceiling. */
  private async bwrapArgs(
    dirs: Record<string, string>,
    env: Record<string, string>,
    rlimitTasks: boolean,
  ): Promise<string[]> {
    const a = ['--die-with-parent', '--unshare-all', '--new-session', '--hostname', 'sandbox'];
    a.push('--uid', '1000', '--gid', '1000');
    a.push('--ro-bind', '/usr', '/usr');
    for (const top of ['bin', 'lib', 'lib64', 'sbin']) {
      const link = await readlink(`/${top}`).catch(() => null);
      if (link) a.push('--symlink', link, `/${top}`);
      else if (await lstat(`/${top}`).catch(() => null)) a.push('--ro-bind', `/${top}`, `/${top}`);
    }
    for (const e of HOST_ETC) a.push('--ro-bind-try', `/etc/${e}`, `/etc/${e}`);
    for (const e of ['passwd', 'group', 'hosts', 'hostname', 'nsswitch.conf', 'resolv.conf'])
      a.push('--ro-bind', join(dirs.etc!, e), `/etc/${e}`);
    a.push('--proc', '/proc', '--tmpfs', '/tmp', '--tmpfs', '/dev/shm');
    for (const d of DEVICES) a.push('--dev-bind', `/dev/${d}`, `/dev/${d}`);
    a.push('--symlink', '/proc/self/fd', '/dev/fd');
    ['stdin', 'stdout', 'stderr'].forEach((s, i) => a.push('--symlink', `/proc/self/fd/${i}`, `/dev/${s}`));
    a.push('--ro-bind', process.execPath, `${SANDBOX.runtime}/node`);
    a.push('--ro-bind', join(dirs.runtime!, 'sinkhole.mjs'), `${SANDBOX.runtime}/sinkhole.mjs`);
    a.push('--ro-bind', this.tools.toolchain, SANDBOX.toolchain);
    a.push('--bind', dirs.crate!, SANDBOX.crate, '--bind', dirs.project!, SANDBOX.project);
    a.push('--bind', dirs.target!, SANDBOX.target, '--bind', dirs.home!, SANDBOX.home);
    a.push('--bind', dirs.trace!, SANDBOX.trace, '--ro-bind', dirs.vendor!, SANDBOX.vendor);
    a.push('--chdir', SANDBOX.project, '--clearenv');
    const vars: Record<string, string> = {
      PATH: `${SANDBOX.toolchain}/bin:/usr/local/bin:/usr/bin:/bin`,
      HOME: SANDBOX.home,
      USER: SANDBOX.user,
      LOGNAME: SANDBOX.user,
      CARGO_HOME: SANDBOX.cargoHome,
      CARGO_TARGET_DIR: SANDBOX.target,
      CARGO_TERM_COLOR: 'never',
      TMPDIR: '/tmp',
      TERM: 'dumb',
      LANG: 'C.UTF-8',
      ...env,
    };
    for (const [k, v] of Object.entries(vars)) a.push('--setenv', k, v);
    a.push('--cap-add', 'CAP_NET_BIND_SERVICE', '--');
    a.push(
      `${SANDBOX.runtime}/node`,
      `${SANDBOX.runtime}/sinkhole.mjs`,
      '53',
      `${SANDBOX.trace}/${SINKHOLE_LOG}`,
    );
    a.push(this.tools.setpriv, '--inh-caps=-all', '--ambient-caps=-all', '--no-new-privs', '--');
    a.push(
      this.tools.prlimit,
      `--as=${this.options.memoryBytes}`,
      `--fsize=${this.options.maxFileBytes}`,
      '--core=0',
      ...(rlimitTasks ? [`--nproc=${this.options.maxTasks}`] : []),
      '--',
    );
    a.push(this.tools.strace, '-f', '-qq', '-x', '-y', '-s', '512', '--seccomp-bpf', '-e', 'signal=none');
    a.push('-e', `trace=${TRACED}`, '-o', `${SANDBOX.trace}/strace.log`, '--');
    a.push(`${SANDBOX.toolchain}/bin/cargo`, 'build', '--offline', '--jobs', String(this.options.jobs));
    return a;
  }

  private runSandboxed(argv: string[]): Promise<{ exitCode: number | null; timedOut: boolean; log: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), {
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {},
      });
      let log = '';
      const keep = (d: Buffer) => {
        log = (log + d.toString('utf8')).slice(-LOG_TAIL);
      };
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup(child.pid);
      }, this.options.timeoutMs);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        resolve({ exitCode: code, timedOut, log });
      });
    });
  }
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

async function unpackInput(input: DetonationInput, dest: string): Promise<void> {
  if (input.kind === 'dir') {
    await cp(input.path, dest, {
      recursive: true,
      filter: (src) => !/\/(?:target|\.git)$/.test(src),
    });
    return;
  }
  const bytes = input.kind === 'bytes' ? input.bytes : await readFile(input.path);
  const expected =
    input.kind === 'bytes' && input.name && input.version
      ? { name: input.name, version: input.version }
      : undefined;
  const archive = await readCrateArchive(bytes, expected ? { expected } : {});
  for (const f of archive.files) {
    const target = join(dest, f.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, f.data!, { mode: f.mode & 0o111 ? 0o755 : 0o644 });
  }
}

/** A `hasFile` for parseManifest over the unpacked crate. */
async function existing(root: string): Promise<(p: string) => boolean> {
  const found = new Set<string>();
  for (const p of ['build.rs', 'src/lib.rs', 'src/main.rs'])
    if (await lstat(join(root, p)).catch(() => null)) found.add(p);
  return (p) => found.has(p);
}

/** The proc-macro crate's sources: the lib root's directory, a few levels deep. */
async function rustSources(root: string, libPath: string): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  const out: string[] = [];
  const visit = async (dir: string, depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory() && depth < 4) await visit(p, depth + 1);
      else if (e.isFile() && e.name.endsWith('.rs') && out.length < 500) out.push(await readFile(p, 'utf8'));
    }
  };
  await visit(join(root, dirname(libPath)), 0);
  return out;
}

function canaryEnv(token: string): Record<string, string> {
  return Object.fromEntries(CANARY_ENV.map((n) => [n, canaryEnvValue(n, token)]));
}

/** cargo offline, crates.io and every registry the manifests name replaced by the vendor directory. */
export function cargoConfig(manifests: readonly string[], jobs: number): string {
  const registries = new Set<string>();
  for (const text of manifests) {
    try {
      for (const d of parseManifest(text).dependencies)
        if (d.registry && /^(?:sparse\+)?https?:\/\//.test(d.registry)) registries.add(d.registry);
    } catch {
      // an unreadable vendored manifest fails the build inside the sandbox, with cargo's message
    }
  }
  const lines = [
    '[net]',
    'offline = true',
    '[build]',
    `jobs = ${jobs}`,
    '[source.crates-io]',
    'replace-with = "cratekeeper-vendor"',
    '[source.cratekeeper-vendor]',
    `directory = ${JSON.stringify(SANDBOX.vendor)}`,
  ];
  [...registries].sort().forEach((url, i) => {
    lines.push(
      `[source.cratekeeper-registry-${i}]`,
      `registry = ${JSON.stringify(url)}`,
      'replace-with = "cratekeeper-vendor"',
    );
  });
  return `${lines.join('\n')}\n`;
}

async function writeEtc(dir: string): Promise<void> {
  const files: Record<string, string> = {
    passwd: `root:x:0:0:root:/root:/bin/sh\n${SANDBOX.user}:x:1000:1000:builder:${SANDBOX.home}:/bin/sh\n`,
    group: `root:x:0:\n${SANDBOX.user}:x:1000:\n`,
    hosts: '127.0.0.1 localhost sandbox\n::1 localhost\n',
    hostname: 'sandbox\n',
    'nsswitch.conf': 'passwd: files\ngroup: files\nhosts: files dns\n',
    'resolv.conf': 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n',
  };
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
}

async function readTrace(path: string, ctx: Parameters<typeof traceFindings>[1]): Promise<Finding[]> {
  const lines: string[] = [];
  try {
    const rl = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
    for await (const line of rl) lines.push(line);
  } catch {
    return [];
  }
  return traceFindings(lines, ctx);
}

function note(ruleId: string, severity: Finding['severity'], title: string, log: string): Finding {
  const info = ruleInfo(ruleId);
  const tail = log.trim().split('\n').slice(-15).join('\n');
  return {
    ruleId,
    severity,
    title: `${info.title}: ${title}`,
    file: null,
    line: null,
    evidence: tail,
    why: info.why,
  };
}
