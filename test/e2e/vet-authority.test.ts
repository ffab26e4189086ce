// The registry as an audit authority, end to end: an administrator grants the auditor role, the
// auditor records signed audits of a published crate, a real cargo workspace imports the
// registry's /vet/audits.toml and passes `cratekeeper vet check`; `vet verify` passes, then
// fails once a stored audit row is edited or the audited .crate file is swapped in storage; the
// record route refuses hostile input; release from quarantine needs the configured criteria.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCratesApiPublishers } from '../../src/formats/crates-api-publishers.js';
import { parseAuditsToml } from '../../src/formats/vet-audits.js';
import { dropPostgresSchema } from '../../src/store/database.js';
import { CLI_ARGV, runCli, runCommand } from '../support/cli-process.js';
import { POSTGRES_URL } from '../support/databases.js';
import { createAdmin, signIn, type ConsoleSession } from '../support/console-session.js';
import { repoRoot } from '../support/paths.js';
import { publishMinimal } from '../support/publish-body.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';

const PASSWORD = 'correct horse battery staple';

const run = runCommand;

function write(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

function vendorCrate(vendor: string, name: string, version: string): void {
  const dir = join(vendor, name);
  write(join(dir, 'Cargo.toml'), `[package]\nname = "${name}"\nversion = "${version}"\nedition = "2021"\n`);
  write(join(dir, 'src/lib.rs'), `pub fn ${name}() {}\n`);
  const checksum = createHash('sha256').update(`${name}-${version}`).digest('hex');
  write(join(dir, '.cargo-checksum.json'), JSON.stringify({ files: {}, package: checksum }));
}

describe('registry as a cargo-vet audit authority', () => {
  let h: Harness;
  let admin: ConsoleSession;
  let ada: ConsoleSession;
  let ws: string;
  const data = () => join(h.dir, 'data');
  const verify = () => runCli(['vet', 'verify', '--data', data()]);

  beforeAll(async () => {
    h = await startRegistry({ security: { releaseRequiresCriteria: 'safe-to-deploy' } });
    await createAdmin(h, 'root', PASSWORD);
    await createAdmin(h, 'ada', PASSWORD, false);
    await h.services.users
      .findByLogin('ada')
      .then((u) =>
        h.services.db.kysely.updateTable('users').set({ name: 'Ada L' }).where('id', '=', u!.id).execute(),
      );
    admin = await signIn(h, 'root', PASSWORD);
    const alice = await h.token('alice');
    for (const v of ['1.0.0', '1.0.3', '2.0.0'])
      expect((await publishMinimal(h.url, alice, 'mid', v)).status).toBe(200);

    ws = mkdtempSync(join(tmpdir(), 'ck-vet-auth-'));
    write(join(ws, 'Cargo.toml'), '[workspace]\nmembers = ["app"]\nresolver = "2"\n');
    write(
      join(ws, 'app/Cargo.toml'),
      '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\nmid = "1"\n',
    );
    write(join(ws, 'app/src/lib.rs'), 'pub fn app() {}\n');
    vendorCrate(join(ws, 'vendor'), 'mid', '1.0.3');
    write(
      join(ws, '.cargo/config.toml'),
      '[source.crates-io]\nreplace-with = "vendored"\n\n[source.vendored]\ndirectory = "vendor"\n',
    );
    const lock = await run('cargo', ['generate-lockfile', '--offline'], ws);
    expect(lock.code, lock.stderr).toBe(0);
    write(
      join(ws, 'supply-chain/config.toml'),
      `\n# cargo-vet config file\n\n[cargo-vet]\nversion = "0.10"\n\n[imports.mycorp]\nurl = "${h.url}/vet/audits.toml"\n`,
    );
    write(join(ws, 'supply-chain/audits.toml'), '\n# cargo-vet audits file\n\n[audits]\n');
  }, 120_000);

  afterAll(async () => {
    await h?.close();
    if (ws) rmSync(ws, { recursive: true, force: true });
  });

  it('lets an administrator grant the auditor role, with a key published at /vet/keys', async () => {
    expect((await admin.call('POST', '/api/admin/vet/auditors/ada', {})).status).toBe(400);
    const res = await admin.call('POST', '/api/admin/vet/auditors/ada', { reason: 'security team' });
    expect(res.status, await res.clone().text()).toBe(200);
    const { keyId } = (await res.json()) as { keyId: string };
    expect((await admin.call('POST', '/api/admin/vet/auditors/ada', { reason: 'again' })).status).toBe(400);
    const keys = (await (await fetch(`${h.url}/vet/keys/ada`)).json()) as {
      keys: { key_id: string; public_key: string }[];
    };
    expect(keys.keys.map((k) => k.key_id)).toEqual([keyId]);
    expect(keys.keys[0]!.public_key).toContain('BEGIN PUBLIC KEY');
    expect((await fetch(`${h.url}/vet/keys/alice`)).status).toBe(404);
    const list = (await (await admin.call('GET', '/api/admin/vet/auditors')).json()) as {
      auditors: { login: string }[];
    };
    expect(list.auditors.map((a) => a.login)).toEqual(['ada']);
    const log = await h.services.audit.list({ action: 'vet-grant-auditor' });
    expect(log.entries.map((e) => [e.actor, e.target, e.reason])).toEqual([['root', 'ada', 'security team']]);
    ada = await signIn(h, 'ada', PASSWORD);
    // What an audit reads: the criteria, the crate page and its audits; no account or admin view
    // (test/e2e/auditor-access.test.ts walks every route).
    expect((await ada.call('GET', '/api/admin/vet/criteria')).status).toBe(200);
    expect((await ada.call('GET', '/api/admin/crates/mid/vet/audits')).status).toBe(200);
    expect((await ada.call('GET', '/api/admin/crates/mid')).status).toBe(200);
    expect((await ada.call('GET', '/api/admin/vet/auditors')).status).toBe(403);
    expect(
      (await ada.call('POST', '/api/admin/crates/mid/versions/1.0.0/yank', { reason: 'no' })).status,
    ).toBe(403);
  });

  it('refuses hostile or incomplete audit records, recording nothing', async () => {
    const path = '/api/admin/crates/mid/vet/audits';
    const ok = { version: '1.0.0', criteria: ['safe-to-deploy'], reason: 'full review' };
    const cases: [string, ConsoleSession | null, unknown, number, RegExp][] = [
      ['non-auditor admin', admin, ok, 403, /auditor role/],
      ['unknown criteria', ada, { ...ok, criteria: ['safe-to-deploy', 'made-up'] }, 400, /unknown criteria/],
      ['nonexistent version', ada, { ...ok, version: '9.9.9' }, 404, /no version mid@9\.9\.9/],
      ['not a version', ada, { ...ok, version: '../1' }, 400, /must be a version/],
      ['missing reason', ada, { version: '1.0.0', criteria: 'safe-to-deploy' }, 400, /reason/],
      ['two kinds', ada, { ...ok, delta: '1.0.0 -> 1.0.3' }, 400, /exactly one/],
      ['empty criteria', ada, { ...ok, criteria: [] }, 400, /at least one/],
      ['criteria not strings', ada, { ...ok, criteria: [{ a: 1 }] }, 400, /criteria name/],
      ['bad delta', ada, { criteria: 'safe-to-run', delta: '1.0.0', reason: 'x y z' }, 400, /delta/],
      ['notes not text', ada, { ...ok, notes: 3 }, 400, /notes/],
      ['oversized notes', ada, { ...ok, notes: 'x'.repeat(20_000) }, 400, /too long/],
    ];
    for (const [what, who, body, status, message] of cases) {
      const res = await who!.call('POST', path, body);
      expect(res.status, what).toBe(status);
      expect(((await res.json()) as { errors: { detail: string }[] }).errors[0]!.detail, what).toMatch(
        message,
      );
    }
    const noCsrf = await ada.call('POST', path, ok, { csrf: false });
    expect(noCsrf.status).toBe(403);
    const anon = await fetch(`${h.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ok),
    });
    expect(anon.status).toBe(401);
    expect((await ada.call('POST', '/api/admin/crates/nope/vet/audits', ok)).status).toBe(404);
    // An auditor is not an administrator.
    expect((await ada.call('POST', '/api/admin/vet/auditors/alice', { reason: 'self-serve' })).status).toBe(
      403,
    );
    expect(await h.services.vet.repo.audits()).toEqual([]);
    expect((await h.services.audit.list({ action: 'vet-record-audit' })).total).toBe(0);
  });

  it('records signed audits bound to the served checksums, in the audit log', async () => {
    const full = await ada.call('POST', '/api/admin/crates/mid/vet/audits', {
      version: '1.0.0',
      criteria: 'safe-to-deploy',
      notes: 'Read all of it.\nNo unsafe, no build script.',
      reason: 'full review',
    });
    expect(full.status, await full.clone().text()).toBe(200);
    const delta = await ada.call('POST', '/api/admin/crates/mid/vet/audits', {
      delta: '1.0.0 -> 1.0.3',
      criteria: ['safe-to-deploy'],
      reason: 'delta review',
    });
    expect(delta.status, await delta.clone().text()).toBe(200);
    const versions = await h.services.crates.versions((await h.services.crates.findByName('mid'))!.id);
    const sum = (n: string) => versions.find((v) => v.num === n)!.checksum;
    const listed = (await (await admin.call('GET', '/api/admin/crates/mid/vet/audits')).json()) as {
      audits: {
        kind: string;
        who: string;
        checksums: { version: string; sha256: string }[];
        signatureValid: boolean;
      }[];
    };
    expect(listed.audits.map((a) => [a.kind, a.who, a.checksums, a.signatureValid])).toEqual([
      ['full', 'Ada L (ada)', [{ version: '1.0.0', sha256: sum('1.0.0') }], true],
      [
        'delta',
        'Ada L (ada)',
        [
          { version: '1.0.0', sha256: sum('1.0.0') },
          { version: '1.0.3', sha256: sum('1.0.3') },
        ],
        true,
      ],
    ]);
    const log = await h.services.audit.list({ action: 'vet-record-audit' });
    expect(log.total).toBe(2);
    expect(JSON.parse(log.entries[0]!.details).signature).toMatch(/^[A-Za-z0-9+/]{86}==$/);
    expect((await h.services.audit.verify()).ok).toBe(true);
  });

  it('serves audits.toml and the crates API in the shapes cargo-vet reads', async () => {
    const text = await (await fetch(`${h.url}/vet/audits.toml`)).text();
    const file = parseAuditsToml(text, { strict: true });
    expect(file.audits.map(([c, list]) => [c, list.length])).toEqual([['mid', 2]]);
    expect(text).toContain('delta = "1.0.0 -> 1.0.3"');
    const api = await (await fetch(`${h.url}/api/v1/crates/mid`)).text();
    const pubs = parseCratesApiPublishers('mid', api);
    expect(pubs.map((p) => [p.version, p.userLogin])).toEqual([
      ['2.0.0', 'alice'],
      ['1.0.3', 'alice'],
      ['1.0.0', 'alice'],
    ]);
    expect(
      (JSON.parse(api) as { versions: { trustpub_data: unknown }[] }).versions[0]!.trustpub_data,
    ).toBeNull();
    expect((await fetch(`${h.url}/api/v1/crates/absent`)).status).toBe(404);
  });

  it('lets a real cargo workspace importing the registry pass `cratekeeper vet check`', async () => {
    const r = await run(
      process.execPath,
      [
        ...CLI_ARGV,
        'vet',
        'check',
        '--manifest-path',
        join(ws, 'Cargo.toml'),
        '--output-format',
        'json',
        '--crates-api',
        h.url,
      ],
      repoRoot,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      conclusion: 'success',
      vetted_fully: [{ name: 'mid', version: '1.0.3' }],
    });
  }, 120_000);

  it('`vet verify` passes, and fails on an edited audit row or a swapped crate file', async () => {
    const good = await verify();
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toContain('all 2 audits verified');

    const [first] = await h.services.vet.repo.audits('mid');
    const db = h.services.db.kysely;
    await db
      .updateTable('vet_audits')
      .set({ criteria: '["safe-to-deploy","super-safe"]' })
      .where('id', '=', first!.id)
      .execute();
    const edited = await verify();
    expect(edited.code).toBe(1);
    expect(edited.stdout).toMatch(/FAIL audit #\d+ \(mid@1\.0\.0.*signature does not match/);
    // A tampered audit is not served for import either.
    const served = parseAuditsToml(await (await fetch(`${h.url}/vet/audits.toml`)).text());
    expect(served.audits[0]![1].map((a) => a.kind.type)).toEqual(['delta']);
    await db
      .updateTable('vet_audits')
      .set({ criteria: first!.criteria })
      .where('id', '=', first!.id)
      .execute();
    expect((await verify()).code).toBe(0);

    const v = (await h.services.crates.findVersion(
      (await h.services.crates.findByName('mid'))!.id,
      '1.0.3',
    ))!;
    const blob = join(
      data(),
      'crates',
      v.checksum.slice(0, 2),
      v.checksum.slice(2, 4),
      `${v.checksum}.crate`,
    );
    const original = readFileSync(blob);
    writeFileSync(blob, Buffer.concat([original, Buffer.from('evil')]));
    try {
      const swapped = await verify();
      expect(swapped.code).toBe(1);
      expect(swapped.stdout).toContain('the stored file of mid@1.0.3 does not match its checksum');
      expect(swapped.stdout).toContain('1 of 2 audits failed');
    } finally {
      writeFileSync(blob, original);
    }
  }, 120_000);

  it('needs an audit certifying the configured criteria to release from quarantine', async () => {
    const krate = (await h.services.crates.findByName('mid'))!;
    const v2 = (await h.services.crates.findVersion(krate.id, '2.0.0'))!;
    await h.services.crates.setStatus(v2.id, 'quarantined');
    const release = () =>
      admin.call('POST', '/api/admin/crates/mid/versions/2.0.0/release', { reason: 'looks fine' });
    const refused = await release();
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/requires an audit certifying `safe-to-deploy`/);
    // safe-to-run alone does not imply safe-to-deploy.
    await ada.call('POST', '/api/admin/crates/mid/vet/audits', {
      version: '2.0.0',
      criteria: 'safe-to-run',
      reason: 'quick look',
    });
    expect((await release()).status).toBe(400);
    const res = await ada.call('POST', '/api/admin/crates/mid/vet/audits', {
      delta: '1.0.3 -> 2.0.0',
      criteria: 'safe-to-deploy',
      reason: 'delta review',
    });
    expect(res.status).toBe(200);
    expect((await release()).status).toBe(200);
  });

  it("imports another organisation's audits.toml and refuses junk", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ck-vet-imp-'));
    try {
      const file = join(dir, 'audits.toml');
      write(
        file,
        '[criteria.ub-risk-0]\ndescription = "no unsafe"\n\n[[audits.serde]]\nwho = "G"\ncriteria = "ub-risk-0"\nversion = "1.0.0"\n',
      );
      const ok = await runCli(['vet', 'import', file, '--name', 'google', '--data', data()]);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toContain("imported 1 audits and 1 criteria as 'google'");
      const fromUrl = await runCli([
        'vet',
        'import',
        `${h.url}/vet/audits.toml`,
        '--name',
        'self',
        '--data',
        data(),
      ]);
      expect(fromUrl.code, fromUrl.stderr).toBe(0);
      expect((await h.services.vet.repo.imports()).map((i) => [i.name, i.audit_count])).toEqual([
        ['google', 1],
        ['self', 4],
      ]);
      write(file, '[[audits.serde]\nbroken');
      const junk = await runCli(['vet', 'import', file, '--name', 'bad', '--data', data()]);
      expect(junk.code).toBe(2);
      expect(junk.stderr).toMatch(/not a cargo-vet audits.toml/);
      const badName = await runCli(['vet', 'import', file, '--name', '../x', '--data', data()]);
      expect(badName.code).toBe(2);
      expect((await runCli(['vet', 'verify', '--data', join(dir, 'none')])).code).toBe(2);
      expect((await h.services.vet.repo.imports()).map((i) => i.name)).toEqual(['google', 'self']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('defines custom criteria (admins only), serves them, and revoking an auditor keeps old audits valid', async () => {
    const define = (who: ConsoleSession, body: unknown) => who.call('POST', '/api/admin/vet/criteria', body);
    const good = {
      name: 'crypto-reviewed',
      description: 'Constant-time code checked.',
      implies: 'safe-to-deploy',
      reason: 'crypto team',
    };
    const refused: [unknown, number][] = [
      [{ ...good, name: 'Bad Name' }, 400],
      [{ ...good, name: 'safe-to-run' }, 400],
      [{ ...good, implies: ['nope'] }, 400],
      [{ ...good, reason: undefined }, 400],
      [{ ...good, description: '' }, 400],
    ];
    for (const [body, status] of refused) expect((await define(admin, body)).status).toBe(status);
    expect((await define(ada, good)).status).toBe(403);
    expect((await define(admin, good)).status).toBe(200);
    expect((await define(admin, good)).status).toBe(400);
    const rec = await ada.call('POST', '/api/admin/crates/mid/vet/audits', {
      version: '1.0.3',
      criteria: 'crypto-reviewed',
      reason: 'crypto review',
    });
    expect(rec.status, await rec.clone().text()).toBe(200);
    const served = parseAuditsToml(await (await fetch(`${h.url}/vet/audits.toml`)).text(), { strict: true });
    expect(served.criteria.map(([n, c]) => [n, c.implies])).toEqual([
      ['crypto-reviewed', ['safe-to-deploy']],
    ]);

    expect(
      (await admin.call('DELETE', '/api/admin/vet/auditors/ada', { reason: 'left the team' })).status,
    ).toBe(200);
    expect((await admin.call('DELETE', '/api/admin/vet/auditors/ada', { reason: 'again' })).status).toBe(400);
    const after = await ada.call('POST', '/api/admin/crates/mid/vet/audits', {
      version: '1.0.0',
      criteria: 'safe-to-run',
      reason: 'one more',
    });
    expect(after.status).toBe(403);
    const keys = (await (await fetch(`${h.url}/vet/keys/ada`)).json()) as {
      auditor: boolean;
      keys: { retired_at: string | null; revoked_at: string | null; status: string }[];
    };
    expect(keys.auditor).toBe(false);
    expect(keys.keys[0]!.retired_at).not.toBeNull();
    expect(keys.keys[0]).toMatchObject({ revoked_at: null, status: 'retired' });
    const r = await verify();
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('all 5 audits verified');
    expect((await h.services.audit.list({ action: 'vet-revoke-auditor' })).total).toBe(1);
  }, 120_000);
});

describe('audit authority on PostgreSQL', () => {
  let h: Harness;
  const schema = `ck_vet_${randomBytes(5).toString('hex')}`;
  beforeAll(async () => {
    h = await startRegistry({ database: { url: POSTGRES_URL, schema, poolSize: 4 } });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await dropPostgresSchema(POSTGRES_URL, schema);
  });

  it('records a signed audit that `vet verify` checks through --database-url', async () => {
    await createAdmin(h, 'root', PASSWORD);
    await createAdmin(h, 'ada', PASSWORD, false);
    const admin = await signIn(h, 'root', PASSWORD);
    expect((await publishMinimal(h.url, await h.token('alice'), 'pgcrate', '0.1.0')).status).toBe(200);
    expect(
      (await admin.call('POST', '/api/admin/vet/auditors/ada', { reason: 'security team' })).status,
    ).toBe(200);
    const ada = await signIn(h, 'ada', PASSWORD);
    const rec = await ada.call('POST', '/api/admin/crates/pgcrate/vet/audits', {
      version: '0.1.0',
      criteria: ['safe-to-run'],
      reason: 'full review',
    });
    expect(rec.status, await rec.clone().text()).toBe(200);
    const cli = (extra: string[] = []) =>
      runCli([
        'vet',
        'verify',
        '--data',
        join(h.dir, 'data'),
        '--database-url',
        POSTGRES_URL,
        '--database-schema',
        schema,
        ...extra,
      ]);
    const ok = await cli();
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('all 1 audits verified');
    await h.services.db.kysely.updateTable('vet_audits').set({ who: 'mallory' }).execute();
    const bad = await cli();
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('signature does not match');
  }, 120_000);
});
