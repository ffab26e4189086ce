// Checks that docs/threat-model.md points at code and tests that exist. A reference is a
// backticked repository path (`src/…`, `test/…`, `bench/…`, `docs/…`, `scripts/…`), optionally
// followed by ` › "test title"`: the file must exist, and a test file must still declare a test
// (it/test/describe) whose title starts with the quoted text. A renamed test or a deleted module
// then fails `npm run threat-model:check` instead of leaving the model pointing at nothing.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ThreatModelReference {
  path: string;
  title: string | null;
  line: number;
}

export interface BrokenReference extends ThreatModelReference {
  problem: string;
}

const REFERENCE = /`((?:src|test|bench|docs|scripts)\/[^`\s]+)`(?:\s*›\s*"([^"]+)")?/g;

export function referencesIn(markdown: string): ThreatModelReference[] {
  const refs: ThreatModelReference[] = [];
  markdown.split('\n').forEach((text, i) => {
    for (const m of text.matchAll(REFERENCE)) {
      refs.push({ path: m[1] as string, title: m[2] ?? null, line: i + 1 });
    }
  });
  return refs;
}

/** Test titles as written: `it('…'`, `test("…"`, `describe.each(…)('…'`, template literals too. */
export function testTitlesIn(source: string): string[] {
  const titles: string[] = [];
  const call =
    /\b(?:it|test|describe)(?:\.(?:each\([^)]*\)|skipIf\([^)]*\)|runIf\([^)]*\)|concurrent|sequential))*\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/g;
  for (const m of source.matchAll(call)) titles.push((m[2] as string).replace(/\\(.)/g, '$1'));
  return titles;
}

export function checkReferences(root: string, markdown: string): BrokenReference[] {
  const broken: BrokenReference[] = [];
  const titlesByFile = new Map<string, string[]>();
  for (const ref of referencesIn(markdown)) {
    const file = join(root, ref.path);
    if (!existsSync(file)) {
      broken.push({ ...ref, problem: 'no such file' });
      continue;
    }
    if (ref.title === null) continue;
    let titles = titlesByFile.get(ref.path);
    if (!titles) {
      titles = testTitlesIn(readFileSync(file, 'utf8'));
      titlesByFile.set(ref.path, titles);
    }
    const wanted = ref.title;
    if (!titles.some((t) => t.startsWith(wanted))) {
      broken.push({ ...ref, problem: `no test titled "${wanted}"` });
    }
  }
  return broken;
}
