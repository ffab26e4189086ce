// The sandboxed build end to end, with real bubblewrap, strace and cargo (no mocks): inert
// samples whose build script tries the network, a DNS lookup, a shell and a canary key, or
// resolves a name (answered by the sandbox's DNS sinkhole) and connects to it; a
// proc-macro reading canary cloud credentials at expansion; a benign -sys crate compiling C
// (nothing above info); dependencies vendored from .crate files; the timeout; the CLI; and
// the `detonate` job of the publish pipeline recording findings in the real SQLite store.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerScanCommands } from '../../src/cli/commands/scan.js';
import { manifestToPublishMetadata, parseManifest } from '../../src/domain/manifest.js';
import { writeCrateArchive } from '../../src/formats/crate-archive.js';
import {
  Detonator,
  defaultDetonatorOptions,
  findSandboxTools,
  type DetonationResult,
  type SandboxTools,
} from '../../src/security/sandbox/index.js';
import { atLeast, type Finding } from '../../src/security/scanner/types.js';
import { repoRoot } from '../support/paths.js';
import { requirePrerequisite } from '../support/prerequisites.js';
import { publishBody } from '../support/publish-body.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';

const FIXTURES = join(repoRoot, 'test/fixtures/sandbox');
const BUILD_TIMEOUT = 120_000;

let tools: SandboxTools;
let detonator: Detonator;

beforeAll(async () => {
  requirePrerequisite('sandboxTools');
  tools = await findSandboxTools();
  detonator = new Detonator(tools, defaultDetonatorOptions({ timeoutMs: 60_000 }));
});

/** Packs a fixture directory as a .crate, the way cargo package lays it out. */
async function packFixture(dir: string): Promise<{ name: string; version: string; bytes: Buffer }> {
  const root = join(FIXTURES, dir);
  const entries: { path: string; data: Buffer }[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else entries.push({ path: relative(root, p), data: await readFile(p) });
    }
  };
  await walk(root);
  const manifest = parseManifest(await readFile(join(root, 'Cargo.toml'), 'utf8'));
  const bytes = await writeCrateArchive(`${manifest.name}-${manifest.version}`, entries);
  return { name: manifest.name, version: manifest.version, bytes };
}

async function publishFixture(h: Harness, token: string, dir: string): Promise<number> {
  const { bytes } = await packFixture(dir);
  const files = new Set<string>();
  const root = join(FIXTURES, dir);
  for (const f of ['build.rs', 'src/lib.rs'])
    if (await readFile(join(root, f)).catch(() => null)) files.add(f);
  const metadata = manifestToPublishMetadata(
    parseManifest(await readFile(join(root, 'Cargo.toml'), 'utf8'), (p) => files.has(p)),
  );
  const res = await fetch(`${h.url}/api/v1/crates/new`, {
    method: 'PUT',
    headers: { authorization: token },
    body: publishBody(metadata, bytes),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const crate = await h.services.crates.findByName(metadata.name);
  return (await h.services.crates.findVersion(crate!.id, metadata.vers))!.id;
}

function only(findings: Finding[], ruleId: string): Finding[] {
  return findings.filter((f) => f.ruleId === ruleId);
}

describe('sandboxed build of malicious samples', () => {
  let stealer: DetonationResult;

  beforeAll(async () => {
    stealer = await detonator.detonate({ kind: 'dir', path: join(FIXTURES, 'build-stealer') });
  }, BUILD_TIMEOUT);

  it('builds the crate and attributes what it does to its build script', () => {
    expect(stealer.built).toBe(true);
    expect(stealer.timedOut).toBe(false);
    const sandbox = stealer.findings.filter((f) => atLeast(f.severity, 'low'));
    expect(sandbox.length).toBeGreaterThanOrEqual(4);
    for (const f of sandbox) expect(f).toMatchObject({ context: 'build-script', file: 'build.rs' });
  });

  it('records the connect attempt with address and port, with the syscall as evidence', () => {
    const [net] = only(stealer.findings, 'sandbox.network');
    expect(net?.severity).toBe('high');
    expect(net?.title).toContain('192.0.2.1:443');
    expect(net?.evidence).toMatch(
      /\[build script of build-stealer\] \d+ connect\(.*inet_addr\("192\.0\.2\.1"\)/,
    );
    expect(net?.evidence).toContain('ENETUNREACH');
  });

  it('records the DNS name looked up', () => {
    const names = only(stealer.findings, 'sandbox.dns').map((f) => f.title);
    expect(names).toEqual([expect.stringContaining('exfil.example.invalid')]);
  });

  it(
    'answers a lookup from the sinkhole and attributes the connect that follows to the name',
    async () => {
      const r = await detonator.detonate({ kind: 'dir', path: join(FIXTURES, 'build-c2') });
      expect(r.exitCode, r.log).toBe(0);
      expect(only(r.findings, 'sandbox.dns').map((f) => f.title)).toEqual([
        expect.stringContaining('looked up c2.example.invalid'),
      ]);
      const net = only(r.findings, 'sandbox.network');
      expect(net).toHaveLength(1);
      expect(net[0]).toMatchObject({ severity: 'high', context: 'build-script', file: 'build.rs' });
      expect(net[0]!.title).toMatch(/connect 127\.53\.0\.1:443 \(sinkhole for c2\.example\.invalid\)$/);
      expect(net[0]!.evidence).toMatch(
        /\[build script of build-c2\] \d+ connect\(.*sin_port=htons\(443\).*inet_addr\("127\.53\.0\.1"\)/,
      );
      // The sinkhole itself runs outside strace: nothing else is reported.
      expect(r.findings.filter((f) => atLeast(f.severity, 'low')).map((f) => f.ruleId)).toEqual([
        'sandbox.dns',
        'sandbox.network',
      ]);
    },
    BUILD_TIMEOUT,
  );

  it('records the shell with its command string', () => {
    const [exec] = only(stealer.findings, 'sandbox.exec');
    expect(exec?.severity).toBe('high');
    expect(exec?.title).toContain('sh -c id > /dev/null; echo FAKE-DO-NOT-RUN');
    expect(exec?.evidence).toMatch(/execve\("\/usr\/bin\/sh", \["sh", "-c"/);
  });

  it('records the read of the canary SSH key as critical', () => {
    const [read] = only(stealer.findings, 'sandbox.canary-read');
    expect(read?.severity).toBe('critical');
    expect(read?.evidence).toContain('/home/builder/.ssh/id_rsa');
  });

  it(
    'sees a proc-macro read canary cloud credentials at expansion',
    async () => {
      const r = await detonator.detonate({ kind: 'dir', path: join(FIXTURES, 'macro-stealer') });
      const [read] = only(r.findings, 'sandbox.canary-read');
      expect(read).toMatchObject({ severity: 'critical', context: 'proc-macro', file: 'src/lib.rs' });
      expect(read?.evidence).toContain('/home/builder/.aws/credentials');
      // All three macro kinds were invoked; only the derive reads, so nothing else is reported.
      expect(r.findings.filter((f) => atLeast(f.severity, 'low')).map((f) => f.ruleId)).toEqual([
        'sandbox.canary-read',
      ]);
    },
    BUILD_TIMEOUT,
  );
});

describe('sandboxed build of benign crates', () => {
  it(
    'flags nothing above info for a -sys crate compiling vendored C with cc and ar',
    async () => {
      const r = await detonator.detonate({ kind: 'dir', path: join(FIXTURES, 'benign-sys') });
      expect(r.exitCode).toBe(0);
      expect(r.findings.filter((f) => atLeast(f.severity, 'low'))).toEqual([]);
    },
    BUILD_TIMEOUT,
  );

  it(
    'flags nothing above info for a -sys crate built with the cc crate (vendored from the Debian corpus)',
    async () => {
      const corpus = requirePrerequisite('debianCorpus');
      const bytes = await readFile(join(corpus, 'cc-1.0.73.crate'));
      const r = await detonator.detonate(
        { kind: 'dir', path: join(FIXTURES, 'benign-cc-sys') },
        { crates: [{ name: 'cc', version: '1.0.73', bytes }] },
      );
      expect(r.exitCode, r.log).toBe(0);
      expect(r.findings.filter((f) => atLeast(f.severity, 'low'))).toEqual([]);
    },
    BUILD_TIMEOUT,
  );

  it(
    'builds against dependencies vendored from .crate files, and traces the dependency-driven read',
    async () => {
      const helper = await packFixture('helper');
      const user = await packFixture('helper-user');
      const r = await detonator.detonate({ kind: 'bytes', bytes: user.bytes }, { crates: [helper] });
      expect(r.exitCode, r.log).toBe(0);
      const [read] = only(r.findings, 'sandbox.sensitive-read');
      expect(read?.title).toContain('/etc/passwd');
      expect(read?.context).toBe('build-script');
    },
    BUILD_TIMEOUT,
  );

  it(
    'reports a failed build (a missing dependency) as info only',
    async () => {
      const user = await packFixture('helper-user');
      const r = await detonator.detonate({ kind: 'bytes', bytes: user.bytes });
      expect(r.exitCode).not.toBe(0);
      const [failed] = only(r.findings, 'sandbox.build-failed');
      expect(failed?.severity).toBe('info');
      expect(failed?.evidence).toMatch(/ck-helper/);
    },
    BUILD_TIMEOUT,
  );

  it('builds nothing for a crate with neither a build script nor proc-macros', async () => {
    const plain = await writeCrateArchive('plain-0.1.0', [
      { path: 'Cargo.toml', data: '[package]\nname = "plain"\nversion = "0.1.0"\nedition = "2021"\n' },
      { path: 'src/lib.rs', data: 'pub fn f() {}\n' },
    ]);
    const r = await detonator.detonate({ kind: 'bytes', bytes: plain });
    expect(r).toMatchObject({ built: false, findings: [] });
  });
});

describe('sandbox limits', () => {
  it(
    'kills a build that runs past its wall-clock limit and says so',
    async () => {
      const quick = new Detonator(tools, defaultDetonatorOptions({ timeoutMs: 4_000 }));
      const started = Date.now();
      const r = await quick.detonate({ kind: 'dir', path: join(FIXTURES, 'slow-build') });
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(r.timedOut).toBe(true);
      expect(only(r.findings, 'sandbox.timeout')[0]).toMatchObject({ severity: 'medium' });
    },
    BUILD_TIMEOUT,
  );

  it(
    'holds a build script to the address-space limit',
    async () => {
      const small = new Detonator(tools, defaultDetonatorOptions({ memoryBytes: 2 * 1024 ** 3 }));
      const r = await small.detonate({ kind: 'dir', path: join(FIXTURES, 'memory-hog') });
      expect(r.exitCode).not.toBe(0);
      expect(r.log).toContain('memory allocation of 6442450944 bytes failed');
      expect(only(r.findings, 'sandbox.build-failed')).toHaveLength(1);
    },
    BUILD_TIMEOUT,
  );

  it(
    'holds a build to its process ceiling in a pids cgroup and reports the refused forks',
    async () => {
      // rustc and cargo need a few dozen tasks; the build script asks for 2,000 threads.
      const capped = new Detonator(tools, defaultDetonatorOptions({ maxTasks: 200 }));
      const r = await capped.detonate({ kind: 'dir', path: join(FIXTURES, 'thread-flood') });
      // This machine kind gives root a pids hierarchy; a worker without one reports `none`.
      expect(r.processLimit).toMatch(/^cgroup-v[12]$/);
      expect(r.exitCode).toBe(0);
      const [hit] = only(r.findings, 'sandbox.process-limit');
      expect(hit).toMatchObject({ severity: 'medium' });
      expect(hit!.title).toMatch(/\d+ forks? refused at 200 tasks/);
      expect(r.log).toMatch(/started \d+ threads, [1-9]\d* refused/);
      const started = Number(/started (\d+) threads/.exec(r.log)![1]);
      expect(started).toBeLessThan(200);
    },
    BUILD_TIMEOUT,
  );

  it(
    'leaves no cgroup behind and does not limit a normal build',
    async () => {
      const r = await detonator.detonate({ kind: 'dir', path: join(FIXTURES, 'benign-sys') });
      expect(r.exitCode).toBe(0);
      expect(only(r.findings, 'sandbox.process-limit')).toHaveLength(0);
      expect(await leftoverSandboxCgroups()).toEqual([]);
    },
    BUILD_TIMEOUT,
  );
});

/** Our per-build pids cgroups still present anywhere under /sys/fs/cgroup. */
async function leftoverSandboxCgroups(): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      if (e.name.startsWith('cratekeeper-sandbox-')) found.push(join(dir, e.name));
      else if (depth < 4) await walk(join(dir, e.name), depth + 1);
    }
  };
  await walk('/sys/fs/cgroup', 0);
  return found;
}

describe('cratekeeper scan --detonate', () => {
  it(
    'merges the sandbox findings into the report: the verdict is the worst of both',
    async () => {
      let out = '';
      const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
      process.exitCode = 0;
      try {
        const program = new Command().exitOverride();
        registerScanCommands(program);
        await program.parseAsync([
          'node',
          'cratekeeper',
          'scan',
          '--json',
          '--detonate',
          join(FIXTURES, 'build-stealer'),
        ]);
      } finally {
        o.mockRestore();
      }
      const code = process.exitCode;
      process.exitCode = 0;
      expect(code).toBe(0);
      const { reports } = JSON.parse(out) as {
        reports: { verdict: string; findings: Finding[]; capabilities: string[] }[];
      };
      expect(reports[0]!.verdict).toBe('critical');
      const ids = new Set(reports[0]!.findings.map((f) => f.ruleId));
      for (const id of ['sandbox.network', 'sandbox.dns', 'sandbox.exec', 'sandbox.canary-read'])
        expect(ids).toContain(id);
      expect([...ids].some((id) => id.startsWith('build.'))).toBe(true);
      expect(reports[0]!.capabilities).toContain('sandbox:canary-read');
    },
    BUILD_TIMEOUT,
  );
});

describe('the detonate job of the publish pipeline (SQLite)', () => {
  let h: Harness;
  let token: string;

  beforeAll(async () => {
    h = await startRegistry({
      security: { detonate: { enabled: true, timeoutMs: 60_000, memoryMiB: 4096 } },
    });
    token = await h.token('alice');
  });
  afterAll(async () => {
    await h?.close();
  });

  const publish = (dir: string) => publishFixture(h, token, dir);

  it(
    'records the sandbox findings in the version scan and raises a sandbox alert',
    async () => {
      const versionId = await publish('build-stealer');
      await h.worker.drain();
      const scan = await h.pipeline.scans.latest(versionId);
      const findings = JSON.parse(scan!.findings) as Finding[];
      expect(scan!.verdict).toBe('critical');
      expect(findings.map((f) => f.ruleId)).toEqual(
        expect.arrayContaining(['sandbox.canary-read', 'sandbox.network']),
      );
      // The static findings are kept in the merged report.
      expect(findings.some((f) => f.ruleId.startsWith('build.'))).toBe(true);
      const { alerts } = await h.pipeline.alerts.list({ kind: 'sandbox' });
      expect(alerts.map((a) => a.title)).toEqual([
        expect.stringMatching(/^build-stealer@0\.1\.0: critical in the sandboxed build/),
      ]);
      // A later static rescan (`cratekeeper rescan`) keeps what the sandbox saw.
      await h.pipeline.scanJobs.run({ versionId });
      const rescanned = JSON.parse((await h.pipeline.scans.latest(versionId))!.findings) as Finding[];
      expect(rescanned.map((f) => f.ruleId)).toEqual(
        expect.arrayContaining(['sandbox.canary-read', 'sandbox.network']),
      );
    },
    BUILD_TIMEOUT,
  );

  it(
    'vendors the dependencies from the registry own versions',
    async () => {
      await publish('helper');
      const versionId = await publish('helper-user');
      await h.worker.drain();
      const findings = JSON.parse((await h.pipeline.scans.latest(versionId))!.findings) as Finding[];
      expect(findings.map((f) => f.ruleId)).toContain('sandbox.sensitive-read');
      expect(findings.map((f) => f.ruleId)).not.toContain('sandbox.build-failed');
    },
    BUILD_TIMEOUT * 2,
  );
});

describe('the detonate job on a worker without the tools', () => {
  let h: Harness;
  let token: string;

  beforeAll(async () => {
    h = await startRegistry({
      security: {
        detonate: { enabled: true, timeoutMs: 60_000, memoryMiB: 4096, toolchain: '/nonexistent-toolchain' },
      },
    });
    token = await h.token('alice');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('fails the job with a message naming what is missing, and keeps the static scan', async () => {
    const versionId = await publishFixture(h, token, 'build-stealer');
    await h.worker.drain();
    const job = await h.services.db.kysely
      .selectFrom('jobs')
      .selectAll()
      .where('kind', '=', 'detonate')
      .executeTakeFirstOrThrow();
    expect(job.attempts).toBe(1);
    expect(job.last_error).toContain('the sandboxed build needs cargo, bwrap and strace');
    expect(job.last_error).toContain('/nonexistent-toolchain is not a Rust toolchain');
    const findings = JSON.parse((await h.pipeline.scans.latest(versionId))!.findings) as Finding[];
    expect(findings.some((f) => f.ruleId.startsWith('build.'))).toBe(true);
    expect(findings.some((f) => f.ruleId.startsWith('sandbox.'))).toBe(false);
  });
});
