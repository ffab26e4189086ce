// A ceiling on the processes and threads of one sandboxed build, so a fork bomb in a build
// script cannot take the worker down. RLIMIT_NPROC cannot do it here: it counts per host user
// and the kernel ignores it for root, which is who the worker usually is. A pids cgroup counts
// exactly the sandbox's tasks whatever their user; we make one per build (cgroup v2 where the
// pids controller is enabled for us, else the v1 pids hierarchy), move the sandbox into it
// before bwrap starts, and remove it afterwards.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** How the ceiling was enforced for a build; `none` when no pids cgroup could be made. */
export type ProcessLimitMode = 'cgroup-v2' | 'cgroup-v1' | 'none';

export interface PidsCgroup {
  mode: Exclude<ProcessLimitMode, 'none'>;
  dir: string;
  /** Write a pid here to move that process (and its later children) into the group. */
  procsFile: string;
  /** Forks refused because the group was full. */
  refusedForks(): Promise<number>;
  /** Kills whatever is still in the group, then removes it. */
  remove(): Promise<void>;
}

const CGROUP_ROOT = '/sys/fs/cgroup';

/** Where this process sits in each hierarchy, from /proc/self/cgroup. */
async function ownCgroups(): Promise<{ v2: string | null; pidsV1: string | null }> {
  const text = await readFile('/proc/self/cgroup', 'utf8').catch(() => '');
  let v2: string | null = null;
  let pidsV1: string | null = null;
  for (const line of text.split('\n')) {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
    if (path === undefined) continue;
    if (controllers === '') v2 = path;
    else if (controllers!.split(',').includes('pids')) pidsV1 = path;
  }
  return { v2, pidsV1 };
}

async function candidateParents(): Promise<{ mode: PidsCgroup['mode']; dir: string }[]> {
  const own = await ownCgroups();
  const out: { mode: PidsCgroup['mode']; dir: string }[] = [];
  if (own.v2 !== null) {
    // A unified mount at the root (pure v2) or under `unified` (hybrid); pids must be enabled
    // for the children of the parent we create in.
    for (const mount of [CGROUP_ROOT, join(CGROUP_ROOT, 'unified')]) {
      const parent = join(mount, own.v2);
      const enabled = await readFile(join(parent, 'cgroup.subtree_control'), 'utf8').catch(() => '');
      if (enabled.split(/\s+/).includes('pids')) out.push({ mode: 'cgroup-v2', dir: parent });
    }
  }
  if (own.pidsV1 !== null) out.push({ mode: 'cgroup-v1', dir: join(CGROUP_ROOT, 'pids', own.pidsV1) });
  return out;
}

/** A new pids cgroup limited to `maxTasks`, or null when this machine gives us none. */
export async function openPidsCgroup(maxTasks: number): Promise<PidsCgroup | null> {
  for (const parent of await candidateParents()) {
    const dir = join(parent.dir, `cratekeeper-sandbox-${randomBytes(6).toString('hex')}`);
    try {
      await mkdir(dir);
    } catch {
      continue;
    }
    try {
      await writeFile(join(dir, 'pids.max'), String(maxTasks));
    } catch {
      await rmdir(dir).catch(() => undefined);
      continue;
    }
    return pidsCgroup(parent.mode, dir);
  }
  return null;
}

function pidsCgroup(mode: PidsCgroup['mode'], dir: string): PidsCgroup {
  const procsFile = join(dir, 'cgroup.procs');
  return {
    mode,
    dir,
    procsFile,
    async refusedForks() {
      const events = await readFile(join(dir, 'pids.events'), 'utf8').catch(() => '');
      return Number(/^max (\d+)$/m.exec(events)?.[1] ?? 0);
    },
    async remove() {
      // bwrap's pid namespace ends with it, so the group is normally empty already; a task that
      // outlived it is killed, and removal retried while the kernel reaps.
      for (let attempt = 0; attempt < 50; attempt++) {
        const pids = (await readFile(procsFile, 'utf8').catch(() => ''))
          .split('\n')
          .filter((p) => /^\d+$/.test(p))
          .map(Number);
        for (const pid of pids) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        try {
          await rmdir(dir);
          return;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    },
  };
}

/**
 * The command that runs `argv` inside the group: a shell moves itself in, then execs, so not even
 * the first fork happens outside it.
 */
export function inCgroup(group: PidsCgroup, argv: readonly string[]): string[] {
  return ['/bin/sh', '-c', 'echo $$ > "$0" && exec "$@"', group.procsFile, ...argv];
}
