// The responder's console flows in a real browser (Debian's Chromium via playwright-core)
// against a real registry: the queue shows each alert's subject as it stands, bulk triage over
// a filter, alerts that follow a yank and a delete (with the audit entry one click away),
// actions that no longer apply hidden, the hardened release from the quarantine queue, the
// users, tokens and blocked-names lists, provenance search and account-takeover signals.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublishDependency } from '../../src/domain/publish-metadata.js';
import { writeCrateArchive } from '../../src/formats/crate-archive.js';
import type { AlertRow } from '../../src/store/schema.js';
import {
  overflows,
  ensureChromium,
  ensureConsoleBuilt,
  launchBrowser,
  type Browser,
  signInThroughForm,
} from '../support/browser.js';
import { manifestToml, metadataFor, publishBody } from '../support/publish-body.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';

const PASSWORD = 'correct horse battery staple';

describe('the responder console in a browser', { timeout: 90_000 }, () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  let libAlert: AlertRow;
  let heldAlert: AlertRow;
  const consoleUrl = (path = '') => `${h.url}/console${path}`;

  const publish = async (token: string, name: string, version: string, deps: PublishDependency[] = []) => {
    const crate = await writeCrateArchive(`${name}-${version}`, [
      { path: 'Cargo.toml', data: manifestToml(name, version) },
    ]);
    const res = await fetch(`${h.url}/api/v1/crates/new`, {
      method: 'PUT',
      headers: { authorization: token, 'user-agent': 'cargo/1.90.0 (test)' },
      body: publishBody(metadataFor(name, version, { deps }), crate),
    });
    expect(res.status, await res.clone().text()).toBe(200);
  };
  const versionId = async (name: string, num: string) => {
    const krate = await h.services.crates.findByName(name);
    return (await h.services.crates.findVersion(krate!.id, num))!.id;
  };
  let seq = 0;
  const raise = async (name: string, version: string, severity: AlertRow['severity'], title: string) =>
    (
      await h.pipeline.alerts.raise({
        kind: 'scanner',
        severity,
        crateName: name,
        version,
        versionId: await versionId(name, version),
        title,
        details: { findings: [] },
        score: 40,
        dedupeKey: `test:${++seq}`,
      })
    ).alert;

  beforeAll(async () => {
    await ensureChromium();
    await ensureConsoleBuilt();
    h = await startRegistry();
    const root = await h.services.users.create({ login: 'root', isAdmin: true });
    await h.services.users.setPassword(root.id, PASSWORD);
    const alice = await h.token('alice');
    const bob = await h.token('bob');
    await publish(alice, 'lib-a', '1.0.0');
    await publish(bob, 'app', '1.0.0', [
      {
        name: 'lib-a',
        version_req: '^1',
        features: [],
        optional: false,
        default_features: true,
        target: null,
        kind: 'normal',
      },
    ]);
    await publish(bob, 'spam', '0.1.0');
    await publish(bob, 'held', '0.1.0');
    await publish(bob, 'held', '0.2.0');
    await h.services.crates.setStatus(await versionId('held', '0.2.0'), 'quarantined');
    await h.pipeline.scans.save({
      versionId: await versionId('held', '0.2.0'),
      verdict: 'critical',
      findings: [
        {
          ruleId: 'exfil',
          severity: 'critical',
          title: 'uploads ~/.cargo/credentials',
          file: 'build.rs',
          line: 7,
        },
      ],
      capabilities: [],
      stats: {},
    });
    libAlert = await raise('lib-a', '1.0.0', 'high', 'lib-a@1.0.0: reads SSH keys');
    heldAlert = await raise('held', '0.2.0', 'critical', 'held@0.2.0: uploads credentials');
    for (let i = 0; i < 3; i++) await raise('spam', '0.1.0', 'low', `spam@0.1.0: noisy finding ${i}`);
    browser = await launchBrowser();
    page = await browser.newPage({ width: 1280, height: 900 });
    await signInThroughForm(page, consoleUrl('/'), 'root', PASSWORD);
  });

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  const row = (id: number) => page.getByTestId('alert-table').locator(`tr[data-alert="${id}"]`);

  it('shows each alert’s version state, dependents and publisher in the queue', async () => {
    await page.goto(consoleUrl('/alerts'));
    await row(libAlert.id).waitFor();
    expect(await row(libAlert.id).getByTestId('alert-state').textContent()).toBe('live');
    expect(await row(libAlert.id).getByTestId('alert-dependents').textContent()).toBe('1');
    expect(await row(libAlert.id).getByRole('link', { name: 'alice' }).count()).toBe(1);
    expect(await row(heldAlert.id).getByTestId('alert-state').textContent()).toBe('quarantined');
  });

  it('bulk-triages every alert a filter matches with a structured reason', async () => {
    await page.goto(consoleUrl('/alerts?crate=spam'));
    const table = page.getByTestId('alert-table');
    await expect.poll(() => table.locator('tbody tr[data-alert]').count()).toBe(3);
    // Two rows picked by hand, then the whole filter.
    await table.locator('tbody tr[data-alert]').nth(0).getByRole('checkbox').check();
    await table.locator('tbody tr[data-alert]').nth(1).getByRole('checkbox').check();
    expect(await page.getByTestId('selection-count').textContent()).toContain('2 selected');
    await page.getByRole('button', { name: 'Select all 3 matching this filter' }).click();
    expect(await page.getByTestId('selection-count').textContent()).toContain('3 selected');
    const form = page.getByRole('form', { name: 'Triage selected alerts' });
    await form.getByLabel('Resolution').selectOption('false-positive');
    await form.getByLabel('Note').fill('scanner rule misfires on test fixtures');
    await form.getByRole('button', { name: 'Triage 3' }).click();
    await expect.poll(() => table.textContent()).toContain('No alerts match these filters.');
    const entries = await h.services.db.kysely
      .selectFrom('audit_log')
      .select(['target', 'reason'])
      .where('action', '=', 'alert-bulk-triage')
      .execute();
    expect(entries).toHaveLength(3);
    expect(entries[0]!.reason).toBe('false positive: scanner rule misfires on test fixtures');
    await page.goto(consoleUrl('/alerts?crate=spam&status=dismissed'));
    await expect.poll(() => table.locator('tbody tr[data-alert]').count()).toBe(3);
    expect(
      await table.locator('tbody tr[data-alert]').first().getByTestId('alert-follow-up').textContent(),
    ).toContain('false positive · root');
  });

  it('settles a single alert with the structured reason bulk triage uses, shown in its history', async () => {
    const a = await raise('app', '1.0.0', 'medium', 'app@1.0.0: writes outside OUT_DIR');
    await page.goto(consoleUrl(`/alerts/${a.id}`));
    await page.getByRole('button', { name: 'Acknowledge' }).waitFor();
    // Settling always says why: no bare Dismiss beside Resolve.
    expect(await page.getByRole('button', { name: 'Dismiss' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Resolve', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `Resolve alert #${a.id}` });
    await dialog.getByLabel(/^Reason/).fill('it writes to its own target directory');
    await dialog.getByRole('button', { name: 'Resolve', exact: true }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('Resolution is required');
    expect((await h.pipeline.alerts.get(a.id))?.status).toBe('open');
    await dialog.getByLabel('Resolution').selectOption('false-positive');
    await dialog.getByRole('button', { name: 'Resolve', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    const followUp = page.getByTestId('follow-up');
    await expect
      .poll(() => followUp.getByTestId('resolution').textContent())
      .toContain('false positive by root');
    const action = followUp.getByTestId('alert-action').first();
    expect(await action.textContent()).toContain('alert-dismiss');
    expect(await action.textContent()).toContain('false positive: it writes to its own target directory');
    expect(await h.pipeline.alerts.get(a.id)).toMatchObject({
      status: 'dismissed',
      resolution: 'false-positive',
    });
    // Settled, it can only be reopened.
    await page.getByRole('button', { name: 'Reopen' }).waitFor();
    expect(await page.getByRole('button', { name: 'Resolve', exact: true }).count()).toBe(0);
  });

  it('shows each version’s downloads and requirement dependents on the crate page and in the yank, delete and release dialogs', async () => {
    // Users of their own: the later tests count alice's and bob's tokens.
    const carol = await h.token('carol');
    const dave = await h.token('dave');
    await publish(carol, 'core-x', '1.0.0');
    await publish(carol, 'core-x', '1.1.0');
    const req = (version_req: string) => ({
      name: 'core-x',
      version_req,
      features: [],
      optional: false,
      default_features: true,
      target: null,
      kind: 'normal' as const,
    });
    await publish(dave, 'pins-x', '1.0.0', [req('=1.0.0')]);
    await publish(dave, 'uses-x', '1.0.0', [req('^1')]);
    const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
    await h.services.db.kysely
      .insertInto('version_downloads')
      .values([
        { version_id: await versionId('core-x', '1.0.0'), date: day(0), downloads: 4 },
        { version_id: await versionId('core-x', '1.0.0'), date: day(20), downloads: 3 },
      ])
      .execute();
    // Yanked, 1.0.0 keeps the crates whose requirement accepts it: their lockfiles pin it.
    await h.services.crates.setYanked(await versionId('core-x', '1.0.0'), true, new Date());

    await page.goto(consoleUrl('/crates/core-x'));
    const old = page.locator('tr[data-version="1.0.0"]');
    await old.waitFor();
    expect(await old.getByTestId('version-reach').textContent()).toContain('7 downloads');
    expect(await old.getByTestId('version-reach').textContent()).toContain('4 in 7 days');
    expect(await old.getByTestId('version-dependents').textContent()).toBe('2 dependents');
    expect(
      await page.locator('tr[data-version="1.1.0"]').getByTestId('version-dependents').textContent(),
    ).toBe('1 dependent');

    const dialogFigures = async (button: string, title: string) => {
      await page.getByRole('button', { name: button, exact: true }).click();
      const dialog = page.getByRole('dialog', { name: title });
      await dialog.getByTestId('impact-downloads').waitFor();
      const figures = {
        downloads: await dialog.getByTestId('impact-downloads').textContent(),
        requirements: await dialog.getByTestId('impact-requirements').textContent(),
      };
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
      return figures;
    };
    expect(await dialogFigures('Delete 1.0.0', 'Delete core-x 1.0.0')).toEqual({
      downloads: '7 downloads · 7 in 30 days · 4 in 7 days',
      requirements:
        '2 crates require a version range that includes it (2 versions); their lockfiles may pin it, yanked or not',
    });
    expect((await dialogFigures('Yank 1.1.0', 'Yank core-x 1.1.0')).requirements).toMatch(
      /^1 crate requires/,
    );

    await page.goto(consoleUrl('/crates/held'));
    await page.locator('tr[data-version="0.2.0"]').waitFor();
    await page.getByRole('button', { name: 'Release 0.2.0', exact: true }).click();
    const release = page.getByRole('dialog', { name: 'Release held 0.2.0 from quarantine' });
    await release.getByTestId('impact-downloads').waitFor();
    expect(await release.getByTestId('impact-downloads').textContent()).toBe(
      '0 downloads · 0 in 30 days · 0 in 7 days',
    );
    expect(await release.getByTestId('impact-requirements').textContent()).toBe(
      'No published crate requires a version range that includes it',
    );
    await release.getByRole('button', { name: 'Cancel' }).click();
    await release.waitFor({ state: 'detached' });
  });

  it('resolves the alert with a confirmed yank, linking the audit entry; a deleted version offers no actions', async () => {
    await page.goto(consoleUrl(`/alerts/${libAlert.id}`));
    await page.getByRole('button', { name: 'Yank 1.0.0' }).click();
    const dialog = page.getByRole('dialog', { name: 'Yank lib-a 1.0.0' });
    await dialog.getByLabel(/Confirmed threat/).check();
    await dialog.getByLabel(/^Reason/).fill('steals SSH keys at build time');
    await dialog.getByRole('button', { name: 'Yank 1.0.0' }).click();
    await dialog.waitFor({ state: 'detached' });
    const followUp = page.getByTestId('follow-up');
    await expect
      .poll(() => followUp.getByTestId('resolution').textContent())
      .toContain('version yanked (confirmed) by root');
    const action = followUp.getByTestId('alert-action').first();
    expect(await action.textContent()).toContain('steals SSH keys at build time');
    expect((await h.pipeline.alerts.get(libAlert.id))?.status).toBe('resolved');
    await page.getByRole('button', { name: 'Unyank 1.0.0' }).waitFor();

    await action.getByRole('link', { name: /^audit #\d+$/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    const linked = page.locator('tr.linked-entry');
    await linked.waitFor();
    expect(await linked.textContent()).toContain('steals SSH keys at build time');

    await page.goto(consoleUrl(`/alerts/${libAlert.id}`));
    await page.getByRole('button', { name: 'Delete 1.0.0' }).click();
    const del = page.getByRole('dialog', { name: 'Delete lib-a 1.0.0' });
    await del.getByLabel(/^Reason/).fill('malicious file must go');
    await del.getByRole('button', { name: 'Delete 1.0.0' }).click();
    await del.waitFor({ state: 'detached' });
    await expect
      .poll(() => page.getByTestId('no-actions').textContent())
      .toContain('Version 1.0.0 has been deleted');
    for (const name of ['Unyank 1.0.0', 'Yank 1.0.0', 'Delete 1.0.0'])
      expect(await page.getByRole('button', { name }).count(), name).toBe(0);
    expect(await page.getByTestId('follow-up').getByTestId('alert-action').count()).toBe(2);
  });

  it('offers Unlock, not Lock, for a locked publisher, and shows takeover signals with a one-step token revoke', async () => {
    // bob published held@0.2.0 with a token made moments before, from a new address.
    await h.services.db.kysely
      .updateTable('versions')
      .set({ client_ip: '198.51.100.7' })
      .where('id', '=', await versionId('held', '0.2.0'))
      .execute();
    await page.goto(consoleUrl(`/alerts/${heldAlert.id}`));
    const signals = page.getByTestId('takeover-signals');
    await signals.waitFor();
    expect(await signals.textContent()).toContain('First publish from 198.51.100.0/24 for this user');
    expect(await signals.locator('.signal.raised').count()).toBeGreaterThanOrEqual(2);
    await signals.getByRole('button', { name: 'Revoke the token that published this' }).click();
    const revoke = page.getByRole('dialog', { name: 'Revoke the token that published held 0.2.0' });
    await revoke.getByLabel(/^Reason/).fill('published from an unknown network');
    await revoke.getByRole('button', { name: 'Revoke the token that published this' }).click();
    await revoke.waitFor({ state: 'detached' });
    await expect.poll(() => signals.textContent()).toContain('(revoked)');
    expect(await signals.getByRole('button', { name: 'Revoke the token that published this' }).count()).toBe(
      0,
    );
    const bob = await h.services.users.findByLogin('bob');
    expect((await h.services.tokens.listForUser(bob!.id)).every((t) => t.revoked_at !== null)).toBe(true);

    await page.getByRole('button', { name: 'Lock user' }).click();
    const lock = page.getByRole('dialog', { name: 'Lock bob' });
    await lock.getByLabel(/^Reason/).fill('token leaked');
    await lock.getByRole('button', { name: 'Lock user' }).click();
    await lock.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Unlock user' }).waitFor();
    expect(await page.getByRole('button', { name: 'Lock user', exact: true }).count()).toBe(0);
    expect(await page.getByTestId('follow-up').textContent()).toContain('lock-user');
  });

  it('releases from the quarantine queue only with the verdict shown, the password and the typed version', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Quarantine' }).click();
    await page.getByRole('heading', { level: 1, name: 'Quarantine' }).waitFor();
    const held = page.locator('tr[data-version="held@0.2.0"]');
    await held.waitFor();
    expect(await held.textContent()).toContain('critical');
    expect(await held.textContent()).toContain('uploads ~/.cargo/credentials');

    await held.getByRole('button', { name: 'Release 0.2.0' }).click();
    const dialog = page.getByRole('dialog', { name: 'Release held 0.2.0 from quarantine' });
    await dialog.waitFor();
    expect(await dialog.getByTestId('release-check').textContent()).toContain('uploads ~/.cargo/credentials');
    await dialog.getByLabel(/^Reason/).fill('reviewed: the upload goes to our own mirror');
    await dialog.getByLabel('Type held@0.2.0 to confirm').fill('held@0.1.0');
    await dialog.getByLabel(/Your password/).fill(PASSWORD);
    await dialog.getByRole('button', { name: /Confirm and release/ }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('Type held@0.2.0 exactly');
    const v = async () =>
      (await h.services.crates.findVersion((await h.services.crates.findByName('held'))!.id, '0.2.0'))
        ?.status;
    expect(await v()).toBe('quarantined');

    await dialog.getByLabel('Type held@0.2.0 to confirm').fill('held@0.2.0');
    await dialog.getByRole('button', { name: /Confirm and release/ }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('quarantine-table').textContent()).toContain('Nothing is held');
    expect(await v()).toBe('published');
  });

  it('lists users with lock state and last sign-in, tokens with revoke, and blocked names with unblock', async () => {
    await page.goto(consoleUrl('/users'));
    const bob = page.locator('tr[data-user="bob"]');
    await bob.waitFor();
    expect(await bob.textContent()).toContain('locked');
    expect(await bob.getByRole('button', { name: 'Unlock user' }).count()).toBe(1);
    expect(await page.locator('tr[data-user="root"]').textContent()).not.toContain('never');

    await page.goto(consoleUrl('/tokens?user=alice'));
    const token = page.getByTestId('tokens-table').locator('tbody tr[data-token]');
    await expect.poll(() => token.count()).toBe(1);
    await token.getByRole('button', { name: 'Revoke' }).click();
    const dialog = page.getByRole('dialog', { name: /Revoke alice's token/ });
    await dialog.getByLabel(/^Reason/).fill('rotating after incident');
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => token.textContent()).toContain('revoked');

    await page.goto(consoleUrl('/search?q=evil-name'));
    await page.getByRole('button', { name: 'Block “evil-name”' }).click();
    const block = page.getByRole('dialog', { name: 'Block the name evil-name' });
    await block.getByLabel(/^Reason/).fill('known malware name');
    await block.getByRole('button', { name: 'Block “evil-name”' }).click();
    await block.waitFor({ state: 'detached' });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Blocked names' }).click();
    const name = page.locator('tr[data-name="evil-name"]');
    await name.waitFor();
    expect(await name.textContent()).toContain('known malware name');
    await name.getByRole('button', { name: 'Unblock evil-name' }).click();
    const unblock = page.getByRole('dialog', { name: 'Lift the block of evil-name' });
    await unblock.getByLabel(/^Reason/).fill('blocked by mistake');
    await unblock.getByRole('button', { name: 'Unblock evil-name' }).click();
    await unblock.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('names-table').textContent()).toContain('No name is blocked');
  });

  it('creates a token for the signed-in administrator, with the password again, and shows it once', async () => {
    await page.goto(consoleUrl('/tokens?user=root'));
    await page.getByTestId('tokens-table').waitFor();
    await page.getByRole('button', { name: 'New token for me' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create an API token for yourself' });
    await dialog.getByLabel(/^Name/).fill('release-ci');
    await dialog.getByLabel(/^Scopes/).fill('publish-update, yank');
    await dialog.getByLabel(/^Reason/).fill('CI releases of our crates');
    await dialog.getByRole('button', { name: /Confirm and/ }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('password');
    await dialog.getByLabel(/Your password/).fill(PASSWORD);
    await dialog.getByRole('button', { name: /Confirm and/ }).click();
    await dialog.waitFor({ state: 'detached' });
    const secret = await page.getByLabel('The new token').inputValue();
    expect(secret).toMatch(/^ck_/);
    await expect.poll(() => page.getByTestId('tokens-table').textContent()).toContain('release-ci');
    // The secret is a working credential with exactly the scopes asked for.
    const auth = await h.services.tokens.authenticate(secret);
    expect(auth?.scopes).toEqual(['publish-update', 'yank']);
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByTestId('new-token').count()).toBe(0);
  });

  it('finds versions by checksum and by client address', async () => {
    const krate = await h.services.crates.findByName('app');
    const v = (await h.services.crates.findVersion(krate!.id, '1.0.0'))!;
    await page.goto(consoleUrl(`/search?q=${v.checksum.slice(0, 16)}`));
    const table = page.getByTestId('provenance-table');
    await table.waitFor();
    expect(await table.textContent()).toContain('app');
    expect(await table.textContent()).toContain('checksum');
    await page.goto(consoleUrl('/search?q=198.51.100.'));
    await table.waitFor();
    expect(await table.textContent()).toContain('held');
  });

  it('keeps the new pages inside a 400 px window', async () => {
    const narrow = await browser.newPage({ width: 400, height: 800 });
    try {
      for (const [path, title] of [
        ['/alerts?status=any', 'Alerts'],
        ['/quarantine', 'Quarantine'],
        ['/users', 'Users'],
        ['/tokens', 'Tokens'],
        ['/names', 'Blocked names'],
        ['/audit-log', 'Audit log'],
      ] as const) {
        await narrow.goto(consoleUrl(path));
        await narrow.getByRole('heading', { level: 1, name: title }).waitFor();
        await narrow.waitForLoadState('networkidle');
        expect(await overflows(narrow), path).toBe(false);
      }
      // The crate page's versions: every version's scan verdict and actions on screen, not in a
      // table scrolled sideways.
      await narrow.goto(consoleUrl('/crates/core-x'));
      await narrow.getByRole('heading', { level: 1, name: 'core-x' }).waitFor();
      await narrow.locator('tr[data-version="1.1.0"]').waitFor();
      await narrow.waitForLoadState('networkidle');
      expect(await overflows(narrow), '/crates/core-x').toBe(false);
      const placed = await narrow.evaluate<{ what: string; left: number; right: number }[]>(
        `[...document.querySelectorAll('table.versions td.col-scan, table.versions td.col-actions button')].map((e) => {
          const r = e.getBoundingClientRect();
          return { what: e.textContent, left: r.left, right: r.right };
        })`,
      );
      // Two versions: a verdict and an Unyank/Yank and a Delete button each.
      expect(placed.length).toBe(6);
      for (const p of placed) {
        expect(p.left, p.what).toBeGreaterThanOrEqual(0);
        expect(p.right, p.what).toBeLessThanOrEqual(400);
      }
      await narrow.locator('tr[data-version="1.1.0"]').getByRole('button', { name: 'Yank 1.1.0' }).click();
      await narrow
        .getByRole('dialog', { name: 'Yank core-x 1.1.0' })
        .getByRole('button', { name: 'Cancel' })
        .click();

      // Audit rows stay a few lines tall, not one word per line.
      const tallest = await narrow.evaluate<number>(
        `Math.max(...[...document.querySelectorAll('table.audit tbody tr')].map((r) => r.getBoundingClientRect().height))`,
      );
      expect(tallest).toBeLessThan(220);
    } finally {
      await narrow.close();
    }
    expect(browser.problems).toEqual([]);
  });

  it('keeps the crate page’s versions inside their panel at 1280 px', async () => {
    const wide = await browser.newPage({ width: 1280, height: 900 });
    try {
      await wide.goto(consoleUrl('/crates/core-x'));
      await wide.locator('tr[data-version="1.1.0"]').waitFor();
      await wide.waitForLoadState('networkidle');
      const fit = await wide.evaluate<{ panel: number; cells: { what: string; right: number }[] }>(
        `(() => {
          const wrap = document.querySelector('table.versions').closest('.table-wrap');
          const cells = [...document.querySelectorAll('table.versions td.col-scan, table.versions td.col-actions button')];
          return {
            panel: wrap.getBoundingClientRect().right,
            cells: cells.map((e) => ({ what: e.textContent, right: e.getBoundingClientRect().right })),
          };
        })()`,
      );
      expect(fit.cells.length).toBe(6);
      for (const c of fit.cells) expect(c.right, c.what).toBeLessThanOrEqual(fit.panel + 1);
    } finally {
      await wide.close();
    }
  });
});
