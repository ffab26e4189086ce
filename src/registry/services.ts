// Everything a registry process needs, wired once and shared by the HTTP routes, the
// worker and the CLI.
import { join } from 'node:path';
import { FsBlobStore, type BlobStore } from '../store/blob-store.js';
import { CrateRepository } from '../store/crates.js';
import { openDatabase, type DatabaseConfig, type Db } from '../store/database.js';
import { RegistryGraphCache } from '../store/registry-graph.js';
import { AuditLog } from '../store/audit-log.js';
import { LoginThrottle, SessionRepository } from '../store/sessions.js';
import { TokenRepository } from '../store/tokens.js';
import { UserRepository } from '../store/users.js';
import type { RegistryConfig } from './config.js';
import { DownloadCounter } from './download-counter.js';
import { IndexCache } from './index-cache.js';
import { PublishService } from './publish-service.js';

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
  graph: RegistryGraphCache;
  audit: AuditLog;
  sessions: SessionRepository;
  throttle: LoginThrottle;
  /** A crate's versions changed (publish, yank, quarantine decision): drop what was derived from them. */
  crateChanged(name: string): void;
  close(): Promise<void>;
}

export interface OpenRegistryOptions {
  /** Data directory: the SQLite file and blobs live here unless overridden. */
  dataDir: string;
  database?: DatabaseConfig;
  blobDir?: string;
  config: RegistryConfig;
}

export async function openRegistry(options: OpenRegistryOptions): Promise<RegistryServices> {
  const db = await openDatabase(options.database ?? { url: join(options.dataDir, 'cratekeeper.sqlite') });
  return createServices(
    db,
    new FsBlobStore(options.blobDir ?? join(options.dataDir, 'crates')),
    options.config,
  );
}

export function createServices(db: Db, blobs: BlobStore, config: RegistryConfig): RegistryServices {
  const crates = new CrateRepository(db.kysely);
  const users = new UserRepository(db.kysely);
  const indexCache = new IndexCache(crates, config.indexCacheTtlMs);
  const downloads = new DownloadCounter(crates);
  const publisher = new PublishService(config, crates, blobs);
  const graph = new RegistryGraphCache(db.kysely);
  const crateChanged = (name: string) => {
    indexCache.invalidate(name);
    graph.invalidate();
  };
  const audit = new AuditLog(db.kysely, db.dialect);
  publisher.onPublished(({ crate }) => crateChanged(crate.name));
  publisher.onPublished(async ({ crate, version, newCrate }) => {
    await audit.append({
      actorId: version.published_by,
      actor:
        version.published_by === null
          ? 'system'
          : ((await users.findById(version.published_by))?.login ?? 'unknown'),
      action: 'publish',
      targetType: 'version',
      target: `${crate.name}@${version.num}`,
      details: {
        newCrate,
        checksum: version.checksum,
        size: version.size,
        status: version.status,
        tokenId: version.token_id,
        userAgent: version.user_agent,
      },
      ip: version.client_ip,
    });
  });
  return {
    config,
    db,
    blobs,
    users,
    tokens: new TokenRepository(db.kysely),
    crates,
    indexCache,
    publisher,
    graph,
    crateChanged,
    downloads,
    audit,
    sessions: new SessionRepository(db.kysely),
    throttle: new LoginThrottle(db.kysely),
    close: async () => {
      // The last counts go first; a failed write must not keep the database open.
      await downloads.close().catch(() => {});
      await db.close();
    },
  };
}
