import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress, humanCount, humanDuration } from './progress.js';

describe('progress', () => {
  it('reads durations and counts in human units', () => {
    expect(humanDuration(0.2)).toBe('1 s');
    expect(humanDuration(59)).toBe('59 s');
    expect(humanDuration(60)).toBe('1 min');
    expect(humanDuration(897)).toBe('14 min 57 s');
    expect(humanDuration(7500)).toBe('2 h 5 min');
    expect(humanCount(31839)).toBe('31,839');
  });

  it('draws a bar with percent, counts, rate and time left when forced', () => {
    const stream = Object.assign(new PassThrough(), { columns: 200 }) as unknown as NodeJS.WriteStream;
    let text = '';
    (stream as unknown as PassThrough).on('data', (d: Buffer) => (text += d.toString()));
    const p = createProgress('scan', 20_000, { force: true, stream });
    p.tick(5_000);
    p.done('scanned');
    expect(text).toMatch(/scan \[#######-+\] 25% 5,000\/20,000, [\d,]+\/s, \d+( min)? ?\d* ?s? left/);
    expect(text.trim().endsWith('scanned')).toBe(true);
  });
});
