// The publish body: u32 LE length, JSON metadata, u32 LE length, `.crate` bytes
// (cargo's registry web-API docs). Every length is checked against what is actually
// there and against the limits before anything is read.
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
