// Config reload without a restart (`kill -HUP` of a `serve` process): the file is read and
// checked again; the settings that are safe to change under running requests take effect at
// once, and every other changed key is named as needing a restart. An invalid file changes
// nothing: the process keeps running on what it had, and says why.
//
// Live settings are those read at the moment of each decision (the publish policy's quarantine
// level, the criteria a release needs, whether a malicious advisory quarantines). Listeners,
// databases, storage and pools are set up once and need a restart.
import type { RegistryServices } from '../registry/services.js';
import { securityConfigFrom } from './app.js';
import { loadConfigFile, type ConfigTable } from './config-file.js';

export const LIVE_KEYS: readonly string[] = [
  'security.quarantine',
  'security.release_requires_criteria',
  'security.quarantine_on_malicious_advisory',
];

/** Names of secret-bearing keys: their values are never printed, only that they changed. */
const SECRET = /(password|secret|token|key_id|access_key)/;

function flatten(table: ConfigTable, prefix = '', out = new Map<string, string>()): Map<string, string> {
  for (const [k, v] of Object.entries(table)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date))
      flatten(v as ConfigTable, key, out);
    else out.set(key, JSON.stringify(v));
  }
  return out;
}

/** The keys whose values differ between two config tables (added, removed or changed). */
export function changedKeys(before: ConfigTable, after: ConfigTable): string[] {
  const a = flatten(before);
  const b = flatten(after);
  return [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).sort();
}

export interface ReloadResult {
  applied: string[];
  needsRestart: string[];
  table: ConfigTable;
}

/**
 * Re-reads `path` and applies its live settings to `services`. Throws (changing nothing) when
 * the file is unreadable or invalid.
 */
export function reloadConfig(
  path: string | undefined,
  current: ConfigTable,
  services: RegistryServices,
): ReloadResult {
  const file = loadConfigFile(path);
  const next = securityConfigFrom(file); // validates; throws before anything is applied
  const changed = changedKeys(current, file.table);
  const applied = changed.filter((k) => LIVE_KEYS.includes(k));
  const needsRestart = changed.filter((k) => !LIVE_KEYS.includes(k));
  // The policy and the admin actions read these fields of the one config object per decision.
  const live = services.security.config;
  live.quarantine = next.quarantine;
  live.releaseRequiresCriteria = next.releaseRequiresCriteria;
  live.advisories.quarantineOnMalicious = next.advisories.quarantineOnMalicious;
  return { applied, needsRestart, table: file.table };
}

/** One log line about a reload; secret keys are named, never shown. */
export function describeReload(r: ReloadResult): string {
  const name = (k: string) => (SECRET.test(k) ? `${k} (secret)` : k);
  if (r.applied.length === 0 && r.needsRestart.length === 0) return 'config reloaded: nothing changed';
  return (
    'config reloaded: ' +
    [
      r.applied.length ? `applied ${r.applied.map(name).join(', ')}` : '',
      r.needsRestart.length ? `needs a restart to take effect: ${r.needsRestart.map(name).join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ')
  );
}
