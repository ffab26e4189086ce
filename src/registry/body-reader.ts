// Request bodies read as a stream with their limits applied while they arrive: a body is
// refused as soon as it passes its limit (or its declared length does, or an inspector sees
// lengths inside it that announce too much), and cut when it stalls, so a slow or oversized
// upload costs the server neither minutes nor its memory.
import type { Readable } from 'node:stream';
import { RegistryError, tooLarge } from './errors.js';

/** Looks at a body while it arrives; throws to refuse it. Returns the exact total when known. */
export type BodyInspector = (chunks: readonly Buffer[], received: number) => number | null | void;

/** Route config: an inspector that judges the body while it streams in (the publish body's lengths). */
export interface BodyRouteConfig {
  inspectBody?: () => BodyInspector;
}

export interface BodyReadOptions {
  limit: number;
  /** The declared Content-Length, when there is one. */
  declaredLength?: number | null;
  /** Longest pause between two chunks before the upload is cut. */
  idleMs: number;
  /** Longest time the whole body may take. */
  totalMs: number;
  inspect?: BodyInspector;
}

export const DEFAULT_BODY_TIMEOUTS = { idleMs: 10_000, totalMs: 120_000 };

const timedOut = (detail: string) => new RegistryError(408, detail);

export function readBody(stream: Readable, opts: BodyReadOptions): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    if (opts.declaredLength != null && opts.declaredLength > opts.limit) {
      reject(tooLarge('the request body is larger than this registry accepts'));
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    let idle: NodeJS.Timeout;
    const total = setTimeout(
      () => fail(timedOut(`the request body took longer than ${opts.totalMs / 1000} s; the upload was cut`)),
      opts.totalMs,
    );
    const armIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(
        () => fail(timedOut(`the request body stalled for ${opts.idleMs / 1000} s; the upload was cut`)),
        opts.idleMs,
      );
    };
    const cleanup = () => {
      settled = true;
      clearTimeout(idle);
      clearTimeout(total);
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
      chunks.length = 0;
    };
    // Stop reading and drop what was read; the reply closes the connection.
    const fail = (err: unknown) => {
      if (settled) return;
      cleanup();
      stream.pause();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      if (settled) return;
      received += chunk.length;
      if (received > opts.limit)
        return fail(tooLarge('the request body is larger than this registry accepts'));
      chunks.push(chunk);
      try {
        opts.inspect?.(chunks, received);
      } catch (err) {
        return fail(err);
      }
      armIdle();
    };
    const onEnd = () => {
      if (settled) return;
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received);
      cleanup();
      resolve(body);
    };
    const onError = (err: Error) => fail(err);
    const onClose = () => fail(new RegistryError(400, 'the request body ended early'));
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
    armIdle();
  });
}

/** The u32 LE at `offset` of the bytes in `chunks`, or null when not all of it has arrived. */
export function u32At(chunks: readonly Buffer[], received: number, offset: number): number | null {
  if (received < offset + 4) return null;
  const bytes = Buffer.alloc(4);
  let pos = 0;
  let filled = 0;
  for (const c of chunks) {
    const start = Math.max(offset - pos, 0);
    const end = Math.min(offset + 4 - pos, c.length);
    if (start < end) {
      c.copy(bytes, filled, start, end);
      filled += end - start;
      if (filled === 4) break;
    }
    pos += c.length;
  }
  return bytes.readUInt32LE(0);
}
