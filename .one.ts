import { readFileSync } from 'node:fs';
import { Scanner } from './src/security/scanner/scanner.js';
const s = await Scanner.create();
for (const f of process.argv.slice(2)) {
  const t0 = performance.now();
  const r = await s.scanCrateBytes(readFileSync(f));
  console.log(f, r.verdict, (performance.now() - t0).toFixed(0), 'ms', r.stats.bytes);
}
