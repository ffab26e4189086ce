// The compiled command line (dist/, `tsc -p tsconfig.build.json`, what `npm start` runs), remade
// when any source is newer than the last build. End-to-end tests run `cratekeeper` as operators
// do, from the build: under tsx every one of their hundreds of child processes would compile
// the sources again (about 2 s of CPU each). Used by the global setup, so free of Vitest imports.
import { execFile } from 'node:child_process';
import { readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

export const CLI_BUILD = join(repoRoot, 'dist', 'cli', 'main.js');
const STAMP = join(repoRoot, 'dist', '.cli-build-stamp');

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (path !== join(repoRoot, 'src', 'web')) newest = Math.max(newest, await newestSource(path));
    } else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
      newest = Math.max(newest, (await stat(path)).mtimeMs);
    }
  }
  return newest;
}

/** Builds dist/ unless the last build is newer than every server source and tsconfig. */
export async function ensureCliBuilt(): Promise<string> {
  const stamp = await stat(STAMP).catch(() => null);
  const configs = await Promise.all(
    ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'].map(
      async (f) => (await stat(join(repoRoot, f))).mtimeMs,
    ),
  );
  const newest = Math.max(await newestSource(join(repoRoot, 'src')), ...configs);
  if (stamp && stamp.mtimeMs >= newest) return CLI_BUILD;
  const started = Date.now();
  const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  await new Promise<void>((resolve, reject) => {
    execFile(
      process.execPath,
      [tsc, '-p', 'tsconfig.build.json'],
      { cwd: repoRoot, timeout: 600_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) =>
        err
          ? reject(new Error(`tsc -p tsconfig.build.json failed: ${err.message}\n${stdout}\n${stderr}`))
          : resolve(),
    );
  });
  // The stamp carries the start time: a source saved during the build makes the next run rebuild.
  await writeFile(STAMP, '');
  await utimes(STAMP, new Date(started), new Date(started));
  return CLI_BUILD;
}
