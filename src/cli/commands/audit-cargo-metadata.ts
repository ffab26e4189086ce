// The resolved dependency graph from `cargo metadata`, for removing the lockfile-only false
// positives cargo-audit reports (rustsec/rustsec#1119): a Cargo.lock lists every optional
// dependency and every platform's dependencies, while a build uses only those its features and
// target enable. Runs offline and `--locked`, so it never changes the lockfile or the network.
import { execFile } from 'node:child_process';
import { dirname } from 'node:path';

export interface GraphRequest {
  manifestPath: string;
  target: string | null;
  features: string[];
  allFeatures: boolean;
  noDefaultFeatures: boolean;
}

export interface ResolvedGraph {
  workspaceRoot: string;
  /** `name version` of every package in the resolve. */
  packages: Set<string>;
}

export class CargoMetadataError extends Error {
  override name = 'CargoMetadataError';
}

function run(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'cargo',
      args,
      {
        cwd,
        maxBuffer: 256 * 1024 * 1024,
        timeout: 120_000,
        env: { ...process.env, CARGO_TERM_COLOR: 'never' },
      },
      (err, stdout, stderr) => {
        if (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') return reject(new CargoMetadataError('cargo is not on PATH'));
          return reject(
            new CargoMetadataError(`cargo metadata failed: ${String(stderr).trim() || err.message}`),
          );
        }
        resolve(stdout);
      },
    );
  });
}

export async function resolvedGraph(req: GraphRequest): Promise<ResolvedGraph> {
  const args = [
    'metadata',
    '--format-version',
    '1',
    '--locked',
    '--offline',
    '--manifest-path',
    req.manifestPath,
  ];
  if (req.target) args.push('--filter-platform', req.target);
  if (req.allFeatures) args.push('--all-features');
  if (req.noDefaultFeatures) args.push('--no-default-features');
  if (req.features.length > 0) args.push('--features', req.features.join(','));
  // From the manifest's directory, so cargo reads that project's .cargo/config.toml.
  const out = await run(args, dirname(req.manifestPath));
  let doc: {
    workspace_root?: unknown;
    packages?: { id?: unknown; name?: unknown; version?: unknown }[];
    resolve?: { nodes?: { id?: unknown }[] } | null;
  };
  try {
    doc = JSON.parse(out) as typeof doc;
  } catch {
    throw new CargoMetadataError('cargo metadata printed something that is not JSON');
  }
  if (typeof doc.workspace_root !== 'string' || !Array.isArray(doc.packages) || !doc.resolve?.nodes)
    throw new CargoMetadataError('cargo metadata output has no workspace_root, packages or resolve');
  const ids = new Set(doc.resolve.nodes.map((n) => n.id));
  const packages = new Set<string>();
  for (const p of doc.packages) {
    if (ids.has(p.id) && typeof p.name === 'string' && typeof p.version === 'string')
      packages.add(`${p.name} ${p.version}`);
  }
  return { workspaceRoot: doc.workspace_root, packages };
}

export type PruneReason = 'disabled-feature' | 'other-platform' | 'not-resolved';

/**
 * The requested graph, and why each lockfile package outside it is left out: present with all
 * features (on the same target) means a disabled feature; otherwise another platform when a
 * target was given.
 */
export async function graphWithReasons(
  req: GraphRequest,
): Promise<{ graph: ResolvedGraph; reasonFor: (name: string, version: string) => PruneReason | null }> {
  const graph = await resolvedGraph(req);
  const widest = req.allFeatures
    ? graph
    : await resolvedGraph({ ...req, allFeatures: true, features: [], noDefaultFeatures: false });
  return {
    graph,
    reasonFor(name, version) {
      const key = `${name} ${version}`;
      if (graph.packages.has(key)) return null;
      if (widest.packages.has(key)) return 'disabled-feature';
      return req.target ? 'other-platform' : 'not-resolved';
    },
  };
}

export const PRUNE_REASON_TEXT: Record<PruneReason, string> = {
  'disabled-feature': 'an optional dependency behind a feature that is not enabled',
  'other-platform': 'a dependency for another platform than the target',
  'not-resolved': 'not in the resolved dependency graph',
};
