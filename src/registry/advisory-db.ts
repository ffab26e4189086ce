// This registry's own advisories as an advisory database: the RustSec tree
// `crates/<package>/<id>.md` that rustsec's `Database::open` reads (cargo audit --db DIR
// --no-fetch; it needs no git repository), as a `.tar.gz` under `advisory-db/` or files in a
// directory. Only authored advisories are served: synced ones belong to their own databases.
import { execFile } from 'node:child_process';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FIXED_MTIME, writeRawTarGz, type RawTarEntry } from '../formats/crate-tar-writer.js';
import type { AdvisoryRepository } from '../store/advisories.js';

const run = promisify(execFile);

export const ADVISORY_DB_ROOT = 'advisory-db';

export interface AdvisoryFile {
  /** `crates/<package>/<id>.md`. */
  path: string;
  text: string;
}

export async function ownAdvisoryFiles(repo: AdvisoryRepository): Promise<AdvisoryFile[]> {
  const rows = await repo.authored();
  return rows.map((r) => ({ path: `crates/${r.package}/${r.id}.md`, text: r.markdown }));
}

const README = `# Advisory database of a cratekeeper registry

Advisories authored by this registry's operators for its own crates, in RustSec format.
Their ids are \`<PREFIX>-<YEAR>-<NNNN>\` and their \`source\` is this registry's index.
`;

export async function advisoryDbTarGz(files: readonly AdvisoryFile[]): Promise<Buffer> {
  const dirs = new Set<string>([`${ADVISORY_DB_ROOT}/`, `${ADVISORY_DB_ROOT}/crates/`]);
  for (const f of files) dirs.add(`${ADVISORY_DB_ROOT}/${f.path.slice(0, f.path.lastIndexOf('/') + 1)}`);
  const entries: RawTarEntry[] = [...dirs]
    .sort()
    .map((name) => ({ name, type: 'directory', mode: 0o755, mtime: FIXED_MTIME }));
  entries.push({ name: `${ADVISORY_DB_ROOT}/README.md`, data: README, mode: 0o644, mtime: FIXED_MTIME });
  for (const f of files)
    entries.push({ name: `${ADVISORY_DB_ROOT}/${f.path}`, data: f.text, mode: 0o644, mtime: FIXED_MTIME });
  return writeRawTarGz(entries);
}

/**
 * Writes the tree into `dir` (its `crates/` replaced), and with `git` commits it there
 * (initialising the repository when needed) so `cargo audit --db DIR` can also fetch it.
 * Returns the commit made, or null when nothing changed or git was not asked for.
 */
export async function exportAdvisoryDb(
  dir: string,
  files: readonly AdvisoryFile[],
  opts: { git?: boolean; message?: string } = {},
): Promise<{ files: number; commit: string | null }> {
  await mkdir(dir, { recursive: true });
  await rm(join(dir, 'crates'), { recursive: true, force: true });
  await mkdir(join(dir, 'crates'), { recursive: true });
  for (const f of files) {
    await mkdir(join(dir, f.path, '..'), { recursive: true });
    await writeFile(join(dir, f.path), f.text);
  }
  await writeFile(join(dir, 'README.md'), README);
  if (!opts.git) return { files: files.length, commit: null };
  const git = (...args: string[]) => run('git', ['-C', dir, ...args], { maxBuffer: 16 * 1024 * 1024 });
  if (!(await readdir(dir)).includes('.git')) await git('init', '--quiet', '--initial-branch=main');
  await git('add', '--all', '.');
  const status = await git('status', '--porcelain');
  if (status.stdout.trim() === '') return { files: files.length, commit: null };
  await git(
    '-c',
    'user.name=cratekeeper',
    '-c',
    'user.email=cratekeeper@localhost',
    'commit',
    '--quiet',
    '-m',
    opts.message ?? `${files.length} advisories`,
  );
  return { files: files.length, commit: (await git('rev-parse', 'HEAD')).stdout.trim() };
}
