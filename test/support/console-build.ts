// The console's build (dist/web), remade when it is missing or older than its sources. Used by
// the global setup, so free of Vitest imports.
import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

function run(cmd: string, args: string[], timeoutMs: number, env = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { cwd: repoRoot, env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`));
        else resolve();
      },
    );
  });
}

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, await newestMtime(path));
    else if (entry.isFile()) newest = Math.max(newest, (await stat(path)).mtimeMs);
  }
  return newest;
}

/** Builds the console (dist/web) unless the build is newer than every source file. */
export async function ensureConsoleBuilt(): Promise<void> {
  const built = await stat(join(repoRoot, 'dist', 'web', 'index.html')).catch(() => null);
  const sources = await newestMtime(join(repoRoot, 'src', 'web'));
  if (built && built.mtimeMs >= sources) return;
  const vite = join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  // Vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
  await run(process.execPath, [vite, 'build', 'src/web', '--logLevel', 'warn'], 300_000, {
    ...process.env,
    NODE_ENV: 'production',
  });
}
