// Follows README.md's "Use it with cargo" section as a new operator would, top to bottom, on a
// fresh data directory: its `cratekeeper` commands in a new working directory, its
// `.cargo/config.toml`, then its cargo commands against the running server. Only what a person
// would adapt is changed: the port (the server listens on a free one), the crate (a small
// `mycrate` 1.0.1, the version the README yanks) and the console password, which the README's
// command asks for at a terminal and the test pipes with `--password-stdin`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ARGV, exited, startServe } from '../support/cli-process.js';
import { repoRoot } from '../support/paths.js';
import { CargoEnv, writeCrate } from '../support/registry-harness.js';

interface Block {
  lang: string;
  body: string;
}

/** The fenced blocks of one README section (up to the next heading of the same or higher level). */
function sectionBlocks(markdown: string, heading: string, until: string): Block[] {
  const start = markdown.indexOf(`\n${heading}\n`);
  const end = markdown.indexOf(`\n${until}\n`, start + 1);
  if (start < 0 || end < 0) throw new Error(`README has no section ${heading} … ${until}`);
  const blocks: Block[] = [];
  for (const m of markdown.slice(start, end).matchAll(/```(\w*)\n([\s\S]*?)```/g))
    blocks.push({ lang: m[1]!, body: m[2]! });
  return blocks;
}

/** Splits a shell line into words (single and double quotes; `#` comments), as sh would here. */
function words(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let any = false;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = null;
      else cur += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      any = true;
    } else if (ch === '#' && cur === '' && !any) break;
    else if (/\s/.test(ch)) {
      if (cur || any) out.push(cur);
      cur = '';
      any = false;
    } else cur += ch;
  }
  if (cur || any) out.push(cur);
  return out;
}

function run(
  cmd: string,
  args: string[],
  cwd: string,
  opts: { env?: NodeJS.ProcessEnv; stdin?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(opts.stdin ?? '');
    child.once('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

const CLI = CLI_ARGV;

describe('following the README', () => {
  let work: string;
  let server: ChildProcess | null = null;
  let blocks: Block[];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'ck-readme-'));
    blocks = sectionBlocks(
      await readFile(join(repoRoot, 'README.md'), 'utf8'),
      '## Use it with cargo',
      '### Seeding',
    );
  });
  afterAll(async () => {
    if (server) {
      server.kill('SIGTERM');
      await exited(server);
    }
    await rm(work, { recursive: true, force: true });
  });

  it('creates users and tokens, serves, and cargo publishes, yanks, adds an owner and searches', async () => {
    const [commands, cargoConfig, cargoCommands] = [
      blocks.find((b) => b.lang === 'sh')!,
      blocks.find((b) => b.lang === 'toml' && b.body.includes('[registries.ck]'))!,
      blocks.filter((b) => b.lang === 'sh')[1]!,
    ];
    expect(commands.body).toContain('token create');
    const operator = join(work, 'operator');
    await mkdir(operator);

    // 1. The registry, its users and their tokens, in a fresh working directory (./data).
    const tokens = new Map<string, string>();
    for (const line of commands.body.split('\n').filter((l) => l.trim())) {
      const argv = words(line);
      expect(argv.slice(0, 2), line).toEqual(['node', 'dist/cli/main.js']);
      const args = argv.slice(2);
      const asks = line.includes('asks for a console password');
      const res = await run(
        process.execPath,
        [...CLI, ...args, ...(asks ? ['--password-stdin'] : [])],
        operator,
        {
          stdin: asks ? 'correct horse battery staple\n' : '',
        },
      );
      expect(res.code, `${line}\n${res.stderr}`).toBe(0);
      if (args[0] === 'token' && args[1] === 'create') {
        const user = args[args.indexOf('--user') + 1]!;
        tokens.set(user, res.stdout.trim());
      }
    }
    expect(tokens.get('alice')).toMatch(/^\S{20,}$/);

    // 2. The server, as `npm start` runs it, in the same directory (so on the same ./data).
    const serve = await startServe([], { cwd: operator });
    server = serve.child;
    const url = serve.url;

    // 3. cargo, with the README's registry entry (only the port differs).
    const project = join(work, 'project');
    const cargo = await CargoEnv.create(project, url);
    await writeFile(
      join(project, '.cargo', 'config.toml'),
      cargoConfig.body.replace('http://127.0.0.1:8080', url) + '\n[net]\nretry = 0\n',
    );
    const crateDir = await writeCrate(project, { name: 'mycrate', version: '1.0.1' });
    for (const line of cargoCommands.body.split('\n').filter((l) => l.trim())) {
      const argv = words(line);
      expect(argv[0], line).toBe('cargo');
      const res = await cargo.run(argv.slice(1), crateDir, tokens.get('alice'));
      expect(res.code, `${line}\n${res.stderr}`).toBe(0);
    }
    const index = await fetch(`${url}/index/my/cr/mycrate`);
    expect(JSON.parse((await index.text()).trim())).toMatchObject({ vers: '1.0.1', yanked: true });
  }, 600_000); // a dozen CLI starts and cargo runs, on a loaded 2-core machine
});
