// `[storage]`: where `.crate` blobs live (the data directory by default, or an S3-compatible
// bucket), and `[storage.index]`: the optional static copy of the sparse index.
//
// Credentials: `access_key_id` / `secret_access_key` in the file, else CRATEKEEPER_S3_ACCESS_KEY_ID
// / CRATEKEEPER_S3_SECRET_ACCESS_KEY, else the AWS SDK's own chain (AWS_ACCESS_KEY_ID, profiles,
// instance roles). They are handed to the SDK and never printed; `describeStorage` names only
// the bucket and endpoint.
import { join, resolve } from 'node:path';
import { FsBlobStore, type BlobStore } from '../store/blob-store.js';
// The S3 modules are imported only when configured: the AWS SDK costs over a second to load.
import type { S3Settings } from '../store/s3-blob-store.js';
import {
  DEFAULT_INDEX_MAX_AGE_SECONDS,
  FsStaticTarget,
  type StaticFileTarget,
} from '../registry/static-index.js';
import { checkConfigKeys, tableSchema } from './config-schema.js';
import { section, type ConfigTable } from './config-file.js';

export type StorageConfig = { kind: 'fs'; dir: string | null } | { kind: 's3'; s3: S3Settings };

export interface StaticIndexConfig {
  target: StaticFileTarget;
  maxAgeSeconds: number;
}

function str(table: ConfigTable, key: string, where: string): string | undefined {
  const v = table[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw new Error(`[${where}] ${key} must be a non-empty string`);
  return v;
}

function bool(table: ConfigTable, key: string, where: string): boolean | undefined {
  const v = table[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new Error(`[${where}] ${key} must be true or false`);
  return v;
}

function prefixOf(table: ConfigTable, where: string, fallback: string): string {
  const p = table.prefix ?? fallback;
  if (typeof p !== 'string' || p.startsWith('/') || (p !== '' && !p.endsWith('/')) || p.includes('..'))
    throw new Error(`[${where}] prefix must be empty or a relative path ending in "/", such as "crates/"`);
  return p;
}

function s3SettingsFrom(
  table: ConfigTable,
  where: string,
  env: NodeJS.ProcessEnv,
  inherit?: S3Settings,
): S3Settings {
  const bucket = str(table, 'bucket', where) ?? inherit?.bucket;
  if (!bucket) throw new Error(`[${where}] kind = "s3" needs a bucket`);
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
    throw new Error(`[${where}] bucket ${JSON.stringify(bucket)} is not a valid bucket name`);
  const endpoint = str(table, 'endpoint', where) ?? inherit?.endpoint;
  if (endpoint !== undefined && !/^https?:\/\/[^/\s]+\/?$/.test(endpoint))
    throw new Error(
      `[${where}] endpoint must be an http(s) URL with no path, such as "https://s3.example:9000"`,
    );
  const accessKeyId =
    str(table, 'access_key_id', where) ??
    env.CRATEKEEPER_S3_ACCESS_KEY_ID ??
    inherit?.credentials?.accessKeyId;
  const secretAccessKey =
    str(table, 'secret_access_key', where) ??
    env.CRATEKEEPER_S3_SECRET_ACCESS_KEY ??
    inherit?.credentials?.secretAccessKey;
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined))
    throw new Error(
      `[${where}] access_key_id and secret_access_key go together (or neither, for the AWS SDK's chain)`,
    );
  const forcePathStyle = bool(table, 'force_path_style', where) ?? inherit?.forcePathStyle;
  const conditionalDelete = bool(table, 'conditional_delete', where) ?? inherit?.conditionalDelete;
  return {
    bucket,
    region: str(table, 'region', where) ?? inherit?.region ?? env.AWS_REGION ?? 'us-east-1',
    ...(endpoint !== undefined ? { endpoint: endpoint.replace(/\/$/, '') } : {}),
    ...(forcePathStyle !== undefined ? { forcePathStyle } : {}),
    ...(conditionalDelete !== undefined ? { conditionalDelete } : {}),
    prefix: prefixOf(table, where, where === 'storage' ? '' : 'index/'),
    ...(accessKeyId !== undefined && secretAccessKey !== undefined
      ? { credentials: { accessKeyId, secretAccessKey } }
      : {}),
  };
}

/** `[storage]` of the config file (the filesystem store in the data directory when absent). */
export function storageConfigFrom(table: ConfigTable, env: NodeJS.ProcessEnv = process.env): StorageConfig {
  const storage = section(table, 'storage');
  checkConfigKeys('[storage]', storage, tableSchema('storage'));
  const kind = storage.kind ?? 'fs';
  if (kind === 'fs') {
    for (const key of ['bucket', 'endpoint', 'region', 'access_key_id', 'secret_access_key'])
      if (storage[key] !== undefined) throw new Error(`[storage] ${key} is for kind = "s3"`);
    const dir = str(storage, 'dir', 'storage');
    return { kind: 'fs', dir: dir ?? null };
  }
  if (kind !== 's3') throw new Error(`[storage] kind must be "fs" or "s3", not ${JSON.stringify(kind)}`);
  if (storage.dir !== undefined) throw new Error('[storage] dir is for kind = "fs"');
  return { kind: 's3', s3: s3SettingsFrom(storage, 'storage', env) };
}

export async function openBlobStore(config: StorageConfig, dataDir: string): Promise<BlobStore> {
  if (config.kind === 's3') {
    const { S3BlobStore } = await import('../store/s3-blob-store.js');
    return S3BlobStore.fromSettings(config.s3);
  }
  return new FsBlobStore(config.dir ? resolve(config.dir) : join(dataDir, 'crates'));
}

/** Where blobs go, for a start-up line: never the credentials. */
export function describeStorage(config: StorageConfig, dataDir: string): string {
  if (config.kind === 'fs') return config.dir ? resolve(config.dir) : join(dataDir, 'crates');
  const where = config.s3.endpoint ? ` at ${config.s3.endpoint}` : ` (${config.s3.region})`;
  return `s3://${config.s3.bucket}/${config.s3.prefix ?? ''}${where}`;
}

/**
 * `[storage.index]`: the static index, off unless `enabled = true`. Its target is a directory
 * (`dir`) or a bucket: by default the blob bucket under the prefix `index/`, or its own
 * `bucket` / `endpoint` / credentials (unset keys are taken from `[storage]`).
 */
export async function staticIndexConfigFrom(
  table: ConfigTable,
  env: NodeJS.ProcessEnv = process.env,
): Promise<StaticIndexConfig | null> {
  const storage = section(table, 'storage');
  const index = section(storage, 'index');
  checkConfigKeys('[storage.index]', index, tableSchema('storage.index'));
  if ((bool(index, 'enabled', 'storage.index') ?? false) === false) return null;
  if (section(table, 'server').private === true)
    throw new Error('[storage.index] cannot publish the index of a private registry as public static files');
  const maxAge = index.max_age_seconds ?? DEFAULT_INDEX_MAX_AGE_SECONDS;
  if (typeof maxAge !== 'number' || !Number.isInteger(maxAge) || maxAge < 0 || maxAge > 86_400)
    throw new Error('[storage.index] max_age_seconds must be a whole number from 0 to 86400');
  const dir = str(index, 'dir', 'storage.index');
  if (dir !== undefined) {
    if (index.bucket !== undefined) throw new Error('[storage.index] takes a dir or a bucket, not both');
    return { target: new FsStaticTarget(resolve(dir)), maxAgeSeconds: maxAge };
  }
  const blobs = storageConfigFrom(table, env);
  const inherit = blobs.kind === 's3' ? blobs.s3 : undefined;
  if (!inherit && index.bucket === undefined)
    throw new Error(
      '[storage.index] needs a dir, or a bucket (or [storage] kind = "s3" to share its bucket)',
    );
  const s3 = s3SettingsFrom(index, 'storage.index', env, inherit);
  const [{ s3ClientFor }, { S3StaticTarget }] = await Promise.all([
    import('../store/s3-blob-store.js'),
    import('../registry/s3-static-target.js'),
  ]);
  return {
    target: new S3StaticTarget(s3ClientFor(s3), s3.bucket, s3.prefix ?? 'index/'),
    maxAgeSeconds: maxAge,
  };
}
