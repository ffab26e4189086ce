// The sandbox's DNS sinkhole: a small recording responder that runs inside the sandbox's network
// namespace on 127.0.0.1:53 (UDP and TCP), outside strace, so its own activity is never the
// crate's. Every A query is answered with an address of its own in 127.53.0.0/16 (loopback, so
// nothing leaves; one address per name, so a later connect names the host it was for), every
// other query with NOERROR and no answer (AAAA: clients fall back to A). It writes
// `address name` lines to a log the trace interpreter reads; the names themselves stay recorded
// from the traced query packets (dns-query.ts), so nothing is reported twice.
//
// It is also the sandbox's first process: it binds the port (the one thing that needs
// CAP_NET_BIND_SERVICE), then runs the given command and exits with its status. Node 20 cannot
// run TypeScript, and the program must run from the source tree under Vitest as well as from
// dist/, so it is kept here as plain JavaScript text and tested by running it.

/** The sinkhole's addresses: the n-th name looked up gets 127.53.(n >> 8).(n & 255). */
export const SINKHOLE_PREFIX = '127.53.';

/** `node sinkhole.mjs PORT LOG COMMAND...` */
export const SINKHOLE_SCRIPT = String.raw`
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { appendFileSync } from 'node:fs';
import net from 'node:net';
import { constants } from 'node:os';

const [port, log, ...command] = process.argv.slice(2);
const addresses = new Map();

function addressFor(name) {
  let a = addresses.get(name);
  if (a === undefined && addresses.size < 65534) {
    const n = addresses.size + 1;
    a = [127, 53, n >> 8, n & 255];
    addresses.set(name, a);
    try { appendFileSync(log, a.join('.') + ' ' + name + '\n'); } catch {}
  }
  return a;
}

// RFC 1035 §4.1: a standard query with one question; anything else gets no reply.
function answer(q) {
  if (q.length < 17 || (q.readUInt16BE(2) & 0xf800) !== 0 || q.readUInt16BE(4) !== 1) return null;
  const labels = [];
  let i = 12;
  for (;;) {
    const len = q[i];
    if (len === undefined || len > 63) return null;
    if (len === 0) break;
    const label = q.subarray(i + 1, i + 1 + len).toString('latin1');
    if (!/^[A-Za-z0-9_-]+$/.test(label)) return null;
    labels.push(label);
    i += 1 + len;
  }
  if (i + 5 > q.length) return null;
  const qtype = q.readUInt16BE(i + 1);
  const qclass = q.readUInt16BE(i + 3);
  const question = q.subarray(12, i + 5);
  const a = qtype === 1 && qclass === 1 ? addressFor(labels.join('.').toLowerCase()) : undefined;
  const header = Buffer.alloc(12);
  header.writeUInt16BE(q.readUInt16BE(0), 0);
  header.writeUInt16BE(0x8080 | (q.readUInt16BE(2) & 0x0100), 2); // QR, RA, the query's RD
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(a ? 1 : 0, 6);
  if (!a) return Buffer.concat([header, question]);
  const rr = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, ...a]);
  return Buffer.concat([header, question, rr]);
}

const udp = dgram.createSocket('udp4');
// Whatever the crate sends, the sinkhole must not fall over: it is the sandbox's first process.
const safe = (q) => { try { return answer(q); } catch { return null; } };
udp.on('message', (msg, from) => {
  const r = safe(msg);
  if (r) udp.send(r, from.port, from.address, () => {});
});
const tcp = net.createServer((c) => {
  let buf = Buffer.alloc(0);
  c.on('error', () => {});
  c.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
      const r = safe(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      buf = buf.subarray(2 + buf.readUInt16BE(0));
      if (!r) return c.destroy();
      const len = Buffer.alloc(2);
      len.writeUInt16BE(r.length);
      c.write(Buffer.concat([len, r]));
    }
  });
});

function bind(what, listen) {
  return new Promise((resolve) => {
    what.once('error', (e) => {
      process.stderr.write('cratekeeper DNS sinkhole: ' + e.message + '\n');
      resolve();
    });
    listen(resolve);
  });
}

await bind(udp, (ok) => udp.bind(Number(port), '127.0.0.1', ok));
await bind(tcp, (ok) => tcp.listen(Number(port), '127.0.0.1', ok));
udp.on('error', () => {});
tcp.on('error', () => {});
const child = spawn(command[0], command.slice(1), { stdio: 'inherit' });
child.on('error', (e) => {
  process.stderr.write('cratekeeper DNS sinkhole: ' + e.message + '\n');
  process.exit(127);
});
child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
`;

/** The sinkhole's log as address → name. */
export function readSinkholeLog(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(127\.53\.\d{1,3}\.\d{1,3}) ([a-z0-9_.-]{1,253})$/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}
