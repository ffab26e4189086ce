// Every path a function can be called by, given the `pub use` re-exports stored per version
// (migration 019): an advisory naming `callee::inner::f` must find the callers of `callee::f`
// (`pub use inner::f;` or `pub use inner::*;` in the callee's lib.rs) and of `facade::module::f`
// (`pub use callee::module;` in another crate), and one naming `callee::f` those of
// `callee::inner::f`. Walked in both directions, a bounded number of steps.
import { canonicalCrateName } from '../domain/crate-name.js';

export interface ReexportEdge {
  /** Canonical name of the crate whose lib makes the re-export. */
  crate: string;
  /** The new path (for a glob, the module holding `pub use target::*`). */
  path: string;
  /** Canonical name of the crate `target` is in. */
  targetCrate: string;
  target: string;
  glob: boolean;
}

export interface Alias {
  /** A path the function is reachable by, as a caller's call names it. */
  path: string;
  /** Canonical name of the crate that path is in (the callee crate a caller's row names). */
  crate: string;
  /** The re-export steps from the function to this path (empty for the function itself). */
  via: string[];
}

export interface AliasLimits {
  /** Re-export steps followed from the function (default 4). */
  depth?: number;
  /** Paths returned at most (default 256). */
  max?: number;
}

const head = (path: string): string => canonicalCrateName(path.split('::')[0]!);

/** `x` is `prefix` or lies under it, segment-wise. */
const under = (x: string, prefix: string): boolean => x === prefix || x.startsWith(`${prefix}::`);

/**
 * The paths `fn` is reachable by. `into(crates)` gives the stored re-exports pointing into those
 * crates (targetCrate among them); it is asked once per crate. Forward steps (the path is itself
 * a re-export, so the function is defined elsewhere) stay within the function's own crate: a
 * crate that re-exports code of another makes no advisory of its own about that code.
 */
export async function reexportAliases(
  fn: string,
  into: (crates: string[]) => Promise<ReexportEdge[]>,
  limits: AliasLimits = {},
): Promise<Alias[]> {
  const maxDepth = limits.depth ?? 4;
  const max = limits.max ?? 256;
  const home = head(fn);
  const edges = new Map<string, ReexportEdge[]>();
  const edgesInto = async (crate: string): Promise<ReexportEdge[]> => {
    let e = edges.get(crate);
    if (!e) {
      e = await into([crate]);
      edges.set(crate, e);
    }
    return e;
  };

  const out = new Map<string, Alias>([[fn, { path: fn, crate: home, via: [] }]]);
  let frontier: Alias[] = [out.get(fn)!];
  for (let depth = 0; depth < maxDepth && frontier.length > 0 && out.size < max; depth++) {
    const next: Alias[] = [];
    const add = (path: string, from: Alias, step: string): void => {
      if (out.size >= max || out.has(path)) return;
      const a = { path, crate: head(path), via: [...from.via, step] };
      out.set(path, a);
      next.push(a);
    };
    for (const a of frontier) {
      for (const e of await edgesInto(a.crate)) {
        // Backward: `e.path` names the target, so the same rest of the path under it. Through a
        // glob, every path under the glob's module gets its twin, also those under a private
        // module (which the stored re-exports do not tell apart): such a twin names nothing, and
        // matches no caller's call unless a crate has that very path.
        if (e.glob ? a.path.startsWith(`${e.target}::`) : under(a.path, e.target))
          add(`${e.path}${a.path.slice(e.target.length)}`, a, reexportText(e));
        // Forward, in the function's own crate: the path is a named re-export of where it is
        // defined. Not through globs: a module's own item of a name wins over a glob's, which
        // the stored re-exports do not show (a caller naming the defining path of a function
        // the advisory names by its glob path is missed; docs/source-analysis.md).
        if (
          !e.glob &&
          e.crate === home &&
          e.targetCrate === home &&
          a.crate === home &&
          under(a.path, e.path)
        )
          add(`${e.target}${a.path.slice(e.path.length)}`, a, reexportText(e));
      }
    }
    frontier = next;
  }
  return [...out.values()];
}

function reexportText(e: ReexportEdge): string {
  if (e.glob) return `${e.path}: pub use ${e.target}::*`;
  const i = e.path.lastIndexOf('::');
  const name = e.path.slice(i + 2);
  const mod = i < 0 ? e.path : e.path.slice(0, i);
  return e.target.endsWith(`::${name}`)
    ? `${mod}: pub use ${e.target}`
    : `${mod}: pub use ${e.target} as ${name}`;
}
