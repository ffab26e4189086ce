// Cargo.lock, every format cargo has written:
//  v1: no `version` key, dependencies as "name version (source)", checksums in [metadata]
//      ("checksum name version (source)" = "hex" or "<none>"), the root package once in [root];
//  v2: no `version` key, checksums inline, dependencies shortened to "name" or "name version"
//      when unambiguous;
//  v3, v4: `version = 3` / `version = 4` at the top (v4 changes only how git URLs are encoded).
import { parse as parseToml, TomlError } from 'smol-toml';
import { SemverError, parseVersion } from './semver.js';
import { isTable, own, tomlTypeName } from './toml-values.js';
import type { TomlTableLike } from './toml-values.js';

export class LockfileError extends Error {
  override name = 'LockfileError';
}

export interface LockedPackage {
  name: string;
  version: string;
  /** `registry+URL`, `sparse+URL`, `git+URL#rev`; null for path (workspace) packages. */
  source: string | null;
  /** SHA-256 of the `.crate` as recorded, lowercase hex; null when absent or `<none>`. */
  checksum: string | null;
  /** Dependency references exactly as written (see parseLockDependencyRef). */
  dependencies: string[];
}

export interface Lockfile {
  version: number;
  packages: LockedPackage[];
}

export interface LockDependencyRef {
  name: string;
  version: string | null;
  source: string | null;
}

/** Generous for the largest workspaces (a few MiB) while bounding hostile input. */
export const MAX_LOCKFILE_LENGTH = 32 * 1024 * 1024;

const MAX_KNOWN_VERSION = 4;

export function parseLockfile(tomlText: string): Lockfile {
  if (typeof tomlText !== 'string') throw new LockfileError('Cargo.lock must be text');
  if (tomlText.length > MAX_LOCKFILE_LENGTH) {
    throw new LockfileError(
      `Cargo.lock is too large (${tomlText.length} characters, max ${MAX_LOCKFILE_LENGTH})`,
    );
  }
  let doc: TomlTableLike;
  try {
    doc = parseToml(tomlText, { maxDepth: 100 }) as TomlTableLike;
  } catch (e) {
    if (e instanceof TomlError) throw new LockfileError(`Cargo.lock is not valid TOML: ${e.message}`);
    if (e instanceof RangeError) throw new LockfileError('Cargo.lock is nested too deeply');
    throw e;
  }

  const explicitVersion = own(doc, 'version');
  if (explicitVersion !== undefined) {
    if (typeof explicitVersion !== 'number' || !Number.isInteger(explicitVersion)) {
      throw new LockfileError(`\`version\` must be an integer, found ${tomlTypeName(explicitVersion)}`);
    }
    if (explicitVersion < 1 || explicitVersion > MAX_KNOWN_VERSION) {
      throw new LockfileError(
        `unsupported Cargo.lock version ${explicitVersion} (known: 1 to ${MAX_KNOWN_VERSION})`,
      );
    }
  }

  const packages: LockedPackage[] = [];
  const root = own(doc, 'root');
  if (root !== undefined) {
    if (!isTable(root)) throw new LockfileError(`\`root\` must be a table, found ${tomlTypeName(root)}`);
    packages.push(readPackage(root, 'root'));
  }
  const list = own(doc, 'package');
  if (list !== undefined) {
    if (!Array.isArray(list)) {
      throw new LockfileError(
        `\`package\` must be an array of tables ([[package]]), found ${tomlTypeName(list)}`,
      );
    }
    list.forEach((p, i) => {
      if (!isTable(p)) throw new LockfileError(`\`package[${i}]\` must be a table, found ${tomlTypeName(p)}`);
      packages.push(readPackage(p, `package[${i}]`));
    });
  }

  const metadataChecksums = readMetadataChecksums(doc);
  let hasInlineChecksum = false;
  for (const p of packages) {
    if (p.checksum !== null) {
      hasInlineChecksum = true;
    } else if (p.source !== null) {
      const fromMetadata = metadataChecksums.get(`${p.name} ${p.version} (${p.source})`);
      if (fromMetadata !== undefined) p.checksum = fromMetadata;
    }
  }
  // Without a `version` key cargo assumes v1 until it sees an inline checksum (v2).
  const version = explicitVersion ?? (hasInlineChecksum ? 2 : 1);
  return { version, packages };
}

function readPackage(t: TomlTableLike, path: string): LockedPackage {
  const str = (key: string): string | null => {
    const v = own(t, key);
    if (v === undefined) return null;
    if (typeof v !== 'string')
      throw new LockfileError(`\`${path}.${key}\` must be a string, found ${tomlTypeName(v)}`);
    return v;
  };
  const name = str('name');
  if (name === null || name.length === 0) throw new LockfileError(`\`${path}.name\` is missing`);
  const version = str('version');
  if (version === null) throw new LockfileError(`\`${path}.version\` is missing (package \`${name}\`)`);
  try {
    parseVersion(version);
  } catch (e) {
    if (e instanceof SemverError)
      throw new LockfileError(`\`${path}.version\` (package \`${name}\`): ${e.message}`);
    throw e;
  }
  const checksum = str('checksum');
  const deps = own(t, 'dependencies');
  const dependencies: string[] = [];
  if (deps !== undefined) {
    if (!Array.isArray(deps)) {
      throw new LockfileError(
        `\`${path}.dependencies\` must be an array of strings, found ${tomlTypeName(deps)}`,
      );
    }
    deps.forEach((d, i) => {
      if (typeof d !== 'string' || d.length === 0) {
        throw new LockfileError(
          `\`${path}.dependencies[${i}]\` must be a non-empty string, found ${tomlTypeName(d)}`,
        );
      }
      dependencies.push(d);
    });
  }
  return {
    name,
    version,
    source: str('source'),
    checksum: checksum === '<none>' ? null : checksum,
    dependencies,
  };
}

function readMetadataChecksums(doc: TomlTableLike): Map<string, string | null> {
  const out = new Map<string, string | null>();
  const metadata = own(doc, 'metadata');
  if (metadata === undefined) return out;
  if (!isTable(metadata))
    throw new LockfileError(`\`metadata\` must be a table, found ${tomlTypeName(metadata)}`);
  for (const key of Object.keys(metadata)) {
    if (!key.startsWith('checksum ')) continue;
    const v = own(metadata, key);
    if (typeof v !== 'string') {
      throw new LockfileError(`\`metadata."${key}"\` must be a string, found ${tomlTypeName(v)}`);
    }
    out.set(key.slice('checksum '.length), v === '<none>' ? null : v);
  }
  return out;
}

/** Splits a dependency reference: "name", "name version" or "name version (source)". */
export function parseLockDependencyRef(ref: string): LockDependencyRef {
  const firstSpace = ref.indexOf(' ');
  if (firstSpace < 0) return { name: ref, version: null, source: null };
  const name = ref.slice(0, firstSpace);
  const rest = ref.slice(firstSpace + 1);
  const secondSpace = rest.indexOf(' ');
  if (secondSpace < 0) return { name, version: rest, source: null };
  const version = rest.slice(0, secondSpace);
  const tail = rest.slice(secondSpace + 1);
  if (!tail.startsWith('(') || !tail.endsWith(')') || tail.length < 3) {
    throw new LockfileError(`malformed dependency reference ${JSON.stringify(ref)}`);
  }
  return { name, version, source: tail.slice(1, -1) };
}

/**
 * The locked package a dependency reference points at, or null when none or several match
 * (cargo writes the longer forms exactly when the short one would be ambiguous).
 */
export function findLockedPackage(lock: Lockfile, ref: string | LockDependencyRef): LockedPackage | null {
  const r = typeof ref === 'string' ? parseLockDependencyRef(ref) : ref;
  let found: LockedPackage | null = null;
  for (const p of lock.packages) {
    if (p.name !== r.name) continue;
    if (r.version !== null && p.version !== r.version) continue;
    if (r.source !== null && p.source !== r.source) continue;
    if (found !== null) return null;
    found = p;
  }
  return found;
}
