// cargo-geiger's JSON `SafetyReport` (cargo-geiger-serde/src/report.rs) from our analyses:
// `packages[]` sorted by package id, each `{package: {id, dependencies, dev_dependencies,
// build_dependencies}, unsafety: {used, unused, forbids_unsafe}}` with CounterBlocks keyed
// `functions, exprs, item_impls, item_traits, methods` and counts `{safe, unsafe_}`.
import type { CrateAnalysis } from './analyze-crate.js';
import type { UnsafeCounters } from './unsafe-counts.js';

export interface GeigerCount {
  safe: number;
  unsafe_: number;
}

export interface GeigerCounterBlock {
  functions: GeigerCount;
  exprs: GeigerCount;
  item_impls: GeigerCount;
  item_traits: GeigerCount;
  methods: GeigerCount;
}

/** serde's externally tagged `Source` enum. */
export type GeigerSource = { Registry: { name: string; url: string } } | { Path: string };

export interface GeigerPackageId {
  name: string;
  version: string;
  source: GeigerSource;
}

export interface GeigerSafetyReport {
  packages: {
    package: {
      id: GeigerPackageId;
      dependencies: GeigerPackageId[];
      dev_dependencies: GeigerPackageId[];
      build_dependencies: GeigerPackageId[];
    };
    unsafety: { used: GeigerCounterBlock; unused: GeigerCounterBlock; forbids_unsafe: boolean };
  }[];
  packages_without_metrics: GeigerPackageId[];
  used_but_not_scanned_files: string[];
}

export function toGeigerCounters(c: UnsafeCounters): GeigerCounterBlock {
  const k = (x: { safe: number; unsafe: number }): GeigerCount => ({ safe: x.safe, unsafe_: x.unsafe });
  return {
    functions: k(c.functions),
    exprs: k(c.exprs),
    item_impls: k(c.itemImpls),
    item_traits: k(c.itemTraits),
    methods: k(c.methods),
  };
}

export function geigerPackageId(a: Pick<CrateAnalysis, 'name' | 'version' | 'source'>): GeigerPackageId {
  const source: GeigerSource =
    a.source.kind === 'registry'
      ? { Registry: { name: a.source.name, url: a.source.url } }
      : { Path: a.source.url };
  return { name: a.name, version: a.version, source };
}

/**
 * One report for crates analysed separately: each is its own package (no dependency edges,
 * since a `.crate` does not say which versions it was built against). Crates that could not be
 * analysed at all go to packages_without_metrics; module files declared but absent (generated
 * at build time) to used_but_not_scanned_files.
 */
export function geigerSafetyReport(
  analyses: CrateAnalysis[],
  failed: { name: string; version: string; source: CrateAnalysis['source'] }[] = [],
): GeigerSafetyReport {
  const cmp = (a: GeigerPackageId, b: GeigerPackageId): number =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : a.version < b.version ? -1 : a.version > b.version ? 1 : 0;
  const packages = analyses
    .map((a) => ({
      package: { id: geigerPackageId(a), dependencies: [], dev_dependencies: [], build_dependencies: [] },
      unsafety: {
        used: toGeigerCounters(a.unsafety.used),
        unused: toGeigerCounters(a.unsafety.unused),
        forbids_unsafe: a.unsafety.forbidsUnsafe,
      },
    }))
    .sort((x, y) => cmp(x.package.id, y.package.id));
  return {
    packages,
    packages_without_metrics: failed.map(geigerPackageId).sort(cmp),
    used_but_not_scanned_files: analyses
      .flatMap((a) => a.missingModules.map((m) => `${a.name}-${a.version}/${m}`))
      .sort(),
  };
}
