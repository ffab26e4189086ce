// The static index in an S3-compatible bucket (see static-index.ts). A module of its own so that
// only registries configured for S3 load the AWS SDK (over a second of start-up otherwise).
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { StaticFileHeaders, StaticFileTarget } from './static-index.js';

export class S3StaticTarget implements StaticFileTarget {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
  ) {}

  async put(key: string, body: Buffer, headers: StaticFileHeaders): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: `${this.prefix}${key}`,
        Body: body,
        ContentType: headers.contentType,
        CacheControl: headers.cacheControl,
      }),
    );
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: `${this.prefix}${key}` }));
  }

  describe(): string {
    return `s3://${this.bucket}/${this.prefix}`;
  }
}
