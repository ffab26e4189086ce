// What each signal kind means to the capability analysis: a source of data worth stealing or of a
// payload, a sink that sends, runs, persists or maps executable memory, a guard (an evasion check
// that gates what follows) or a trigger (code that runs without being called). One table, so that
// a new signal kind only needs a row here to take part in every flow.
import type { Signal, SignalKind } from '../code-signals.js';

/** What a source yields. The first group is data worth stealing; the second is a payload. */
export type SourceClass =
  | 'credential' // a credential store of another tool, key material found by a scan
  | 'secret' // a secret-looking environment variable, a .env file, an unnamed secret file
  | 'clipboard'
  | 'input' // keystrokes, mouse, /dev/input
  | 'screen' // a screenshot
  | 'project' // the consumer's repository or project tree
  | 'fingerprint' // host, user, public IP
  | 'env-dump' // the whole environment
  | 'download' // bytes fetched from the network
  | 'decoded' // a value decoded at run time or hidden in a literal
  | 'embedded' // a native executable shipped in the crate (byte array, include_bytes!)
  | 'tamper-content' // text that redirects cargo's sources or is a VCS hook, wherever it is written
  | 'persist-place' // a startup location (rc file, autostart dir, unit dir) named where it is not written
  | 'caller-data'; // the input of a codec or key function of the public API (keys in flight)

export type SinkClass =
  | 'network' // any carrier: HTTP clients, sockets, DNS, SMTP, webhooks, download tools
  | 'exec' // a process, a shell, a written file run, a shipped executable run
  | 'exec-memory' // code run from memory (memfd, executable mappings)
  | 'write' // a file written (a payload dropped; the build's own output is not a sink by itself)
  | 'persist'; // a write to a place that runs code later (rc files, cron, units, hooks, cargo config)

export interface Role {
  source?: SourceClass;
  sink?: SinkClass;
  /** An anti-analysis or environment check: what it gates is worse. */
  guard?: boolean;
  /** Code marked by this signal runs before main or at load. */
  trigger?: 'static-ctor';
}

/**
 * The role of every signal kind that takes part in flows (kinds absent here play no part).
 * Persistence kinds vcs-hook and cargo-config are judged as tampering (TAMPER_KINDS).
 */
export const SIGNAL_ROLES: Partial<Record<SignalKind, Role>> = {
  // sources of data worth stealing
  'credential-path': { source: 'credential' },
  'key-regex': { source: 'credential' },
  'env-secret': { source: 'secret' },
  dotenv: { source: 'secret' },
  clipboard: { source: 'clipboard' },
  'input-capture': { source: 'input' },
  'screen-capture': { source: 'screen' },
  'git-consumer': { source: 'project' },
  'walk-up': { source: 'project' },
  fingerprint: { source: 'fingerprint' },
  'env-fingerprint': { source: 'fingerprint' },
  'env-enumerate': { source: 'env-dump' },
  // payloads
  'runtime-decode': { source: 'decoded' },
  'decode-routine': { source: 'decoded' },
  obfuscated: { source: 'decoded' },
  'embedded-executable': { source: 'embedded' },
  // A byte-array literal is a payload only when a value of it is followed to a run (detail `data`).
  'byte-blob': { source: 'embedded' },
  // sinks (network is also where a downloaded payload comes from)
  network: { sink: 'network', source: 'download' },
  channel: { sink: 'network', source: 'download' },
  'raw-http': { sink: 'network' },
  'download-tool': { sink: 'network', source: 'download' },
  exec: { sink: 'exec' },
  'exec-shell': { sink: 'exec' },
  'pipe-to-shell': { sink: 'exec', source: 'download' },
  'exec-temp': { sink: 'exec' },
  'exec-shipped': { sink: 'exec', source: 'embedded' },
  'write-then-exec': { sink: 'exec' },
  'make-executable': { sink: 'exec' },
  'reverse-shell': { sink: 'exec' },
  'exec-memory': { sink: 'exec-memory' },
  'fs-write': { sink: 'write' },
  'persistence-write': { sink: 'persist' },
  // guards
  evasion: { guard: true },
  'env-ci': { guard: true },
  'os-gate': { guard: true },
  'av-check': { guard: true },
  // triggers
  'static-ctor': { trigger: 'static-ctor' },
};

/** Persistence kinds that tamper with the consumer's tools rather than with the host's startup. */
export const TAMPER_KINDS = new Set(['vcs-hook', 'cargo-config']);

/** Credential kinds strong enough that any flow of them to the network is theft. */
export const STRONG_CREDENTIALS = new Set([
  'ssh-key',
  'cargo-token',
  'cloud-credentials',
  'vcs-credentials',
  'package-registry-token',
  'crypto-wallet',
  'browser-store',
  'messenger-store',
  'system-secrets',
  'keychain',
  'shell-history',
]);

/** The role a located signal plays (a signal may refine its kind's role through its detail). */
export function roleOf(s: Signal): Role | undefined {
  // A cargo source replacement or a hook named in one function and written by another: the text
  // is what tampers, whichever function writes it (a mention alone is no sink). A startup place
  // (`dirs::home_dir().join(".bashrc")`, `config_dir().join("autostart")`) built by a helper is a
  // persistence when a value of it reaches a write.
  if (s.kind === 'persistence')
    return { source: TAMPER_KINDS.has(s.detail ?? '') ? 'tamper-content' : 'persist-place' };
  const r = SIGNAL_ROLES[s.kind];
  if (!r) return undefined;
  // A credential path that is only a generic secret file is a secret, not another tool's store.
  if (s.kind === 'credential-path' && !STRONG_CREDENTIALS.has(s.detail ?? '')) return { source: 'secret' };
  if (s.kind === 'network') {
    // A type or enum variant of a client crate (`curl::easy::HttpVersion::V2`) is not a call.
    if (/::[A-Z]\w*$/.test(s.evidence)) return undefined;
    // Building a client sends and fetches nothing yet: a sink (it may carry what it is built
    // with), not the source of a download.
    if (CLIENT_CONSTRUCTOR.test(s.evidence)) return { sink: 'network' };
  }
  return r;
}

export const CLIENT_CONSTRUCTOR =
  /(^|::)(new|builder|default|Client|Agent|ClientBuilder|AgentBuilder|Easy|Easy2|Multi|bind|UdpSocket::bind)$/;

/** Data worth stealing (as opposed to a payload). */
export function isStealable(c: SourceClass): boolean {
  return (
    c !== 'download' && c !== 'decoded' && c !== 'embedded' && c !== 'tamper-content' && c !== 'persist-place'
  );
}
