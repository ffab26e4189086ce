// Everything a registry process needs, wired once and shared by the HTTP routes, the
// worker and the CLI.
import { join } from 'node:path';
import { FsBlobStore, type BlobStore } from '../store/blob-store.js';
import { ChangeFeed } from '../store/change-feed.js';
import { CrateRepository } from '../store/crates.js';
import { openDatabase, type DatabaseConfig, type Db } from '../store/database.js';
import { RegistryGraphCache } from '../store/registry-graph.js';
import { AuditLog } from '../store/audit-log.js';
import { OwnerInvitations } from '../store/owner-invitations.js';
import { LoginThrottle, SessionRepository, type PasswordVerifier } from '../store/sessions.js';
import { TokenIssuing } from './token-issuing.js';
import { TokenRepository } from '../store/tokens.js';
import { RateLimiter } from '../store/rate-limits.js';
import { RegistryMetrics } from './metrics.js';
import { UserRepository } from '../store/users.js';
import { VetAuditRepository } from '../store/vet-audits.js';
import { VET_KEY_FILE, VetKeyVault } from '../store/vet-key-vault.js';
import { VetAuthority } from './vet-authority.js';
import { randomBytes } from 'node:crypto';
import type { RegistryConfig } from './config.js';
import { DownloadCounter } from './download-counter.js';
import { IndexCache } from './index-cache.js';
import { PublishService } from './publish-service.js';
import { SearchTotals } from './search-totals.js';
import { StaticIndexPublisher, type StaticFileTarget } from './static-index.js';
import { DownloadTargets } from './download-targets.js';
import type { NotificationConfig } from '../jobs/notifications.js';
import { SecurityPipeline } from '../jobs/security-pipeline.js';
import { defaultSecurityConfig, type SecurityConfig } from '../jobs/security-config.js';

/** The SQLite database's file name inside the data directory. */
export const REGISTRY_DATABASE_FILE = 'cratekeeper.sqlite';

export interface RegistryServices {
  config: RegistryConfig;
  db: Db;
  blobs: BlobStore;
  users: UserRepository;
  tokens: TokenRepository;
  crates: CrateRepository;
  indexCache: IndexCache;
  /** Download counts, written in batches; flushed by `close()`. */
  downloads: DownloadCounter;
  publisher: PublishService;
  /** Recent answers of which file a download serves (see download-targets.ts). */
  downloadTargets: DownloadTargets;
  /** Recent search match counts (see search-totals.ts). */
  searchTotals: SearchTotals;
  /** The publish policy and background jobs of the security pipeline. */
  security: SecurityPipeline;
  graph: RegistryGraphCache;
  audit: AuditLog;
  /** Owner invitations (cargo's API, the invitee's routes, the console), each action with its audit entry. */
  invitations: OwnerInvitations;
  sessions: SessionRepository;
  throttle: LoginThrottle;
  /** Per-user token buckets (publishes, yanks, token creation) and per-address sign-ins. */
  rateLimits: RateLimiter;
  /** This process's Prometheus metrics (and scrape-time reads of the shared database). */
  metrics: RegistryMetrics;
  /** Token creation and rotation, each with its rate limit and audit entry (token-issuing.ts). */
  tokenIssuing: TokenIssuing;
  /** Auditors, their signing keys and signed cargo-vet audits (see vet-authority.ts). */
  vet: VetAuthority;
  /** A crate's versions changed (publish, yank, quarantine decision): drop what was derived from them. */
  crateChanged(name: string): void;
  /** Other processes' index changes, read from the database before caches are trusted. */
  changes: ChangeFeed;
  /** Writes the sparse index as static files (`[storage.index]`), or null when that is off. */
  staticIndex: StaticIndexPublisher | null;
  close(): Promise<void>;
}

export interface PipelineOptions {
  security?: SecurityConfig;
  notifications?: NotificationConfig;
  /** How console passwords are checked (tests count the checks the throttle lets through). */
  passwordVerifier?: PasswordVerifier;
  /** Where the static index goes (`[storage.index]`); none: it is not published. */
  staticIndex?: { target: StaticFileTarget; maxAgeSeconds: number };
  /**
   * Where the key that encrypts auditors' signing keys lives (created on first use). Without
   * one the key is random per process: fine for tests, useless for a registry that restarts.
   */
  vetKeyFile?: string;
}

export interface OpenRegistryOptions extends PipelineOptions {
  /** Data directory: the SQLite file and blobs live here unless overridden. */
  dataDir: string;
  database?: DatabaseConfig;
  blobDir?: string;
  /** The blob store (`[storage]`); default: the filesystem under `blobDir`. */
  blobs?: BlobStore;
  config: RegistryConfig;
}

export async function openRegistry(options: OpenRegistryOptions): Promise<RegistryServices> {
  const db = await openDatabase(options.database ?? { url: join(options.dataDir, REGISTRY_DATABASE_FILE) });
  return createServices(
    db,
    options.blobs ?? new FsBlobStore(options.blobDir ?? join(options.dataDir, 'crates')),
    options.config,
    {
      vetKeyFile: join(options.dataDir, VET_KEY_FILE),
      ...options,
    },
  );
}

/**
 * Wires one registry process. Every publish, from cargo or `import`, goes through the same
 * publish service with the security pipeline's policy.
 */
export function createServices(
  db: Db,
  blobs: BlobStore,
  config: RegistryConfig,
  pipeline: PipelineOptions = {},
): RegistryServices {
  const crates = new CrateRepository(db.kysely);
  const users = new UserRepository(db.kysely);
  const changes: ChangeFeed = new ChangeFeed(db.kysely, (change) => {
    if (change === 'all') {
      indexCache.clear();
      downloadTargets.clear();
      graph.invalidate();
      searchTotals.invalidate();
    } else change.crates.forEach(crateChanged);
  });
  const fresh = () => changes.sync();
  const indexCache = new IndexCache(crates, config.indexCacheTtlMs, undefined, fresh);
  const downloads = new DownloadCounter(crates);
  const graph = new RegistryGraphCache(db.kysely, fresh);
  const searchTotals = new SearchTotals();
  const downloadTargets = new DownloadTargets(Math.min(config.indexCacheTtlMs, 5_000));
  const crateChanged = (name: string) => {
    indexCache.invalidate(name);
    downloadTargets.invalidate(name);
    graph.invalidate();
    searchTotals.invalidate();
  };
  const audit = new AuditLog(db.kysely, db.dialect);
  const metrics = new RegistryMetrics();
  metrics.attach(db);
  const rateLimits = new RateLimiter(db.kysely, config.rateLimits, (action) =>
    metrics.rateLimitHits.inc({ action }),
  );
  const security = new SecurityPipeline(
    {
      db: db.kysely,
      dialect: db.dialect,
      crates,
      users,
      blobs,
      audit,
      publicUrl: () => config.publicUrl,
      cratesChanged: (names) => names.forEach(crateChanged),
    },
    pipeline.security ?? defaultSecurityConfig(),
    pipeline.notifications,
  );
  const publisher = new PublishService({
    config,
    db: db.kysely,
    crates,
    blobs,
    audit,
    rateLimits,
    policy: security.policy,
    committed: ({ crate, newCrate }) => {
      crateChanged(crate.name);
      if (newCrate) security.popular.crateAdded();
      security.queue.ready();
    },
  });
  const tokens = new TokenRepository(db.kysely, config.tokenDefaultExpiryDays);
  return {
    config,
    db,
    blobs,
    users,
    tokens,
    tokenIssuing: new TokenIssuing({
      db: db.kysely,
      tokens,
      rateLimits,
      audit,
      rateLimitContact: () => config.rateLimitContact,
    }),
    crates,
    indexCache,
    publisher,
    searchTotals,
    downloadTargets,
    security,
    graph,
    crateChanged,
    changes,
    staticIndex: pipeline.staticIndex
      ? new StaticIndexPublisher({
          db: db.kysely,
          crates,
          target: pipeline.staticIndex.target,
          maxAgeSeconds: pipeline.staticIndex.maxAgeSeconds,
          publicUrl: () => config.publicUrl,
        })
      : null,
    downloads,
    audit,
    invitations: new OwnerInvitations(db.kysely, audit),
    sessions: new SessionRepository(db.kysely, config.sudoMs),
    rateLimits,
    metrics,
    throttle: new LoginThrottle(db.kysely, undefined, pipeline.passwordVerifier),
    vet: new VetAuthority(
      new VetAuditRepository(db.kysely, db.dialect),
      pipeline.vetKeyFile ? VetKeyVault.fromFile(pipeline.vetKeyFile) : VetKeyVault.fromKey(randomBytes(32)),
      crates,
      blobs,
    ),
    close: async () => {
      // The last counts go first; a failed write must not keep the database open.
      await downloads.close().catch(() => {});
      await security.close();
      await db.close();
    },
  };
}
