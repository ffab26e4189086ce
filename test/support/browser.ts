// Browser tests: Debian's Chromium driven by playwright-core (no browser download), a fresh
// profile per run, every request the pages make recorded, and the console built when the
// build is missing or older than its sources (by the global setup, before the workers start).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM } from './paths.js';
import { requirePrerequisite } from './prerequisites.js';

export { CHROMIUM } from './paths.js';
export { ensureConsoleBuilt } from './console-build.js';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Chromium is installed by the global setup (test/support/global-setup.ts) before any worker
 * starts; this throws, so the calling test fails rather than skips, when it could not be had.
 */
export function ensureChromium(): Promise<void> {
  return Promise.resolve().then(() => {
    requirePrerequisite('chromium');
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
/** The page is wider than its window (tables must scroll inside their own box instead). */
export const overflows = (page: Page): Promise<boolean> =>
  page.evaluate<boolean>('document.documentElement.scrollWidth > window.innerWidth + 1');

export function requestsLeavingMachine(urls: string[], origin: string): string[] {
  const allowed = new URL(origin);
  return urls.filter((u) => {
    const url = new URL(u);
    if (url.protocol === 'data:' || url.protocol === 'blob:') return false;
    return url.hostname !== '127.0.0.1' || url.port !== allowed.port;
  });
}

/** Opens the console at `url` and signs in through its form, as a person would. */
export async function signInThroughForm(
  page: Page,
  url: string,
  login: string,
  password: string,
  /** The heading of the page the user lands on (an auditor's is the audit authority). */
  landing = 'Overview',
): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Login').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: landing }).waitFor();
}
