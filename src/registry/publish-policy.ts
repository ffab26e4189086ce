// What a registry decides about a publish beyond crates.io's rules: the security steps. The
// publish service receives one policy and calls it at three named points, so `publish()`
// reads top to bottom with every step in view.
import type { Transaction } from 'kysely';
import type { PublishMetadata } from '../domain/publish-metadata.js';
import type { CrateFiles } from '../security/scanner/read-crate.js';
import type { CrateRow, Database, UserRow, VersionRow, VersionStatus } from '../store/schema.js';
import type { AuthenticatedToken } from '../store/tokens.js';

export interface Publisher {
  user: UserRow;
  /** The token used, or null for trusted local tools such as `cratekeeper import`. */
  token: AuthenticatedToken | null;
}

/** A publish that passed crates.io's rules and is about to be decided on. */
export interface PublishCandidate {
  metadata: PublishMetadata;
  publisher: Publisher;
  newCrate: boolean;
  crateBytes: Buffer;
  checksum: string;
  /**
   * The archive as read once by the publish service: every file with its size and hash, and
   * the bytes of those within the read ceilings (null for the rest, marked as skipped).
   * Policies use this reading and never unpack the crate again.
   */
  archive: CrateFiles;
}

export interface Admission<Evidence = unknown> {
  status: Extract<VersionStatus, 'published' | 'quarantined'>;
  /** Shown by cargo after the publish (e.g. why the version is held). */
  warning?: string;
  /** What the policy learned while deciding (an inline scan), recorded with the version. */
  evidence?: Evidence;
}

export interface CommittedVersion {
  crate: CrateRow;
  version: VersionRow;
  newCrate: boolean;
}

export interface PublishPolicy<Evidence = unknown> {
  /** Refuses a publish before its archive is read or anything written (e.g. a squatted name). */
  check(metadata: PublishMetadata, publisher: Publisher, newCrate: boolean): Promise<void>;
  /** Whether the version reaches the index now or waits for an administrator. */
  admit(candidate: PublishCandidate): Promise<Admission<Evidence>>;
  /**
   * Writes, inside the publish transaction, what must follow the publish: its jobs (the jobs
   * table is the outbox) and the evidence admission gathered. A crash can lose neither.
   */
  record(
    trx: Transaction<Database>,
    committed: CommittedVersion,
    candidate: PublishCandidate,
    admission: Admission<Evidence>,
  ): Promise<void>;
}

/**
 * No security steps: every version is published at once and nothing is queued. Only for an
 * administrator's explicit `import --trusted`, whose audit entries say so.
 */
export const TRUSTED_POLICY: PublishPolicy = {
  check: async () => {},
  admit: async () => ({ status: 'published' }),
  record: async () => {},
};
