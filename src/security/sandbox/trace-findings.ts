// Turns the syscall trace of a sandboxed build into scanner findings. Every process is
// attributed to what started it: cargo itself (trusted toolchain; its own file and process
// activity is not the crate's), a build script (and whatever it spawns), or rustc (which
// runs proc-macros in-process at expansion). Benign build activity — compilers, linkers,
// pkg-config, reads of the toolchain, system headers and /proc/self, writes under the target
// directory — produces nothing above info.
import { basename, posix } from 'node:path';
import { ruleInfo } from '../scanner/rules/catalog.js';
import { atLeast, type FileContext, type Finding, type Severity } from '../scanner/types.js';
import { CONSUMER_CRATE } from './consumer-project.js';
import { dnsQueryName } from './dns-query.js';
import { SANDBOX, isCanaryPath } from './sandbox-layout.js';
import {
  decodeStraceString,
  descriptorPath,
  failed,
  parseStrace,
  returnedPath,
  straceStringArray,
  straceText,
  type SyscallLine,
} from './strace-parse.js';

export interface TraceContext {
  /** Canary values planted in files and the environment (a leak shows in outgoing buffers). */
  canaryValues: readonly string[];
  /** Crate-relative files to name in findings, when the activity is the crate's own. */
  crateName: string;
  buildScript?: string | null;
  libPath?: string | null;
  /** The DNS sinkhole's answers, address → name looked up (dns-sinkhole.ts). */
  sinkhole?: ReadonlyMap<string, string>;
}

interface Origin {
  kind: 'cargo' | 'build-script' | 'rustc' | 'other';
  /** Package whose build script or compilation this is. */
  pkg: string | null;
}

interface Proc {
  exe: string;
  origin: Origin;
  cwd: string;
}

const EVIDENCE_LINES = 3;
const MAX_FINDINGS_PER_RULE = 20;
const EVIDENCE_CHARS = 400;

const BENIGN_TOOL =
  /^(?:[a-z0-9_]+-linux-gnu-)?(?:gcc|g\+\+|cc|c\+\+|cpp|clang(?:\+\+)?|ld(?:\.[a-z]+)?|lld|mold|as|ar|ranlib|strip|nm|objcopy|collect2|cc1(?:plus)?|lto-wrapper|lto1|pkg-config|pkgconf|rustc|rustdoc|cargo|cmake|make|gmake|ninja)(?:-\d+(?:\.\d+)*)?$/;
// Probes build scripts commonly make to learn about the host or the toolchain.
const INFO_TOOL =
  /^(?:git|uname|rustc-wrapper|sccache|ccache|xcrun|xcode-select|sw_vers|cygpath|freebsd-version|llvm-config(?:-\d+)?)$/;
const SHELL = /^(?:sh|bash|dash|zsh|ash|ksh|busybox|fish)$/;
// What shell pipelines in build scripts are made of; their effects are judged, not their names.
const TEXT_TOOL =
  /^(?:sed|grep|egrep|fgrep|awk|gawk|mawk|tr|cut|head|tail|sort|uniq|wc|cat|echo|printf|test|\[|expr|dirname|basename|realpath|readlink|mkdir|cp|mv|rm|chmod|ln|ls|touch|install|env|true|false|which|date|tee)$/;
const BUILD_DRIVER = /^(?:make|gmake|cmake|ninja)$/;
const CREDENTIAL_PATH =
  /\/(?:\.ssh|\.aws|\.gnupg|\.kube|\.docker|\.azure|\.config\/gcloud|\.config\/gh|\.config\/solana|\.bitcoin|\.electrum|\.ethereum|\.local\/share\/keyrings|\.mozilla|\.config\/google-chrome|\.config\/chromium)(?:\/|$)|\/(?:\.npmrc|\.pypirc|\.netrc|\.git-credentials|\.cargo\/credentials(?:\.toml)?)$/;
const BENIGN_HOME_READ = /\/(?:\.gitconfig|\.config\/git\/[^/]+|\.terminfo.*)$/;
const SENSITIVE_SYSTEM =
  /^(?:\/etc\/(?:passwd|shadow|gshadow|group|sudoers|hostname|machine-id|ssh\/.*)|\/var\/lib\/dbus\/machine-id|\/proc\/(?!self\/)(?!thread-self\/)\d+\/(?:environ|cmdline|mem|maps)|\/proc\/self\/environ|\/run\/secrets\/.*|\/var\/run\/secrets\/.*)$/;
const BENIGN_READ_PREFIXES = [
  SANDBOX.target,
  SANDBOX.vendor,
  SANDBOX.crate,
  SANDBOX.toolchain,
  '/usr/',
  '/lib/',
  '/lib64/',
  '/bin/',
  '/sbin/',
  '/tmp/',
  '/dev/',
  '/proc/',
  '/sys/',
  '/etc/',
];
const NSCD = /^\/(?:var\/)?run\/nscd\/socket$/;

/** Interprets a whole trace (its lines, in order). */
export function traceFindings(lines: Iterable<string>, ctx: TraceContext): Finding[] {
  const calls = [...parseStrace(lines)];
  return new TraceInterpreter(calls, ctx).run();
}

class TraceInterpreter {
  private readonly procs = new Map<number, Proc>();
  private readonly parentOf = new Map<number, number>();
  private readonly groups = new Map<
    string,
    { finding: Finding; lines: number; more: number; pids: Set<number> }
  >();
  /** Shells a build script started: judged at the end by what they went on to do. */
  private readonly shells: { pid: number; groupKey: string }[] = [];
  private readonly perRule = new Map<string, number>();
  private readonly succeededExec = new Set<string>();
  private readonly failedExec: { call: SyscallLine; path: string; argv: string[] }[] = [];
  private firstPid: number | null = null;

  constructor(
    private readonly calls: SyscallLine[],
    private readonly ctx: TraceContext,
  ) {
    for (const c of calls) {
      this.firstPid ??= c.pid;
      if (/^(?:clone3?|fork|vfork)$/.test(c.name) && /^\d+$/.test(c.ret))
        this.parentOf.set(Number(c.ret), c.pid);
    }
  }

  run(): Finding[] {
    for (const call of this.calls) this.visit(call);
    // A program that was looked for but never found is still an attempt to run it.
    const reported = new Set<string>();
    for (const { call, path, argv } of this.failedExec) {
      const name = basename(path);
      if (this.succeededExec.has(name) || reported.has(name)) continue;
      reported.add(name);
      this.exec(call, path, argv, true);
    }
    this.judgeShells();
    return [...this.groups.values()].map(({ finding, more }) =>
      more > 0 ? { ...finding, evidence: `${finding.evidence}\n(+${more} more)` } : finding,
    );
  }

  /**
   * A build script's shell is only a wrapper: what it runs is traced and judged on its own.
   * A shell whose processes did nothing reported (a `gcc -print-search-dirs | sed` probe) stays
   * low; one whose processes did is high. Proc-macros have no reason to start shells at all.
   */
  private judgeShells(): void {
    const flaggedPids: number[] = [];
    for (const g of this.groups.values())
      if (!this.shells.some((sh) => this.groups.get(sh.groupKey) === g) && atLeast(g.finding.severity, 'low'))
        flaggedPids.push(...g.pids);
    const shellPids = new Map<string, number[]>();
    for (const { pid, groupKey } of this.shells)
      shellPids.set(groupKey, [...(shellPids.get(groupKey) ?? []), pid]);
    for (const [groupKey, pids] of shellPids) {
      const group = this.groups.get(groupKey)!;
      if (group.finding.context === 'proc-macro') continue;
      const busy = flaggedPids.some((p) => pids.some((shell) => this.descendsFrom(p, shell)));
      if (!busy) group.finding.severity = 'low';
    }
  }

  private descendsFrom(pid: number, ancestor: number): boolean {
    for (let p: number | undefined = pid, n = 0; p !== undefined && n < 1000; p = this.parentOf.get(p), n++)
      if (p === ancestor) return true;
    return false;
  }

  private proc(pid: number): Proc {
    let p = this.procs.get(pid);
    if (!p) {
      const parent = this.parentOf.get(pid);
      const from = parent !== undefined && parent !== pid ? this.proc(parent) : null;
      p = from
        ? { ...from, origin: { ...from.origin } }
        : {
            exe: '',
            origin: { kind: pid === this.firstPid ? 'cargo' : 'other', pkg: null },
            cwd: SANDBOX.project,
          };
      this.procs.set(pid, p);
    }
    return p;
  }

  private visit(call: SyscallLine): void {
    const p = this.proc(call.pid);
    switch (call.name) {
      case 'execve':
      case 'execveat': {
        const path = straceText(call.args[call.name === 'execve' ? 0 : 1] ?? '') ?? '';
        const argv = straceStringArray(call.args[call.name === 'execve' ? 1 : 2] ?? '');
        if (failed(call.ret)) {
          if (p.origin.kind !== 'cargo') this.failedExec.push({ call, path, argv });
          return;
        }
        this.succeededExec.add(basename(path));
        const parentExe = p.exe;
        const parentOrigin = p.origin;
        p.exe = path;
        p.origin = originOfExec(path, argv, parentOrigin);
        if (parentOrigin.kind !== 'cargo') this.exec(call, path, argv, false, parentExe);
        return;
      }
      case 'chdir': {
        const dir = straceText(call.args[0] ?? '');
        if (dir !== null && !failed(call.ret)) p.cwd = posix.resolve(p.cwd, dir);
        return;
      }
      case 'fchdir': {
        const dir = descriptorPath(call.args[0] ?? '');
        if (dir && !failed(call.ret)) p.cwd = dir;
        return;
      }
    }
    if (p.origin.kind === 'cargo') return;
    switch (call.name) {
      case 'open':
      case 'creat':
      case 'openat':
      case 'openat2': {
        const at = call.name === 'openat' || call.name === 'openat2';
        const path = this.resolve(p, at ? call.args[0] : undefined, call.args[at ? 1 : 0], call.ret);
        if (!path) return;
        const flags = call.args[at ? 2 : 1] ?? '';
        const write = call.name === 'creat' || /O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND/.test(flags);
        this.access(call, p, path, write);
        return;
      }
      case 'unlink':
      case 'mkdir':
      case 'truncate':
      case 'rmdir':
        this.write(call, p, this.resolve(p, undefined, call.args[0]));
        return;
      case 'unlinkat':
      case 'mkdirat':
        this.write(call, p, this.resolve(p, call.args[0], call.args[1]));
        return;
      case 'rename':
      case 'link':
      case 'symlink':
        this.write(call, p, this.resolve(p, undefined, call.args[1]));
        return;
      case 'renameat':
      case 'renameat2':
      case 'linkat':
        this.write(call, p, this.resolve(p, call.args[2], call.args[3]));
        return;
      case 'symlinkat':
        this.write(call, p, this.resolve(p, call.args[1], call.args[2]));
        return;
      case 'connect':
        this.connect(call, p);
        return;
      case 'sendto':
      case 'sendmsg':
      case 'sendmmsg':
        this.send(call, p);
        return;
    }
  }

  private resolve(
    p: Proc,
    dirArg: string | undefined,
    pathArg: string | undefined,
    ret?: string,
  ): string | null {
    const rel = pathArg === undefined ? null : straceText(pathArg);
    // The kernel names /proc/self by its pid; keep the self-reference it was asked as.
    if (rel !== null && /^\/proc\/(?:self|thread-self)(?:\/|$)/.test(rel)) return rel;
    // Otherwise the opened file's real path (symlinks resolved) is what was read.
    const fromRet = ret ? returnedPath(ret) : null;
    if (fromRet && fromRet.startsWith('/')) return fromRet;
    if (rel === null) return null;
    if (rel.startsWith('/')) return posix.normalize(rel);
    const base = (dirArg && descriptorPath(dirArg)) || p.cwd;
    return posix.resolve(base, rel);
  }

  private exec(call: SyscallLine, path: string, argv: string[], notFound: boolean, parentExe = ''): void {
    const name = basename(path);
    const p = this.proc(call.pid);
    const origin = notFound
      ? p.origin
      : (this.procs.get(this.parentOf.get(call.pid) ?? -1)?.origin ?? p.origin);
    const suffix = notFound ? ' (not found)' : '';
    const command = `${name}${argv.length > 1 ? ` ${argv.slice(1).join(' ')}` : ''}`.slice(0, 200);
    if (/^build-script-/.test(name) || BENIGN_TOOL.test(name)) return;
    // The toolchain's own programs (rust-lld, …); a lookup that failed there was for something else.
    if (!notFound && path.startsWith(`${SANDBOX.toolchain}/`)) return;
    let severity: Severity;
    let title: string;
    let shell = false;
    if (INFO_TOOL.test(name) || TEXT_TOOL.test(name)) {
      severity = 'info';
      title = `runs ${name}`;
    } else if (SHELL.test(name)) {
      const driven = BUILD_DRIVER.test(basename(parentExe));
      severity = driven ? 'info' : 'high';
      if (!driven) shell = true;
      title = `runs a shell${argv.includes('-c') ? ' with a command string' : ''}${driven ? ' (from a build tool)' : ''}`;
    } else if (/^(?:\/tmp|\/dev\/shm|\/home|\/root|\/sandbox\/crate|\/sandbox\/project)\//.test(path)) {
      severity = 'high';
      title = 'runs a program it dropped or brought along';
    } else if (
      /^(?:curl|wget|nc|ncat|netcat|socat|ssh|scp|telnet|python\d*(?:\.\d+)?|perl|ruby|node|php|powershell|pwsh|base64|openssl|xxd)$/.test(
        name,
      )
    ) {
      severity = 'high';
      title = `runs ${name}`;
    } else {
      // An unknown program that is not even there is a probe, not a payload.
      severity = notFound ? 'info' : 'medium';
      title = `runs an unexpected program (${name})`;
    }
    const key = this.emit(
      'sandbox.exec',
      severity,
      `${name}${suffix}`,
      `${title}${suffix}: ${command}`,
      call,
      origin,
    );
    if (shell && !notFound && key) this.shells.push({ pid: call.pid, groupKey: key });
  }

  private access(call: SyscallLine, p: Proc, path: string, write: boolean): void {
    if (write) {
      this.write(call, p, path);
      return;
    }
    const ok = !failed(call.ret);
    if (isCanaryPath(path) && ok) {
      this.emit('sandbox.canary-read', 'critical', path, `read the canary ${path}`, call, p.origin);
      return;
    }
    if (isHome(path)) {
      if (CREDENTIAL_PATH.test(path)) {
        this.emit(
          'sandbox.credential-probe',
          'high',
          path,
          `looked for credentials at ${path}${ok ? '' : ' (absent)'}`,
          call,
          p.origin,
        );
      } else if (path !== SANDBOX.home && !BENIGN_HOME_READ.test(path)) {
        this.emit(
          'sandbox.home-read',
          ok ? 'medium' : 'low',
          path,
          `read ${path} in the home directory`,
          call,
          p.origin,
        );
      }
      return;
    }
    if (SENSITIVE_SYSTEM.test(path)) {
      this.emit('sandbox.sensitive-read', 'medium', path, `read ${path}`, call, p.origin);
      return;
    }
    if (inside(path, SANDBOX.project)) {
      // rustc reads the consumer's sources to compile them; anything else reading the project
      // is code walking into the repository that depends on it.
      if (p.origin.kind !== 'rustc' && path !== SANDBOX.project)
        this.emit(
          'sandbox.project-read',
          'medium',
          path,
          `read ${path} in the consumer project`,
          call,
          p.origin,
        );
      return;
    }
    if (path === '/' || BENIGN_READ_PREFIXES.some((b) => inside(path, b.replace(/\/$/, '')))) return;
    this.emit('sandbox.outside-read', 'info', path, `opened ${path}`, call, p.origin);
  }

  private write(call: SyscallLine, p: Proc, path: string | null): void {
    if (!path) return;
    if (inside(path, SANDBOX.target) || inside(path, '/tmp') || path.startsWith('/dev/null')) return;
    if (inside(path, SANDBOX.crate)) {
      this.emit('sandbox.source-write', 'low', path, `wrote ${path} in its own source tree`, call, p.origin);
      return;
    }
    if (isHome(path)) {
      this.emit('sandbox.home-write', 'high', path, `wrote ${path} in the home directory`, call, p.origin);
      return;
    }
    if (inside(path, SANDBOX.project)) {
      this.emit(
        'sandbox.project-write',
        'high',
        path,
        `wrote ${path} in the consumer project`,
        call,
        p.origin,
      );
      return;
    }
    if (path.startsWith('/dev/') || path.startsWith('/proc/self/')) return;
    this.emit('sandbox.outside-write', 'high', path, `tried to write ${path}`, call, p.origin);
  }

  private connect(call: SyscallLine, p: Proc): void {
    const addr = call.args[1] ?? '';
    const unix = /sun_path=("(?:[^"\\]|\\.)*")/.exec(addr);
    if (unix) {
      const path = straceText(unix[1]!) ?? '';
      if (NSCD.test(path)) return;
      this.emit(
        'sandbox.network',
        'medium',
        `unix:${path}`,
        `connected to the local socket ${path}`,
        call,
        p.origin,
      );
      return;
    }
    const target = inetTarget(addr);
    if (!target) return;
    const { host, port } = target;
    const name = this.ctx.sinkhole?.get(host);
    if (name) {
      // The address the sinkhole gave a name: this is the connect the lookup was for.
      this.emit(
        'sandbox.network',
        'high',
        `${name}:${port}`,
        `connect ${host}:${port} (sinkhole for ${name})`,
        call,
        p.origin,
      );
      return;
    }
    if (isLoopback(host)) {
      if (port === 53) return; // the sandbox's resolver: the query itself is judged in send()
      this.emit(
        'sandbox.network',
        'medium',
        `${host}:${port}`,
        `connected to a local service ${host}:${port}`,
        call,
        p.origin,
      );
      return;
    }
    this.emit('sandbox.network', 'high', `${host}:${port}`, `connected to ${host}:${port}`, call, p.origin);
  }

  private send(call: SyscallLine, p: Proc): void {
    const raw =
      call.name === 'sendto'
        ? [call.args[1] ?? '']
        : [...call.args.join(',').matchAll(/iov_base=("(?:[^"\\]|\\.)*")/gs)].map((m) => m[1]!);
    // One call often carries a name's A and AAAA queries together: one evidence line for both.
    const names = new Set<string>();
    for (const lit of raw) {
      const bytes = decodeStraceString(lit);
      if (!bytes) continue;
      const name = dnsQueryName(bytes);
      if (name && !names.has(name))
        this.emit('sandbox.dns', 'high', name, `looked up ${name}`, call, p.origin);
      if (name) names.add(name);
      const text = bytes.toString('latin1');
      const leaked = this.ctx.canaryValues.find((v) => text.includes(v));
      if (leaked)
        this.emit('sandbox.canary-exfil', 'critical', leaked, 'sent a canary credential out', call, p.origin);
    }
    if (call.name === 'sendto') {
      const target = inetTarget(call.args[4] ?? '');
      const name = target && this.ctx.sinkhole?.get(target.host);
      if (target && (name || !isLoopback(target.host)))
        this.emit(
          'sandbox.network',
          'high',
          `${name ?? target.host}:${target.port}`,
          `sent a datagram to ${target.host}:${target.port}${name ? ` (sinkhole for ${name})` : ''}`,
          call,
          p.origin,
        );
    }
  }

  private emit(
    ruleId: string,
    severity: Severity,
    key: string,
    title: string,
    call: SyscallLine,
    origin: Origin,
  ): string | null {
    const who = describe(origin);
    const line = `[${who}] ${call.text.length > EVIDENCE_CHARS ? `${call.text.slice(0, EVIDENCE_CHARS)}…` : call.text}`;
    const groupKey = `${ruleId}\u0000${key}`;
    const group = this.groups.get(groupKey);
    if (group) {
      group.pids.add(call.pid);
      if (group.lines < EVIDENCE_LINES) {
        group.finding.evidence += `\n${line}`;
        group.lines++;
      } else group.more++;
      return groupKey;
    }
    const count = this.perRule.get(ruleId) ?? 0;
    if (count >= MAX_FINDINGS_PER_RULE) return null;
    this.perRule.set(ruleId, count + 1);
    const context = contextOf(origin);
    // The crate's macros expand while rustc compiles the consumer project.
    const pkg = origin.pkg === CONSUMER_CRATE ? this.ctx.crateName : origin.pkg;
    const own = pkg !== null && normalise(pkg) === normalise(this.ctx.crateName);
    const file = own
      ? ((context === 'build-script' ? this.ctx.buildScript : this.ctx.libPath) ?? null)
      : null;
    const info = ruleInfo(ruleId);
    this.groups.set(groupKey, {
      finding: {
        ruleId,
        severity,
        title: `${info.title}: ${title}`,
        file,
        line: null,
        evidence: line,
        why: info.why,
        ...(context ? { context } : {}),
      },
      lines: 1,
      more: 0,
      pids: new Set([call.pid]),
    });
    return groupKey;
  }
}

function originOfExec(path: string, argv: string[], parent: Origin): Origin {
  const name = basename(path);
  if (path === `${SANDBOX.toolchain}/bin/cargo`) return { kind: 'cargo', pkg: null };
  const script = /\/build\/([A-Za-z0-9_-]+)-[0-9a-f]{16}\/build-script-[^/]*$/.exec(path);
  if (script) return { kind: 'build-script', pkg: script[1]! };
  if (name === 'rustc' && path.startsWith(SANDBOX.toolchain)) {
    const i = argv.indexOf('--crate-name');
    return { kind: 'rustc', pkg: i >= 0 ? (argv[i + 1] ?? null) : null };
  }
  // Programs spawned by a build script or rustc act for it.
  return parent.kind === 'cargo' ? { kind: 'other', pkg: null } : parent;
}

function describe(o: Origin): string {
  switch (o.kind) {
    case 'build-script':
      return `build script of ${o.pkg}`;
    case 'rustc':
      return `rustc compiling ${o.pkg ?? '?'} (proc-macro expansion)`;
    case 'cargo':
      return 'cargo';
    default:
      return 'process';
  }
}

function contextOf(o: Origin): FileContext | undefined {
  return o.kind === 'build-script' ? 'build-script' : o.kind === 'rustc' ? 'proc-macro' : undefined;
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/-/g, '_');
}

function inside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}

function isHome(path: string): boolean {
  return inside(path, SANDBOX.home) || inside(path, '/root') || /^\/home\/[^/]+/.test(path);
}

function isLoopback(host: string): boolean {
  return host.startsWith('127.') || host === '::1' || host === '::ffff:127.0.0.1' || host === '0.0.0.0';
}

function inetTarget(addr: string): { host: string; port: number } | null {
  const port = /sin6?_port=htons\((\d+)\)/.exec(addr);
  if (!port) return null;
  const v4 = /inet_addr\(("(?:[^"\\]|\\.)*")\)/.exec(addr);
  const v6 = /inet_pton\(AF_INET6, ("(?:[^"\\]|\\.)*")/.exec(addr);
  const host = v4 ? straceText(v4[1]!) : v6 ? straceText(v6[1]!) : null;
  return host === null ? null : { host, port: Number(port[1]) };
}
