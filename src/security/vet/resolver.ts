// `cargo vet check`'s decision, as cargo-vet's resolver makes it (`resolver.rs`, book
// `algorithm.md`):
// 1. requirements flow from the workspace: dev-dependencies of workspace members need the
//    member's `dev-criteria` (default safe-to-run) or its `dependency-criteria` for that crate;
//    then, dependents before dependencies, a package's own `policy.criteria` replaces what was
//    asked of it, roots need at least safe-to-deploy, and each dependency inherits the
//    package's requirement unless `dependency-criteria` names it;
// 2. per third-party crate name an audit graph: an empty root, full audits as root -> version,
//    deltas as edges (either direction), exemptions, imported audits, wildcard audits and
//    trusted entries whose publisher and publish day fall in `start <= when < end`,
//    `unpublished` entries; criteria on edges are closed under `implies`;
// 3. violations: any audit or exemption with an endpoint inside a violation's VersionReq that
//    certifies any violated criterion is a conflict, which fails the check even when an
//    exemption would otherwise pass;
// 4. a version meets a criterion when a path from the root reaches it through edges certifying
//    it; the search prefers local audits, then exemptions, then fresh imports, so the path
//    found tells whether exemptions were needed (fully / partially / only exempted).
import type {
  AuditEntry,
  AuditsFile,
  CratesSource,
  TrustEntry,
  WildcardEntry,
} from '../../formats/vet-audits.js';
import { compareVetVersions, formatVetVersion, type VetVersion } from '../../formats/vet-common.js';
import {
  DEFAULT_POLICY_CRITERIA,
  DEFAULT_POLICY_DEV_CRITERIA,
  policyFor,
  type ConfigFile,
  type ExemptedDependency,
} from '../../formats/vet-config.js';
import type { PublisherSource } from '../../formats/vet-imports-lock.js';
import { matchesReq } from '../../domain/version-req.js';
import { CriteriaMapper, hasCriteria, type CriteriaSet } from './criteria.js';
import type { DepGraph } from './metadata-graph.js';

/** Who published a version and when, as the caller knows it (imports.lock, a registry API). */
export interface PublisherInfo {
  crate: string;
  version: string | VetVersion;
  /** A date or an ISO 8601 timestamp; compared by its UTC day, as cargo-vet does. */
  publishedAt: string | Date;
  userId?: number | bigint;
  userLogin?: string;
  userName?: string;
  /** `github:owner/repo` for a trusted-publishing release. */
  trustedPublisher?: string;
}

export interface PublisherRecord {
  version: VetVersion;
  when: string;
  source: PublisherSource | { userId: bigint; userLogin?: string; userName?: string };
  /** Not in imports.lock yet: used after every stored entry and exemption. */
  fresh: boolean;
}

export interface ImportedAudits {
  name: string;
  /** Criteria already in the local namespace (imports.lock's form). */
  audits: AuditsFile;
  /** Entries fetched now that imports.lock does not hold yet. */
  fresh: WeakSet<object>;
}

export interface VetStore {
  config: ConfigFile;
  audits: AuditsFile;
  imports: ImportedAudits[];
  publishers: Map<string, PublisherRecord[]>;
  unpublished: Map<string, { version: VetVersion; auditedAs: VetVersion; fresh: boolean }[]>;
}

export type EdgeOrigin =
  | { type: 'local-audit'; index: number; importable: boolean }
  | { type: 'imported-audit'; importIndex: number; index: number }
  | { type: 'wildcard-audit'; importIndex?: number; index: number; publisherIndex: number }
  | { type: 'trusted'; publisherIndex: number }
  | { type: 'exemption'; index: number }
  | { type: 'unpublished'; index: number };

type Freshness = 'stale' | 'fresh-publisher' | 'fresh';

interface Edge {
  to: VetVersion | null;
  criteria: CriteriaSet;
  origin: EdgeOrigin;
  freshness: Freshness;
}

export type ViolationConflict =
  | { type: 'exemption'; violationSource?: string; violation: AuditEntry; exemption: ExemptedDependency }
  | {
      type: 'audit';
      violationSource?: string;
      violation: AuditEntry;
      auditSource?: string;
      audit: AuditEntry;
    };

export interface SearchFailure {
  reachableFromRoot: (VetVersion | null)[];
  reachableFromTarget: (VetVersion | null)[];
}

export interface PackageFailure {
  pkg: number;
  missing: CriteriaSet;
  /** Per failed criterion index. */
  search: Map<number, SearchFailure>;
}

export type Conclusion = 'success' | 'fail (vetting)' | 'fail (violation)';

export interface ResolveReport {
  graph: DepGraph;
  mapper: CriteriaMapper;
  requirements: CriteriaSet[];
  conclusion: Conclusion;
  vettedFully: number[];
  vettedPartially: number[];
  vettedWithExemptions: number[];
  failures: PackageFailure[];
  violations: { pkg: number; conflicts: ViolationConflict[] }[];
}

const versionKey = (v: VetVersion | null): string => (v === null ? '' : formatVetVersion(v));

function compareNullableVersions(a: VetVersion | null, b: VetVersion | null): number {
  if (a === null) return b === null ? 0 : -1;
  if (b === null) return 1;
  return compareVetVersions(a, b);
}

function sourceMatches(p: PublisherRecord['source'], s: CratesSource): boolean {
  if ('userId' in p) return 'userId' in s && s.userId === p.userId;
  return 'trustedPublisher' in s && s.trustedPublisher === p.trustedPublisher;
}

/** `start <= when < end`, days as `YYYY-MM-DD` text (which sorts as dates). */
function inWindow(when: string, e: { start: string; end: string }): boolean {
  return e.start <= when && when < e.end;
}

/** The UTC day of a publish time. */
export function publishDay(at: string | Date): string {
  if (at instanceof Date) {
    if (Number.isNaN(at.getTime())) throw new Error('invalid publish time');
    return at.toISOString().slice(0, 10);
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(at)) return at;
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) throw new Error(`invalid publish time '${at}'`);
  return d.toISOString().slice(0, 10);
}

/** Indexes a store's per-crate entries once, so each package's graph is built from maps. */
class StoreIndex {
  readonly local: Map<string, AuditEntry[]>;
  readonly localWildcards: Map<string, WildcardEntry[]>;
  readonly trusted: Map<string, TrustEntry[]>;
  readonly imported: { audits: Map<string, AuditEntry[]>; wildcards: Map<string, WildcardEntry[]> }[];
  readonly exemptions: Map<string, ExemptedDependency[]>;

  constructor(readonly store: VetStore) {
    this.local = new Map(store.audits.audits);
    this.localWildcards = new Map(store.audits.wildcardAudits);
    this.trusted = new Map(store.audits.trusted);
    this.imported = store.imports.map((i) => ({
      audits: new Map(i.audits.audits),
      wildcards: new Map(i.audits.wildcardAudits),
    }));
    this.exemptions = new Map<string, ExemptedDependency[]>();
    for (const [k, v] of store.config.exemptions)
      this.exemptions.set(k, [...(this.exemptions.get(k) ?? []), ...v]);
  }
}

export class AuditGraph {
  private readonly forward = new Map<string, Edge[]>();
  private readonly backward = new Map<string, Edge[]>();

  private constructor() {}

  private add(
    from: VetVersion | null,
    to: VetVersion | null,
    criteria: CriteriaSet,
    origin: EdgeOrigin,
    freshness: Freshness,
  ): void {
    const f = this.forward.get(versionKey(from)) ?? [];
    f.push({ to, criteria, origin, freshness });
    this.forward.set(versionKey(from), f);
    const b = this.backward.get(versionKey(to)) ?? [];
    b.push({ to: from, criteria, origin, freshness });
    this.backward.set(versionKey(to), b);
  }

  /** The crate's audit graph, or its violation conflicts. */
  static build(index: StoreIndex, mapper: CriteriaMapper, crate: string): AuditGraph | ViolationConflict[] {
    const g = new AuditGraph();
    const store = index.store;
    const allAudits: { source?: string; origin: EdgeOrigin; entry: AuditEntry; fresh: boolean }[] = [];
    store.imports.forEach((imp, importIndex) => {
      (index.imported[importIndex]!.audits.get(crate) ?? []).forEach((entry, i) =>
        allAudits.push({
          source: imp.name,
          origin: { type: 'imported-audit', importIndex, index: i },
          entry,
          fresh: imp.fresh.has(entry),
        }),
      );
    });
    (index.local.get(crate) ?? []).forEach((entry, i) =>
      allAudits.push({
        origin: { type: 'local-audit', index: i, importable: entry.importable },
        entry,
        fresh: false,
      }),
    );
    const violations: { source?: string; entry: AuditEntry }[] = [];
    for (const a of allAudits) {
      const k = a.entry.kind;
      if (k.type === 'violation') {
        violations.push(a.source === undefined ? { entry: a.entry } : { source: a.source, entry: a.entry });
        continue;
      }
      const from = k.type === 'full' ? null : k.from;
      const to = k.type === 'full' ? k.version : k.to;
      g.add(from, to, mapper.fromList(a.entry.criteria), a.origin, a.fresh ? 'fresh' : 'stale');
    }
    const wildcards: { importIndex?: number; index: number; entry: WildcardEntry; fresh: boolean }[] = [];
    store.imports.forEach((imp, importIndex) => {
      (index.imported[importIndex]!.wildcards.get(crate) ?? []).forEach((entry, i) =>
        wildcards.push({ importIndex, index: i, entry, fresh: imp.fresh.has(entry) }),
      );
    });
    (index.localWildcards.get(crate) ?? []).forEach((entry, i) =>
      wildcards.push({ index: i, entry, fresh: false }),
    );
    const trusted = index.trusted.get(crate) ?? [];
    (store.publishers.get(crate) ?? []).forEach((p, publisherIndex) => {
      for (const w of wildcards) {
        if (!sourceMatches(p.source, w.entry.source) || !inWindow(p.when, w.entry)) continue;
        const origin: EdgeOrigin =
          w.importIndex === undefined
            ? { type: 'wildcard-audit', index: w.index, publisherIndex }
            : { type: 'wildcard-audit', importIndex: w.importIndex, index: w.index, publisherIndex };
        g.add(
          null,
          p.version,
          mapper.fromList(w.entry.criteria),
          origin,
          w.fresh ? 'fresh' : p.fresh ? 'fresh-publisher' : 'stale',
        );
      }
      for (const t of trusted) {
        if (!sourceMatches(p.source, t.source) || !inWindow(p.when, t)) continue;
        // A trusted entry ranks with audits; only a fresh publisher record makes it fresh.
        g.add(
          null,
          p.version,
          mapper.fromList(t.criteria),
          { type: 'trusted', publisherIndex },
          p.fresh ? 'fresh' : 'stale',
        );
      }
    });
    (store.unpublished.get(crate) ?? []).forEach((u, i) =>
      g.add(
        u.auditedAs,
        u.version,
        mapper.all(),
        { type: 'unpublished', index: i },
        u.fresh ? 'fresh' : 'stale',
      ),
    );
    const exemptions = index.exemptions.get(crate) ?? [];
    exemptions.forEach((e, i) =>
      g.add(null, e.version, mapper.fromList(e.criteria), { type: 'exemption', index: i }, 'stale'),
    );

    const conflicts: ViolationConflict[] = [];
    for (const v of violations) {
      const req = (v.entry.kind as { type: 'violation'; violation: Parameters<typeof matchesReq>[0] })
        .violation;
      // Each violated criterion on its own: [a, b] conflicts with an audit for [a, c].
      const violated = v.entry.criteria.map((c) => mapper.fromList([c]));
      const hits = (criteria: string[]): boolean => {
        const set = mapper.fromList(criteria);
        return violated.some((c) => (set & c) === c);
      };
      const matches = (ver: VetVersion): boolean => matchesReq(req, ver.semver);
      for (const e of exemptions) {
        if (hits(e.criteria) && matches(e.version)) {
          conflicts.push(withSource({ type: 'exemption', violation: v.entry, exemption: e }, v.source));
        }
      }
      for (const a of allAudits) {
        const k = a.entry.kind;
        if (k.type === 'violation' || !hits(a.entry.criteria)) continue;
        const inRange = k.type === 'full' ? matches(k.version) : matches(k.from) || matches(k.to);
        if (!inRange) continue;
        const c: ViolationConflict = { type: 'audit', violation: v.entry, audit: a.entry };
        if (v.source !== undefined) c.violationSource = v.source;
        if (a.source !== undefined) c.auditSource = a.source;
        conflicts.push(c);
      }
    }
    return conflicts.length > 0 ? conflicts : g;
  }

  /** A path root -> version for the criterion, or what each side could reach. */
  search(criteriaIdx: number, version: VetVersion): EdgeOrigin[] | SearchFailure {
    const back = searchPath(this.backward, criteriaIdx, version, null);
    if ('path' in back) return back.path;
    const fwd = searchPath(this.forward, criteriaIdx, null, version);
    return { reachableFromRoot: 'path' in fwd ? [] : fwd.reachable, reachableFromTarget: back.reachable };
  }
}

function withSource(c: ViolationConflict, source: string | undefined): ViolationConflict {
  if (source !== undefined) c.violationSource = source;
  return c;
}

// cargo-vet's CaveatLevel, in order (search mode PreferExemptions, which `check` uses).
enum Caveat {
  None,
  NonImportableAudit,
  PreferredExemption,
  PreferredUnpublished,
  FreshPublisher,
  FreshImport,
  Exemption,
  Unpublished,
}

interface QueueNode {
  version: VetVersion | null;
  originVersion: VetVersion | null;
  path: EdgeOrigin[];
  caveat: Caveat;
}

function edgeCaveat(e: Edge): Caveat {
  switch (e.origin.type) {
    case 'local-audit':
      if (!e.origin.importable) return Caveat.NonImportableAudit;
      break;
    case 'exemption':
      return Caveat.PreferredExemption;
    case 'unpublished':
      return e.freshness === 'stale' ? Caveat.PreferredUnpublished : Caveat.Unpublished;
  }
  return e.freshness === 'stale'
    ? Caveat.None
    : e.freshness === 'fresh-publisher'
      ? Caveat.FreshPublisher
      : Caveat.FreshImport;
}

/** Lower sorts first: fewer caveats, lower version, smaller exemption origin, shorter path. */
function compareQueueNodes(a: QueueNode, b: QueueNode): number {
  if (a.caveat !== b.caveat) return a.caveat - b.caveat;
  const v = compareNullableVersions(a.version, b.version);
  if (v !== 0) return v;
  const exemption = (n: QueueNode): VetVersion | null =>
    n.caveat === Caveat.PreferredExemption || n.caveat === Caveat.Exemption ? n.originVersion : null;
  const ex = compareNullableVersions(exemption(a), exemption(b));
  if (ex !== 0) return ex;
  return a.path.length - b.path.length;
}

/** A binary min-heap. */
class Heap<T> {
  private readonly items: T[] = [];
  constructor(private readonly cmp: (a: T, b: T) => number) {}
  get size(): number {
    return this.items.length;
  }
  push(x: T): void {
    const a = this.items;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.cmp(a[i]!, a[p]!) >= 0) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): T | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.cmp(a[l]!, a[m]!) < 0) m = l;
        if (r < a.length && this.cmp(a[r]!, a[m]!) < 0) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

function searchPath(
  graph: Map<string, Edge[]>,
  criteriaIdx: number,
  from: VetVersion | null,
  to: VetVersion | null,
): { path: EdgeOrigin[] } | { reachable: (VetVersion | null)[] } {
  const queue = new Heap<QueueNode>(compareQueueNodes);
  queue.push({ version: from, originVersion: from, path: [], caveat: Caveat.None });
  const visited = new Map<string, VetVersion | null>();
  const target = versionKey(to);
  while (queue.size > 0) {
    const node = queue.pop()!;
    const key = versionKey(node.version);
    if (visited.has(key)) continue;
    visited.set(key, node.version);
    if (key === target) return { path: node.path };
    for (const edge of graph.get(key) ?? []) {
      if (!hasCriteria(edge.criteria, criteriaIdx)) continue;
      if (visited.has(versionKey(edge.to))) continue;
      queue.push({
        version: edge.to,
        originVersion: node.version,
        path: [...node.path, edge.origin],
        caveat: Math.max(node.caveat, edgeCaveat(edge)),
      });
    }
  }
  return { reachable: [...visited.values()].sort(compareNullableVersions) };
}

/** What each package must meet (`resolve_requirements`). */
export function resolveRequirements(
  graph: DepGraph,
  config: ConfigFile,
  mapper: CriteriaMapper,
): CriteriaSet[] {
  const req: CriteriaSet[] = graph.nodes.map(() => 0n);
  for (const pkg of graph.nodes) {
    if (pkg.devDeps.length === 0) continue;
    const policy = policyFor(config, pkg.name, pkg.version);
    const dev = mapper.fromList(policy?.devCriteria ?? [DEFAULT_POLICY_DEV_CRITERIA]);
    const depCriteria = new Map(policy?.dependencyCriteria ?? []);
    for (const d of pkg.devDeps) {
      const named = depCriteria.get(graph.nodes[d]!.name);
      req[d] = req[d]! | (named !== undefined ? mapper.fromList(named) : dev);
    }
  }
  for (let t = graph.topoIndex.length - 1; t >= 0; t--) {
    const i = graph.topoIndex[t]!;
    const pkg = graph.nodes[i]!;
    const policy = policyFor(config, pkg.name, pkg.version);
    if (policy?.criteria !== undefined) req[i] = mapper.fromList(policy.criteria);
    else if (pkg.isRoot) req[i] = req[i]! | mapper.fromList([DEFAULT_POLICY_CRITERIA]);
    const depCriteria = new Map(policy?.dependencyCriteria ?? []);
    for (const d of pkg.normalAndBuildDeps) {
      const named = depCriteria.get(graph.nodes[d]!.name);
      req[d] = req[d]! | (named !== undefined ? mapper.fromList(named) : req[i]!);
    }
  }
  return req;
}

export function resolve(graph: DepGraph, store: VetStore): ResolveReport {
  const mapper = new CriteriaMapper(store.audits.criteria);
  const requirements = resolveRequirements(graph, store.config, mapper);
  const index = new StoreIndex(store);
  const report: ResolveReport = {
    graph,
    mapper,
    requirements,
    conclusion: 'success',
    vettedFully: [],
    vettedPartially: [],
    vettedWithExemptions: [],
    failures: [],
    violations: [],
  };
  const graphs = new Map<string, AuditGraph | ViolationConflict[]>();
  graph.nodes.forEach((pkg, i) => {
    if (!pkg.isThirdParty) return;
    let ag = graphs.get(pkg.name);
    if (ag === undefined) {
      ag = AuditGraph.build(index, mapper, pkg.name);
      graphs.set(pkg.name, ag);
    }
    if (Array.isArray(ag)) {
      report.violations.push({ pkg: i, conflicts: ag });
      return;
    }
    let neededExemptions = false;
    let directlyExempted = false;
    let missing = 0n;
    const search = new Map<number, SearchFailure>();
    for (const c of mapper.indices(requirements[i]!)) {
      const r = ag.search(c, pkg.version);
      if (Array.isArray(r)) {
        neededExemptions ||= r.some((o) => o.type === 'exemption');
        directlyExempted ||= r.every((o) => o.type === 'exemption' || o.type === 'unpublished');
      } else {
        missing |= 1n << BigInt(c);
        search.set(c, r);
      }
    }
    if (missing !== 0n) report.failures.push({ pkg: i, missing, search });
    if (!neededExemptions) report.vettedFully.push(i);
    else if (directlyExempted) report.vettedWithExemptions.push(i);
    else report.vettedPartially.push(i);
  });
  report.conclusion =
    report.violations.length > 0
      ? 'fail (violation)'
      : report.failures.length > 0
        ? 'fail (vetting)'
        : 'success';
  return report;
}

/** A delta to audit: `from` null is a full audit. */
export interface SuggestedDelta {
  from: VetVersion | null;
  to: VetVersion;
}

/**
 * cargo-vet's candidates for the audit that fixes a failure (`resolver.rs` suggest): for each
 * version from which the target is reachable for every failed criterion, the closest version
 * below and the closest at or above it among those reachable from the root (the root, a full
 * audit, counts as lowest). cargo-vet then keeps the candidate with the smallest diff.
 */
export function suggestionCandidates(failure: PackageFailure): SuggestedDelta[] {
  const fromRoot = intersect([...failure.search.values()].map((s) => s.reachableFromRoot)).sort(
    compareNullableVersions,
  );
  const toTarget = intersect([...failure.search.values()].map((s) => s.reachableFromTarget)).filter(
    (v): v is VetVersion => v !== null,
  );
  const out: SuggestedDelta[] = [];
  for (const dest of toTarget.sort(compareVetVersions)) {
    let below: VetVersion | null | undefined;
    let above: VetVersion | null | undefined;
    for (const v of fromRoot) {
      if (compareNullableVersions(v, dest) < 0) below = v;
      else if (above === undefined) above = v;
    }
    if (below !== undefined) out.push({ from: below, to: dest });
    if (above !== undefined && above !== null) out.push({ from: above, to: dest });
  }
  return out;
}

function intersect(lists: (VetVersion | null)[][]): (VetVersion | null)[] {
  if (lists.length === 0) return [null];
  const [first, ...rest] = lists;
  const keys = rest.map((l) => new Set(l.map(versionKey)));
  return first!.filter((v) => keys.every((k) => k.has(versionKey(v))));
}

/** Records from the caller (a registry API, a cache), normalised for the resolver. */
export function publisherRecords(
  infos: readonly PublisherInfo[],
  parseVersion: (s: string) => VetVersion,
): Map<string, PublisherRecord[]> {
  const out = new Map<string, PublisherRecord[]>();
  for (const info of infos) {
    const version = typeof info.version === 'string' ? parseVersion(info.version) : info.version;
    let source: PublisherRecord['source'];
    if (info.userId !== undefined) {
      source = { userId: BigInt(info.userId) };
      if (info.userLogin !== undefined) source.userLogin = info.userLogin;
      if (info.userName !== undefined) source.userName = info.userName;
    } else if (info.trustedPublisher !== undefined) {
      source = { trustedPublisher: info.trustedPublisher };
    } else {
      continue;
    }
    const list = out.get(info.crate) ?? [];
    list.push({ version, when: publishDay(info.publishedAt), source, fresh: true });
    out.set(info.crate, list);
  }
  return out;
}
