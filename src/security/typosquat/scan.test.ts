import { describe, expect, it } from 'vitest';
import type { PopularCrate } from './checker.js';
import { defaultTyposquatConfig } from './config.js';
import { compareEntries, scanCandidates, type ScanProgress } from './scan.js';

const corpus: PopularCrate[] = ['serde', 'tokio', 'rand', 'clap', 'regex', 'log', 'syn', 'libc'].map(
  (name) => ({
    name,
    owners: [],
  }),
);
const names = [
  'serdee',
  'tokyo',
  'rnad',
  'clap-rs',
  'regex2',
  'logg',
  'sny',
  'libcc',
  'unrelated',
  'serde',
  'lib',
];
const candidates = names.map((name) => ({ name }));

describe('scanCandidates', () => {
  it('returns only flagged names, worst first, skipping the popular ones', async () => {
    const progress: ScanProgress[] = [];
    const entries = await scanCandidates(corpus, defaultTyposquatConfig(), candidates, {
      onProgress: (p) => progress.push(p),
    });
    const flagged = entries.map((e) => e.name);
    expect(flagged).not.toContain('unrelated');
    expect(flagged).not.toContain('serde');
    expect(flagged).toEqual(
      expect.arrayContaining(['serdee', 'tokyo', 'rnad', 'clap-rs', 'regex2', 'logg', 'sny', 'libcc']),
    );
    expect([...entries].sort(compareEntries)).toEqual(entries);
    for (const e of entries) expect(e.score).toBe(e.hits[0]!.score);
    expect(progress.at(-1)).toEqual({ done: names.length, total: names.length });
  });

  it('gives the same entries on two worker threads as on one', async () => {
    const one = await scanCandidates(corpus, defaultTyposquatConfig(), candidates, { threads: 1 });
    const progress: ScanProgress[] = [];
    const two = await scanCandidates(corpus, defaultTyposquatConfig(), candidates, {
      threads: 2,
      onProgress: (p) => progress.push(p),
    });
    expect(two).toEqual(one);
    expect(two.length).toBeGreaterThan(5);
    expect(progress.at(-1)).toEqual({ done: names.length, total: names.length });
  });

  it('keeps a repeated candidate as two entries, on one thread or two', async () => {
    const twice = [{ name: 'serdee' }, { name: 'serdee' }];
    const one = await scanCandidates(corpus, defaultTyposquatConfig(), twice, { threads: 1 });
    const two = await scanCandidates(corpus, defaultTyposquatConfig(), twice, { threads: 2 });
    expect(one.map((e) => e.name)).toEqual(['serdee', 'serdee']);
    expect(one[0]!.hits).toHaveLength(1);
    expect(two).toEqual(one);
  });

  it('reports a worker failure instead of hanging', async () => {
    const bad = { ...defaultTyposquatConfig(), typos: null as unknown as Record<string, string[]> };
    await expect(scanCandidates(corpus, bad, candidates, { threads: 2 })).rejects.toThrow();
  });
});
