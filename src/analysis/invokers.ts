// Which crate versions call a function path (`graph invokers --callee openssl::ssl::SslConnector::builder`):
// every resolved call site whose callee is that path, compared after following the callee crate's
// `pub use` re-exports when that crate is among the analyses.
import type { CrateAnalysis } from './analyze-crate.js';
import { CallGraph } from './reachability.js';

export interface Invoker {
  name: string;
  version: string;
  target: string;
  caller: string;
  callee: string;
  file: string;
  line: number;
}

export function findInvokers(analyses: CrateAnalysis[], callee: string): Invoker[] {
  const graph = new CallGraph(
    analyses.filter((a) => a.invocations.lib).map((a) => ({ name: a.name, invocations: a.invocations.lib! })),
  );
  const want = graph.canonical(callee);
  const out: Invoker[] = [];
  for (const a of analyses) {
    for (const [target, inv] of Object.entries(a.invocations)) {
      for (const c of inv.calls) {
        if (c.callee.kind !== 'resolved' || graph.canonical(c.callee.path) !== want) continue;
        out.push({
          name: a.name,
          version: a.version,
          target,
          caller: c.caller,
          callee: c.callee.path,
          file: c.file,
          line: c.line,
        });
      }
    }
  }
  return out.sort((x, y) =>
    x.name < y.name ? -1 : x.name > y.name ? 1 : x.version < y.version ? -1 : x.version > y.version ? 1 : 0,
  );
}
