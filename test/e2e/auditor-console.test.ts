// An auditor who is not an administrator, in Chromium: signs in and lands on the audit
// authority with no administrator's page offered; opens a crate page (versions, analysis, the
// Audits tab) that offers no admin action; opens the diff with the source analysis's facts
// inline (new unsafe code and a new call into another crate, per file); records a delta audit;
// rotates the signing key with re-authentication and sees both keys with their state. No
// request of the whole session is refused.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishWrapFixtures } from '../support/analysis-fixtures.js';
import {
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
/** Labels of the admin actions the crate page offers an administrator. */
const ADMIN_ACTIONS = /^(Yank|Unyank|Release|Reject|Delete|Remove|Author advisory|Lock)/;

describe('auditor console', { timeout: 180_000 }, () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  const refused: string[] = [];

  beforeAll(async () => {
    await ensureChromium();
    await ensureConsoleBuilt();
    await mkdir(SHOTS, { recursive: true });
    h = await startRegistry();
    await createAdmin(h, 'root', PASSWORD);
    await createAdmin(h, 'ada', PASSWORD, false);
    const admin = await signIn(h, 'root', PASSWORD);
    await publishWrapFixtures(h.url, await h.token('alice'));
    await h.worker.drain();
    const grant = await admin.call('POST', '/api/admin/vet/auditors/ada', { reason: 'security team' });
    expect(grant.status, await grant.clone().text()).toBe(200);

    browser = await launchBrowser();
    page = await browser.newPage({ width: 1280, height: 900 });
    page.on('response', (r) => {
      if (r.status() === 401 || r.status() === 403) refused.push(`${r.status()} ${r.url()}`);
    });
    await signInThroughForm(page, `${h.url}/console/`, 'ada', PASSWORD, 'Audits (cargo-vet)');
    refused.length = 0; // the session check before signing in answers 401, as it should
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('lands on the audit authority and offers no administrator page', async () => {
    const nav = page.getByRole('navigation', { name: 'Main' }).getByRole('link');
    expect(await nav.allTextContents()).toEqual(['Audits (cargo-vet)']);
    expect(await page.getByRole('search').count()).toBe(0);
    // An administrator's page by its address shows the audit authority instead.
    await page.goto(`${h.url}/console/quarantine`);
    await page.getByRole('heading', { level: 1, name: 'Audits (cargo-vet)' }).waitFor();
    expect(refused).toEqual([]);
  });

  it('opens a crate page with versions, analysis and audits, and no admin action', async () => {
    await page.getByLabel('Crate to review').fill('wrap');
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'wrap' }).waitFor();
    const rows = page.getByTestId('versions').locator('tbody tr');
    await rows.first().waitFor();
    expect(await rows.evaluateAll((r) => r.map((x) => x.getAttribute('data-version')))).toEqual([
      '0.2.0',
      '0.1.0',
    ]);
    await page.getByRole('button', { name: 'Source analysis of 0.2.0' }).waitFor();
    expect(await page.getByRole('columnheader', { name: 'Actions' }).count()).toBe(0);
    const buttons = await page.getByRole('button').allTextContents();
    expect(buttons.filter((b) => ADMIN_ACTIONS.test(b.trim()))).toEqual([]);
    await page.getByRole('tab', { name: 'Security' }).click();
    expect(
      (await page.getByRole('button').allTextContents()).filter((b) => ADMIN_ACTIONS.test(b.trim())),
    ).toEqual([]);
    await page.getByRole('tab', { name: 'Audits' }).click();
    await page.getByTestId('audit-status').waitFor();
    await page.screenshot({ path: join(SHOTS, 'auditor-crate.png'), fullPage: true });
    expect(refused).toEqual([]);
  });

  it('shows the source analysis inline in the diff, and records a delta audit from there', async () => {
    await page.getByRole('tab', { name: 'Versions' }).click();
    await page.getByRole('link', { name: 'Compare versions' }).click();
    const summary = page.getByTestId('diff-analysis');
    await summary.waitFor();
    expect(await summary.textContent()).toContain('New calls into other crates');
    expect(await summary.textContent()).toContain('ffi_core::raw::read_ptr');
    expect(await summary.locator('li[data-counter="functions"]').textContent()).toContain(
      'unsafe fns: 0 → 1',
    );
    const lib = page.getByTestId('diff-tree').getByRole('button', { name: /src\/lib\.rs/ });
    expect(await lib.getByTestId('unsafe-delta').textContent()).toMatch(/^unsafe \+\d+$/);
    expect(await lib.textContent()).toContain('1 new call');
    await lib.click();
    const facts = page.getByTestId('file-facts');
    await facts.waitFor();
    expect(await facts.textContent()).toContain('ffi_core::raw::read_ptr');
    expect(await facts.locator('li[data-counter="functions"]').textContent()).toContain('0 → 1');
    await page.getByTestId('diff-hunks').waitFor();
    await page.screenshot({ path: join(SHOTS, 'auditor-diff-analysis.png'), fullPage: true });

    await page.getByRole('link', { name: 'Record an audit of this delta' }).click();
    await page.getByRole('heading', { level: 1, name: 'Record an audit of wrap' }).waitFor();
    await page.getByRole('checkbox', { name: /^safe-to-run —/ }).check();
    await page.getByLabel('Reason (for the audit log)').fill('delta reviewed');
    await page.getByRole('button', { name: 'Sign and record the audit' }).click();
    const done = page.getByTestId('audit-recorded');
    await done.waitFor();
    expect(await done.textContent()).toContain('delta 0.1.0 -> 0.2.0');
    expect((await h.services.vet.repo.audits('wrap')).map((a) => [a.kind, a.who])).toEqual([
      ['delta', 'ada'],
    ]);
    expect(refused).toEqual([]);
  });

  it('rotates the signing key after the password, and lists both keys with their state', async () => {
    await page.getByRole('link', { name: 'Audits (cargo-vet)' }).click();
    const keys = page.getByTestId('own-keys').locator('li[data-key]');
    await keys.first().waitFor();
    const before = await keys.first().getAttribute('data-key');
    await page.getByRole('button', { name: 'Rotate signing key' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason (required, recorded in the audit log)').fill('yearly rotation');
    await dialog.getByLabel(/Your password/).fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Confirm and rotate signing key' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('own-keys').locator('li[data-key]').nth(1).waitFor();
    expect(await keys.evaluateAll((l) => l.map((x) => x.getAttribute('data-state')))).toEqual([
      'current',
      'retired',
    ]);
    expect(await keys.nth(1).getAttribute('data-key')).toBe(before);
    expect(await keys.nth(1).getByTestId('key-state').textContent()).toMatch(
      /^retired: valid from .+ to .+, its audits stay verifiable$/,
    );
    expect(await keys.nth(1).textContent()).toMatch(/Audits signed\s*1/);
    expect((await h.services.audit.list({ action: 'vet-rotate-key' })).total).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'auditor-keys.png'), fullPage: true });
    expect(refused).toEqual([]);
    expect(browser.problems).toEqual([]);
  });
});
