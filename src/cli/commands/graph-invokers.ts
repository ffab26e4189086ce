// `cratekeeper graph invokers PATH… --callee a::b::f`: which crate versions call a function,
// over `.crate` files, crate directories (analysed now) or `analyze --json` output.
import type { Command } from 'commander';
import { findInvokers } from '../../analysis/invokers.js';
import { loadAnalyses, LoadAnalysesError } from '../../analysis/load-analyses.js';
import { UsageError } from '../usage-error.js';

const PATH_RE = /^[A-Za-z_][A-Za-z0-9_-]*(::[A-Za-z_][A-Za-z0-9_]*)+$/;

export function registerInvokersCommand(graph: Command): void {
  graph
    .command('invokers')
    .description('which crate versions call a function path (from source analysis)')
    .argument('<paths...>', '.crate files, crate directories, folders of them, or `analyze --json` files')
    .requiredOption('--callee <path>', 'the function, e.g. openssl::ssl::SslConnector::builder')
    .option('--json', 'print the call sites as JSON')
    .option('--workers <n>', 'worker threads (default: one per core)')
    .action(async (paths: string[], o: { callee: string; json?: boolean; workers?: string }) => {
      try {
        if (!PATH_RE.test(o.callee))
          throw new UsageError(`--callee must be a path like crate::module::f, got ${o.callee}`);
        const workers = o.workers === undefined ? undefined : Number(o.workers);
        if (workers !== undefined && (!Number.isInteger(workers) || workers < 1 || workers > 64))
          throw new UsageError(`--workers must be 1–64, got ${o.workers}`);
        let failed = false;
        const analyses = await loadAnalyses(paths, {
          ...(workers ? { workers } : {}),
          onError: (p, e) => {
            failed = true;
            process.stderr.write(`error: ${p}: ${e}\n`);
          },
        }).catch((e: unknown) => {
          if (e instanceof LoadAnalysesError) throw new UsageError(e.message);
          throw e;
        });
        const hits = findInvokers(analyses, o.callee);
        if (o.json)
          process.stdout.write(
            `${JSON.stringify({ callee: o.callee, analysed: analyses.length, invokers: hits }, null, 2)}\n`,
          );
        else {
          const versions = new Set(hits.map((h) => `${h.name} ${h.version}`));
          const lines = [`${versions.size} of ${analyses.length} crate versions call ${o.callee}:`];
          let last = '';
          for (const h of hits) {
            const v = `${h.name} ${h.version}`;
            if (v !== last) lines.push(`  ${v}`);
            last = v;
            lines.push(
              `    ${h.caller.replace(/^crate::/, `${h.name.replace(/-/g, '_')}::`)} (${h.target})  ${h.file}:${h.line}`,
            );
          }
          process.stdout.write(`${lines.join('\n')}\n`);
        }
        process.exitCode = failed ? 2 : 0;
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        process.stderr.write(`error: ${e.message}\n`);
        process.exitCode = 2;
      }
    });
}
