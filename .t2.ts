import { readFileSync } from 'node:fs';
import { rustParser, parseRust } from './src/security/scanner/rust-parser.js';
import { extractRustFacts } from './src/security/scanner/rust-facts.js';
import { analyzeRust, meaningfulDecoded } from './src/security/scanner/code-signals.js';
import { decodeLiterals } from './src/security/scanner/decoders.js';
const p = await rustParser();
for (const f of process.argv.slice(2)) {
  const src = readFileSync(f, 'utf8');
  let t = performance.now();
  const tree = parseRust(p, src); const tp = performance.now() - t; tree.delete();
  t = performance.now();
  const facts = extractRustFacts(p, src); const tf = performance.now() - t;
  t = performance.now();
  const d = decodeLiterals(facts.tokens, { meaningful: meaningfulDecoded }); const td = performance.now() - t;
  t = performance.now();
  analyzeRust(facts); const ta = performance.now() - t;
  console.log(f.split('/').pop(), src.length, 'tokens', facts.tokens.length, 'parse', tp.toFixed(0), 'facts(incl parse)', tf.toFixed(0), 'decode', td.toFixed(0), 'analyze(incl decode)', ta.toFixed(0), d.length);
}
