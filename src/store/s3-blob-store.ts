// Content-addressed `.crate` storage in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, R2),
// with the semantics blob-store.ts documents for the filesystem store:
// - `put` of a blob that exists refreshes its Last-Modified instead (a copy of the object onto
//   itself with new metadata), so the collector's grace period protects a publish reusing it;
// - `list` yields the blobs and the incomplete multipart uploads under the prefix (the S3 form
//   of a half-written temp file); objects that are not ours are left alone;
// - `reclaim` HEADs the object for its Last-Modified and ETag, asks whether it is still
//   unreferenced, then deletes conditionally on what HEAD returned (If-Match and
//   x-amz-if-match-last-modified-time) where the provider supports it. A provider that rejects
//   the conditions gets an unconditional delete from then on.
// Objects are the same key layout as the filesystem store (`ab/cd/<sha256>.crate` under the
// prefix), written with immutable caching headers so a CDN can serve them straight from the bucket.
import {
  AbortMultipartUploadCommand,
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import {
  BlobStoreUnavailableError,
  type BlobEntry,
  type BlobStore,
  type ReclaimOutcome,
} from './blob-store.js';

export interface S3Settings {
  bucket: string;
  region: string;
  /** A non-AWS endpoint (MinIO, RGW, R2, a test server); AWS when absent. */
  endpoint?: string;
  /** `http://host/bucket/key` rather than `http://bucket.host/key` (MinIO and most test servers). */
  forcePathStyle?: boolean;
  /** Key prefix inside the bucket, e.g. `crates/` (empty: the bucket root). */
  prefix?: string;
  /** Explicit credentials; otherwise the SDK's chain (AWS_ACCESS_KEY_ID…, profiles, instance roles). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Send conditional deletes (default true); a provider that refuses them falls back by itself. */
  conditionalDelete?: boolean;
}

/** Cache headers of a `.crate`: its key is its checksum, so its bytes never change. */
export const CRATE_CACHE_CONTROL = 'public, max-age=31536000, immutable';
const CRATE_CONTENT_TYPE = 'application/gzip';

const CHECKSUM = /^[0-9a-f]{64}$/;
const BLOB_KEY = /^[0-9a-f]{2}\/[0-9a-f]{2}\/([0-9a-f]{64})\.crate$/;
const UPLOAD_KEY = /^upload:([^:]+):(.*)$/s;

interface AwsError {
  name?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

function status(err: unknown): number | undefined {
  return (err as AwsError).$metadata?.httpStatusCode;
}

function isNotFound(err: unknown): boolean {
  const e = err as AwsError;
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.name === 'NoSuchUpload' || status(err) === 404;
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * Whether an S3 call failed because the endpoint is unreachable or failing (after the SDK's own
 * retries) rather than because of what was asked: connection errors, timeouts, 5xx.
 */
export function isS3Unavailable(err: unknown): boolean {
  const e = err as (AwsError & { code?: string; errors?: unknown[] }) | null;
  if (!e || typeof e !== 'object') return false;
  if (e.code && UNREACHABLE_CODES.has(e.code)) return true;
  // Node's connection attempts to several addresses fail as one AggregateError.
  if (Array.isArray(e.errors) && e.errors.some(isS3Unavailable)) return true;
  if (e.name === 'TimeoutError' || e.name === 'RequestTimeout') return true;
  const code = status(err);
  return code !== undefined && code >= 500 && code !== 501;
}

function isUnsupported(err: unknown): boolean {
  const e = err as AwsError;
  return (
    e.name === 'NotImplemented' ||
    e.Code === 'NotImplemented' ||
    status(err) === 501 ||
    e.name === 'InvalidArgument'
  );
}

export function s3ClientFor(settings: S3Settings): S3Client {
  const config: S3ClientConfig = {
    region: settings.region,
    forcePathStyle: settings.forcePathStyle ?? false,
    // Retries with backoff for throttling and 5xx, as the SDK does by default; said explicitly
    // because a publish waits on it.
    maxAttempts: 4,
  };
  if (settings.endpoint) config.endpoint = settings.endpoint;
  if (settings.credentials) config.credentials = settings.credentials;
  const client = new S3Client(config);
  // Outermost step, so it sees the error left after the SDK's retries.
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        throw isS3Unavailable(err) ? new BlobStoreUnavailableError(err) : err;
      }
    },
    { step: 'initialize', name: 'cratekeeperUnavailable' },
  );
  return client;
}

export class S3BlobStore implements BlobStore {
  private readonly prefix: string;
  private conditionalDelete: boolean;
  private uploadsListable = true;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    options: { prefix?: string; conditionalDelete?: boolean } = {},
  ) {
    this.prefix = options.prefix ?? '';
    this.conditionalDelete = options.conditionalDelete ?? true;
  }

  static fromSettings(settings: S3Settings): S3BlobStore {
    return new S3BlobStore(s3ClientFor(settings), settings.bucket, {
      ...(settings.prefix !== undefined ? { prefix: settings.prefix } : {}),
      ...(settings.conditionalDelete !== undefined ? { conditionalDelete: settings.conditionalDelete } : {}),
    });
  }

  private keyOf(checksum: string): string {
    if (!CHECKSUM.test(checksum)) throw new Error(`invalid checksum: ${checksum.slice(0, 80)}`);
    return `${this.prefix}${checksum.slice(0, 2)}/${checksum.slice(2, 4)}/${checksum}.crate`;
  }

  async put(checksum: string, bytes: Uint8Array): Promise<{ created: boolean }> {
    // Refresh rather than skip: the GC spares what was written within its grace period.
    if (await this.touch(checksum)) return { created: false };
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.keyOf(checksum),
        Body: bytes,
        ContentType: CRATE_CONTENT_TYPE,
        CacheControl: CRATE_CACHE_CONTROL,
        // The provider checks the bytes it received against the checksum they are named by.
        ChecksumSHA256: Buffer.from(checksum, 'hex').toString('base64'),
      }),
    );
    return { created: true };
  }

  async get(checksum: string): Promise<Buffer | null> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(checksum) }),
      );
      if (!out.Body) return null;
      return Buffer.from(await out.Body.transformToByteArray());
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async has(checksum: string): Promise<boolean> {
    return (await this.head(this.keyOf(checksum))) !== null;
  }

  async delete(checksum: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOf(checksum) }));
  }

  async touch(checksum: string): Promise<boolean> {
    const key = this.keyOf(checksum);
    try {
      // S3 refuses a copy onto itself that changes nothing: new metadata makes it a rewrite,
      // which sets a new Last-Modified. REPLACE drops the old headers, so they are given again.
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: key,
          CopySource: `${this.bucket}/${key.split('/').map(encodeURIComponent).join('/')}`,
          MetadataDirective: 'REPLACE',
          Metadata: { touched: new Date().toISOString() },
          ContentType: CRATE_CONTENT_TYPE,
          CacheControl: CRATE_CACHE_CONTROL,
        }),
      );
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async *list(): AsyncIterable<BlobEntry> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.prefix,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const o of page.Contents ?? []) {
        if (!o.Key?.startsWith(this.prefix)) continue;
        const m = BLOB_KEY.exec(o.Key.slice(this.prefix.length));
        if (!m) continue; // not ours: leave it alone
        yield { key: o.Key, checksum: m[1]!, size: o.Size ?? 0, mtime: o.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    yield* this.uploads();
  }

  /** Incomplete multipart uploads under the prefix: the S3 form of an interrupted write. */
  private async *uploads(): AsyncIterable<BlobEntry> {
    if (!this.uploadsListable) return;
    let keyMarker: string | undefined;
    let uploadMarker: string | undefined;
    for (;;) {
      let page;
      try {
        page = await this.client.send(
          new ListMultipartUploadsCommand({
            Bucket: this.bucket,
            Prefix: this.prefix,
            ...(keyMarker ? { KeyMarker: keyMarker } : {}),
            ...(uploadMarker ? { UploadIdMarker: uploadMarker } : {}),
          }),
        );
      } catch (err) {
        // Some S3-compatible servers (and test servers) have no multipart listing.
        if (isUnsupported(err)) {
          this.uploadsListable = false;
          return;
        }
        throw err;
      }
      for (const u of page.Uploads ?? []) {
        if (!u.Key || !u.UploadId) continue;
        const rest = u.Key.slice(this.prefix.length);
        if (!BLOB_KEY.test(rest)) continue;
        yield {
          key: `upload:${u.UploadId}:${u.Key}`,
          checksum: null,
          size: 0,
          mtime: u.Initiated ?? new Date(0),
        };
      }
      if (!page.IsTruncated) return;
      keyMarker = page.NextKeyMarker;
      uploadMarker = page.NextUploadIdMarker;
    }
  }

  private async head(key: string): Promise<{ lastModified: Date; etag: string | undefined } | null> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { lastModified: out.LastModified ?? new Date(0), etag: out.ETag };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async reclaim(
    entry: BlobEntry,
    check: { olderThan: Date; unreferenced: () => Promise<boolean> },
  ): Promise<ReclaimOutcome> {
    const upload = UPLOAD_KEY.exec(entry.key);
    if (upload) {
      if (entry.mtime >= check.olderThan) return 'fresh';
      try {
        await this.client.send(
          new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: upload[2]!, UploadId: upload[1]! }),
        );
      } catch (err) {
        if (isNotFound(err)) return 'missing';
        throw err;
      }
      return 'removed';
    }
    const head = await this.head(entry.key);
    if (!head) return 'missing';
    if (head.lastModified >= check.olderThan) return 'fresh';
    if (!(await check.unreferenced())) return 'referenced';
    return this.deleteIfUnchanged(entry.key, head);
  }

  /**
   * Deletes `key` only if it is still what HEAD saw. S3 answers a failed condition with 412:
   * the object was rewritten (refreshed by a publish) since, so it stays.
   */
  private async deleteIfUnchanged(
    key: string,
    head: { lastModified: Date; etag: string | undefined },
  ): Promise<ReclaimOutcome> {
    if (this.conditionalDelete) {
      try {
        await this.client.send(
          new DeleteObjectCommand({
            Bucket: this.bucket,
            Key: key,
            ...(head.etag ? { IfMatch: head.etag } : {}),
            IfMatchLastModifiedTime: head.lastModified,
          }),
        );
        return 'removed';
      } catch (err) {
        if (status(err) === 412) return 'fresh';
        if (!isUnsupported(err)) throw err;
        this.conditionalDelete = false; // this provider has no conditional delete
      }
    }
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    return 'removed';
  }
}
