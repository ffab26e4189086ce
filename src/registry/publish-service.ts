// The publish path shared by the HTTP API and `cratekeeper import`, in the order it runs:
// authorization, crates.io's metadata rules, the policy's checks, one bounded read of the
// archive, admission, the blob, and one transaction holding the version, its provenance, its
// audit entry and its jobs. A refused publish writes nothing; a blob is never deleted here (a
// reference-checking garbage collector removes files no version uses).
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { canonicalCrateName, isReservedCrateName } from '../domain/crate-name.js';
import { splitFeatures } from '../domain/index-line.js';
import { ManifestError, parseManifest } from '../domain/manifest.js';
import type { PublishMetadata } from '../domain/publish-metadata.js';
import { formatVersion, parseVersion, versionKey } from '../domain/semver.js';
import { CrateArchiveError } from '../formats/crate-archive.js';
import { readCrateForScan } from '../security/scanner/read-crate.js';
import type { AuditLog } from '../store/audit-log.js';
import type { BlobStore } from '../store/blob-store.js';
import {
  DuplicateVersionError,
  NotOwnerError,
  PublishConflictError,
  type CrateRepository,
  type PublishRecord,
} from '../store/crates.js';
import type { CrateRow, Database } from '../store/schema.js';
import type { RateLimiter } from '../store/rate-limits.js';
import { requireScope } from './auth.js';
import type { RegistryConfig, RegistryLimits } from './config.js';
import { badRequest, conflict, forbidden } from './errors.js';
import { rateLimited } from './rate-limit-errors.js';
import { parsePublishBody } from './publish-body.js';
import { readPublishMetadata, validatePublishMetadata } from './publish-metadata-validation.js';
import {
  TRUSTED_POLICY,
  type CommittedVersion,
  type PublishCandidate,
  type PublishPolicy,
  type Publisher,
} from './publish-policy.js';

export type { Publisher } from './publish-policy.js';

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

export interface PublishWarnings {
  invalid_categories: string[];
  invalid_badges: string[];
  other: string[];
}

export interface PublishedVersion extends CommittedVersion {
  metadata: PublishMetadata;
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
  /** Skip the security policy (`import --trusted`); the audit entry records it. */
  trusted?: boolean;
  now?: Date;
}

export interface PublishServiceDeps {
  config: RegistryConfig;
  db: Kysely<Database>;
  crates: CrateRepository;
  blobs: BlobStore;
  audit: AuditLog;
  /** Publishes through the API (with a token) take a token from the user's bucket. */
  rateLimits?: RateLimiter;
  policy: PublishPolicy;
  /** After the commit: in-process effects only (caches to drop, idle workers to wake). */
  committed: (published: PublishedVersion) => void;
}

export class PublishService {
  constructor(private readonly deps: PublishServiceDeps) {}

  /** A publish body as cargo sends it. */
  async publishBody(body: Buffer, publisher: Publisher, client: ClientInfo): Promise<PublishedVersion> {
    const { metadataJson, crate } = parsePublishBody(body, this.deps.config.limits);
    return this.publish(readPublishMetadata(metadataJson), crate, publisher, client);
  }

  async publish(
    metadata: PublishMetadata,
    crateBytes: Buffer,
    publisher: Publisher,
    client: ClientInfo,
    options: PublishOptions = {},
  ): Promise<PublishedVersion> {
    const { config, db, crates, blobs, audit } = this.deps;
    const policy = options.trusted ? TRUSTED_POLICY : this.deps.policy;
    const limits = { ...config.limits, ...options.limits };
    const now = options.now ?? new Date();

    // 1. crates.io's metadata rules.
    validatePublishMetadata(metadata, limits);
    if (crateBytes.length > limits.maxUploadBytes) {
      throw badRequest(`max upload size is: ${limits.maxUploadBytes}`);
    }
    const version = parseVersion(metadata.vers);
    // 2. Who may publish under this name (checked again in the transaction, against races).
    const existing = await this.authorize(metadata, publisher, now);
    const newCrate = existing === undefined;
    await this.checkDependenciesExist(metadata, options.allowMissingDependency ?? (() => false));
    // 3. The policy's refusals (e.g. a name squatting a popular crate), before any unpacking.
    await policy.check(metadata, publisher, newCrate);
    // 4. The archive, read once and bounded; everything after uses this reading.
    const archive = await this.readArchive(crateBytes, metadata, limits);
    const checksum = createHash('sha256').update(crateBytes).digest('hex');
    const candidate: PublishCandidate = {
      metadata,
      publisher,
      newCrate,
      crateBytes,
      checksum,
      archive: archive.contents,
    };
    // 5. Admission: to the index now, or held in quarantine for an administrator.
    const admission = await policy.admit(candidate);
    // 6. The file, by checksum. Stored before the rows that reference it and never deleted by
    // a publish that fails: an identical concurrent publish may be the one that commits.
    await blobs.put(checksum, crateBytes);
    // 7. One transaction: version, dependencies, provenance, audit entry, jobs.
    const record = this.record(metadata, version, checksum, crateBytes.length, admission.status, archive, {
      publisher,
      client,
      now,
    });
    let committed: CommittedVersion;
    try {
      committed = await db.transaction().execute(async (trx) => {
        const row = await crates.publish(trx, record);
        // In the transaction, once it is known whether the name is new: a publish refused later
        // gives its token back, and a refused one writes nothing.
        if (publisher.token && this.deps.rateLimits) {
          const action = row.newCrate ? 'publish-new' : 'publish-update';
          const taken = await this.deps.rateLimits.take({ userId: publisher.user.id }, action, now, trx);
          if (!taken.ok) throw rateLimited(action, taken.retryAt, config.rateLimitContact, now);
        }
        await audit.append(
          {
            actorId: publisher.user.id,
            actor: publisher.user.login,
            action: 'publish',
            targetType: 'version',
            target: `${row.crate.name}@${row.version.num}`,
            details: {
              newCrate: row.newCrate,
              checksum,
              size: crateBytes.length,
              status: admission.status,
              tokenId: publisher.token?.token.id ?? null,
              userAgent: record.provenance.userAgent,
              ...(options.trusted ? { trusted: true } : {}),
            },
            ip: client.ip,
          },
          now,
          trx,
        );
        await policy.record(trx, row, candidate, admission);
        return row;
      });
    } catch (err) {
      if (err instanceof DuplicateVersionError) throw conflict(err.message);
      if (err instanceof PublishConflictError) throw badRequest(err.message);
      if (err instanceof NotOwnerError) throw notOwner();
      throw err;
    }
    const published: PublishedVersion = {
      ...committed,
      metadata,
      warnings: { invalid_categories: [], invalid_badges: [], other: [] },
    };
    if (admission.warning) published.warnings.other.push(admission.warning);
    // 8. In-process effects of the commit (nothing durable happens after it).
    this.deps.committed(published);
    return published;
  }

  /** The existing crate when the publisher may add a version to it; undefined for a new name. */
  private async authorize(
    metadata: PublishMetadata,
    publisher: Publisher,
    now: Date,
  ): Promise<CrateRow | undefined> {
    const { crates } = this.deps;
    const existing = await crates.findByName(metadata.name);
    if (existing) {
      if (existing.name !== metadata.name) {
        throw badRequest(`crate was previously named \`${existing.name}\``);
      }
      if (publisher.token) requireScope(publisher.token, 'publish-update', metadata.name);
      if (!(await crates.isOwner(existing.id, publisher.user.id))) throw notOwner();
      const dup = await crates.findVersion(existing.id, versionKey(parseVersion(metadata.vers)));
      if (dup && versionKey(parseVersion(dup.num)) === versionKey(parseVersion(metadata.vers))) {
        throw conflict(`crate version \`${dup.num}\` is already uploaded`);
      }
      return existing;
    }
    if (publisher.token) requireScope(publisher.token, 'publish-new', metadata.name);
    const held = await crates.reservation(metadata.name);
    if (held?.kind === 'blocked') {
      throw badRequest(`the name \`${metadata.name}\` is blocked on this registry and cannot be published`);
    }
    if (isReservedCrateName(metadata.name) || held) {
      throw badRequest(`cannot upload a crate with a reserved name: \`${metadata.name}\``);
    }
    const blockedUntil = await crates.deletedNameBlockedUntil(metadata.name, now);
    if (blockedUntil) {
      throw badRequest(
        `a crate with the name \`${metadata.name}\` was recently deleted; the name can be used again after ${blockedUntil}`,
      );
    }
    return undefined;
  }

  private record(
    metadata: PublishMetadata,
    version: ReturnType<typeof parseVersion>,
    checksum: string,
    size: number,
    status: PublishRecord['status'],
    archive: ArchiveReading,
    ctx: { publisher: Publisher; client: ClientInfo; now: Date },
  ): PublishRecord {
    const { features, features2 } = splitFeatures(metadata.features);
    return {
      name: metadata.name,
      version: metadata.vers,
      versionNoBuild: formatVersion(version, false),
      checksum,
      size,
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
        userId: ctx.publisher.user.id,
        tokenId: ctx.publisher.token?.token.id ?? null,
        clientIp: ctx.client.ip,
        userAgent: ctx.client.userAgent?.slice(0, 500) ?? null,
      },
      publishedAt: ctx.now,
    };
  }

  private async checkDependenciesExist(
    metadata: PublishMetadata,
    allowMissing: (dep: PublishMetadata['deps'][number]) => boolean,
  ): Promise<void> {
    for (const dep of metadata.deps) {
      if (dep.registry) continue; // another registry's crate: not ours to check
      if (canonicalCrateName(dep.name) === canonicalCrateName(metadata.name)) continue; // self dev-dependency
      const krate = await this.deps.crates.findByName(dep.name);
      if (!krate && !allowMissing(dep)) {
        throw badRequest(`no known crate named \`${dep.name}\``);
      }
    }
  }

  private async readArchive(
    bytes: Buffer,
    metadata: PublishMetadata,
    limits: RegistryLimits,
  ): Promise<ArchiveReading> {
    try {
      // Bytes are kept only within the read ceilings: the rest is listed, sized, hashed, not held.
      const archive = await readCrateForScan(bytes, {
        expected: { name: metadata.name, version: metadata.vers },
        archive: {
          maxCompressedBytes: limits.maxUploadBytes,
          maxUnpackedBytes: limits.maxUnpackedBytes,
          maxEntries: limits.maxArchiveEntries,
        },
      });
      const paths = new Set(archive.files.map((f) => f.path));
      const manifest = parseManifest(archive.manifestText, (p) => paths.has(p));
      return {
        contents: archive,
        hasBuildScript: manifest.build !== null,
        isProcMacro: manifest.procMacro,
      };
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

interface ArchiveReading {
  contents: PublishCandidate['archive'];
  hasBuildScript: boolean;
  isProcMacro: boolean;
}

function notOwner() {
  return forbidden(
    `this crate exists but you don't seem to be an owner. If you believe this is a mistake, perhaps you need to accept an invitation to be an owner before publishing.`,
  );
}
