import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from './config-file.js';
import { ConfigError, checkConfigKeys, nearest } from './config-schema.js';

function configFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'ck-config-')), 'cratekeeper.toml');
  writeFileSync(path, text);
  return path;
}

describe('cratekeeper.toml keys', () => {
  it('accepts every documented table and key', () => {
    const path = configFile(
      [
        '[server]',
        'host = "0.0.0.0"',
        'port = 9000',
        'public_url = "https://crates.example"',
        'private = true',
        'trust_proxy = true',
        '[security]',
        'quarantine = "high"',
        'quarantine_on_malicious_advisory = true',
        '[security.detonate]',
        'enabled = false',
        '[typosquat]',
        'top = 100',
        '[notifications]',
        'min_severity = "high"',
        '[notifications.email]',
        'host = "smtp.example"',
        '[gc]',
        'on_start = false',
        '[storage]',
        'kind = "s3"',
        'bucket = "crates"',
        'region = "eu-west-1"',
        'endpoint = "https://minio.example:9000"',
        'force_path_style = true',
        'prefix = "crates/"',
        'conditional_delete = true',
        '[storage.index]',
        'enabled = true',
        'prefix = "index/"',
        'max_age_seconds = 60',
        '[advisories]',
        'sources = ["/srv/advisory-db"]',
        'sync_interval_minutes = 60',
        'crates_io_mirror = false',
        'id_prefix = "CK"',
        '',
      ].join('\n'),
    );
    expect(loadConfigFile(path).table).toMatchObject({ server: { port: 9000 } });
  });

  it.each([
    ['[securty]\nquarantine = "high"\n', /unknown table \[securty\]; did you mean \[security\]\?/],
    [
      '[security]\nquarantin = "high"\n',
      /unknown key "quarantin" in \[security\]; did you mean "quarantine"\?/,
    ],
    ['[server]\nprot = 1\n', /unknown key "prot" in \[server\]; did you mean "port"\?/],
    [
      '[security.detonat]\nenabled = true\n',
      /unknown key "detonat" in \[security\]; did you mean "detonate"\?/,
    ],
    ['[notifications.email]\npasword = "x"\n', /did you mean "password"\?/],
    ['port = 8080\n', /unknown key "port"/],
    [
      '[zzz]\na = 1\n',
      /unknown table \[zzz\] \(valid: server, security, typosquat, notifications, gc, storage, advisories, limits, tokens, admin, metrics\)/,
    ],
    ['server = 3\n', /\[server\] must be a table/],
  ])('refuses %j, naming the file and the nearest valid name', (text, message) => {
    const path = configFile(text);
    let error: unknown;
    try {
      loadConfigFile(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message.startsWith(`${path}: `)).toBe(true);
  });

  it('checks nested tables against their own keys only', () => {
    expect(() => checkConfigKeys('f', { security: { detonate: { quarantine: 'high' } } })).toThrow(
      /unknown key "quarantine" in \[security.detonate\]/,
    );
  });

  it('suggests only near names', () => {
    expect(nearest('securty', ['server', 'security'])).toBe('security');
    expect(nearest('banana', ['server', 'security'])).toBeNull();
  });
});
