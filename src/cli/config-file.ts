// `cratekeeper.toml`: settings for the server and the checks. Read from `--config PATH`,
// else `./cratekeeper.toml` when present. Each part reads its own table.
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'smol-toml';
import { checkConfigKeys, ConfigError } from './config-schema.js';

export type ConfigTable = Record<string, unknown>;

export function loadConfigFile(path?: string): {
  path: string | null;
  text: string | null;
  table: ConfigTable;
} {
  const chosen = path ?? (existsSync('cratekeeper.toml') ? 'cratekeeper.toml' : null);
  if (!chosen) return { path: null, text: null, table: {} };
  let text: string;
  try {
    text = readFileSync(chosen, 'utf8');
  } catch (err) {
    throw new Error(`cannot read config file ${chosen}: ${(err as Error).message}`);
  }
  let table: ConfigTable;
  try {
    table = parse(text) as ConfigTable;
  } catch (err) {
    throw new ConfigError(`invalid config file ${chosen}: ${(err as Error).message}`);
  }
  checkConfigKeys(chosen, table);
  return { path: chosen, text, table };
}

export function section(table: ConfigTable, name: string): ConfigTable {
  const v = table[name];
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new Error(`[${name}] in the config file must be a table`);
  return v as ConfigTable;
}
