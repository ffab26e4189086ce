// The console's advisory pages in Chromium against a real registry: a crate's Security tab,
// the authoring form (a malicious advisory written there quarantines the crate), the
// advisory page with its blast radius and owners, and the advisories list.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublishDependency } from '../../src/domain/publish-metadata.js';
import { writeCrateArchive } from '../../src/formats/crate-archive.js';
import { parseAdvisoryMarkdown } from '../../src/formats/advisory-markdown.js';
import {
  ensureChromium,
  ensureConsoleBuilt,
  launchBrowser,
  type Browser,
  signInThroughForm,
} from '../support/browser.js';
import { createAdmin } from '../support/console-session.js';
import { repoRoot } from '../support/paths.js';
import { manifestToml, metadataFor, publishBody, normalDependency as dep } from '../support/publish-body.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';

const SHOTS = join(repoRoot, 'test-output', 'screenshots');
const PASSWORD = 'correct horse battery staple';

async function shot(page: Page, name: string): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.screenshot({
    path: join(SHOTS, `${name}.png`),
    fullPage: true,
    style: '.notice-region { display: none; }',
  });
}

describe('advisories in the console', { timeout: 120_000 }, () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;

  const publish = async (token: string, name: string, version: string, deps: PublishDependency[] = []) => {
    const crate = await writeCrateArchive(`${name}-${version}`, [
      { path: 'Cargo.toml', data: manifestToml(name, version) },
    ]);
    const res = await fetch(`${h.url}/api/v1/crates/new`, {
      method: 'PUT',
      headers: { authorization: token },
      body: publishBody(metadataFor(name, version, { deps }), crate),
    });
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    await ensureChromium();
    await ensureConsoleBuilt();
    await mkdir(SHOTS, { recursive: true });
    h = await startRegistry();
    await createAdmin(h, 'root', PASSWORD);
    const alice = await h.token('alice');
    const bob = await h.token('bob');
    await publish(alice, 'left-pad-rs', '1.0.0');
    await publish(alice, 'left-pad-rs', '1.0.1');
    await publish(alice, 'left-pad-rs', '1.1.0');
    await publish(bob, 'pads-strings', '0.2.0', [dep('left-pad-rs', '^1.0')]);
    await publish(bob, 'cli-app', '3.0.0', [dep('pads-strings', '0.2')]);
    // A synced (crates.io) advisory naming the crate: an unsound notice for the older versions.
    const synced = parseAdvisoryMarkdown(
      [
        '```toml',
        '[advisory]',
        'id = "RUSTSEC-2026-0042"',
        'package = "left-pad-rs"',
        'date = "2026-06-01"',
        'informational = "unsound"',
        '',
        '[versions]',
        'patched = [">= 1.1.0"]',
        '```',
        '',
        '# Padding reads past the end of the buffer',
        '',
        'An unchecked index.',
        '',
      ].join('\n'),
      { collection: 'crates', database: 'rustsec', file: 'crates/left-pad-rs/RUSTSEC-2026-0042.md' },
    );
    await h.services.security.advisorySync.apply({
      advisories: [synced],
      problems: [],
      databases: [{ label: 'rustsec', advisoryCount: 1, lastCommit: null, lastUpdated: null }],
      get: () => synced,
      forPackage: () => [synced],
    });
    await h.worker.drain();
    browser = await launchBrowser();
    page = await browser.newPage({ width: 1280, height: 900 });
    await signInThroughForm(page, `${h.url}/console/`, 'root', PASSWORD);
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it("lists each version's advisories on the crate's Security tab", async () => {
    await page.goto(`${h.url}/console/crates/left-pad-rs`);
    await page.getByRole('heading', { level: 1, name: 'left-pad-rs' }).waitFor();
    const tab = page.getByRole('tab', { name: /^Security/ });
    expect(await tab.textContent()).toBe('Security (1)');
    await tab.click();
    const table = page.getByTestId('security-versions');
    await table.waitFor();
    const row = (v: string) => table.locator(`tr[data-version="${v}"]`);
    expect(await row('1.0.0').textContent()).toContain('RUSTSEC-2026-0042');
    expect(await row('1.0.0').textContent()).toContain('unsound');
    expect(await row('1.0.1').textContent()).toContain('patched: >= 1.1.0');
    expect(await row('1.1.0').textContent()).toContain('none');
    // The synced advisory is for crates.io's crate of that name: said so.
    expect(await row('1.0.0').locator('.advisory-name-only').textContent()).toBe('same name only');
    await shot(page, 'crate-security');
  });

  it('authors a malicious advisory in the form, which quarantines the crate, and opens its page with the blast radius', async () => {
    await page.getByRole('button', { name: 'Author advisory' }).click();
    const dialog = page.getByRole('dialog', { name: 'Author an advisory for left-pad-rs' });
    await dialog.waitFor();
    const text = dialog.getByLabel(/^Advisory/);
    expect(await text.inputValue()).toContain('package = "left-pad-rs"');
    // A mistake first: the server's parser says what is wrong, and nothing is created.
    await text.fill(
      (await text.inputValue()).replace('patched = []', 'patched = [">= 1.0.0"]\nunaffected = ["< 1.1.0"]'),
    );
    await dialog.getByLabel(/^Reason/).fill('maintainer account compromised');
    await dialog.getByRole('button', { name: 'Author advisory' }).click();
    await expect
      .poll(() => dialog.getByRole('alert').textContent())
      .toMatch(/not a valid RustSec advisory.*overlap/);
    await text.fill(
      (await text.inputValue()).replace('patched = [">= 1.0.0"]\nunaffected = ["< 1.1.0"]', 'patched = []'),
    );
    await dialog.getByRole('button', { name: 'Author advisory' }).click();
    await page.waitForURL(/\/console\/advisories\/CK-\d{4}-0001$/);
    await page
      .getByRole('heading', { level: 1, name: /^CK-\d{4}-0001: left-pad-rs is malicious$/ })
      .waitFor();

    const affected = page.getByTestId('affected-versions');
    await affected.waitFor();
    expect(await affected.locator('tbody tr').count()).toBe(3);
    expect(await affected.textContent()).toContain('quarantined');
    expect(await page.getByTestId('blast-summary').textContent()).toMatch(
      /1 direct and 2 transitive dependent crates/,
    );
    const blast = page.getByTestId('blast-radius');
    expect(await blast.locator('tbody tr').allTextContents()).toEqual([
      expect.stringMatching(/^pads-strings0\.2\.0directbob$/),
      expect.stringMatching(/^cli-app3\.0\.0transitive \(2 steps\)bob$/),
    ]);
    expect(await page.locator('pre.advisory-file').textContent()).toContain(
      `source = "sparse+${h.url}/index/"`,
    );
    await shot(page, 'advisory');

    const krate = await h.services.crates.findByName('left-pad-rs');
    expect((await h.services.crates.versions(krate!.id)).map((v) => v.status)).toEqual([
      'quarantined',
      'quarantined',
      'quarantined',
    ]);
    const alerts = await h.services.security.alerts.list({ kind: 'advisory' });
    expect(alerts.alerts.map((a) => a.severity)).toEqual(['critical']);
  });

  it('lists advisories and filters them to crates in this registry', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Advisories' }).click();
    await page.getByRole('heading', { level: 1, name: 'Advisories' }).waitFor();
    const table = page.getByTestId('advisory-table');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(2);
    await page.getByLabel('Origin').selectOption('authored');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    expect(await table.textContent()).toContain('left-pad-rs is malicious');
    await shot(page, 'advisories');
    expect(browser.problems).toEqual([]);
  });
});
