// Finds what a sandboxed build needs on this machine: bubblewrap, strace, prlimit and setpriv
// (Debian: `apt-get install bubblewrap strace`; prlimit and setpriv are util-linux) and a Rust
// toolchain. Missing pieces are reported together, with how to get them.
import { execFile } from 'node:child_process';
import { access, constants, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export class SandboxUnavailableError extends Error {
  override name = 'SandboxUnavailableError';
}

export interface SandboxTools {
  bwrap: string;
  /** strace, prlimit and setpriv run inside the sandbox, so they must live under /usr (bound read-only). */
  strace: string;
  prlimit: string;
  /** Drops the DNS sinkhole's capability before the build starts. */
  setpriv: string;
  /** The toolchain's sysroot (holds bin/cargo and bin/rustc); bound read-only into the sandbox. */
  toolchain: string;
}

export interface FindToolsOptions {
  /** A toolchain sysroot to use instead of asking `rustc --print sysroot`. */
  toolchain?: string;
  /** Where to look for programs (default: PATH, then ~/.cargo/bin). */
  path?: string;
}

export async function findSandboxTools(opts: FindToolsOptions = {}): Promise<SandboxTools> {
  const dirs = (opts.path ?? `${process.env.PATH ?? ''}${delimiter}${join(homedir(), '.cargo', 'bin')}`)
    .split(delimiter)
    .filter(Boolean);
  const problems: string[] = [];
  const bwrap = await which('bwrap', dirs);
  if (!bwrap) problems.push('bwrap (bubblewrap) is not installed: apt-get install -y bubblewrap');
  const strace = await which('strace', dirs);
  if (!strace) problems.push('strace is not installed: apt-get install -y strace');
  else if (!strace.startsWith('/usr/'))
    problems.push(`strace must be under /usr to run in the sandbox (found ${strace})`);
  const [prlimit, setpriv] = [await which('prlimit', dirs), await which('setpriv', dirs)];
  for (const [name, found] of [
    ['prlimit', prlimit],
    ['setpriv', setpriv],
  ] as const) {
    if (!found) problems.push(`${name} is not installed: apt-get install -y util-linux`);
    else if (!found.startsWith('/usr/')) problems.push(`${name} must be under /usr (found ${found})`);
  }
  const toolchain = opts.toolchain ?? (await sysroot(dirs));
  if (!toolchain)
    problems.push('no Rust toolchain: cargo/rustc not found (install with rustup, or give --toolchain)');
  else if (
    !(await executable(join(toolchain, 'bin', 'cargo'))) ||
    !(await executable(join(toolchain, 'bin', 'rustc')))
  )
    problems.push(`${toolchain} is not a Rust toolchain (no bin/cargo and bin/rustc)`);
  if (problems.length > 0)
    throw new SandboxUnavailableError(
      `the sandboxed build needs cargo, bwrap and strace: ${problems.join('; ')}`,
    );
  return { bwrap: bwrap!, strace: strace!, prlimit: prlimit!, setpriv: setpriv!, toolchain: toolchain! };
}

async function which(name: string, dirs: string[]): Promise<string | null> {
  for (const d of dirs) if (await executable(join(d, name))) return join(d, name);
  return null;
}

async function executable(p: string): Promise<boolean> {
  try {
    await access(p, constants.X_OK);
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

/** The host's trusted rustc tells where its toolchain is; no crate code is involved. */
async function sysroot(dirs: string[]): Promise<string | null> {
  const rustc = await which('rustc', dirs);
  if (!rustc) return null;
  try {
    const { stdout } = await run(rustc, ['--print', 'sysroot'], { timeout: 30_000 });
    return stdout.trim() || null;
  } catch {
    return null;
  }
}
