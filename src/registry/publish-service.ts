// The publish path shared by the HTTP API and `cratekeeper import`: authorization,
// crates.io's metadata rules, the bounded archive check, then the blob and one database
// transaction. A failure at any step leaves neither rows nor a blob behind.
import { createHash } from 'node:crypto';
import { canonicalCrateName, isReservedCrateName } from '../domain/crate-name.js';
import { splitFeatures } from '../domain/index-line.js';
import { ManifestError, parseManifest } from '../domain/manifest.js';
import type { PublishMetadata } from '../domain/publish-metadata.js';
import { formatVersion, parseVersion, versionKey } from '../domain/semver.js';
import { CrateArchiveError, readCrateArchive } from '../formats/crate-archive.js';
import type { BlobStore } from '../store/blob-store.js';
import { DuplicateVersionError, type CrateRepository, type PublishRecord } from '../store/crates.js';
import type { CrateRow, UserRow, VersionRow, VersionStatus } from '../store/schema.js';
import type { AuthenticatedToken } from '../store/tokens.js';
import { requireScope } from './auth.js';
import type { RegistryConfig, RegistryLimits } from './config.js';
import { badRequest, conflict, forbidden } from './errors.js';
import { parsePublishBody } from './publish-body.js';
import { readPublishMetadata, validatePublishMetadata } from './publish-metadata-validation.js';

export interface Publisher {
  user: UserRow;
  /** The token used, or null for trusted local tools such as `cratekeeper import`. */
  token: AuthenticatedToken | null;
}

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

export interface PublishWarnings {
  invalid_categories: string[];
  invalid_badges: string[];
  other: string[];
}

export interface PublishedVersion {
  crate: CrateRow;
  version: VersionRow;
  newCrate: boolean;
  metadata: PublishMetadata;
  crateBytes: Buffer;
  warnings: PublishWarnings;
}

export interface PublishOptions {
  /**
   * Which dependencies may name crates this registry doesn't have. The API allows none, as
   * crates.io; seeding from another source allows those cargo needs only when activated.
   */
  allowMissingDependency?: (dep: PublishMetadata['deps'][number]) => boolean;
  /** Overrides of the configured limits for this publish (an administrator's import). */
  limits?: Partial<RegistryLimits>;
  now?: Date;
}

export interface AdmissionRequest {
  metadata: PublishMetadata;
  crateBytes: Buffer;
  publisher: Publisher;
  newCrate: boolean;
}

/** Decides whether a new version goes to the index now or waits (the security pipeline sets this). */
export type AdmissionPolicy = (req: AdmissionRequest) => Promise<{ status: VersionStatus; warning?: string }>;

export type PublishListener = (published: PublishedVersion) => void | Promise<void>;

export class PublishService {
  private readonly listeners: PublishListener[] = [];
  /** Checks a publish may add before anything is written (typosquat blocking, locks…). */
  readonly preChecks: ((
    metadata: PublishMetadata,
    publisher: Publisher,
    newCrate: boolean,
  ) => Promise<void>)[] = [];
  admission: AdmissionPolicy = async () => ({ status: 'published' });

  constructor(
    private readonly config: RegistryConfig,
    private readonly crates: CrateRepository,
    private readonly blobs: BlobStore,
  ) {}

  onPublished(listener: PublishListener): void {
    this.listeners.push(listener);
  }

  /** A publish body as cargo sends it. */
  async publishBody(body: Buffer, publisher: Publisher, client: ClientInfo): Promise<PublishedVersion> {
    const { metadataJson, crate } = parsePublishBody(body, this.config.limits);
    return this.publish(readPublishMetadata(metadataJson), crate, publisher, client);
  }

  async publish(
    metadata: PublishMetadata,
    crateBytes: Buffer,
    publisher: Publisher,
    client: ClientInfo,
    options: PublishOptions = {},
  ): Promise<PublishedVersion> {
    const limits = { ...this.config.limits, ...options.limits };
    validatePublishMetadata(metadata, limits);
    if (crateBytes.length > limits.maxUploadBytes) {
      throw badRequest(`max upload size is: ${limits.maxUploadBytes}`);
    }
    const version = parseVersion(metadata.vers);
    const now = options.now ?? new Date();

    const existing = await this.crates.findByName(metadata.name);
    if (existing) {
      if (existing.name !== metadata.name) {
        throw badRequest(`crate was previously named \`${existing.name}\``);
      }
      if (publisher.token) requireScope(publisher.token, 'publish-update', metadata.name);
      if (!(await this.crates.isOwner(existing.id, publisher.user.id))) {
        throw forbidden(
          `this crate exists but you don't seem to be an owner. If you believe this is a mistake, perhaps you need to accept an invitation to be an owner before publishing.`,
        );
      }
      const dup = await this.crates.findVersion(existing.id, versionKey(version));
      if (dup && versionKey(parseVersion(dup.num)) === versionKey(version)) {
        throw conflict(`crate version \`${dup.num}\` is already uploaded`);
      }
    } else {
      if (publisher.token) requireScope(publisher.token, 'publish-new', metadata.name);
      const held = await this.crates.reservation(metadata.name);
      if (held?.kind === 'blocked') {
        throw badRequest(`the name \`${metadata.name}\` is blocked on this registry and cannot be published`);
      }
      if (isReservedCrateName(metadata.name) || held) {
        throw badRequest(`cannot upload a crate with a reserved name: \`${metadata.name}\``);
      }
      const blockedUntil = await this.crates.deletedNameBlockedUntil(metadata.name, now);
      if (blockedUntil) {
        throw badRequest(
          `a crate with the name \`${metadata.name}\` was recently deleted; the name can be used again after ${blockedUntil}`,
        );
      }
    }

    await this.checkDependenciesExist(metadata, options.allowMissingDependency ?? (() => false));
    for (const check of this.preChecks) await check(metadata, publisher, !existing);

    const archive = await this.readArchive(crateBytes, metadata);
    const checksum = createHash('sha256').update(crateBytes).digest('hex');
    const { features, features2 } = splitFeatures(metadata.features);
    const admitted = await this.admission({ metadata, crateBytes, publisher, newCrate: !existing });
    const status = admitted.status;
    const record: PublishRecord = {
      name: metadata.name,
      version: metadata.vers,
      versionNoBuild: formatVersion(version, false),
      checksum,
      size: crateBytes.length,
      status,
      features,
      features2,
      links: metadata.links,
      rustVersion: metadata.rust_version ?? null,
      license: metadata.license,
      licenseFile: metadata.license_file,
      description: metadata.description,
      authors: metadata.authors,
      hasBuildScript: archive.hasBuildScript,
      isProcMacro: archive.isProcMacro,
      dependencies: metadata.deps.map((d) => ({
        crateName: d.name,
        explicitName: d.explicit_name_in_toml ?? null,
        req: d.version_req,
        features: d.features,
        optional: d.optional,
        defaultFeatures: d.default_features,
        target: d.target,
        kind: d.kind,
        registry: d.registry ?? null,
      })),
      crateMeta: {
        description: metadata.description,
        homepage: metadata.homepage,
        documentation: metadata.documentation,
        repository: metadata.repository,
        readme: metadata.readme,
        keywords: metadata.keywords,
        categories: metadata.categories,
      },
      provenance: {
        userId: publisher.user.id,
        tokenId: publisher.token?.token.id ?? null,
        clientIp: client.ip,
        userAgent: client.userAgent?.slice(0, 500) ?? null,
      },
      publishedAt: now,
    };

    const { created } = await this.blobs.put(checksum, crateBytes);
    let result: Awaited<ReturnType<CrateRepository['publish']>>;
    try {
      result = await this.crates.publish(record);
    } catch (err) {
      if (created) await this.blobs.delete(checksum);
      if (err instanceof DuplicateVersionError) throw conflict(err.message);
      throw err;
    }
    const published: PublishedVersion = {
      ...result,
      metadata,
      crateBytes,
      warnings: { invalid_categories: [], invalid_badges: [], other: [] },
    };
    if (admitted.warning) published.warnings.other.push(admitted.warning);
    for (const listener of this.listeners) await listener(published);
    return published;
  }

  private async checkDependenciesExist(
    metadata: PublishMetadata,
    allowMissing: (dep: PublishMetadata['deps'][number]) => boolean,
  ): Promise<void> {
    for (const dep of metadata.deps) {
      if (dep.registry) continue; // another registry's crate: not ours to check
      if (canonicalCrateName(dep.name) === canonicalCrateName(metadata.name)) continue; // self dev-dependency
      const krate = await this.crates.findByName(dep.name);
      if (!krate && !allowMissing(dep)) {
        throw badRequest(`no known crate named \`${dep.name}\``);
      }
    }
  }

  private async readArchive(
    bytes: Buffer,
    metadata: PublishMetadata,
  ): Promise<{ hasBuildScript: boolean; isProcMacro: boolean }> {
    const { limits } = this.config;
    try {
      const archive = await readCrateArchive(bytes, {
        expected: { name: metadata.name, version: metadata.vers },
        keep: () => false,
        limits: {
          maxCompressedBytes: limits.maxUploadBytes,
          maxUnpackedBytes: limits.maxUnpackedBytes,
          maxEntries: limits.maxArchiveEntries,
        },
      });
      const paths = new Set(archive.files.map((f) => f.path));
      const manifest = parseManifest(archive.manifestText, (p) => paths.has(p));
      return { hasBuildScript: manifest.build !== null, isProcMacro: manifest.procMacro };
    } catch (err) {
      if (err instanceof CrateArchiveError || err instanceof ManifestError) {
        throw badRequest(
          err.message.startsWith('invalid') ? err.message : `invalid .crate file: ${err.message}`,
        );
      }
      throw err;
    }
  }
}
