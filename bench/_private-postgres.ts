// A PostgreSQL server of the fault benchmark's own (initdb into a temporary directory, its own
// port), so it can be restarted mid-run without disturbing anything else using the machine's
// PostgreSQL. Run as the `postgres` user when this process is root (initdb refuses root).
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

function binDir(): string {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return join(root, versions[0]!, 'bin');
}

export class PrivatePostgres {
  private readonly dir: string;
  private readonly bin = binDir();
  private readonly asRoot = userInfo().uid === 0;

  constructor(readonly port: number) {
    this.dir = mkdtempSync(join(tmpdir(), 'ck-pg-'));
    if (this.asRoot) {
      const id = (flag: string) =>
        Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
      const [uid, gid] = [id('-u'), id('-g')];
      chownSync(this.dir, uid, gid);
    }
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private run(tool: string, args: string[]): void {
    const cmd = join(this.bin, tool);
    if (this.asRoot) execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' });
    else execFileSync(cmd, args, { stdio: 'pipe' });
  }

  private get data(): string {
    return join(this.dir, 'data');
  }

  start(): void {
    if (!existsSync(this.data))
      this.run('initdb', ['-D', this.data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    this.run('pg_ctl', [
      '-D',
      this.data,
      '-l',
      join(this.dir, 'log'),
      '-w',
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=200`,
      'start',
    ]);
  }

  /** Stops as a crash would (no checkpoint; recovery replays the WAL), then starts again. */
  crashRestart(): void {
    this.run('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']);
    this.start();
  }

  destroy(): void {
    try {
      this.run('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // not running
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
