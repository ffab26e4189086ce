// Fault test: mixed traffic against two `serve` processes and a `worker` sharing a PostgreSQL
// server of its own, while a serve and the worker are killed with SIGKILL at random moments and
// PostgreSQL is crash-restarted once and the S3 server holding the blobs is stopped for 5 s; then
// the checks of bench/_fault-scenario.ts. The short
// form runs in CI as test/e2e/faults.test.ts.
//   npm run bench -- faults [--seconds 60] [--publish-rate 10] [--readers 8]
import { argValue } from './_lib.js';
import { faultFailures, runFaultScenario } from './_fault-scenario.js';
import { KINDS, summarise } from './_traffic.js';

const report = await runFaultScenario({
  seconds: Number(argValue('seconds', '60')),
  publishesPerSecond: Number(argValue('publish-rate', '10')),
  readers: Number(argValue('readers', '8')),
  entry: 'dist',
  log: (line) => process.stderr.write(`${line}\n`),
});

console.log('faults injected:');
for (const f of report.faults) console.log(`  ${f}`);
console.log('\nkind      requests   errors (retryable)');
for (const k of KINDS) {
  const s = summarise(report.stats[k], report.elapsedMs);
  console.log(
    `${k.padEnd(8)} ${String(s.count).padStart(9)} ${String(s.errors).padStart(8)} (${s.retryable})`,
  );
}
console.log(`\npublishes acknowledged: ${report.acknowledged}; versions stored: ${report.versions}`);
console.log(`queue drained ${(report.drainMs / 1000).toFixed(1)} s after the traffic`);
console.log(`audit chain: ${report.auditChain.output}`);
const failures = faultFailures(report);
console.log(failures.length === 0 ? '\nall checks hold' : `\nFAILED:\n  ${failures.join('\n  ')}`);
if (failures.length > 0) process.exitCode = 1;
