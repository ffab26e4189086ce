// `npm run bench -- vet [--packages N] [--audits N] [--repeat N]`
//
// `vet check`'s decision on a generated workspace: N third-party packages in a layered graph
// (each depending on a few from lower layers, some as dev- or build-dependencies) and an
// audits.toml of delta chains, full audits, violations and wildcard audits, plus exemptions.
// Prints the time to parse the store and metadata ("loading") and the resolver's time once
// loaded (median of the repeats); the goal is < 200 ms for 500 packages and 2,000 audits.
import { writeAuditsToml, type AuditEntry, type AuditsFile } from '../src/formats/vet-audits.js';
import { parseVetVersion } from '../src/formats/vet-common.js';
import { buildDepGraph, CRATES_IO_SOURCE, parseCargoMetadata } from '../src/security/vet/metadata-graph.js';
import { resolve } from '../src/security/vet/resolver.js';
import { loadStore } from '../src/security/vet/store.js';
import { argValue, median } from './_lib.js';

const packages = Number(argValue('packages', '500'));
const auditCount = Number(argValue('audits', '2000'));
const repeat = Number(argValue('repeat', '9'));

let seed = 42;
const rand = (n: number): number => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};

const names = Array.from({ length: packages }, (_, i) => `crate-${i}`);
const versionOf = (i: number): string => `${i % 3}.${i % 17}.${i % 5}`;
const id = (i: number): string =>
  `registry+https://github.com/rust-lang/crates.io-index#${names[i]}@${versionOf(i)}`;
const nodes = names.map((_, i) => {
  const deps: { pkg: string; dep_kinds: { kind: string | null }[] }[] = [];
  const seen = new Set<number>();
  for (let d = 0; d < 4 && i + 1 < packages; d++) {
    const j = i + 1 + rand(Math.min(60, packages - i - 1));
    if (seen.has(j)) continue;
    seen.add(j);
    const kind = rand(10) === 0 ? 'build' : null;
    deps.push({ pkg: id(j), dep_kinds: [{ kind }] });
  }
  return { id: id(i), deps };
});
const app = 'path+file:///ws/app#0.1.0';
const appDeps = Array.from({ length: 20 }, (_, k) => ({
  pkg: id(k * 7),
  dep_kinds: [{ kind: k % 5 === 0 ? 'dev' : null }],
}));
const metadataText = JSON.stringify({
  version: 1,
  workspace_root: '/ws',
  workspace_members: [app],
  packages: [
    { id: app, name: 'app', version: '0.1.0', source: null },
    ...names.map((n, i) => ({ id: id(i), name: n, version: versionOf(i), source: CRATES_IO_SOURCE })),
  ],
  resolve: { nodes: [{ id: app, deps: appDeps }, ...nodes] },
});

// Audits: for each crate a chain from an older full audit to its version, then filler deltas
// and full audits of other versions until the count is reached; a few crates are exempted.
const audits: AuditsFile = { criteria: [], wildcardAudits: [], audits: [], trusted: [], extra: [] };
const byCrate = new Map<string, AuditEntry[]>();
const add = (crate: string, e: Omit<AuditEntry, 'who' | 'importable' | 'aggregatedFrom' | 'extra'>): void => {
  const list = byCrate.get(crate) ?? [];
  list.push({ who: ['Bench <bench@example.com>'], importable: true, aggregatedFrom: [], extra: [], ...e });
  byCrate.set(crate, list);
};
let made = 0;
names.forEach((n, i) => {
  if (i % 10 === 9) return; // left to exemptions
  const target = parseVetVersion(versionOf(i));
  const base = parseVetVersion(`${target.semver.major}.${target.semver.minor}.${target.semver.patch + 10}`);
  add(n, { criteria: ['safe-to-deploy'], kind: { type: 'full', version: base } });
  add(n, { criteria: ['safe-to-deploy'], kind: { type: 'delta', from: base, to: target } });
  made += 2;
});
while (made < auditCount) {
  const i = rand(packages);
  const from = parseVetVersion(`9.${rand(50)}.${rand(50)}`);
  const to = parseVetVersion(`9.${rand(50)}.${rand(50)}`);
  add(names[i]!, {
    criteria: [rand(2) === 0 ? 'safe-to-run' : 'safe-to-deploy'],
    kind: { type: 'delta', from, to },
  });
  made++;
}
audits.audits = [...byCrate];
const auditsText = writeAuditsToml(audits);
const exemptions = names
  .map((n, i) =>
    i % 10 === 9 ? `[[exemptions.${n}]]\nversion = "${versionOf(i)}"\ncriteria = "safe-to-deploy"\n` : '',
  )
  .join('\n');
const configText = `[cargo-vet]\nversion = "0.10"\n\n${exemptions}`;

let t = performance.now();
const loaded = loadStore({ config: configText, audits: auditsText }, { locked: true });
const graph = buildDepGraph(parseCargoMetadata(metadataText));
const loadMs = performance.now() - t;

const times: number[] = [];
let conclusion = '';
for (let r = 0; r < repeat; r++) {
  t = performance.now();
  const report = resolve(graph, loaded.store);
  times.push(performance.now() - t);
  conclusion = `${report.conclusion}: ${report.vettedFully.length} fully, ${report.vettedWithExemptions.length} exempted, ${report.failures.length} failing`;
}
console.log(
  `workspace: ${graph.nodes.length} packages, ${made} audits (${(auditsText.length / 1e3).toFixed(0)} kB audits.toml)`,
);
console.log(`loading (parse store + metadata, build graph): ${loadMs.toFixed(0)} ms`);
console.log(
  `vet check once loaded: median ${median(times).toFixed(1)} ms over ${repeat} runs (goal < 200 ms)`,
);
console.log(`result: ${conclusion}`);
