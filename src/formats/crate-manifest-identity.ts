// The name and version a packaged Cargo.toml declares, which must match the crate
// directory (and what the publisher claims). Full manifest modelling lives in domain/.
import { parse } from 'smol-toml';
import { CrateArchiveError } from './crate-archive-error.js';

export interface ManifestIdentity {
  name: string;
  version: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes Cargo.toml's bytes as strict UTF-8 (TOML files must be UTF-8). */
export function decodeManifest(bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new CrateArchiveError('manifest-invalid', 'Cargo.toml is not valid UTF-8');
  }
}

/** `package.name` and `package.version` of a packaged Cargo.toml (`[project]` in very old crates). */
export function manifestIdentity(text: string): ManifestIdentity {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text.startsWith('\uFEFF') ? text.slice(1) : text) as Record<string, unknown>;
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new CrateArchiveError('manifest-invalid', `Cargo.toml is not valid TOML: ${reason}`);
  }
  const table = doc.package ?? doc.project;
  if (typeof table !== 'object' || table === null || Array.isArray(table)) {
    throw new CrateArchiveError('manifest-invalid', 'Cargo.toml has no [package] table');
  }
  const { name, version } = table as Record<string, unknown>;
  if (typeof name !== 'string' || name.length === 0) {
    throw new CrateArchiveError('manifest-invalid', 'Cargo.toml has no package.name');
  }
  if (typeof version !== 'string' || version.length === 0) {
    throw new CrateArchiveError('manifest-invalid', 'Cargo.toml has no package.version');
  }
  return { name, version };
}
