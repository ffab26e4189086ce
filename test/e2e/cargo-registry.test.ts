// Real cargo against a real server: publish, resolve and build, yank, owners, search, and
// the refusals cargo must show with our messages. Runs in public and private mode.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dropPostgresSchema } from '../../src/store/database.js';
import { POSTGRES_URL } from '../support/databases.js';
import { CargoEnv, startRegistry, writeCrate, type Harness } from '../support/registry-harness.js';

function lockedVersions(lock: string, name: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`name = "${name}"\\nversion = "([^"]+)"`, 'g');
  for (const m of lock.matchAll(re)) out.push(m[1]!);
  return out;
}

describe.each([
  ['public', false, 'sqlite'],
  ['private', true, 'sqlite'],
  ['public', false, 'postgres'],
] as const)('real cargo against a %s registry on %s', (_mode, authRequired, dialect) => {
  let h: Harness;
  let cargo: CargoEnv;
  let alice: string;
  let work: string;
  let schema: string | null = null;
  const readToken = () => (authRequired ? alice : null);

  beforeAll(async () => {
    if (dialect === 'postgres') {
      schema = `ck_e2e_${randomBytes(6).toString('hex')}`;
      h = await startRegistry({ config: { authRequired }, database: { url: POSTGRES_URL, schema } });
    } else {
      h = await startRegistry({ config: { authRequired } });
    }
    work = join(h.dir, 'work');
    cargo = await CargoEnv.create(work, h.url);
    alice = await h.token('alice');
  });
  afterAll(async () => {
    await h?.close();
    if (schema) await dropPostgresSchema(POSTGRES_URL, schema);
  });

  it('publishes three crates, one through a renamed dependency, and a consumer builds from them', async () => {
    const base = await writeCrate(work, {
      name: 'ck-base',
      version: '0.1.0',
      lib: 'pub fn base() -> u32 { 1 }\n',
    });
    const mid = await writeCrate(work, {
      name: 'ck-mid',
      version: '0.1.0',
      deps: 'ck-base = { version = "0.1", registry = "ck" }\n',
      lib: 'pub fn mid() -> u32 { ck_base::base() + 10 }\n',
    });
    const top = await writeCrate(work, {
      name: 'ck-top',
      version: '0.1.0',
      deps: 'middle = { package = "ck-mid", version = "0.1", registry = "ck" }\n',
      lib: 'pub fn top() -> u32 { middle::mid() + 100 }\n',
    });
    for (const dir of [base, mid, top]) {
      const r = await cargo.run(['publish', '--registry', 'ck', '--no-verify'], dir, alice);
      expect(r.stderr).toContain('Uploaded');
      expect(r.code).toBe(0);
    }

    const res = await fetch(`${h.url}/index/ck/-t/ck-top`, {
      headers: authRequired ? { authorization: alice } : {},
    });
    expect(res.status).toBe(200);
    const line = JSON.parse((await res.text()).trim()) as { deps: { name: string; package?: string }[] };
    expect(line.deps).toEqual([
      expect.objectContaining({ name: 'middle', package: 'ck-mid', kind: 'normal' }),
    ]);

    const consumer = join(work, 'consumer');
    await mkdir(join(consumer, 'src'), { recursive: true });
    await writeFile(
      join(consumer, 'Cargo.toml'),
      '[package]\nname = "consumer"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n' +
        '[dependencies]\nck-top = { version = "0.1", registry = "ck" }\n',
    );
    await writeFile(join(consumer, 'src', 'main.rs'), 'fn main() { println!("{}", ck_top::top()); }\n');
    const run = await cargo.run(['run', '-q'], consumer, readToken());
    expect(run.stderr).not.toMatch(/error/);
    expect(run.stdout.trim()).toBe('111');
    const lock = await readFile(join(consumer, 'Cargo.lock'), 'utf8');
    expect(lockedVersions(lock, 'ck-mid')).toEqual(['0.1.0']);
    expect(lockedVersions(lock, 'ck-base')).toEqual(['0.1.0']);
  });

  it('yank and unyank change what resolves', async () => {
    const base2 = await writeCrate(work, {
      name: 'ck-base',
      version: '0.1.1',
      lib: 'pub fn base() -> u32 { 2 }\n',
    });
    expect((await cargo.run(['publish', '--registry', 'ck', '--no-verify'], base2, alice)).code).toBe(0);

    const consumer = join(work, 'yank-consumer');
    await mkdir(join(consumer, 'src'), { recursive: true });
    await writeFile(
      join(consumer, 'Cargo.toml'),
      '[package]\nname = "yank-consumer"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\nck-base = { version = "0.1", registry = "ck" }\n',
    );
    await writeFile(join(consumer, 'src', 'lib.rs'), '');
    const resolve = async () => {
      await rm(join(consumer, 'Cargo.lock'), { force: true });
      const r = await cargo.run(['generate-lockfile'], consumer, readToken());
      expect(r.code, r.stderr).toBe(0);
      return lockedVersions(await readFile(join(consumer, 'Cargo.lock'), 'utf8'), 'ck-base');
    };
    expect(await resolve()).toEqual(['0.1.1']);

    const yank = await cargo.run(['yank', '--registry', 'ck', 'ck-base@0.1.1'], work, alice);
    expect(yank.code, yank.stderr).toBe(0);
    expect(await resolve()).toEqual(['0.1.0']);

    const undo = await cargo.run(['yank', '--registry', 'ck', '--undo', 'ck-base@0.1.1'], work, alice);
    expect(undo.code, undo.stderr).toBe(0);
    expect(await resolve()).toEqual(['0.1.1']);
  });

  it('invites an owner, who must accept before publishing, then lists and removes owners', async () => {
    const bob = await h.token('bob');
    const add = await cargo.run(['owner', '--registry', 'ck', '--add', 'bob', 'ck-base'], work, alice);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stderr).toContain('user bob has been invited to be an owner of crate ck-base');

    // Invited is not an owner: bob cannot publish yet, nor is he listed.
    const pending = await cargo.run(['owner', '--registry', 'ck', '--list', 'ck-base'], work, alice);
    expect(pending.stdout).not.toMatch(/^bob/m);
    const byBob = await writeCrate(work, { name: 'ck-base', version: '0.1.2' });
    const early = await cargo.run(['publish', '--registry', 'ck', '--no-verify'], byBob, bob);
    expect(early.code).not.toBe(0);
    expect(early.stderr).toContain("you don't seem to be an owner");

    // Bob finds the invitation and accepts it through the API, as crates.io's website does.
    const mine = await fetch(`${h.url}/api/v1/me/crate_owner_invitations`, {
      headers: { authorization: bob },
    });
    const { crate_owner_invitations: invites } = (await mine.json()) as {
      crate_owner_invitations: { crate_id: number; crate_name: string; invited_by_username: string }[];
    };
    expect(invites).toEqual([
      expect.objectContaining({ crate_name: 'ck-base', invited_by_username: 'alice' }),
    ]);
    const crateId = invites[0]!.crate_id;
    const accept = await fetch(`${h.url}/api/v1/me/crate_owner_invitations/${crateId}`, {
      method: 'PUT',
      headers: { authorization: bob },
      body: JSON.stringify({ crate_owner_invite: { crate_id: crateId, accepted: true } }),
    });
    expect(accept.status, await accept.clone().text()).toBe(200);

    const list = await cargo.run(['owner', '--registry', 'ck', '--list', 'ck-base'], work, alice);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^alice/m);
    expect(list.stdout).toMatch(/^bob/m);

    // The new owner can now publish the crate.
    const published = await cargo.run(['publish', '--registry', 'ck', '--no-verify'], byBob, bob);
    expect(published.code, published.stderr).toBe(0);

    const remove = await cargo.run(['owner', '--registry', 'ck', '--remove', 'bob', 'ck-base'], work, alice);
    expect(remove.code, remove.stderr).toBe(0);
    const after = await cargo.run(['owner', '--registry', 'ck', '--list', 'ck-base'], work, alice);
    expect(after.stdout).not.toMatch(/^bob/m);

    // …and no longer can.
    const again = await writeCrate(work, { name: 'ck-base', version: '0.1.3' });
    const refused = await cargo.run(['publish', '--registry', 'ck', '--no-verify'], again, bob);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("you don't seem to be an owner");
  });

  it('searches', async () => {
    const r = await cargo.run(['search', '--registry', 'ck', 'ck-'], work, readToken());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ck-top = "0\.1\.0"\s+# test crate ck-top/m);
    expect(r.stdout).toMatch(/^ck-base = "0\.1\.2"/m);
    const none = await cargo.run(['search', '--registry', 'ck', 'no-such-crate-here'], work, readToken());
    expect(none.stdout.trim()).toBe('');
  });

  it('refuses republishing a version and shows our message', async () => {
    // Cargo checks its index before uploading, so a duplicate reaches the server when two
    // publishes of one version race (two CI jobs). A barrier holds both uploads until both
    // have passed cargo's check, then lets them commit one after the other.
    let arrived = 0;
    let release!: () => void;
    const bothArrived = new Promise<void>((r) => (release = r));
    const policy = h.services.security.policy;
    const check = policy.check.bind(policy);
    const spy = vi.spyOn(policy, 'check').mockImplementation(async (meta, ...rest) => {
      if (meta.name === 'ck-race') {
        if (++arrived === 2) release();
        await bothArrived;
      }
      return check(meta, ...rest);
    });
    try {
      const a = await writeCrate(join(work, 'race-a'), { name: 'ck-race', version: '1.0.0' });
      const b = await writeCrate(join(work, 'race-b'), { name: 'ck-race', version: '1.0.0' });
      // Separate CARGO_HOMEs: one cargo would otherwise wait on the other's package-cache lock.
      const racers = await Promise.all(
        ['race-a', 'race-b'].map((d) => CargoEnv.create(join(work, d), h.url)),
      );
      const results = await Promise.all(
        [a, b].map((dir, i) => racers[i]!.run(['publish', '--registry', 'ck', '--no-verify'], dir, alice)),
      );
      expect(results.map((r) => r.code).sort()).toEqual([0, 101]);
      const loser = results.find((r) => r.code !== 0)!;
      expect(loser.stderr).toContain('crate version `1.0.0` is already uploaded');
      const krate = await h.services.crates.findByName('ck-race');
      const versions = await h.services.crates.versions(krate!.id);
      expect(versions.map((v) => v.num)).toEqual(['1.0.0']);
      // The loser must not take the winner's file with it: the version downloads, checksum intact.
      const res = await fetch(`${h.url}/api/v1/crates/ck-race/1.0.0/download`, {
        headers: { authorization: alice },
      });
      expect(res.status).toBe(200);
      const body = Buffer.from(await res.arrayBuffer());
      expect(createHash('sha256').update(body).digest('hex')).toBe(versions[0]!.checksum);
    } finally {
      spy.mockRestore();
    }
  });

  it('refuses a publish missing required metadata with our message', async () => {
    const dir = await writeCrate(work, { name: 'ck-nolicense', version: '1.0.0' });
    const manifest = join(dir, 'Cargo.toml');
    await writeFile(manifest, (await readFile(manifest, 'utf8')).replace(/^license = .*$/m, ''));
    const r = await cargo.run(['publish', '--registry', 'ck', '--no-verify'], dir, alice);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('missing or empty metadata fields: license');
    expect(await h.services.crates.findByName('ck-nolicense')).toBeUndefined();
  });

  it('refuses no token, a wrong token, and a token without publish-new', async () => {
    const dir = await writeCrate(work, { name: 'ck-guarded', version: '1.0.0' });
    const none = await cargo.run(['publish', '--registry', 'ck', '--no-verify'], dir, null);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/no token found|requires authentication/);

    const wrong = await cargo.run(['publish', '--registry', 'ck', '--no-verify'], dir, 'ck_not-a-real-token');
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('authentication failed: the token is invalid, expired or revoked');

    const updateOnly = await h.token('carol', ['publish-update']);
    const scoped = await cargo.run(['publish', '--registry', 'ck', '--no-verify'], dir, updateOnly);
    expect(scoped.code).not.toBe(0);
    expect(scoped.stderr).toContain('needs the `publish-new` scope');
    expect(await h.services.crates.findByName('ck-guarded')).toBeUndefined();

    // The server itself refuses an anonymous publish with a cargo-shaped error.
    const anon = await fetch(`${h.url}/api/v1/crates/new`, { method: 'PUT', body: Buffer.alloc(8) });
    expect(anon.status).toBe(401);
    expect(await anon.json()).toEqual({
      errors: [{ detail: expect.stringContaining('requires authentication') }],
    });
  });

  it(
    authRequired
      ? 'requires a token for the index, downloads and the API'
      : 'serves the index, downloads and the API anonymously',
    async () => {
      for (const path of [
        '/index/config.json',
        '/index/ck/-b/ck-base',
        '/api/v1/crates/ck-base/0.1.0/download',
        '/api/v1/crates?q=ck',
      ]) {
        const anon = await fetch(h.url + path);
        expect(anon.status, path).toBe(authRequired ? 401 : 200);
        const ok = await fetch(h.url + path, { headers: { authorization: alice } });
        expect(ok.status, path).toBe(200);
        if (authRequired) {
          const bad = await fetch(h.url + path, { headers: { authorization: 'ck_wrong' } });
          expect(bad.status, path).toBe(403);
        }
      }
      const config = (await (
        await fetch(`${h.url}/index/config.json`, { headers: { authorization: alice } })
      ).json()) as Record<string, unknown>;
      expect(config).toEqual({
        dl: `${h.url}/api/v1/crates`,
        api: h.url,
        ...(authRequired ? { 'auth-required': true } : {}),
      });
    },
  );
});
