// rustsec's queries over a loaded index for one lockfile package (`database.rs`
// `query_vulnerabilities`, `report.rs` `find_warnings`): the `crates` collection only,
// withdrawn advisories never, the source and version matched as in `ranges.ts`.
import type { Version } from '../../domain/semver.js';
import type { Advisory, AdvisoryIndex } from './advisory.js';
import { advisoryAppliesToSource, isVersionAffected, isWithdrawn } from './ranges.js';

export interface LockedPackage {
  name: string;
  version: Version | string;
  /** The lockfile `source`; null/undefined for path and workspace packages. */
  source: string | null | undefined;
}

/** The informational kinds that become warnings (rustsec `WarningKind`); others are dropped. */
export const WARNING_KINDS = ['notice', 'unmaintained', 'unsound'] as const;
export type WarningKind = (typeof WARNING_KINDS)[number];

export interface PackageAdvisories {
  /** Advisories without `informational`: cargo-audit's vulnerabilities. */
  vulnerabilities: Advisory[];
  /** Informational advisories of a known kind, with that kind. */
  warnings: { kind: WarningKind; advisory: Advisory }[];
}

/** Every advisory that applies to this package version, split as cargo-audit reports them. */
export function advisoriesForPackage(index: AdvisoryIndex, pkg: LockedPackage): PackageAdvisories {
  const out: PackageAdvisories = { vulnerabilities: [], warnings: [] };
  for (const a of index.forPackage(pkg.name)) {
    if (a.metadata.collection !== 'crates' || isWithdrawn(a)) continue;
    if (!advisoryAppliesToSource(a, pkg.source) || !isVersionAffected(a, pkg.version)) continue;
    const kind = a.metadata.informational;
    if (kind === null) out.vulnerabilities.push(a);
    else if ((WARNING_KINDS as readonly string[]).includes(kind))
      out.warnings.push({ kind: kind as WarningKind, advisory: a });
  }
  return out;
}
