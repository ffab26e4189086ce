// Content-addressed storage of `.crate` files on the local filesystem. Writes go to a temp
// file and are renamed into place, so a reader never sees half a file.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface BlobStore {
  put(checksum: string, bytes: Uint8Array): Promise<{ created: boolean }>;
  get(checksum: string): Promise<Buffer | null>;
  has(checksum: string): Promise<boolean>;
  delete(checksum: string): Promise<void>;
}

const CHECKSUM = /^[0-9a-f]{64}$/;

export class FsBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  private pathOf(checksum: string): string {
    if (!CHECKSUM.test(checksum)) throw new Error(`invalid checksum: ${checksum.slice(0, 80)}`);
    return join(this.root, checksum.slice(0, 2), checksum.slice(2, 4), `${checksum}.crate`);
  }

  async put(checksum: string, bytes: Uint8Array): Promise<{ created: boolean }> {
    const path = this.pathOf(checksum);
    if (await this.has(checksum)) return { created: false };
    const dir = join(path, '..');
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `.tmp-${randomBytes(8).toString('hex')}`);
    const fh = await open(tmp, 'wx', 0o644);
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } catch (err) {
      await fh.close();
      await rm(tmp, { force: true });
      throw err;
    }
    await fh.close();
    await rename(tmp, path);
    return { created: true };
  }

  async get(checksum: string): Promise<Buffer | null> {
    try {
      return await readFile(this.pathOf(checksum));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async has(checksum: string): Promise<boolean> {
    try {
      await stat(this.pathOf(checksum));
      return true;
    } catch {
      return false;
    }
  }

  async delete(checksum: string): Promise<void> {
    await rm(this.pathOf(checksum), { force: true });
  }
}
