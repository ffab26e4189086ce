import { readFileSync } from 'node:fs';
import { rustParser } from './src/security/scanner/rust-parser.js';
import { extractRustFacts } from './src/security/scanner/rust-facts.js';
import { analyzeRust } from './src/security/scanner/code-signals.js';
const p = await rustParser();
for (const f of process.argv.slice(2)) {
  const facts = extractRustFacts(p, readFileSync(f, 'utf8'));
  const a = analyzeRust(facts);
  console.log('==', f.replace('/work/shared/data/scanner-samples/', ''));
  for (const s of a.signals) console.log(`  ${s.kind}${s.detail ? '[' + s.detail + ']' : ''} L${s.line}${s.test ? ' T' : ''}${s.decoded ? ' D' : ''}: ${s.evidence}`);
}
