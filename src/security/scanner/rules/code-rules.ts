// Rules over the signals of Rust code. Build-time code (build scripts, proc-macros) is judged as
// one unit: anything it can do runs at `cargo build`. Runtime code is judged per file for the
// combinations (collect + send, download + run), where proximity stands in for data flow, and
// per crate for the split variant. Tests, examples and benches count least.
import type { Signal, SignalKind } from '../code-signals.js';
import type { FileContext, Severity } from '../types.js';
import { SEVERITIES, severityRank } from '../types.js';
import { flowRules } from '../flow/flow-rules.js';
import { secretServiceHosts } from '../indicators.js';
import { alignedWithPurpose, suspiciousEndpoint, WALLET_SECRET } from '../flow/judgement.js';
import { STRONG_CREDENTIALS, TAMPER_KINDS } from '../flow/roles.js';
import type { CrateModel, Emitter, RustFileResult } from './model.js';
import { groupOf } from './model.js';

interface Located {
  sig: Signal;
  file: RustFileResult;
}

class SignalSet {
  constructor(readonly items: Located[]) {}
  has(kind: SignalKind, pred?: (s: Signal) => boolean): boolean {
    return this.items.some((x) => x.sig.kind === kind && (!pred || pred(x.sig)));
  }
  first(kind: SignalKind, pred?: (s: Signal) => boolean): Located | undefined {
    return this.items.find((x) => x.sig.kind === kind && (!pred || pred(x.sig)));
  }
  all(kind: SignalKind, pred?: (s: Signal) => boolean): Located[] {
    return this.items.filter((x) => x.sig.kind === kind && (!pred || pred(x.sig)));
  }
  firstOf(kinds: SignalKind[], pred?: (s: Signal) => boolean): Located | undefined {
    return this.items.find((x) => kinds.includes(x.sig.kind) && (!pred || pred(x.sig)));
  }
}

const at = (l: Located) => ({ file: l.file.path, line: l.sig.line, ctx: l.file.ctx });

function cap(s: Severity, max: Severity): Severity {
  return SEVERITIES.indexOf(s) > SEVERITIES.indexOf(max) ? max : s;
}

/** The sensitive reads in a set of signals: what collect-and-send rules look for. */
function sensitiveSource(S: SignalSet): Located | undefined {
  return (
    S.first('credential-path', (s) => STRONG_CREDENTIALS.has(s.detail ?? '') || s.detail === 'secret-file') ??
    S.first('env-secret') ??
    (S.has('key-regex') ? S.first('key-regex') : undefined) ??
    S.first('git-consumer') ??
    S.first('walk-up') ??
    S.first('env-enumerate') ??
    S.first('env-fingerprint') ??
    S.first('fingerprint') ??
    S.first('endpoint', (s) => s.detail === 'ip-lookup') ??
    S.first('key-marker', () => S.has('dir-walk'))
  );
}

/**
 * The only sensitive read is a service token (GITHUB_TOKEN, CARGO_REGISTRY_TOKEN, …) and every
 * host the code names belongs to that service: an authenticated download, not a leak.
 */
function tokenForItsService(S: SignalSet): boolean {
  const secrets = S.all('env-secret');
  if (secrets.length === 0) return false;
  const other = S.firstOf([
    'credential-path',
    'key-regex',
    'git-consumer',
    'walk-up',
    'env-enumerate',
    'env-fingerprint',
    'fingerprint',
  ]);
  if (other) return false;
  const hosts = S.all('endpoint').map((x) => x.sig.host ?? '');
  if (hosts.length === 0 || hosts.some((h) => h === '')) return false;
  return secrets.every((x) => {
    const re = secretServiceHosts(x.sig.detail ?? '');
    return re !== null && hosts.every((h) => re.test(h));
  });
}

function includesExecutable(
  model: CrateModel,
  files: RustFileResult[],
): { file: RustFileResult; path: string; line: number } | null {
  for (const f of files) {
    for (const inc of f.includes)
      if (model.executables.has(inc.path)) return { file: f, path: inc.path, line: inc.line };
  }
  return null;
}

/**
 * Runs the flow and proximity rules; returns the emitter that caps proximity findings by the
 * flows, for the technique rules that judge the same acts (hooks and cargo configuration).
 */
export function codeRules(model: CrateModel, report: Emitter): Emitter {
  // Flows first: where a flow judged the same act lower (an explicit, documented call; a
  // verified download), the proximity finding is capped to the flow's severity.
  const flows = flowRules(model, report);
  const emit: Emitter = (id, sev, where, ev, note) => {
    const c = flows.capFor(id, where.file, where.line);
    if (c && severityRank(c.severity) < severityRank(sev))
      report(
        id,
        c.severity,
        where,
        ev,
        `${note ? `${note} ` : ''}Capped by ${c.rule}, which follows the flow.`,
      );
    else report(id, sev, where, ev, note);
  };
  const live = (f: RustFileResult) => f.signals.filter((s) => !s.test);
  const build = model.rust.filter((f) => f.ctx === 'build-script');
  const macro = model.rust.filter((f) => f.ctx === 'proc-macro');
  if (build.length > 0) buildTimeRules(model, build, 'build-script', emit, live);
  if (macro.length > 0) buildTimeRules(model, macro, 'proc-macro', emit, live);

  const runtime = model.rust.filter((f) => f.ctx === 'library' || f.ctx === 'binary' || f.ctx === 'other');
  for (const f of runtime) {
    runtimeFileRules(
      model,
      f,
      new SignalSet(live(f).map((sig) => ({ sig, file: f }))),
      f.ctx === 'other' ? 'medium' : 'critical',
      emit,
    );
  }
  runtimeCrateRules(new SignalSet(runtime.flatMap((f) => live(f).map((sig) => ({ sig, file: f })))), emit);

  // Test code: only the worst shapes are worth a line, and never above low.
  for (const f of model.rust) {
    const testSigs = groupOf(f.ctx) === 'test' ? f.signals : f.signals.filter((s) => s.test);
    if (testSigs.length === 0) continue;
    const ctx: FileContext = groupOf(f.ctx) === 'test' ? f.ctx : 'test';
    const tf: RustFileResult = { ...f, ctx };
    runtimeFileRules(
      model,
      tf,
      new SignalSet(testSigs.map((sig) => ({ sig, file: tf }))),
      'critical',
      (id, sev, where, ev, note) => {
        if (sev === 'high' || sev === 'critical') emit(id, 'low', where, ev, note);
      },
    );
  }
  return emit;
}

function buildTimeRules(
  model: CrateModel,
  files: RustFileResult[],
  ctx: 'build-script' | 'proc-macro',
  emit: Emitter,
  live: (f: RustFileResult) => Signal[],
): void {
  const S = new SignalSet(files.flatMap((f) => live(f).map((sig) => ({ sig, file: f }))));
  const isMacro = ctx === 'proc-macro';
  const where = isMacro ? 'proc-macro' : 'build script';
  const net = S.first('network');
  const sensitive = sensitiveSource(S);
  const untrusted =
    S.first('tls-disabled') ??
    S.first('endpoint', suspiciousEndpoint) ??
    S.first('obfuscated', (s) => s.detail !== undefined);
  const runsFetched = S.firstOf(['write-then-exec', 'make-executable', 'exec-temp', 'pipe-to-shell']);

  if (net) {
    if (sensitive && !tokenForItsService(S)) {
      emit(
        'build.exfiltration',
        'critical',
        at(net),
        `${sensitive.sig.evidence} (line ${sensitive.sig.line}) + ${net.sig.evidence}`,
      );
    }
    if (untrusted)
      emit(
        'build.untrusted-fetch',
        'critical',
        at(untrusted),
        `${untrusted.sig.evidence}; network: ${net.sig.evidence}`,
      );
    if (runsFetched) {
      // Building a verified, pinned source release (./configure, make) is how -sys crates work.
      const verified =
        S.has('checksum') && !sensitive && !untrusted && runsFetched.sig.kind !== 'pipe-to-shell';
      emit(
        'build.download-exec',
        verified ? 'medium' : 'critical',
        at(runsFetched),
        `${net.sig.evidence} (line ${net.sig.line}) then ${runsFetched.sig.evidence}`,
        verified ? 'The download is checked against a pinned digest.' : undefined,
      );
    }
    const mitigated = S.has('checksum') && !sensitive && !untrusted && !runsFetched;
    emit(
      'build.network',
      isMacro ? 'high' : mitigated ? 'low' : 'medium',
      at(net),
      net.sig.evidence,
      mitigated ? 'The download is checked against a pinned digest.' : undefined,
    );
  }

  const shell = S.first('exec-shell');
  if (shell)
    emit(
      'build.process-spawn',
      isMacro ? 'high' : 'medium',
      at(shell),
      shell.sig.evidence,
      `A shell runs in the ${where}.`,
    );
  if (isMacro) {
    const exec = S.first('exec', (s) => s.detail !== 'git' && s.detail !== 'rustc' && s.detail !== 'cargo');
    if (exec && !shell)
      emit('build.process-spawn', 'medium', at(exec), exec.sig.evidence, 'A proc-macro spawns a process.');
  }
  for (const cred of S.all('credential-path')) {
    const strong = STRONG_CREDENTIALS.has(cred.sig.detail ?? '');
    emit(
      'build.credential-access',
      strong ? 'high' : 'medium',
      at(cred),
      `${cred.sig.detail}: ${cred.sig.evidence}`,
    );
  }
  for (const sec of S.all('env-secret')) emit('build.secret-env', 'medium', at(sec), sec.sig.evidence);
  const envAll = S.first('env-enumerate');
  if (envAll) emit('build.env-enumeration', 'low', at(envAll), envAll.sig.evidence);
  for (const c of [...S.all('git-consumer'), ...S.all('walk-up')]) {
    emit(
      'build.consumer-repo-read',
      'medium',
      at(c),
      c.sig.detail ? `${c.sig.evidence} (git ${c.sig.detail})` : c.sig.evidence,
    );
  }
  const fp = S.firstOf(['env-fingerprint', 'fingerprint']);
  if (fp) emit('build.host-fingerprint', 'low', at(fp), fp.sig.evidence);

  // The same code rules as at runtime, with build-time severities.
  const exe = includesExecutable(model, files);
  const wte = S.first('write-then-exec');
  const shipped = S.first('exec-shipped');
  if (shipped) emit('code.dropper', 'critical', at(shipped), shipped.sig.evidence);
  const arrayExe = S.first('embedded-executable');
  if (arrayExe) {
    const runs = wte ?? S.first('exec-temp') ?? S.first('make-executable');
    if (runs)
      emit('code.dropper', 'critical', at(arrayExe), `${arrayExe.sig.evidence}; ${runs.sig.evidence}`);
    emit('code.include-executable', 'high', at(arrayExe), arrayExe.sig.evidence);
  }
  if (exe && (wte || S.has('exec-temp') || S.has('make-executable'))) {
    emit(
      'code.dropper',
      'critical',
      { file: exe.file.path, line: exe.line, ctx },
      `includes ${exe.path} (${model.executables.get(exe.path)}) and runs a written file`,
    );
  } else if (wte) {
    emit('code.write-then-exec', 'high', at(wte), wte.sig.evidence);
  }
  if (exe)
    emit(
      'code.include-executable',
      'high',
      { file: exe.file.path, line: exe.line, ctx },
      `${exe.path} is a ${model.executables.get(exe.path)} executable`,
    );
  const persistLines = new Set<number>();
  for (const p of [...S.all('persistence-write'), ...S.all('persistence')]) {
    if (persistLines.has(p.sig.line)) continue;
    // Writes to VCS hooks and cargo's configuration are judged by technique-rules (code.vcs-hook,
    // code.tamper-cargo-config) and the flow engine (flow.tamper); so is the mention they come from.
    if (p.sig.kind === 'persistence-write' && TAMPER_KINDS.has(p.sig.detail ?? '')) {
      persistLines.add(p.sig.line);
      continue;
    }
    persistLines.add(p.sig.line);
    emit(
      'code.persistence',
      p.sig.kind === 'persistence-write' ? 'critical' : 'high',
      at(p),
      `${p.sig.detail}: ${p.sig.evidence}`,
    );
  }
  for (const o of S.all('obfuscated'))
    emit(
      'code.obfuscated-string',
      net || o.sig.detail === 'executable' ? 'critical' : 'high',
      at(o),
      o.sig.evidence,
    );
  const rev = S.first('reverse-shell');
  if (rev) emit('code.reverse-shell', 'critical', at(rev), rev.sig.evidence);
  for (const t of S.all('tls-disabled')) emit('code.tls-disabled', 'high', at(t), t.sig.evidence);
  for (const e of S.all(
    'endpoint',
    (s) => s.detail === 'messenger' || s.detail === 'paste-tunnel' || s.detail === 'serverless',
  )) {
    emit('code.exfil-endpoint', 'high', at(e), `${e.sig.detail}: ${e.sig.evidence}`);
  }
  for (const e of S.all('endpoint', (s) => s.detail === 'raw-ip'))
    emit('code.raw-ip-endpoint', 'high', at(e), e.sig.evidence);
  for (const e of S.all('endpoint', (s) => s.detail === 'metadata'))
    emit('code.cloud-metadata', 'high', at(e), e.sig.evidence);
  const av =
    S.first('av-check', (s) => s.detail !== 'name') ?? (S.has('exec') ? S.first('av-check') : undefined);
  if (av) emit('code.av-evasion', 'high', at(av), av.sig.evidence);
  const detach = S.first('detach');
  if (detach) emit('code.detached-process', 'high', at(detach), detach.sig.evidence);
  const pipe = S.first('pipe-to-shell');
  if (pipe) emit('code.pipe-to-shell', 'critical', at(pipe), pipe.sig.evidence);
  const ci = S.first('env-ci');
  if (ci && (S.has('exec', (s) => s.detail !== 'git') || net))
    emit('code.ci-gated', 'high', at(ci), ci.sig.evidence, `In the ${where}.`);
  if (S.has('key-regex') && S.has('dir-walk')) {
    const k = S.first('key-regex')!;
    emit('code.key-scan', 'high', at(k), k.sig.evidence);
  }
  for (const h of S.all('high-entropy')) emit('code.high-entropy-literal', 'medium', at(h), h.sig.evidence);
}

function runtimeFileRules(
  model: CrateModel,
  f: RustFileResult,
  S: SignalSet,
  max: Severity,
  emit: Emitter,
): void {
  const e: Emitter = (id, sev, where, ev, note) => emit(id, cap(sev, max), where, ev, note);
  const net = S.first('network');
  const sensitive = sensitiveSource(S);
  const dest = S.first('endpoint', suspiciousEndpoint) ?? S.first('obfuscated') ?? S.first('raw-http');

  if (net && sensitive) {
    const strong =
      S.has('credential-path', (s) => STRONG_CREDENTIALS.has(s.detail ?? '')) ||
      (S.has('key-regex') && S.has('dir-walk')) ||
      S.has('env-secret', (x) => WALLET_SECRET.test(x.detail ?? '')) ||
      new Set(S.all('env-secret').map((x) => x.sig.detail)).size >= 3;
    // Host and user names alone are what logging and clustering libraries send as well.
    const identityOnly = ['env-fingerprint', 'fingerprint', 'endpoint'].includes(sensitive.sig.kind);
    // An SDK reading its own service's credentials (an AWS client and ~/.aws) is doing its job.
    const ownKind = S.all('credential-path', (x) => STRONG_CREDENTIALS.has(x.detail ?? '')).every((x) =>
      alignedWithPurpose(model, x.sig.detail ?? ''),
    );
    const aligned =
      strong &&
      ownKind &&
      !S.has('key-regex') &&
      new Set(S.all('env-secret').map((x) => x.sig.detail)).size < 3;
    // A service's own token sent only to that service (TELEGRAM_BOT_TOKEN to api.telegram.org)
    // is how its API is called, even when the service is a messenger.
    // Host and user names in a message to a messenger are what notifiers send; whether they are
    // sent automatically is the flow's to judge (flow.exfiltration: high when automatic).
    const sev: Severity = tokenForItsService(S)
      ? 'low'
      : identityOnly
        ? dest
          ? 'medium'
          : 'low'
        : dest
          ? 'critical'
          : strong && !aligned
            ? 'high'
            : 'medium';
    e(
      'code.exfiltration',
      sev,
      at(net),
      `${sensitive.sig.evidence} (line ${sensitive.sig.line}) + ${net.sig.evidence}${dest ? ` → ${dest.sig.evidence}` : ''}`,
    );
  }

  const runsFetched = S.firstOf(['write-then-exec', 'make-executable', 'exec-temp', 'pipe-to-shell']);
  if (net && runsFetched) {
    const evasive =
      S.first('env-ci') ??
      S.first('av-check') ??
      S.first('detach') ??
      dest ??
      S.first('tls-disabled') ??
      undefined;
    const verified = !evasive && S.has('checksum');
    e(
      'code.download-exec',
      evasive ? 'critical' : verified ? 'medium' : 'high',
      at(runsFetched),
      `${net.sig.evidence} (line ${net.sig.line}) then ${runsFetched.sig.evidence}${evasive ? `; ${evasive.sig.evidence}` : ''}`,
    );
  }
  const exe = includesExecutable(model, [f]);
  const wte = S.first('write-then-exec');
  const shipped = S.first('exec-shipped');
  if (shipped) e('code.dropper', 'high', at(shipped), shipped.sig.evidence);
  const rev = S.first('reverse-shell');
  if (rev) e('code.reverse-shell', net ? 'critical' : 'high', at(rev), rev.sig.evidence);
  const hiddenExe = S.first('obfuscated', (x) => x.detail === 'executable') ?? S.first('embedded-executable');
  const arrayExe = S.first('embedded-executable');
  if (arrayExe) e('code.include-executable', 'medium', at(arrayExe), arrayExe.sig.evidence);
  if (exe && (wte || S.has('exec-temp'))) {
    e(
      'code.dropper',
      'critical',
      { file: f.path, line: exe.line, ctx: f.ctx },
      `includes ${exe.path} (${model.executables.get(exe.path)}) and runs a written file`,
    );
  } else if (hiddenExe && (wte || S.has('exec-temp'))) {
    e(
      'code.dropper',
      'critical',
      at(hiddenExe),
      `${hiddenExe.sig.evidence}; ${(wte ?? S.first('exec-temp'))!.sig.evidence}`,
    );
  } else if (wte && !net) {
    e('code.write-then-exec', 'medium', at(wte), wte.sig.evidence);
  }
  if (exe)
    e(
      'code.include-executable',
      'medium',
      { file: f.path, line: exe.line, ctx: f.ctx },
      `${exe.path} is a ${model.executables.get(exe.path)} executable`,
    );

  // One finding per line: a command and its string name the same persistence.
  const persistLines = new Set<number>();
  for (const p of S.all('persistence-write')) {
    if (persistLines.has(p.sig.line)) continue;
    persistLines.add(p.sig.line);
    if (TAMPER_KINDS.has(p.sig.detail ?? '')) continue;
    e('code.persistence', net ? 'critical' : 'high', at(p), `${p.sig.detail}: ${p.sig.evidence}`);
  }
  if (!S.has('persistence-write')) {
    for (const p of S.all('persistence')) {
      if (persistLines.has(p.sig.line)) continue;
      persistLines.add(p.sig.line);
      const acts = S.has('fs-write') || S.has('exec');
      e('code.persistence', acts ? 'medium' : 'low', at(p), `${p.sig.detail}: ${p.sig.evidence}`);
    }
  }
  for (const o of S.all('obfuscated')) e('code.obfuscated-string', 'high', at(o), o.sig.evidence);
  for (const t of S.all('tls-disabled')) e('code.tls-disabled', 'medium', at(t), t.sig.evidence);
  for (const x of S.all('endpoint', (s) => s.detail === 'messenger' || s.detail === 'paste-tunnel')) {
    e('code.exfil-endpoint', 'medium', at(x), `${x.sig.detail}: ${x.sig.evidence}`);
  }
  for (const x of S.all('endpoint', (s) => s.detail === 'serverless'))
    e('code.exfil-endpoint', 'low', at(x), `${x.sig.detail}: ${x.sig.evidence}`);
  for (const x of S.all('endpoint', (s) => s.detail === 'raw-ip'))
    e('code.raw-ip-endpoint', 'low', at(x), x.sig.evidence);
  for (const x of S.all('endpoint', (s) => s.detail === 'metadata'))
    e('code.cloud-metadata', 'info', at(x), x.sig.evidence);

  if (S.has('key-regex')) {
    const k = S.first('key-regex')!;
    e('code.key-scan', S.has('dir-walk') ? 'medium' : 'info', at(k), k.sig.evidence);
  }
  const creds = S.all('credential-path', (s) => STRONG_CREDENTIALS.has(s.detail ?? ''));
  if (creds.length > 0) {
    const kinds = new Set(creds.map((c) => c.sig.detail));
    e('code.credential-access', kinds.size >= 2 ? 'medium' : 'low', at(creds[0]!), [...kinds].join(', '));
  }
  const secrets = new Set(S.all('env-secret').map((x) => x.sig.detail));
  if (secrets.size > 0) {
    e(
      'code.secret-env',
      secrets.size >= 3 ? 'low' : 'info',
      at(S.first('env-secret')!),
      [...secrets].slice(0, 8).join(', '),
    );
  }
  const ci = S.first('env-ci');
  if (ci) {
    const gated = S.items.some(
      (x) => (x.sig.kind === 'exec' || x.sig.kind === 'network') && x.sig.fn === ci.sig.fn && ci.sig.fn >= 0,
    );
    if (gated) e('code.ci-gated', 'medium', at(ci), ci.sig.evidence);
  }
  const av =
    S.first('av-check', (s) => s.detail !== 'name') ?? (S.has('exec') ? S.first('av-check') : undefined);
  if (av) e('code.av-evasion', S.has('exec') || net ? 'high' : 'medium', at(av), av.sig.evidence);
  const detach = S.first('detach');
  if (detach) e('code.detached-process', 'medium', at(detach), detach.sig.evidence);
  const pipe = S.first('pipe-to-shell');
  if (pipe) e('code.pipe-to-shell', 'high', at(pipe), pipe.sig.evidence);
  const tool = S.first('download-tool');
  if (tool) e('code.download-tool', 'medium', at(tool), tool.sig.evidence);
  const shell = S.first('exec-shell');
  if (shell) e('code.shell-exec', 'low', at(shell), shell.sig.evidence);
  const high = S.first('high-entropy');
  if (high) e('code.high-entropy-literal', 'info', at(high), high.sig.evidence);
}

/** Collection in one file, upload in another: judged over all runtime code of the crate. */
function runtimeCrateRules(S: SignalSet, emit: Emitter): void {
  const net = S.first('network');
  if (!net) return;
  const strong =
    S.first('credential-path', (s) => STRONG_CREDENTIALS.has(s.detail ?? '')) ??
    (S.has('key-regex') && S.has('dir-walk') ? S.first('key-regex') : undefined) ??
    (new Set(S.all('env-secret').map((x) => x.sig.detail)).size >= 2 ? S.first('env-secret') : undefined);
  if (!strong || strong.file === net.file) return;
  const dest = S.first('endpoint', suspiciousEndpoint) ?? S.first('obfuscated') ?? S.first('raw-http');
  emit(
    'code.exfiltration-split',
    dest ? 'high' : 'low',
    at(strong),
    `${strong.sig.evidence} in ${strong.file.path}; network in ${net.file.path}:${net.sig.line}${dest ? `; endpoint ${dest.sig.evidence}` : ''}`,
  );
}
