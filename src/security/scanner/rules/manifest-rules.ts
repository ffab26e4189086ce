// Rules over Cargo.toml: network-capable build dependencies, proc-macros with network crates,
// clones that keep the original library name, dependencies that nothing uses.
import { canonicalCrateName } from '../../../domain/crate-name.js';
import type { CrateModel, Emitter } from './model.js';

export const HTTP_CLIENT_CRATES = new Set([
  'reqwest',
  'ureq',
  'curl',
  'attohttpc',
  'minreq',
  'isahc',
  'surf',
  'reqwless',
  'ehttp',
  'http_req',
  'http-req',
  'hyper',
  'awc',
  'tungstenite',
  'tokio-tungstenite',
  'ssh2',
]);

/** Dependencies (canonical code names) the code never names. */
export function unusedDependencies(model: CrateModel): string[] {
  const m = model.manifest;
  if (!m || model.rust.length === 0) return [];
  const used = new Set<string>();
  for (const f of model.rust) for (const id of f.usedNames) used.add(id);
  return m.dependencies
    .filter((d) => (d.kind === 'normal' || d.kind === 'build') && !d.optional)
    .filter((d) => !used.has(d.codeName) && !used.has(d.codeName.replace(/_rs$/, '')))
    .map((d) => d.name);
}

export function manifestRules(model: CrateModel, emit: Emitter): void {
  const m = model.manifest;
  if (!m) {
    emit(
      'manifest.missing',
      'low',
      { file: 'Cargo.toml', line: null },
      'Cargo.toml is missing or not valid TOML',
    );
    return;
  }
  if (m.strictError)
    emit('manifest.lenient-parse', 'info', { file: 'Cargo.toml', line: null }, m.strictError);
  const buildNet = m.dependencies.filter((d) => d.kind === 'build' && HTTP_CLIENT_CRATES.has(d.name));
  if (buildNet.length > 0 && m.build) {
    emit(
      'manifest.build-network-deps',
      'info',
      { file: 'Cargo.toml', line: null, ctx: 'build-script' },
      buildNet.map((d) => d.name).join(', '),
    );
  }
  if (m.procMacro) {
    const net = m.dependencies.filter(
      (d) => d.kind === 'normal' && HTTP_CLIENT_CRATES.has(d.name) && d.name !== 'hyper',
    );
    if (net.length > 0) {
      emit(
        'manifest.proc-macro-network-deps',
        'medium',
        { file: 'Cargo.toml', line: null, ctx: 'proc-macro' },
        net.map((d) => d.name).join(', '),
      );
    }
  }
  if (m.libName && canonicalCrateName(m.libName) !== canonicalCrateName(m.name)) {
    emit(
      'manifest.lib-name-mismatch',
      'info',
      { file: 'Cargo.toml', line: null },
      `package ${m.name}, [lib] name = "${m.libName}"`,
    );
  }
  for (const dep of unusedDependencies(model)) {
    emit('manifest.unused-dependency', 'info', { file: 'Cargo.toml', line: null }, dep);
  }
}
