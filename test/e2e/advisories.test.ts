// Advisories through the real server: an operator authors a malicious advisory for a crate
// published over the registry API, which raises the critical alert and quarantines it (the
// sparse index stops offering it); the advisory page's blast radius names the dependents and
// their owners; the crate's versions carry the advisory; the registry serves it as a RustSec
// database; and the authoring route refuses hostile input without leaving anything behind.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELD_FOR_REVIEW_CRATE } from '../../src/domain/crate-name.js';
import type { PublishDependency } from '../../src/domain/publish-metadata.js';
import { writeCrateArchive } from '../../src/formats/crate-archive.js';
import { parseAdvisoryMarkdown } from '../../src/formats/advisory-markdown.js';
import { loadAdvisoryDatabases } from '../../src/security/advisories/database.js';
import type {
  AdvisoryDetail,
  AdvisoryList,
  AdvisoryWriteAnswer,
  CrateDetail,
} from '../../src/web/src/api-types.js';
import { createAdmin, signIn, type ConsoleSession } from '../support/console-session.js';
import { manifestToml, metadataFor, publishBody, normalDependency as dep } from '../support/publish-body.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';

const run = promisify(execFile);
const PASSWORD = 'correct horse battery staple';

export function draft(pkg: string, extra = '', title = `${pkg} steals credentials`): string {
  return [
    '```toml',
    '[advisory]',
    'id = "RUSTSEC-0000-0000"',
    `package = "${pkg}"`,
    'date = "2026-11-30"',
    'categories = ["malicious"]',
    extra,
    '',
    '[versions]',
    'patched = []',
    '```',
    '',
    `# ${title}`,
    '',
    'The build script uploads ~/.cargo/credentials.toml.',
    '',
  ].join('\n');
}

describe('advisories through the registry', { timeout: 60_000 }, () => {
  let h: Harness;
  let admin: ConsoleSession;
  let id: string;

  const publish = async (token: string, name: string, version: string, deps: PublishDependency[] = []) => {
    const crate = await writeCrateArchive(`${name}-${version}`, [
      { path: 'Cargo.toml', data: manifestToml(name, version) },
    ]);
    const res = await fetch(`${h.url}/api/v1/crates/new`, {
      method: 'PUT',
      headers: { authorization: token },
      body: publishBody(metadataFor(name, version, { deps }), crate),
    });
    expect(res.status, await res.clone().text()).toBe(200);
  };
  const count = async () =>
    (await h.services.security.advisorySync.advisories.list({ includeWithdrawn: true })).total;

  beforeAll(async () => {
    h = await startRegistry();
    await createAdmin(h, 'root', PASSWORD);
    admin = await signIn(h, 'root', PASSWORD);
    const alice = await h.token('alice');
    const bob = await h.token('bob');
    await publish(alice, 'victim', '1.0.0');
    await publish(alice, 'victim', '1.1.0');
    await publish(bob, 'uses-victim', '0.1.0', [dep('victim', '^1.0')]);
    await publish(bob, 'app', '2.0.0', [dep('uses-victim', '0.1')]);
    await h.worker.drain();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('an authored malicious advisory raises the critical alert and quarantines the versions it names', async () => {
    const res = await admin.call('POST', '/api/admin/advisories', {
      markdown: draft('victim'),
      reason: 'reported by a user; build script exfiltrates tokens',
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const answer = (await res.json()) as AdvisoryWriteAnswer;
    id = answer.id;
    expect(id).toMatch(new RegExp(`^CK-${new Date().getUTCFullYear()}-0001$`));
    expect(answer.quarantined.sort()).toEqual(['1.0.0', '1.1.0']);
    expect(answer.alertId).not.toBeNull();

    const alert = await h.services.security.alerts.get(answer.alertId!);
    expect(alert).toMatchObject({
      kind: 'advisory',
      severity: 'critical',
      status: 'open',
      crate_name: 'victim',
    });
    // At once, every version in the index carries the dependency nothing satisfies: cargo can no
    // longer resolve it.
    const index = await (await fetch(`${h.url}/index/vi/ct/victim`)).text();
    const lines = index
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { vers: string; deps: { name: string }[] });
    expect(lines.map((l) => [l.vers, l.deps.map((d) => d.name)])).toEqual([
      ['1.0.0', [HELD_FOR_REVIEW_CRATE]],
      ['1.1.0', [HELD_FOR_REVIEW_CRATE]],
    ]);
    const entries = await h.services.audit.list({ target: id });
    expect(entries.entries.map((e) => [e.action, e.reason])).toEqual([
      ['advisory-create', 'reported by a user; build script exfiltrates tokens'],
    ]);
    expect((await h.services.audit.list({ action: 'advisory-quarantine' })).total).toBe(2);
  });

  it("shows the advisory with its blast radius, and on the crate's versions", async () => {
    const detail = (await (await admin.call('GET', `/api/admin/advisories/${id}`)).json()) as AdvisoryDetail;
    expect(detail.advisory).toMatchObject({
      id,
      package: 'victim',
      origin: 'authored',
      scope: 'applies',
      source: `sparse+${h.url}/index/`,
      author: 'root',
      categories: ['malicious'],
    });
    expect(detail.affectedVersions.map((v) => [v.num, v.status])).toEqual([
      ['1.0.0', 'quarantined'],
      ['1.1.0', 'quarantined'],
    ]);
    expect(detail.blastRadius).toMatchObject({ outOfIndex: ['1.0.0', '1.1.0'], direct: 1, transitive: 2 });
    expect(detail.blastRadius!.dependents).toEqual([
      { crate: 'uses-victim', version: '0.1.0', depth: 1, owners: ['bob'] },
      { crate: 'app', version: '2.0.0', depth: 2, owners: ['bob'] },
    ]);
    const krate = (await (await admin.call('GET', '/api/admin/crates/victim')).json()) as CrateDetail;
    for (const v of krate.versions)
      expect(v.advisories).toEqual([
        expect.objectContaining({ id, categories: ['malicious'], patched: [], withdrawn: null }),
      ]);
    const list = (await (
      await admin.call('GET', '/api/admin/advisories?present=true')
    ).json()) as AdvisoryList;
    expect(list.advisories.map((a) => a.id)).toEqual([id]);
  });

  it('serves its own advisories as a RustSec tree in a .tar.gz', async () => {
    const res = await fetch(`${h.url}/advisory-db.tar.gz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/gzip/);
    const dir = await mkdtemp(join(tmpdir(), 'ck-advdb-'));
    try {
      await writeFile(join(dir, 'db.tar.gz'), Buffer.from(await res.arrayBuffer()));
      await run('tar', ['xzf', 'db.tar.gz'], { cwd: dir });
      // rustsec's Database::open: crates/<package>/<id>.md, the file named after the id.
      expect(await readdir(join(dir, 'advisory-db', 'crates'))).toEqual(['victim']);
      expect(await readdir(join(dir, 'advisory-db', 'crates', 'victim'))).toEqual([`${id}.md`]);
      const text = await readFile(join(dir, 'advisory-db', 'crates', 'victim', `${id}.md`), 'utf8');
      const back = parseAdvisoryMarkdown(text, {
        collection: 'crates',
        database: 'served',
        file: `${id}.md`,
      });
      expect(back.metadata).toMatchObject({
        id,
        package: 'victim',
        source: `sparse+${h.url}/index/`,
        categories: ['malicious'],
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    // cratekeeper's own reader takes the URL (what `cratekeeper audit --db URL` does), and the
    // OSV export, one file or all of them.
    const loaded = await loadAdvisoryDatabases([
      `${h.url}/advisory-db.tar.gz`,
      `${h.url}/advisory-db/osv/all.zip`,
    ]);
    expect(loaded.problems).toEqual([]);
    expect(loaded.databases.map((d) => d.advisoryCount)).toEqual([1, 1]);
    expect(loaded.get(id)?.metadata.source).toBe(`sparse+${h.url}/index/`);
    const one = (await (await fetch(`${h.url}/advisory-db/osv/${id}.json`)).json()) as {
      id: string;
      affected: { package: { name: string }; database_specific: { source: string } }[];
    };
    expect(one.id).toBe(id);
    expect(one.affected[0]!.package.name).toBe('victim');
    expect(one.affected[0]!.database_specific.source).toBe(`sparse+${h.url}/index/`);
    expect((await fetch(`${h.url}/advisory-db/osv/RUSTSEC-2020-0001.json`)).status).toBe(404);
  });

  it('edits and withdraws an authored advisory, each with its reason in the audit log', async () => {
    const edited = draft('victim', '', 'victim uploads credentials').replace('RUSTSEC-0000-0000', id);
    const put = await admin.call('PUT', `/api/admin/advisories/${id}`, {
      markdown: edited,
      reason: 'clearer title',
    });
    expect(put.status, await put.clone().text()).toBe(200);
    expect((await h.services.security.advisorySync.advisories.get(id))!.title).toBe(
      'victim uploads credentials',
    );
    const w = await admin.call('POST', `/api/admin/advisories/${id}/withdraw`, { reason: 'false report' });
    expect(w.status, await w.clone().text()).toBe(200);
    expect((await h.services.security.advisorySync.advisories.get(id))!.withdrawn).toMatch(
      /^\d{4}-\d{2}-\d{2}$/,
    );
    const again = await admin.call('POST', `/api/admin/advisories/${id}/withdraw`, {
      reason: 'false report',
    });
    expect(again.status).toBe(400);
    const actions = (await h.services.audit.list({ target: id })).entries.map((e) => [e.action, e.reason]);
    expect(actions).toEqual(
      expect.arrayContaining([
        ['advisory-update', 'clearer title'],
        ['advisory-withdraw', 'false report'],
      ]),
    );
  });

  it('refuses hostile input to the authoring route and stores nothing', async () => {
    const before = await count();
    const post = (body: unknown) => admin.call('POST', '/api/admin/advisories', body);
    const cases: [string, unknown, number, RegExp][] = [
      ['no fence', { markdown: '# just a title\n', reason: 'testing' }, 400, /not a valid RustSec advisory/],
      [
        'truncated',
        { markdown: draft('victim').slice(0, 60), reason: 'testing' },
        400,
        /not a valid RustSec advisory/,
      ],
      ['bad TOML', { markdown: draft('victim', 'keywords = [unterminated'), reason: 'testing' }, 400, /TOML/],
      ['title in TOML', { markdown: draft('victim', 'title = "x"'), reason: 'testing' }, 400, /title/],
      [
        'overlapping ranges',
        {
          markdown: draft('victim').replace(
            'patched = []',
            'patched = [">= 1.0.0"]\nunaffected = ["< 1.5.0"]',
          ),
          reason: 'testing',
        },
        400,
        /overlap/,
      ],
      [
        'wrong crate',
        { markdown: draft('not-here'), reason: 'testing' },
        400,
        /not a crate in this registry/,
      ],
      [
        'other registry',
        {
          markdown: draft('victim', 'source = "sparse+https://elsewhere.example/index/"'),
          reason: 'testing',
        },
        400,
        /source/,
      ],
      [
        'chosen id',
        { markdown: draft('victim').replace('RUSTSEC-0000-0000', 'CK-2026-9999'), reason: 'testing' },
        400,
        /assigns the id/,
      ],
      ['no reason', { markdown: draft('victim') }, 400, /reason/],
      [
        'NUL byte',
        { markdown: draft('victim').replace('The build', 'The\u0000build'), reason: 'testing' },
        400,
        /NUL/,
      ],
      [
        'lone surrogate',
        { markdown: draft('victim').replace('The build', 'The \ud800 build'), reason: 'testing' },
        400,
        /./,
      ],
      ['not an object', { markdown: 1, reason: 'testing' }, 400, /markdown/],
      ['not a string', { markdown: ['x'], reason: 'testing' }, 400, /markdown/],
      [
        'oversized field',
        { markdown: draft('victim') + 'x'.repeat(70_000), reason: 'testing' },
        413,
        /too long/,
      ],
    ];
    for (const [what, body, status, message] of cases) {
      const res = await post(body);
      expect(res.status, what).toBe(status);
      expect(((await res.json()) as { errors: { detail: string }[] }).errors[0]!.detail, what).toMatch(
        message,
      );
    }
    const huge = await admin.call('POST', '/api/admin/advisories', {
      markdown: 'x'.repeat(300_000),
      reason: 'testing',
    });
    expect(huge.status).toBe(413);
    const notJson = await fetch(`${h.url}/api/admin/advisories`, {
      method: 'POST',
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'application/json' },
      body: '{"markdown": ',
    });
    expect(notJson.status).toBe(400);
    // Without the CSRF token, as a non-admin, with a token lacking the admin scope or limited
    // to other crates: refused before the body is looked at.
    expect(
      (
        await admin.call(
          'POST',
          '/api/admin/advisories',
          { markdown: draft('victim'), reason: 'testing' },
          { csrf: false },
        )
      ).status,
    ).toBe(403);
    const tokenPost = (token: string) =>
      fetch(`${h.url}/api/admin/advisories`, {
        method: 'POST',
        headers: { authorization: token, 'content-type': 'application/json' },
        body: JSON.stringify({ markdown: draft('victim'), reason: 'testing' }),
      });
    expect((await tokenPost(await h.token('alice'))).status).toBe(403);
    expect((await tokenPost(await h.token('root'))).status).toBe(403);
    const limited = await tokenPost(await h.token('root', ['admin'], ['other-*']));
    expect(limited.status).toBe(403);
    expect((await fetch(`${h.url}/api/admin/advisories`, { method: 'POST', body: '{}' })).status).toBe(401);
    expect(await count()).toBe(before);
  });

  it('lets an admin token limited to the crate author for it', async () => {
    const token = await h.token('root', ['admin'], ['victim']);
    const res = await fetch(`${h.url}/api/admin/advisories`, {
      method: 'POST',
      headers: { authorization: token, 'content-type': 'application/json' },
      body: JSON.stringify({
        markdown: draft('victim', 'informational = "unmaintained"').replace('categories = ["malicious"]', ''),
        reason: 'unmaintained now',
      }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const answer = (await res.json()) as AdvisoryWriteAnswer;
    expect(answer).toMatchObject({ quarantined: [], alertId: null });
    expect((await fetch(`${h.url}/api/admin/advisories`, { headers: { authorization: token } })).status).toBe(
      403,
    );
  });

  it('holds at publish a new version a malicious advisory names, leaving released versions alone', async () => {
    const carol = await h.token('carol');
    await publish(carol, 'later', '1.0.0');
    const res = await admin.call('POST', '/api/admin/advisories', {
      markdown: draft('later').replace('patched = []', 'patched = [">= 2.0.0"]'),
      reason: 'malicious releases in 1.x',
    });
    expect((await res.json()) as AdvisoryWriteAnswer).toMatchObject({ quarantined: ['1.0.0'] });
    const release = await admin.call('POST', '/api/admin/crates/later/versions/1.0.0/release', {
      reason: 'checked: this one is clean',
    });
    expect(release.status).toBe(200);
    const crate = await writeCrateArchive('later-1.0.1', [
      { path: 'Cargo.toml', data: manifestToml('later', '1.0.1') },
    ]);
    const pub = await fetch(`${h.url}/api/v1/crates/new`, {
      method: 'PUT',
      headers: { authorization: carol },
      body: publishBody(metadataFor('later', '1.0.1'), crate),
    });
    expect(pub.status).toBe(200);
    expect(JSON.stringify(await pub.json())).toMatch(/held for security review: advisory CK-\d{4}-\d{4}/);
    const krate = await h.services.crates.findByName('later');
    expect((await h.services.crates.versions(krate!.id)).map((v) => [v.num, v.status])).toEqual([
      ['1.0.0', 'published'],
      ['1.0.1', 'quarantined'],
    ]);
    await publish(carol, 'later', '2.0.0');
    expect((await h.services.crates.findVersion(krate!.id, '2.0.0'))!.status).toBe('published');
  });

  it('alerts when a crate with the name of known crates.io malware is published here', async () => {
    const { parseAdvisoryMarkdown: parse } = await import('../../src/formats/advisory-markdown.js');
    const known = parse(draft('fresh-malware'), { collection: 'crates', database: 'rustsec', file: 'x.md' });
    known.metadata.id = 'RUSTSEC-2026-0999';
    await h.services.security.advisorySync.apply({
      advisories: [known],
      problems: [],
      databases: [{ label: 'rustsec', advisoryCount: 1, lastCommit: null, lastUpdated: null }],
      get: () => known,
      forPackage: () => [known],
    });
    await publish(await h.token('dave'), 'fresh-malware', '0.1.0');
    const { alerts } = await h.services.security.alerts.list({
      kind: 'advisory',
      crateName: 'fresh-malware',
    });
    expect(alerts.map((a) => [a.severity, JSON.parse(a.details).scope])).toEqual([['critical', 'name-only']]);
    // Not this registry's advisory and not a mirror: the version is published, for a responder to judge.
    const krate = await h.services.crates.findByName('fresh-malware');
    expect((await h.services.crates.findVersion(krate!.id, '0.1.0'))!.status).toBe('published');
  });
});
