// Builds publish bodies the way cargo does: u32 LE length + JSON, u32 LE length + .crate.
import type { PublishMetadata } from '../../src/domain/publish-metadata.js';

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
