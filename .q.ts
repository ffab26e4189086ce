import { readFileSync } from 'node:fs';
import { Query } from 'web-tree-sitter';
import { rustParser, parseRust } from './src/security/scanner/rust-parser.js';
const p = await rustParser();
const src = readFileSync(process.argv[2]!, 'utf8');
const lang = p.language!;
const q = new Query(lang, `(identifier) @id (string_literal) @str (raw_string_literal) @str (integer_literal) @int (char_literal) @ch ["(" ")" "[" "]" "{" "}" "::" "." "," ";" "=" "!" "#" "&" "^" "+" "-" "<" ">"] @p`);
let t = performance.now();
const tree = parseRust(p, src);
console.log('parse', (performance.now() - t).toFixed(0));
t = performance.now();
const caps = q.captures(tree.rootNode);
console.log('captures', caps.length, (performance.now() - t).toFixed(0));
t = performance.now();
let n = 0; for (const c of caps) { n += c.node.startIndex; }
console.log('iter', (performance.now() - t).toFixed(0));
t = performance.now();
const c = tree.walk(); let k = 0;
outer: while (true) { k++; const ty = c.nodeType; const s = c.startIndex; if (c.gotoFirstChild()) continue; while (!c.gotoNextSibling()) { if (!c.gotoParent()) break outer; } }
console.log('cursor walk nodes', k, (performance.now() - t).toFixed(0));
