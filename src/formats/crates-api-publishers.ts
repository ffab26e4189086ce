// Who published each version, from crates.io's `GET /api/v1/crates/NAME` (the subset cargo-vet
// reads, `format.rs` `CratesAPICrate`): `versions[].num`, `created_at`, `published_by {id,
// login, name}` and `trustpub_data {provider, repository}`, where only the `github` provider
// becomes a trusted-publisher signature (`github:owner/repo`); versions with neither are
// skipped, as cargo-vet skips them.
import { isTable, own } from '../domain/toml-values.js';

export interface ApiPublisher {
  crate: string;
  version: string;
  publishedAt: string;
  userId?: number;
  userLogin?: string;
  userName?: string;
  trustedPublisher?: string;
}

export class CratesApiError extends Error {
  override name = 'CratesApiError';
}

export function parseCratesApiPublishers(crate: string, text: string): ApiPublisher[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new CratesApiError(`crates API for ${crate}: invalid JSON: ${(err as Error).message}`);
  }
  if (!isTable(doc)) throw new CratesApiError(`crates API for ${crate}: expected a JSON object`);
  const versions = own(doc, 'versions');
  if (!Array.isArray(versions))
    throw new CratesApiError(`crates API for ${crate}: "versions" must be an array`);
  const out: ApiPublisher[] = [];
  versions.forEach((v, i) => {
    const where = `crates API for ${crate}: versions[${i}]`;
    if (!isTable(v)) throw new CratesApiError(`${where} must be an object`);
    const num = own(v, 'num');
    const createdAt = own(v, 'created_at');
    if (typeof num !== 'string' || typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt))) {
      throw new CratesApiError(`${where}: "num" and "created_at" must be a version and a timestamp`);
    }
    const row: ApiPublisher = { crate, version: num, publishedAt: createdAt };
    const by = own(v, 'published_by');
    const trustpub = own(v, 'trustpub_data');
    // cargo-vet takes `published_by` first, then a GitHub trusted publisher.
    if (
      isTable(by) &&
      Number.isSafeInteger(own(by, 'id')) &&
      (own(by, 'id') as number) >= 0 &&
      typeof own(by, 'login') === 'string'
    ) {
      row.userId = own(by, 'id') as number;
      row.userLogin = own(by, 'login') as string;
      if (typeof own(by, 'name') === 'string') row.userName = own(by, 'name') as string;
    } else if (
      isTable(trustpub) &&
      own(trustpub, 'provider') === 'github' &&
      typeof own(trustpub, 'repository') === 'string'
    ) {
      row.trustedPublisher = `github:${own(trustpub, 'repository') as string}`;
    } else {
      return;
    }
    out.push(row);
  });
  return out;
}
