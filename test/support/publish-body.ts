// Builds publish bodies the way cargo does: u32 LE length + JSON, u32 LE length + .crate.
import type { PublishDependency, PublishMetadata } from '../../src/domain/publish-metadata.js';
import { writeCrateArchive } from '../../src/formats/crate-archive.js';

export function metadataFor(
  name: string,
  vers: string,
  extra: Partial<PublishMetadata> = {},
): PublishMetadata {
  return {
    name,
    vers,
    deps: [],
    features: {},
    authors: [],
    description: `test crate ${name}`,
    documentation: null,
    homepage: null,
    readme: null,
    readme_file: null,
    keywords: [],
    categories: [],
    license: 'MIT',
    license_file: null,
    repository: null,
    badges: {},
    links: null,
    ...extra,
  };
}

export function publishBody(metadata: unknown, crate: Buffer): Buffer {
  const json = Buffer.from(typeof metadata === 'string' ? metadata : JSON.stringify(metadata), 'utf8');
  const a = Buffer.alloc(4);
  a.writeUInt32LE(json.length);
  const b = Buffer.alloc(4);
  b.writeUInt32LE(crate.length);
  return Buffer.concat([a, json, b, crate]);
}

export function manifestToml(name: string, version: string): string {
  return `[package]\nname = "${name}"\nversion = "${version}"\nedition = "2021"\ndescription = "test crate ${name}"\nlicense = "MIT"\n`;
}

/** Publishes a crate holding only its Cargo.toml through the HTTP API, as cargo would. */
export async function publishMinimal(
  registryUrl: string,
  token: string,
  name: string,
  version: string,
): Promise<Response> {
  const crate = await writeCrateArchive(`${name}-${version}`, [
    { path: 'Cargo.toml', data: manifestToml(name, version) },
  ]);
  return fetch(`${registryUrl}/api/v1/crates/new`, {
    method: 'PUT',
    headers: { authorization: token },
    body: publishBody(metadataFor(name, version), crate),
  });
}

/** A plain `[dependencies]` entry of publish metadata: `name = "req"`. */
export function normalDependency(name: string, req: string): PublishDependency {
  return {
    name,
    version_req: req,
    features: [],
    optional: false,
    default_features: true,
    target: null,
    kind: 'normal',
  };
}
