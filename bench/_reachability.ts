// `audit --reachability` on a synthetic 500-package lockfile built from the Debian corpus: 500
// crates of distinct names unpacked as a `cargo vendor` directory, a workspace member calling
// into 20 of them, a lockfile whose dependency lists come from each crate's Cargo.toml, and 20
// advisories with `[affected.functions]` on functions those crates define. The first run fills
// the analysis cache; the figure is the second run, from the cache: target < 5 s.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { auditReachability } from '../src/analysis/lockfile-reachability.js';
import { parseLockfile } from '../src/domain/lockfile.js';
import { auditLockfile } from '../src/security/advisories/audit.js';
import { loadAdvisoryDatabases } from '../src/security/advisories/database.js';

const CRATES_IO = 'registry+https://github.com/rust-lang/crates.io-index';
const ident = (s: string) => s.replace(/-/g, '_');

/** `cacheDir`: keep the analysis cache there (reruns then skip the cold analyses); default a fresh one. */
export async function reachabilityBench(
  dir: string,
  workers: number,
  packages = 500,
  cacheDir?: string,
): Promise<boolean> {
  const byName = new Map<string, string>();
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith('.crate'))
    .sort()) {
    const m = /^(.+)-(\d+\.\d+\.\d+.*)\.crate$/.exec(f);
    if (m && !byName.has(m[1]!)) byName.set(m[1]!, f);
  }
  const chosen = [...byName.entries()].slice(0, packages);
  const root = mkdtempSync(join(tmpdir(), 'ck-bench-reach-'));
  try {
    const vendor = join(root, 'vendor');
    mkdirSync(vendor);
    const pkgs: { name: string; version: string; checksum: string; deps: string[] }[] = [];
    for (const [, file] of chosen) {
      const bytes = readFileSync(join(dir, file));
      execFileSync('tar', ['xzf', join(dir, file), '-C', vendor]);
      const base = file.slice(0, -'.crate'.length);
      let doc: { package?: { name?: string; version?: string }; dependencies?: Record<string, unknown> };
      try {
        doc = parseToml(readFileSync(join(vendor, base, 'Cargo.toml'), 'utf8')) as typeof doc;
      } catch {
        continue;
      }
      const name = doc.package?.name;
      const version = doc.package?.version;
      if (typeof name !== 'string' || typeof version !== 'string') continue;
      const deps = Object.entries(doc.dependencies ?? {}).map(([k, v]) =>
        typeof v === 'object' && v !== null && typeof (v as { package?: unknown }).package === 'string'
          ? (v as { package: string }).package
          : k,
      );
      pkgs.push({ name, version, checksum: createHash('sha256').update(bytes).digest('hex'), deps });
    }
    const names = new Set(pkgs.map((p) => p.name));
    // 20 crates the workspace calls (their first public free fn), each with an advisory on it.
    const targets: { name: string; fn: string }[] = [];
    for (const p of pkgs) {
      if (targets.length >= 20) break;
      const lib = join(vendor, `${p.name}-${p.version}`, 'src', 'lib.rs');
      let text = '';
      try {
        text = readFileSync(lib, 'utf8');
      } catch {
        continue;
      }
      const m = /^pub fn ([a-z_][a-z0-9_]*)\s*\(/m.exec(text);
      if (m) targets.push({ name: p.name, fn: `${ident(p.name)}::${m[1]}` });
    }
    const ws = join(root, 'ws');
    mkdirSync(join(ws, 'src'), { recursive: true });
    const versionOf = new Map(pkgs.map((p) => [p.name, p.version]));
    writeFileSync(
      join(ws, 'Cargo.toml'),
      '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n' +
        targets.map((t) => `${t.name} = "=${versionOf.get(t.name)}"\n`).join(''),
    );
    // Half the advisories' functions are called; the others are not.
    const called = targets.filter((_, i) => i % 2 === 0);
    writeFileSync(
      join(ws, 'src', 'lib.rs'),
      `pub fn run() {\n${called.map((t) => `    ${t.fn}();\n`).join('')}}\n`,
    );
    const lock = [
      'version = 4\n',
      `[[package]]\nname = "app"\nversion = "0.1.0"\ndependencies = [${targets.map((t) => JSON.stringify(t.name)).join(', ')}]\n`,
      ...pkgs.map(
        (p) =>
          `[[package]]\nname = "${p.name}"\nversion = "${p.version}"\nsource = "${CRATES_IO}"\nchecksum = "${p.checksum}"\n` +
          `dependencies = [${[...new Set(p.deps.filter((d) => names.has(d) && d !== p.name))].map((d) => JSON.stringify(d)).join(', ')}]\n`,
      ),
    ].join('\n');
    writeFileSync(join(ws, 'Cargo.lock'), lock);
    const db = join(root, 'db');
    targets.forEach((t, i) => {
      const id = `RUSTSEC-2099-${String(i + 1).padStart(4, '0')}`;
      mkdirSync(join(db, 'crates', t.name), { recursive: true });
      writeFileSync(
        join(db, 'crates', t.name, `${id}.md`),
        `\`\`\`toml\n[advisory]\nid = "${id}"\npackage = "${t.name}"\ndate = "2099-01-01"\n\n[affected.functions]\n"${t.fn}" = [">= 0.0.0"]\n\n[versions]\npatched = []\n\`\`\`\n\n# Synthetic\n\nFor the bench.\n`,
      );
    });
    const index = await loadAdvisoryDatabases([db]);
    const report = auditLockfile(index, parseLockfile(lock), {
      targetArch: [],
      targetOs: [],
      severity: null,
      ignore: [],
      informationalWarnings: [],
    });
    const opts = {
      manifestPath: join(ws, 'Cargo.toml'),
      vendorDir: vendor,
      cacheDir: cacheDir ?? join(root, 'cache'),
      workers,
    };
    const t0 = performance.now();
    const first = await auditReachability(report, opts);
    const cold = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const second = await auditReachability(report, opts);
    const warm = (performance.now() - t1) / 1000;
    const count = (s: string) => second.vulnerabilities.filter((v) => v.status === s).length;
    const ok = warm < 5 && second.analysed <= 1 && count('called') >= called.length;
    console.log(
      `  reachability:        ${report.packages.length}-package lockfile, ${second.vulnerabilities.length} advisories with affected functions: ` +
        `${warm.toFixed(2)} s with analyses cached (${second.cached} from the cache), ${cold.toFixed(1)} s cold (${first.analysed} analysed)   target < 5 s   ${ok ? 'ok' : 'MISSED'}`,
    );
    console.log(
      `    called ${count('called')} (expected ${called.length}), not called ${count('not-called')}, unknown ${count('unknown')}; sources unavailable ${second.sourcesUnavailable.length}`,
    );
    console.log(
      `    phases (cached run, ms): ${Object.entries(second.timings)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
    for (const n of second.notes.slice(0, 3)) console.log(`    note: ${n.slice(0, 200)}`);
    return ok;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
