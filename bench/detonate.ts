// `npm run bench -- detonate [--runs N] [--no-corpus] [--debian N]`
//
// Wall time of the sandboxed build (bubblewrap + strace + real cargo) per crate, with its
// dependencies cached locally (vendored as a directory source; nothing is downloaded) and a
// fresh target directory every time (every dependency compiled from scratch: the worst case the
// publish job meets). Measured on the sandbox samples (test/fixtures/sandbox/) and on real
// crates of the Debian corpus with their dependency trees vendored from the corpus:
// serde_derive (a proc-macro on syn/quote/proc-macro2) and libc (a build script).
// Target: at most 60 s per crate. With --debian N, also builds the first N Debian-corpus crates
// (by name) that have a build script or are proc-macros, once each, and lists those with a
// finding at low or above: real benign crates, so each is a false positive to look at.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseManifest } from '../src/domain/manifest.js';
import { compareVersions, tryParseVersion } from '../src/domain/semver.js';
import { matchesReq, tryParseVersionReq } from '../src/domain/version-req.js';
import { readCrateArchive } from '../src/formats/crate-archive.js';
import {
  Detonator,
  defaultDetonatorOptions,
  findSandboxTools,
  type DetonationInput,
  type VendoredCrate,
} from '../src/security/sandbox/index.js';
import { atLeast } from '../src/security/scanner/types.js';
import { debianCorpus, repoRoot } from './_lib.js';

const TARGET_MS = 60_000;
function numberArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const runs = numberArg('runs', 3);
const debianSweep = numberArg('debian', 0);
const fixtures = join(repoRoot, 'test/fixtures/sandbox');

interface Case {
  label: string;
  input: DetonationInput;
  vendor: VendoredCrate[];
}

/** The newest corpus version matching each requirement, and theirs, normal and build only. */
async function vendorFromCorpus(
  dir: string,
  roots: { name: string; req: string }[],
): Promise<VendoredCrate[]> {
  const byName = new Map<string, { version: string; file: string }[]>();
  for (const file of await readdir(dir)) {
    const m = /^(.+)-(\d+\.\d+\.\d+.*)\.crate$/.exec(file);
    if (!m) continue;
    const list = byName.get(m[1]!) ?? [];
    list.push({ version: m[2]!, file });
    byName.set(m[1]!, list);
  }
  const out: VendoredCrate[] = [];
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const { name, req } = queue.shift()!;
    const r = tryParseVersionReq(req);
    const best = (byName.get(name) ?? [])
      .map((c) => ({ ...c, v: tryParseVersion(c.version) }))
      .filter((c) => c.v && r && matchesReq(r, c.v))
      .sort((a, b) => compareVersions(b.v!, a.v!))[0];
    if (!best || seen.has(best.file)) continue;
    seen.add(best.file);
    const bytes = await readFile(join(dir, best.file));
    // The corpus packer drops build metadata from directory names; the safe reader refuses those.
    const archive = await readCrateArchive(bytes).catch(() => null);
    if (!archive) continue;
    out.push({ name, version: best.version, bytes });
    const manifest = parseManifest(archive.manifestText);
    for (const d of manifest.dependencies) if (d.kind !== 'dev') queue.push({ name: d.name, req: d.req });
  }
  return out;
}

async function corpusCase(dir: string, file: string): Promise<Case> {
  const bytes = await readFile(join(dir, file));
  const manifest = parseManifest((await readCrateArchive(bytes)).manifestText);
  const deps = manifest.dependencies.filter((d) => d.kind !== 'dev' && !d.optional);
  return {
    label: `${file.replace(/\.crate$/, '')} (Debian corpus)`,
    input: { kind: 'bytes', bytes },
    vendor: await vendorFromCorpus(dir, deps),
  };
}

const tools = await findSandboxTools();
const detonator = new Detonator(tools, defaultDetonatorOptions());
const cases: Case[] = [];
for (const dir of ['build-stealer', 'macro-stealer', 'benign-sys'])
  cases.push({ label: dir, input: { kind: 'dir', path: join(fixtures, dir) }, vendor: [] });
const helper = join(fixtures, 'helper');
const helperManifest = parseManifest(await readFile(join(helper, 'Cargo.toml'), 'utf8'));
const { writeCrateArchive } = await import('../src/formats/crate-archive.js');
const helperBytes = await writeCrateArchive(`${helperManifest.name}-${helperManifest.version}`, [
  { path: 'Cargo.toml', data: await readFile(join(helper, 'Cargo.toml')) },
  { path: 'src/lib.rs', data: await readFile(join(helper, 'src/lib.rs')) },
]);
cases.push({
  label: 'helper-user (+1 vendored dependency)',
  input: { kind: 'dir', path: join(fixtures, 'helper-user') },
  vendor: [{ name: helperManifest.name, version: helperManifest.version, bytes: helperBytes }],
});
if (!process.argv.includes('--no-corpus')) {
  const corpus = debianCorpus();
  const cc = await readFile(join(corpus, 'cc-1.0.73.crate'));
  cases.push({
    label: 'benign-cc-sys (+cc 1.0.73)',
    input: { kind: 'dir', path: join(fixtures, 'benign-cc-sys') },
    vendor: [{ name: 'cc', version: '1.0.73', bytes: cc }],
  });
  cases.push(await corpusCase(corpus, 'serde_derive-1.0.152.crate'));
  cases.push(await corpusCase(corpus, 'libc-0.2.139.crate'));
}

console.log(`sandboxed build, ${runs} runs per crate, fresh target directory each run, jobs=2`);
let worst = 0;
for (const c of cases) {
  const times: number[] = [];
  let summary = '';
  for (let i = 0; i < runs; i++) {
    const r = await detonator.detonate(c.input, { crates: c.vendor });
    times.push(r.ms);
    const flagged = r.findings.filter((f) => atLeast(f.severity, 'low')).map((f) => f.ruleId);
    summary = `exit ${r.exitCode ?? 'killed'}${r.timedOut ? ' (timed out)' : ''}, ${flagged.length} finding(s) low+${flagged.length ? `: ${[...new Set(flagged)].join(', ')}` : ''}`;
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  worst = Math.max(worst, times[times.length - 1]!);
  console.log(
    `  ${c.label.padEnd(44)} median ${(median / 1000).toFixed(1).padStart(5)} s  max ${(times[times.length - 1]! / 1000).toFixed(1).padStart(5)} s  vendored ${String(c.vendor.length).padStart(2)}  ${summary}`,
  );
}
console.log(
  `slowest sandboxed build: ${(worst / 1000).toFixed(1)} s per crate   target <= ${TARGET_MS / 1000} s   ${worst <= TARGET_MS ? 'OK' : 'MISSED'}`,
);

if (debianSweep > 0) {
  const corpus = debianCorpus();
  const files = (await readdir(corpus)).filter((f) => f.endsWith('.crate')).sort();
  let built = 0;
  let flagged = 0;
  let slowest = 0;
  const failures: string[] = [];
  for (const file of files) {
    if (built >= debianSweep) break;
    const bytes = await readFile(join(corpus, file));
    const archive = await readCrateArchive(bytes).catch(() => null);
    if (!archive) continue;
    const paths = new Set(archive.files.map((f) => f.path));
    const manifest = parseManifest(archive.manifestText, (p) => paths.has(p));
    if (!manifest.build && !manifest.procMacro) continue;
    built++;
    const c = await corpusCase(corpus, file);
    const r = await detonator.detonate(c.input, { crates: c.vendor });
    slowest = Math.max(slowest, r.ms);
    if (r.exitCode !== 0) {
      failures.push(file);
      const reason = r.log.split('\n').find((l) => /^error/.test(l)) ?? (r.timedOut ? 'timed out' : '?');
      if (process.argv.includes('--verbose'))
        console.log(`  failed ${file} (${(r.ms / 1000).toFixed(1)} s): ${reason.slice(0, 160)}`);
    }
    const low = r.findings.filter((f) => atLeast(f.severity, 'low'));
    if (low.length === 0) continue;
    flagged++;
    console.log(`  flagged ${file}: ${low.map((f) => `${f.severity} ${f.title}`).join('; ')}`);
  }
  console.log(
    `Debian corpus: ${built} crates with a build script or proc-macro built; ${flagged} with a sandbox finding at low+; ` +
      `${failures.length} builds failed (their code ran up to the failure); slowest ${(slowest / 1000).toFixed(1)} s`,
  );
}
