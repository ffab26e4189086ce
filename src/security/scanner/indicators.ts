// String-level indicators: what a literal (or a decoded one) says about intent. Each table names
// a technique, never a particular sample: hosts by service class, paths by what they hold.

export type EndpointClass =
  | 'messenger' // Telegram bot API, Discord/Slack webhooks: a ready-made drop box
  | 'paste-tunnel' // paste sites, tunnels, request bins, out-of-band interaction hosts
  | 'serverless' // free serverless hosts: disposable endpoints with TLS for free
  | 'raw-ip' // a literal public IPv4 address
  | 'ip-lookup' // "what is my IP" / geolocation services: host fingerprinting
  | 'metadata' // cloud instance metadata: credential theft on CI runners
  | 'url'; // any other hard-coded URL

export interface Endpoint {
  cls: EndpointClass;
  host: string;
  text: string;
}

const MESSENGER_HOSTS = /(^|\.)(api\.telegram\.org|discord(app)?\.com|hooks\.slack\.com|api\.telegram\.me)$/i;
const PASTE_TUNNEL_HOSTS =
  /\.onion$|\.lhr\.life$|(^|\.)(pastebin\.com|paste\.ee|pastes?\.io|hastebin\.com|ghostbin\.\w+|dpaste\.\w+|rentry\.co|termbin\.com|ix\.io|0x0\.st|transfer\.sh|file\.io|bashupload\.com|gofile\.io|anonfiles\.com|temp\.sh|ngrok\.io|ngrok-free\.app|ngrok\.app|ngrok\.dev|trycloudflare\.com|loca\.lt|localtunnel\.me|serveo\.net|localhost\.run|pipedream\.net|m\.pipedream\.net|requestbin\.\w+|webhook\.site|beeceptor\.com|requestcatcher\.com|hookbin\.com|postb\.in|interact\.sh|interactsh\.com|oast\.(fun|pro|live|site|online|me)|burpcollaborator\.net|oastify\.com|canarytokens\.com|dnslog\.cn|ceye\.io)$/i;
const SERVERLESS_HOSTS =
  /\.(workers\.dev|vercel\.app|netlify\.app|herokuapp\.com|glitch\.me|repl\.co|replit\.dev|replit\.app|pages\.dev|deno\.dev|onrender\.com|fly\.dev|web\.app|firebaseapp\.com|firebaseio\.com|supabase\.co|azurewebsites\.net|run\.app|lambda-url\.[a-z0-9-]+\.on\.aws)$/i;
const IP_LOOKUP_HOSTS =
  /(^|\.)(ipinfo|ipify|ip-api|ipapi|ipwho|ipwhois|geoip|geo-ip|geojs|ifconfig|icanhazip|checkip|myip|myexternalip|whatismyip|whatismyipaddress|ipecho|ident|wtfismyip|ip2location|ipgeolocation|freegeoip|ipdata|extreme-ip-lookup|api64\.ipify)(\.|$)/i;
const METADATA_HOSTS = /^(169\.254\.169\.254|metadata\.google\.internal|100\.100\.100\.200|fd00:ec2::254)$/i;

const URL_RE = /\b((?:https?|wss?|ftp):\/\/)([^\s/"'<>?#\\]+)([^\s"'<>]*)/gi;
const IPV4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HOST_PORT_RE = /^([a-z0-9][a-z0-9.-]*\.[a-z]{2,}|\d{1,3}(?:\.\d{1,3}){3}):(\d{2,5})$/i;

/** A public IPv4 address: not private, loopback, link-local, multicast or unspecified. */
export function isPublicIpv4(host: string): boolean {
  const m = IPV4_RE.exec(host);
  // Leading zeros are not how addresses are written (and "01" reversed from "10" is not an address).
  if (!m || m.slice(1, 5).some((o) => o.length > 1 && o.startsWith('0'))) return false;
  const o = m.slice(1, 5).map(Number) as [number, number, number, number];
  if (o.some((x) => x > 255)) return false;
  const [a, b] = o;
  if (a === 0 || a === 10 || a === 127 || a >= 224) return false;
  if (a === 169 && b === 254) return false;
  if (a === 172 && b >= 16 && b <= 31) return false;
  if (a === 192 && b === 168) return false;
  if (a === 100 && b >= 64 && b <= 127) return false;
  // Public DNS resolvers are configuration, not destinations for data.
  if (['8.8.8.8', '8.8.4.4', '1.1.1.1', '1.0.0.1', '9.9.9.9', '208.67.222.222'].includes(host)) return false;
  return true;
}

function classifyHost(host: string, path: string): EndpointClass {
  const h = host.toLowerCase();
  if (METADATA_HOSTS.test(h)) return 'metadata';
  if (MESSENGER_HOSTS.test(h)) {
    // discord.com and slack are everyday links; only their webhook APIs take data.
    if (/telegram/.test(h) || /\/api\/webhooks|\/services\//i.test(path) || /hooks\.slack/.test(h)) {
      return 'messenger';
    }
    return 'url';
  }
  if (PASTE_TUNNEL_HOSTS.test(h)) return 'paste-tunnel';
  if (SERVERLESS_HOSTS.test(h)) return 'serverless';
  if (IP_LOOKUP_HOSTS.test(h)) return 'ip-lookup';
  if (isPublicIpv4(h)) return 'raw-ip';
  return 'url';
}

/** Endpoints named by a string: URLs, `host:port` socket addresses and bare public IPs. */
export function findEndpoints(s: string): Endpoint[] {
  const out: Endpoint[] = [];
  if (s.includes('://')) {
    URL_RE.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = URL_RE.exec(s))) {
      let host = m[2]!;
      const at = host.lastIndexOf('@');
      if (at >= 0) host = host.slice(at + 1);
      host = host.replace(/:\d*$/, '').replace(/\.$/, '');
      if (!host || host.includes('{')) {
        // A template host (`https://{}/x`) still tells us a URL is built here.
        out.push({ cls: 'url', host: '', text: m[0] });
        continue;
      }
      if (/^(localhost|127\.|0\.0\.0\.0|\[::1?\])/.test(host)) continue;
      out.push({ cls: classifyHost(host, m[3] ?? ''), host, text: m[0] });
    }
    return out;
  }
  if (s.length <= 60) {
    const hp = HOST_PORT_RE.exec(s);
    if (hp) {
      const host = hp[1]!;
      if (IPV4_RE.test(host)) {
        if (isPublicIpv4(host)) out.push({ cls: 'raw-ip', host, text: s });
      } else if (!/^(localhost|example\.com)$/i.test(host)) {
        out.push({ cls: classifyHost(host, ''), host, text: s });
      }
    } else if (/^api\.telegram\.org$/i.test(s) || /discord(app)?\.com\/api\/webhooks/i.test(s)) {
      out.push({ cls: 'messenger', host: s, text: s });
    }
  } else if (/discord(app)?\.com\/api\/webhooks|api\.telegram\.org\/bot/i.test(s)) {
    out.push({ cls: 'messenger', host: 'messenger', text: s.slice(0, 80) });
  }
  return out;
}

export type CredentialKind =
  | 'ssh-key'
  | 'cargo-token'
  | 'cloud-credentials'
  | 'vcs-credentials'
  | 'package-registry-token'
  | 'crypto-wallet'
  | 'browser-store'
  | 'messenger-store'
  | 'system-secrets'
  | 'shell-history'
  | 'keychain'
  | 'secret-file';

const CREDENTIAL_PATTERNS: [RegExp, CredentialKind][] = [
  [/(^|[/\\])\.ssh([/\\]|$)|(^|[/\\])id_(rsa|dsa|ecdsa|ed25519)(_sk)?(\.pub)?$/i, 'ssh-key'],
  [/(^|[/\\])\.cargo[/\\]credentials(\.toml)?$|(^|[/\\])credentials\.toml$/i, 'cargo-token'],
  [
    /(^|[/\\])\.aws([/\\]|$)|(^|[/\\])\.azure([/\\]|$)|gcloud[/\\]|application_default_credentials\.json|(^|[/\\])\.kube[/\\]config|(^|[/\\])\.docker[/\\]config\.json|credentials\.tfrc\.json/i,
    'cloud-credentials',
  ],
  [
    /(^|[/\\])\.git-credentials$|(^|[/\\])\.netrc$|(^|[/\\])gh[/\\]hosts\.yml$|(^|[/\\])_netrc$/i,
    'vcs-credentials',
  ],
  [/(^|[/\\])\.(npmrc|pypirc|yarnrc|gem[/\\]credentials)$|(^|[/\\])\.nuget[/\\]/i, 'package-registry-token'],
  [
    /wallet\.dat$|(^|[/\\])\.(electrum|bitcoin|ethereum|monero)([/\\]|$)|(^|[/\\])exodus([/\\]|$)|solana[/\\]id\.json|(^|[/\\])keystore[/\\]|nkbihfbeogaeaoehlefnkodbefgpgknn|metamask|phantom[/\\]|(^|[/\\])atomic[/\\]/i,
    'crypto-wallet',
  ],
  [
    /[/\\](Login Data|Web Data|Local State|Cookies)$|Google[/\\]Chrome[/\\]User Data|BraveSoftware[/\\]|Mozilla[/\\]Firefox[/\\]Profiles|[/\\](logins\.json|key[34]\.db|cookies\.sqlite)$/,
    'browser-store',
  ],
  [
    /TelegramDesktop|(^|[/\\])tdata([/\\]|$)|discord[/\\]Local Storage|Signal[/\\]config\.json/i,
    'messenger-store',
  ],
  [/^\/etc\/(shadow|sudoers|gshadow)$/, 'system-secrets'],
  [
    /(^|[/\\])\.(bash|zsh|sh|fish|python|mysql|psql|node_repl)_history$|(^|[/\\])\.zhistory$/i,
    'shell-history',
  ],
  [
    /(^|[/\\])Keychains([/\\]|$)|login\.keychain(-db)?$|(^|[/\\])\.gnupg([/\\]|$)|(^|[/\\])\.password-store/i,
    'keychain',
  ],
  [
    /(^|[/\\])[\w.-]*(private[_-]?keys?|secrets?|credentials?|keypair|wallet|mnemonic|seed[_-]?phrase)[\w.-]*\.(json|toml|ya?ml|txt|pem|key)$|(^|[/\\])keys\.json$/i,
    'secret-file',
  ],
];

/** The kind of credential store a path-like string names, if any. */
// One cheap test before the list: the words every pattern above needs.
const CREDENTIAL_GATE =
  /ssh|id_|credential|\.aws|\.azure|gcloud|\.kube|\.docker|tfrc|netrc|hosts\.yml|npmrc|pypirc|yarnrc|\.gem|\.nuget|wallet|electrum|bitcoin|ethereum|monero|exodus|solana|keystore|nkbih|metamask|phantom|atomic|Login Data|Web Data|Local State|Cookies|Chrome|Brave|Firefox|logins|key[34]\.db|cookies|Telegram|tdata|discord|Signal|shadow|sudoers|history|Keychain|keychain|gnupg|password-store|private|secret|keypair|mnemonic|seed|keys\.json/i;

export function credentialKind(s: string): CredentialKind | null {
  if (s.length > 200 || s.length < 4 || !CREDENTIAL_GATE.test(s)) return null;
  // An SSH client's own configuration is not a secret.
  if (/(known_hosts|[/\\]config)$/.test(s) && /\.ssh/.test(s)) return null;
  for (const [re, kind] of CREDENTIAL_PATTERNS) if (re.test(s)) return kind;
  return null;
}

export type PersistenceKind =
  | 'ssh-authorized-keys'
  | 'cron'
  | 'systemd'
  | 'shell-rc'
  | 'windows-run-key'
  | 'launch-agent'
  | 'startup-folder'
  | 'scheduled-task'
  // Beyond the classic places (issue 10):
  | 'vcs-hook' // .git/hooks/*, core.hooksPath
  | 'cargo-config' // ~/.cargo/config(.toml), a project's .cargo/config: source/registry redirection
  | 'systemd-timer'
  | 'xdg-autostart';

// Git runs these from any repository it touches: a hook written there runs on the next commit.
const GIT_HOOK_NAMES =
  'pre-commit|prepare-commit-msg|commit-msg|post-commit|pre-push|post-checkout|post-merge|pre-rebase|post-rewrite|pre-receive|post-receive|update|fsmonitor-watchman';
export const GIT_HOOK_NAME = new RegExp(`^(${GIT_HOOK_NAMES})$`);

const PERSISTENCE_PATTERNS: [RegExp, PersistenceKind][] = [
  [
    new RegExp(
      `\\.git[/\\\\]+hooks([/\\\\]|$)|(^|[/\\\\])hooks[/\\\\]+(${GIT_HOOK_NAMES})$|core\\.hooksPath`,
    ),
    'vcs-hook',
  ],
  // Cargo's own configuration: a source replacement or wrapper there applies to every later build.
  [
    /(^|[/\\])\.cargo[/\\]+config(\.toml)?$|^\[source\.crates-io\]|\[source\.crates-io\]\s*\n?\s*replace-with|^\s*replace-with\s*=|^\[registries(\.[\w-]+)?\]|^\[patch\.crates-io\]|\brustc-wrapper\s*=|\brustc-workspace-wrapper\s*=/m,
    'cargo-config',
  ],
  [
    /systemd[/\\](system|user)[/\\].*\.timer$|\.config[/\\]systemd[/\\].*\.timer$|systemctl\s+(--user\s+)?(enable|start)\s+(--now\s+)?\S+\.timer|^\s*OnCalendar=|\nOnCalendar=|OnBootSec=|OnUnitActiveSec=/i,
    'systemd-timer',
  ],
  // Also a desktop entry in an `autostart` directory joined onto the config dir (`config_dir()`).
  [
    /\.config[/\\]+autostart([/\\]|$)|\/etc\/xdg\/autostart|X-GNOME-Autostart|(^|[/\\])autostart[/\\]+[^/\\]+\.desktop$/i,
    'xdg-autostart',
  ],
  [/authorized_keys2?$/, 'ssh-authorized-keys'],
  [/(^|[/\\])(crontab|cron\.d|cron\.(hourly|daily|weekly))([/\\]|$)|\/var\/spool\/cron|^crontab$/, 'cron'],
  [
    /systemd[/\\](system|user)([/\\]|$)|\.config[/\\]systemd|systemctl\s+(--user\s+)?enable|\.service$/i,
    'systemd',
  ],
  [
    /(^|[/\\])\.(bashrc|bash_profile|bash_login|zshrc|zprofile|zshenv|profile|login|cshrc|tcshrc)$|\/etc\/(profile(\.d)?|bash\.bashrc|rc\.local)|config\.fish$/,
    'shell-rc',
  ],
  [
    /CurrentVersion[/\\]+Run(Once)?(Services)?\b|Winlogon[/\\]+(Shell|Userinit)|Image File Execution Options/i,
    'windows-run-key',
  ],
  [/Library[/\\]Launch(Agents|Daemons)|launchctl\s+(load|bootstrap|submit)|\.plist$/i, 'launch-agent'],
  [/Start Menu[/\\]+Programs[/\\]+Startup|\\Startup\\?$/i, 'startup-folder'],
  [
    /schtasks(\.exe)?\s*\/create|^schtasks(\.exe)?$|Register-ScheduledTask|New-ScheduledTaskAction|ITaskService|TaskScheduler/i,
    'scheduled-task',
  ],
];

const PERSISTENCE_GATE =
  /hooks|\.cargo|crates-io|registries|replace-with|rustc-wrapper|rustc-workspace-wrapper|\.timer|OnCalendar|OnBootSec|OnUnitActive|xdg|Task|authorized_keys|cron|systemd|systemctl|\.(bash|zsh|z|c|tc)?(rc|profile|login|env)|bash_|\/etc\/(profile|bash|rc)|config\.fish|CurrentVersion|Winlogon|Image File|Launch|launchctl|plist|Startup|autostart|schtasks|ScheduledTask/i;

export function persistenceKind(s: string): PersistenceKind | null {
  if (s.length > 300 || s.length < 5 || !PERSISTENCE_GATE.test(s)) return null;
  for (const [re, kind] of PERSISTENCE_PATTERNS)
    if (re.test(s)) {
      // `.service` and `.plist` alone are too common in ordinary code; they need a directory.
      if (kind === 'systemd' && /\.service$/i.test(s) && !/[/\\]/.test(s)) return null;
      if (kind === 'launch-agent' && /\.plist$/i.test(s) && !/Launch(Agents|Daemons)/.test(s)) return null;
      return kind;
    }
  return null;
}

/** Environment variables that usually hold secrets. */
export function isSecretEnvName(name: string): boolean {
  if (!/^[A-Z][A-Z0-9_]{1,63}$/.test(name)) return false;
  if (/^(PK|SK|SEED|MNEMONIC|PRIVKEY)$/.test(name)) return true;
  if (
    /^(AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)|CARGO_REGISTRIES_\w+_TOKEN|SSH_AUTH_SOCK)$/.test(
      name,
    )
  )
    return true;
  // Cargo and rustc configuration that merely mentions a key word is not a secret.
  if (/^(CARGO_(CFG|FEATURE|PKG|MANIFEST|ENCODED)|RUSTC?_|DEP_)/.test(name)) return false;
  const parts = name.split('_');
  const has = (p: string) => parts.includes(p);
  return (
    [
      'TOKEN',
      'SECRET',
      'PASSWORD',
      'PASSWD',
      'MNEMONIC',
      'CREDENTIALS',
      'CREDENTIAL',
      'APIKEY',
      'PRIVKEY',
      'PASSPHRASE',
    ].some(has) ||
    (has('PRIVATE') && has('KEY')) ||
    (has('API') && has('KEY')) ||
    (has('ACCESS') && has('KEY')) ||
    (has('SECRET') && has('KEY')) ||
    (has('SEED') && has('PHRASE'))
  );
}

const HOOK_WORD = /^(WEBHOOK|HOOK|BOT)$/;
const MESSENGER_WEBHOOK_HOSTS =
  /(^|\.)(discord(app)?\.com|hooks\.slack\.com|api\.telegram\.org|webhook\.office\.com|chat\.googleapis\.com)$/i;

/** Hosts a service's token is meant for: sending GITHUB_TOKEN to api.github.com is authentication. */
export function secretServiceHosts(name: string): RegExp | null {
  if (/^(GITHUB_TOKEN|GH_TOKEN|GITHUB_PAT|GITHUB_API_TOKEN)$/.test(name))
    return /(^|\.)(github\.com|githubusercontent\.com|ghcr\.io)$/i;
  if (/^CARGO_REGISTR(Y|IES_\w+)_TOKEN$/.test(name)) return /(^|\.)crates\.io$/i;
  if (/^(GITLAB_TOKEN|CI_JOB_TOKEN|GITLAB_PRIVATE_TOKEN)$/.test(name)) return /(^|\.)gitlab\.com$/i;
  if (/^(HF_TOKEN|HUGGING_FACE_HUB_TOKEN|HUGGINGFACE_TOKEN)$/.test(name)) return /(^|\.)huggingface\.co$/i;
  if (/^NPM_TOKEN$/.test(name)) return /(^|\.)npmjs\.(org|com)$/i;
  if (/^AWS_/.test(name)) return /(^|\.)amazonaws\.com$/i;
  // Otherwise a variable named for a service (TELEGRAM_BOT_TOKEN, SLACK_API_TOKEN, SENTRY_AUTH_TOKEN)
  // is meant for the domain of that name (api.telegram.org, slack.com, sentry.io).
  const service = /^([A-Z][A-Z0-9]{3,})_/.exec(name)?.[1];
  if (service && !GENERIC_PREFIX.has(service) && !HOOK_WORD.test(service))
    return new RegExp(`(^|\\.)${service.toLowerCase()}\\.[a-z]{2,6}$`, 'i');
  // A variable named for a webhook or a bot of no named service (HOOK_TOKEN, WEBHOOK_ID,
  // BOT_TOKEN) is the address of a chat hook: a messenger's webhook API is where it is used.
  if (name.split('_').some((p) => HOOK_WORD.test(p))) return MESSENGER_WEBHOOK_HOSTS;
  return null;
}

/** Leading words of secret names that say nothing about whose secret it is. */
const GENERIC_PREFIX = new Set([
  'API',
  'AUTH',
  'ACCESS',
  'SECRET',
  'PRIVATE',
  'MASTER',
  'ADMIN',
  'USER',
  'ROOT',
  'APP',
  'BOT',
  'CLIENT',
  'SERVICE',
  'SERVER',
  'DEPLOY',
  'WALLET',
  'SEED',
  'MNEMONIC',
  'DATABASE',
  'SESSION',
  'SIGNING',
  'ENCRYPTION',
  'REFRESH',
  'BEARER',
  'PERSONAL',
]);

export const FINGERPRINT_ENV = new Set([
  'USER',
  'USERNAME',
  'LOGNAME',
  'HOSTNAME',
  'COMPUTERNAME',
  'USERDOMAIN',
]);
export const HOME_ENV = new Set([
  'HOME',
  'USERPROFILE',
  'APPDATA',
  'LOCALAPPDATA',
  'XDG_CONFIG_HOME',
  'XDG_DATA_HOME',
  'HOMEDRIVE',
  'HOMEPATH',
  'CARGO_HOME',
]);
export const CI_ENV = new Set([
  'CI',
  'GITLAB_CI',
  'GITHUB_ACTIONS',
  'TRAVIS',
  'CIRCLECI',
  'JENKINS_URL',
  'JENKINS_HOME',
  'BUILDKITE',
  'TF_BUILD',
  'TEAMCITY_VERSION',
  'BITBUCKET_BUILD_NUMBER',
  'DRONE',
  'APPVEYOR',
  'CODEBUILD_BUILD_ID',
  'GITHUB_WORKFLOW',
  'GITHUB_RUN_ID',
  'CI_JOB_TOKEN',
  'CI_SERVER',
  'CI_PROJECT_ID',
]);

/** Regular expressions written to find private keys, seeds, tokens or wallet material in files. */
export function isKeyMaterialRegex(s: string): boolean {
  if (s.length < 8 || s.length > 400) return false;
  // Must look like a regex aimed at keys, not data or a format string.
  if (!/\{\d|\\d|\[[^\]]*-|BEGIN|AKIA|ghp_|xox|sk_live|AIza/.test(s)) return false;
  return (
    /\[(0-9a-fA-F|a-fA-F0-9|0-9a-f|a-f0-9|0-9A-F|A-F0-9|\\da-fA-F)\]\{(64|40|66|128)\}/.test(s) ||
    /\[1-9A-HJ-NP-Za-km-z\]/.test(s) ||
    /BEGIN[^"]{0,30}PRIVATE KEY/.test(s) ||
    /\\d\{1,3\}[^{}]{0,20}\)\{(31|32|63|64)\}/.test(s) ||
    /AKIA\[0-9A-Z\]|ghp_\[|xox\[?[abprs]|sk_live_|AIza\[/.test(s) ||
    /\(\?:?\s*\[a-z\]\+\\s\+?\)\{(11|12|17|23|24)\}|\[a-z\]\+\s*\(\?:\\s\+\[a-z\]\+\)\{(11|17|23)\}/.test(s)
  );
}

/** Literal text that names a private key format (searched for in files by key scanners). */
export function isKeyMarker(s: string): boolean {
  return /-----BEGIN (OPENSSH |RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY-----/.test(s);
}

const SHELLS =
  /^(?:.*[/\\])?(sh|bash|zsh|dash|ksh|fish|cmd|cmd\.exe|powershell|powershell\.exe|pwsh|pwsh\.exe|wscript|cscript|mshta|rundll32|regsvr32)$/i;
export const DOWNLOAD_TOOLS =
  /^(?:.*[/\\])?(curl|curl\.exe|wget|wget\.exe|certutil|certutil\.exe|bitsadmin|bitsadmin\.exe|aria2c|Invoke-WebRequest|iwr|Start-BitsTransfer|tftp|fetch)$/i;

export function isShellProgram(p: string): boolean {
  return SHELLS.test(p);
}

const SHELL_GATE =
  /curl|wget|aria2c|certutil|bitsadmin|iwr|Invoke|Start-|DownloadString|DownloadFile|WebClient|hooks|Register-|\.timer|\|\s*(sudo\s+)?\w*sh\b|iex|IEX|base64|nohup|setsid|disown|start|Hidden|&\s*$|chmod|-k\b|--insecure|--no-check|crontab|authorized_keys|reg(\.exe)?\s|schtasks|launchctl|systemctl|>>/i;

/** What a shell command line does; used for `sh -c` strings and for scripts shipped in the crate. */
export function shellCommandTraits(cmd: string): {
  download: boolean;
  /** Runs something: a started program, an evaluated string, a marked-executable file. */
  runs: boolean;
  pipeToShell: boolean;
  detach: boolean;
  makeExec: boolean;
  insecure: boolean;
  persistence: PersistenceKind | null;
} {
  if (!SHELL_GATE.test(cmd))
    return {
      download: false,
      runs: false,
      pipeToShell: false,
      detach: false,
      makeExec: false,
      insecure: false,
      persistence: null,
    };
  return {
    download:
      /(^|[\s;&|(`'"])(curl|wget|aria2c|certutil\s+.*-urlcache|bitsadmin\s+\/transfer|iwr|Invoke-WebRequest|Start-BitsTransfer)\b|DownloadString|DownloadFile|Net\.WebClient/i.test(
        cmd,
      ),
    runs: /Start-Process|Invoke-Item|\biex\b|Invoke-Expression|(^|[;&|]\s*)(\.\/|\$TMPDIR|\/tmp\/|%TEMP%|\$env:TEMP)|chmod\s+\+x|\bstart\s+("[^"]*"\s+)?\S+\.exe|&&\s*\S+\.(exe|sh|bin)\b/i.test(
      cmd,
    ),
    pipeToShell:
      /\|\s*(sudo\s+)?(ba|z|da|k)?sh\b|\|\s*iex\b|\bIEX\s*\(|Invoke-Expression|base64\s+(-d|--decode)[^|]*\|\s*(ba)?sh\b/i.test(
        cmd,
      ),
    detach: /(^|[\s;&|(])(nohup|setsid|disown)\b|\bstart\s+(\/b|\/min|"")|-WindowStyle\s+Hidden|&\s*$/i.test(
      cmd,
    ),
    makeExec: /\bchmod\s+(\+x|[ugoa]*\+[rw]*x|0?[0-7]?[1357][0-7]{2})\b/.test(cmd),
    insecure: /(^|\s)(-k|--insecure|--no-check-certificate)(\s|$)/.test(cmd),
    persistence: persistenceInCommand(cmd),
  };
}

function persistenceInCommand(cmd: string): PersistenceKind | null {
  if (/\bcrontab\b/.test(cmd)) return 'cron';
  if (/authorized_keys/.test(cmd)) return 'ssh-authorized-keys';
  if (/\breg(\.exe)?\s+add\b.*CurrentVersion\\+Run/i.test(cmd)) return 'windows-run-key';
  if (/schtasks(\.exe)?\s+\/create/i.test(cmd)) return 'scheduled-task';
  if (/launchctl\s+(load|bootstrap)/.test(cmd)) return 'launch-agent';
  if (/systemctl\s+(--user\s+)?(enable|start)\s+(--now\s+)?\S+\.timer/.test(cmd)) return 'systemd-timer';
  if (/systemctl\s+(--user\s+)?enable/.test(cmd)) return 'systemd';
  if (/\bgit\s+config\s+(--global\s+)?core\.hooksPath\b|\.git\/hooks\//.test(cmd)) return 'vcs-hook';
  if (/>>\s*~?\/?[\w/.]*\.cargo\/config(\.toml)?\b/.test(cmd)) return 'cargo-config';
  if (/Register-ScheduledTask/i.test(cmd)) return 'scheduled-task';
  if (/>>\s*~?\/?[\w/.]*\.(bashrc|zshrc|profile|bash_profile)/.test(cmd)) return 'shell-rc';
  return null;
}

export const AV_PROCESS_NAMES =
  /(msmpeng|mpcmdrun|avp\.exe|avpui|qhsafetray|360tray|360sd|zhudongfangyu|kxetray|kavsvc|ksafe|avastui|avastsvc|avgui|mcshield|mcafee|norton|bdagent|vsserv|ekrn|egui|sophos|kaspersky|windefend|sentinelagent|csfalcon|cylancesvc|cbdefense|vmtoolsd|vboxservice|vboxtray|sandboxie|sbiesvc|wireshark|procmon|processhacker|x64dbg|x32dbg|ollydbg|ida64|fiddler|huorong|hipstray|wsctrl)/i;

/** Shannon entropy in bits per symbol. */
export function entropy(data: string | Uint8Array): number {
  const n = data.length;
  if (n === 0) return 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const c = typeof data === 'string' ? data.charCodeAt(i) : data[i]!;
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let h = 0;
  for (const k of counts.values()) {
    const p = k / n;
    h -= p * Math.log2(p);
  }
  return h;
}

/** Shortens evidence for display: one line, bounded length. */
export function snippet(s: string, max = 120): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
