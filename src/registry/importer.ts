// Seeds a registry from `.crate` files through the same publish path as `cargo publish`,
// security policy included (scan and typosquat jobs, quarantine, blocked names). Files are
// ordered so each crate's (non-dev) dependencies are published before it, and versions of one
// crate go in semver order. `trusted` skips the policy, and the audit log records that it did.
import { readFile } from 'node:fs/promises';
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { canonicalCrateName } from '../domain/crate-name.js';
import { manifestToPublishMetadata, parseManifest } from '../domain/manifest.js';
import type { PublishMetadata } from '../domain/publish-metadata.js';
import { compareVersions, tryParseVersion } from '../domain/semver.js';
import { readCrateArchive } from '../formats/crate-archive.js';
import type { UserRow } from '../store/schema.js';
import { RegistryError } from './errors.js';
import type { RegistryServices } from './services.js';

export interface ImportResult {
  imported: number;
  /** Imported but held in quarantine by the scanner's verdict. */
  quarantined: number;
  skipped: { file: string; reason: string }[];
  failed: { file: string; reason: string }[];
}

export interface ImportOptions {
  onProgress?: (done: number, total: number, file: string) => void;
  concurrency?: number;
  /** Skip the security policy (an administrator vouches for the files); audited. */
  trusted?: boolean;
}

/** `.crate` files named directly or found (non-recursively) in the given directories. */
export async function collectCrateFiles(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const s = await stat(p);
    if (s.isDirectory()) {
      for (const f of (await readdir(p)).sort()) if (f.endsWith('.crate')) out.push(join(p, f));
    } else {
      out.push(p);
    }
  }
  return out;
}

interface Prepared {
  file: string;
  bytes: Buffer;
  metadata: PublishMetadata;
}

async function prepare(file: string): Promise<Prepared> {
  const bytes = await readFile(file);
  const archive = await readCrateArchive(bytes, {
    keep: (path) => /^readme(\.[a-z]+)?$/i.test(path) || path === 'Cargo.toml',
  });
  const paths = new Set(archive.files.map((f) => f.path));
  const manifest = parseManifest(archive.manifestText, (p) => paths.has(p));
  const readme = manifest.readme ? archive.files.find((f) => f.path === manifest.readme)?.data : null;
  const metadata = manifestToPublishMetadata(manifest, readme ? readme.toString('utf8') : null);
  return { file, bytes, metadata };
}

/** Orders crates so required dependencies within the set come first; cycles keep input order. */
function dependencyOrder(items: Prepared[]): Prepared[] {
  const byName = new Map<string, Prepared[]>();
  for (const it of items) {
    const key = canonicalCrateName(it.metadata.name);
    byName.set(key, [...(byName.get(key) ?? []), it]);
  }
  for (const list of byName.values()) {
    // Unparseable versions sort first; the publish checks refuse them with a reason.
    list.sort((a, b) => {
      const va = tryParseVersion(a.metadata.vers);
      const vb = tryParseVersion(b.metadata.vers);
      return va && vb ? compareVersions(va, vb) : va ? 1 : vb ? -1 : 0;
    });
  }
  const out: Prepared[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string) => {
    if (state.has(name)) return;
    state.set(name, 'visiting');
    for (const it of byName.get(name) ?? []) {
      for (const dep of it.metadata.deps) {
        // Only required edges need ordering; the others may be missing at publish time.
        if (optionalForResolution(dep)) continue;
        const depName = canonicalCrateName(dep.name);
        if (byName.has(depName)) visit(depName);
      }
    }
    state.set(name, 'done');
    out.push(...(byName.get(name) ?? []));
  };
  for (const name of [...byName.keys()].sort()) visit(name);
  return out;
}

/** Dependencies cargo resolves only when a feature, a target or a dev build asks for them. */
function optionalForResolution(dep: PublishMetadata['deps'][number]): boolean {
  return dep.kind === 'dev' || dep.optional || dep.target !== null;
}

export async function importCrateFiles(
  services: RegistryServices,
  files: string[],
  user: UserRow,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const result: ImportResult = { imported: 0, quarantined: 0, skipped: [], failed: [] };
  if (options.trusted) {
    // Recorded before anything is imported, so even an interrupted trusted import is on file.
    await services.audit.append({
      actorId: user.id,
      actor: user.login,
      action: 'import-trusted',
      targetType: 'registry',
      target: 'import',
      reason: 'cratekeeper import --trusted: the security pipeline is skipped for these files',
      details: { files: files.length, examples: files.slice(0, 20).map((f) => basename(f)) },
    });
  }
  const prepared: Prepared[] = [];
  const concurrency = options.concurrency ?? 8;
  let next = 0;
  let done = 0;
  const total = files.length * 2;
  // Reading and checking archives overlaps well (zlib runs off the main thread).
  await Promise.all(
    Array.from({ length: Math.min(concurrency, files.length) }, async () => {
      while (next < files.length) {
        const file = files[next++]!;
        try {
          prepared.push(await prepare(file));
        } catch (err) {
          result.failed.push({ file: basename(file), reason: (err as Error).message });
        }
        options.onProgress?.(++done, total, basename(file));
      }
    }),
  );
  done = files.length;
  for (const item of dependencyOrder(prepared)) {
    try {
      const published = await services.publisher.publish(
        item.metadata,
        item.bytes,
        { user, token: null },
        { ip: null, userAgent: 'cratekeeper-import' },
        {
          allowMissingDependency: optionalForResolution,
          // crates.io grants crates such as winapi and web-sys more features than its default 300.
          limits: { maxFeatures: 10_000 },
          ...(options.trusted ? { trusted: true } : {}),
        },
      );
      result.imported++;
      if (published.version.status === 'quarantined') result.quarantined++;
    } catch (err) {
      const reason = err instanceof RegistryError ? err.detail : (err as Error).message;
      if (err instanceof RegistryError && err.status === 409)
        result.skipped.push({ file: basename(item.file), reason });
      else result.failed.push({ file: basename(item.file), reason });
    }
    options.onProgress?.(++done, total, basename(item.file));
  }
  return result;
}
