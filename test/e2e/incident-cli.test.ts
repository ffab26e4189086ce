// The incident commands (`cratekeeper alerts|quarantine|yank|unyank|crate|user|token|owner|name`)
// run as operators run them, as child processes: on the local registry (SQLite, PostgreSQL) as
// the administrator named by --as, and against a running server with an admin token. Every
// mode must leave the same audit entries the console's routes write.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dropPostgresSchema } from '../../src/store/database.js';
import { POSTGRES_URL } from '../support/databases.js';
import { repoRoot } from '../support/paths.js';
import { publishMinimal } from '../support/publish-body.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';
import { CLI_ARGV } from '../support/cli-process.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function ck(
  args: string[],
  { env = {}, input }: { env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...CLI_ARGV, ...args], {
      cwd: repoRoot,
      // Nothing of this process's token may leak into a run that is meant to have none.
      env: { ...process.env, CRATEKEEPER_ADMIN_TOKEN: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(input ?? '');
    child.once('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

const MODES = [
  { db: 'sqlite', via: 'local' },
  { db: 'postgres', via: 'local' },
  { db: 'sqlite', via: 'server' },
  { db: 'postgres', via: 'server' },
] as const;

describe.each(MODES)('incident commands on $db, $via', ({ db, via }) => {
  let h: Harness | undefined;
  let schema: string | null = null;

  afterEach(async () => {
    await h?.close();
    if (schema) await dropPostgresSchema(POSTGRES_URL, schema);
    h = undefined;
    schema = null;
  });

  async function start(): Promise<Harness> {
    schema = db === 'postgres' ? `ck_test_${randomBytes(6).toString('hex')}` : null;
    h = await startRegistry(schema ? { database: { url: POSTGRES_URL, schema, poolSize: 8 } } : {});
    return h;
  }

  /** The registry an incident needs: crates, a quarantine, an alert, owners and tokens. */
  async function seed(x: Harness) {
    const s = x.services;
    await s.users.create({ login: 'root', isAdmin: true });
    const rootToken = await x.token('root', ['admin']);
    const alice = await x.token('alice');
    for (const [name, version] of [
      ['serde', '1.0.0'],
      ['serde', '1.1.0'],
      ['doomed', '1.0.0'],
      ['held', '0.1.0'],
      ['held', '0.2.0'],
    ] as const)
      expect((await publishMinimal(x.url, alice, name, version)).status).toBe(200);
    const held = (await s.crates.findByName('held'))!;
    for (const num of ['0.1.0', '0.2.0'])
      await s.crates.setStatus((await s.crates.findVersion(held.id, num))!.id, 'quarantined');
    const serde = (await s.crates.findByName('serde'))!;
    const bob = await s.users.create({ login: 'bob' });
    await s.crates.addOwner(serde.id, bob.id, null);
    const t1 = await s.tokens.create({
      userId: bob.id,
      name: 't1',
      scopes: ['publish-update'],
      cratePatterns: null,
    });
    await s.tokens.create({ userId: bob.id, name: 't2', scopes: ['yank'], cratePatterns: null });
    await s.users.create({ login: 'carol' });
    const { alert } = await x.services.security.alerts.raise({
      kind: 'scanner',
      severity: 'high',
      crateName: 'serde',
      version: '1.1.0',
      versionId: null,
      title: 'build script downloads a binary',
      details: { findings: [] },
      score: 80,
      dedupeKey: 'test-alert-serde',
    });
    const lastSeeded = (await s.audit.list({ limit: 1 })).entries[0]?.id ?? 0;
    return { rootToken, alice, alertId: alert.id, bobToken1: t1.row.id, lastSeeded };
  }

  /** Where the commands act: the local database as root, or the server with root's admin token. */
  function target(x: Harness, rootToken: string) {
    const local = schema
      ? ['--database-url', POSTGRES_URL, '--database-schema', schema]
      : ['--data', join(x.dir, 'data')];
    const read = via === 'local' ? local : ['--server', x.url];
    const act = via === 'local' ? [...local, '--as', 'root'] : read;
    const env = via === 'server' ? { CRATEKEEPER_ADMIN_TOKEN: rootToken } : {};
    const run = async (args: string[], write = false): Promise<Run> =>
      ck([...args, ...(write ? act : read)], { env });
    const json = async <T>(args: string[], write = false): Promise<T> => {
      const r = await run([...args, '--json'], write);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      return JSON.parse(r.stdout) as T;
    };
    return { run, json, local };
  }

  it('runs every command and writes the console’s audit entries', async () => {
    const x = await start();
    const seeded = await seed(x);
    const { run, json } = target(x, seeded.rootToken);

    // alerts
    const listed = await json<{ total: number; alerts: { id: number; crate: string }[] }>(['alerts', 'list']);
    expect(listed.total).toBe(1);
    expect(listed.alerts[0]).toMatchObject({ id: seeded.alertId, crate: 'serde' });
    expect((await json<{ total: number }>(['alerts', 'list', '--status', 'resolved'])).total).toBe(0);
    expect((await json<{ total: number }>(['alerts', 'list', '--crate', 'held'])).total).toBe(0);
    const human = await run(['alerts', 'list', '--severity', 'high']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain(`#${seeded.alertId}`);
    expect(human.stdout).toContain('build script downloads a binary');
    const shown = await json<{ alert: { id: number; title: string } }>([
      'alerts',
      'show',
      String(seeded.alertId),
    ]);
    expect(shown.alert.title).toBe('build script downloads a binary');
    const resolved = await json<{ status: string }>(
      [
        'alerts',
        'resolve',
        String(seeded.alertId),
        '--resolution',
        'confirmed-malicious',
        '--reason',
        'the script downloads a payload',
        '--note',
        'checked the script',
      ],
      true,
    );
    expect(resolved).toMatchObject({ status: 'resolved', resolution: 'confirmed-malicious' });
    expect(await x.services.security.alerts.get(seeded.alertId)).toMatchObject({
      status: 'resolved',
      resolution: 'confirmed-malicious',
    });
    const history = (await x.services.security.alerts.actionsOf([seeded.alertId])).get(seeded.alertId)!;
    expect(history.at(-1)).toMatchObject({
      action: 'alert-resolve',
      reason: 'confirmed malicious: the script downloads a payload',
      settled: 1,
    });

    // quarantine
    const q = await json<{ versions: { crate: string; version: string }[] }>(['quarantine', 'list']);
    expect(q.versions.map((v) => `${v.crate}@${v.version}`)).toEqual(['held@0.1.0', 'held@0.2.0']);
    await json(['quarantine', 'release', 'held@0.1.0', '--reason', 'reviewed, clean'], true);
    await json(['quarantine', 'reject', 'held@0.2.0', '--reason', 'malicious build script'], true);
    expect((await json<{ versions: unknown[] }>(['quarantine', 'list'])).versions).toEqual([]);

    // yank, unyank, delete
    const yanked = await json<{ yanked: boolean }>(
      ['yank', 'serde@1.0.0', '--reason', 'broken release'],
      true,
    );
    expect(yanked.yanked).toBe(true);
    const serde = (await x.services.crates.findByName('serde'))!;
    expect((await x.services.crates.findVersion(serde.id, '1.0.0'))!.yanked).toBe(1);
    await json(['unyank', 'serde@1.0.0', '--reason', 'fixed after all'], true);
    expect((await x.services.crates.findVersion(serde.id, '1.0.0'))!.yanked).toBe(0);
    await json(['crate', 'delete', 'serde@1.1.0', '--reason', 'malware found'], true);
    expect(await x.services.crates.findVersion(serde.id, '1.1.0')).toBeUndefined();
    const deleted = await json<{ blockedDays: number }>(
      ['crate', 'delete', 'doomed', '--reason', 'malicious crate', '--block-name', '30'],
      true,
    );
    expect(deleted.blockedDays).toBe(30);
    expect(await x.services.crates.findByName('doomed')).toBeUndefined();

    // users
    const users = await json<{ users: { login: string; isAdmin: boolean }[] }>(['user', 'list']);
    expect(users.users.map((u) => u.login)).toEqual(['alice', 'bob', 'carol', 'root']);
    expect(users.users.find((u) => u.login === 'root')!.isAdmin).toBe(true);
    const bob = await json<{ user: { login: string }; tokens: unknown[]; crates: { name: string }[] }>([
      'user',
      'show',
      'bob',
    ]);
    expect(bob.tokens).toHaveLength(2);
    expect(bob.crates.map((c) => c.name)).toEqual(['serde']);
    await json(['user', 'lock', 'carol', '--reason', 'compromised laptop'], true);
    expect((await x.services.users.findByLogin('carol'))!.lock_reason).toBe('compromised laptop');
    const lockedLine = await run(['user', 'list']);
    expect(lockedLine.stdout).toMatch(/carol\s+LOCKED: compromised laptop/);
    await json(['user', 'unlock', 'carol', '--reason', 'laptop wiped'], true);
    expect((await x.services.users.findByLogin('carol'))!.lock_reason).toBeNull();

    // tokens
    const tokens = await json<{ tokens: { id: number; user: string; name: string }[] }>([
      'token',
      'list',
      '--user',
      'bob',
    ]);
    expect(tokens.tokens.map((t) => t.name)).toEqual(['t1', 't2']);
    expect((await json<{ tokens: unknown[] }>(['token', 'list'])).tokens.length).toBe(4); // root, alice, bob×2
    await json(['token', 'revoke', String(seeded.bobToken1), '--reason', 'leaked in a log'], true);
    const all = await json<{ revoked: number }>(
      ['token', 'revoke', '--user', 'bob', '--all', '--reason', 'rotate everything'],
      true,
    );
    expect(all.revoked).toBe(1);
    const bobRow = (await x.services.users.findByLogin('bob'))!;
    expect((await x.services.tokens.listForUser(bobRow.id)).every((t) => t.revoked_at !== null)).toBe(true);

    // owners
    const owners = await json<{ owners: { login: string }[] }>(['owner', 'list', 'serde']);
    expect(owners.owners.map((o) => o.login).sort()).toEqual(['alice', 'bob']);
    await json(['owner', 'remove', 'serde', 'bob', '--reason', 'left the team'], true);
    expect((await x.services.crates.owners(serde.id)).map((o) => o.login)).toEqual(['alice']);

    // names
    await json(['name', 'block', 'evil-name', '--reason', 'typosquat of serde'], true);
    expect((await x.services.crates.reservation('evil-name'))!.kind).toBe('blocked');
    await json(['name', 'unblock', 'evil-name', '--reason', 'cleared by review'], true);
    expect(await x.services.crates.reservation('evil-name')).toBeNull();

    // The same entries, in the same order, whichever way the commands went; `via` says which.
    const { entries } = await x.services.audit.list({ limit: 500 });
    const written = entries
      .filter((e) => e.id > seeded.lastSeeded)
      .sort((a, b) => a.id - b.id)
      .map((e) => ({
        actor: e.actor,
        action: e.action,
        target: e.target,
        reason: e.reason,
        via: JSON.parse(e.details).via,
      }));
    const v = via === 'local' ? 'cli' : 'token';
    expect(written).toEqual([
      {
        actor: 'root',
        action: 'alert-resolve',
        target: String(seeded.alertId),
        reason: 'confirmed malicious: the script downloads a payload',
        via: v,
      },
      { actor: 'root', action: 'release', target: 'held@0.1.0', reason: 'reviewed, clean', via: v },
      { actor: 'root', action: 'reject', target: 'held@0.2.0', reason: 'malicious build script', via: v },
      { actor: 'root', action: 'yank', target: 'serde@1.0.0', reason: 'broken release', via: v },
      { actor: 'root', action: 'unyank', target: 'serde@1.0.0', reason: 'fixed after all', via: v },
      { actor: 'root', action: 'delete-version', target: 'serde@1.1.0', reason: 'malware found', via: v },
      { actor: 'root', action: 'delete-crate', target: 'doomed', reason: 'malicious crate', via: v },
      { actor: 'root', action: 'lock-user', target: 'carol', reason: 'compromised laptop', via: v },
      { actor: 'root', action: 'unlock-user', target: 'carol', reason: 'laptop wiped', via: v },
      {
        actor: 'root',
        action: 'revoke-token',
        target: `bob/t1#${seeded.bobToken1}`,
        reason: 'leaked in a log',
        via: v,
      },
      { actor: 'root', action: 'revoke-all-tokens', target: 'bob', reason: 'rotate everything', via: v },
      { actor: 'root', action: 'owner-remove', target: 'serde', reason: 'left the team', via: v },
      { actor: 'root', action: 'block-name', target: 'evil-name', reason: 'typosquat of serde', via: v },
      { actor: 'root', action: 'unblock-name', target: 'evil-name', reason: 'cleared by review', via: v },
    ]);
    expect((await x.services.audit.verify()).ok).toBe(true);
  }, 300_000);

  it('refuses bad input with exit 2 and refused actions with exit 1, writing nothing', async () => {
    const x = await start();
    const seeded = await seed(x);
    const { run, local } = target(x, seeded.rootToken);
    const refusals: [string[], number, RegExp][] = [
      [['yank', 'serde@1.0.0'], 2, /--reason/],
      [['yank', 'serde@1.0.0', '--reason', 'x'], 2, /at least 3 characters/],
      [['yank', 'serde', '--reason', 'no version'], 2, /CRATE@VERSION/],
      [['yank', 'nope@1.0.0', '--reason', 'no such crate'], 1, /no crate `nope`/],
      [['yank', 'serde@9.9.9', '--reason', 'no such version'], 1, /no version serde@9\.9\.9/],
      [['alerts', 'show', 'abc'], 2, /positive whole number/],
      [['alerts', 'show', '999'], 1, /no such alert/],
      [['alerts', 'list', '--status', 'closed'], 2, /unknown status `closed`/],
      [
        ['alerts', 'resolve', String(seeded.alertId), '--reason', 'okay then', '--status', 'gone'],
        2,
        /unknown status/,
      ],
      [
        ['alerts', 'resolve', String(seeded.alertId), '--reason', 'okay then'],
        2,
        /--resolution \(false-positive/,
      ],
      [
        ['alerts', 'resolve', String(seeded.alertId), '--reason', 'okay then', '--status', 'dismissed'],
        2,
        /settles the alert: give --resolution/,
      ],
      [
        ['alerts', 'resolve', String(seeded.alertId), '--reason', 'okay then', '--resolution', 'meh'],
        2,
        /unknown resolution `meh`/,
      ],
      [
        [
          'alerts',
          'resolve',
          String(seeded.alertId),
          '--reason',
          'okay then',
          '--resolution',
          'duplicate',
          '--status',
          'resolved',
        ],
        2,
        /dismisses the alert, not resolved/,
      ],
      [['quarantine', 'release', 'serde@1.0.0', '--reason', 'not held'], 1, /not in quarantine/],
      [['crate', 'delete', 'serde@1.0.0', '--reason', 'a version', '--block-name', '3'], 2, /whole crate/],
      [['user', 'lock', 'root', '--reason', 'lock myself'], 1, /your own account/],
      [['user', 'show', 'nobody'], 1, /no user `nobody`/],
      [['token', 'revoke', '--reason', 'which one'], 2, /token id/],
      [['token', 'revoke', '--all', '--reason', 'whose'], 2, /--user/],
      [['owner', 'remove', 'serde', 'carol', '--reason', 'not an owner'], 1, /neither owns serde/],
      [['name', 'block', 'Bad Name!', '--reason', 'not a name'], 1, /./],
      [['name', 'unblock', 'free-name', '--reason', 'was never blocked'], 1, /neither reserved nor blocked/],
      [['user', 'unlock', 'carol', ...(via === 'local' ? ['--as', 'root'] : [])], 2, /--reason is required/],
    ];
    const results = await Promise.all(
      refusals.map(async ([args, code, message]) => ({ args, code, message, r: await run(args, true) })),
    );
    for (const { args, code, message, r } of results) {
      expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(code);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }

    if (via === 'local') {
      // Local actions need an administrator to act as.
      const noActor = await ck(['yank', 'serde@1.0.0', '--reason', 'who am i', ...local]);
      expect(noActor.code).toBe(2);
      expect(noActor.stderr).toContain('--as LOGIN');
      const notAdmin = await ck([
        'yank',
        'serde@1.0.0',
        '--reason',
        'not allowed',
        ...local,
        '--as',
        'alice',
      ]);
      expect(notAdmin.code).toBe(1);
      expect(notAdmin.stderr).toContain('alice is not an administrator');
      const unknownActor = await ck([
        'yank',
        'serde@1.0.0',
        '--reason',
        'not allowed',
        ...local,
        '--as',
        'ghost',
      ]);
      expect(unknownActor.code).toBe(1);
      expect(unknownActor.stderr).toContain('no user `ghost`');
      // The break-glass unlock (no --as) still works and is logged as before.
      await x.services.users.lock((await x.services.users.findByLogin('carol'))!.id, 'test lock', null);
      const glass = await ck(['user', 'unlock', 'carol', ...local]);
      expect(glass.code, glass.stderr).toBe(0);
      expect(glass.stdout).toContain('unlocked carol (account lock lifted)');
      expect((await x.services.audit.list({ action: 'user-unlock' })).entries).toHaveLength(1);
    } else {
      const server = ['--server', x.url];
      const noToken = await ck(['yank', 'serde@1.0.0', '--reason', 'no token', ...server]);
      expect(noToken.code).toBe(2);
      expect(noToken.stderr).toContain('--token-stdin');
      const nonAdmin = await ck(['yank', 'serde@1.0.0', '--reason', 'not admin', ...server], {
        env: { CRATEKEEPER_ADMIN_TOKEN: seeded.alice },
      });
      expect(nonAdmin.code).toBe(1);
      expect(nonAdmin.stderr).toContain('needs an administrator');
      const withAs = await ck(['yank', 'serde@1.0.0', '--reason', 'two actors', ...server, '--as', 'root'], {
        env: { CRATEKEEPER_ADMIN_TOKEN: seeded.rootToken },
      });
      expect(withAs.code).toBe(2);
      const badUrl = await ck(['user', 'list', '--server', 'ftp://example'], {
        env: { CRATEKEEPER_ADMIN_TOKEN: seeded.rootToken },
      });
      expect(badUrl.code).toBe(2);
      // The token can come on standard input instead of the environment.
      const piped = await ck(['user', 'list', '--json', '--token-stdin', ...server], {
        input: `${seeded.rootToken}\n`,
      });
      expect(piped.code, piped.stderr).toBe(0);
      expect((JSON.parse(piped.stdout) as { users: unknown[] }).users).toHaveLength(4);
    }
    // No refusal wrote anything (apart from the break-glass unlock above).
    const after = (await x.services.audit.list({ limit: 500 })).entries.filter(
      (e) => e.id > seeded.lastSeeded && e.action !== 'user-unlock',
    );
    expect(after).toEqual([]);
    expect(
      (await x.services.crates.findVersion((await x.services.crates.findByName('serde'))!.id, '1.0.0'))!
        .yanked,
    ).toBe(0);
  }, 300_000);
});
