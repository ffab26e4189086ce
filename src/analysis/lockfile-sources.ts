// Where the source of each package of a lockfile is on this machine: workspace members and path
// dependencies from `cargo metadata` (offline, locked), registry packages from a `cargo vendor`
// directory or $CARGO_HOME/registry/src. A package found nowhere is listed as unavailable: the
// reachability answer through it is "unknown".
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { LockedPackage } from '../domain/lockfile.js';

export interface PackageSource {
  dir: string;
  /** Identifies the source's content for the analysis cache; null when unknown (not cached). */
  checksum: string | null;
}

export interface LockfileSources {
  /** `name version` of the workspace members. */
  members: Set<string>;
  /** `name version source` -> where its source is. */
  found: Map<string, PackageSource>;
  notes: string[];
}

export class SourceLocationError extends Error {
  override name = 'SourceLocationError';
}

export const packageKey = (p: { name: string; version: string; source: string | null }): string =>
  `${p.name} ${p.version} ${p.source ?? ''}`;

interface MetadataPackage {
  id: string;
  name: string;
  version: string;
  source: string | null;
  manifest_path: string;
}
interface Metadata {
  packages: MetadataPackage[];
  workspace_members: string[];
}

function cargoMetadata(manifestPath: string, noDeps: boolean): Promise<Metadata> {
  const args = [
    'metadata',
    '--format-version',
    '1',
    '--offline',
    '--locked',
    '--manifest-path',
    manifestPath,
  ];
  if (noDeps) args.push('--no-deps');
  return new Promise((resolve, reject) => {
    execFile(
      'cargo',
      args,
      { cwd: dirname(manifestPath), maxBuffer: 256 * 1024 * 1024, timeout: 120_000 },
      (err, stdout, stderr) => {
        if (err) {
          const code = (err as NodeJS.ErrnoException).code;
          return reject(
            new SourceLocationError(
              code === 'ENOENT'
                ? 'cargo is not on PATH'
                : `cargo metadata failed: ${String(stderr).trim() || err.message}`,
            ),
          );
        }
        try {
          const doc = JSON.parse(stdout) as Partial<Metadata>;
          if (!Array.isArray(doc.packages) || !Array.isArray(doc.workspace_members))
            throw new Error('no packages or workspace_members');
          resolve(doc as Metadata);
        } catch (e) {
          reject(new SourceLocationError(`cargo metadata output unusable: ${(e as Error).message}`));
        }
      },
    );
  });
}

function manifestVersion(dir: string): string | null {
  try {
    const doc = parseToml(readFileSync(join(dir, 'Cargo.toml'), 'utf8')) as {
      package?: { version?: unknown };
    };
    return typeof doc.package?.version === 'string' ? doc.package.version : null;
  } catch {
    return null;
  }
}

function vendorChecksum(dir: string): string | null {
  try {
    const doc = JSON.parse(readFileSync(join(dir, '.cargo-checksum.json'), 'utf8')) as { package?: unknown };
    return typeof doc.package === 'string' ? doc.package : null;
  } catch {
    return null;
  }
}

/** `cargo vendor`'s layout: `NAME` for one version, `NAME-VERSION` with --versioned-dirs or duplicates. */
function inVendor(vendor: string, p: LockedPackage): PackageSource | null {
  for (const d of [join(vendor, `${p.name}-${p.version}`), join(vendor, p.name)]) {
    if (manifestVersion(d) === p.version) return { dir: d, checksum: p.checksum ?? vendorChecksum(d) };
  }
  return null;
}

function registrySrcDirs(cargoHome: string): string[] {
  const src = join(cargoHome, 'registry', 'src');
  try {
    return readdirSync(src).map((d) => join(src, d));
  } catch {
    return [];
  }
}

export interface LocateOptions {
  /** The workspace's Cargo.toml. */
  manifestPath: string;
  vendorDir?: string;
  cargoHome?: string;
}

export async function locateSources(
  packages: LockedPackage[],
  opts: LocateOptions,
): Promise<LockfileSources> {
  const notes: string[] = [];
  if (!existsSync(opts.manifestPath))
    throw new SourceLocationError(`${opts.manifestPath} does not exist (give --manifest-path)`);
  let meta: Metadata;
  try {
    meta = await cargoMetadata(opts.manifestPath, false);
  } catch (e) {
    // Registry sources missing make the full resolve fail; the members are still readable.
    notes.push(`${(e as Error).message.split('\n')[0]}; reading the workspace members only`);
    meta = await cargoMetadata(opts.manifestPath, true);
  }
  const memberIds = new Set(meta.workspace_members);
  const members = new Set<string>();
  const fromMeta = new Map<string, string>();
  for (const m of meta.packages) {
    const key = packageKey({
      name: m.name,
      version: m.version,
      source: m.source?.startsWith('path+') ? null : m.source,
    });
    fromMeta.set(key, dirname(m.manifest_path));
    if (memberIds.has(m.id)) members.add(`${m.name} ${m.version}`);
  }
  const cargoHome = opts.cargoHome ?? process.env.CARGO_HOME ?? join(homedir(), '.cargo');
  const srcDirs = registrySrcDirs(cargoHome);
  const found = new Map<string, PackageSource>();
  for (const p of packages) {
    const key = packageKey(p);
    let s: PackageSource | null = null;
    if (p.source !== null && /^(registry|sparse)\+/.test(p.source)) {
      if (opts.vendorDir) s = inVendor(opts.vendorDir, p);
      for (const d of srcDirs) {
        if (s) break;
        const dir = join(d, `${p.name}-${p.version}`);
        if (manifestVersion(dir) === p.version) s = { dir, checksum: p.checksum };
      }
    }
    if (!s && fromMeta.has(key)) {
      // Path packages change under us: never cached. Registry ones by their checksum.
      s = { dir: fromMeta.get(key)!, checksum: p.source === null ? null : p.checksum };
    }
    if (s) found.set(key, s);
  }
  return { members, found, notes };
}
