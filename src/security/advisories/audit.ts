// A lockfile audit with rustsec's semantics (rustsec `report.rs`, `database.rs`, `database/query.rs`):
// vulnerabilities are the non-informational, non-withdrawn advisories of the `crates` collection
// whose source and version match a package; informational advisories become warnings of their
// kind (only kinds listed in `informationalWarnings` and known to rustsec: notice, unmaintained,
// unsound); ignores are applied after querying; target filters apply only when both the advisory
// and the user name targets. Each finding carries the shortest dependency chain from a workspace
// member, which cargo-audit shows as an inverted tree.
//
// Pure and synchronous: the database is loaded and the lockfile parsed by the caller.
import { parseVersion, type Version } from '../../domain/semver.js';
import { parseLockDependencyRef, type LockedPackage, type Lockfile } from '../../domain/lockfile.js';
import type { Advisory, AdvisoryIndex } from './advisory.js';
import { advisoryIsInSource, versionIsAffected } from './audit-matching.js';
import { cvssSeverity, severityRank, type Severity } from './cvss.js';

export type WarningKind = 'notice' | 'unmaintained' | 'unsound' | 'yanked';

/** rustsec's `WarningKind` order (its `Ord`), which is also the key order of the JSON report. */
export const WARNING_KINDS: readonly WarningKind[] = ['notice', 'unmaintained', 'unsound', 'yanked'];

/** cargo-audit's default `informational_warnings`. */
export const DEFAULT_INFORMATIONAL_WARNINGS: readonly string[] = ['unmaintained', 'unsound', 'notice'];

export interface AuditSettings {
  targetArch: string[];
  targetOs: string[];
  /** Drop advisories whose CVSS severity is below this (advisories without CVSS always pass). */
  severity: Severity | null;
  /** Advisory ids. */
  ignore: string[];
  informationalWarnings: string[];
}

export function defaultAuditSettings(): AuditSettings {
  return {
    targetArch: [],
    targetOs: [],
    severity: null,
    ignore: [],
    informationalWarnings: [...DEFAULT_INFORMATIONAL_WARNINGS],
  };
}

/** A dependency edge resolved to the package it names (cargo-lock's `Dependency`). */
export interface ResolvedDependency {
  name: string;
  version: string;
  source: string | null;
}

export interface AuditedPackage extends LockedPackage {
  /** Index in the lockfile's package list. */
  index: number;
  resolvedDependencies: ResolvedDependency[];
  /** Indices of the packages those references name (self-references left out). */
  dependencyIndices: number[];
}

export interface Finding {
  package: AuditedPackage;
  /** Null for yanked warnings. */
  advisory: Advisory | null;
  /** Package indices from a workspace member (first) to this package (last). */
  path: number[];
}

export interface AuditReport {
  packages: AuditedPackage[];
  settings: AuditSettings;
  vulnerabilities: Finding[];
  /** By kind, in WARNING_KINDS order; only kinds with findings are present. */
  warnings: Map<WarningKind, Finding[]>;
  /** How many findings each ignored id suppressed (ids that suppressed nothing are absent). */
  ignoredMatches: Map<string, number>;
  /** shortestPathParents of `packages`, for paths of findings added later (yanked). */
  parents: Int32Array;
}

/** Resolves each package's dependency references as cargo-lock does (first package matching). */
export function resolvePackages(lock: Lockfile): AuditedPackage[] {
  const byName = new Map<string, number[]>();
  const pkgs = lock.packages;
  for (let i = 0; i < pkgs.length; i++) {
    const name = pkgs[i]!.name;
    const list = byName.get(name);
    if (list) list.push(i);
    else byName.set(name, [i]);
  }
  const out: AuditedPackage[] = new Array(pkgs.length);
  for (let index = 0; index < pkgs.length; index++) {
    const p = pkgs[index]!;
    const resolvedDependencies: ResolvedDependency[] = [];
    const dependencyIndices: number[] = [];
    for (const ref of p.dependencies) {
      const r = parseLockDependencyRef(ref);
      let found = -1;
      for (const q of byName.get(r.name) ?? []) {
        const c = pkgs[q]!;
        if (r.version !== null && c.version !== r.version) continue;
        // A reference without a source names the first package that matches (cargo-lock).
        if (r.source !== null && c.source !== r.source) continue;
        found = q;
        break;
      }
      if (found >= 0) {
        const c = pkgs[found]!;
        resolvedDependencies.push({ name: c.name, version: c.version, source: r.source ?? c.source });
        if (found !== index) dependencyIndices.push(found);
      } else {
        resolvedDependencies.push({ name: r.name, version: r.version ?? '', source: r.source });
      }
    }
    out[index] = {
      name: p.name,
      version: p.version,
      source: p.source,
      checksum: p.checksum,
      dependencies: p.dependencies,
      index,
      resolvedDependencies,
      dependencyIndices,
    };
  }
  return out;
}

/**
 * For every package, its predecessor on a shortest path from a root: roots are the workspace
 * members (source null) nothing else depends on; if cycles leave none, every path package is a
 * start; if there are no path packages, the packages nothing depends on.
 */
export function shortestPathParents(packages: readonly AuditedPackage[]): Int32Array {
  const n = packages.length;
  const hasIncoming = new Uint8Array(n);
  for (const p of packages) for (const i of p.dependencyIndices) hasIncoming[i] = 1;
  let starts = packages.filter((p) => p.source === null && !hasIncoming[p.index]).map((p) => p.index);
  if (starts.length === 0) starts = packages.filter((p) => p.source === null).map((p) => p.index);
  if (starts.length === 0) starts = packages.filter((p) => !hasIncoming[p.index]).map((p) => p.index);

  const parent = new Int32Array(n).fill(-2); // -2 unvisited, -1 a start
  const queue = new Int32Array(n);
  let tail = 0;
  for (const s of starts) {
    parent[s] = -1;
    queue[tail++] = s;
  }
  for (let head = 0; head < tail; head++) {
    const at = queue[head]!;
    for (const next of packages[at]!.dependencyIndices) {
      if (parent[next] !== -2) continue;
      parent[next] = at;
      queue[tail++] = next;
    }
  }
  return parent;
}

export function pathTo(parents: Int32Array, index: number): number[] {
  const out: number[] = [];
  let at = index;
  // Bounded by the package count, so a corrupt parent table cannot loop forever.
  for (let guard = 0; at >= 0 && guard <= parents.length; guard++) {
    out.push(at);
    at = parents[at]!;
    if (at === -2) break;
  }
  return out.reverse();
}

function targetsMatch(advisory: Advisory, settings: AuditSettings): boolean {
  const affected = advisory.affected;
  if (!affected) return true;
  if (
    affected.arch.length > 0 &&
    settings.targetArch.length > 0 &&
    !settings.targetArch.some((a) => affected.arch.includes(a))
  )
    return false;
  if (
    affected.os.length > 0 &&
    settings.targetOs.length > 0 &&
    !settings.targetOs.some((o) => affected.os.includes(o))
  )
    return false;
  return true;
}

function passesSeverity(advisory: Advisory, threshold: Severity | null): boolean {
  if (threshold === null || advisory.metadata.cvss === null) return true;
  const severity = cvssSeverity(advisory.metadata.cvss);
  // A vector we cannot score is treated like a missing one: it never hides an advisory.
  return severity === null || severityRank(severity) >= severityRank(threshold);
}

const WARNING_FROM_INFORMATIONAL: Record<string, WarningKind | undefined> = {
  notice: 'notice',
  unmaintained: 'unmaintained',
  unsound: 'unsound',
};

/** Audits a parsed lockfile against a loaded advisory index. */
export function auditLockfile(index: AdvisoryIndex, lock: Lockfile, settings: AuditSettings): AuditReport {
  const packages = resolvePackages(lock);
  const parents = shortestPathParents(packages);
  const ignore = new Set(settings.ignore);
  const ignoredMatches = new Map<string, number>();
  const vulnerabilities: Finding[] = [];
  const byKind = new Map<WarningKind, Finding[]>();
  const informational = new Set(settings.informationalWarnings);

  for (const pkg of packages) {
    // Path packages are never matched (rustsec skips every package without a registry source).
    if (pkg.source === null) continue;
    const candidates = index.forPackage(pkg.name);
    if (candidates.length === 0) continue;
    let version: Version;
    try {
      version = parseVersion(pkg.version);
    } catch {
      continue; // the lockfile parser already refuses bad versions; defensive only
    }
    const matched = candidates
      .filter(
        (a) =>
          a.metadata.collection === 'crates' &&
          a.metadata.withdrawn === null &&
          a.metadata.package === pkg.name &&
          advisoryIsInSource(a, pkg.source) &&
          versionIsAffected(a, version) &&
          passesSeverity(a, settings.severity) &&
          targetsMatch(a, settings),
      )
      .sort((a, b) => (a.metadata.id < b.metadata.id ? -1 : a.metadata.id > b.metadata.id ? 1 : 0));
    for (const advisory of matched) {
      const info = advisory.metadata.informational;
      let kind: WarningKind | undefined;
      if (info !== null) {
        if (!informational.has(info)) continue;
        kind = WARNING_FROM_INFORMATIONAL[info];
        if (kind === undefined) continue; // an informational kind rustsec has no warning for
      }
      if (ignore.has(advisory.metadata.id)) {
        ignoredMatches.set(advisory.metadata.id, (ignoredMatches.get(advisory.metadata.id) ?? 0) + 1);
        continue;
      }
      const finding: Finding = { package: pkg, advisory, path: pathTo(parents, pkg.index) };
      if (kind === undefined) vulnerabilities.push(finding);
      else {
        const list = byKind.get(kind);
        if (list) list.push(finding);
        else byKind.set(kind, [finding]);
      }
    }
  }
  const warnings = new Map<WarningKind, Finding[]>();
  for (const k of WARNING_KINDS) {
    const list = byKind.get(k);
    if (list) warnings.set(k, list);
  }
  return { packages, settings, vulnerabilities, warnings, ignoredMatches, parents };
}

/** Adds yanked warnings (cargo-audit appends them after the report; ignores do not apply). */
export function addYankedWarnings(report: AuditReport, yankedIndices: readonly number[]): void {
  if (yankedIndices.length === 0) return;
  const list = report.warnings.get('yanked') ?? [];
  for (const i of yankedIndices) {
    list.push({ package: report.packages[i]!, advisory: null, path: pathTo(report.parents, i) });
  }
  report.warnings.set('yanked', list);
}

/** cargo-audit's `--deny` mapping: `warnings` denies unmaintained, unsound and yanked (not notice). */
export type DenyOption = 'warnings' | 'unmaintained' | 'unsound' | 'yanked';

export function deniedKinds(deny: readonly DenyOption[]): Set<WarningKind> {
  const out = new Set<WarningKind>();
  for (const d of deny) {
    if (d === 'warnings') {
      out.add('unmaintained');
      out.add('unsound');
      out.add('yanked');
    } else out.add(d);
  }
  return out;
}

/**
 * cargo-audit's `report_settings`: denying a kind makes sure its informational advisories are
 * reported (`warnings` adds notice, unmaintained and unsound).
 */
export function informationalWarningsFor(
  configured: readonly string[] | null,
  deny: readonly DenyOption[],
): string[] {
  const out = configured ? [...configured] : [...DEFAULT_INFORMATIONAL_WARNINGS];
  const add = (k: string) => {
    if (!out.includes(k)) out.push(k);
  };
  for (const d of deny) {
    if (d === 'warnings') {
      add('notice');
      add('unmaintained');
      add('unsound');
      break;
    }
    if (d === 'unmaintained' || d === 'unsound') add(d);
  }
  return out;
}

export function countWarnings(
  report: AuditReport,
  denied: ReadonlySet<WarningKind>,
): { denied: number; allowed: number } {
  let d = 0;
  let a = 0;
  for (const [kind, list] of report.warnings) {
    if (denied.has(kind)) d += list.length;
    else a += list.length;
  }
  return { denied: d, allowed: a };
}

/** cargo-audit's exit rule: 1 on any vulnerability or any warning of a denied kind. */
export function shouldFail(report: AuditReport, denied: ReadonlySet<WarningKind>): boolean {
  return report.vulnerabilities.length > 0 || countWarnings(report, denied).denied > 0;
}
