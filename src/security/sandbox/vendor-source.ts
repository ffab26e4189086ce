// Dependencies for the sandboxed build as a cargo directory source (what `cargo vendor`
// writes): one directory per crate version with a .cargo-checksum.json. Written from the
// registry's own .crate files, unpacked by the safe archive reader; nothing is run here.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { readCrateArchive } from '../../formats/crate-archive.js';

export interface VendoredCrate {
  name: string;
  version: string;
  /** The .crate file's bytes. */
  bytes: Buffer;
}

/** Unpacks each crate into `dir/<name>-<version>/`; returns the manifests, for their sources. */
export async function writeVendorSource(dir: string, crates: readonly VendoredCrate[]): Promise<string[]> {
  const manifests: string[] = [];
  for (const c of crates) {
    // cargo reads the name and version from the manifest; the directory only has to be unique.
    const archive = await readCrateArchive(c.bytes);
    const root = join(dir, archive.prefix);
    const files: Record<string, string> = {};
    for (const f of archive.files) {
      const target = join(root, f.path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, f.data!, { mode: f.mode & 0o111 ? 0o755 : 0o644 });
      files[f.path] = sha256(f.data!);
    }
    const checksum = { files, package: sha256(c.bytes) };
    await writeFile(join(root, '.cargo-checksum.json'), JSON.stringify(checksum));
    manifests.push(archive.manifestText);
  }
  return manifests;
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}
