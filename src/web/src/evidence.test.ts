import { describe, expect, it } from 'vitest';
import type { Alert } from './api-types.js';
import { evidenceOf, normalizeAlertDetail } from './evidence.js';

const alert = (over: Partial<Alert>): Alert => ({
  id: 1,
  kind: 'scanner',
  severity: 'high',
  status: 'open',
  crate: 'x',
  version: '1.0.0',
  title: 't',
  score: 10,
  details: {},
  created_at: '2024-01-01T00:00:00Z',
  updated_at: '2024-01-01T00:00:00Z',
  ...over,
});

describe('normalizeAlertDetail', () => {
  it("takes the contract's shape as it is", () => {
    const a = alert({});
    const d = normalizeAlertDetail({
      alert: a,
      notes: [{ at: 'x', user: 'u', note: 'n' }],
      evidence: null,
      impact: null,
    });
    expect(d.alert).toBe(a);
    expect(d.notes).toHaveLength(1);
  });

  it('accepts a bare alert, and missing notes', () => {
    const a = alert({});
    // The evidence is then what the alert's own details hold (here: nothing but its kind).
    expect(normalizeAlertDetail(a)).toEqual({
      alert: a,
      notes: [],
      evidence: { kind: 'scanner' },
      impact: null,
    });
    expect(normalizeAlertDetail({ alert: a, notes: 'oops' }).notes).toEqual([]);
  });
});

describe('evidenceOf', () => {
  it('prefers what the server sent', () => {
    const ev = { kind: 'scanner', findings: [] };
    expect(evidenceOf(alert({}), ev)).toBe(ev);
  });

  it("reads scanner findings and squat targets from an alert's details", () => {
    const scanner = evidenceOf(
      alert({
        details: {
          findings: [
            {
              ruleId: 'build.network',
              severity: 'high',
              title: 'net',
              file: 'build.rs',
              line: 3,
              code: [{ n: 3, text: 'x' }],
            },
          ],
        },
      }),
      null,
    );
    expect(scanner.findings).toEqual([
      {
        ruleId: 'build.network',
        severity: 'high',
        title: 'net',
        file: 'build.rs',
        line: 3,
        code: [{ n: 3, text: 'x' }],
      },
    ]);
    const squat = evidenceOf(
      alert({
        kind: 'typosquat',
        details: { target: 'tokio', targetOwners: ['alice', 7], kind: 'swapped-characters' },
      }),
      null,
    );
    expect(squat.squat).toMatchObject({
      target: 'tokio',
      targetOwners: ['alice'],
      check: 'swapped-characters',
    });
  });

  it('ignores hostile or malformed details instead of failing the page', () => {
    for (const details of [
      null,
      'x',
      42,
      [],
      { findings: 'no' },
      { findings: [null, 3, 'a'] },
      { target: 5 },
    ]) {
      const ev = evidenceOf(alert({ details }), undefined);
      expect(ev.kind).toBe('scanner');
      expect(ev.squat).toBeUndefined();
      expect(ev.findings ?? []).toEqual([]);
    }
    const big = evidenceOf(
      alert({
        details: {
          findings: [{ ruleId: 'r', code: Array.from({ length: 5000 }, (_, n) => ({ n, text: 'x' })) }],
        },
      }),
      null,
    );
    expect(big.findings![0]!.code).toHaveLength(200);
  });
});
