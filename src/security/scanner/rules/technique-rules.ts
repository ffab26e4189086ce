// Findings the technique families of issue 10 warrant on their own, by where the code runs: static
// constructors, code run from memory, anti-analysis gates, writes to VCS hooks and cargo's
// configuration, covert channels, clipboard and input capture, hand-written decoders. Source→sink
// flows are the flow engine's; these rules judge a signal with what sits next to it (same function,
// same file). Benign look-alikes (JIT runtimes, DNS and SMTP libraries, debuggers, clipboard
// managers, test registration, hook installers run on command) stay below high.
import type { Signal, SignalKind } from '../code-signals.js';
import type { FileContext, Severity } from '../types.js';
import { SEVERITIES } from '../types.js';
import type { CrateModel, Emitter, Group, RustFileResult } from './model.js';
import { groupOf } from './model.js';

/** What code does that matters when something runs it unasked. */
const SINKS: ReadonlySet<SignalKind> = new Set<SignalKind>([
  'network',
  'exec',
  'exec-shell',
  'download-tool',
  'pipe-to-shell',
  'write-then-exec',
  'exec-memory',
  'persistence-write',
  'channel',
  'reverse-shell',
]);
/** What code reads that is worth stealing. */
const SOURCES: ReadonlySet<SignalKind> = new Set<SignalKind>([
  'credential-path',
  'env-secret',
  'key-regex',
  'env-enumerate',
  'git-consumer',
  'walk-up',
  'clipboard',
  'input-capture',
  'screen-capture',
]);
/** A payload that is data: decoded, embedded or hidden. */
const PAYLOADS: ReadonlySet<SignalKind> = new Set<SignalKind>([
  'obfuscated',
  'embedded-executable',
  'high-entropy',
  'runtime-decode',
]);
const OWN_SERVICE_SECRET: Record<string, RegExp> = {
  smtp: /SMTP|MAIL/,
  webhook: /TELEGRAM|DISCORD|SLACK|BOT|WEBHOOK|(^|_)HOOK(_|$)/,
};
const NETWORK: ReadonlySet<SignalKind> = new Set<SignalKind>(['network', 'channel', 'download-tool']);
// Functions that run without the user asking: constructors, destructors, defaults, first calls.
const AUTOMATIC_FN = /^(drop|default|init|new|connect|setup|start|initialize|main)$/;

const rank = (s: Severity) => SEVERITIES.indexOf(s);
const max = (a: Severity, b: Severity): Severity => (rank(a) >= rank(b) ? a : b);
const cap = (s: Severity, limit: Severity): Severity => (rank(s) > rank(limit) ? limit : s);
const up = (s: Severity): Severity => SEVERITIES[Math.min(rank(s) + 1, SEVERITIES.length - 1)]!;

interface FileView {
  file: RustFileResult;
  group: Group;
  sigs: Signal[];
  has(kinds: ReadonlySet<SignalKind>, pred?: (s: Signal) => boolean): Signal | undefined;
  inFn(s: Signal, kinds: ReadonlySet<SignalKind>, pred?: (x: Signal) => boolean): Signal | undefined;
}

function view(file: RustFileResult, group: Group, sigs: Signal[]): FileView {
  return {
    file,
    group,
    sigs,
    has: (kinds, pred) => sigs.find((s) => kinds.has(s.kind) && (!pred || pred(s))),
    inFn: (s, kinds, pred) =>
      s.fn < 0
        ? undefined
        : sigs.find((x) => x !== s && x.fn === s.fn && kinds.has(x.kind) && (!pred || pred(x))),
  };
}

export function techniqueRules(model: CrateModel, emit: Emitter): void {
  clipboardHijack(model, emit);
  for (const file of model.rust) {
    const group = groupOf(file.ctx);
    const live = group === 'test' ? [] : file.signals.filter((s) => !s.test);
    const tests = group === 'test' ? file.signals : file.signals.filter((s) => s.test);
    if (live.length > 0) fileRules(view(file, group, live), ctxLimit(group), file.ctx, emit);
    // Test code: only what would be high elsewhere is worth a line, and never above low.
    if (tests.length > 0) {
      const ctx: FileContext = group === 'test' ? file.ctx : 'test';
      fileRules(view(file, 'test', tests), 'critical', ctx, (id, sev, at, ev, note) => {
        if (rank(sev) >= rank('high')) emit(id, 'low', at, ev, note);
      });
    }
  }
}

function ctxLimit(group: Group): Severity {
  return group === 'other' ? 'medium' : 'critical';
}

function fileRules(V: FileView, limit: Severity, ctx: FileContext, emit: Emitter): void {
  const buildTime = V.group === 'build' || V.group === 'macro';
  const e = (id: string, sev: Severity, s: Signal, evidence: string, note?: string) =>
    emit(id, cap(sev, limit), { file: V.file.path, line: s.line, ctx }, evidence, note);
  const fnName = (s: Signal) => (s.fn >= 0 ? (V.file.functions[s.fn] ?? '') : '');
  const ctorTargets = new Set(
    V.sigs.filter((s) => s.kind === 'static-ctor' && s.target).map((s) => s.target!),
  );
  const automatic = (s: Signal) => AUTOMATIC_FN.test(fnName(s)) || ctorTargets.has(fnName(s));
  const payload = V.has(PAYLOADS) ?? V.has(new Set(['decode-routine']), (s) => s.decoded === true);
  const source = V.has(SOURCES, (s) => s.kind !== 'clipboard' || s.detail === 'read');

  // Static constructors: library code that runs before main, unasked.
  for (const s of V.sigs.filter((x) => x.kind === 'static-ctor')) {
    // With the constructor's function known, only what it does counts (the flow engine follows its
    // calls); without it, the file stands in.
    const sink = s.target ? V.sigs.find((x) => SINKS.has(x.kind) && fnName(x) === s.target) : V.has(SINKS);
    const sev: Severity = sink ? (payload || source ? 'critical' : 'high') : buildTime ? 'high' : 'medium';
    e(
      'code.static-ctor',
      sev,
      s,
      `${s.evidence}${sink ? `; ${sink.kind} at line ${sink.line}: ${sink.evidence}` : ''}`,
      sink ? undefined : 'The constructor itself reaches no network, process or persistence sink.',
    );
  }

  // Code run from memory.
  for (const s of V.sigs.filter((x) => x.kind === 'exec-memory')) {
    const net = V.has(NETWORK);
    // JIT compilers and wasm runtimes map executable pages; with no payload and no network, that is all.
    const base: Severity =
      s.detail === 'memfd'
        ? 'high'
        : s.detail === 'virtualalloc' && /WriteProcessMemory/.test(s.evidence)
          ? 'high'
          : 'medium';
    const sev: Severity = payload
      ? 'critical'
      : net
        ? max(base, 'high')
        : buildTime
          ? max(base, 'high')
          : base;
    e(
      'code.exec-memory',
      sev,
      s,
      `${s.evidence}${payload ? `; payload: ${payload.evidence}` : net ? `; network: ${net.evidence}` : ''}`,
    );
  }

  // Anti-analysis: worth most where it guards something.
  for (const s of V.sigs.filter((x) => x.kind === 'evasion')) {
    const guarded = V.inFn(s, SINKS);
    const weak = s.detail === 'hardware' || s.detail === 'sleep';
    const kinds = new Set(V.sigs.filter((x) => x.kind === 'evasion').map((x) => x.detail));
    const alone: Severity = weak ? 'low' : 'medium';
    const sev: Severity = guarded
      ? buildTime
        ? 'critical'
        : 'high'
      : kinds.size >= 3 && V.has(SINKS)
        ? 'high'
        : alone;
    e(
      'code.evasion',
      sev,
      s,
      `${s.detail}: ${s.evidence}${guarded ? `; guards ${guarded.kind} at line ${guarded.line}` : ''}`,
    );
  }

  // Writes to the consumer's VCS hooks and to cargo's configuration.
  const seen = new Set<string>();
  for (const s of V.sigs.filter((x) => x.kind === 'persistence-write')) {
    const id =
      s.detail === 'vcs-hook'
        ? 'code.vcs-hook'
        : s.detail === 'cargo-config'
          ? 'code.tamper-cargo-config'
          : null;
    if (!id || seen.has(`${id}:${s.line}`)) continue;
    seen.add(`${id}:${s.line}`);
    const hostile =
      V.inFn(s, new Set<SignalKind>(['network', 'download-tool', 'pipe-to-shell', 'obfuscated'])) ??
      V.inFn(s, new Set<SignalKind>(['endpoint']), (x) => x.detail !== 'url');
    const redirects = V.sigs.some(
      (x) =>
        x.kind === 'persistence' &&
        x.detail === 'cargo-config' &&
        /replace-with|registries|rustc-wrapper|\[patch/.test(x.evidence),
    );
    // A hook installer or cargo tool run on command writes these too; unasked, or with a payload, it is an attack.
    let sev: Severity = 'medium';
    if (buildTime) sev = 'critical';
    else if (hostile) sev = 'critical';
    else if (
      automatic(s) ||
      (V.group === 'runtime' && V.file.ctx === 'library' && id === 'code.tamper-cargo-config' && redirects)
    )
      sev = 'high';
    e(id, sev, s, `${s.evidence}${hostile ? `; ${hostile.kind}: ${hostile.evidence}` : ''}`);
  }

  // Carriers other than an HTTP client.
  for (const s of V.sigs.filter((x) => x.kind === 'channel')) {
    // A mail or bot library reading its own service's credentials (SMTP_PASSWORD, TELEGRAM_TOKEN) is configured, not stealing.
    const own = OWN_SERVICE_SECRET[s.detail ?? ''];
    const foreign = (x: Signal) => !(own && x.kind === 'env-secret' && own.test(x.detail ?? ''));
    const near =
      V.inFn(s, SOURCES, foreign) ??
      (s.detail === 'dns-raw' || s.detail === 'smtp' || s.detail === 'webhook'
        ? V.has(SOURCES, (x) => foreign(x) && (x.kind !== 'clipboard' || x.detail === 'read'))
        : undefined);
    let sev: Severity | null;
    switch (s.detail) {
      case 'dns-raw':
      case 'smtp':
      case 'webhook':
        sev = near ? 'high' : 'medium';
        if (buildTime) sev = near ? 'critical' : 'high';
        break;
      default:
        // Raw TCP, UDP and JSON-RPC are how databases, games and wallets talk: only a source makes them carriers.
        sev = near ? (buildTime ? 'high' : 'medium') : null;
    }
    if (sev === null) continue;
    e('code.covert-channel', sev, s, `${s.detail}: ${s.evidence}${near ? `; source: ${near.evidence}` : ''}`);
  }

  // Clipboard, keyboard and screen: low alone, high with a way out.
  for (const kind of ['clipboard', 'input-capture', 'screen-capture'] as const) {
    const s = V.sigs.find((x) => x.kind === kind && (kind !== 'clipboard' || x.detail !== 'write'));
    if (!s) continue;
    const net = V.has(NETWORK);
    const sev: Severity = net ? 'high' : buildTime ? 'high' : 'low';
    e(
      `code.${kind}`,
      buildTime && net ? 'critical' : sev,
      s,
      `${s.evidence}${net ? `; network: ${net.evidence}` : ''}`,
    );
  }

  // Hand-written decoders: the decoded value's meaning decides (code.obfuscated-string reports it).
  for (const s of V.sigs.filter((x) => x.kind === 'decode-routine')) {
    const uses = V.inFn(s, SINKS);
    const sev: Severity = uses ? (payload ? 'high' : 'medium') : 'info';
    e(
      'code.decode-routine',
      buildTime ? up(sev) : sev,
      s,
      `${s.detail}: ${s.evidence}${uses ? `; then ${uses.kind}: ${uses.evidence}` : ''}`,
    );
  }
}

/**
 * A clipper: the clipboard read, written back, and an address to write, anywhere in the crate's
 * code (the parts often sit in different files: a watcher, a swap table).
 */
function clipboardHijack(model: CrateModel, emit: Emitter): void {
  let read: { file: RustFileResult; s: Signal } | null = null;
  let write: Signal | null = null;
  let wallet: Signal | null = null;
  let buildTime = false;
  for (const file of model.rust) {
    const group = groupOf(file.ctx);
    if (group === 'test' || group === 'other') continue;
    for (const s of file.signals) {
      if (s.test) continue;
      if (s.kind === 'clipboard' && s.detail === 'read' && !read) {
        read = { file, s };
        buildTime ||= group === 'build' || group === 'macro';
      } else if (s.kind === 'clipboard' && s.detail === 'write') write ??= s;
      else if (s.kind === 'wallet-address') wallet ??= s;
    }
  }
  if (!read || !write || !wallet) return;
  emit(
    'code.clipboard-hijack',
    buildTime ? 'critical' : 'high',
    { file: read.file.path, line: read.s.line, ctx: read.file.ctx },
    `${read.s.evidence}; ${write.evidence}; ${wallet.evidence}`,
  );
}
