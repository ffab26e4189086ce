// The admin console in a real browser (Debian's Chromium via playwright-core) against a real
// registry: sign in, a malicious sample published through the registry API raises an alert,
// the responder opens it and yanks the version, the sparse index and the audit log show it,
// and tampering with the audit log is caught. Saves a screenshot of each main page under
// test-output/screenshots/ (ignored); `npm run screenshots` copies them to docs/screenshots/.
import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublishDependency } from '../../src/domain/publish-metadata.js';
import { manifestToPublishMetadata, parseManifest } from '../../src/domain/manifest.js';
import { readCrateArchive, writeCrateArchive } from '../../src/formats/crate-archive.js';
import {
  overflows,
  ensureChromium,
  ensureConsoleBuilt,
  launchBrowser,
  requestsLeavingMachine,
  type Browser,
} from '../support/browser.js';
import { repoRoot } from '../support/debian-corpus.js';
import { manifestToml, metadataFor, publishBody, normalDependency as dep } from '../support/publish-body.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';
import { CLI_ARGV } from '../support/cli-process.js';

const SAMPLES = join(repoRoot, '..', 'shared', 'data', 'scanner-samples', 'crates');
const SHOTS = join(repoRoot, 'test-output', 'screenshots');
const CRATES_IO = 'https://github.com/rust-lang/crates.io-index';
const PASSWORD = 'correct horse battery staple';
const SAMPLE = { name: 'env-loggerr', version: '0.11.4' };

function ck(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...CLI_ARGV, ...args],
      { cwd: repoRoot, timeout: 120_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function shot(page: Page, name: string): Promise<void> {
  // Let charts and late answers settle so the picture shows the page as a person sees it.
  await page.waitForLoadState('networkidle');
  // Action notices fade after a few seconds; keep them out of the pictures.
  await page.screenshot({
    path: join(SHOTS, `${name}.png`),
    fullPage: true,
    style: '.notice-region { display: none; }',
  });
}

// Evaluated in the page: plain expressions, as the test code is not compiled with DOM types.
interface Focus {
  tag: string;
  text: string;
  inNav: boolean;
  inDialog: boolean;
}
const focused = (page: Page) =>
  page.evaluate<Focus>(`(() => {
    const el = document.activeElement;
    return {
      tag: el ? el.tagName : '',
      text: ((el && el.textContent) || '').trim(),
      inNav: Boolean(el && el.closest('nav.sidenav')),
      inDialog: Boolean(el && el.closest('dialog[open]')),
    };
  })()`);

describe('admin console in a browser', { timeout: 90_000 }, () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  let alice: string;
  let alertId: number;
  const consoleUrl = (path = '') => `${h.url}/console${path}`;
  const isYanked = async (name: string, version: string) => {
    const krate = await h.services.crates.findByName(name);
    return (await h.services.crates.findVersion(krate!.id, version))?.yanked === 1;
  };

  const publish = async (token: string, name: string, version: string, deps: PublishDependency[] = []) => {
    const crate = await writeCrateArchive(`${name}-${version}`, [
      { path: 'Cargo.toml', data: manifestToml(name, version) },
    ]);
    const res = await fetch(`${h.url}/api/v1/crates/new`, {
      method: 'PUT',
      headers: { authorization: token, 'user-agent': 'cargo/1.90.0 (test)' },
      body: publishBody(metadataFor(name, version, { deps }), crate),
    });
    expect(res.status, `${name}@${version}: ${await res.clone().text()}`).toBe(200);
  };

  beforeAll(async () => {
    await ensureChromium();
    // Before the server starts: it lists the console's files once, at start.
    await ensureConsoleBuilt();
    await mkdir(SHOTS, { recursive: true });
    h = await startRegistry();
    const root = await h.services.users.create({ login: 'root', name: 'Registry Admin', isAdmin: true });
    await h.services.users.setPassword(root.id, PASSWORD);
    alice = await h.token('alice');
    const bob = await h.token('bob');
    // A small ecosystem, so the crate page has dependents and the charts have something to draw.
    await publish(alice, 'serde', '1.0.0');
    await publish(alice, 'serde', '1.0.1');
    await publish(alice, 'tokio', '1.0.0');
    await publish(bob, 'middle', '0.3.0', [dep('serde', '^1.0')]);
    await publish(bob, 'app-one', '2.0.0', [dep('middle', '0.3')]);
    await publish(bob, 'app-two', '1.0.0', [dep('serde', '1'), dep('tokio', '1')]);
    // A look-alike name from a look-alike login (with a reassuring display name): typosquat and
    // impersonation alerts in the queue.
    await h.services.users.create({ login: 'allice', name: 'Tokio maintainers' });
    await publish(await h.token('allice'), 'tokoi', '0.1.0');
    const versions = await h.services.db.kysely.selectFrom('versions').select('id').execute();
    const rows = [];
    for (let d = 1; d <= 29; d++) {
      const date = new Date(Date.now() - d * 86_400_000).toISOString().slice(0, 10);
      for (const v of versions)
        rows.push({ version_id: v.id, date, downloads: ((v.id * 7 + d * 13) % 40) + 5 });
    }
    await h.services.db.kysely.insertInto('version_downloads').values(rows).execute();
    await h.worker.drain();
    browser = await launchBrowser();
    page = await browser.newPage({ width: 1280, height: 800 });
  });

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('signs in, refusing a wrong password', async () => {
    await page.goto(`${h.url}/`);
    await expect.poll(() => page.url()).toBe(consoleUrl('/'));
    await page.getByLabel('Login').waitFor();
    await shot(page, 'sign-in');

    await page.getByLabel('Login').fill('root');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Wrong login or password');

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    expect(await page.getByTestId('whoami').textContent()).toBe('root');
    // The session is an httpOnly, SameSite=Strict cookie that page scripts cannot read.
    const cookie = (await browser.context.cookies(h.url)).find((c) => c.name === 'ck_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(await page.evaluate<string>('document.cookie')).not.toContain('ck_session');
  });

  it('shows a new publish on the overview by itself, and its alert in the queue', async () => {
    const tbody = page.getByTestId('recent-publishes');
    expect(await tbody.textContent()).not.toContain(SAMPLE.name);

    const bytes = await readFile(join(SAMPLES, `${SAMPLE.name}-${SAMPLE.version}.crate`));
    const archive = await readCrateArchive(bytes);
    const paths = new Set(archive.files.map((f) => f.path));
    const metadata = manifestToPublishMetadata(parseManifest(archive.manifestText, (p) => paths.has(p)));
    for (const d of metadata.deps) d.registry = CRATES_IO;
    const res = await fetch(`${h.url}/api/v1/crates/new`, {
      method: 'PUT',
      headers: { authorization: alice, 'user-agent': 'cargo/1.90.0 (test)' },
      body: publishBody(metadata, bytes),
    });
    expect(res.status).toBe(200);
    await h.worker.drain();

    // No reload: the overview refreshes on its own.
    await expect.poll(() => tbody.textContent(), { timeout: 20_000 }).toContain(SAMPLE.name);
    const openAlerts = await page.locator('.card-total .card-number').textContent();
    expect(Number(openAlerts)).toBeGreaterThanOrEqual(1);
    await shot(page, 'overview');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Alerts' }).click();
    await page.getByRole('heading', { level: 1, name: 'Alerts' }).waitFor();
    const row = page
      .getByTestId('alert-table')
      .locator('tbody tr', { hasText: SAMPLE.name })
      .filter({ hasText: 'scanner' });
    await row.first().waitFor();
    expect(await row.first().locator('.sev').textContent()).toMatch(/^(high|critical)$/);
    const kinds = await page.getByTestId('alert-table').locator('tbody tr td:nth-child(3)').allTextContents();
    expect(new Set(kinds)).toEqual(new Set(['scanner', 'typosquat', 'impersonation']));
    await shot(page, 'alerts');

    await row.first().getByRole('link').first().click();
    await page.waitForURL(/\/console\/alerts\/\d+$/);
    alertId = Number(new URL(page.url()).pathname.split('/').pop());
    expect(alertId).toBeGreaterThan(0);
  });

  it('shows the alert with its evidence: code with line numbers and the diff', async () => {
    await page.getByRole('heading', { name: 'Evidence' }).waitFor();
    const findings = page.locator('.finding');
    await findings.first().waitFor();
    expect(await page.locator('.evidence').textContent()).toContain('build.rs');
    // At least one finding shows the source around it, numbered, with its line marked.
    const listing = page.locator('pre.code .code-line.hit').first();
    await listing.waitFor();
    const n = Number(await listing.locator('.ln').textContent());
    expect(n).toBeGreaterThan(0);
    expect(await page.getByRole('heading', { name: /^Changes/ }).textContent()).toBe(
      'Changes: first version of the crate',
    );
    expect(await page.getByTestId('alert-impact').textContent()).toMatch(
      /\d+ crates? depends? on this directly, \d+ transitively/,
    );
    await shot(page, 'alert-detail');
  });

  it('yanks the version from the alert with a reason; the sparse index shows it yanked', async () => {
    await page.getByRole('button', { name: `Yank ${SAMPLE.version}` }).click();
    const dialog = page.getByRole('dialog', { name: `Yank ${SAMPLE.name} ${SAMPLE.version}` });
    await dialog.waitFor();
    await expect
      .poll(() => dialog.getByTestId('impact').textContent())
      .toMatch(/0 crates depend on this directly, 0 transitively/);

    // No reason, no action.
    await dialog.getByRole('button', { name: `Yank ${SAMPLE.version}` }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('Give a reason');
    expect(await isYanked(SAMPLE.name, SAMPLE.version)).toBe(false);

    await dialog.getByLabel(/^Reason/).fill('build script exfiltrates host data to a messenger bot');
    await dialog.getByRole('button', { name: `Yank ${SAMPLE.version}` }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: `Unyank ${SAMPLE.version}` }).waitFor();
    expect(await page.locator('.meta-row .state-yanked').textContent()).toBe('yanked');

    const index = await fetch(`${h.url}/index/en/v-/${SAMPLE.name}`);
    expect(index.status).toBe(200);
    const lines = (await index.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { vers: string; yanked: boolean });
    expect(lines.find((l) => l.vers === SAMPLE.version)?.yanked).toBe(true);
    expect(await isYanked(SAMPLE.name, SAMPLE.version)).toBe(true);
  });

  it('holds the yank in the audit log, and the chain verifies in the console and the CLI', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    const table = page.getByTestId('audit-table');
    await table.locator('tbody tr').first().waitFor();
    await shot(page, 'audit-log');

    await page.getByLabel('Target').fill(`${SAMPLE.name}@${SAMPLE.version}`);
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.url()).toContain('target=');
    const row = table.locator('tbody tr', { hasText: 'yank' });
    await row.waitFor();
    const text = await row.textContent();
    expect(text).toContain('root');
    expect(text).toContain('build script exfiltrates host data');
    expect(text).toContain('127.0.0.1');
    // What the publish entry recorded beyond a reason is shown too, the whole record on a click.
    const publishRow = table.locator('tbody tr', { hasText: 'publish' }).first();
    await publishRow.locator('summary').click();
    const recorded = await publishRow.locator('.entry-details dl').textContent();
    expect(recorded).toMatch(/checksum[0-9a-f]{64}/);
    expect(recorded).toContain('status');

    await page.getByRole('button', { name: 'Verify the hash chain' }).click();
    await expect
      .poll(() => page.getByTestId('verify-result').textContent())
      .toMatch(/^Chain intact: \d+ entries/);

    const cli = await ck(['audit-log', 'verify', '--data', join(h.dir, 'data')]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/audit log intact: \d+ entries verified/);
  });

  it('searches across crates, users and alerts', async () => {
    await page.getByLabel('Search crates, users and alerts').fill('tok');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Search: tok' }).waitFor();
    const results = page.locator('.search-results');
    await results.getByRole('heading', { name: 'Crates (2)' }).waitFor();
    expect(await results.getByRole('heading', { level: 2 }).allTextContents()).toEqual([
      'Crates (2)',
      'Users (1)',
      expect.stringMatching(/^Alerts \(\d+\)$/),
      'The name “tok”',
    ]);
    for (const name of ['tokio', 'tokoi', 'allice']) {
      expect(await results.getByRole('link', { name, exact: true }).count(), name).toBe(1);
    }
    await shot(page, 'search');
  });

  it('shows a crate: versions with provenance, and an expandable dependents view', async () => {
    await page.getByLabel('Search crates, users and alerts').fill('serde');
    await page.keyboard.press('Enter');
    await page.locator('.search-results').getByRole('link', { name: 'serde', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'serde' }).waitFor();
    const v = page.locator('tr[data-version="1.0.1"]');
    await v.waitFor();
    const row = await v.textContent();
    expect(row).toContain('alice');
    expect(row).toContain('127.0.0.1');
    expect(row).toContain('cargo/1.90.0 (test)');
    expect(await v.locator('.checksum').textContent()).toMatch(/^[0-9a-f]{64}$/);

    const tree = page.locator('.dependents');
    expect(await tree.textContent()).toMatch(/2 direct and 3 transitive dependents/);
    await tree.getByRole('button', { name: 'Expand dependents of middle' }).click();
    await tree.getByRole('link', { name: 'app-one' }).waitFor();
    expect(
      await tree.getByRole('button', { name: 'Collapse dependents of middle' }).getAttribute('aria-expanded'),
    ).toBe('true');
    await shot(page, 'crate');
  });

  it('shows a user, and asks for the password again before locking one', async () => {
    await page.locator('tr[data-version="1.0.1"]').getByRole('link', { name: 'alice' }).click();
    await page.getByRole('heading', { level: 1, name: 'alice' }).waitFor();
    await page.getByRole('heading', { name: 'Tokens' }).waitFor();
    expect(await page.locator('main').textContent()).toContain('env-loggerr');
    await shot(page, 'user');

    // Signing in counts as a fresh authentication for five minutes: let that window pass.
    await h.services.db.kysely
      .updateTable('sessions')
      .set({ reauth_until: new Date(Date.now() - 1000).toISOString() })
      .execute();
    await page.getByRole('button', { name: 'Lock user' }).click();
    const dialog = page.getByRole('dialog', { name: 'Lock alice' });
    expect(await dialog.getByTestId('impact').textContent()).toContain('alice owns 3 crates');
    await dialog.getByLabel(/^Reason/).fill('published a credential stealer');
    await dialog.getByRole('button', { name: 'Lock user' }).click();
    // Locking is destructive: the server wants a fresh re-authentication first.
    const password = dialog.getByLabel(/Your password/);
    await password.waitFor();
    expect(await dialog.getByRole('alert').textContent()).toContain('needs your password again');
    expect((await h.services.users.findByLogin('alice'))?.lock_reason).toBeNull();
    await password.fill(PASSWORD);
    await dialog.getByRole('button', { name: /Confirm and lock user/ }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('.state-locked').waitFor();
    const user = await h.services.users.findByLogin('alice');
    expect(user?.lock_reason).toBe('published a credential stealer');
    const res = await fetch(`${h.url}/api/v1/crates/new`, {
      method: 'PUT',
      headers: { authorization: alice },
      body: publishBody(
        metadataFor('after-lock', '1.0.0'),
        await writeCrateArchive('after-lock-1.0.0', [
          { path: 'Cargo.toml', data: manifestToml('after-lock', '1.0.0') },
        ]),
      ),
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
  });

  it('is usable with the keyboard: Tab reaches the navigation, Enter opens a page, dialogs trap focus', async () => {
    await page.goto(consoleUrl('/'));
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    let reached = false;
    for (let i = 0; i < 25 && !reached; i++) {
      await page.keyboard.press('Tab');
      const f = await focused(page);
      reached = f.inNav && f.text === 'Alerts';
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Alerts' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/alerts');
    // Focus moves to the new page's heading, not back to the top of the document.
    await expect.poll(async () => (await focused(page)).tag).toBe('H1');

    await page.goto(consoleUrl(`/alerts/${alertId}`));
    const opener = page.getByRole('button', { name: 'Acknowledge' });
    await opener.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: `Acknowledge alert #${alertId}` });
    await dialog.waitFor();
    expect((await focused(page)).inDialog).toBe(true);
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press(i % 4 === 3 ? 'Shift+Tab' : 'Tab');
      expect((await focused(page)).inDialog, `after key ${i}`).toBe(true);
    }
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    const back = await focused(page);
    expect(back.tag).toBe('BUTTON');
    expect(back.text).toBe('Acknowledge');
  });

  it('renders every page at 1280 px and in a narrow window without the page overflowing', async () => {
    const pages = [
      ['/', 'Overview'],
      ['/alerts', 'Alerts'],
      [`/alerts/${alertId}`, /./],
      ['/crates/serde', 'serde'],
      ['/users/alice', 'alice'],
      ['/search?q=serde', 'Search: serde'],
      ['/audit-log', 'Audit log'],
    ] as const;
    const narrow = await browser.newPage({ width: 400, height: 800 });
    try {
      for (const p of [page, narrow]) {
        for (const [path, title] of pages) {
          await p.goto(consoleUrl(path));
          await p.getByRole('heading', { level: 1, name: title }).first().waitFor();
          await p.waitForLoadState('networkidle');
          expect(await overflows(p), `${path} at ${p.viewportSize()?.width}px`).toBe(false);
          expect(await p.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(true);
        }
      }
      await narrow.goto(consoleUrl('/'));
      await narrow.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
      await shot(narrow, 'overview-narrow');
    } finally {
      await narrow.close();
    }
  });

  it('signs out, and locks a login out after repeated failures', async () => {
    await page.goto(consoleUrl('/'));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Login').waitFor();
    expect((await page.request.get(`${h.url}/api/admin/session`)).status()).toBe(401);

    await page.getByLabel('Login').fill('intruder');
    const statuses: number[] = [];
    for (let i = 0; i < 8 && !statuses.includes(429); i++) {
      await page.getByLabel('Password').fill(`guess-${i}`);
      const [res] = await Promise.all([
        page.waitForResponse(
          (r) => r.url().endsWith('/api/admin/session') && r.request().method() === 'POST',
        ),
        page.getByRole('button', { name: 'Sign in' }).click(),
      ]);
      statuses.push(res.status());
      if (res.status() === 401)
        await expect.poll(() => page.getByRole('alert').textContent()).toContain('Wrong login or password');
    }
    // Backoff, then lockout: a handful of failures, never an unlimited number of guesses.
    expect(statuses.slice(0, -1).every((s) => s === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.length).toBeLessThanOrEqual(6);
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toMatch(/Too many failed attempts\. Sign-in is locked: try again in (\d+ min( \d+ s)?|\d+ s)\./);
    expect(await page.getByRole('button', { name: 'Sign in' }).isDisabled()).toBe(true);
  });

  it('shows a tampered audit log as broken, in the console and the CLI', async () => {
    const db = h.services.db.kysely;
    const entry = await db
      .selectFrom('audit_log')
      .select('id')
      .where('action', '=', 'yank')
      .where('target', '=', `${SAMPLE.name}@${SAMPLE.version}`)
      .executeTakeFirstOrThrow();
    // The database itself refuses the edit...
    await expect(
      db.updateTable('audit_log').set({ reason: 'routine cleanup' }).where('id', '=', entry.id).execute(),
    ).rejects.toThrow(/append-only/);
    // ...so an attacker with the database file drops the guard first.
    await sql`drop trigger audit_log_no_update`.execute(db);
    await db.updateTable('audit_log').set({ reason: 'routine cleanup' }).where('id', '=', entry.id).execute();

    const cli = await ck(['audit-log', 'verify', '--data', join(h.dir, 'data')]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(`audit log BROKEN at entry ${entry.id}`);

    await page.goto(consoleUrl('/audit-log'));
    await page.getByLabel('Login').fill('root');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    await page.getByRole('button', { name: 'Verify the hash chain' }).click();
    await expect
      .poll(() => page.getByTestId('verify-result').textContent())
      .toContain(`Chain BROKEN at entry #${entry.id}`);
  });

  it('made no request that left the machine, and broke no content-security rule', () => {
    expect(browser.requests.length).toBeGreaterThan(20);
    expect(requestsLeavingMachine(browser.requests, h.url)).toEqual([]);
    expect(browser.problems).toEqual([]);
  });
});
