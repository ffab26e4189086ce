// Lockfile audits: loading the whole RustSec snapshot from its `.tar.gz`, auditing a 500-package
// lockfile once the database is loaded, and the whole `cratekeeper audit` command (the compiled
// CLI, database load included) on that lockfile.
// Targets: load < 300 ms; audit < 20 ms; command < 0.6 s wall.
//   npm run bench -- audit [--runs 7]
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLockfile } from '../src/domain/lockfile.js';
import { auditLockfile, defaultAuditSettings } from '../src/security/advisories/audit.js';
import { loadAdvisoryDatabases } from '../src/security/advisories/database.js';
import type { AdvisoryIndex } from '../src/security/advisories/advisory.js';
import { realisticLockfile } from './_audit-lockfile.js';
import { argValue, median, repoRoot } from './_lib.js';

const DB = argValue(
  'db',
  new URL('../../shared/data/rustsec-advisory-db-2026-08-21.tar.gz', import.meta.url).pathname,
);
const runs = Number(argValue('runs', '7'));

// CPU time beside wall time: on a shared, loaded machine wall time measures the neighbours too.
const cpuMs = (since: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};
const loads: number[] = [];
const loadCpu: number[] = [];
let index: AdvisoryIndex | null = null;
for (let i = 0; i < runs; i++) {
  const c = process.cpuUsage();
  const t = performance.now();
  index = await loadAdvisoryDatabases([DB]);
  loads.push(performance.now() - t);
  loadCpu.push(cpuMs(c));
}
const text = realisticLockfile(index!);
const lock = parseLockfile(text);
const settings = defaultAuditSettings();
const first = auditLockfile(index!, lock, settings);
const audits: number[] = [];
const auditCpu: number[] = [];
for (let i = 0; i < Math.max(30, runs * 5); i++) {
  const c = process.cpuUsage();
  const t = performance.now();
  auditLockfile(index!, lock, settings);
  audits.push(performance.now() - t);
  auditCpu.push(cpuMs(c));
}

const work = await mkdtemp(join(tmpdir(), 'ck-bench-audit-'));
const commands: number[] = [];
const commandCpu: number[] = [];
try {
  const lockPath = join(work, 'Cargo.lock');
  await writeFile(lockPath, text);
  const cli = join(repoRoot, 'dist', 'cli', 'main.js');
  for (let i = 0; i < runs; i++) {
    // GNU time also gives the child's CPU time, which a loaded machine inflates less than wall time.
    const timeFile = join(work, 'time.txt');
    const t = performance.now();
    try {
      execFileSync(
        '/usr/bin/time',
        [
          '-o',
          timeFile,
          '-f',
          '%U %S',
          process.execPath,
          cli,
          'audit',
          lockPath,
          '--db',
          DB,
          '--json',
          '--no-yanked',
        ],
        {
          // Outside the repository: no ./data registry or .cargo/audit.toml of a checkout applies.
          cwd: work,
          stdio: ['ignore', 'pipe', 'pipe'],
          maxBuffer: 64 * 1024 * 1024,
        },
      );
    } catch (e) {
      // Exit 1 = vulnerabilities found, which this lockfile has by construction.
      if ((e as { status?: number }).status !== 1) throw e;
    }
    commands.push(performance.now() - t);
    const [user, sys] = (await readFile(timeFile, 'utf8')).trim().split('\n').pop()!.split(' ').map(Number);
    commandCpu.push((user! + sys!) * 1000);
  }
} finally {
  await rm(work, { recursive: true, force: true });
}

const load = median(loads);
const audit = median(audits);
const command = median(commands);
const warnings = [...first.warnings.values()].reduce((n, l) => n + l.length, 0);
console.log(
  `audit: RustSec snapshot ${index!.advisories.length} advisories; lockfile ${lock.packages.length} packages ` +
    `(${first.vulnerabilities.length} vulnerabilities, ${warnings} warnings); load average ${loadavg()[0]!.toFixed(1)}`,
);
console.log(
  `load database (.tar.gz): ${load.toFixed(0)} ms wall median of ${runs}, ${median(loadCpu).toFixed(0)} ms CPU (target < 300 ms: ${load < 300 ? 'met' : 'NOT met'})`,
);
console.log(
  `audit 500 packages:      ${audit.toFixed(2)} ms wall median of ${audits.length}, ${median(auditCpu).toFixed(2)} ms CPU (target < 20 ms: ${audit < 20 ? 'met' : 'NOT met'})`,
);
console.log(
  `whole command:           ${(command / 1000).toFixed(2)} s wall median of ${runs}, ${(median(commandCpu) / 1000).toFixed(2)} s CPU (target < 0.6 s wall: ${command < 600 ? 'met' : 'NOT met'})`,
);
if (load >= 300 || audit >= 20 || command >= 600) process.exitCode = 1;
