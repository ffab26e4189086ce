// Measures loadAdvisoryDatabases on the advisory-db snapshot (issue 11 target: < 300 ms).
// Usage: node --import tsx scripts/advisory-load-time.ts [SOURCE...]
// The first run is what `cratekeeper audit` pays (cold code); later runs are warm.
import { loadAdvisoryDatabases } from '../src/security/advisories/database.js';

const sources = process.argv.slice(2);
if (sources.length === 0) sources.push('/work/shared/data/rustsec-advisory-db-2026-08-21.tar.gz');

for (let run = 1; run <= 5; run++) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const index = await loadAdvisoryDatabases(sources);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  console.log(
    `run ${run}: ${wall.toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU, ` +
      `${index.advisories.length} advisories, ${index.problems.length} problems`,
  );
}
