// `cratekeeper import` goes through the same security pipeline as `cargo publish`: scans,
// typosquat checks and quarantine. `--trusted` skips it, and the audit log says so.
import { HELD_FOR_REVIEW_CRATE } from '../../src/domain/crate-name.js';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeCrateArchive } from '../../src/formats/crate-archive.js';
import { importCrateFiles } from '../../src/registry/importer.js';
import { repoRoot } from '../support/debian-corpus.js';
import { manifestToml } from '../support/publish-body.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';

async function writeCrates(dir: string): Promise<string[]> {
  const evil = await writeCrateArchive('evil-build-0.1.0', [
    { path: 'Cargo.toml', data: manifestToml('evil-build', '0.1.0') + 'build = "build.rs"\n' },
    {
      path: 'build.rs',
      data: await readFile(join(repoRoot, 'test/fixtures/security/exfil-build-script.rs')),
    },
    { path: 'src/lib.rs', data: '' },
  ]);
  const plain = await writeCrateArchive('plain-lib-1.0.0', [
    { path: 'Cargo.toml', data: manifestToml('plain-lib', '1.0.0') },
    { path: 'src/lib.rs', data: 'pub fn add(a: u32, b: u32) -> u32 { a + b }\n' },
  ]);
  const files = [join(dir, 'evil-build-0.1.0.crate'), join(dir, 'plain-lib-1.0.0.crate')];
  await writeFile(files[0]!, evil);
  await writeFile(files[1]!, plain);
  return files;
}

describe('import through the security pipeline', () => {
  let h: Harness | null = null;
  let dir: string | null = null;
  afterEach(async () => {
    await h?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    h = null;
  });

  async function setup(quarantine: 'off' | 'high') {
    h = await startRegistry({ security: { quarantine } });
    dir = await mkdtemp(join(tmpdir(), 'ck-import-'));
    const files = await writeCrates(dir);
    const user = await h.services.users.create({ login: 'seeder' });
    return { h, files, user };
  }

  const versionOf = async (h: Harness, name: string) => {
    const krate = await h.services.crates.findByName(name);
    return (await h.services.crates.versions(krate!.id))[0]!;
  };

  it('holds an imported malicious crate in quarantine and raises its alert', async () => {
    const { h, files, user } = await setup('high');
    const result = await importCrateFiles(h.services, files, user);
    expect(result).toMatchObject({ imported: 2, quarantined: 1, failed: [] });
    const evil = await versionOf(h, 'evil-build');
    expect(evil.status).toBe('quarantined');
    // Held: listed with a dependency nothing satisfies, so cargo cannot select it.
    const held = (await (await fetch(`${h.url}/index/ev/il/evil-build`)).json()) as {
      deps: { name: string }[];
    };
    expect(held.deps.map((d) => d.name)).toContain(HELD_FOR_REVIEW_CRATE);
    expect((await fetch(`${h.url}/api/v1/crates/evil-build/0.1.0/download`)).status).toBe(404);
    const { alerts } = await h.pipeline.alerts.list({ crateName: 'evil-build' });
    expect(alerts.map((a) => a.kind)).toContain('scanner');
    expect((await versionOf(h, 'plain-lib')).status).toBe('published');
    const audit = await h.services.audit.list({ action: 'publish' });
    expect(audit.entries.map((e) => e.target).sort()).toEqual(['evil-build@0.1.0', 'plain-lib@1.0.0']);
  });

  it('queues scan and typosquat jobs for imports, which raise alerts when the worker runs', async () => {
    const { h, files, user } = await setup('off');
    await importCrateFiles(h.services, files, user);
    const kinds = (await h.services.db.kysely.selectFrom('jobs').select('kind').execute()).map((j) => j.kind);
    expect(kinds.sort()).toEqual(['analyze', 'analyze', 'scan', 'scan', 'typosquat', 'typosquat']);
    await h.worker.drain();
    const evil = await versionOf(h, 'evil-build');
    expect((await h.pipeline.scans.latest(evil.id))?.verdict).toMatch(/^(high|critical)$/);
    const { alerts } = await h.pipeline.alerts.list({ crateName: 'evil-build' });
    expect(alerts.map((a) => a.kind)).toContain('scanner');
  });

  it('skips the pipeline only when told --trusted, and records that in the audit log', async () => {
    const { h, files, user } = await setup('high');
    const result = await importCrateFiles(h.services, files, user, { trusted: true });
    expect(result).toMatchObject({ imported: 2, quarantined: 0 });
    expect((await versionOf(h, 'evil-build')).status).toBe('published');
    expect(await h.services.db.kysely.selectFrom('jobs').selectAll().execute()).toEqual([]);
    const trusted = await h.services.audit.list({ action: 'import-trusted' });
    expect(trusted.total).toBe(1);
    expect(JSON.parse(trusted.entries[0]!.details)).toMatchObject({ files: 2 });
    const publishes = await h.services.audit.list({ action: 'publish' });
    for (const e of publishes.entries) expect(JSON.parse(e.details)).toMatchObject({ trusted: true });
  });
});
