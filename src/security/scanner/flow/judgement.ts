// Judgements the proximity rules (rules/code-rules.ts) and the flow rules share: which
// destinations are suspicious, which secret names are wallet keys, and whether reading a kind of
// credential is what the crate says it is for.
import type { Signal } from '../code-signals.js';
import type { CrateModel } from '../rules/model.js';

// Wallet keys and seed phrases: a library has no reason to ship them anywhere.
export const WALLET_SECRET = /(^|_)(PRIVATE_?KEY|PRIVKEY|MNEMONIC|SEED(_PHRASE)?|PK|WALLET\w*)$/;
export const SUSPICIOUS_ENDPOINTS = new Set([
  'raw-ip',
  'messenger',
  'paste-tunnel',
  'serverless',
  'metadata',
]);

export const suspiciousEndpoint = (s: Signal): boolean =>
  s.kind === 'endpoint' && SUSPICIOUS_ENDPOINTS.has(s.detail ?? '');

const PURPOSE: Record<string, RegExp> = {
  'ssh-key': /\b(ssh|sftp|scp|git|russh|thrussh)/,
  'cloud-credentials':
    /\b(aws|amazon|s3|azure|gcp|gcloud|google cloud|kube|k8s|kubernetes|docker|container|cloud)/,
  'cargo-token': /\b(cargo|crates\.io|registry)/,
  'vcs-credentials': /\b(git|github|gitlab|netrc|http|curl)/,
  'package-registry-token': /\b(npm|pypi|pip|yarn|nuget|registry|package)/,
};

/** Whether reading this kind of credential is what the crate says it is for. */
export function alignedWithPurpose(model: CrateModel, kind: string): boolean {
  const re = PURPOSE[kind];
  return re !== undefined && model.manifest !== null && re.test(model.manifest.purpose);
}

/**
 * What a crate that says it manages a kind of startup entry calls it (name, description,
 * keywords): a login-item toggle, a service or timer installer, a completion installer.
 */
const PERSISTENCE_PURPOSE: Record<string, RegExp> = {
  'windows-run-key':
    /\b(start(s|ing)?[- ]at[- ]log[io]n|log[io]n items?|auto-?(start|launch|run)|startup|at (login|logon|boot))\b/,
  'startup-folder': /\b(start(s|ing)?[- ]at[- ]log[io]n|log[io]n items?|auto-?(start|launch|run)|startup)\b/,
  'xdg-autostart':
    /\b(start(s|ing)?[- ]at[- ]log[io]n|log[io]n items?|auto-?(start|launch|run)|startup|xdg)\b/,
  'launch-agent':
    /\b(launchd|launch agents?|start(s|ing)?[- ]at[- ]log[io]n|log[io]n items?|auto-?(start|launch)|services?|daemons?)\b/,
  systemd: /\b(systemd|services?|daemons?|units?|timers?|supervis\w+)\b/,
  'systemd-timer': /\b(systemd|timers?|periodic(ally)?|schedul\w+|services?)\b/,
  cron: /\b(cron(tab)?|schedul\w+|periodic(ally)?|jobs?)\b/,
  'scheduled-task':
    /\b(schedul\w+|tasks?|periodic(ally)?|services?|start(s|ing)?[- ]at[- ]log[io]n|auto-?start)\b/,
  'shell-rc': /\b(completions?|shell integration)\b/,
  'vcs-hook': /\b(git[- ]?hooks?|hooks? (manager|installer|runner)|pre-commit)\b/,
  'cargo-config': /\b(cargo[- ]config(uration)?|\.cargo\/config|vendor(ing|ed)?|source[- ]replacement)\b/,
};

/** Whether the crate says it manages this kind of entry (name, description, keywords). */
export function persistencePurpose(model: CrateModel, kind: string): boolean {
  const re = PERSISTENCE_PURPOSE[kind];
  return re !== undefined && model.manifest !== null && re.test(model.manifest.purpose);
}

/** Names of operations that install or remove such an entry when the caller asks. */
const PERSISTENCE_ACTION =
  /^(install|uninstall|reinstall|enable|disable|toggle|register|unregister|deregister|schedule|unschedule|set_enabled|set_(auto_?start|auto_?launch|start_?(at|on)_?\w+|run_?(at|on)_?\w+|login_?item)|(install|uninstall|enable|disable|register|unregister|schedule|add|remove|create|delete)_\w+)$/;

/**
 * A persistence flow with no payload in it, run by a pub fn named for installing or removing the
 * entry (`LoginItem::set_enabled`, `Service::install`), in a crate whose stated purpose is that
 * kind of entry: the operation the crate exists for, called by its user. Whether the entry then
 * runs something harmful is the caller's choice, as with any installer.
 */
export function persistenceAskedFor(model: CrateModel, rootFn: string, kind: string): boolean {
  if (!persistencePurpose(model, kind)) return false;
  const name = rootFn.split('::').pop() ?? '';
  return PERSISTENCE_ACTION.test(name);
}
