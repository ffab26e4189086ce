// Browser tests: Debian's Chromium driven by playwright-core (no browser download), a fresh
// profile per run, every request the pages make recorded, and the console built when the
// build is missing or older than its sources.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { repoRoot } from './debian-corpus.js';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

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

/** Installs Chromium from Debian when it is missing (CI machines start without it). */
export async function ensureChromium(): Promise<void> {
  await run('bash', [join(repoRoot, 'scripts', 'install-chromium.sh')], 540_000);
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

export interface Browser {
  context: BrowserContext;
  /** Every URL a page of this browser requested, in order. */
  requests: string[];
  /** Uncaught page errors and Content-Security-Policy violations. */
  problems: string[];
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

/** Starts Chromium with a fresh profile. Throws (never skips) when it cannot start. */
export async function launchBrowser(): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'ck-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
    // Screenshots must not depend on the machine's locale or time zone.
    locale: 'en-US',
    timezoneId: 'UTC',
    timeout: 60_000,
  });
  const requests: string[] = [];
  const problems: string[] = [];
  const watch = (page: Page) => {
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (/Content Security Policy|Refused to (load|execute|apply|connect)/i.test(msg.text()))
        problems.push(`CSP: ${msg.text()}`);
    });
  };
  context.on('request', (req) => requests.push(req.url()));
  context.on('page', watch);
  for (const page of context.pages()) watch(page);
  return {
    context,
    requests,
    problems,
    async newPage(viewport = { width: 1280, height: 800 }) {
      const page = await context.newPage();
      await page.setViewportSize(viewport);
      return page;
    },
    async close() {
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Requests that went anywhere but this machine's loopback server (data: and blob: stay local). */
export function requestsLeavingMachine(urls: string[], origin: string): string[] {
  const allowed = new URL(origin);
  return urls.filter((u) => {
    const url = new URL(u);
    if (url.protocol === 'data:' || url.protocol === 'blob:') return false;
    return url.hostname !== '127.0.0.1' || url.port !== allowed.port;
  });
}
