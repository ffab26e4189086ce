import { describe, expect, it } from 'vitest';
import {
  downloadsSentence,
  formatAge,
  formatBytes,
  formatCount,
  formatDuration,
  formatTime,
  impactSentence,
  plural,
  requirementSentence,
} from './format.js';

describe('formats', () => {
  it('says how long a wait is in minutes and hours, not hundreds of seconds', () => {
    expect(formatDuration(897)).toBe('14 min 57 s');
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(3600)).toBe('1 h');
    expect(formatDuration(-3)).toBe('0 s');
  });

  it('shows times in UTC to the second, and passes through what is not a time', () => {
    expect(formatTime('2024-03-05T07:08:09.123Z')).toBe('2024-03-05 07:08:09 UTC');
    expect(formatTime('2024-03-05T07:08:09+02:00')).toBe('2024-03-05 05:08:09 UTC');
    expect(formatTime(null)).toBe('—');
    expect(formatTime('not a date')).toBe('not a date');
  });

  it('says how long ago', () => {
    const now = Date.parse('2024-03-05T12:00:00Z');
    expect(formatAge('2024-03-05T11:59:30Z', now)).toBe('30 s ago');
    expect(formatAge('2024-03-05T11:00:00Z', now)).toBe('1 h ago');
    expect(formatAge('2024-03-01T12:00:00Z', now)).toBe('4 days ago');
    expect(formatAge('2024-03-06T12:00:00Z', now)).toBe('in the future');
  });

  it('sizes and counts', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(10 * 1024 * 1024)).toBe('10 MiB');
    expect(formatBytes(Number.NaN)).toBe('—');
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(plural(1, 'version')).toBe('1 version');
    expect(plural(2, 'version')).toBe('2 versions');
  });

  it('words the impact of an action', () => {
    expect(impactSentence(1, 5)).toBe('1 crate depends on this directly, 5 transitively');
    expect(impactSentence(0, 0)).toBe('0 crates depend on this directly, 0 transitively');
    expect(impactSentence(1200, 34000)).toBe('1,200 crates depend on this directly, 34,000 transitively');
  });

  it('words a version’s downloads and the dependents whose requirement accepts it', () => {
    expect(downloadsSentence({ total: 1204, last7Days: 12, last30Days: 310 })).toBe(
      '1,204 downloads · 310 in 30 days · 12 in 7 days',
    );
    expect(requirementSentence({ crates: 0, versions: 0 })).toBe(
      'No published crate requires a version range that includes it',
    );
    expect(requirementSentence({ crates: 1, versions: 2 })).toBe(
      '1 crate requires a version range that includes it (2 versions); their lockfiles may pin it, yanked or not',
    );
  });
});
