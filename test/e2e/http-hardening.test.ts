// The HTTP edge: tokens checked before any body is read, bodies streamed with their limits and
// cut when they stall, hostile URL bytes answered with a 400 in cargo's shape, 5xx logged with a
// request id, and two publish/search round trips that used to lose data.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCrateArchive } from '../../src/formats/crate-archive.js';
import { buildServer } from '../../src/registry/server.js';
import { manifestToml, metadataFor, publishBody } from '../support/publish-body.js';
import { rawRequest } from '../support/raw-http.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';

const MiB = 1024 * 1024;

describe('HTTP edge', () => {
  let h: Harness;
  let token: string;

  beforeAll(async () => {
    h = await startRegistry();
    token = await h.token('edge');
  });
  afterAll(async () => {
    await h?.close();
  });

  const host = () => new URL(h.url).host;
  const putHead = (path: string, length: number, auth?: string) =>
    `PUT ${path} HTTP/1.1\nHost: ${host()}\nContent-Length: ${length}\n${auth ? `Authorization: ${auth}\n` : ''}`;

  it('refuses an anonymous publish from its headers, without waiting for the body', async () => {
    const res = await rawRequest(h.url, putHead('/api/v1/crates/new', 10 * MiB), Buffer.alloc(1024), 3000);
    expect(res.status).toBe(401);
    expect(res.elapsedMs).toBeLessThan(2000);
    expect(JSON.parse(res.body).errors[0].detail).toMatch(/requires authentication/);
    const bad = await rawRequest(h.url, putHead('/api/v1/crates/new', 10 * MiB, 'nope'), Buffer.alloc(1024));
    expect(bad.status).toBe(403);
  });

  it('refuses an anonymous owner change from its headers, without waiting for the body', async () => {
    const res = await rawRequest(
      h.url,
      putHead('/api/v1/crates/some-crate/owners', 512 * 1024),
      Buffer.alloc(10),
    );
    expect(res.status).toBe(401);
    expect(res.elapsedMs).toBeLessThan(2000);
  });

  it('refuses announced lengths over the limits before the rest of the body arrives', async () => {
    const head = Buffer.alloc(4);
    head.writeUInt32LE(64 * MiB);
    const meta = await rawRequest(h.url, putHead('/api/v1/crates/new', 10 * MiB, token), head, 3000);
    expect(meta.status).toBe(413);
    expect(JSON.parse(meta.body).errors[0].detail).toMatch(/publish metadata is \d+ bytes, over the limit/);

    const json = Buffer.from(JSON.stringify(metadataFor('big', '1.0.0')));
    const lens = Buffer.alloc(8);
    lens.writeUInt32LE(json.length, 0);
    const crateLen = Buffer.alloc(4);
    crateLen.writeUInt32LE(200 * MiB);
    const crate = await rawRequest(
      h.url,
      putHead('/api/v1/crates/new', 10 * MiB, token),
      Buffer.concat([lens.subarray(0, 4), json, crateLen, Buffer.alloc(100)]),
      3000,
    );
    expect(crate.status).toBe(413);
    expect(JSON.parse(crate.body).errors[0].detail).toMatch(/max upload size/);

    const declared = await rawRequest(
      h.url,
      putHead('/api/v1/crates/new', 500 * MiB, token),
      Buffer.alloc(10),
    );
    expect(declared.status).toBe(413);
  });

  it('cuts a publish body that stalls, within seconds', async () => {
    const start = Buffer.alloc(100);
    start.writeUInt32LE(1000); // plausible lengths: the body just stops coming
    const res = await rawRequest(h.url, putHead('/api/v1/crates/new', MiB, token), start, 20_000);
    expect(res.status === 408 || res.closed, JSON.stringify(res)).toBe(true);
    expect(res.elapsedMs).toBeLessThan(15_000);
  }, 25_000);

  it('answers NUL bytes and malformed percent-encoding with a 400 in cargo shape', async () => {
    for (const path of [
      '/api/v1/crates?q=%00',
      '/api/v1/crates?q=a%zz',
      '/api/v1/crates/a%00b/1.0.0/download',
      '/api/v1/crates/a%zzb/owners',
      '/index/3/a/a%00',
      '/index/3/a/a%zz',
    ]) {
      const res = await fetch(h.url + path);
      expect(res.status, path).toBe(400);
      const body = (await res.json()) as { errors: { detail: string }[] };
      expect(body.errors[0]!.detail, path).toMatch(/NUL|percent-encoding/);
    }
    const header = await rawRequest(
      h.url,
      `GET /api/v1/crates HTTP/1.1\nHost: ${host()}\nAuthorization: a\0b`,
    );
    expect(header.status).toBe(400);
    expect(JSON.parse(header.body).errors[0].detail).toMatch(/malformed request/);
  });

  it('logs every 5xx with a request id, also without the request logger, and names the id', async () => {
    let log = '';
    const logStream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        log += chunk.toString();
        cb();
      },
    });
    const app = buildServer(h.services, { logStream });
    app.get('/boom', async () => {
      throw new Error('kaboom');
    });
    const res = await app.inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(500);
    const detail = (res.json() as { errors: { detail: string }[] }).errors[0]!.detail;
    const id = /request id (req-[\w-]+)/.exec(detail)?.[1];
    expect(id).toBeDefined();
    expect(log).toContain(id);
    expect(log).toContain('kaboom');
    await app.close();
  });

  it('keeps a feature named __proto__ through publish into the index line', async () => {
    const features = JSON.parse('{"__proto__":[],"default":["__proto__"]}') as Record<string, string[]>;
    const crate = await writeCrateArchive('proto-feat-1.0.0', [
      {
        path: 'Cargo.toml',
        data:
          manifestToml('proto-feat', '1.0.0') + '\n[features]\n"__proto__" = []\ndefault = ["__proto__"]\n',
      },
    ]);
    const res = await fetch(`${h.url}/api/v1/crates/new`, {
      method: 'PUT',
      headers: { authorization: token },
      body: publishBody(metadataFor('proto-feat', '1.0.0', { features }), crate),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const line = await (await fetch(`${h.url}/index/pr/ot/proto-feat`)).text();
    expect(line).toContain('"features":{"__proto__":[],"default":["__proto__"]}');
  });

  it('lists crates for an empty search', async () => {
    const res = await fetch(`${h.url}/api/v1/crates?q=`);
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as { crates: { name: string }[]; meta: { total: number } };
    expect(body.meta.total).toBeGreaterThan(0);
    expect(body.crates.map((c) => c.name)).toContain('proto-feat');
  });
});
