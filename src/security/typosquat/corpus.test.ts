import { describe, expect, it } from 'vitest';
import type { IndexDependency, IndexLine } from '../../domain/index-line.js';
import { IndexPopularity, rankRegistryCorpus } from './corpus.js';

function dep(name: string, extra: Partial<IndexDependency> = {}): IndexDependency {
  return {
    name,
    req: '*',
    features: [],
    optional: false,
    default_features: true,
    target: null,
    kind: 'normal',
    ...extra,
  };
}

function line(name: string, vers: string, deps: IndexDependency[]): IndexLine {
  return { name, vers, deps, cksum: '0'.repeat(64), features: {}, yanked: false };
}

describe('IndexPopularity', () => {
  const pop = new IndexPopularity();
  pop.add('serde', [
    line('serde', '1.0.0', [dep('serde_derive', { kind: 'dev' }), dep('serde', { kind: 'dev' })]),
  ]);
  pop.add('serde_derive', [line('serde_derive', '1.0.0', [dep('syn')])]);
  pop.add('syn', [line('syn', '1.0.0', [])]);
  pop.add('app', [
    // Two versions depending on serde count once; a renamed dependency counts under its real name.
    line('app', '0.1.0', [dep('serde'), dep('json', { package: 'serde_json' })]),
    line('app', '0.2.0', [dep('serde'), dep('serde-derive', { kind: 'build' })]),
  ]);
  pop.add('tool', [
    line('tool', '1.0.0', [dep('Serde'), dep('syn', { registry: 'https://example.com/index' })]),
  ]);
  pop.add('serde_json', [line('serde_json', '1.0.0', [dep('serde')])]);
  pop.add('zzz', [line('zzz', '1.0.0', [dep('syn', { kind: 'dev', target: 'cfg(unix)' })])]);
  pop.add('aaa', [line('aaa', '1.0.0', [dep('syn')])]);
  pop.add('nothing', [line('nothing', '1.0.0', [dep('not-in-index')])]);

  it('counts distinct dependent crates: any version, any kind, real name, canonical form, no self, this registry', () => {
    expect(pop.dependentCount('serde')).toBe(3); // app, tool (as "Serde"), serde_json — not serde itself
    expect(pop.dependentCount('serde_derive')).toBe(2); // serde (dev), app (as "serde-derive", build)
    expect(pop.dependentCount('serde_json')).toBe(1); // app, renamed to `json`
    expect(pop.dependentCount('syn')).toBe(3); // serde_derive, zzz, aaa — not tool (other registry)
    expect(pop.dependentCount('nothing')).toBe(0);
  });

  it('ranks by dependents, ties by name, and gives owners-less crates', () => {
    expect(pop.top(4).map((c) => c.name)).toEqual(['serde', 'syn', 'serde_derive', 'serde_json']);
    expect(
      pop
        .top(100)
        .slice(4)
        .map((c) => c.name),
    ).toEqual(['aaa', 'app', 'nothing', 'tool', 'zzz']);
    expect(pop.top(1)[0]).toEqual({ name: 'serde', owners: [] });
    expect(pop.top(0)).toEqual([]);
    expect(pop.top(-5)).toEqual([]);
  });

  it('lists every crate once, as published', () => {
    const names = pop.allNames();
    expect(names).toHaveLength(9);
    expect(new Set(names).size).toBe(9);
    expect(names).toContain('serde_derive');
  });
});

describe('rankRegistryCorpus', () => {
  it('orders by recent downloads, then dependents, then name', () => {
    const rows = [
      { name: 'b', owners: ['x'], recentDownloads: 10, dependents: 1 },
      { name: 'a', owners: [], recentDownloads: 10, dependents: 1 },
      { name: 'c', owners: [], recentDownloads: 10, dependents: 5, description: 'C' },
      { name: 'd', owners: [], recentDownloads: 99, dependents: 0 },
      { name: 'e', owners: [], recentDownloads: 0, dependents: 100 },
    ];
    const ranked = rankRegistryCorpus(rows, 4);
    expect(ranked.map((c) => c.name)).toEqual(['d', 'c', 'a', 'b']);
    expect(ranked[1]).toEqual({ name: 'c', owners: [], description: 'C', readme: null });
    expect(ranked[3]!.owners).toEqual(['x']);
    expect(rows[0]!.name).toBe('b'); // input left alone
  });
});
