// `npm run threat-model:check`: fails when docs/threat-model.md names a file or test that no
// longer exists (see threat-model-refs.ts).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkReferences, referencesIn } from './threat-model-refs.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const doc = 'docs/threat-model.md';
const markdown = readFileSync(join(root, doc), 'utf8');
const refs = referencesIn(markdown);
const broken = checkReferences(root, markdown);
for (const b of broken) {
  process.stderr.write(`${doc}:${b.line}: ${b.path}${b.title ? ` › "${b.title}"` : ''}: ${b.problem}\n`);
}
if (refs.length === 0) {
  process.stderr.write(`${doc}: no references found\n`);
  process.exit(1);
}
if (broken.length > 0) process.exit(1);
const tests = refs.filter((r) => r.title !== null).length;
process.stdout.write(`${doc}: ${refs.length} references (${tests} tests) all resolve\n`);
