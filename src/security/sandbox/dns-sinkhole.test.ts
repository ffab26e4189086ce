import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SINKHOLE_SCRIPT, readSinkholeLog } from './dns-sinkhole.js';

/** A DNS query for one name (RFC 1035 §4.1), recursion desired. */
function query(id: number, name: string, qtype: number): Buffer {
  const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  const header = Buffer.from([id >> 8, id & 255, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([header, ...labels, Buffer.from([0, qtype >> 8, qtype & 255, 0, 1])]);
}

async function freePort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function ask(port: number, packet: Buffer): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const timer = setTimeout(() => (s.close(), resolve(null)), 1000);
    s.on('message', (m) => (clearTimeout(timer), s.close(), resolve(m)));
    s.send(packet, port, '127.0.0.1');
  });
}

function askTcp(port: number, packet: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(packet.length);
      c.write(Buffer.concat([len, packet]));
    });
    let buf = Buffer.alloc(0);
    c.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        c.destroy();
        resolve(buf.subarray(2));
      }
    });
    c.on('error', reject);
  });
}

describe('the DNS sinkhole responder', () => {
  let dir: string;
  let port: number;
  let child: ChildProcess;
  let exit: Promise<number | null>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ck-sinkhole-'));
    await writeFile(join(dir, 'sinkhole.mjs'), SINKHOLE_SCRIPT);
    port = await freePort();
    // The command it runs stands in for the sandboxed build: it waits to be told to exit 3.
    child = spawn(
      process.execPath,
      [
        join(dir, 'sinkhole.mjs'),
        String(port),
        join(dir, 'log'),
        process.execPath,
        '-e',
        'process.stdin.on("data", () => process.exit(3))',
      ],
      { stdio: ['pipe', 'ignore', 'inherit'] },
    );
    exit = new Promise((r) => child.once('exit', (code) => r(code)));
    // Ready once it answers.
    for (let i = 0; i < 50 && !(await ask(port, query(1, 'ready.invalid', 16))); i++)
      await new Promise((r) => setTimeout(r, 100));
  });
  afterAll(async () => {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('answers an A query with a loopback address of its own per name, and logs it', async () => {
    const r = (await ask(port, query(0x1234, 'C2.example.invalid', 1)))!;
    expect(r.readUInt16BE(0)).toBe(0x1234);
    expect(r.readUInt16BE(2)).toBe(0x8180); // response, RD copied, RA, NOERROR
    expect([r.readUInt16BE(4), r.readUInt16BE(6)]).toEqual([1, 1]);
    const rdata = r.subarray(r.length - 4);
    expect([...rdata]).toEqual([127, 53, 0, 1]);
    expect(r.readUInt16BE(r.length - 6)).toBe(4); // RDLENGTH
    const again = (await ask(port, query(7, 'c2.example.invalid', 1)))!;
    expect([...again.subarray(again.length - 4)]).toEqual([127, 53, 0, 1]);
    const other = (await ask(port, query(8, 'exfil.example.invalid', 1)))!;
    expect([...other.subarray(other.length - 4)]).toEqual([127, 53, 0, 2]);
    const log = readSinkholeLog(await readFile(join(dir, 'log'), 'utf8'));
    expect([...log]).toEqual([
      ['127.53.0.1', 'c2.example.invalid'],
      ['127.53.0.2', 'exfil.example.invalid'],
    ]);
  });

  it('answers AAAA with NOERROR and no records, so clients fall back to A', async () => {
    const r = (await ask(port, query(9, 'c2.example.invalid', 28)))!;
    expect(r.readUInt16BE(2) & 0x800f).toBe(0x8000);
    expect(r.readUInt16BE(6)).toBe(0);
    expect(r.length).toBe(query(9, 'c2.example.invalid', 28).length);
  });

  it('answers over TCP too', async () => {
    const r = await askTcp(port, query(10, 'tcp.example.invalid', 1));
    expect(r.readUInt16BE(0)).toBe(10);
    expect([...r.subarray(r.length - 4)]).toEqual([127, 53, 0, 3]);
  });

  it('does not answer what is not a plain query, nor names that could forge log lines', async () => {
    const response = query(11, 'x.invalid', 1);
    response[2] = 0x81;
    expect(await ask(port, response)).toBeNull();
    expect(await ask(port, query(12, 'a\n127.53.9.9 forged.invalid', 1))).toBeNull();
  });

  it('runs the command and exits with its status', async () => {
    child.stdin!.write('x');
    expect(await exit).toBe(3);
  });
});
