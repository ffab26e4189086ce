// The console's top-unsafe page in Chromium: crates published through the registry API and
// analysed by the worker, reached from the main navigation; the crates by unsafe code with what
// their dependencies add, as the admin API answers them; the limit chosen in the page's URL; and
// the page in a 400 px window without overflowing.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TopUnsafeAnswer } from '../../src/web/src/api-types.js';
import { publishAnalysisFixtures } from '../support/analysis-fixtures.js';
import {
  overflows,
  ensureChromium,
  ensureConsoleBuilt,
  launchBrowser,
  type Browser,
  signInThroughForm,
} from '../support/browser.js';
import { createAdmin, signIn } from '../support/console-session.js';
import { repoRoot } from '../support/paths.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';

const SHOTS = join(repoRoot, 'test-output', 'screenshots');
const PASSWORD = 'correct horse battery staple';

describe('top-unsafe console page', { timeout: 180_000 }, () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  let api: TopUnsafeAnswer;

  beforeAll(async () => {
    await ensureChromium();
    await ensureConsoleBuilt();
    await mkdir(SHOTS, { recursive: true });
    h = await startRegistry();
    await createAdmin(h, 'root', PASSWORD);
    const admin = await signIn(h, 'root', PASSWORD);
    await publishAnalysisFixtures(h.url, await h.token('alice'), await h.token('bob'));
    await h.worker.drain();
    const res = await admin.call('GET', '/api/admin/analysis/top-unsafe?limit=20');
    expect(res.status).toBe(200);
    api = (await res.json()) as TopUnsafeAnswer;
    browser = await launchBrowser();
    page = await browser.newPage({ width: 1280, height: 900 });
    await signInThroughForm(page, `${h.url}/console/`, 'root', PASSWORD);
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('lists the crates by unsafe code, with their dependencies, from the main navigation', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Unsafe code' }).click();
    await page.getByRole('heading', { level: 1, name: 'Unsafe code' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/analysis/unsafe');
    const rows = page.getByTestId('top-unsafe').locator('tr[data-crate]');
    await rows.first().waitFor();
    // The API's order and numbers, row for row.
    expect(await rows.evaluateAll((r) => r.map((x) => x.getAttribute('data-crate')))).toEqual(
      api.crates.map((c) => c.crate),
    );
    expect(api.crates[0]!.crate).toBe('ffi-core');
    const core = api.crates[0]!;
    const cells = async (crate: string) =>
      (
        await page
          .getByTestId('top-unsafe')
          .locator(`tr[data-crate="${crate}"] td`)
          .evaluateAll((tds) => tds.map((td) => td.textContent?.trim() ?? ''))
      ).slice(0, 5);
    expect(await cells('ffi-core')).toEqual([
      `ffi-core ${core.version}`,
      String(core.unsafeUsed),
      String(core.transitiveUnsafe),
      '0',
      'no',
    ]);
    // safe-app has no unsafe code of its own and forbids it; through ffi-core it has core's.
    expect(await cells('safe-app')).toEqual([
      'safe-app 0.1.0',
      '0',
      String(core.unsafeUsed),
      '1',
      '#![forbid(unsafe_code)]',
    ]);
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: join(SHOTS, 'top-unsafe.png'), fullPage: true });
    await rows.first().getByRole('link', { name: 'ffi-core' }).click();
    await page.getByRole('heading', { level: 1, name: 'ffi-core' }).waitFor();
  });

  it('keeps the number of crates shown in the URL', async () => {
    await page.goto(`${h.url}/console/analysis/unsafe`);
    await page.getByTestId('top-unsafe').locator('tr[data-crate]').first().waitFor();
    const [req] = await Promise.all([
      page.waitForRequest((r) => r.url().includes('/api/admin/analysis/top-unsafe')),
      page.getByLabel('Show').selectOption('100'),
    ]);
    expect(new URL(req.url()).searchParams.get('limit')).toBe('100');
    expect(new URL(page.url()).search).toBe('?limit=100');
    await page.reload();
    expect(await page.getByLabel('Show').inputValue()).toBe('100');
    // A limit the page does not offer falls back to its default.
    await page.goto(`${h.url}/console/analysis/unsafe?limit=9999`);
    expect(await page.getByLabel('Show').inputValue()).toBe('20');
  });

  it('fits a 400 px window without the page overflowing', async () => {
    const narrow = await browser.newPage({ width: 400, height: 800 });
    try {
      await narrow.goto(`${h.url}/console/analysis/unsafe`);
      await narrow.getByTestId('top-unsafe').locator('tr[data-crate]').first().waitFor();
      await narrow.waitForLoadState('networkidle');
      expect(await overflows(narrow)).toBe(false);
      expect(await narrow.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(true);
      await narrow.screenshot({ path: join(SHOTS, 'top-unsafe-narrow.png'), fullPage: true });
    } finally {
      await narrow.close();
    }
    expect(browser.problems).toEqual([]);
  });
});
