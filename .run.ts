import { readFileSync, readdirSync } from 'node:fs';
import { Scanner } from './src/security/scanner/scanner.js';
const s = await Scanner.create();
const dir = process.argv[2]!;
const only = process.argv[3];
for (const f of readdirSync(dir).filter((x) => x.endsWith('.crate')).sort()) {
  if (only && !f.includes(only)) continue;
  const r = await s.scanCrateBytes(readFileSync(`${dir}/${f}`));
  console.log(`${r.verdict.padEnd(8)} ${f} ${r.stats.ms}ms`);
  for (const x of r.findings) if (x.severity !== 'info' || only) console.log(`    ${x.severity} ${x.ruleId} ${x.file}:${x.line} [${x.context}] ${x.evidence}`);
}
