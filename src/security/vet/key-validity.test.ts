import { describe, expect, it } from 'vitest';
import { keyProblem, keyState, type KeyValidity } from './key-validity.js';

const key = (over: Partial<KeyValidity> = {}): KeyValidity => ({
  key_id: 'k1',
  user_id: 7,
  created_at: '2026-01-01T00:00:00.000Z',
  retired_at: null,
  revoked_at: null,
  revoked_reason: null,
  ...over,
});

describe('auditor key validity', () => {
  it('accepts audits recorded by the owner inside the validity interval, and no others', () => {
    const retired = key({ retired_at: '2026-06-01T00:00:00.000Z' });
    const at = (created_at: string, recorded_by: number | null = 7) => ({ created_at, recorded_by });
    expect(keyProblem(retired, at('2026-01-01T00:00:00.000Z'))).toBeNull();
    expect(keyProblem(retired, at('2026-05-31T23:59:59.999Z'))).toBeNull();
    // A deleted recorder (null) is judged by the interval alone.
    expect(keyProblem(retired, at('2026-03-01T00:00:00.000Z', null))).toBeNull();
    expect(keyProblem(retired, at('2026-06-01T00:00:00.000Z'))).toMatch(/after key k1 was retired/);
    expect(keyProblem(retired, at('2025-12-31T23:59:59.999Z'))).toMatch(/before key k1 existed/);
    expect(keyProblem(retired, at('2026-03-01T00:00:00.000Z', 8))).toMatch(/another auditor/);
    expect(keyProblem(key(), at('2030-01-01T00:00:00.000Z'))).toBeNull();
  });

  it('fails every audit of a compromised key, whenever it was recorded', () => {
    const revoked = key({
      retired_at: '2026-06-01T00:00:00.000Z',
      revoked_at: '2026-06-01T00:00:00.000Z',
      revoked_reason: 'laptop stolen',
    });
    expect(keyProblem(revoked, { created_at: '2026-02-01T00:00:00.000Z', recorded_by: 7 })).toBe(
      'signed with key k1, revoked as compromised at 2026-06-01T00:00:00.000Z (laptop stolen)',
    );
    expect([keyState(key()), keyState(key({ retired_at: 'x' })), keyState(revoked)]).toEqual([
      'current',
      'retired',
      'revoked',
    ]);
  });
});
