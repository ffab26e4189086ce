// Vitest global setup: runs once in the main process, before any test worker starts. Gets the
// Debian corpus (scripts/debian-corpus.sh, 3–9 minutes the first time), Debian's
// Chromium (scripts/install-chromium.sh) and bubblewrap + strace (scripts/install-sandbox-tools.sh) ready, with their progress on stderr, and builds the
// console when its build is stale, so that no worker ever blocks on them (a worker busy for
// minutes misses Vitest's RPC deadlines). Only what the selected test files need is prepared.
// A failure does not stop the run: it is handed to the tests that need it, which then fail.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureCliBuilt } from './cli-build.js';
import { ensureConsoleBuilt } from './console-build.js';
import { CHROMIUM, repoRoot } from './paths.js';
import type { Prerequisite, Prerequisites } from './prerequisites.js';

/** Test files (relative to the repository) that need each prerequisite. */
const NEEDED_BY: Record<'debianCorpus' | 'sandboxTools', string[]> = {
  debianCorpus: ['test/e2e/debian-seed.test.ts', 'test/e2e/sandbox.test.ts'],
  sandboxTools: ['test/e2e/sandbox.test.ts'],
};

/** Browser tests say so by calling ensureChromium() (test/support/browser.ts). */
async function needsChromium(files: Set<string>): Promise<boolean> {
  for (const f of files) {
    if (!f.startsWith('test/')) continue;
    if ((await readFile(join(repoRoot, f), 'utf8')).includes('ensureChromium(')) return true;
  }
  return false;
}

function log(line: string): void {
  process.stderr.write(`[global-setup] ${line}\n`);
}

/** Runs a script; its stderr (progress) goes straight to ours, its stdout is returned. */
function runScript(script: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'bash',
      [join(repoRoot, 'scripts', script)],
      { cwd: repoRoot, timeout: timeoutMs, encoding: 'utf8' },
      (err, stdout) =>
        err ? reject(new Error(`scripts/${script} failed: ${err.message}`)) : resolve(stdout),
    );
    child.stderr?.pipe(process.stderr);
  });
}

async function prepare(name: string, work: () => Promise<string>): Promise<Prerequisite> {
  const started = Date.now();
  log(`${name}: preparing`);
  try {
    const path = await work();
    log(`${name}: ready at ${path} (${Math.round((Date.now() - started) / 1000)} s)`);
    return { ok: true, path };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    log(`${name}: NOT AVAILABLE, the tests that need it will fail: ${error}`);
    return { ok: false, error };
  }
}

/** The test files this run selected, relative to the repository. */
async function selectedFiles(project: TestProject): Promise<Set<string>> {
  // Vitest keeps the command line's file filters here (not public API; without it, all files).
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
  const { testFiles } = await project.globTestFiles(filters);
  return new Set(testFiles.map((f) => relative(repoRoot, f).split('\\').join('/')));
}

export default async function setup(project: TestProject): Promise<void> {
  const files = await selectedFiles(project);
  const needs = (name: keyof typeof NEEDED_BY) => NEEDED_BY[name].some((f) => files.has(f));
  const prerequisites: Partial<Prerequisites> = {};
  // End-to-end tests run the command line as built (test/support/cli-process.ts).
  if ([...files].some((f) => f.startsWith('test/e2e/'))) {
    prerequisites.cliBuild = await prepare('command-line build', ensureCliBuilt);
  }
  // One after the other: both may run apt-get, which takes a lock.
  if (await needsChromium(files)) {
    prerequisites.chromium = await prepare('Chromium', async () => {
      await runScript('install-chromium.sh', 10 * 60_000);
      await ensureConsoleBuilt();
      return CHROMIUM;
    });
  }
  if (needs('sandboxTools')) {
    prerequisites.sandboxTools = await prepare('bubblewrap and strace', async () => {
      await runScript('install-sandbox-tools.sh', 10 * 60_000);
      return '/usr/bin/bwrap';
    });
  }
  if (needs('debianCorpus')) {
    prerequisites.debianCorpus = await prepare('Debian corpus', async () => {
      const out = await runScript('debian-corpus.sh', 20 * 60_000);
      return out.trim().split('\n').pop() ?? '';
    });
  }
  project.provide('prerequisites', prerequisites);
}
