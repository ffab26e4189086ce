// Everything a registry process needs, wired once and shared by the HTTP routes, the
// worker and the CLI.
import { join } from 'node:path';
import { FsBlobStore, type BlobStore } from '../store/blob-store.js';
import { CrateRepository } from '../store/crates.js';
import { openDatabase, type DatabaseConfig, type Db } from '../store/database.js';
import { RegistryGraphCache } from '../store/registry-graph.js';
import { TokenRepository } from '../store/tokens.js';
import { UserRepository } from '../store/users.js';
import type { RegistryConfig } from './config.js';
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
  publisher: PublishService;
  graph: RegistryGraphCache;
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
  const indexCache = new IndexCache(crates, config.indexCacheTtlMs);
  const publisher = new PublishService(config, crates, blobs);
  const graph = new RegistryGraphCache(db.kysely);
  const crateChanged = (name: string) => {
    indexCache.invalidate(name);
    graph.invalidate();
  };
  publisher.onPublished(({ crate }) => crateChanged(crate.name));
  return {
    config,
    db,
    blobs,
    users: new UserRepository(db.kysely),
    tokens: new TokenRepository(db.kysely),
    crates,
    indexCache,
    publisher,
    graph,
    crateChanged,
    close: () => db.close(),
  };
}
