// Config reload: live settings take effect on the running services, others are named as needing
// a restart, secrets are never shown, and an invalid file changes nothing.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultRegistryConfig } from '../registry/config.js';
import { openRegistry, type RegistryServices } from '../registry/services.js';
import { securityConfigFrom } from './app.js';
import { loadConfigFile } from './config-file.js';
import { changedKeys, describeReload, reloadConfig } from './config-reload.js';

describe('config reload', () => {
  let dir: string;
  let path: string;
  let services: RegistryServices;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ck-reload-'));
    path = join(dir, 'cratekeeper.toml');
    await writeFile(path, '[server]\nport = 9000\n[security]\nquarantine = "off"\n');
    const file = loadConfigFile(path);
    services = await openRegistry({
      dataDir: join(dir, 'data'),
      config: defaultRegistryConfig(),
      security: securityConfigFrom(file),
    });
  });
  afterEach(async () => {
    await services.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('applies live settings and names the rest as needing a restart', async () => {
    const before = loadConfigFile(path).table;
    await writeFile(
      path,
      '[server]\nport = 9100\n[security]\nquarantine = "high"\nrelease_requires_criteria = "safe-to-deploy"\n' +
        '[notifications]\nwebhook_url = "https://hooks.example/x"\nwebhook_secret = "s3cr3t-value"\n',
    );
    const result = reloadConfig(path, before, services);
    expect(result.applied).toEqual(['security.quarantine', 'security.release_requires_criteria']);
    expect(result.needsRestart).toEqual([
      'notifications.webhook_secret',
      'notifications.webhook_url',
      'server.port',
    ]);
    expect(services.security.config.quarantine).toBe('high');
    expect(services.security.config.releaseRequiresCriteria).toBe('safe-to-deploy');
    const line = describeReload(result);
    expect(line).toContain('notifications.webhook_secret (secret)');
    expect(line).not.toContain('s3cr3t-value');
    // Reloading the same file again changes nothing.
    expect(describeReload(reloadConfig(path, result.table, services))).toBe(
      'config reloaded: nothing changed',
    );
  });

  it('an invalid file changes nothing', async () => {
    const before = loadConfigFile(path).table;
    await writeFile(path, '[security]\nquarantine = "sometimes"\n');
    expect(() => reloadConfig(path, before, services)).toThrow(/quarantine must be one of/);
    expect(services.security.config.quarantine).toBe('off');
    await writeFile(path, '[securty]\nquarantine = "high"\n');
    expect(() => reloadConfig(path, before, services)).toThrow(/unknown table \[securty\]/);
    expect(services.security.config.quarantine).toBe('off');
  });

  it('changedKeys sees added, removed and changed keys at any depth', () => {
    expect(
      changedKeys({ a: { b: 1, c: [1] }, d: 'x' }, { a: { b: 2, c: [1] }, e: { f: true } }).sort(),
    ).toEqual(['a.b', 'd', 'e.f']);
  });
});
