// The `cratekeeper` command as a child process, as operators run it: `serve` started and
// stopped (or killed), one-shot commands run to completion.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inject } from 'vitest';
import { repoRoot } from './paths.js';

const main = join(repoRoot, 'src/cli/main.ts');
// tsx by path, so the command also runs from a directory of its own (`--import tsx` resolves
// from the working directory).
const tsx = pathToFileURL(join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href;

/**
 * `node CLI_ARGV… ARGS…` runs `cratekeeper ARGS…` from any directory: the compiled build the
 * global setup made for end-to-end tests (as operators run it, and without compiling the
 * sources again in every child process), or the sources through tsx for other test files.
 */
export const CLI_ARGV: readonly string[] = (() => {
  const build = inject('prerequisites')?.cliBuild;
  if (!build) return ['--import', tsx, main];
  if (!build.ok) throw new Error(`the command-line build is not available: ${build.error}`);
  return [build.path];
})();

export interface ServeProcess {
  child: ChildProcess;
  url: string;
}

/**
 * Starts `cratekeeper serve --port 0 ARGS…` (in `cwd`, the repository by default) and resolves
 * with its address once it listens.
 */
export function startServe(args: string[], options: { cwd?: string } = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [...CLI_ARGV, 'serve', '--port', '0', ...args], {
    cwd: options.cwd ?? repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
}

/** Resolves once the child has exited, also when it already has. */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Runs `cratekeeper ARGS…` to completion (with `env` added to this process's environment). */
export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...CLI_ARGV, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** Runs any command to completion in `cwd`, offline for cargo (exit code -1 when killed). */
export function runCommand(
  cmd: string,
  args: string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, CARGO_NET_OFFLINE: 'true' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
