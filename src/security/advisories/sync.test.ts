import { describe, expect, it } from 'vitest';
import type { Advisory } from './advisory.js';
import { planSync, type StoredFingerprint } from './sync.js';

const adv = (id: string, withdrawn: string | null = null, hash = id): Advisory & { hash: string } =>
  ({
    metadata: { id, withdrawn } as Advisory['metadata'],
    versions: { patched: [], unaffected: [] },
    affected: null,
    ranges: [],
    origin: { database: 'db', file: `${id}.md` },
    hash,
  }) as Advisory & { hash: string };

const hashOf = (a: Advisory) => (a as Advisory & { hash: string }).hash;

describe('planSync', () => {
  it('sorts incoming advisories into added, updated, unchanged and withdrawn', () => {
    const stored = new Map<string, StoredFingerprint>([
      ['A', { hash: 'A', origin: 'synced', withdrawn: null }],
      ['B', { hash: 'old', origin: 'synced', withdrawn: null }],
      ['C', { hash: 'old', origin: 'synced', withdrawn: '2026-01-01' }],
      ['D', { hash: 'D', origin: 'authored', withdrawn: null }],
    ]);
    const plan = planSync(
      [
        adv('A'),
        adv('B', '2026-02-02'),
        adv('C', '2026-01-01'),
        adv('D', null, 'new'),
        adv('E', '2026-03-03'),
      ],
      stored,
      hashOf,
    );
    expect(plan.added.map((a) => a.metadata.id)).toEqual(['E']);
    expect(plan.updated.map((a) => a.metadata.id)).toEqual(['B', 'C']);
    // B is newly withdrawn, E arrives withdrawn; C was withdrawn already.
    expect(plan.withdrawn.map((a) => a.metadata.id)).toEqual(['B', 'E']);
    expect(plan.unchanged).toBe(1);
    expect(plan.problems).toEqual([
      {
        database: 'db',
        file: 'D.md',
        message: 'D is an advisory authored in this registry; the synced one was skipped',
      },
    ]);
  });
});
