// Raw HTTP over a socket, for requests fetch() cannot make: a body sent partially or slowly,
// header bytes Node's client refuses to send.
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  head: string;
  body: string;
  /** ms from the start until the response (or the close) arrived. */
  elapsedMs: number;
  /** The server closed the connection (after or without a response). */
  closed: boolean;
}

/**
 * Sends `head` (request line and headers, without the blank line) and `body`, then keeps the
 * socket open without sending more; resolves with the first response, or when the server
 * closes the connection, or after `timeoutMs` (status 0).
 */
export function rawRequest(
  url: string,
  head: string,
  body: Buffer = Buffer.alloc(0),
  timeoutMs = 5000,
): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  const start = Date.now();
  return new Promise((resolve) => {
    const socket: Socket = connect(Number(port), hostname);
    let data = '';
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const [h = '', ...rest] = data.split('\r\n\r\n');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(h);
      resolve({
        status: status ? Number(status[1]) : 0,
        head: h,
        body: rest.join('\r\n\r\n'),
        elapsedMs: Date.now() - start,
        closed,
      });
      socket.destroy();
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('connect', () => {
      socket.write(head.replace(/\r?\n/g, '\r\n').trimEnd() + '\r\n\r\n');
      if (body.length > 0) socket.write(body);
    });
    socket.on('data', (d: Buffer) => {
      data += d.toString('latin1');
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) return;
      const len = /content-length:\s*(\d+)/i.exec(data.slice(0, end));
      if (!len || data.length - end - 4 >= Number(len[1])) finish(false);
    });
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
  });
}
