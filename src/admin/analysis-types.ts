// Response shapes of the source-analysis admin routes (src/admin/analysis-routes.ts), shared by
// the server and the console. No imports: the console bundles this file by relative path.

export interface UnsafeCount {
  safe: number;
  unsafe: number;
}

/** cargo-geiger's CounterBlock. */
export interface GeigerCounters {
  functions: UnsafeCount;
  exprs: UnsafeCount;
  itemImpls: UnsafeCount;
  itemTraits: UnsafeCount;
  methods: UnsafeCount;
}

export interface PathCalls {
  /** Resolved function path, `serde_json::from_str`. */
  path: string;
  /** Call sites. */
  calls: number;
}

export type AnalysisStatus = 'analyzed' | 'failed' | 'pending';

export interface VersionUnsafety {
  /** Counters of the files the build compiles, and of the files it does not. */
  used: GeigerCounters;
  unused: GeigerCounters;
  /** Unsafe items in used files (all five counters). */
  unsafeUsed: number;
  /** Every entry point has `#![forbid(unsafe_code)]`. */
  forbidsUnsafe: boolean;
  /** Share of the source that parsed, 0..1. */
  parsedFraction: number;
}

export interface CallsInto {
  /** Canonical name of the callee crate. */
  crate: string;
  /** The registry has a crate of that name (link it). */
  inRegistry: boolean;
  calls: number;
  paths: PathCalls[];
}

export interface CalledBy {
  crate: string;
  version: string;
  /** The calling version's status (published, quarantined, rejected). */
  status: string;
  calls: number;
  paths: PathCalls[];
  /** The calling version's requirement on this crate, when it declares one. */
  requirement: string | null;
  /** The requirement accepts the version asked about. */
  acceptsThisVersion: boolean;
}

export interface VersionAnalysisAnswer {
  crate: string;
  version: string;
  /** `pending`: not analysed yet (queued, or published before analyses were stored). */
  status: AnalysisStatus;
  analyzedAt: string | null;
  unsafe: VersionUnsafety | null;
  /** Why the analysis failed, or what it could not parse. */
  error: string | null;
  callsInto: CallsInto[];
  /** Versions elsewhere in the registry calling into this crate, those accepting this version first. */
  calledBy: CalledBy[];
}

export interface CrateAnalysisVersion {
  version: string;
  status: AnalysisStatus;
  unsafeUsed: number | null;
  forbidsUnsafe: boolean | null;
  parsedFraction: number | null;
  /** Crates this version calls into. */
  callsInto: number;
}

export interface CrateAnalysisList {
  crate: string;
  versions: CrateAnalysisVersion[];
}

/** A path a caller calls that is an affected function, or reaches one through `pub use`. */
export interface AffectedCall extends PathCalls {
  /** The advisory's affected function (the path itself, unless called through a re-export). */
  affected: string;
}

export interface AdvisoryCaller {
  crate: string;
  version: string;
  status: string;
  /** The crate's newest live version. */
  latest: boolean;
  calls: number;
  /** The affected functions it calls, with call sites, under the paths it calls them by. */
  functions: AffectedCall[];
}

export interface AdvisoryCallersAnswer {
  advisory: string;
  crate: string;
  /** The advisory's affected function paths (empty: it names none). */
  functions: string[];
  callers: AdvisoryCaller[];
}

export interface UnsafeRank {
  crate: string;
  version: string;
  unsafeUsed: number;
  forbidsUnsafe: boolean;
  /** Unsafe items in this version and every analysed crate it depends on (normal and build). */
  transitiveUnsafe: number;
  /** Dependencies reached that have an analysis. */
  analyzedDependencies: number;
}

export interface TopUnsafeAnswer {
  crates: UnsafeRank[];
}
