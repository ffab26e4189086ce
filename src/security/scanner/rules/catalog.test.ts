import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RULE_CATALOG, ruleInfo } from './catalog.js';
import { makeEmitter } from './model.js';

describe('rule catalog', () => {
  const docs = readFileSync(new URL('../../../../docs/rules.md', import.meta.url), 'utf8');

  it('documents every rule in docs/rules.md with what, where, false positives and an example', () => {
    for (const id of RULE_CATALOG.keys()) {
      const start = docs.indexOf(`### \`${id}\``);
      expect(start, `${id} is documented`).toBeGreaterThanOrEqual(0);
      const next = docs.indexOf('\n### ', start + 5);
      const section = docs.slice(start, next === -1 ? undefined : next);
      for (const part of [
        '**Matches:**',
        '**Where / severity:**',
        '**Known false positives:**',
        '**Example:**',
      ]) {
        expect(section, `${id}: ${part}`).toContain(part);
      }
    }
  });

  it('lists no documented rule the scanner does not know', () => {
    const documented = [...docs.matchAll(/^### `([a-z.-]+)`/gm)].map((m) => m[1]!);
    expect(documented.sort()).toEqual([...RULE_CATALOG.keys()].sort());
  });

  it('refuses unknown rule ids and drops disabled ones', () => {
    expect(() => ruleInfo('no.such-rule')).toThrow(/unknown scanner rule/);
    const findings: never[] = [];
    const emit = makeEmitter(findings, new Set(['code.shell-exec']));
    emit('code.shell-exec', 'low', { file: 'a', line: 1 }, 'x');
    expect(findings).toHaveLength(0);
    emit('code.download-tool', 'medium', { file: 'a', line: 1 }, 'x');
    emit('code.download-tool', 'medium', { file: 'a', line: 1 }, 'x');
    expect(findings).toHaveLength(1);
  });
});
