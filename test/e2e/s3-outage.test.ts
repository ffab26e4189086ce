// The S3 blob store down for a while (a real S3-protocol server stopped, then started again on
// the same port): publishes and downloads are answered 503 with Retry-After, which cargo and load
// balancers retry, and a refused publish leaves nothing behind; once the store is back, the same
// publish succeeds and every file is served. A scan job that meets the outage runs again later.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStoreUnavailableError } from '../../src/store/blob-store.js';
import { isS3Unavailable } from '../../src/store/s3-blob-store.js';
import { publishMinimal } from '../support/publish-body.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';
import { startS3, type TestS3 } from '../support/s3-server.js';

describe('an S3 outage', () => {
  let s3: TestS3;
  let h: Harness;
  let token: string;

  beforeAll(async () => {
    s3 = await startS3();
    h = await startRegistry({ blobs: s3.store('crates/') });
    token = await h.token('alice');
  }, 60_000);

  afterAll(async () => {
    await h.close();
    await s3.close();
  });

  it('is answered 503 with Retry-After, leaves no version behind, and ends when the store is back', async () => {
    expect((await publishMinimal(h.url, token, 'outage-a', '1.0.0')).status).toBe(200);
    await h.worker.drain();

    await s3.stop();
    try {
      const refused = await publishMinimal(h.url, token, 'outage-b', '1.0.0');
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      const body = (await refused.json()) as { errors: { detail: string }[] };
      expect(body.errors[0]!.detail).toMatch(/file store is unavailable/);
      expect(await h.services.crates.findByName('outage-b')).toBeUndefined();

      const download = await fetch(`${h.url}/api/v1/crates/outage-a/1.0.0/download`);
      // Never downloaded before, so not in the in-memory cache: a retryable 503, not a 404.
      expect(download.status).toBe(503);
      expect(download.headers.get('retry-after')).toBe('1');
      const index = await fetch(`${h.url}/index/ou/ta/outage-a`);
      expect(index.status).toBe(200); // the index lives in the database, not the blob store
    } finally {
      await s3.restart();
    }

    const again = await publishMinimal(h.url, token, 'outage-b', '1.0.0');
    expect(again.status).toBe(200);
    const file = await fetch(`${h.url}/api/v1/crates/outage-b/1.0.0/download`);
    expect(file.status).toBe(200);
  }, 60_000);

  it('tells an unreachable endpoint from a refused request', () => {
    expect(isS3Unavailable({ code: 'ECONNREFUSED' })).toBe(true);
    expect(isS3Unavailable({ errors: [{ code: 'ECONNREFUSED' }] })).toBe(true);
    expect(isS3Unavailable({ name: 'InternalError', $metadata: { httpStatusCode: 500 } })).toBe(true);
    expect(isS3Unavailable({ name: 'SlowDown', $metadata: { httpStatusCode: 503 } })).toBe(true);
    expect(isS3Unavailable({ name: 'NotImplemented', $metadata: { httpStatusCode: 501 } })).toBe(false);
    expect(isS3Unavailable({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })).toBe(false);
    expect(isS3Unavailable({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } })).toBe(false);
    expect(new BlobStoreUnavailableError(new Error('connect ECONNREFUSED')).code).toBe(
      'BLOB_STORE_UNAVAILABLE',
    );
  });

  it('makes a store call fail as unavailable, not as a missing blob', async () => {
    const store = s3.store('crates/');
    await s3.stop();
    try {
      await expect(store.get('a'.repeat(64))).rejects.toBeInstanceOf(BlobStoreUnavailableError);
      await expect(store.has('a'.repeat(64))).rejects.toBeInstanceOf(BlobStoreUnavailableError);
    } finally {
      await s3.restart();
    }
    expect(await store.get('a'.repeat(64))).toBeNull();
  }, 60_000);
});
