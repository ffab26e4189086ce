import { describe, expect, it } from 'vitest';
import { labelIndexes, niceScale, shortNumber } from './chart-scale.js';

describe('niceScale', () => {
  it('covers the maximum with whole, evenly spaced ticks from zero', () => {
    for (const max of [1, 3, 7, 10, 37, 99, 100, 101, 1234, 987_654]) {
      const { top, ticks } = niceScale(max);
      expect(top, String(max)).toBeGreaterThanOrEqual(max);
      expect(ticks[0]).toBe(0);
      expect(ticks.at(-1)).toBe(top);
      const step = ticks[1]! - ticks[0]!;
      expect(Number.isInteger(step)).toBe(true);
      ticks.forEach((t, i) => expect(t).toBe(i * step));
      // Not absurdly loose: the top stays within a step of the data (or the unit minimum).
      expect(top - max).toBeLessThan(Math.max(step, 1) + 1e-9);
      expect(ticks.length).toBeLessThanOrEqual(12);
    }
  });

  it('gives a usable axis for empty, zero and broken data', () => {
    for (const max of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(niceScale(max)).toEqual({ top: 1, ticks: [0, 1] });
    }
  });
});

describe('shortNumber', () => {
  it('abbreviates thousands and millions', () => {
    expect(shortNumber(950)).toBe('950');
    expect(shortNumber(1200)).toBe('1.2k');
    expect(shortNumber(3_000_000)).toBe('3M');
  });
});

describe('labelIndexes', () => {
  it('labels at most max positions, evenly, always including the last', () => {
    const idx = labelIndexes(30, 6);
    expect(idx.length).toBeLessThanOrEqual(6);
    expect(idx.at(-1)).toBe(29);
    const gaps = new Set(idx.slice(1).map((v, i) => v - idx[i]!));
    expect(gaps.size).toBe(1);
    expect(labelIndexes(0, 6)).toEqual([]);
    expect(labelIndexes(3, 6)).toEqual([0, 1, 2]);
    // Room for no label still labels the last day: a chart without any date is unreadable.
    expect(labelIndexes(5, 0)).toEqual([4]);
  });
});
