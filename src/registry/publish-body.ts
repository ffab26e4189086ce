// The publish body: u32 LE length, JSON metadata, u32 LE length, `.crate` bytes
// (cargo's registry web-API docs). Every length is checked against what is actually
// there and against the limits before anything is read.
import { u32At, type BodyInspector } from './body-reader.js';
import { badRequest, tooLarge } from './errors.js';

export interface PublishBody {
  metadataJson: unknown;
  crate: Buffer;
}

export function parsePublishBody(
  body: Buffer,
  limits: { maxMetadataBytes: number; maxUploadBytes: number },
): PublishBody {
  if (body.length < 4) throw badRequest('invalid publish body: too short to hold the metadata length');
  const metaLen = body.readUInt32LE(0);
  if (metaLen > limits.maxMetadataBytes) {
    throw tooLarge(`publish metadata is ${metaLen} bytes, over the limit of ${limits.maxMetadataBytes}`);
  }
  if (4 + metaLen + 4 > body.length) {
    throw badRequest(
      `invalid publish body: metadata length ${metaLen} runs past the end of the body (${body.length} bytes)`,
    );
  }
  const metaBytes = body.subarray(4, 4 + metaLen);
  let metadataJson: unknown;
  try {
    metadataJson = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(metaBytes));
  } catch (err) {
    throw badRequest(`invalid publish metadata: not valid UTF-8 JSON (${(err as Error).message})`);
  }
  const crateLen = body.readUInt32LE(4 + metaLen);
  const crateStart = 8 + metaLen;
  if (crateLen > limits.maxUploadBytes) {
    throw tooLarge(
      `max upload size is: ${limits.maxUploadBytes} bytes, the .crate file is ${crateLen} bytes`,
    );
  }
  if (crateStart + crateLen > body.length) {
    throw badRequest(
      `invalid publish body: .crate length ${crateLen} runs past the end of the body (${body.length - crateStart} bytes left)`,
    );
  }
  if (crateStart + crateLen < body.length) {
    throw badRequest(
      `invalid publish body: ${body.length - crateStart - crateLen} unexpected bytes after the .crate file`,
    );
  }
  return { metadataJson, crate: body.subarray(crateStart, crateStart + crateLen) };
}

/**
 * Checks a publish body while it streams in: the two u32 lengths are judged as soon as they
 * arrive, and a body longer than they announce is refused at once, so nothing over the limits
 * is ever buffered. The messages match `parsePublishBody`'s.
 */
export function publishBodyInspector(limits: {
  maxMetadataBytes: number;
  maxUploadBytes: number;
}): BodyInspector {
  let metaLen: number | null = null;
  let expected: number | null = null;
  return (chunks, received) => {
    if (metaLen === null) {
      metaLen = u32At(chunks, received, 0);
      if (metaLen === null) return null;
      if (metaLen > limits.maxMetadataBytes) {
        throw tooLarge(`publish metadata is ${metaLen} bytes, over the limit of ${limits.maxMetadataBytes}`);
      }
    }
    if (expected === null) {
      const crateLen = u32At(chunks, received, 4 + metaLen);
      if (crateLen === null) return null;
      if (crateLen > limits.maxUploadBytes) {
        throw tooLarge(
          `max upload size is: ${limits.maxUploadBytes} bytes, the .crate file is ${crateLen} bytes`,
        );
      }
      expected = 8 + metaLen + crateLen;
    }
    if (received > expected) {
      throw badRequest(
        `invalid publish body: ${received - expected} unexpected bytes after the .crate file (the body is longer than its lengths announce)`,
      );
    }
    return expected;
  };
}
