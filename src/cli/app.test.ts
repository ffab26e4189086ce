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
    ['timeout = 30', /unknown key "timeout"; did you mean "timeout_seconds"?/],
  ])('refuses %s', (line, message) => {
    expect(() => fromToml(`[security.detonate]\n${line}\n`)).toThrow(message);
  });

  it('refuses a detonate value that is not a table', () => {
    expect(() => fromToml('[security]\ndetonate = true\n')).toThrow(/must be a table/);
  });
});

describe('securityConfigFrom: [advisories]', () => {
  it('defaults to no schedule, no crates.io mirror, quarantine on malicious advisories, CK ids', () => {
    expect(fromToml('').advisories).toEqual({
      sources: [],
      syncIntervalMinutes: null,
      cratesIoMirror: false,
      quarantineOnMalicious: true,
      idPrefix: 'CK',
    });
  });

  it('reads sources, the interval, mirror mode, the id prefix and the quarantine policy', () => {
    const cfg = fromToml(
      '[security]\nquarantine_on_malicious_advisory = false\n[advisories]\nsources = ["/srv/advisory-db", "https://example.test/db.tar.gz"]\nsync_interval_minutes = 30\ncrates_io_mirror = true\nid_prefix = "ACME"\n',
    );
    expect(cfg.advisories).toEqual({
      sources: ['/srv/advisory-db', 'https://example.test/db.tar.gz'],
      syncIntervalMinutes: 30,
      cratesIoMirror: true,
      quarantineOnMalicious: false,
      idPrefix: 'ACME',
    });
  });

  it.each([
    ['sources = "/srv/db"', /sources must be a list/],
    ['sources = [""]', /sources must be a list/],
    ['sources = ["/a"]\nsync_interval_minutes = 0', /sync_interval_minutes must be a whole number/],
    ['sync_interval_minutes = 5', /needs sources/],
    ['crates_io_mirror = 1', /crates_io_mirror must be true or false/],
    ['id_prefix = "RUSTSEC"', /id_prefix must be/],
    ['id_prefix = "ck"', /id_prefix must be/],
    ['interval = 5', /unknown key "interval"/],
  ])('refuses %s', (line, message) => {
    expect(() => fromToml(`[advisories]\n${line}\n`)).toThrow(message);
  });

  it('refuses a quarantine_on_malicious_advisory that is not a boolean', () => {
    expect(() => fromToml('[security]\nquarantine_on_malicious_advisory = "yes"\n')).toThrow(/true or false/);
  });
});

describe('securityConfigFrom: release_requires_criteria', () => {
  it('is unset by default and read as a criteria name', () => {
    expect(fromToml('').releaseRequiresCriteria).toBeUndefined();
    expect(
      fromToml('[security]\nrelease_requires_criteria = "safe-to-deploy"\n').releaseRequiresCriteria,
    ).toBe('safe-to-deploy');
  });

  it('refuses a value that is not a criteria name', () => {
    expect(() => fromToml('[security]\nrelease_requires_criteria = 3\n')).toThrow(/criteria name/);
    expect(() => fromToml('[security]\nrelease_requires_criteria = "Safe To Deploy"\n')).toThrow(
      /criteria name/,
    );
  });
});
