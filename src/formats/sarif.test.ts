import { describe, expect, it } from 'vitest';
import { SARIF_VERSION, buildSarifLog, sarifUri } from './sarif.js';

describe('SARIF 2.1.0', () => {
  const rules = [
    {
      id: 'a.one',
      shortDescription: 'One',
      fullDescription: 'The first rule',
      defaultLevel: 'error' as const,
    },
    { id: 'b.two', shortDescription: 'Two' },
  ];

  it('carries the required properties on log, run, rules and results', () => {
    const log = buildSarifLog({ name: 'tool', version: '1.0' }, rules, [
      {
        ruleId: 'b.two',
        level: 'warning',
        message: 'found it',
        uri: 'crate-1.0.0/src/lib.rs',
        line: 12,
        properties: { severity: 'medium' },
      },
      { ruleId: 'a.one', level: 'error', message: 'crate-level', uri: null },
    ]);
    expect(log.version).toBe(SARIF_VERSION);
    expect(log.$schema).toMatch(/sarif-2\.1\.0/);
    expect(log.runs).toHaveLength(1);
    const run = log.runs[0]!;
    expect(run.tool.driver.name).toBe('tool');
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(['a.one', 'b.two']);
    expect(run.tool.driver.rules[0]).toMatchObject({
      shortDescription: { text: 'One' },
      fullDescription: { text: 'The first rule' },
      defaultConfiguration: { level: 'error' },
    });
    expect(run.results[0]).toEqual({
      ruleId: 'b.two',
      ruleIndex: 1,
      level: 'warning',
      message: { text: 'found it' },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'crate-1.0.0/src/lib.rs' },
            region: { startLine: 12 },
          },
        },
      ],
      properties: { severity: 'medium' },
    });
    // No line: no region; no file: the artifact itself.
    expect(run.results[1]!.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: '.' } });
    // It is plain JSON.
    expect(JSON.parse(JSON.stringify(log))).toEqual(log);
  });

  it('refuses results for unknown rules and encodes hostile paths', () => {
    expect(() =>
      buildSarifLog({ name: 't' }, rules, [{ ruleId: 'zzz', level: 'note', message: 'm', uri: null }]),
    ).toThrow(/unknown rule/);
    expect(sarifUri('dir with space/%/ü#?.rs')).toBe('dir%20with%20space/%25/%C3%BC%23%3F.rs');
    const log = buildSarifLog({ name: 't' }, rules, [
      { ruleId: 'a.one', level: 'note', message: 'm', uri: 'x', line: 0 },
    ]);
    expect(log.runs[0]!.results[0]!.locations[0]!.physicalLocation.region).toBeUndefined();
  });
});
