// Anonymous publish bodies must not be buffered: 100 half-sent 10 MiB uploads against a real
// `cratekeeper serve` child process keep its resident memory growth under 100 MB.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, repoRoot, stop, waitForHttp } from '../../bench/_lib.js';
import { CLI_ARGV } from '../support/cli-process.js';

const MiB = 1024 * 1024;

async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

/** Sends the headers of a 10 MiB publish and up to `sendBytes` of it, slowly, then leaves it open. */
function halfSentPublish(port: number, sendBytes: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunk = Buffer.alloc(256 * 1024, 1);
    let sent = 0;
    let finished = false;
    const done = () => {
      if (finished) return;
      finished = true;
      resolve();
    };
    const pump = () => {
      if (socket.destroyed || sent >= sendBytes) return done();
      sent += chunk.length;
      socket.write(chunk, () => setTimeout(pump, 5));
    };
    socket.on('connect', () => {
      socket.write(
        `PUT /api/v1/crates/new HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${10 * MiB}\r\n\r\n`,
      );
      pump();
    });
    socket.on('error', done);
    socket.on('close', done);
    // Whatever the server did, the socket stays open for a while, then goes.
    setTimeout(() => {
      socket.destroy();
      done();
    }, 8000).unref();
  });
}

describe('anonymous publish bodies', () => {
  let dir: string;
  let server: ChildProcess;
  let port: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ck-mem-'));
    port = await freePort();
    server = spawn(
      process.execPath,
      [...CLI_ARGV, 'serve', '--data', join(dir, 'data'), '--port', String(port), '--no-worker'],
      { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    await waitForHttp(`http://127.0.0.1:${port}/index/config.json`);
  }, 60_000);
  afterAll(async () => {
    if (server) await stop(server);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('100 half-sent anonymous 10 MiB bodies keep the server under 100 MB of growth', async () => {
    // Warm up the paths involved so that lazy initialisation does not count as growth.
    for (let i = 0; i < 3; i++)
      await fetch(`http://127.0.0.1:${port}/api/v1/crates/new`, { method: 'PUT', body: 'x' });
    const before = await rssBytes(server.pid!);
    let peak = before;
    const sampler = setInterval(() => {
      void rssBytes(server.pid!).then((r) => (peak = Math.max(peak, r)));
    }, 50);
    await Promise.all(Array.from({ length: 100 }, () => halfSentPublish(port, 6 * MiB)));
    await new Promise((r) => setTimeout(r, 300));
    clearInterval(sampler);
    peak = Math.max(peak, await rssBytes(server.pid!));
    const growthMb = (peak - before) / MiB;
    expect(growthMb, `RSS grew by ${growthMb.toFixed(0)} MB`).toBeLessThan(100);
    // Still serving.
    expect((await fetch(`http://127.0.0.1:${port}/index/config.json`)).status).toBe(200);
  }, 60_000);
});
