// Memory a hostile publish can make the server spend is bounded: four concurrent publishes of
// a 0.5 MB crate that unpacks to ~480 MiB, with quarantine on (so each is scanned inline),
// raise the server's peak RSS by far less than one unpacked copy. (Anonymous uploads:
// anonymous-upload-memory.test.ts.)
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCrateArchive } from '../../src/formats/crate-archive.js';
import { defaultRegistryConfig } from '../../src/registry/config.js';
import { openRegistry } from '../../src/registry/services.js';
import { bigCrate } from '../fixtures/scanner/big-crate.js';
import { startServe } from '../support/cli-process.js';
import { manifestToml, metadataFor, publishBody } from '../support/publish-body.js';

const MiB = 1024 * 1024;

/** Peak resident memory of a process so far (VmHWM), in bytes. */
async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /VmHWM:\s+(\d+) kB/.exec(status);
  return Number(kb![1]) * 1024;
}

describe('memory under hostile publishes', () => {
  let dir: string;
  let child: ChildProcess;
  let url: string;
  let token: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ck-mem-'));
    const data = join(dir, 'data');
    const services = await openRegistry({ dataDir: data, config: defaultRegistryConfig() });
    const user = await services.users.create({ login: 'big' });
    token = (await services.tokens.create({ userId: user.id, name: 'big', scopes: ['publish-new'] })).token;
    await services.close();
    const config = join(dir, 'cratekeeper.toml');
    await writeFile(config, '[security]\nquarantine = "high"\n');
    ({ child, url } = await startServe(['--data', data, '--config', config]));
  }, 60_000);
  afterAll(async () => {
    child?.kill('SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const put = (body: Buffer, auth = token) =>
    fetch(`${url}/api/v1/crates/new`, { method: 'PUT', headers: { authorization: auth }, body });

  it('scans four concurrent 480 MiB-unpacked crates with bounded memory', { timeout: 240_000 }, async () => {
    // Warm up: the scan threads start on the first inline scan.
    const small = await writeCrateArchive('warm-0.1.0', [
      { path: 'Cargo.toml', data: manifestToml('warm', '0.1.0') },
      { path: 'src/lib.rs', data: 'pub fn f() {}\n' },
    ]);
    expect((await put(publishBody(metadataFor('warm', '0.1.0'), small))).status).toBe(200);
    const before = await peakRss(child.pid!);

    const bodies = await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const name = `inflate-${i}`;
        const crate = await bigCrate(
          `${name}-1.0.0`,
          { 'Cargo.toml': manifestToml(name, '1.0.0'), 'src/lib.rs': 'mod huge;\n' },
          [
            { path: 'src/huge.rs', size: 200 * MiB, fill: '// comment that repeats\n' },
            { path: 'assets/blob.bin', size: 280 * MiB, fill: Buffer.alloc(4096) },
          ],
        );
        expect(crate.length).toBeLessThan(2 * MiB);
        return publishBody(metadataFor(name, '1.0.0'), crate);
      }),
    );
    const results = await Promise.all(bodies.map((b) => put(b)));
    const texts = await Promise.all(results.map((r) => r.text()));
    expect(
      results.map((r) => r.status),
      texts.join('\n'),
    ).toEqual([200, 200, 200, 200]);
    const growth = (await peakRss(child.pid!)) - before;
    // One unpacked copy is 480 MiB; four used to cost ~2 GB.
    expect(growth).toBeLessThan(400 * MiB);
  });
});
