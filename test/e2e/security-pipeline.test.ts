// The publish security pipeline end to end: typosquat and impersonation alerts, blocking
// at publish, scanner alerts for a malicious sample, and quarantine that real cargo cannot
// resolve past until an administrator releases the version.
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestToPublishMetadata, parseManifest } from '../../src/domain/manifest.js';
import { HELD_FOR_REVIEW_CRATE } from '../../src/domain/crate-name.js';
import { readCrateArchive, writeCrateArchive } from '../../src/formats/crate-archive.js';
import { repoRoot } from '../support/debian-corpus.js';
import { manifestToml, metadataFor, publishBody } from '../support/publish-body.js';
import { CargoEnv, startRegistry, writeCrate, type Harness } from '../support/registry-harness.js';

const SAMPLES = join(repoRoot, '..', 'shared', 'data', 'scanner-samples', 'crates');
const CRATES_IO = 'https://github.com/rust-lang/crates.io-index';

async function publish(h: Harness, token: string, name: string, version = '1.0.0', description?: string) {
  const crate = await writeCrateArchive(`${name}-${version}`, [
    { path: 'Cargo.toml', data: manifestToml(name, version) },
  ]);
  return fetch(`${h.url}/api/v1/crates/new`, {
    method: 'PUT',
    headers: { authorization: token },
    body: publishBody(metadataFor(name, version, description ? { description } : {}), crate),
  });
}

async function adminGet(h: Harness, token: string | null, path: string) {
  return fetch(`${h.url}${path}`, { headers: token ? { authorization: token } : {} });
}

describe('typosquat alerts on publish', () => {
  let h: Harness;
  let alice: string;
  let bob: string;
  let admin: string;

  beforeAll(async () => {
    h = await startRegistry();
    alice = await h.token('alice');
    bob = await h.token('bob');
    await h.services.users.create({ login: 'root', isAdmin: true });
    admin = await h.token('root', ['admin']);
    for (const name of ['tokio', 'serde', 'reqwest'])
      expect((await publish(h, alice, name)).status).toBe(200);
    await h.worker.drain();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('raises an alert naming the imitated crate and its owners', async () => {
    expect((await publish(h, bob, 'tokoi')).status).toBe(200);
    await h.worker.drain();
    const res = await adminGet(h, admin, '/api/admin/alerts?kind=typosquat&crate=tokoi');
    expect(res.status).toBe(200);
    const { alerts } = (await res.json()) as {
      alerts: {
        crate: string;
        details: { target: string; targetOwners: string[]; kind: string; score: number };
      }[];
    };
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.details).toMatchObject({
      target: 'tokio',
      targetOwners: ['alice'],
      kind: 'swapped-characters',
    });
    expect(alerts[0]!.details.score).toBeGreaterThan(0);
  });

  it('does not flag a look-alike published by an owner of the popular crate, nor an unrelated name', async () => {
    expect((await publish(h, alice, 'tokio-cli')).status).toBe(200);
    expect((await publish(h, bob, 'ripgrep-lite')).status).toBe(200);
    await h.worker.drain();
    for (const crate of ['tokio-cli', 'ripgrep-lite']) {
      const { total } = (await (await adminGet(h, admin, `/api/admin/alerts?crate=${crate}`)).json()) as {
        total: number;
      };
      expect(total, crate).toBe(0);
    }
  });

  it('raises an impersonation alert for a publisher login imitating a popular owner', async () => {
    const mallory = await h.token('allice');
    expect((await publish(h, mallory, 'helpful-utils')).status).toBe(200);
    await h.worker.drain();
    const { alerts } = (await (await adminGet(h, admin, '/api/admin/alerts?kind=impersonation')).json()) as {
      alerts: { details: { publisher: string; target: string } }[];
    };
    expect(alerts.map((a) => a.details)).toEqual([
      expect.objectContaining({ publisher: 'allice', target: 'alice' }),
    ]);
  });

  it('never flags the original as imitating a newer look-alike, even when both jobs run late', async () => {
    expect((await publish(h, alice, 'hyper')).status).toBe(200);
    expect((await publish(h, bob, 'hyperr')).status).toBe(200);
    await h.worker.drain(); // both typosquat jobs run now, with both crates in the registry
    const count = async (crate: string) =>
      (
        (await (await adminGet(h, admin, `/api/admin/alerts?kind=typosquat&crate=${crate}`)).json()) as {
          total: number;
        }
      ).total;
    expect(await count('hyper')).toBe(0);
    expect(await count('hyperr')).toBe(1);
  });

  it('lets only administrators read alerts', async () => {
    expect((await adminGet(h, null, '/api/admin/alerts')).status).toBe(401);
    expect((await adminGet(h, bob, '/api/admin/alerts')).status).toBe(403);
    expect((await adminGet(h, admin, '/api/admin/alerts?severity=bogus')).status).toBe(400);
  });
});

describe('blocking squats of the most popular crates', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startRegistry({
      security: {
        typosquat: {
          ...(await import('../../src/security/typosquat/index.js')).defaultTyposquatConfig(),
          blockTop: 2,
        },
      },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refuses a new crate squatting one of the top N with a clear error, leaving nothing behind', async () => {
    const alice = await h.token('alice');
    const bob = await h.token('bob');
    expect((await publish(h, alice, 'serde')).status).toBe(200);
    const res = await publish(h, bob, 'serdde');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { detail: string }[] };
    expect(body.errors[0]!.detail).toMatch(/too close to the popular crate `serde`/);
    expect(await h.services.crates.findByName('serdde')).toBeUndefined();
    // The owner of the popular crate may publish names close to it.
    expect((await publish(h, alice, 'serde2')).status).toBe(200);
  });
});

describe('scanner alerts and quarantine', () => {
  let h: Harness;
  let alice: string;
  let admin: string;
  let cargo: CargoEnv;

  beforeAll(async () => {
    h = await startRegistry({ security: { quarantine: 'high' } });
    alice = await h.token('alice');
    await h.services.users.create({ login: 'root', isAdmin: true });
    admin = await h.token('root', ['admin']);
    cargo = await CargoEnv.create(join(h.dir, 'work'), h.url);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('raises a scanner alert for a malicious sample published through the API', async () => {
    const bytes = await readFile(join(SAMPLES, 'env-loggerr-0.11.4.crate'));
    const archive = await readCrateArchive(bytes);
    const paths = new Set(archive.files.map((f) => f.path));
    const metadata = manifestToPublishMetadata(parseManifest(archive.manifestText, (p) => paths.has(p)));
    // Its dependencies live on crates.io, as cargo declares them for another registry.
    for (const d of metadata.deps) d.registry = CRATES_IO;
    const res = await fetch(`${h.url}/api/v1/crates/new`, {
      method: 'PUT',
      headers: { authorization: alice },
      body: publishBody(metadata, bytes),
    });
    expect(res.status).toBe(200);
    const { warnings } = (await res.json()) as { warnings: { other: string[] } };
    expect(warnings.other.join('\n')).toMatch(/held for security review/);
    const { alerts } = (await (await adminGet(h, admin, '/api/admin/alerts?kind=scanner')).json()) as {
      alerts: {
        crate: string;
        severity: string;
        details: { findings: { ruleId: string; file: string | null }[] };
      }[];
    };
    const alert = alerts.find((a) => a.crate === 'env-loggerr');
    expect(alert?.severity).toMatch(/^(high|critical)$/);
    expect(alert!.details.findings.some((f) => f.file === 'build.rs')).toBe(true);
  });

  it('keeps a quarantined version from cargo until an administrator releases it', async () => {
    const work = join(h.dir, 'work');
    const dir = await writeCrate(work, {
      name: 'evil-helper',
      version: '0.1.0',
      extra: 'build = "build.rs"\n',
    });
    await writeFile(
      join(dir, 'build.rs'),
      await readFile(join(repoRoot, 'test/fixtures/security/exfil-build-script.rs')),
    );
    // cargo waits for the version to appear in the index: a held version appears (with a
    // dependency nothing satisfies), so the publish ends at once instead of polling for a minute.
    const started = Date.now();
    const pub = await cargo.run(['publish', '--registry', 'ck', '--no-verify'], dir, alice, 50_000);
    expect(pub.code, pub.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(pub.stderr).toMatch(/Uploaded evil-helper v0\.1\.0/);
    expect(pub.stderr).toMatch(/Published evil-helper v0\.1\.0/);
    expect(pub.stderr).not.toMatch(/backlog|timed out/);
    expect(pub.stderr).toMatch(
      /warning: evil-helper@0\.1\.0 is held for security review \(scanner verdict: (high|critical)\)/,
    );
    const held = JSON.parse(await (await fetch(`${h.url}/index/ev/il/evil-helper`)).text()) as {
      deps: { name: string; req: string }[];
    };
    expect(held).toMatchObject({ name: 'evil-helper', vers: '0.1.0', yanked: false });
    expect(held.deps).toContainEqual(expect.objectContaining({ name: HELD_FOR_REVIEW_CRATE, req: '=0.0.0' }));
    expect((await fetch(`${h.url}/api/v1/crates/evil-helper/0.1.0/download`)).status).toBe(404);

    const consumer = join(work, 'consumer');
    await mkdir(join(consumer, 'src'), { recursive: true });
    await writeFile(
      join(consumer, 'Cargo.toml'),
      '[package]\nname = "consumer"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\nevil-helper = { version = "0.1", registry = "ck" }\n',
    );
    await writeFile(join(consumer, 'src', 'lib.rs'), '');
    const blocked = await cargo.run(['generate-lockfile'], consumer);
    expect(blocked.code).not.toBe(0);
    // What cargo prints: the held version needs a crate that does not exist.
    expect(blocked.stderr).toContain(`no matching package named \`${HELD_FOR_REVIEW_CRATE}\` found`);
    expect(blocked.stderr).toContain('required by package `evil-helper v0.1.0');

    const list = (await (await adminGet(h, admin, '/api/admin/quarantine')).json()) as {
      versions: { crate: string; version: string }[];
    };
    expect(list.versions).toContainEqual(expect.objectContaining({ crate: 'evil-helper', version: '0.1.0' }));
    const noReason = await fetch(`${h.url}/api/admin/crates/evil-helper/versions/0.1.0/release`, {
      method: 'POST',
      headers: { authorization: admin },
    });
    expect(noReason.status).toBe(400);
    const release = (body: object) =>
      fetch(`${h.url}/api/admin/crates/evil-helper/versions/0.1.0/release`, {
        method: 'POST',
        headers: { authorization: admin, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    // A critical verdict: releasing it needs the version typed out as well as a reason.
    expect((await release({ reason: 'reviewed: test fixture' })).status).toBe(400);
    const released = await release({ reason: 'reviewed: test fixture', confirm: 'evil-helper@0.1.0' });
    expect(released.status).toBe(200);
    const resolved = await cargo.run(['generate-lockfile'], consumer);
    expect(resolved.code, resolved.stderr).toBe(0);
    expect(await readFile(join(consumer, 'Cargo.lock'), 'utf8')).toContain(
      'name = "evil-helper"\nversion = "0.1.0"',
    );
    const live = JSON.parse(await (await fetch(`${h.url}/index/ev/il/evil-helper`)).text()) as {
      deps: { name: string }[];
    };
    expect(live.deps.map((d) => d.name)).not.toContain(HELD_FOR_REVIEW_CRATE);
  }, 120_000);

  it('keeps resolving the last good version while a new release is held', async () => {
    const work = join(h.dir, 'work');
    const good = await writeCrate(work, { name: 'steady-lib', version: '0.2.0' });
    expect((await cargo.run(['publish', '--registry', 'ck', '--no-verify'], good, alice)).code).toBe(0);
    const bad = await writeCrate(work, {
      name: 'steady-lib',
      version: '0.2.1',
      extra: 'build = "build.rs"\n',
    });
    await writeFile(
      join(bad, 'build.rs'),
      await readFile(join(repoRoot, 'test/fixtures/security/exfil-build-script.rs')),
    );
    const pub = await cargo.run(['publish', '--registry', 'ck', '--no-verify'], bad, alice, 50_000);
    expect(pub.code, pub.stderr).toBe(0);
    expect(pub.stderr).toMatch(/steady-lib@0\.2\.1 is held for security review/);
    const consumer = join(work, 'steady-consumer');
    await mkdir(join(consumer, 'src'), { recursive: true });
    await writeFile(
      join(consumer, 'Cargo.toml'),
      '[package]\nname = "steady-consumer"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\nsteady-lib = { version = "0.2", registry = "ck" }\n',
    );
    await writeFile(join(consumer, 'src', 'lib.rs'), '');
    const resolved = await cargo.run(['generate-lockfile'], consumer);
    expect(resolved.code, resolved.stderr).toBe(0);
    const lock = await readFile(join(consumer, 'Cargo.lock'), 'utf8');
    expect(lock).toContain('name = "steady-lib"\nversion = "0.2.0"');
    expect(lock).not.toContain(HELD_FOR_REVIEW_CRATE);
    expect((await fetch(`${h.url}/api/v1/crates/steady-lib/0.2.1/download`)).status).toBe(404);
  }, 120_000);

  it('lets a clean crate through quarantine at once', async () => {
    const res = await publish(h, alice, 'plain-crate');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { warnings: { other: string[] } }).warnings.other).toEqual([]);
    expect((await fetch(`${h.url}/index/pl/ai/plain-crate`)).status).toBe(200);
  });
});

describe('copies of popular crates', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startRegistry();
  });
  afterAll(async () => {
    await h?.close();
  });

  const sources = Array.from({ length: 6 }, (_, i) => ({
    path: `src/part${i}.rs`,
    data: `//! Part ${i} of a fixed-point decimal library.\npub fn scale_${i}(x: i128) -> i128 {\n    x.checked_mul(10_i128.pow(${i})).unwrap_or(i128::MAX)\n}\n`,
  }));
  const publishWith = async (token: string, name: string, files: { path: string; data: string }[]) => {
    const crate = await writeCrateArchive(`${name}-1.0.0`, [
      { path: 'Cargo.toml', data: manifestToml(name, '1.0.0') },
      ...files,
    ]);
    const res = await fetch(`${h.url}/api/v1/crates/new`, {
      method: 'PUT',
      headers: { authorization: token },
      body: publishBody(metadataFor(name, '1.0.0'), crate),
    });
    expect(res.status).toBe(200);
    await h.worker.drain();
  };
  const cloneFindings = async (name: string, ruleId = 'registry.clone-of-popular') => {
    const krate = await h.services.crates.findByName(name);
    const version = (await h.services.crates.versions(krate!.id))[0]!;
    const scan = await h.pipeline.scans.latest(version.id);
    return (JSON.parse(scan!.findings) as { ruleId: string; severity: string; evidence: string }[]).filter(
      (f) => f.ruleId === ruleId,
    );
  };

  it('flags a crate whose files are copies of a popular crate under another name, but not its owner’s fork', async () => {
    const alice = await h.token('alice');
    const mallory = await h.token('mallory');
    await publishWith(alice, 'fixed-decimal', sources);
    expect(await cloneFindings('fixed-decimal')).toEqual([]);

    await publishWith(mallory, 'fixed-decimals', [
      ...sources,
      {
        path: 'src/lib.rs',
        data: 'pub mod part0; pub mod part1; pub mod part2; // plus one changed function\n',
      },
    ]);
    const findings = await cloneFindings('fixed-decimals');
    expect(findings).toHaveLength(1);
    expect(findings[0]!.severity).toBe('high');
    expect(findings[0]!.evidence).toMatch(/identical to fixed.decimal/);
    // The function-level comparison names the original it was measured against.
    const fnLevel = await cloneFindings('fixed-decimals', 'registry.clone');
    expect(fnLevel).toHaveLength(1);
    expect(fnLevel[0]!.evidence).toMatch(/^clone of fixed-decimal@1\.0\.0: 6\/6 functions identical/);

    await publishWith(alice, 'fixed-decimal-next', sources);
    expect(await cloneFindings('fixed-decimal-next')).toEqual([]);
    expect(await cloneFindings('fixed-decimal-next', 'registry.clone')).toEqual([]);
  });
});

describe('compromised releases that pull in a payload crate', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startRegistry();
  });
  afterAll(async () => {
    await h?.close();
  });

  const publishSample = async (token: string, file: string, local: string[]) => {
    const bytes = await readFile(join(SAMPLES, file));
    const archive = await readCrateArchive(bytes);
    const paths = new Set(archive.files.map((f) => f.path));
    const metadata = manifestToPublishMetadata(parseManifest(archive.manifestText, (p) => paths.has(p)));
    // Dependencies on crates of this registry stay local; the rest come from crates.io.
    for (const d of metadata.deps) if (!local.includes(d.name)) d.registry = CRATES_IO;
    const res = await fetch(`${h.url}/api/v1/crates/new`, {
      method: 'PUT',
      headers: { authorization: token },
      body: publishBody(metadata, bytes),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    await h.worker.drain();
    const krate = await h.services.crates.findByName(metadata.name);
    const version = (await h.services.crates.versions(krate!.id)).at(-1)!;
    return (await h.pipeline.scans.latest(version.id))!;
  };

  it('flags a clean-looking wrapper through the verdict the registry holds for its dependency', async () => {
    const mallory = await h.token('mallory');
    const payload = await publishSample(mallory, 'procmacro2-core-1.0.95.crate', []);
    expect(['high', 'critical']).toContain(payload.verdict);
    const wrapper = await publishSample(mallory, 'slice-arrayref-0.3.10.crate', ['procmacro2-core']);
    expect(['high', 'critical']).toContain(wrapper.verdict);
    const rules = (JSON.parse(wrapper.findings) as { ruleId: string }[]).map((f) => f.ruleId);
    expect(rules).toContain('registry.flagged-dependency');
  });
});
