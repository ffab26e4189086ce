// Ordinary private-registry work raises no alert: a crate depending on a sibling its owners
// published minutes earlier. The same dependency on a crate someone else owns still does. On
// both databases, through the real publish API, worker and alert queue.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCrateArchive } from '../../src/formats/crate-archive.js';
import type { Finding } from '../../src/security/scanner/types.js';
import { dropPostgresSchema } from '../../src/store/database.js';
import { DIALECTS, POSTGRES_URL } from '../support/databases.js';
import { manifestToml, metadataFor, normalDependency, publishBody } from '../support/publish-body.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';

describe.each(DIALECTS)('sibling crates on %s', (dialect) => {
  let h: Harness;
  let schema: string | null = null;
  let alice: string;
  let bob: string;
  let mallory: string;

  /** Publishes `name@version` whose code uses each dependency, as a workspace member would. */
  const publish = async (token: string, name: string, version: string, deps: string[] = []) => {
    const manifest =
      manifestToml(name, version) + `\n[dependencies]\n${deps.map((d) => `${d} = "0.1"\n`).join('')}`;
    const lib = deps.map((d) => `pub use ${d.replaceAll('-', '_')}::*;\n`).join('') + 'pub fn run() {}\n';
    const crate = await writeCrateArchive(`${name}-${version}`, [
      { path: 'Cargo.toml', data: manifest },
      { path: 'src/lib.rs', data: lib },
    ]);
    const res = await fetch(`${h.url}/api/v1/crates/new`, {
      method: 'PUT',
      headers: { authorization: token },
      body: publishBody(
        metadataFor(name, version, { deps: deps.map((d) => normalDependency(d, '0.1')) }),
        crate,
      ),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    await h.worker.drain();
  };
  const alertsOf = async (crate: string) => (await h.pipeline.alerts.list({ crateName: crate })).alerts;
  /** The dependency findings of the crate's newest scan. */
  const dependencyFindings = async (crate: string) => {
    const krate = (await h.services.crates.findByName(crate))!;
    const version = (await h.services.crates.versions(krate.id)).at(-1)!;
    const scan = (await h.pipeline.scans.latest(version.id))!;
    return (JSON.parse(scan.findings) as Finding[])
      .filter((f) => /^registry\.(young|unpopular)-dependency$/.test(f.ruleId))
      .map((f) => [f.ruleId, f.severity]);
  };

  beforeAll(async () => {
    schema = dialect === 'postgres' ? `ck_test_${randomBytes(6).toString('hex')}` : null;
    h = await startRegistry(schema ? { database: { url: POSTGRES_URL, schema, poolSize: 8 } } : {});
    alice = await h.token('alice');
    bob = await h.token('bob');
    mallory = await h.token('mallory');
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    if (schema) await dropPostgresSchema(POSTGRES_URL, schema);
  });

  it('raises nothing for a crate depending on a sibling its publisher published minutes earlier', async () => {
    await publish(alice, 'acme-core', '0.1.0');
    await publish(alice, 'acme-cli', '0.1.0', ['acme-core']);
    // The finding is kept in the report, below the alert threshold.
    expect(await dependencyFindings('acme-cli')).toEqual([['registry.young-dependency', 'info']]);
    expect(await alertsOf('acme-cli')).toEqual([]);
    expect(await alertsOf('acme-core')).toEqual([]);
    // A later release adding another fresh sibling: still nothing.
    await publish(alice, 'acme-util', '0.1.0');
    await publish(alice, 'acme-cli', '0.2.0', ['acme-core', 'acme-util']);
    expect(await dependencyFindings('acme-cli')).toEqual([['registry.young-dependency', 'info']]);
    expect(await alertsOf('acme-cli')).toEqual([]);
  });

  it('treats a crate its co-owners published as a sibling too', async () => {
    await publish(alice, 'team-core', '0.1.0');
    await publish(bob, 'team-app', '0.1.0');
    const app = (await h.services.crates.findByName('team-app'))!;
    const aliceId = (await h.services.users.findByLogin('alice'))!.id;
    await h.services.crates.addOwner(app.id, aliceId, null);
    // bob publishes for the team a release depending on alice's new crate.
    await publish(bob, 'team-app', '0.2.0', ['team-core']);
    expect(await dependencyFindings('team-app')).toEqual([['registry.young-dependency', 'info']]);
    expect(await alertsOf('team-app')).toEqual([]);
  });

  it('still raises an alert when the brand-new dependency belongs to someone else', async () => {
    await publish(mallory, 'acme-helpers', '0.1.0');
    await publish(alice, 'acme-cli', '0.3.0', ['acme-core', 'acme-util', 'acme-helpers']);
    expect(await dependencyFindings('acme-cli')).toEqual([['registry.young-dependency', 'high']]);
    const raised = await alertsOf('acme-cli');
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ kind: 'scanner', severity: 'high', version: '0.3.0' });
    // A first release depending on it: raised too, one level lower.
    await publish(bob, 'bob-tool', '0.1.0', ['acme-helpers']);
    expect(await dependencyFindings('bob-tool')).toEqual([['registry.young-dependency', 'medium']]);
    expect((await alertsOf('bob-tool')).map((a) => a.severity)).toEqual(['medium']);
  });
});
