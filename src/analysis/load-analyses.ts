// Analyses for queries over many crates (`graph invokers`, the Neo4j export): `.crate` files and
// crate directories are analysed on worker threads; `.json` files written by
// `cratekeeper analyze --json` are read as they are, so a corpus is analysed once.
import { availableParallelism } from 'node:os';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { collectInputs } from '../cli/commands/scan.js';
import { AnalysisPool } from './analysis-pool.js';
import type { CrateAnalysis } from './analyze-crate.js';

export class LoadAnalysesError extends Error {
  override name = 'LoadAnalysesError';
}

/** At most this much JSON per file: a hostile or wrong file fails clearly instead of filling memory. */
const MAX_JSON_BYTES = 1024 * 1024 * 1024;

function analysesOf(text: string, file: string): CrateAnalysis[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new LoadAnalysesError(`${file}: not JSON (${(e as Error).message})`);
  }
  const list = (doc as { analyses?: unknown } | null)?.analyses;
  if (!Array.isArray(list))
    throw new LoadAnalysesError(
      `${file}: expected \`cratekeeper analyze --json\` output ({"analyses": [...]})`,
    );
  list.forEach((a: unknown, i) => {
    const x = a as Partial<CrateAnalysis> | null;
    if (
      !x ||
      typeof x.name !== 'string' ||
      typeof x.version !== 'string' ||
      typeof x.invocations !== 'object' ||
      x.invocations === null ||
      typeof x.unsafety !== 'object' ||
      x.unsafety === null
    )
      throw new LoadAnalysesError(`${file}: analyses[${i}] lacks name, version, unsafety or invocations`);
    for (const [t, inv] of Object.entries(x.invocations))
      if (!Array.isArray(inv?.calls) || !Array.isArray(inv?.defs))
        throw new LoadAnalysesError(`${file}: analyses[${i}].invocations.${t} lacks defs or calls`);
  });
  return list as CrateAnalysis[];
}

async function jsonFiles(paths: string[]): Promise<{ json: string[]; rest: string[] }> {
  const json: string[] = [];
  const rest: string[] = [];
  for (const p of paths) {
    const st = await stat(p).catch(() => null);
    if (st?.isFile() && p.endsWith('.json')) json.push(p);
    else if (st?.isDirectory()) {
      const names = (await readdir(p)).sort();
      const here = names.filter((n) => n.endsWith('.json'));
      if (here.length > 0 && !names.includes('Cargo.toml')) {
        json.push(...here.map((n) => join(p, n)));
        if (names.some((n) => n.endsWith('.crate'))) rest.push(p);
      } else rest.push(p);
    } else rest.push(p);
  }
  return { json, rest };
}

export async function loadAnalyses(
  paths: string[],
  opts: { workers?: number; onError?: (path: string, error: string) => void } = {},
): Promise<CrateAnalysis[]> {
  const { json, rest } = await jsonFiles(paths);
  const out: CrateAnalysis[] = [];
  for (const f of json) {
    const st = await stat(f);
    if (st.size > MAX_JSON_BYTES) throw new LoadAnalysesError(`${f}: larger than 1 GiB`);
    out.push(...analysesOf(await readFile(f, 'utf8'), f));
  }
  if (rest.length === 0) return out;
  const inputs = await collectInputs(rest);
  if (inputs.length === 0) return out;
  const pool = new AnalysisPool({ workers: Math.min(opts.workers ?? availableParallelism(), inputs.length) });
  try {
    const results = await Promise.all(inputs.map((i) => pool.analyze(i.kind, i.path)));
    results.forEach((r, i) => {
      if (r.ok) out.push(r.analysis);
      else opts.onError?.(inputs[i]!.path, r.error);
    });
  } finally {
    await pool.close();
  }
  return out;
}
