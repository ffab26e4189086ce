// Whether a workspace's own code reaches a function (e.g. an advisory's `[affected.functions]`
// path) through the call graphs of the crates it locks: directly, through intermediate crates,
// or "unknown" when the only way left passes a call whose callee could not be resolved and could
// lead there. "Not reached" is claimed only when no such call is on any path.
import type { CrateInvocations } from './invocations.js';

export interface CrateGraphInput {
  /** Package name (`serde_json` or `serde-json`: compared with `-` as `_`). */
  name: string;
  /** The crate's own invocations (its lib target, or a bin for workspace members). */
  invocations: CrateInvocations;
  /**
   * Names of the crates it depends on (normal deps). When given, an unresolved call in this
   * crate is dangerous only if the target's crate is among them (transitively) or is this crate;
   * when absent, every unresolved call is.
   */
  dependencies?: string[];
  /**
   * The crate's source could not be read (no invocations): any call into it may lead anywhere
   * its dependencies can, so a path through it is "unknown", never "not reached".
   */
  sourceUnavailable?: boolean;
}

export interface ChainStep {
  /** Function path, `crate_name::mod::fn`. */
  function: string;
  /** Where it calls the next step (absent for the last). */
  callSite?: { file: string; line: number; crate: string };
}

export type Reachability =
  | { status: 'reached'; chain: ChainStep[] }
  | {
      status: 'unknown';
      /** From the workspace to the function holding the unresolved call. */
      chain: ChainStep[];
      unresolved: { method?: string; written?: string; reason: string; file: string; line: number };
    }
  | { status: 'not-reached' };

const norm = (s: string): string => s.replace(/-/g, '_');

interface Edge {
  to: string;
  file: string;
  line: number;
  crate: string;
}
interface Unresolved {
  method?: string;
  written?: string;
  reason: string;
  file: string;
  line: number;
}

/** `crate::a::b` in crate `name` -> `name::a::b`. */
function qualify(name: string, path: string): string {
  return path.startsWith('crate::') ? `${name}::${path.slice(7)}` : path === 'crate' ? name : path;
}

export class CallGraph {
  private readonly edges = new Map<string, Edge[]>();
  private readonly unresolved = new Map<string, Unresolved[]>();
  private readonly crateOf = new Map<string, string>();
  private readonly exports = new Map<string, Record<string, Record<string, string>>>();
  private readonly globExports = new Map<string, Record<string, string[]>>();
  /**
   * Every defined function path and each of its prefixes (`vuln::parse`, `vuln::parse::bad`),
   * built on first use: only paths through `pub use x::*` globs need it.
   */
  private knownPaths: Set<string> | null = null;
  private readonly defPaths: string[] = [];
  private readonly deps = new Map<string, string[] | undefined>();
  /** Function names defined per crate (last path segment), for unresolved method calls. */
  private readonly names = new Map<string, Map<string, string[]>>();
  private readonly unavailable = new Set<string>();

  constructor(crates: CrateGraphInput[]) {
    for (const c of crates) {
      const name = norm(c.name);
      // Several inputs may share a name (a member's lib and bins, two locked versions): merged.
      this.exports.set(name, { ...this.exports.get(name), ...c.invocations.exports });
      const globs = { ...this.globExports.get(name) };
      for (const [mod, list] of Object.entries(c.invocations.globExports ?? {}))
        globs[mod] = [...new Set([...(globs[mod] ?? []), ...list])];
      this.globExports.set(name, globs);
      for (const d of c.invocations.defs) this.defPaths.push(qualify(name, d.path));
      const had = this.deps.has(name) ? this.deps.get(name) : [];
      const mine = c.dependencies?.map(norm);
      this.deps.set(name, had === undefined || mine === undefined ? undefined : [...had, ...mine]);
    }
    for (const c of crates) {
      const name = norm(c.name);
      // Left out of `names`, so an unresolved method call that can see it stays dangerous.
      if (c.sourceUnavailable) {
        this.unavailable.add(name);
        continue;
      }
      const byName = this.names.get(name) ?? new Map<string, string[]>();
      for (const d of c.invocations.defs) {
        const f = qualify(name, d.path);
        this.crateOf.set(f, name);
        const last = f.slice(f.lastIndexOf('::') + 2);
        const same = byName.get(last);
        if (same) same.push(f);
        else byName.set(last, [f]);
      }
      this.names.set(name, byName);
      for (const call of c.invocations.calls) {
        const from = qualify(name, call.caller);
        this.crateOf.set(from, name);
        if (call.callee.kind === 'resolved') {
          const to = this.canonical(call.callee.path);
          const list = this.edges.get(from) ?? [];
          list.push({ to, file: call.file, line: call.line, crate: name });
          this.edges.set(from, list);
        } else {
          const list = this.unresolved.get(from) ?? [];
          const u: Unresolved = { reason: call.callee.reason, file: call.file, line: call.line };
          if (call.callee.method !== undefined) u.method = call.callee.method;
          if (call.callee.written !== undefined) u.written = call.callee.written;
          list.push(u);
          this.unresolved.set(from, list);
        }
      }
    }
  }

  /**
   * A path as the callee crate defines it: its `pub use` re-exports followed (a few steps), so
   * that `serde_json::from_str` and `serde_json::de::from_str` are one function; `pub use x::*`
   * globs too, where the name is not the module's own and exactly one glob supplies it (a
   * defined function under it, or a named re-export of the glob's module).
   */
  canonical(path: string): string {
    let segs = path.split('::').map(norm);
    for (let step = 0; step < 6; step++) {
      const ex = this.exports.get(segs[0]!);
      const globs = this.globExports.get(segs[0]!);
      if (!ex && !globs) break;
      let changed = false;
      for (let i = segs.length - 1; i >= 1 && !changed; i--) {
        const mod = ['crate', ...segs.slice(1, i)].join('::');
        let target: string[] | undefined = ex?.[mod]?.[segs[i]!]?.split('::').map(norm);
        const globbed = globs?.[mod];
        if (target === undefined && globbed && !this.known.has(segs.slice(0, i + 1).join('::'))) {
          const hits = globbed
            .map((g) => [...g.split('::').map(norm), segs[i]!])
            .filter((named) => this.hasPath(named));
          if (hits.length === 1) target = hits[0];
        }
        if (target !== undefined) {
          const next = [...target, ...segs.slice(i + 1)];
          if (next.join('::') !== segs.join('::')) {
            segs = next;
            changed = true;
          }
        }
      }
      if (!changed) break;
    }
    return segs.join('::');
  }

  private get known(): Set<string> {
    if (this.knownPaths === null) {
      this.knownPaths = new Set();
      for (const p of this.defPaths) {
        const segs = p.split('::');
        for (let i = 2; i <= segs.length; i++) this.knownPaths.add(segs.slice(0, i).join('::'));
      }
    }
    return this.knownPaths;
  }

  /** Whether an analysed crate has this path: a function or a prefix of one, or a re-export. */
  private hasPath(segs: string[], depth = 0): boolean {
    if (this.known.has(segs.join('::'))) return true;
    const mod = ['crate', ...segs.slice(1, -1)].join('::');
    const last = segs[segs.length - 1]!;
    const ex = this.exports.get(segs[0]!);
    const globs = this.globExports.get(segs[0]!);
    const asModule = `${mod}::${last}`;
    if (ex?.[mod]?.[last] !== undefined || ex?.[asModule] !== undefined || globs?.[asModule] !== undefined)
      return true;
    // A glob of a glob (`pub use imp::*` re-exported by `pub use dep::*`), a few levels deep.
    if (depth >= 3) return false;
    return globs?.[mod]?.some((g) => this.hasPath([...g.split('::').map(norm), last], depth + 1)) ?? false;
  }

  /** Crates `from` depends on, transitively, itself included; null when some list is unknown. */
  private closure(from: string): Set<string> | null {
    const seen = new Set<string>([from]);
    const queue = [from];
    while (queue.length > 0) {
      const c = queue.pop()!;
      if (!this.deps.has(c)) continue; // a crate not in the graph: its own deps are not ours to know
      const d = this.deps.get(c);
      if (d === undefined) return null;
      for (const x of d) {
        if (!seen.has(x)) {
          seen.add(x);
          queue.push(x);
        }
      }
    }
    return seen;
  }

  /** Functions from which `target` is reached over resolved calls (itself included). */
  private reverse: Map<string, string[]> | null = null;

  private reachingTarget(target: string): Set<string> {
    // Built once for all targets (a lockfile has several advisories).
    if (this.reverse === null) {
      this.reverse = new Map();
      for (const [from, list] of this.edges) {
        for (const e of list) {
          const r = this.reverse.get(e.to);
          if (r) r.push(from);
          else this.reverse.set(e.to, [from]);
        }
      }
    }
    const reverse = this.reverse;
    const seen = new Set([target]);
    const queue = [target];
    while (queue.length > 0) {
      const f = queue.pop()!;
      for (const g of reverse.get(f) ?? []) {
        if (!seen.has(g)) {
          seen.add(g);
          queue.push(g);
        }
      }
    }
    return seen;
  }

  /** Whether an unresolved call in `fn` could lead to the target. */
  private dangerous(fn: string, u: Unresolved, targetCrate: string, reaching: Set<string>): boolean {
    const crate = this.crateOf.get(fn);
    if (crate === undefined) return true;
    const reach = this.closure(crate);
    if (reach === null) return true;
    if (!reach.has(targetCrate)) return false;
    if (u.method === undefined) return true; // an unknown name or an indirect call: anything
    // A method call reaches the target only through a function of that name (in a crate it can
    // see) that reaches the target, or a crate we have not analysed.
    for (const c of reach) {
      const byName = this.names.get(c);
      if (!byName) {
        // Not analysed: dangerous only if the target can be behind it.
        const behind = this.closure(c);
        if (behind === null || behind.has(targetCrate)) return true;
        continue;
      }
      for (const f of byName.get(u.method) ?? []) if (reaching.has(f)) return true;
    }
    return false;
  }

  /** From the given functions (the workspace's own), can the target be reached? */
  reaches(from: Iterable<string>, targetPath: string): Reachability {
    const target = this.canonical(targetPath);
    const targetCrate = target.split('::')[0]!;
    const reaching = this.reachingTarget(target);
    const prev = new Map<string, { from: string; edge: Edge } | null>();
    const queue: string[] = [];
    for (const f of from) {
      if (!prev.has(f)) {
        prev.set(f, null);
        queue.push(f);
      }
    }
    const chainTo = (f: string): ChainStep[] => {
      const out: ChainStep[] = [{ function: f }];
      for (let p = prev.get(f); p; p = prev.get(p.from)) {
        out.unshift({
          function: p.from,
          callSite: { file: p.edge.file, line: p.edge.line, crate: p.edge.crate },
        });
      }
      return out;
    };
    let firstUnknown: Extract<Reachability, { status: 'unknown' }> | null = null;
    for (let i = 0; i < queue.length; i++) {
      const f = queue[i]!;
      if (f === target) return { status: 'reached', chain: chainTo(f) };
      if (firstUnknown === null && f !== target) {
        const crate = f.split('::')[0]!;
        if (this.unavailable.has(crate) && !this.names.has(crate)) {
          const reach = this.closure(crate);
          if (reach === null || reach.has(targetCrate))
            firstUnknown = {
              status: 'unknown',
              chain: chainTo(f),
              unresolved: { reason: `source of ${crate} unavailable`, file: '', line: 0 },
            };
        }
      }
      if (firstUnknown === null) {
        const u = (this.unresolved.get(f) ?? []).find((x) => this.dangerous(f, x, targetCrate, reaching));
        if (u) firstUnknown = { status: 'unknown', chain: chainTo(f), unresolved: u };
      }
      for (const e of this.edges.get(f) ?? []) {
        if (!prev.has(e.to)) {
          prev.set(e.to, { from: f, edge: e });
          queue.push(e.to);
        }
      }
    }
    return firstUnknown ?? { status: 'not-reached' };
  }
}

/**
 * For each target path: reached from any function of the workspace crates, through the graph
 * of the workspace and its locked dependencies.
 */
export function reachableFunctions(
  workspace: CrateGraphInput[],
  dependencies: CrateGraphInput[],
  targets: string[],
): Map<string, Reachability> {
  const graph = new CallGraph([...workspace, ...dependencies]);
  const roots: string[] = [];
  for (const w of workspace) {
    const name = norm(w.name);
    for (const d of w.invocations.defs) roots.push(qualify(name, d.path));
    for (const c of w.invocations.calls) roots.push(qualify(name, c.caller));
  }
  return new Map(targets.map((t) => [t, graph.reaches(roots, t)]));
}
