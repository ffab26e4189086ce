// The crate page's version view and the audit console in Chromium: crates published through the
// registry API and analysed by the worker; the crate page's unsafe counts, calls-into and
// called-by; the advisory page listing the dependent that calls the affected function first;
// the diff viewer's link to the audit form, a delta audit recorded there, the crate page's audit
// status showing it certified and signed; the auditor page with the auditor's public key.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdvisoryWriteAnswer } from '../../src/web/src/api-types.js';
import { FFI_ADVISORY, publishAnalysisFixtures } from '../support/analysis-fixtures.js';
import {
  ensureChromium,
  ensureConsoleBuilt,
  launchBrowser,
  type Browser,
  signInThroughForm,
} from '../support/browser.js';
import { createAdmin, signIn, type ConsoleSession } from '../support/console-session.js';
import { repoRoot } from '../support/paths.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';

const SHOTS = join(repoRoot, 'test-output', 'screenshots');
const PASSWORD = 'correct horse battery staple';

describe('version view and audit console', { timeout: 180_000 }, () => {
  let h: Harness;
  let admin: ConsoleSession;
  let browser: Browser;
  let page: Page;
  let advisory: string;

  beforeAll(async () => {
    await ensureChromium();
    await ensureConsoleBuilt();
    await mkdir(SHOTS, { recursive: true });
    h = await startRegistry();
    await createAdmin(h, 'root', PASSWORD);
    admin = await signIn(h, 'root', PASSWORD);
    await publishAnalysisFixtures(h.url, await h.token('alice'), await h.token('bob'));
    await h.worker.drain();
    // root audits too: the auditor role on an administrator.
    const grant = await admin.call('POST', '/api/admin/vet/auditors/root', { reason: 'security lead' });
    expect(grant.status, await grant.clone().text()).toBe(200);
    const full = await admin.call('POST', '/api/admin/crates/ffi-core/vet/audits', {
      version: '1.0.0',
      criteria: ['safe-to-deploy'],
      reason: 'first review',
    });
    expect(full.status, await full.clone().text()).toBe(200);
    const adv = await admin.call('POST', '/api/admin/advisories', {
      markdown: FFI_ADVISORY,
      reason: 'review',
    });
    expect(adv.status, await adv.clone().text()).toBe(200);
    advisory = ((await adv.json()) as AdvisoryWriteAnswer).id;

    browser = await launchBrowser();
    page = await browser.newPage({ width: 1280, height: 900 });
    await signInThroughForm(page, `${h.url}/console/`, 'root', PASSWORD);
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it("shows a version's unsafe counts, the crates it calls and who calls it", async () => {
    await page.goto(`${h.url}/console/crates/ffi-core`);
    await page.getByRole('button', { name: 'Source analysis of 1.0.0' }).click();
    const view = page.getByTestId('version-analysis');
    await view.waitFor();
    expect(await view.getAttribute('data-version')).toBe('1.0.0');
    expect(await page.getByTestId('unsafe-summary').textContent()).toMatch(
      /unsafe items in the files the build uses/,
    );
    expect(
      await page.locator('[data-testid="unsafe-counts"] tr[data-counter="functions"]').textContent(),
    ).toContain('1/2');
    const callers = page.getByTestId('called-by').locator('tr[data-caller]');
    expect(await callers.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-caller')))).toEqual([
      'safe-app@0.1.0',
      'risky-app@0.2.0',
    ]);
    expect(await callers.nth(0).textContent()).toContain('uses 1.0.0');
    expect(await callers.nth(1).textContent()).toContain('not 1.0.0');
    expect(await callers.nth(1).textContent()).toContain('ffi_core::raw::read_ptr');
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: join(SHOTS, 'version-analysis.png'), fullPage: true });

    await page.goto(`${h.url}/console/crates/safe-app`);
    await page.getByRole('tab', { name: 'Source analysis' }).click();
    const into = page.getByTestId('calls-into').locator('tr[data-crate="ffi_core"]');
    await into.waitFor();
    expect(await into.textContent()).toContain('ffi_core::raw::checked');
    expect(await page.getByTestId('unsafe-summary').textContent()).toContain('#![forbid(unsafe_code)]');
    await into.getByRole('link', { name: 'ffi_core' }).click();
    await page.getByRole('heading', { level: 1, name: 'ffi-core' }).waitFor();
  });

  it("lists the dependent that calls the advisory's affected function first", async () => {
    await page.goto(`${h.url}/console/advisories/${advisory}`);
    const callers = page.getByTestId('advisory-callers').locator('tr[data-caller]');
    await callers.first().waitFor();
    expect(await callers.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-caller')))).toEqual([
      'risky-app@0.2.0',
    ]);
    const dependents = page.getByTestId('blast-radius').locator('tr[data-dependent]');
    expect(await dependents.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-dependent')))).toEqual(
      ['risky-app@0.2.0', 'safe-app@0.1.0'],
    );
    expect(await dependents.nth(0).textContent()).toContain('calls affected code');
    expect(await dependents.nth(1).textContent()).not.toContain('calls affected code');
    await page.screenshot({ path: join(SHOTS, 'advisory-callers.png'), fullPage: true });
  });

  it('records a delta audit from the diff viewer and shows the version certified', async () => {
    await page.goto(`${h.url}/console/crates/ffi-core/diff?from=1.0.0&to=1.1.0`);
    await page.getByRole('link', { name: 'Record an audit of this delta' }).click();
    await page.getByRole('heading', { level: 1, name: 'Record an audit of ffi-core' }).waitFor();
    expect(await page.getByLabel('The changes between two versions (delta)').isChecked()).toBe(true);
    expect(await page.getByLabel('From version').inputValue()).toBe('1.0.0');
    expect(await page.getByLabel('To version').inputValue()).toBe('1.1.0');
    const submit = page.getByRole('button', { name: 'Sign and record the audit' });
    expect(await submit.isDisabled()).toBe(true); // no criteria chosen yet
    // (safe-to-deploy's label names safe-to-run too, as what it implies.)
    await page.getByRole('checkbox', { name: /^safe-to-run —/ }).check();
    await page.getByLabel('Notes (published in audits.toml)').fill('only the version number changed');
    // A reason too short is refused by the server with its own words, and nothing is recorded.
    await page.getByLabel('Reason (for the audit log)').fill('ok');
    await page.getByLabel('Reason (for the audit log)').evaluate((el) => el.removeAttribute('minlength'));
    await submit.click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toMatch(/reason/);
    await page.getByLabel('Reason (for the audit log)').fill('delta reviewed');
    await submit.click();
    const done = page.getByTestId('audit-recorded');
    await done.waitFor();
    expect(await done.textContent()).toContain('delta 1.0.0 -> 1.1.0');
    await page.screenshot({ path: join(SHOTS, 'audit-form.png'), fullPage: true });
    expect((await h.services.vet.repo.audits('ffi-core')).map((a) => a.kind)).toEqual(['full', 'delta']);

    await page.getByRole('link', { name: 'Back to ffi-core' }).click();
    await page.getByRole('tab', { name: 'Audits' }).click();
    const row = page.getByTestId('audit-status').locator('tr[data-version="1.1.0"]');
    await row.waitFor();
    const certified = row.locator('li[data-criteria="safe-to-run"]');
    expect(await certified.textContent()).toMatch(
      /root \(full 1\.0\.0, signature valid\) then root \(delta 1\.0\.0 -> 1\.1\.0, signature valid\)/,
    );
    expect(await row.locator('li[data-criteria="safe-to-deploy"]').count()).toBe(0);
    const first = page.getByTestId('audit-status').locator('tr[data-version="1.0.0"]');
    expect(
      await first
        .locator('li[data-criteria]')
        .evaluateAll((l) => l.map((x) => x.getAttribute('data-criteria'))),
    ).toEqual(['safe-to-run', 'safe-to-deploy']);
    await page.screenshot({ path: join(SHOTS, 'audit-status.png'), fullPage: true });
  });

  it("shows the auditor's public key, as the registry publishes it", async () => {
    await page.getByRole('link', { name: 'Audits (cargo-vet)' }).click();
    const key = page.getByTestId('public-key');
    await key.waitFor();
    const published = (await (await fetch(`${h.url}/vet/keys/root`)).json()) as {
      keys: { public_key: string }[];
    };
    expect((await key.textContent())?.trim()).toBe(published.keys[0]!.public_key.trim());
    expect(await page.getByTestId('auditor-self').textContent()).toContain('has recorded 2 audits');
    expect(await page.getByText('None imported').count()).toBe(1);
    expect(browser.problems).toEqual([]);
  });
});
