// Reads one Rust file's facts and reports what its code does, as located signals: network access,
// process spawning, secret reads, credential paths, exfiltration endpoints, persistence, disabled
// TLS checks, obfuscated strings and so on. Rules (rules/) decide what the signals mean in context.
import { byteArrays, decodeLiterals } from './decoders.js';
import type { DecodedString } from './decoders.js';
import {
  AV_PROCESS_NAMES,
  CI_ENV,
  DOWNLOAD_TOOLS,
  FINGERPRINT_ENV,
  HOME_ENV,
  credentialKind,
  entropy,
  findEndpoints,
  isKeyMarker,
  isKeyMaterialRegex,
  isPublicIpv4,
  isSecretEnvName,
  isShellProgram,
  GIT_HOOK_NAME,
  persistenceKind,
  shellCommandTraits,
  snippet,
} from './indicators.js';
import type { RustFacts, Token } from './rust-facts.js';
import { techniqueSignals } from './technique-signals.js';
import { argIdent, argRanges, collectCalls, matching, stringsIn } from './token-paths.js';
import type { Call } from './token-paths.js';

export type SignalKind =
  | 'network' // an HTTP client, raw socket or download tool is used
  | 'raw-http' // an HTTP request written by hand (for a raw TCP socket)
  | 'exec' // a process is spawned
  | 'exec-shell' // a shell runs a command string
  | 'download-tool' // curl/wget/certutil/… is run
  | 'pipe-to-shell' // `curl … | sh`
  | 'write-then-exec' // a file is written and then executed
  | 'make-executable' // chmod +x / mode 0o755 on a file
  | 'exec-temp' // a program in a temp or OUT_DIR path is run
  | 'detach' // nohup/setsid/start /B: a process outlives the build
  | 'fs-read'
  | 'fs-write'
  | 'dir-walk'
  | 'home-dir'
  | 'env-secret'
  | 'env-enumerate'
  | 'env-ci'
  | 'env-fingerprint'
  | 'fingerprint' // host/user/public-IP lookups
  | 'credential-path'
  | 'dotenv'
  | 'persistence'
  | 'persistence-write'
  | 'key-regex'
  | 'wallet-address' // a literal shaped like a cryptocurrency address
  | 'caller-data' // what a caller passes to a codec or key function (made by the flow engine only)
  | 'key-marker'
  | 'endpoint'
  | 'tls-disabled'
  | 'obfuscated'
  | 'runtime-decode'
  | 'git-consumer'
  | 'walk-up'
  | 'av-check'
  | 'high-entropy'
  | 'checksum'
  | 'docs-rs'
  | 'offline-aware'
  | 'os-gate'
  | 'background'
  | 'include'
  | 'reverse-shell' // a shell with a socket for stdin/stdout
  | 'embedded-executable' // a native executable written out as a byte array
  | 'exec-shipped' // runs an executable shipped in the crate
  | 'byte-blob' // a byte-array literal of 32+ values: data that is a payload only if seen reaching a run
  // Technique families of issue 10 (detail gives the variant):
  | 'evasion' // anti-analysis gate; detail: debugger | tracer | vm | sandbox | container | date | sleep | locale | hardware
  | 'exec-memory' // code run from memory; detail: memfd | mmap-exec | mprotect-exec | virtualalloc | fn-transmute
  | 'static-ctor' // runs before main; detail: init-array | crt-xcu | ctor-attr | used-static
  | 'channel' // a non-HTTP-client carrier; detail: dns-raw | smtp | udp | raw-tcp | webhook | json-rpc
  | 'clipboard' // reads the clipboard
  | 'input-capture' // keyboard/mouse hooks, /dev/input
  | 'screen-capture' // takes a screenshot: a capture tool, a capture crate, a desktop blit
  | 'decode-routine'; // a hand-written decoding loop (XOR, RC4-like, arithmetic, reversal) over a byte array

export interface Signal {
  kind: SignalKind;
  line: number;
  evidence: string;
  /** Function index within the file, or -1. */
  fn: number;
  test: boolean;
  /** Kind-specific detail: endpoint class, credential kind, persistence kind, program name, include path. */
  detail?: string;
  /** Found only after decoding an obfuscated literal. */
  decoded?: boolean;
  /** For endpoints: the host. */
  host?: string;
  /** For static-ctor: the function that runs before main (an automatic trigger for flows). */
  target?: string;
}

export interface RustAnalysis {
  signals: Signal[];
  decoded: DecodedString[];
}

const NET_ROOTS =
  /^(reqwest|ureq|attohttpc|minreq|isahc|surf|curl|http_req|ehttp|awc|reqwless|ureq_proto|tungstenite|tokio_tungstenite|async_tungstenite|websocket|ws|trust_dns_resolver|hickory_resolver|ssh2|lettre|ftp|suppaftp|libcurl|hyper_tls|hyper_rustls|reqwest_middleware|quinn|tonic|jsonrpsee|web3|ethers_providers|async_smtp|mail_send|teloxide|frankenstein|telegram_bot|serenity|twilight_http|slack_hook|discord_webhook)::/;
// Beyond the std and client-crate calls: sockets through raw FFI (libc, nix, socket2, Winsock) and
// the Windows HTTP and download APIs, which stealers and droppers call directly.
const NET_CALLS =
  /(^|::)(hyper::(client::)?Client::(new|builder)|hyper::client::conn::(http1::)?handshake|TcpStream::connect(_timeout)?|UdpSocket::bind|TcpStream::connect_std|TlsConnector::connect|ClientConnection::new|connect_async|lookup_host)$|^(libc|nix::sys::socket|socket)::(connect|sendto|sendmsg|send)$|^(socket2::)?Socket::new(_raw)?$|(^|::)(WinSock::)?(WSAConnect|WSASocketW|WSASocketA|WSASend|WSASendTo)$|(^|::)(URLDownloadToFileW|URLDownloadToFileA|InternetOpenUrlW|InternetOpenUrlA|InternetOpenW|InternetOpenA|HttpSendRequestW|HttpSendRequestA|WinHttpOpen|WinHttpConnect|WinHttpSendRequest)$/;
const FS_READ =
  /(^|::)(fs::read|fs::read_to_string|File::open|read_to_string|fs::read_link|from_path_iter|from_path|from_filename)$/;
const DIR_WALK =
  /(^|::)(read_dir|WalkDir::new|glob|walk_dir|Walk::new|WalkBuilder::new|walkdir::WalkDir::new|jwalk::WalkDir::new|globwalk::glob)$/;
const FS_WRITE = /(^|::)(fs::write|File::create|fs::copy|fs::rename|create_dir_all)$/;
const HOME_CALLS =
  /(^|::)(home_dir|config_dir|data_dir|data_local_dir|BaseDirs::new|UserDirs::new|document_dir|desktop_dir)$/;
const FINGERPRINT_CALLS =
  /(^|::)(hostname::get|gethostname|whoami::\w+|host_name|users::get_current_username|get_current_username|local_ip_address::local_ip|sys_info::\w+|machine_uid::get)$/;
const FINGERPRINT_PROGRAMS =
  /^(whoami|hostname|uname|systeminfo|ipconfig|ifconfig|id|wmic|sw_vers|lsb_release)(\.exe)?$/i;
const AV_PROGRAMS = /^(tasklist|wmic|ps|pgrep|Get-Process|Get-MpComputerStatus)(\.exe)?$/i;
const ENV_CALL = /(^|::)(env::var|env::var_os|dotenv::var|dotenvy::var|std::env::var|std::env::var_os)$/;
const ENV_ENUM = /(^|::)env::vars(_os)?$|^(dotenv|dotenvy)::vars$/;
const SPAWN_PROCESS =
  /(^|::)(process::Command::new|async_process::Command::new|tokio::process::Command::new|duct::cmd|subprocess::Exec::(cmd|shell)|libc::(system|execv|execvp|execve|execl|execlp|popen|posix_spawn|posix_spawnp)|nix::unistd::exec\w*|ShellExecuteW|ShellExecuteA|ShellExecuteExW|CreateProcessW|CreateProcessA|WinExec|Library::new|libloading::Library::new|dlopen|LoadLibraryW|LoadLibraryA|LoadLibraryExW)$/;
// Programs that move data over the network by themselves.
const NETWORK_PROGRAMS =
  /^(ssh|scp|sftp|rsync|nc|ncat|netcat|socat|telnet|ftp|tftp|nslookup|dig|host)(\.exe)?$/i;
const BACKGROUND =
  /(^|::)(thread::spawn|tokio::spawn|task::spawn|async_std::task::spawn|Builder::spawn|spawn_blocking)$/;
const HOOK_PATH = new RegExp(`(^|/)hooks/(${GIT_HOOK_NAME.source.slice(2, -2)})$`);
const HOOKS_DIR = /(^|\/)\.git\/hooks\/?$/;
const SHELL_PATH = /^(\/usr)?(\/bin\/)?(ba|z|da|k)?sh$/;
const HTTP_REQUEST_TEXT = /^(GET|POST|PUT|PATCH|DELETE|HEAD) \S* ?HTTP\/1\.[01]/;

interface WriteTarget {
  ident: string | null;
  /** The target expression as written (`std::env::temp_dir().join("x")`), for matching an exec. */
  text: string | null;
  strs: string[];
  tok: number;
}

const INTERPRETERS =
  /^(sh|bash|zsh|dash|ksh|cmd|cmd\.exe|powershell|powershell\.exe|pwsh|python3?|perl|ruby|node|wscript|cscript|mshta|rundll32)$/i;

function writeTarget(tokens: Token[], range: [number, number] | undefined, tok: number): WriteTarget {
  if (!range) return { ident: null, text: null, strs: [], tok };
  return {
    ident: argIdent(tokens, range),
    text: exprText(tokens, range),
    strs: stringsIn(tokens, range[0], range[1]),
    tok,
  };
}

/** An argument expression as text, without leading `&`: the key for "same expression" matching. */
function exprText(tokens: Token[], [a, b]: [number, number]): string | null {
  let k = a;
  while (k < b && (tokens[k]!.text === '&' || tokens[k]!.text === '&&')) k++;
  if (b - k < 2 || b - k > 40) return null;
  return tokens
    .slice(k, b)
    .map((t) => (t.kind === 'str' ? JSON.stringify(t.text) : t.text))
    .join(' ');
}

interface CommandInfo {
  program: string | null;
  programIdent: string | null;
  programText: string | null;
  args: string[];
  argIdents: string[];
  tok: number;
  line: number;
  fn: number;
  test: boolean;
}

/** Decoded text that would be worth hiding: an endpoint, a command, a secret's location or name. */
export function meaningfulDecoded(s: string): boolean {
  if (s.length < 6 || s.length > 4096) return false;
  if (/^(https?|wss?|ftp):\/\/[a-z0-9.-]{3,}/i.test(s)) return true;
  if (/^(\d{1,3}\.){3}\d{1,3}(:\d{2,5})?$/.test(s)) return isPublicIpv4(s.split(':')[0]!);
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)+:\d{2,5}$/i.test(s)) return true;
  if (credentialKind(s) !== null || persistenceKind(s) !== null) return true;
  if (
    /\b(curl|wget|powershell|Invoke-WebRequest|nohup|certutil)\b|\b(ba)?sh -c\b|cmd(\.exe)? \/c\b|chmod \+x/i.test(
      s,
    )
  )
    return true;
  return s.length >= 8 && isSecretEnvName(s);
}

export function analyzeRust(facts: RustFacts): RustAnalysis {
  const tokens = facts.tokens;
  const signals: Signal[] = [];
  const sig = (
    kind: SignalKind,
    at: number,
    evidence: string,
    detail?: string,
    decoded?: boolean,
    host?: string,
  ): void => {
    const t = tokens[at];
    signals.push({
      kind,
      line: t?.line ?? 0,
      evidence: snippet(evidence),
      fn: t?.fn ?? -1,
      test: t?.test ?? false,
      ...(detail !== undefined ? { detail } : {}),
      ...(decoded ? { decoded } : {}),
      ...(host ? { host } : {}),
    });
  };
  const calls = collectCalls(facts);
  const fileMentions = (re: RegExp) => tokens.some((t) => t.kind === 'id' && re.test(t.text));
  const mentionsProcess =
    fileMentions(/^(process|Command|Stdio)$/) && (facts.uses.get('Command')?.includes('process') ?? true);
  const consts = constStrings(tokens);

  // --- Environment reads ---------------------------------------------------------------------
  const envNames: { name: string; tok: number }[] = [];
  for (const c of calls) {
    const isEnvCall =
      (c.kind === 'call' && ENV_CALL.test(c.path)) ||
      (c.kind === 'call' &&
        /^(var|var_os)$/.test(c.raw) &&
        (facts.uses.get(c.raw)?.includes('env') || facts.globUses.some((g) => g.endsWith('env')))) ||
      (c.kind === 'macro' && /^(env|option_env)$/.test(c.raw));
    if (isEnvCall) {
      const [first] = argRanges(tokens, c.open);
      for (const name of first ? envArgNames(tokens, first, c.tok, consts) : [])
        envNames.push({ name, tok: c.tok });
    } else if (c.kind === 'call' && ENV_ENUM.test(c.path)) {
      // Build scripts walk the environment for CARGO_FEATURE_*/DEP_* all the time.
      const near = tokens.slice(c.tok, c.tok + 60);
      const filtered = near.some(
        (t) => t.kind === 'str' && /^(CARGO_|DEP_|RUSTC|TARGET|PROFILE|OUT_DIR|HOST)/.test(t.text),
      );
      if (!filtered) sig('env-enumerate', c.tok, `${c.raw}()`);
    }
  }
  for (const { name, tok } of envNames) {
    if (isSecretEnvName(name)) sig('env-secret', tok, `reads ${name}`, name);
    if (CI_ENV.has(name)) sig('env-ci', tok, `checks ${name}`, name);
    if (FINGERPRINT_ENV.has(name)) sig('env-fingerprint', tok, `reads ${name}`, name);
    if (HOME_ENV.has(name)) sig('home-dir', tok, `reads ${name}`, name);
    if (name === 'DOCS_RS') sig('docs-rs', tok, 'honours DOCS_RS');
    if (name === 'CARGO_NET_OFFLINE') sig('offline-aware', tok, 'honours CARGO_NET_OFFLINE');
  }

  // --- Calls: network, filesystem, processes ---------------------------------------------------
  const commands: CommandInfo[] = [];
  const writes: WriteTarget[] = [];
  for (const c of calls) {
    const p = c.path;
    if (c.kind === 'call' || c.kind === 'ref') {
      if (NET_ROOTS.test(p) || NET_CALLS.test(p)) sig('network', c.tok, c.raw, p.split('::')[0]);
      // urlmon's one-call downloader saves a URL to a file, as `curl -o` does.
      if (c.kind === 'call' && /(^|::)URLDownloadToFile[AW]$/.test(p))
        sig('download-tool', c.tok, c.raw, 'urlmon');
      else if (FS_READ.test(p) && c.kind === 'call') sig('fs-read', c.tok, c.raw);
      if (DIR_WALK.test(p) && c.kind === 'call') sig('dir-walk', c.tok, c.raw);
      if (HOME_CALLS.test(p) && c.kind === 'call') sig('home-dir', c.tok, `${c.raw}()`);
      if (FINGERPRINT_CALLS.test(p) && c.kind === 'call') sig('fingerprint', c.tok, `${c.raw}()`);
      if (BACKGROUND.test(p) && c.kind === 'call') sig('background', c.tok, c.raw);
      if (c.kind === 'call' && /(^|::)(IsDebuggerPresent|CheckRemoteDebuggerPresent)$/.test(p))
        sig('av-check', c.tok, c.raw);
      if (c.kind === 'call' && FS_WRITE.test(p)) {
        const args = argRanges(tokens, c.open);
        const target = /copy|rename$/.test(p) ? args[1] : args[0];
        writes.push(writeTarget(tokens, target, c.tok));
        sig('fs-write', c.tok, c.raw);
      }
      const isCommand =
        c.kind === 'call' &&
        (SPAWN_PROCESS.test(p) || (c.raw === 'Command::new' && p === 'Command::new' && mentionsProcess));
      if (isCommand) commands.push(commandInfo(tokens, c));
    } else if (c.kind === 'method') {
      const name = c.path;
      const args = argRanges(tokens, c.open);
      if (name === 'open' && precededBy(tokens, c.tok, /^(append|write|create|create_new|truncate)$/, 30)) {
        const target = args[0];
        writes.push(writeTarget(tokens, target, c.tok));
        sig('fs-write', c.tok, '.open() for writing');
      }
      if (name === 'read_dir' || name === 'walk_dir') sig('dir-walk', c.tok, `.${name}()`);
      if (name === 'to_socket_addrs' || name === 'send_to') sig('network', c.tok, `.${name}()`, 'socket');
      if (
        (name === 'danger_accept_invalid_certs' || name === 'danger_accept_invalid_hostnames') &&
        args[0] &&
        tokens[args[0][0]]?.text === 'true'
      ) {
        sig('tls-disabled', c.tok, `.${name}(true)`);
      }
      if (
        /^(verify_peer|ssl_verify_peer|ssl_verify_host|set_verify_hostname|verify_hostname|use_sni)$/.test(
          name,
        ) &&
        args[0] &&
        tokens[args[0][0]]?.text === 'false'
      ) {
        sig('tls-disabled', c.tok, `.${name}(false)`);
      }
      if (name === 'with_custom_certificate_verifier' && precededBy(tokens, c.tok, /^dangerous$/, 12)) {
        sig('tls-disabled', c.tok, '.dangerous().with_custom_certificate_verifier(…)', 'custom-verifier');
      }
      if (name === 'set_permissions' || name === 'set_mode' || name === 'from_mode')
        modeSignal(tokens, c, args, sig);
      if (
        name === 'decode' &&
        precededBy(
          tokens,
          c.tok,
          /^(B64|BASE64\w*|STANDARD\w*|URL_SAFE\w*|general_purpose|engine|Engine|base64|hex|b64)$/,
          6,
        )
      ) {
        sig('runtime-decode', c.tok, '.decode(…)');
      }
      if (
        name === 'creation_flags' &&
        args[0] &&
        /DETACHED_PROCESS|CREATE_BREAKAWAY_FROM_JOB|^0x0*8$/.test(tokensText(tokens, args[0][0], args[0][1]))
      ) {
        sig('detach', c.tok, `.creation_flags(${tokensText(tokens, args[0][0], args[0][1])})`);
      }
    }
    if (c.kind === 'call' && /(^|::)(set_permissions|from_mode|chmod)$/.test(p))
      modeSignal(tokens, c, argRanges(tokens, c.open), sig);
    if (
      c.kind === 'call' &&
      /(^|::)(base64::decode|hex::decode|decode_config|base64_decode|from_hex)$/.test(p)
    )
      sig('runtime-decode', c.tok, `${c.raw}(…)`);
    if (/(^|::)SslVerifyMode::NONE$|(^|::)SSL_VERIFY_NONE$|(^|::)CURLOPT_SSL_VERIFYPEER$/.test(p))
      sig('tls-disabled', c.tok, c.raw);
    if (c.kind === 'macro' && /^(include_bytes|include_str|include)$/.test(c.raw)) {
      const strs = stringsIn(tokens, c.open, matching(tokens, c.open));
      const rel = strs.length > 0 ? strs[strs.length - 1]! : null;
      if (rel !== null) {
        const fromRoot = tokens
          .slice(c.open, matching(tokens, c.open))
          .some((t) => t.text === 'CARGO_MANIFEST_DIR');
        sig('include', c.tok, `${c.raw}!("${rel}")`, `${fromRoot ? 'root:' : 'rel:'}${c.raw}:${rel}`);
      }
    }
    if (
      c.kind === 'macro' &&
      c.raw === 'cfg' &&
      tokens.slice(c.open, c.open + 6).some((t) => /^(windows|unix|target_os|macos|linux)$/.test(t.text))
    ) {
      sig('os-gate', c.tok, 'cfg!(…)');
    }
    if (c.kind === 'ref' && /(^|::)consts::OS$/.test(p)) sig('os-gate', c.tok, 'std::env::consts::OS');
  }

  // Accept-all certificate verifiers: `verify_server_cert` that calls nothing but `Ok(…assertion())`.
  for (let f = 0; f < facts.functions.length; f++) {
    if (!/^verify_(server_cert|tls12_signature|tls13_signature|server_name)$/.test(facts.functions[f]!.name))
      continue;
    if (facts.functions[f]!.name !== 'verify_server_cert') continue;
    const body = calls.filter((c) => tokens[c.tok]!.fn === f && c.kind !== 'ref');
    const real = body.filter(
      (c) =>
        !/^(Ok|assertion|ServerCertVerified::assertion|rustls::client::danger::ServerCertVerified::assertion)$/.test(
          c.raw,
        ) && !/ServerCertVerified::assertion$/.test(c.path),
    );
    if (body.length > 0 && real.length === 0) {
      const at = body[0]!.tok;
      sig('tls-disabled', at, 'certificate verifier that accepts every certificate', 'accept-all-verifier');
    }
  }

  // --- Commands ----------------------------------------------------------------------------
  let strCache: Set<string> | null = null;
  const strSet = () => (strCache ??= new Set(tokens.filter((t) => t.kind === 'str').map((t) => t.text)));
  let avCache: boolean | null = null;
  const hasAvName = () =>
    (avCache ??= tokens.some(
      (t) => t.kind === 'str' && t.text.length <= 64 && AV_PROCESS_NAMES.test(t.text),
    ));
  const execIdents = new Map<string, number>();
  for (const cmd of commands) {
    const prog = cmd.program ?? '';
    const base = prog.split(/[/\\]/).pop() ?? '';
    const evidence = `Command::new(${cmd.program !== null ? JSON.stringify(cmd.program) : (cmd.programIdent ?? '…')})${
      cmd.args.length
        ? ` ${cmd.args
            .slice(0, 6)
            .map((a) => JSON.stringify(a))
            .join(' ')}`
        : ''
    }`;
    signals.push({
      kind: 'exec',
      line: cmd.line,
      evidence: snippet(evidence),
      fn: cmd.fn,
      test: cmd.test,
      detail: cmd.program ?? `$${cmd.programIdent ?? ''}`,
    });
    const push = (kind: SignalKind, detail?: string) =>
      signals.push({
        kind,
        line: cmd.line,
        evidence: snippet(evidence),
        fn: cmd.fn,
        test: cmd.test,
        ...(detail ? { detail } : {}),
      });
    if (cmd.programIdent) execIdents.set(`${cmd.fn}:${cmd.programIdent}`, cmd.line);
    if (cmd.programText) execIdents.set(`${cmd.fn}:=${cmd.programText}`, cmd.line);
    // An interpreter given a file runs that file: `Command::new("sh").arg(&script)`.
    if (INTERPRETERS.test(base)) for (const id of cmd.argIdents) execIdents.set(`${cmd.fn}:${id}`, cmd.line);
    let text = cmd.args.join(' ');
    if (isShellProgram(base)) {
      const flagAt = cmd.args.findIndex((a) =>
        /^(-c|\/c|\/C|-Command|-EncodedCommand|-enc|-e|\/k)$/i.test(a),
      );
      if (flagAt >= 0 || cmd.argIdents.length > 0) push('exec-shell', base);
      text = cmd.args.join(' ');
    }
    if (DOWNLOAD_TOOLS.test(base)) {
      push('download-tool', base);
      push('network', base);
      if (cmd.args.some((a) => a === '-k' || a === '--insecure' || a === '--no-check-certificate'))
        push('tls-disabled', `${base} --insecure`);
      const out = outputArg(tokens, cmd);
      if (out) writes.push({ ident: out, text: out, strs: [], tok: cmd.tok });
    }
    const traits = shellCommandTraits(`${base} ${text}`);
    if (traits.download && !DOWNLOAD_TOOLS.test(base)) {
      push('download-tool', 'shell');
      push('network', 'shell');
    }
    if (traits.pipeToShell) push('pipe-to-shell');
    if (traits.detach || base === 'nohup' || base === 'setsid') push('detach');
    if (traits.persistence) push('persistence-write', traits.persistence);
    if (traits.download && traits.runs) push('pipe-to-shell', 'download-and-run');
    if (
      /^chmod$/.test(base) &&
      cmd.args.some((a) => /^(\+x|[ugoa]*\+[rw]*x|0?[0-7]?[1357][0-7]{2})$/.test(a))
    ) {
      push('make-executable', cmd.argIdents[0]);
    } else if (traits.makeExec) push('make-executable');
    if (FINGERPRINT_PROGRAMS.test(base)) push('fingerprint', base);
    if (AV_PROGRAMS.test(base) && hasAvName()) push('av-check', base);
    if (/^(crontab|schtasks|launchctl|reg)(\.exe)?$/i.test(base)) {
      const k = base.startsWith('crontab')
        ? 'cron'
        : base.startsWith('schtasks')
          ? 'scheduled-task'
          : base === 'launchctl'
            ? 'launch-agent'
            : /CurrentVersion\\+Run/i.test(text)
              ? 'windows-run-key'
              : null;
      if (k) push('persistence-write', k);
    }
    if (NETWORK_PROGRAMS.test(base)) push('network', base);
    // `ping -p HEX` fills each echo request with bytes of the caller's choosing: a carrier.
    if (/^ping6?(\.exe)?$/i.test(base) && cmd.args.includes('-p')) push('network', 'ping-pattern');
    if (
      base === 'git' &&
      cmd.args.some((a) => /^(push|clone|fetch|pull|ls-remote)$/.test(a) || /^(https?|ssh|git):\/\//.test(a))
    )
      push('network', 'git');
    if (base === 'git') {
      const strs = strSet();
      const consumer = [
        'diff',
        'get-url',
        'ls-files',
        'credential',
        'format-patch',
        'stash',
        'shortlog',
      ].filter((s) => strs.has(s));
      // `git diff --quiet` / `--exit-code` only asks whether the tree is dirty.
      if (consumer.includes('diff') && (strs.has('--quiet') || strs.has('--exit-code')))
        consumer.splice(consumer.indexOf('diff'), 1);
      if (strs.has('remote') && (strs.has('-v') || strs.has('get-url'))) consumer.push('remote');
      if (strs.has('config') && [...strs].some((s) => /^(remote\.|user\.|credential)/.test(s)))
        consumer.push('config');
      if (cmd.args.includes('-C') && !cmd.args.some((a) => a === '.')) consumer.push('-C');
      if (consumer.length > 0) push('git-consumer', consumer.join(','));
    }
    if (
      cmd.programIdent &&
      bindingMentions(tokens, cmd, /^(temp_dir|TEMP|TMP|OUT_DIR|TMPDIR)$/, /^\/(tmp|var\/tmp|dev\/shm)\//)
    )
      push('exec-temp');
    if (cmd.program && /^\/(tmp|var\/tmp|dev\/shm)\/|%TEMP%|\\Temp\\/i.test(cmd.program)) push('exec-temp');
  }
  processPipeSignals(tokens, commands, signals);
  // A shell whose standard streams are a socket: a reverse shell.
  for (const cmd of commands) {
    const base =
      (cmd.program ?? '').split(/[/\\]/).pop() ||
      // `let sh = CString::new("/bin/sh")` then `execv(&sh, …)`; `const SH: &str = "/bin/sh"`.
      (bindingMentions(tokens, cmd, /^$/, SHELL_PATH) ||
      (consts.get(cmd.programIdent ?? '') ?? []).some((x) => SHELL_PATH.test(x))
        ? 'sh'
        : '');
    if (!isShellProgram(base) || cmd.args.some((a) => /^(-c|\/c|\/C|-Command)$/.test(a))) continue;
    const fdPlumbing = tokens.some(
      (t, i) =>
        t.fn === cmd.fn &&
        t.kind === 'id' &&
        (/^(from_raw_fd|into_raw_fd|as_raw_fd|from_raw_socket|as_raw_socket|into_raw_socket|from_raw_handle|dup2|dup3)$/.test(
          t.text,
        ) ||
          (t.text === 'from' && tokens[i - 2]?.text === 'Stdio')),
    );
    // The descriptor is a socket's: a terminal emulator hands its shell a pty instead.
    const socket = tokens.some(
      (t) =>
        t.kind === 'id' &&
        /^(TcpStream|UdpSocket|UnixStream|TcpSocket|Socket|socket|WSASocketW|WSASocketA)$/.test(t.text),
    );
    if (fdPlumbing && socket)
      signals.push({
        kind: 'reverse-shell',
        line: cmd.line,
        evidence: `${base} with its stdio bound to a descriptor`,
        fn: cmd.fn,
        test: cmd.test,
      });
  }
  // A file written and then run under the same name in the same function.
  for (const w of writes) {
    if (!w.ident && !w.text) continue;
    const t = tokens[w.tok]!;
    if (execIdents.has(`${t.fn}:${w.ident}`) || (w.text && execIdents.has(`${t.fn}:=${w.text}`))) {
      const name = w.ident ?? w.text ?? '';
      sig('write-then-exec', w.tok, `writes \`${name}\` and runs it`, name);
    }
  }
  // Only files that write or run something can install persistence: the rest skip these passes.
  const acting = writes.length > 0 || commands.length > 0;
  const outDirs = acting ? outDirNames(tokens) : new Set<string>();
  // Functions that reach the user's home, the working directory or the consumer's tree: where
  // hooks and cargo configuration take effect (a generated project under target/ is not it).
  let consumerFns: Set<number> | null = null;
  const consumerPlace = (path: string, fn: number) =>
    /^(\.cargo|\.git|~|\/|[A-Za-z]:\\|\.\.)|(^|\/)\.git\/hooks\//.test(path) ||
    (consumerFns ??= consumerFunctions(tokens)).has(fn) ||
    // A hook (or the hooks directory itself) under a directory handed in by another function of a
    // file that finds the consumer's tree.
    ((HOOK_PATH.test(path) || HOOKS_DIR.test(path)) &&
      consumerFns.size > 0 &&
      tokens.some((t) => t.kind === 'str' && t.text === '.git'));
  for (const w of writes) {
    // Each literal, and the path the literals spell together (`.join(".git").join("hooks")…`).
    const joined = w.strs.length >= 2 ? [w.strs.join('/')] : [];
    // A build's own output directory is not the consumer's configuration or hooks.
    const ownOutput = (w.text ?? '').split(' ').some((x) => outDirs.has(x));
    // `base.join(".cargo")` is relative to some base; a literal path alone is relative to the cwd.
    const based =
      w.text !== null &&
      !w.text.startsWith('"') &&
      !/^(std :: )?(path :: )?(Path :: new|PathBuf :: from) \( "/.test(w.text);
    for (const s of [...w.strs, ...joined]) {
      const k = persistenceKind(s);
      const precise = k === 'vcs-hook' || k === 'cargo-config';
      if (k && !(precise && (ownOutput || !consumerPlace(based ? `…/${s}` : s, tokens[w.tok]!.fn)))) {
        sig('persistence-write', w.tok, `writes ${s}`, k);
        break;
      }
    }
  }
  if (acting) pathChainSignals(tokens, outDirs, sig);

  // --- Literals ----------------------------------------------------------------------------
  let gitDir = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'str') continue;
    stringSignals(t.text, i, false, sig);
    if (t.text === '.git') gitDir = true;
    if (t.text.length >= 200 && !t.bytes && !/\s/.test(t.text) && entropy(t.text) >= 5.5) {
      sig(
        'high-entropy',
        i,
        `${t.text.length}-char literal, entropy ${entropy(t.text).toFixed(1)} bits/char`,
      );
    }
    // A bare public IP in a socket-address tuple: `("203.0.113.5", 443)`.
    if (tokens[i + 1]?.text === ',' && tokens[i + 2]?.kind === 'int' && isPublicIpv4(t.text)) {
      sig('endpoint', i, `${t.text}:${tokens[i + 2]!.text}`, 'raw-ip');
    }
  }
  const decoded = decodeLiterals(tokens, { meaningful: meaningfulDecoded });
  for (const d of decoded) {
    if (d.executable) {
      if (d.plain) sig('embedded-executable', d.tok, `byte array holding a ${d.value}`, d.executable);
      else
        sig('obfuscated', d.tok, `${d.how.join(' → ')} of a literal gives a ${d.value}`, 'executable', true);
      continue;
    }
    if (!meaningfulDecoded(d.value) && !findEndpoints(d.value).some((e) => e.cls !== 'url')) continue;
    const onlyJoin = d.how.every((h) => h === 'concat' || h === 'format');
    const before = signals.length;
    stringSignals(d.value, d.tok, !onlyJoin, sig);
    // Joining plain fragments is ordinary code; hiding text behind an encoding is not.
    if (!onlyJoin && signals.length > before)
      sig(
        'obfuscated',
        d.tok,
        `${d.how.join(' → ')} of ${JSON.stringify(d.from)} gives ${JSON.stringify(d.value)}`,
        d.how.join('+'),
        true,
      );
  }

  // Cargo's configuration edited as a document (`doc["source"]["crates-io"]["replace-with"] = …`,
  // `cfg["build"]["rustc-wrapper"] = …`): the keys alone, as separate literals, spell the
  // redirection that a `[source.crates-io]` text would.
  const keyAt = (k: string) => tokens.findIndex((t) => t.kind === 'str' && t.text === k);
  const replaceWith = keyAt('replace-with');
  if (replaceWith >= 0 && keyAt('crates-io') >= 0)
    sig('persistence', replaceWith, 'cargo config keys "crates-io" and "replace-with"', 'cargo-config');
  for (const k of ['rustc-wrapper', 'rustc-workspace-wrapper']) {
    const at = keyAt(k);
    if (at >= 0 && keyAt('build') >= 0)
      sig('persistence', at, `cargo config keys "build" and "${k}"`, 'cargo-config');
  }

  // Byte arrays long enough to hold code (not an executable's header: those are reported above).
  const exeAt = new Set(signals.filter((x) => x.kind === 'embedded-executable').map((x) => x.line));
  for (const arr of byteArrays(tokens))
    if (arr.values.length >= 32 && !exeAt.has(arr.line))
      sig('byte-blob', arr.tok, `a ${arr.values.length}-byte array literal`, 'data');

  // Persistence locations named in a function that writes files or runs commands.
  const actsIn = new Set(
    signals.filter((x) => (x.kind === 'fs-write' || x.kind === 'exec') && x.fn >= 0).map((x) => x.fn),
  );
  const writesIn = new Set(signals.filter((x) => x.kind === 'fs-write' && x.fn >= 0).map((x) => x.fn));
  const regWrite = calls.some((c) =>
    /^(set_value|set_raw_value|RegSetValueExW|RegSetValueExA|RegSetKeyValueW|RegSetKeyValueA|NtSetValueKey|ZwSetValueKey)$/.test(
      c.path.split('::').pop() ?? '',
    ),
  );
  // A Run key opened in two steps: `…\CurrentVersion` then the subkey `Run`, through raw FFI.
  if (regWrite && tokens.some((t) => t.kind === 'str' && /CurrentVersion\\?$/i.test(t.text))) {
    const run = tokens.findIndex((t) => t.kind === 'str' && /^Run(Once)?(\0)?$/.test(t.text));
    if (run >= 0) sig('persistence', run, 'CurrentVersion + "Run" subkey', 'windows-run-key');
  }
  // Hooks and cargo's configuration are read by many honest tools; only writing them counts.
  const needsWrite = new Set(['vcs-hook', 'cargo-config']);
  for (const p of signals.filter((x) => x.kind === 'persistence')) {
    const precise = needsWrite.has(p.detail ?? '');
    const acts = precise ? writesIn : actsIn;
    const placed = !precise || consumerPlace(p.evidence.replace(/^"|"$/g, ''), p.fn);
    if ((p.fn >= 0 && acts.has(p.fn) && placed) || (p.detail === 'windows-run-key' && regWrite)) {
      signals.push({ ...p, kind: 'persistence-write' });
    }
  }
  techniqueSignals({
    facts,
    calls,
    commands,
    signals,
    sig: (kind, at, evidence, detail, target) => {
      sig(kind, at, evidence, detail);
      if (target) signals[signals.length - 1]!.target = target;
    },
  });
  // Checksum verification: a hash type next to a pinned digest.
  const hashTypes = fileMentions(
    /^(Sha256|Sha512|Sha384|sha256|sha2|Sha3_256|blake3|Blake2b|Blake2s|sha256sum|digest)$/,
  );
  const pinned = tokens.findIndex((t) => t.kind === 'str' && /^[0-9a-f]{64}$|^[0-9a-f]{128}$/i.test(t.text));
  if (hashTypes && pinned >= 0) sig('checksum', pinned, 'verifies a pinned digest');

  // Walking up from the crate's own directory towards the consumer's repository.
  const manifestDirAt = tokens.findIndex((t) => t.kind === 'str' && t.text === 'CARGO_MANIFEST_DIR');
  if (manifestDirAt >= 0) {
    const climbs = tokens.some(
      (t, i) =>
        t.kind === 'id' &&
        (t.text === 'ancestors' || (t.text === 'parent' && tokens[i - 1]?.text === '.')) &&
        inLoop(tokens, i),
    );
    if (climbs && gitDir) sig('walk-up', manifestDirAt, 'walks up from CARGO_MANIFEST_DIR looking for .git');
  }
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (
      t.kind === 'str' &&
      /^(\.\.[/\\]){3,}|\.cargo[/\\](registry|git)\b|(^|[/\\])registry[/\\]src([/\\]|$)/.test(t.text)
    ) {
      sig('walk-up', i, `path ${JSON.stringify(t.text)} leaves the crate`);
    }
  }
  return { signals, decoded };
}

function stringSignals(
  s: string,
  tok: number,
  decoded: boolean,
  sig: (
    kind: SignalKind,
    at: number,
    evidence: string,
    detail?: string,
    decoded?: boolean,
    host?: string,
  ) => void,
): void {
  if (s.length < 2 || s.length > 100_000) return;
  const q = JSON.stringify(s.length > 100 ? `${s.slice(0, 100)}…` : s);
  for (const e of findEndpoints(s)) sig('endpoint', tok, e.text, e.cls, decoded, e.host);
  const cred = credentialKind(s);
  if (cred) sig('credential-path', tok, q, cred, decoded);
  else if (/(^|[/\\])\.env$/.test(s)) sig('dotenv', tok, q, undefined, decoded);
  const pers = persistenceKind(s);
  if (pers) sig('persistence', tok, q, pers, decoded);
  if (isKeyMaterialRegex(s)) sig('key-regex', tok, q, undefined, decoded);
  else if (isKeyMarker(s)) sig('key-marker', tok, q, undefined, decoded);
  if (HTTP_REQUEST_TEXT.test(s)) sig('raw-http', tok, q, undefined, decoded);
  if (s.length <= 64 && /\.exe$|^[a-z0-9]+$/i.test(s) && AV_PROCESS_NAMES.test(s))
    sig('av-check', tok, q, 'name', decoded);
  if (decoded && isSecretEnvName(s)) sig('env-secret', tok, `hidden name ${q}`, s, decoded);
  if (s.length >= 8 && s.includes(' ')) {
    const tr = shellCommandTraits(s);
    if (tr.download && /https?:\/\/|\s-o\s|\s-O\s/.test(s))
      sig('download-tool', tok, q, 'command-string', decoded);
    if (tr.pipeToShell && tr.download) sig('pipe-to-shell', tok, q, undefined, decoded);
    // One script that fetches a file and then marks it executable or runs it, as a command's
    // arguments are judged (also when its steps are fragments joined at run time).
    else if (tr.download && (tr.runs || tr.makeExec))
      sig('pipe-to-shell', tok, q, 'download-and-run', decoded);
    if (tr.persistence) sig('persistence', tok, q, tr.persistence, decoded);
  }
}

/**
 * Paths built from pieces (`home.join(".git").join("hooks").join("pre-commit")`, `PathBuf::push`):
 * the pieces of one statement joined with `/`, checked as one path.
 */
function pathChainSignals(
  tokens: Token[],
  outDirs: Set<string>,
  sig: (kind: SignalKind, at: number, evidence: string, detail?: string) => void,
): void {
  let parts: string[] = [];
  let first = -1;
  let ownOutput = false;
  // The chain starts from some base (`dir.join(…)`) rather than a literal path.
  let based = false;
  // `let hooks = git.join("hooks"); let target = hooks.join("post-checkout");`: a binding's parts
  // carry into the chains built on it (per function).
  const bound = new Map<string, string[]>();
  let binding: string | null = null;
  const flush = () => {
    if (binding && parts.length > 0) bound.set(binding, parts);
    binding = null;
    if (parts.length >= 2 && !ownOutput) {
      const path = parts.join('/');
      const k =
        persistenceKind(path) ??
        (parts.some((p) => GIT_HOOK_NAME.test(p)) && parts.includes('hooks') ? 'vcs-hook' : null);
      if (k) sig('persistence', first, JSON.stringify(based ? `…/${path}` : path), k);
    }
    parts = [];
    first = -1;
    ownOutput = false;
    based = false;
  };
  for (let i = 0; i + 3 < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.text === ';' || t.text === '{' || t.text === '}') flush();
    else if (
      t.kind === 'kw' &&
      t.text === 'let' &&
      tokens[i + 1]?.kind === 'id' &&
      tokens[i + 2]?.text === '='
    )
      binding = `${t.fn}:${tokens[i + 1]!.text}`;
    else if ((t.kind === 'id' || t.kind === 'str') && outDirs.has(t.text)) ownOutput = true;
    else if (
      t.kind === 'id' &&
      (((t.text === 'join' || t.text === 'push') && tokens[i - 1]?.text === '.') ||
        ((t.text === 'new' || t.text === 'from') &&
          tokens[i - 1]?.text === '::' &&
          /^(Path|PathBuf)$/.test(tokens[i - 2]?.text ?? ''))) &&
      tokens[i + 1]?.text === '(' &&
      tokens[i + 2]?.kind === 'str' &&
      tokens[i + 3]?.text === ')'
    ) {
      if (first < 0) {
        first = i + 2;
        based = t.text === 'join' || t.text === 'push';
        const base =
          based && tokens[i - 2]?.kind === 'id' ? bound.get(`${t.fn}:${tokens[i - 2]!.text}`) : undefined;
        if (base) parts.push(...base);
      }
      parts.push(tokens[i + 2]!.text);
    }
  }
  flush();
}

function consumerFunctions(tokens: Token[]): Set<number> {
  const out = new Set<number>();
  for (const t of tokens)
    if (
      t.fn >= 0 &&
      ((t.kind === 'id' &&
        /^(home|home_dir|current_dir|ancestors|parent|cargo_home|discover|workdir|toplevel)$/.test(t.text)) ||
        (t.kind === 'str' && /^(HOME|USERPROFILE|CARGO_HOME|CARGO_MANIFEST_DIR|PWD|GIT_DIR)$/.test(t.text)))
    )
      out.add(t.fn);
  return out;
}

/** `OUT_DIR` and the names bound to it (`let out = PathBuf::from(env::var("OUT_DIR")?)`): the build's own output. */
function outDirNames(tokens: Token[]): Set<string> {
  const names = new Set(['OUT_DIR', 'out_dir', 'TARGET_DIR', 'target_dir']);
  for (let i = 0; i + 2 < tokens.length; i++) {
    if (tokens[i]!.text !== 'let') continue;
    const k = tokens[i + 1]!.text === 'mut' ? i + 2 : i + 1;
    if (tokens[k]?.kind !== 'id' || tokens[k + 1]?.text === '(') continue;
    for (let m = k + 1; m < tokens.length && m < k + 60 && tokens[m]!.text !== ';'; m++)
      if (names.has(tokens[m]!.text)) {
        names.add(tokens[k]!.text);
        break;
      }
  }
  return names;
}

function tokensText(tokens: Token[], a: number, b: number): string {
  return tokens
    .slice(a, b)
    .map((t) => t.text)
    .join('');
}

function precededBy(tokens: Token[], at: number, re: RegExp, window: number): boolean {
  for (let k = at - 1; k >= 0 && k >= at - window; k--) {
    const t = tokens[k]!;
    if (t.text === ';' || t.text === '{' || t.text === '}') return false;
    if (t.kind === 'id' && re.test(t.text)) return true;
  }
  return false;
}

function inLoop(tokens: Token[], at: number): boolean {
  for (let k = at - 1; k >= 0 && k >= at - 80; k--) {
    const x = tokens[k]!;
    if (x.kind === 'kw' && (x.text === 'loop' || x.text === 'while' || x.text === 'for')) return true;
    if (x.kind === 'kw' && x.text === 'fn') return false;
  }
  return false;
}

function modeSignal(
  tokens: Token[],
  c: Call,
  args: [number, number][],
  sig: (kind: SignalKind, at: number, evidence: string, detail?: string) => void,
): void {
  const end = matching(tokens, c.open);
  for (let k = c.open; k < end; k++) {
    const t = tokens[k]!;
    if (t.kind === 'int' && t.num !== undefined && /^0o/.test(t.text) && (t.num & 0o111) !== 0) {
      sig(
        'make-executable',
        c.tok,
        `mode ${t.text}`,
        args[0] ? (argIdent(tokens, args[0]) ?? undefined) : undefined,
      );
      return;
    }
  }
}

function commandInfo(tokens: Token[], c: Call): CommandInfo {
  const t = tokens[c.tok]!;
  const [first] = argRanges(tokens, c.open);
  let program: string | null = null;
  let programIdent: string | null = null;
  let programText: string | null = null;
  if (first) {
    const strs = stringsIn(tokens, first[0], first[1]);
    if (first[1] - first[0] === 1 && strs.length === 1) program = strs[0]!;
    else {
      programText = exprText(tokens, first);
      programIdent = argIdent(tokens, first);
      if (programIdent === null) {
        // `Command::new(dir.join("x"))`: the identifier heading the expression.
        const firstId = tokens.slice(first[0], first[1]).find((x) => x.kind === 'id');
        programIdent = firstId?.text ?? null;
      }
    }
  }
  const args: string[] = [];
  const argIdents: string[] = [];
  // The builder chain: `.arg(…)`, `.args([…])` up to the end of the statement.
  let k = matching(tokens, c.open) + 1;
  const collect = (a: number, b: number) => {
    for (let m = a; m < b; m++) {
      const x = tokens[m]!;
      if (x.kind === 'str') args.push(x.text);
      else if (x.kind === 'id' && tokens[m - 1]?.text !== '.' && tokens[m + 1]?.text !== '(')
        argIdents.push(x.text);
    }
  };
  while (tokens[k]?.text === '.' && tokens[k + 1]?.kind === 'id' && tokens[k + 2]?.text === '(') {
    const name = tokens[k + 1]!.text;
    const close = matching(tokens, k + 2);
    if (name === 'arg' || name === 'args' || name === 'raw_arg') collect(k + 3, close);
    k = close + 1;
  }
  // `let mut cmd = Command::new(…); cmd.arg(…);` in the same function.
  const letName = bindingName(tokens, c.tok);
  if (letName) {
    for (let m = k; m < tokens.length && m < k + 2000; m++) {
      const x = tokens[m]!;
      if (x.fn !== t.fn) break;
      if (
        x.kind === 'id' &&
        x.text === letName &&
        tokens[m + 1]?.text === '.' &&
        /^(arg|args|raw_arg)$/.test(tokens[m + 2]?.text ?? '') &&
        tokens[m + 3]?.text === '('
      ) {
        const close = matching(tokens, m + 3);
        collect(m + 4, close);
        m = close;
      }
    }
  }
  return {
    program,
    programIdent,
    programText,
    args,
    argIdents,
    tok: c.tok,
    line: t.line,
    fn: t.fn,
    test: t.test,
  };
}

/** `let [mut] NAME = <expr starting at tok>` → NAME. */
function bindingName(tokens: Token[], tok: number): string | null {
  let k = tok - 1;
  if (tokens[k]?.text !== '=') return null;
  k--;
  const name = tokens[k];
  if (name?.kind !== 'id') return null;
  const before = tokens[k - 1]?.text === 'mut' ? tokens[k - 2] : tokens[k - 1];
  return before?.text === 'let' ? name.text : null;
}

/** Whether the `let` binding of the command's program identifier mentions a temp location. */
function bindingMentions(tokens: Token[], cmd: CommandInfo, idRe: RegExp, strRe: RegExp): boolean {
  const name = cmd.programIdent;
  if (!name) return false;
  for (let k = cmd.tok - 1; k >= 0 && k >= cmd.tok - 600; k--) {
    const t = tokens[k]!;
    if (t.fn !== cmd.fn) break;
    if (
      t.kind === 'id' &&
      t.text === name &&
      tokens[k + 1]?.text === '=' &&
      (tokens[k - 1]?.text === 'let' || tokens[k - 1]?.text === 'mut')
    ) {
      for (let m = k + 2; m < tokens.length && tokens[m]!.text !== ';'; m++) {
        const x = tokens[m]!;
        if (
          (x.kind === 'id' && idRe.test(x.text)) ||
          (x.kind === 'str' && (strRe.test(x.text) || idRe.test(x.text)))
        )
          return true;
      }
      return false;
    }
  }
  return false;
}

/** The identifier after `-o`/`--output`/`-O` in a download tool's arguments. */
function outputArg(tokens: Token[], cmd: CommandInfo): string | null {
  const end = Math.min(tokens.length, cmd.tok + 400);
  for (let k = cmd.tok; k < end; k++) {
    const t = tokens[k]!;
    if (t.kind === 'str' && /^(-o|--output|-O|--output-document)$/.test(t.text)) {
      let m = k + 1;
      if (tokens[m]?.text === ',') m++;
      while (tokens[m]?.text === '&') m++;
      if (tokens[m]?.kind === 'id') return tokens[m]!.text;
      return null;
    }
    if (t.text === ';') break;
  }
  return null;
}

function constStrings(tokens: Token[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i + 4 < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'kw' || (t.text !== 'const' && t.text !== 'static')) continue;
    const name = tokens[i + 1];
    if (name?.kind !== 'id') continue;
    let k = i + 2;
    while (k < tokens.length && k < i + 24 && tokens[k]!.text !== '=') k++;
    if (tokens[k]?.text !== '=') continue;
    const end = Math.min(tokens.length, k + 400);
    const values: string[] = [];
    for (let m = k + 1; m < end && tokens[m]!.text !== ';'; m++)
      if (tokens[m]!.kind === 'str') values.push(tokens[m]!.text);
    if (values.length > 0) out.set(name.text, values);
  }
  return out;
}

/** Names an env-reading call's argument can take: a literal, a constant, or a loop over literals. */
function envArgNames(
  tokens: Token[],
  [a, b]: [number, number],
  callTok: number,
  consts: Map<string, string[]>,
): string[] {
  const strs = stringsIn(tokens, a, b);
  if (strs.length > 0) return strs;
  const id = argIdent(tokens, [a, b]);
  if (!id) return [];
  const c = consts.get(id);
  if (c) return c;
  // `for key in ["A", "B"] { env::var(key) }` or `for key in KEYS { … }`
  const fn = tokens[callTok]!.fn;
  for (let k = callTok - 1; k >= 0 && k >= callTok - 400; k--) {
    const t = tokens[k]!;
    if (t.fn !== fn) break;
    if (t.kind === 'kw' && t.text === 'for' && tokens[k + 1]?.text === id && tokens[k + 2]?.text === 'in') {
      let m = k + 3;
      if (tokens[m]?.text === '&') m++;
      if (tokens[m]?.text === '[') return stringsIn(tokens, m, matching(tokens, m));
      if (tokens[m]?.kind === 'id')
        return (
          consts.get(tokens[m]!.text) ??
          // `for name in key_names()`: the names a helper of the file returns.
          (tokens[m + 1]?.text === '(' ? fnBodyStrings(tokens, tokens[m]!.text) : [])
        );
      return [];
    }
    // `["A", "B"].iter().find_map(|key| env::var(key).ok())` or `KEYS.iter().map(|key| …)`
    if (t.text === '|' && tokens[k - 1]?.text === id && /^[|(,&]$/.test(tokens[k - 2]?.text ?? '')) {
      for (let m = k - 2; m >= 0 && m >= k - 40 && tokens[m]!.fn === fn; m--) {
        const x = tokens[m]!;
        if (x.text === ';' || x.text === '{') break;
        if (x.text === ']') {
          let d = 0;
          let o = m;
          for (; o >= 0; o--) {
            if (tokens[o]!.text === ']') d++;
            else if (tokens[o]!.text === '[' && --d === 0) break;
          }
          return o >= 0 ? stringsIn(tokens, o, m) : [];
        }
        if (x.kind === 'id' && tokens[m + 1]?.text === '.' && consts.has(x.text)) return consts.get(x.text)!;
      }
    }
  }
  return [];
}

/**
 * One process's output fed to another's input (`.stdin(Stdio::from(fetch.stdout.take()…))`)
 * in a function that names a URL, where the consumer is a shell or a program whose name is
 * computed: `curl … | sh` written with two `Command`s, the names hidden. Piping into a named
 * tool (`tar`, `less`, `gzip`) is ordinary plumbing.
 */
function processPipeSignals(tokens: Token[], commands: CommandInfo[], signals: Signal[]): void {
  const byFn = new Map<number, CommandInfo[]>();
  for (const c of commands) if (c.fn >= 0) byFn.set(c.fn, [...(byFn.get(c.fn) ?? []), c]);
  const urls = tokens.some((t) => t.kind === 'str' && /^(https?|ftp):\/\/[a-z0-9.-]{3,}/i.test(t.text));
  if (!urls) return;
  for (const [fn, cmds] of byFn) {
    if (cmds.length < 2) continue;
    let stdin = false;
    let fromStdout = false;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.fn !== fn || t.kind !== 'id') continue;
      if (t.text === 'stdin' && tokens[i + 1]?.text === '(') stdin = true;
      if (t.text === 'stdout' && tokens[i - 1]?.text === '.') fromStdout = true;
    }
    if (!stdin || !fromStdout) continue;
    const consumer = cmds[cmds.length - 1]!;
    const base = (consumer.program ?? '').split(/[/\\]/).pop() ?? '';
    if (consumer.program !== null && !isShellProgram(base)) continue;
    signals.push({
      kind: 'pipe-to-shell',
      line: consumer.line,
      evidence: `output of Command::new(${cmds[0]!.program !== null ? JSON.stringify(cmds[0]!.program) : (cmds[0]!.programIdent ?? '…')}) piped into Command::new(${consumer.program !== null ? JSON.stringify(consumer.program) : (consumer.programIdent ?? '…')})`,
      fn,
      test: consumer.test,
      detail: 'process-pipe',
    });
  }
}

/** The string literals in the body of the file's `fn name` (at most 64), or none. */
function fnBodyStrings(tokens: Token[], name: string): string[] {
  for (let i = 0; i + 1 < tokens.length; i++) {
    if (tokens[i]!.text !== 'fn' || tokens[i]!.kind !== 'kw' || tokens[i + 1]!.text !== name) continue;
    // The signature may hold `;` (`-> [&'static str; 5]`): only a bracket-free `{` or `;` ends it.
    let k = i + 2;
    let depth = 0;
    for (; k < tokens.length && k < i + 200; k++) {
      const x = tokens[k]!.text;
      if (x === '(' || x === '[') depth++;
      else if (x === ')' || x === ']') depth--;
      else if (depth === 0 && (x === '{' || x === ';')) break;
    }
    if (tokens[k]?.text !== '{') return [];
    return stringsIn(tokens, k, matching(tokens, k)).slice(0, 64);
  }
  return [];
}
