// `cratekeeper vet check` on a real cargo workspace: path members, registry crates from a
// vendored directory source (`[source.crates-io] replace-with`, so cargo needs no network),
// `cargo metadata` run by the command itself, a supply-chain store in cargo-vet's files, and a
// peer's audits served over HTTP (unlocked) or taken from imports.lock (`--locked`).
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ARGV, runCommand } from '../support/cli-process.js';
import { repoRoot } from '../support/paths.js';

const run = runCommand;

const vet = (ws: string, ...args: string[]) =>
  run(
    process.execPath,
    [...CLI_ARGV, 'vet', 'check', '--manifest-path', join(ws, 'Cargo.toml'), ...args],
    repoRoot,
  );

function write(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

/** A crate in the vendored directory source, as `cargo vendor` lays one out. */
function vendorCrate(vendor: string, name: string, version: string, deps: Record<string, string> = {}): void {
  const dir = join(vendor, name);
  const depLines = Object.entries(deps).map(([n, v]) => `${n} = "${v}"`);
  write(
    join(dir, 'Cargo.toml'),
    `[package]\nname = "${name}"\nversion = "${version}"\nedition = "2021"\n\n[dependencies]\n${depLines.join('\n')}\n`,
  );
  write(join(dir, 'src/lib.rs'), `pub fn ${name.replace(/-/g, '_')}() {}\n`);
  const checksum = createHash('sha256').update(`${name}-${version}`).digest('hex');
  write(join(dir, '.cargo-checksum.json'), JSON.stringify({ files: {}, package: checksum }));
}

const PEER_AUDITS = `
[criteria.peer-reviewed]
description = "Reviewed line by line by the peer's security team."

[[audits.tiny]]
who = "Peer Reviewer <peer@example.net>"
criteria = "peer-reviewed"
version = "0.1.0"
`;

const AUDITS = `
# cargo-vet audits file

[[audits.mid]]
who = "Rita Reviewer <rita@example.com>"
criteria = "safe-to-deploy"
version = "1.0.0"

[[audits.mid]]
who = "Rita Reviewer <rita@example.com>"
criteria = "safe-to-deploy"
delta = "1.0.0 -> 1.0.3"
notes = """
Small fix in error formatting.
No new unsafe, no build script.
"""
`;

const IMPORTS_LOCK = `
# cargo-vet imports lock

[audits.peer.criteria.peer-reviewed]
description = "Reviewed line by line by the peer's security team."

[[audits.peer.audits.tiny]]
who = "Peer Reviewer <peer@example.net>"
criteria = "safe-to-deploy"
version = "0.1.0"
`;

describe('cratekeeper vet check on a real cargo workspace', () => {
  let ws: string;
  let server: Server;
  let requests = 0;
  let baseUrl = '';
  let leafVersion: Record<string, unknown> = {};

  const config = (url: string) => `
# cargo-vet config file

[cargo-vet]
version = "0.10"

[imports.peer]
url = "${url}"

[imports.peer.criteria-map]
peer-reviewed = "safe-to-deploy"

[[exemptions.leaf]]
version = "0.2.1"
criteria = "safe-to-run"
`;

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests++;
      if (req.url === '/vet/audits.toml') res.end(PEER_AUDITS);
      else if (req.url === '/api/v1/crates/leaf')
        res.end(JSON.stringify({ crate: { name: 'leaf' }, versions: [leafVersion] }));
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const url = `${baseUrl}/vet/audits.toml`;

    ws = mkdtempSync(join(tmpdir(), 'ck-vet-'));
    write(join(ws, 'Cargo.toml'), '[workspace]\nmembers = ["app", "util"]\nresolver = "2"\n');
    write(
      join(ws, 'app/Cargo.toml'),
      '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\nmid = "1"\nutil = { path = "../util" }\n\n[dev-dependencies]\nleaf = "0.2"\n',
    );
    write(join(ws, 'app/src/lib.rs'), 'pub fn app() {}\n');
    write(join(ws, 'util/Cargo.toml'), '[package]\nname = "util"\nversion = "0.3.0"\nedition = "2021"\n');
    write(join(ws, 'util/src/lib.rs'), 'pub fn util() {}\n');
    const vendor = join(ws, 'vendor');
    vendorCrate(vendor, 'mid', '1.0.3', { tiny: '0.1' });
    vendorCrate(vendor, 'tiny', '0.1.0');
    vendorCrate(vendor, 'leaf', '0.2.1');
    write(
      join(ws, '.cargo/config.toml'),
      '[source.crates-io]\nreplace-with = "vendored"\n\n[source.vendored]\ndirectory = "vendor"\n',
    );
    const lock = await run('cargo', ['generate-lockfile', '--offline'], ws);
    expect(lock.code, lock.stderr).toBe(0);
    write(join(ws, 'supply-chain/config.toml'), config(url));
    write(join(ws, 'supply-chain/audits.toml'), AUDITS);
    write(join(ws, 'supply-chain/imports.lock'), IMPORTS_LOCK);
  }, 120_000);

  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(ws, { recursive: true, force: true });
  });

  const expected = {
    conclusion: 'success',
    vetted_fully: [
      { name: 'mid', version: '1.0.3' },
      { name: 'tiny', version: '0.1.0' },
    ],
    vetted_partially: [],
    vetted_with_exemptions: [{ name: 'leaf', version: '0.2.1' }],
  };

  it('fetches the peer import, maps its criteria and vets the graph (exit 0)', async () => {
    const before = requests;
    const r = await vet(ws, '--output-format', 'json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(expected);
    expect(requests).toBe(before + 1);
  }, 120_000);

  it('--locked --frozen reads imports.lock and touches no network', async () => {
    const before = requests;
    const r = await vet(ws, '--locked', '--frozen', '--output-format', 'json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(expected);
    expect(requests).toBe(before);
    // The store is in cargo-vet's canonical layout, so --locked has nothing to warn about.
    expect(r.stderr).toBe('');
    const human = await vet(ws, '--locked');
    expect(human.stdout).toBe('Vetting Succeeded (2 fully audited, 1 exempted)\n');
  }, 120_000);

  it('fails with exit 255 and names the missing audit and the delta to review', async () => {
    write(join(ws, 'supply-chain/audits.toml'), AUDITS.slice(0, AUDITS.indexOf('[[audits.mid]]', 40)));
    try {
      const r = await vet(ws, '--locked', '--output-format', 'json');
      expect(r.code).toBe(255);
      expect(JSON.parse(r.stdout)).toEqual({
        conclusion: 'fail (vetting)',
        failures: [{ name: 'mid', version: '1.0.3', missing_criteria: ['safe-to-deploy'] }],
        suggest: null,
      });
      const human = await vet(ws, '--locked');
      expect(human.code).toBe(255);
      expect(human.stdout).toContain('  mid:1.0.3 missing ["safe-to-deploy"]');
      expect(human.stdout).toContain('cargo vet diff mid 1.0.0 1.0.3');
      // 1.0.0's sources are not on this machine, so that delta cannot be measured.
      expect(human.stdout).toContain('(safe-to-deploy; from audited 1.0.0)');
      // With no audit at all the suggestion is a full audit, measured on the vendored sources
      // (Cargo.toml's 7 lines and lib.rs's 1; .cargo-checksum.json is not part of the crate).
      write(join(ws, 'supply-chain/audits.toml'), '\n# cargo-vet audits file\n\n[audits]\n');
      const none = await vet(ws, '--locked');
      expect(none.stdout).toContain(
        'cargo vet inspect mid 1.0.3   (safe-to-deploy; full audit: 2 files changed, 8 insertions(+))',
      );
    } finally {
      write(join(ws, 'supply-chain/audits.toml'), AUDITS);
    }
  }, 120_000);

  it('a violation fails even though an exemption covers the version', async () => {
    write(
      join(ws, 'supply-chain/audits.toml'),
      `${AUDITS}\n[[audits.leaf]]\ncriteria = "safe-to-run"\nviolation = "0.2.*"\nnotes = "Leaks the environment."\n`,
    );
    try {
      const r = await vet(ws, '--locked', '--output-format', 'json');
      expect(r.code).toBe(255);
      const out = JSON.parse(r.stdout) as { conclusion: string; violations: Record<string, unknown[]> };
      expect(out.conclusion).toBe('fail (violation)');
      expect(Object.keys(out.violations)).toEqual(['leaf:0.2.1']);
      expect(out.violations['leaf:0.2.1']).toEqual([
        {
          UnauditedConflict: {
            violation_source: null,
            violation: {
              criteria: 'safe-to-run',
              version: null,
              delta: null,
              violation: '0.2.*',
              importable: null,
              notes: 'Leaks the environment.',
            },
            exemptions: { version: '0.2.1', criteria: 'safe-to-run', notes: null },
          },
        },
      ]);
    } finally {
      write(join(ws, 'supply-chain/audits.toml'), AUDITS);
    }
  }, 120_000);

  it('unlocked, wildcard audits use publishers from a crates.io-shaped API (start <= when < end)', async () => {
    const wildcard = `\n[[wildcard-audits.leaf]]\ncriteria = "safe-to-run"\nuser-id = 42\nstart = "2024-01-01"\nend = "2025-01-01"\n`;
    write(join(ws, 'supply-chain/audits.toml'), `${AUDITS}${wildcard}`);
    const withoutExemption = config(`${baseUrl}/vet/audits.toml`).replace(
      /\[\[exemptions\.leaf\]\][^[]*$/,
      '',
    );
    write(join(ws, 'supply-chain/config.toml'), withoutExemption);
    try {
      leafVersion = {
        num: '0.2.1',
        created_at: '2024-12-31T23:59:59Z',
        published_by: { id: 42, login: 'leafdev', name: null },
      };
      const inside = await vet(ws, '--crates-api', baseUrl, '--output-format', 'json');
      expect(inside.code, inside.stderr).toBe(0);
      expect(JSON.parse(inside.stdout)).toMatchObject({ conclusion: 'success', vetted_with_exemptions: [] });
      leafVersion = {
        num: '0.2.1',
        created_at: '2025-01-01T00:00:00Z',
        published_by: { id: 42, login: 'leafdev', name: null },
      };
      const after = await vet(ws, '--crates-api', baseUrl, '--output-format', 'json');
      expect(after.code).toBe(255);
      expect(JSON.parse(after.stdout)).toMatchObject({
        failures: [{ name: 'leaf', version: '0.2.1', missing_criteria: ['safe-to-run'] }],
      });
    } finally {
      write(join(ws, 'supply-chain/audits.toml'), AUDITS);
      write(join(ws, 'supply-chain/config.toml'), config(`${baseUrl}/vet/audits.toml`));
    }
  }, 120_000);

  it('a broken store is an error naming the file and entry (exit 255)', async () => {
    write(
      join(ws, 'supply-chain/audits.toml'),
      `${AUDITS}\n[[audits.tiny]]\ncriteria = "safe-to-deploy"\nversion = "0.1"\n`,
    );
    try {
      const r = await vet(ws, '--locked');
      expect(r.code).toBe(255);
      expect(r.stderr).toContain("audits.toml: audits.tiny[0]: 'version' is not a valid version ('0.1')");
    } finally {
      write(join(ws, 'supply-chain/audits.toml'), AUDITS);
    }
  }, 120_000);
});
