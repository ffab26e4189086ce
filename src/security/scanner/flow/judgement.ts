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
