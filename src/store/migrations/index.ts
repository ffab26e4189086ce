// Migrations in order; names sort in the order they run.
import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';
import * as m001 from './001-registry.js';
import * as m002 from './002-security.js';
import * as m003 from './003-admin.js';
import * as m004 from './004-version-files.js';
import * as m005 from './005-crate-search.js';
import * as m006 from './006-sign-in-addresses.js';
import * as m007 from './007-owner-invitations.js';
import * as m008 from './008-workers.js';
import * as m009 from './009-deleted-versions.js';
import * as m010 from './010-search-cover.js';
import * as m011 from './011-advisories.js';
import * as m012 from './012-vet-audits.js';
import * as m013 from './013-rate-limits.js';
import * as m014 from './014-alert-follow-up.js';
import * as m015 from './015-crate-changes.js';
import * as m016 from './016-version-analyses.js';
import * as m017 from './017-key-rotation-file-facts.js';
import * as m019 from './019-version-reexports.js';

export interface DialectMigration {
  up(db: Kysely<unknown>, dialect: DialectName): Promise<void>;
}

export const migrations: Record<string, DialectMigration> = {
  '001-registry': m001,
  '002-security': m002,
  '003-admin': m003,
  '004-version-files': m004,
  '005-crate-search': m005,
  '006-sign-in-addresses': m006,
  '007-owner-invitations': m007,
  '008-workers': m008,
  '009-deleted-versions': m009,
  '010-search-cover': m010,
  '011-advisories': m011,
  '012-vet-audits': m012,
  '013-rate-limits': m013,
  '014-alert-follow-up': m014,
  '015-crate-changes': m015,
  '016-version-analyses': m016,
  '017-key-rotation-file-facts': m017,
  '019-version-reexports': m019,
};
