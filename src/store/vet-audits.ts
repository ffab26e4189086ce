// Repository for the registry's audit authority (migration 012): auditors and their keys,
// custom criteria, signed audits and imported audit sets. Writes take an optional transaction so
// an admin action, its rows and its audit-log entry commit together.
import type { Kysely } from 'kysely';
import { canonicalCrateName } from '../domain/crate-name.js';
import type {
  Database,
  UserRow,
  VetAuditKind,
  VetAuditorKeyRow,
  VetAuditRow,
  VetCriteriaRow,
  VetImportRow,
} from './schema.js';
import { nowIso } from './time.js';
import type { GeneratedAuditorKey } from './vet-key-vault.js';
import type { ReviewedFile, SignedAudit } from '../security/vet/audit-signature.js';

export interface NewVetAudit {
  crateName: string;
  kind: VetAuditKind;
  version?: string | null;
  deltaFrom?: string | null;
  deltaTo?: string | null;
  violation?: string | null;
  criteria: string[];
  who: string;
  notes: string | null;
  checksums: ReviewedFile[];
  signature: string;
  keyId: string;
  recordedBy: number | null;
}

export class VetAuditRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async setAuditor(userId: number, auditor: boolean, db: Kysely<Database> = this.db): Promise<void> {
    await db
      .updateTable('users')
      .set({ is_auditor: auditor ? 1 : 0 })
      .where('id', '=', userId)
      .execute();
  }

  async addKey(userId: number, key: GeneratedAuditorKey, now = new Date(), db: Kysely<Database> = this.db) {
    await db
      .insertInto('vet_auditor_keys')
      .values({
        key_id: key.keyId,
        user_id: userId,
        public_key: key.publicKey,
        private_key_enc: key.privateKeyEnc,
        created_at: nowIso(now),
        retired_at: null,
        revoked_at: null,
        revoked_reason: null,
      })
      .execute();
  }

  /** Retires every current key of a user (revoking the role); old signatures stay verifiable. */
  async retireKeys(userId: number, now = new Date(), db: Kysely<Database> = this.db): Promise<number> {
    const res = await db
      .updateTable('vet_auditor_keys')
      .set({ retired_at: nowIso(now) })
      .where('user_id', '=', userId)
      .where('retired_at', 'is', null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  /**
   * Replaces the user's current key with `next`: the old one is retired at `now` (its audits,
   * all recorded before, stay verifiable) and `next` signs from `now` on. Returns the old key.
   */
  async rotateKey(
    userId: number,
    next: GeneratedAuditorKey,
    now = new Date(),
    db: Kysely<Database> = this.db,
  ): Promise<VetAuditorKeyRow | undefined> {
    const old = await this.activeKey(userId, db);
    await this.retireKeys(userId, now, db);
    await this.addKey(userId, next, now, db);
    return old;
  }

  /** Marks a key compromised: every audit it signed fails verification from now on. */
  async revokeKey(keyId: string, reason: string, now = new Date(), db: Kysely<Database> = this.db) {
    const at = nowIso(now);
    const key = await this.key(keyId, db);
    await db
      .updateTable('vet_auditor_keys')
      .set({ revoked_at: at, revoked_reason: reason, retired_at: key?.retired_at ?? at })
      .where('key_id', '=', keyId)
      .where('revoked_at', 'is', null)
      .execute();
  }

  async key(keyId: string, db: Kysely<Database> = this.db): Promise<VetAuditorKeyRow | undefined> {
    return db.selectFrom('vet_auditor_keys').selectAll().where('key_id', '=', keyId).executeTakeFirst();
  }

  /** The key that signs the user's new audits: neither retired nor revoked. */
  async activeKey(userId: number, db: Kysely<Database> = this.db): Promise<VetAuditorKeyRow | undefined> {
    return db
      .selectFrom('vet_auditor_keys')
      .selectAll()
      .where('user_id', '=', userId)
      .where('retired_at', 'is', null)
      .where('revoked_at', 'is', null)
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
  }

  /** How many audits each key signed. */
  async auditsPerKey(db: Kysely<Database> = this.db): Promise<Map<string, number>> {
    const rows = await db
      .selectFrom('vet_audits')
      .select(['key_id', (eb) => eb.fn.countAll<string | number>().as('n')])
      .groupBy('key_id')
      .execute();
    return new Map(rows.map((r) => [r.key_id, Number(r.n)]));
  }

  async keys(db: Kysely<Database> = this.db): Promise<VetAuditorKeyRow[]> {
    return db.selectFrom('vet_auditor_keys').selectAll().orderBy('created_at').orderBy('key_id').execute();
  }

  async keysOf(userId: number): Promise<VetAuditorKeyRow[]> {
    return this.db
      .selectFrom('vet_auditor_keys')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .execute();
  }

  async auditors(): Promise<UserRow[]> {
    return this.db.selectFrom('users').selectAll().where('is_auditor', '=', 1).orderBy('login').execute();
  }

  async criteria(db: Kysely<Database> = this.db): Promise<VetCriteriaRow[]> {
    return db.selectFrom('vet_criteria').selectAll().orderBy('name').execute();
  }

  async addCriteria(
    name: string,
    description: string,
    implies: string[],
    now = new Date(),
    db: Kysely<Database> = this.db,
  ): Promise<void> {
    await db
      .insertInto('vet_criteria')
      .values({ name, description, implies: JSON.stringify(implies), created_at: nowIso(now) })
      .execute();
  }

  async insertAudit(a: NewVetAudit, now = new Date(), db: Kysely<Database> = this.db): Promise<VetAuditRow> {
    return db
      .insertInto('vet_audits')
      .values({
        crate_name: a.crateName,
        canonical_name: canonicalCrateName(a.crateName),
        kind: a.kind,
        version: a.version ?? null,
        delta_from: a.deltaFrom ?? null,
        delta_to: a.deltaTo ?? null,
        violation: a.violation ?? null,
        criteria: JSON.stringify([...a.criteria].sort()),
        who: a.who,
        notes: a.notes,
        checksums: JSON.stringify(a.checksums),
        signature: a.signature,
        key_id: a.keyId,
        created_at: nowIso(now),
        recorded_by: a.recordedBy,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async audits(crateName?: string): Promise<VetAuditRow[]> {
    let q = this.db.selectFrom('vet_audits').selectAll();
    if (crateName !== undefined) q = q.where('canonical_name', '=', canonicalCrateName(crateName));
    return q.orderBy('canonical_name').orderBy('id').execute();
  }

  async putImport(
    name: string,
    source: string,
    auditsToml: string,
    auditCount: number,
    now = new Date(),
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('vet_imports').where('name', '=', name).execute();
      await trx
        .insertInto('vet_imports')
        .values({ name, source, audits_toml: auditsToml, audit_count: auditCount, imported_at: nowIso(now) })
        .execute();
    });
  }

  async imports(): Promise<VetImportRow[]> {
    return this.db.selectFrom('vet_imports').selectAll().orderBy('name').execute();
  }
}

/** The signed form of a stored audit row (what its signature covers). */
export function signedAuditOf(row: VetAuditRow): SignedAudit {
  const kind: SignedAudit['kind'] =
    row.kind === 'full'
      ? { type: 'full', version: row.version ?? '' }
      : row.kind === 'delta'
        ? { type: 'delta', from: row.delta_from ?? '', to: row.delta_to ?? '' }
        : { type: 'violation', violation: row.violation ?? '' };
  return {
    crate: row.crate_name,
    kind,
    criteria: parseStringList(row.criteria),
    who: row.who,
    notes: row.notes,
    checksums: parseChecksums(row.checksums),
  };
}

function parseStringList(text: string): string[] {
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
}

export function parseChecksums(text: string): ReviewedFile[] {
  try {
    const v: unknown = JSON.parse(text);
    if (!Array.isArray(v)) return [];
    return v.map((c: { version?: unknown; sha256?: unknown }) => ({
      version: String(c?.version ?? ''),
      sha256: String(c?.sha256 ?? ''),
    }));
  } catch {
    return [];
  }
}

export function criteriaOf(row: VetAuditRow): string[] {
  return parseStringList(row.criteria);
}
