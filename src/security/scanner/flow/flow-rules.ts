// Flows as findings: the severity of a flow comes from what flows (a credential, a payload), what
// makes it run (build time, a constructor, Drop, the first call of the API — or an explicit,
// documented call) and what guards it (CI, debugger, sandbox checks). The proximity rules that a
// flow judges better are capped to the flow's severity (see `capFor`), so an explicit, documented
// updater is not reported high by the same-file rule either.
import type { Signal } from '../code-signals.js';
import { secretServiceHosts } from '../indicators.js';
import type { CrateModel, Emitter, RustFileResult } from '../rules/model.js';
import type { Severity } from '../types.js';
import { SEVERITIES, severityRank } from '../types.js';
import { analyzeFlows } from './engine.js';
import type { Flow, FlowFile, FlowKind, TriggerClass } from './engine.js';
import {
  alignedWithPurpose,
  persistenceAskedFor,
  persistencePurpose,
  suspiciousEndpoint,
  WALLET_SECRET,
} from './judgement.js';
import { roleOf, STRONG_CREDENTIALS } from './roles.js';

export const FLOW_RULE: Record<FlowKind, string> = {
  exfiltration: 'flow.exfiltration',
  'download-exec': 'flow.download-exec',
  'decoded-exec': 'flow.decoded-exec',
  persistence: 'flow.persistence',
  tamper: 'flow.tamper',
};

/** Proximity rules and the flow kinds that judge the same act. */
const SUPERSEDES: Record<string, FlowKind[]> = {
  'code.exfiltration': ['exfiltration'],
  'code.exfiltration-split': ['exfiltration'],
  'code.download-exec': ['download-exec'],
  'code.write-then-exec': ['download-exec', 'decoded-exec'],
  'code.dropper': ['decoded-exec'],
  'code.persistence': ['persistence', 'tamper'],
  // A hook or cargo-config write the user asks for (a binary's subcommand, a documented call).
  'code.vcs-hook': ['tamper'],
  'code.tamper-cargo-config': ['tamper'],
};

export interface FlowFindings {
  flows: Flow[];
  /** The severity a proximity finding at this place is capped to, when a flow judged it lower. */
  capFor(
    ruleId: string,
    file: string | null,
    line: number | null,
  ): { severity: Severity; rule: string } | null;
}

const TRIGGER_COLUMN: Record<TriggerClass, 0 | 1 | 2 | 3> = {
  auto: 0,
  api: 1,
  none: 1,
  user: 2,
  explicit: 3,
};

export function flowRules(model: CrateModel, emit: Emitter): FlowFindings {
  const files: FlowFile[] = [];
  for (const r of model.rust)
    if (r.flow)
      files.push({
        path: r.path,
        ctx: r.ctx,
        signals: withIncludes(model, r),
        flow: r.flow,
        privateModule: r.privateModule,
      });
  const { flows } = analyzeFlows(files);
  const checksum = new Set(
    files.filter((f) => f.signals.some((s) => s.kind === 'checksum' && !s.test)).map((f) => f.ctx),
  );
  // A flow lowers a proximity finding only for a reason it knows: an explicit call, a binary the
  // user runs, a verified download. The public-API default says nothing the proximity rule missed.
  const judged: {
    kind: FlowKind;
    file: string;
    lines: Set<number>;
    severity: Severity;
    mitigated: boolean;
  }[] = [];
  // One finding per sink and kind: the worst flow into it, the others counted.
  const bySink = new Map<string, { flow: Flow; severity: Severity; n: number }>();
  for (const flow of flows) {
    namedScope(model, flow);
    askedFor(model, flow);
    const severity = flowSeverity(model, flow, checksum.has(flow.sink.file.ctx));
    if (severity === null) continue;
    const key = `${flow.kind}\u0000${flow.sink.file.path}\u0000${flow.sink.sig.line}`;
    const prior = bySink.get(key);
    if (!prior || severityRank(severity) > severityRank(prior.severity))
      bySink.set(key, { flow, severity, n: (prior?.n ?? 0) + 1 });
    else prior.n++;
    const lines = new Set([flow.sink.sig.line]);
    if (flow.source && flow.source.file === flow.sink.file) lines.add(flow.source.sig.line);
    const mitigated =
      flow.trigger.cls === 'explicit' ||
      flow.trigger.cls === 'user' ||
      (flow.kind === 'download-exec' && (flow.verified || checksum.has(flow.sink.file.ctx)));
    judged.push({ kind: flow.kind, file: flow.sink.file.path, lines, severity, mitigated });
    if (flow.source && flow.source.file !== flow.sink.file)
      judged.push({
        kind: flow.kind,
        file: flow.source.file.path,
        lines: new Set([flow.source.sig.line]),
        severity,
        mitigated,
      });
  }
  for (const { flow, severity, n } of bySink.values()) {
    const cap = flow.sink.file.ctx === 'other' ? 'medium' : 'critical';
    emit(
      FLOW_RULE[flow.kind],
      min(severity, cap),
      { file: flow.sink.file.path, line: flow.sink.sig.line, ctx: flow.sink.file.ctx },
      describe(flow) + (n > 1 ? ` (+${n - 1} more flow${n > 2 ? 's' : ''} into this sink)` : ''),
    );
  }
  return {
    flows,
    capFor(ruleId, file, line) {
      const kinds = SUPERSEDES[ruleId];
      if (!kinds || file === null || line === null) return null;
      let best: { severity: Severity; kind: FlowKind } | null = null;
      for (const j of judged) {
        if (!kinds.includes(j.kind) || j.file !== file || !j.lines.has(line)) continue;
        if (!j.mitigated) return null;
        if (!best || severityRank(j.severity) > severityRank(best.severity))
          best = { severity: j.severity, kind: j.kind };
      }
      return best ? { severity: best.severity, rule: FLOW_RULE[best.kind] } : null;
    },
  };
}

/** What an operation's name says it does to the outside, per flow kind it may explain. */
const NAMED_SEND =
  /^(upload|send|report|submit|publish|push|sync|notify|share|telemetry|export|backup|register|(upload|send|report|submit|export|sync|publish|notify)_\w+|\w+_telemetry)$/;
/** Install verbs that say nothing of what they install (the doc or the crate's purpose must). */
const NAMED_ENTRY =
  /^(install|uninstall|reinstall|enable|disable|register|unregister|daemonize|detach|(install|uninstall|enable|disable|register)_\w+)$/;
/** Names that are the entry themselves: `set_launch_at_login`, `install_service`, `enable_autostart`. */
const SELF_NAMED_ENTRY =
  /^(\w+_completions?|set_(launch|start|run)_\w+|(enable|disable|set)_auto_?(start|launch)\w*|\w+_(at|on)_(login|logon|startup|boot)|register_startup|(install|uninstall|enable|disable|register|unregister)_(service|unit|timer|agent|launch_agent|daemon|hooks?|git_hooks?|completions?|autostart|startup|login_item|task|scheduled_task|cron\w*))$/;
const NAMED_FETCH =
  /^(update|upgrade|self_update|self_\w+|install|reinstall|download|fetch|(update|upgrade|install|download|fetch)_\w+)$/;

/**
 * A documented pub fn is an explicit call only for what its name (or doc) says it does: a
 * documented `install` of a panic hook that also mails the environment, or an `enable` of DPI
 * awareness that also writes a Run key, is ordinary API doing something unasked. A persistence
 * or tamper flow stays explicit when the name is the entry (`set_launch_at_login`) or an
 * install/enable verb whose doc names the entry or whose crate says it manages that kind; an
 * exfiltration when the name or doc is a sending verb; a download run when the name or doc says
 * it fetches or installs. The trigger is re-classed as public API otherwise (a decoded payload
 * run is high whatever runs it).
 */
function namedScope(model: CrateModel, flow: Flow): void {
  const t = flow.trigger;
  if (t.cls !== 'explicit' || !t.named) return;
  const name = t.named.fn;
  let covered: boolean;
  if (flow.kind === 'exfiltration') covered = NAMED_SEND.test(name) || t.named.sends;
  else if (flow.kind === 'persistence' || flow.kind === 'tamper')
    covered =
      SELF_NAMED_ENTRY.test(name) ||
      (NAMED_ENTRY.test(name) && (t.named.entry || persistencePurpose(model, entryKind(flow))));
  else if (flow.kind === 'download-exec') covered = NAMED_FETCH.test(name) || t.named.fetches;
  else return;
  if (!covered)
    flow.trigger = { cls: 'api', what: `${t.what}, though not named or documented for this`, path: t.path };
}

/** The kind of entry a persistence or tamper flow writes (`systemd`, `cargo-config`, …). */
function entryKind(flow: Flow): string {
  return (flow.sink.cls === 'persist' ? flow.sink.sig.detail : flow.source?.sig.detail) ?? '';
}

/**
 * A public-API persistence flow without a payload, rooted in a pub fn named for installing the
 * entry of a crate that says it manages such entries, is an explicit call (see
 * persistenceAskedFor); the trigger is re-classed so the proximity rule is capped by it too.
 */
function askedFor(model: CrateModel, flow: Flow): void {
  const t = flow.trigger;
  // An OS check is portability (an installer per platform); an anti-analysis check is not.
  const evasive = flow.guards.some((g) => g.sig.kind !== 'os-gate');
  const place = flow.source === null || flow.source.cls === 'persist-place';
  if (flow.kind !== 'persistence' || !place || t.cls !== 'api' || evasive) return;
  // A payload fetched, decoded or shipped next to the write is what gets persisted: not the
  // caller's program.
  const payload = flow.sink.file.signals.some((s) => {
    const src = s.fn === flow.sink.sig.fn && !s.test ? roleOf(s)?.source : undefined;
    return src === 'download' || src === 'decoded' || src === 'embedded';
  });
  if (payload) return;
  const root = t.path[0] ?? '';
  if (!persistenceAskedFor(model, root, entryKind(flow))) return;
  flow.trigger = { ...t, cls: 'explicit', what: `${t.what}, named for the entry the crate says it manages` };
}

/** `include_bytes!` of an executable the crate ships is an embedded payload too (of other bytes, a weaker one). */
function withIncludes(model: CrateModel, r: RustFileResult): Signal[] {
  const extra: Signal[] = [];
  for (const inc of r.includes) {
    const at = r.signals.find((s) => s.kind === 'include' && s.line === inc.line);
    if (!model.executables.has(inc.path)) {
      // Bytes shipped as data (`include_bytes!("blob.bin")`): a payload only if a value of them is
      // seen reaching a run (the engine does not pair them by place alone).
      if (inc.macro === 'include_bytes' && model.files.some((f) => f.path === inc.path))
        extra.push({
          kind: 'embedded-executable',
          line: inc.line,
          evidence: `${inc.macro}!("${inc.path}"), bytes shipped as data`,
          fn: at?.fn ?? -1,
          test: at?.test ?? false,
          detail: 'data',
        });
      continue;
    }
    extra.push({
      kind: 'embedded-executable',
      line: inc.line,
      evidence: `${inc.macro}!("${inc.path}"), a ${model.executables.get(inc.path)} executable`,
      fn: at?.fn ?? -1,
      test: at?.test ?? false,
      detail: model.executables.get(inc.path),
    });
  }
  return extra.length > 0 ? [...r.signals, ...extra] : r.signals;
}

const level = (s: Severity) => SEVERITIES.indexOf(s);
const at = (n: number): Severity => SEVERITIES[Math.max(0, Math.min(4, n))]!;
const min = (a: Severity, b: Severity): Severity => (level(a) <= level(b) ? a : b);

/** The severity of a flow, or null when it is not worth a finding. */
export function flowSeverity(model: CrateModel, flow: Flow, checksum: boolean): Severity | null {
  const col = TRIGGER_COLUMN[flow.trigger.cls];
  // Per trigger column: automatic, public API (or no caller found), a binary run, explicit call.
  const pick = (auto: number, api: number, user: number, explicit: number): number =>
    [auto, api, user, explicit][col]!;
  const sinkSignals = flow.sink.file.signals.filter((s) => !s.test);
  // Data followed into a name being resolved (`format!("{hex}.x.example:53").to_socket_addrs()`)
  // uses DNS itself as the carrier: no honest lookup spells a secret in the host name.
  // (The whole environment or the host's identity may hold the host to resolve: not those.)
  const resolverCarrier =
    flow.dataflow &&
    flow.source !== null &&
    flow.source.cls !== 'env-dump' &&
    flow.source.cls !== 'fingerprint' &&
    RESOLVER_SINK.test(flow.sink.sig.evidence);
  const dest =
    resolverCarrier ||
    sinkSignals.some(
      (s) =>
        suspiciousEndpoint(s) || (s.kind === 'obfuscated' && s.decoded === true) || s.kind === 'raw-http',
    );
  const hardCoded = sinkSignals.some((s) => s.kind === 'endpoint');
  let n: number;
  switch (flow.kind) {
    case 'exfiltration': {
      const src = flow.source!;
      const strength = sourceStrength(
        model,
        src.sig,
        src.cls,
        flow.dataflow && flow.sourcePath.length + flow.sinkPath.length <= 2,
      );
      if (strength === 'strong') n = pick(4, 3, dest ? 3 : 2, hardCoded ? 3 : 2);
      else if (strength === 'secret') {
        if (serviceToken(src.sig, sinkSignals)) return 'low';
        n = pick(dest ? 4 : hardCoded ? 3 : 2, dest ? 3 : hardCoded ? 2 : 1, dest ? 3 : 1, dest ? 2 : 1);
      } else n = pick(dest ? 3 : 1, dest ? 2 : 1, 1, 1);
      if (dest && strength === 'strong') n++;
      break;
    }
    case 'download-exec': {
      const verified = flow.verified || checksum;
      n = verified ? pick(2, 1, 1, 1) : pick(4, 3, 2, 2);
      break;
    }
    case 'decoded-exec':
      n = pick(4, 3, 3, 3);
      break;
    case 'persistence':
      // A payload persisted (a download, a decoded command) weighs more than the entry alone.
      n = pick(4, 3, 2, 1) + (flow.source && flow.source.cls !== 'persist-place' ? 1 : 0);
      break;
    case 'tamper':
      n = pick(4, 3, 2, 2);
      break;
  }
  if (!flow.dataflow) n--;
  // A value followed through many functions is more likely an over-approximation than a plan.
  if (flow.sourcePath.length + flow.sinkPath.length > 4) n--;
  // Anti-analysis checks gate what follows; an OS check alone is ordinary portability.
  const evasive = flow.guards.some((g) => g.sig.kind !== 'os-gate');
  if (evasive) n++;
  else if (flow.guards.length > 0 && n >= 2 && col === 0) n++;
  return n <= 0 ? null : at(n);
}

/** Name-resolution calls: what reaches them is a host name to look up. */
const RESOLVER_SINK =
  /(^|::|\.)(to_socket_addrs|lookup_host|lookup_ip|lookup_addr|txt_lookup|ipv4_lookup|ipv6_lookup|getaddrinfo)\b/;

type Strength = 'strong' | 'secret' | 'identity';

function sourceStrength(model: CrateModel, sig: Signal, cls: string, near: boolean): Strength {
  if (cls === 'credential') {
    if (sig.kind === 'credential-path' && STRONG_CREDENTIALS.has(sig.detail ?? ''))
      return alignedWithPurpose(model, sig.detail ?? '') ? 'secret' : 'strong';
    return 'strong';
  }
  if (
    cls === 'clipboard' ||
    cls === 'input' ||
    cls === 'screen' ||
    cls === 'project' ||
    cls === 'caller-data'
  )
    return 'strong';
  // The whole environment is what a stealer sends, and what a configuration object holds: strong
  // only when it goes straight to the network.
  if (cls === 'env-dump') return near ? 'strong' : 'secret';
  if (cls === 'secret')
    return sig.kind === 'env-secret' && WALLET_SECRET.test(sig.detail ?? '') ? 'strong' : 'secret';
  return 'identity';
}

/** A service's token sent only to that service's hosts (GITHUB_TOKEN to api.github.com). */
function serviceToken(sig: Signal, sinkSignals: Signal[]): boolean {
  if (sig.kind !== 'env-secret') return false;
  const re = secretServiceHosts(sig.detail ?? '');
  const hosts = sinkSignals.filter((s) => s.kind === 'endpoint').map((s) => s.host ?? '');
  return re !== null && hosts.length > 0 && hosts.every((h) => h !== '' && re.test(h));
}

const where = (file: string, line: number) => `${file}:${line}`;

/** source → functions → sink; trigger; guard. */
export function describe(flow: Flow): string {
  const parts: string[] = [];
  const src = flow.source;
  if (src) parts.push(`${src.sig.evidence} (${where(src.file.path, src.sig.line)}, in ${src.fnName})`);
  const chain = [...[...flow.sourcePath].reverse(), ...flow.sinkPath].filter(
    (p, i, a) => i === 0 || a[i - 1] !== p,
  );
  if (chain.length > 0) parts.push(chain.join(' → '));
  parts.push(`${flow.sink.sig.evidence} (${where(flow.sink.file.path, flow.sink.sig.line)})`);
  let text = parts.join(' → ');
  if (!flow.dataflow) text += ' [same function; no value followed]';
  const t = flow.trigger;
  text += `; runs: ${t.what}${t.path.length > 1 ? ` via ${t.path.join(' → ')}` : ''}`;
  const g = flow.guards[0];
  if (g) text += `; guarded by ${g.sig.evidence} (${where(g.file.path, g.sig.line)})`;
  if (flow.verified) text += '; a signature or digest check is on the path';
  return text;
}
