// Migrations in order; names sort in the order they run.
import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';
import * as m001 from './001-registry.js';
import * as m002 from './002-security.js';
import * as m003 from './003-admin.js';
import * as m004 from './004-version-files.js';
import * as m005 from './005-crate-search.js';

export interface DialectMigration {
  up(db: Kysely<unknown>, dialect: DialectName): Promise<void>;
}

export const migrations: Record<string, DialectMigration> = {
  '001-registry': m001,
  '002-security': m002,
  '003-admin': m003,
  '004-version-files': m004,
  '005-crate-search': m005,
};
