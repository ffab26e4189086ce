// `npm run bench -- graph [--source PATH] [--no-pg]`: the ecosystem graph on the 2019 crates.io
// index snapshot, against the figures issue 6 sets:
//   import end to end < 15 s, reload from cache < 2 s, peak memory < 1.5 GB,
//   transitive dependents of serde (latest versions, normal + build) < 100 ms,
//   top 100 crates by transitive dependents < 30 s,
// and the same transitive-dependents query as a recursive CTE in the local PostgreSQL over the
// same resolved edges (loaded here, dropped after): both timings, their ratio, and whether the
// answers are identical.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { findDependents } from '../src/graph/dependents.js';
import type { EcosystemGraph } from '../src/graph/ecosystem-graph.js';
import { D_KIND_MASK, D_OPTIONAL } from '../src/graph/ecosystem-graph.js';
import { loadGraph } from '../src/graph/load-graph.js';
import { topCrates } from '../src/graph/top-crates.js';

const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const SOURCE =
  arg('--source') ?? new URL('../../shared/data/crates-io-index-2019-11-10.tar.gz', import.meta.url).pathname;
const WITH_PG = !args.includes('--no-pg');
const PG_SCHEMA = 'bench_graph';

const results: { what: string; value: string; target: string; ok: boolean | null }[] = [];
function report(what: string, value: number, unit: string, limit: number | null): void {
  results.push({
    what,
    value: `${value.toFixed(unit === 'ms' ? 1 : 2)} ${unit}`,
    target: limit === null ? '' : `< ${limit} ${unit}`,
    ok: limit === null ? null : value < limit,
  });
  console.log(
    `${what}: ${value.toFixed(unit === 'ms' ? 1 : 2)} ${unit}${limit === null ? '' : ` (target < ${limit} ${unit})`}`,
  );
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeIt<T>(fn: () => T, runs: number): { ms: number[]; value: T } {
  let value = fn(); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    value = fn();
    ms.push(performance.now() - t0);
  }
  return { ms, value };
}

const cacheDir = mkdtempSync(join(tmpdir(), 'ck-bench-graph-'));
try {
  console.log(`source: ${SOURCE}`);
  const imported = await loadGraph(SOURCE, { cacheDir, refresh: true });
  const s = imported.graph.stats;
  console.log(
    `graph: ${s.crates} crates, ${s.versions} versions, ${s.dependencies} dependencies, ${s.resolved} resolved ` +
      `(graph build ${s.buildMs} ms)`,
  );
  report('import end to end (gunzip, parse, build, resolve, write cache)', imported.ms / 1000, 's', 15);

  const reloaded = await loadGraph(SOURCE, { cacheDir });
  if (!reloaded.fromCache) throw new Error('second load did not come from the cache');
  report('reload from cache', reloaded.ms / 1000, 's', 2);
  const g = reloaded.graph;

  const serde = g.crateId('serde');
  const serdeVersions = g.versionsOf(serde);
  const q = timeIt(() => findDependents(g, serdeVersions, { transitive: true }), 20);
  report(
    `transitive dependents of serde (latest, normal+build; ${q.value.crates} crates), median of 20`,
    median(q.ms),
    'ms',
    100,
  );
  console.log(`  slowest run: ${Math.max(...q.ms).toFixed(1)} ms`);

  const t0 = performance.now();
  const top = topCrates(g, 100);
  report('top 100 crates by transitive dependents', (performance.now() - t0) / 1000, 's', 30);
  console.log(
    `  top 10: ${top
      .slice(0, 10)
      .map((t) => `${g.crateName(t.crate)} (${t.transitive})`)
      .join(', ')}`,
  );

  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  report('peak memory (max RSS)', maxRssMb / 1024, 'GB', 1.5);

  if (WITH_PG)
    await comparePostgres(
      g,
      serde,
      q.value.dependents.map((d) => g.crateName(g.versionCrate[d.version]!)),
      median(q.ms),
    );

  const failed = results.filter((r) => r.ok === false);
  console.log(
    failed.length === 0
      ? '\nall targets met'
      : `\n${failed.length} target(s) missed: ${failed.map((f) => f.what).join('; ')}`,
  );
  if (failed.length > 0) process.exitCode = 1;
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}

/**
 * Loads crates, versions (with the latest flag) and resolved edges into PostgreSQL and runs
 * the transitive-dependents query as a recursive CTE, then compares answer and time.
 */
async function comparePostgres(
  g: EcosystemGraph,
  serde: number,
  ours: string[],
  oursMs: number,
): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
  try {
    await client.connect();
  } catch (e) {
    console.log(`PostgreSQL: not reachable (${(e as Error).message}); skipping the comparison`);
    results.push({ what: 'PostgreSQL comparison', value: 'not run', target: '', ok: false });
    return;
  }
  try {
    const t0 = performance.now();
    await client.query(`DROP SCHEMA IF EXISTS ${PG_SCHEMA} CASCADE`);
    await client.query(`CREATE SCHEMA ${PG_SCHEMA}`);
    await client.query(`CREATE TABLE ${PG_SCHEMA}.crates (id int PRIMARY KEY, name text NOT NULL)`);
    await client.query(
      `CREATE TABLE ${PG_SCHEMA}.versions (id int PRIMARY KEY, crate int NOT NULL, latest bool NOT NULL)`,
    );
    await client.query(
      `CREATE TABLE ${PG_SCHEMA}.edges (src int NOT NULL, dst int NOT NULL, kind smallint NOT NULL, optional bool NOT NULL)`,
    );
    // Whole columns as array parameters, unnested server-side: a few statements per table.
    const BATCH = 200_000;
    for (let i = 0; i < g.crateCount; i += BATCH) {
      const ids = Array.from({ length: Math.min(BATCH, g.crateCount - i) }, (_, k) => i + k);
      await client.query(`INSERT INTO ${PG_SCHEMA}.crates SELECT * FROM unnest($1::int[], $2::text[])`, [
        ids,
        ids.map((c) => g.crateNames[c]),
      ]);
    }
    for (let i = 0; i < g.versionCount; i += BATCH) {
      const ids = Array.from({ length: Math.min(BATCH, g.versionCount - i) }, (_, k) => i + k);
      await client.query(
        `INSERT INTO ${PG_SCHEMA}.versions SELECT * FROM unnest($1::int[], $2::int[], $3::bool[])`,
        [ids, ids.map((v) => g.versionCrate[v]), ids.map((v) => g.isLatest(v))],
      );
    }
    let src: number[] = [];
    let dst: number[] = [];
    let kind: number[] = [];
    let opt: boolean[] = [];
    const flush = async () => {
      if (src.length === 0) return;
      await client.query(
        `INSERT INTO ${PG_SCHEMA}.edges SELECT * FROM unnest($1::int[], $2::int[], $3::smallint[], $4::bool[])`,
        [src, dst, kind, opt],
      );
      src = [];
      dst = [];
      kind = [];
      opt = [];
    };
    let edges = 0;
    for (let v = 0; v < g.versionCount; v++) {
      for (let e = g.depStart[v]!; e < g.depStart[v + 1]!; e++) {
        const r = g.depResolved[e]!;
        if (r < 0) continue;
        const f = g.depFlags[e]!;
        src.push(v);
        dst.push(r);
        kind.push(f & D_KIND_MASK);
        opt.push((f & D_OPTIONAL) !== 0);
        edges++;
        if (src.length === BATCH) await flush();
      }
    }
    await flush();
    await client.query(`CREATE INDEX ON ${PG_SCHEMA}.edges (dst)`);
    await client.query(`CREATE INDEX ON ${PG_SCHEMA}.versions (crate)`);
    await client.query(`ANALYZE ${PG_SCHEMA}.crates, ${PG_SCHEMA}.versions, ${PG_SCHEMA}.edges`);
    console.log(
      `PostgreSQL: loaded ${g.crateCount} crates, ${g.versionCount} versions, ${edges} resolved edges in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    // UNION (not UNION ALL) drops rows already reached, which also ends cycles.
    const sql = `
      WITH RECURSIVE reach(v) AS (
        SELECT id FROM ${PG_SCHEMA}.versions WHERE crate = $1
        UNION
        SELECT e.src FROM ${PG_SCHEMA}.edges e JOIN reach r ON e.dst = r.v
        WHERE e.kind IN (0, 1) AND NOT e.optional
      )
      SELECT c.name FROM reach r
        JOIN ${PG_SCHEMA}.versions v ON v.id = r.v
        JOIN ${PG_SCHEMA}.crates c ON c.id = v.crate
      WHERE v.latest AND v.crate <> $1`;
    await client.query(sql, [serde]); // warm-up
    const times: number[] = [];
    let rows: string[] = [];
    for (let i = 0; i < 5; i++) {
      const t1 = performance.now();
      const r = await client.query<{ name: string }>(sql, [serde]);
      times.push(performance.now() - t1);
      rows = r.rows.map((x) => x.name);
    }
    const pgMs = median(times);
    const a = [...ours].sort();
    const b = [...rows].sort();
    const same = a.length === b.length && a.every((x, i) => x === b[i]);
    console.log(
      `PostgreSQL recursive CTE, transitive dependents of serde: ${pgMs.toFixed(1)} ms median of 5 (${rows.length} crates)`,
    );
    console.log(`in-memory graph: ${oursMs.toFixed(1)} ms (${ours.length} crates)`);
    console.log(`ratio: the in-memory query is ${(pgMs / oursMs).toFixed(0)}× faster than the CTE`);
    console.log(`answers identical: ${same ? 'yes' : 'NO'}`);
    if (!same) {
      const onlyOurs = a.filter((x) => !new Set(b).has(x)).slice(0, 10);
      const onlyPg = b.filter((x) => !new Set(a).has(x)).slice(0, 10);
      console.log(`  only in-memory: ${onlyOurs.join(', ')}\n  only PostgreSQL: ${onlyPg.join(', ')}`);
    }
    results.push({
      what: 'PostgreSQL CTE gives the same answer',
      value: same ? 'yes' : 'no',
      target: 'yes',
      ok: same,
    });
  } finally {
    await client.query(`DROP SCHEMA IF EXISTS ${PG_SCHEMA} CASCADE`).catch(() => undefined);
    await client.end();
  }
}
