// Diff sizes for `vet check`'s suggestions, measured as cargo-vet measures them
// (`storage.rs` `diffstat_package`: `git diff --no-index --numstat`, a full audit against an
// empty directory, Cargo.lock/.cargo_vcs_info.json/.cargo-ok skipped) over sources already on
// this machine: the packages `cargo metadata` resolved and cargo's unpacked registry sources.
// Nothing is downloaded; a candidate whose sources are missing is left unmeasured.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { formatVetVersion } from '../../formats/vet-common.js';
import type { CargoMetadata } from '../../security/vet/metadata-graph.js';
import type { DiffStat, DiffStatProvider } from '../../security/vet/report.js';

// `.cargo-checksum.json` is what `cargo vendor` adds; it is not part of the published crate.
const SKIP = new Set(['Cargo.lock', '.cargo_vcs_info.json', '.cargo-ok', '.cargo-checksum.json']);
const MAX_DIFFS = 64;

export function localDiffStats(meta: CargoMetadata): { provider: DiffStatProvider; dispose: () => void } {
  const dirs = new Map<string, string>();
  for (const p of meta.packages) {
    if (p.manifestPath !== undefined)
      dirs.set(`${p.name}@${formatVetVersion(p.version)}`, dirname(p.manifestPath));
  }
  const cargoHome = process.env['CARGO_HOME'] ?? join(homedir(), '.cargo');
  const srcRoot = join(cargoHome, 'registry', 'src');
  const registries = existsSync(srcRoot) ? readdirSync(srcRoot).map((d) => join(srcRoot, d)) : [];
  const find = (crate: string, version: string): string | undefined => {
    const known = dirs.get(`${crate}@${version}`);
    if (known !== undefined) return known;
    for (const r of registries) {
      const d = join(r, `${crate}-${version}`);
      if (existsSync(join(d, 'Cargo.toml'))) return d;
    }
    return undefined;
  };
  let empty: string | undefined;
  let count = 0;
  const cache = new Map<string, DiffStat | undefined>();
  const provider: DiffStatProvider = (crate, delta) => {
    const key = `${crate} ${delta.from === null ? '' : formatVetVersion(delta.from)} ${formatVetVersion(delta.to)}`;
    if (cache.has(key)) return cache.get(key);
    let result: DiffStat | undefined;
    const to = find(crate, formatVetVersion(delta.to));
    const from =
      delta.from === null
        ? (empty ??= mkdtempSync(join(tmpdir(), 'ck-vet-empty-')))
        : find(crate, formatVetVersion(delta.from));
    if (to !== undefined && from !== undefined && count < MAX_DIFFS) {
      count++;
      result = gitDiffStat(from, to);
    }
    cache.set(key, result);
    return result;
  };
  return { provider, dispose: () => empty !== undefined && rmSync(empty, { recursive: true, force: true }) };
}

function gitDiffStat(a: string, b: string): DiffStat | undefined {
  let out: string;
  try {
    out = execFileSync('git', ['diff', '--ignore-cr-at-eol', '--no-index', '--numstat', '-z', a, b], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch (err) {
    // Exit status 1 means "differences found".
    const e = err as { status?: number; stdout?: string };
    if (e.status !== 1 || typeof e.stdout !== 'string') return undefined;
    out = e.stdout;
  }
  const stat: DiffStat = { filesChanged: 0, insertions: 0, deletions: 0 };
  // Records: "INS\tDEL\t" then, for a path pair, "\0FROM\0TO\0"; one path: "PATH\0".
  const parts = out.split('\0');
  for (let i = 0; i < parts.length;) {
    const head = parts[i++]!;
    if (head === '') continue;
    const [ins, del, path] = head.split('\t') as [string, string, string | undefined];
    let rel: string;
    if (path !== undefined && path !== '') {
      rel = path;
    } else {
      const fromPath = parts[i++] ?? '';
      const toPath = parts[i++] ?? '';
      rel = toPath !== '/dev/null' ? relative(toPath, b) : relative(fromPath, a);
    }
    if (SKIP.has(rel)) continue;
    stat.filesChanged++;
    if (ins !== '-') stat.insertions += Number(ins) || 0;
    if (del !== '-') stat.deletions += Number(del) || 0;
  }
  return stat;
}

function relative(path: string, root: string): string {
  const r = root.endsWith('/') ? root : `${root}/`;
  return path.startsWith(r) ? path.slice(r.length) : path;
}
