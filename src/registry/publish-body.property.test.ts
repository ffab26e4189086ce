// Property-based tests of the publish body (issue 15): what cargo sends parses back to what was
// put in; any bytes, truncated or mutated, are refused only with a RegistryError (400 or 413);
// and the streaming inspector never refuses a body the parser accepts, nor lets through one
// the parser would refuse for its lengths.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RegistryError } from './errors.js';
import { parsePublishBody, publishBodyInspector } from './publish-body.js';

const LIMITS = { maxMetadataBytes: 512, maxUploadBytes: 1024 };

function body(meta: Buffer, crate: Buffer, lengths?: { meta?: number; crate?: number }): Buffer {
  const a = Buffer.alloc(4);
  a.writeUInt32LE(lengths?.meta ?? meta.length);
  const b = Buffer.alloc(4);
  b.writeUInt32LE(lengths?.crate ?? crate.length);
  return Buffer.concat([a, meta, b, crate]);
}

const jsonValue = fc.jsonValue({ maxDepth: 3 });
const crateBytes = fc.uint8Array({ maxLength: 200 }).map((u) => Buffer.from(u));
const validBody = fc
  .tuple(jsonValue, crateBytes)
  .filter(([m]) => Buffer.byteLength(JSON.stringify(m)) <= LIMITS.maxMetadataBytes)
  .map(([m, c]) => ({ meta: m, crate: c, bytes: body(Buffer.from(JSON.stringify(m)), c) }));

/** The body with a few bytes replaced, removed or inserted, or cut short. */
const mutated = fc.oneof(
  fc
    .tuple(
      validBody,
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
    )
    .map(([b, edits]) => {
      const out = Buffer.from(b.bytes);
      for (const [at, v] of edits) out[at % out.length] = v;
      return out;
    }),
  fc.tuple(validBody, fc.nat()).map(([b, n]) => b.bytes.subarray(0, n % b.bytes.length)),
  fc.tuple(validBody, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([b, at, extra]) => {
    const i = at % (b.bytes.length + 1);
    return Buffer.concat([b.bytes.subarray(0, i), Buffer.from(extra), b.bytes.subarray(i)]);
  }),
  fc.uint8Array({ maxLength: 64 }).map((u) => Buffer.from(u)),
);

function outcome(bytes: Buffer): 'ok' | number {
  try {
    parsePublishBody(bytes, LIMITS);
    return 'ok';
  } catch (e) {
    expect(e).toBeInstanceOf(RegistryError);
    return (e as RegistryError).status;
  }
}

/** Feeds `bytes` to a fresh inspector in chunks cut at `cuts`; the error it throws, if any. */
function inspect(bytes: Buffer, cuts: number[]): { refused: RegistryError | null; expected: number | null } {
  const inspector = publishBodyInspector(LIMITS);
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  points.push(bytes.length);
  const chunks: Buffer[] = [];
  let at = 0;
  let expected: number | null = null;
  for (const p of points) {
    if (p <= at) continue;
    chunks.push(bytes.subarray(at, p));
    at = p;
    try {
      expected = inspector(chunks, at) ?? null;
    } catch (e) {
      expect(e).toBeInstanceOf(RegistryError);
      return { refused: e as RegistryError, expected };
    }
  }
  return { refused: null, expected };
}

describe('publish body (property)', () => {
  it('parses back the metadata and the .crate bytes that were put in', () => {
    fc.assert(
      fc.property(validBody, ({ meta, crate, bytes }) => {
        const parsed = parsePublishBody(bytes, LIMITS);
        expect(parsed.metadataJson).toEqual(JSON.parse(JSON.stringify(meta)));
        expect(Buffer.compare(parsed.crate, crate)).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses any other bytes only with a 400 or 413 RegistryError', () => {
    fc.assert(
      fc.property(mutated, (bytes) => {
        const r = outcome(bytes);
        if (r !== 'ok') expect([400, 413]).toContain(r);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses every strict prefix of a valid body', () => {
    fc.assert(
      fc.property(validBody, fc.nat(), ({ bytes }, n) => {
        expect(outcome(bytes.subarray(0, n % bytes.length))).not.toBe('ok');
      }),
      { numRuns: 200 },
    );
  });

  it('the streaming inspector agrees with the parser, however the body is chunked', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          validBody.map((b) => b.bytes),
          mutated,
        ),
        fc.array(fc.nat(), { maxLength: 6 }),
        (bytes, cuts) => {
          const parsed = outcome(bytes);
          const streamed = inspect(bytes, cuts);
          if (parsed === 'ok') {
            expect(streamed.refused).toBeNull();
            expect(streamed.expected).toBe(bytes.length);
          }
          // What the inspector refuses, the parser refuses too.
          if (streamed.refused) expect(parsed).not.toBe('ok');
          if (streamed.refused?.status === 413) expect(parsed === 413 || parsed === 400).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
