// `audit --reachability`: for each vulnerability whose advisory lists `[affected.functions]`,
// whether the workspace's own code reaches one of them through the call graph of the locked
// versions. Sources are located (lockfile-sources.ts), analysed on worker threads once per
// crate version (cached on disk), and joined into one call graph (reachability.ts).
import { availableParallelism } from 'node:os';
import type { Advisory } from '../security/advisories/advisory.js';
import type { AuditReport } from '../security/advisories/audit.js';
import { affectedFunctionsFor } from '../security/advisories/ranges.js';
import { AnalysisCache } from './analysis-cache.js';
import { AnalysisPool } from './analysis-pool.js';
import type { CrateInvocations } from './invocations.js';
import { locateSources, packageKey, type LocateOptions } from './lockfile-sources.js';
import { CallGraph, type ChainStep, type CrateGraphInput } from './reachability.js';

export type ReachStatus = 'called' | 'not-called' | 'unknown';

export interface VulnerabilityReachability {
  advisory: string;
  package: string;
  version: string;
  /** The advisory's affected functions for this version. */
  functions: string[];
  status: ReachStatus;
  /** The affected function reached (called), or the one whose way is unknown. */
  function?: string;
  /** Workspace function first; each step's call site leads to the next. */
  chain?: ChainStep[];
  unresolved?: { method?: string; written?: string; reason: string; file: string; line: number };
}

export interface LockfileReachability {
  vulnerabilities: VulnerabilityReachability[];
  /** `name version` of packages whose source could not be found or analysed. */
  sourcesUnavailable: string[];
  /** Crate versions analysed now / taken from the cache. */
  analysed: number;
  cached: number;
  notes: string[];
  /** Milliseconds per phase: locating sources, the cache, analysing, the graph, the queries. */
  timings: Record<'locate' | 'cache' | 'analyse' | 'graph' | 'query', number>;
}

export interface ReachabilityOptions extends LocateOptions {
  cacheDir: string;
  workers?: number;
}

export const STATUS_TEXT: Record<ReachStatus, string> = {
  called: 'affected and called',
  'not-called': 'affected, not called',
  unknown: 'unknown (unresolved calls on the way)',
};

function withFunctions(report: AuditReport): { advisory: Advisory; index: number; functions: string[] }[] {
  const out: { advisory: Advisory; index: number; functions: string[] }[] = [];
  for (const f of report.vulnerabilities) {
    if (!f.advisory) continue;
    const fns = affectedFunctionsFor(f.advisory, f.package.version);
    if (fns !== null) out.push({ advisory: f.advisory, index: f.package.index, functions: fns });
  }
  return out;
}

export async function auditReachability(
  report: AuditReport,
  opts: ReachabilityOptions,
): Promise<LockfileReachability> {
  const wanted = withFunctions(report);
  const result: LockfileReachability = {
    vulnerabilities: [],
    sourcesUnavailable: [],
    analysed: 0,
    cached: 0,
    notes: [],
    timings: { locate: 0, cache: 0, analyse: 0, graph: 0, query: 0 },
  };
  let t = performance.now();
  const lap = (k: keyof LockfileReachability['timings']) => {
    const now = performance.now();
    result.timings[k] = Math.round(now - t);
    t = now;
  };
  if (wanted.length === 0) return result;

  const sources = await locateSources(report.packages, opts);
  result.notes.push(...sources.notes);
  lap('locate');
  const cache = new AnalysisCache(opts.cacheDir);
  const invocations = new Map<number, Record<string, CrateInvocations>>();
  const todo: number[] = [];
  report.packages.forEach((p, i) => {
    const s = sources.found.get(packageKey(p));
    if (!s) return;
    const hit = s.checksum ? cache.get(p.name, p.version, s.checksum) : null;
    if (hit) {
      invocations.set(i, hit.invocations);
      result.cached++;
    } else todo.push(i);
  });
  lap('cache');
  if (todo.length > 0) {
    const pool = new AnalysisPool({
      workers: Math.max(1, Math.min(opts.workers ?? availableParallelism(), todo.length)),
    });
    try {
      await Promise.all(
        todo.map(async (i) => {
          const p = report.packages[i]!;
          const s = sources.found.get(packageKey(p))!;
          const r = await pool.analyze('dir', s.dir);
          if (!r.ok) {
            result.notes.push(`could not analyse ${p.name} ${p.version}: ${r.error}`);
            return;
          }
          result.analysed++;
          invocations.set(i, r.analysis.invocations);
          if (s.checksum)
            cache.put({ name: p.name, version: p.version, invocations: r.analysis.invocations }, s.checksum);
        }),
      );
    } finally {
      await pool.close();
    }
  }

  lap('analyse');
  const inputs: CrateGraphInput[] = [];
  const roots: string[] = [];
  const norm = (s: string) => s.replace(/-/g, '_');
  report.packages.forEach((p, i) => {
    const deps = p.resolvedDependencies.map((d) => d.name);
    const member = p.source === null && sources.members.has(`${p.name} ${p.version}`);
    const inv = invocations.get(i);
    if (!inv) {
      result.sourcesUnavailable.push(`${p.name} ${p.version}`);
      inputs.push({
        name: p.name,
        invocations: { defs: [], calls: [], exports: {} },
        dependencies: deps,
        sourceUnavailable: true,
      });
      return;
    }
    // A member's bins and lib are its own code; a dependency is entered through its lib only.
    const targets = member
      ? Object.keys(inv)
          .filter((t) => t !== 'build')
          .sort((a, b) => (a === 'lib' ? 1 : b === 'lib' ? -1 : 0))
      : ['lib'];
    for (const t of targets) {
      const ci = inv[t];
      if (!ci) continue;
      inputs.push({ name: p.name, invocations: ci, dependencies: deps });
      if (member) {
        const q = (path: string) => (path.startsWith('crate::') ? `${norm(p.name)}::${path.slice(7)}` : path);
        for (const d of ci.defs) roots.push(q(d.path));
        for (const c of ci.calls) roots.push(q(c.caller));
      }
    }
  });
  if (!report.packages.some((p) => p.source === null && sources.members.has(`${p.name} ${p.version}`)))
    result.notes.push('no workspace member found in the lockfile: nothing is called from the workspace');
  const graph = new CallGraph(inputs);
  lap('graph');

  for (const w of wanted) {
    const p = report.packages[w.index]!;
    const base = {
      advisory: w.advisory.metadata.id,
      package: p.name,
      version: p.version,
      functions: w.functions,
    };
    let unknown: VulnerabilityReachability | null = null;
    let called: VulnerabilityReachability | null = null;
    for (const fn of w.functions) {
      const r = graph.reaches(roots, fn);
      if (r.status === 'reached') {
        called = { ...base, status: 'called', function: fn, chain: r.chain };
        break;
      }
      if (r.status === 'unknown' && !unknown)
        unknown = { ...base, status: 'unknown', function: fn, chain: r.chain, unresolved: r.unresolved };
    }
    result.vulnerabilities.push(called ?? unknown ?? { ...base, status: 'not-called' });
  }
  lap('query');
  return result;
}

/** One line per vulnerability, then the evidence indented. */
export function formatReachability(r: LockfileReachability): string {
  const lines: string[] = [];
  if (r.vulnerabilities.length === 0) return '';
  lines.push('', 'Reachability of affected functions:');
  for (const v of r.vulnerabilities) {
    lines.push(
      `  ${v.advisory} ${v.package} ${v.version}: ${STATUS_TEXT[v.status]}${v.function ? ` (${v.function})` : ''}`,
    );
    for (const step of v.chain ?? [])
      lines.push(
        `      ${step.function}${step.callSite ? `  at ${step.callSite.crate}/${step.callSite.file}:${step.callSite.line}` : ''}`,
      );
    if (v.unresolved) {
      const u = v.unresolved;
      const what = u.method ? `.${u.method}()` : (u.written ?? '');
      lines.push(
        `      unresolved: ${what ? `${what} ` : ''}(${u.reason})${u.file ? ` at ${u.file}:${u.line}` : ''}`,
      );
    }
  }
  if (r.sourcesUnavailable.length > 0) lines.push(`  source unavailable: ${r.sourcesUnavailable.join(', ')}`);
  for (const n of r.notes) lines.push(`  note: ${n}`);
  return `${lines.join('\n')}\n`;
}
