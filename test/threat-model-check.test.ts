import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkReferences, referencesIn, testTitlesIn } from '../scripts/threat-model-refs.js';
import { repoRoot } from './support/paths.js';

describe('threat-model:check', () => {
  it('reads file references and test titles with their lines', () => {
    const refs = referencesIn('a `src/x.ts` and\n`test/y.test.ts` › "does a thing" but not `node_modules/z`');
    expect(refs).toEqual([
      { path: 'src/x.ts', title: null, line: 1 },
      { path: 'test/y.test.ts', title: 'does a thing', line: 2 },
    ]);
  });

  it('finds titles of it, test and describe.each calls, with escapes and template literals', () => {
    const src = `describe.each(DIALECTS)('on %s', () => { it('keeps \\'it\\'', ...); test(\`runs\`, ...); it.concurrent("goes", ...) })`;
    expect(testTitlesIn(src)).toEqual(['on %s', "keeps 'it'", 'runs', 'goes']);
  });

  it('fails on a missing file and on a test that is no longer there', () => {
    const root = mkdtempSync(join(tmpdir(), 'tm-'));
    mkdirSync(join(root, 'test'));
    writeFileSync(join(root, 'test', 'a.test.ts'), "it('refuses a bad thing', () => {});\n");
    const doc = [
      '`test/a.test.ts` › "refuses a bad"',
      '`test/a.test.ts` › "accepts everything"',
      '`src/gone.ts`',
    ].join('\n');
    expect(checkReferences(root, doc).map((b) => [b.line, b.problem])).toEqual([
      [2, 'no test titled "accepts everything"'],
      [3, 'no such file'],
    ]);
  });

  it('finds every reference of docs/threat-model.md', () => {
    const doc = readFileSync(join(repoRoot, 'docs/threat-model.md'), 'utf8');
    expect(referencesIn(doc).length).toBeGreaterThan(50);
    expect(checkReferences(repoRoot, doc)).toEqual([]);
  });
});
