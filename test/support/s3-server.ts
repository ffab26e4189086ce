// A real S3-protocol server for tests: s3rver on a random loopback port with its files in a
// temp directory. The registry talks to it with the real AWS SDK, signatures and all; nothing
// of the client is mocked.
//
// One deviation of s3rver from S3 is corrected here: a copy of an object onto itself (how the
// S3 store refreshes a blob) keeps s3rver's file mtime, which it reports as Last-Modified,
// where S3 sets a new Last-Modified. Tests of the collector's grace period depend on S3's
// behaviour, so the test server follows it.
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { S3BlobStore, type S3Settings } from '../../src/store/s3-blob-store.js';

/** s3rver's fixed credentials: it checks request signatures against them. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface TestS3 {
  endpoint: string;
  bucket: string;
  dir: string;
  settings(prefix?: string): S3Settings;
  store(prefix?: string): S3BlobStore;
  /** Sets an object's Last-Modified `ms` in the past (s3rver reports its file's mtime). */
  age(key: string, ms: number): Promise<void>;
  /** Stops answering (connections refused), keeping the objects, as an outage would. */
  stop(): Promise<void>;
  /** Serves again on the same port with the same objects. */
  restart(): Promise<void>;
  /** The `[storage]` table of a config file pointing at this server. */
  configToml(prefix?: string): string;
  close(): Promise<void>;
}

/** s3rver with S3's Last-Modified behaviour on a self-copy (see above). */
function s3rverOn(dir: string, bucket: string, port: number): S3rver {
  const server = new S3rver({
    address: '127.0.0.1',
    port,
    silent: true,
    directory: dir,
    configureBuckets: [{ name: bucket }],
  });
  const fsStore = server.store;
  const copy = fsStore.copyObject.bind(fsStore);
  fsStore.copyObject = async (srcBucket, srcKey, destBucket, destKey, metadata) => {
    const result = await copy(srcBucket, srcKey, destBucket, destKey, metadata);
    if (srcBucket === destBucket && srcKey === destKey) {
      const now = new Date();
      await utimes(fsStore.getResourcePath(destBucket, destKey, 'object'), now, now);
      return copy(srcBucket, srcKey, destBucket, destKey, metadata); // re-read with the new time
    }
    return result;
  };
  return server;
}

export async function startS3(bucket = 'crates'): Promise<TestS3> {
  const dir = await mkdtemp(join(tmpdir(), 'ck-s3-'));
  let server: S3rver | null = s3rverOn(dir, bucket, 0);
  const fsStore = server.store;
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const settings = (prefix = ''): S3Settings => ({
    bucket,
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    prefix,
    credentials: S3RVER_CREDENTIALS,
  });
  return {
    endpoint,
    bucket,
    dir,
    settings,
    store: (prefix = '') => S3BlobStore.fromSettings(settings(prefix)),
    async age(key, ms) {
      const t = new Date(Date.now() - ms);
      await utimes(fsStore.getResourcePath(bucket, key, 'object'), t, t);
    },
    configToml: (prefix = '') =>
      [
        '[storage]',
        'kind = "s3"',
        `bucket = "${bucket}"`,
        'region = "us-east-1"',
        `endpoint = "${endpoint}"`,
        'force_path_style = true',
        `prefix = "${prefix}"`,
        `access_key_id = "${S3RVER_CREDENTIALS.accessKeyId}"`,
        `secret_access_key = "${S3RVER_CREDENTIALS.secretAccessKey}"`,
        '',
      ].join('\n'),
    async stop() {
      const s = server;
      server = null;
      if (!s) return;
      // As a crash would: connections in use are cut too, not waited for.
      const closing = s.close();
      (s as unknown as { httpServer?: Server }).httpServer?.closeAllConnections();
      await closing;
    },
    async restart() {
      if (server) return;
      server = s3rverOn(dir, bucket, port);
      await server.run();
    },
    async close() {
      await server?.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
