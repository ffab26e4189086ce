import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { securityConfigFrom } from './app.js';

const fromToml = (text: string) => securityConfigFrom({ text, table: parse(text) });

describe('securityConfigFrom: [security.detonate]', () => {
  it('is off with the documented defaults when absent', () => {
    expect(fromToml('').detonate).toEqual({ enabled: false, timeoutMs: 120_000, memoryMiB: 4096 });
  });

  it('reads enabled, the limits and the toolchain', () => {
    const cfg = fromToml(
      '[security]\nquarantine = "high"\n[security.detonate]\nenabled = true\ntimeout_seconds = 45\nmemory_mib = 2048\ntoolchain = "/opt/rust"\n',
    );
    expect(cfg.quarantine).toBe('high');
    expect(cfg.detonate).toEqual({
      enabled: true,
      timeoutMs: 45_000,
      memoryMiB: 2048,
      toolchain: '/opt/rust',
    });
  });

  it.each([
    ['enabled = "yes"', /enabled must be true or false/],
    ['timeout_seconds = 0', /timeout_seconds must be a whole number/],
    ['timeout_seconds = 1.5', /timeout_seconds must be a whole number/],
    ['memory_mib = -1', /memory_mib must be a whole number/],
    ['toolchain = ""', /toolchain must be a directory path/],
    ['timeout = 30', /has no setting "timeout"/],
  ])('refuses %s', (line, message) => {
    expect(() => fromToml(`[security.detonate]\n${line}\n`)).toThrow(message);
  });

  it('refuses a detonate value that is not a table', () => {
    expect(() => fromToml('[security]\ndetonate = true\n')).toThrow(/must be a table/);
  });
});
