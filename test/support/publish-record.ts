// The smallest PublishRecord a repository accepts: for tests that write versions straight
// through CrateRepository.publish instead of over HTTP.
import type { PublishRecord } from '../../src/store/crates.js';

export function minimalPublishRecord(
  name: string,
  version: string,
  userId: number,
  overrides: Omit<Partial<PublishRecord>, 'crateMeta'> & {
    crateMeta?: Partial<PublishRecord['crateMeta']>;
  } = {},
): PublishRecord {
  const { crateMeta, ...rest } = overrides;
  return {
    name,
    version,
    versionNoBuild: version.replace(/\+.*$/, ''),
    checksum: 'b'.repeat(64),
    size: 1,
    status: 'published',
    features: {},
    features2: {},
    links: null,
    rustVersion: null,
    license: 'MIT',
    licenseFile: null,
    description: null,
    authors: [],
    hasBuildScript: false,
    isProcMacro: false,
    dependencies: [],
    crateMeta: {
      description: null,
      homepage: null,
      documentation: null,
      repository: null,
      readme: null,
      keywords: [],
      categories: [],
      ...crateMeta,
    },
    provenance: { userId, tokenId: null, clientIp: null, userAgent: null },
    publishedAt: new Date('2026-01-02T03:04:05.678Z'),
    ...rest,
  };
}
