import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { Scanner } from './src/security/scanner/scanner.js';
const s = await Scanner.create();
const dir = process.argv[2]!;
const names = readdirSync(dir).filter((x) => x.endsWith('.crate')).sort();
const start = Number(process.argv[3] ?? 0), end = Number(process.argv[4] ?? names.length);
const t0 = performance.now();
const out: any[] = [];
let bytes = 0;
for (const f of names.slice(start, end)) {
  const buf = readFileSync(`${dir}/${f}`);
  try {
    const r = await s.scanCrateBytes(buf);
    bytes += r.stats.bytes;
    out.push({ f, verdict: r.verdict, ms: r.stats.ms, bytes: r.stats.bytes, findings: r.findings.filter((x) => x.severity !== 'info').map((x) => `${x.severity} ${x.ruleId} ${x.file}:${x.line} [${x.context}] ${x.evidence}`) });
  } catch (e) { out.push({ f, error: String(e) }); }
}
const ms = performance.now() - t0;
console.log(`${out.length} crates in ${(ms/1000).toFixed(1)}s = ${(out.length / ms * 1000).toFixed(1)} crates/s, ${(bytes/1e6).toFixed(0)} MB`);
writeFileSync(process.argv[5] ?? '/tmp/deb.json', JSON.stringify(out, null, 1));
