// The advisory model shared by every part of cratekeeper that reads, matches, stores or
// reports advisories: the RustSec format's fields (rustsec `advisory/metadata.rs`), the
// version ranges derived from `[versions]`, and where each advisory came from.
import type { Version } from '../../domain/semver.js';

/** RustSec's informational kinds; other strings are kept as written (`Other(..)` in rustsec). */
export type InformationalKind = 'notice' | 'unmaintained' | 'unsound' | (string & {});

/** `crates` for `crates/<name>/…`, `rust` for toolchain advisories under `rust/<component>/…`. */
export type AdvisoryCollection = 'crates' | 'rust';

export interface AdvisoryMetadata {
  id: string;
  package: string;
  title: string;
  description: string;
  /** Disclosure date, `YYYY-MM-DD`. */
  date: string;
  aliases: string[];
  related: string[];
  collection: AdvisoryCollection;
  categories: string[];
  keywords: string[];
  /** The CVSS vector as written (v2, v3.0, v3.1 or v4.0), or null. */
  cvss: string | null;
  informational: InformationalKind | null;
  references: string[];
  /** The registry the package lives in, as a cargo SourceId (`registry+URL`, `sparse+URL`); null = crates.io. */
  source: string | null;
  url: string | null;
  /** `YYYY-MM-DD` when withdrawn (soft-deleted); withdrawn advisories never match. */
  withdrawn: string | null;
  license: string;
  expectDeleted: boolean;
}

export interface AdvisoryVersions {
  /** Version requirements as written, e.g. `>= 1.2.3`, `^0.4`. */
  patched: string[];
  unaffected: string[];
}

export interface AdvisoryAffected {
  arch: string[];
  os: string[];
  /** Canonical paths (`crate::module::fn`) to the version requirements they are affected in. */
  functions: Record<string, string[]>;
}

/** `[introduced, fixed)` by semver precedence; null bounds are open. */
export interface AffectedRange {
  introduced: Version | null;
  fixed: Version | null;
}

export interface Advisory {
  metadata: AdvisoryMetadata;
  versions: AdvisoryVersions;
  affected: AdvisoryAffected | null;
  /** The complement of `patched ∪ unaffected`, computed once when the advisory is read. */
  ranges: AffectedRange[];
  /** Where it was read from: the database's label and the file inside it. */
  origin: { database: string; file: string };
}

/** A file that could not be read as an advisory: reported with its location and skipped. */
export interface AdvisoryProblem {
  database: string;
  file: string;
  message: string;
}

export interface AdvisoryDatabaseInfo {
  /** What the user gave (`--db PATH`, a URL), used to name it in reports. */
  label: string;
  advisoryCount: number;
  /** The git commit of a checkout, when known. */
  lastCommit: string | null;
  /** RFC 3339 time of that commit or of the newest file, when known. */
  lastUpdated: string | null;
}

/**
 * An advisory dropped while merging: an earlier one (the first source given wins) has the
 * same id for the same package, or names it by alias (osv.dev's GHSA copy of a RUSTSEC one).
 */
export interface AdvisoryDuplicate {
  id: string;
  package: string;
  kept: Advisory['origin'];
  dropped: Advisory['origin'];
}

/** One or several databases loaded and merged by advisory id. */
export interface AdvisoryIndex {
  readonly advisories: readonly Advisory[];
  readonly problems: readonly AdvisoryProblem[];
  readonly databases: readonly AdvisoryDatabaseInfo[];
  /** Advisories dropped by the merge (added by the loader; absent from hand-built indexes). */
  readonly duplicates?: readonly AdvisoryDuplicate[];
  get(id: string): Advisory | undefined;
  /** Every advisory naming this package (all collections, withdrawn ones included). */
  forPackage(name: string): readonly Advisory[];
}
