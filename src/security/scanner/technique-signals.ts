// Signals for the technique families of issue 10 that ordinary libraries rarely need: anti-analysis
// gates, code run from memory, static constructors, non-HTTP channels, clipboard and input capture,
// and hand-written decoding loops. Each is a located fact; rules (rules/technique-rules.ts) and the
// flow engine decide what it means in context.
import type { Signal, SignalKind } from './code-signals.js';
import { byteArrays } from './decoders.js';
import type { RustFacts, Token } from './rust-facts.js';
import { argRanges, matching } from './token-paths.js';
import type { Call } from './token-paths.js';

export type Sig = (kind: SignalKind, at: number, evidence: string, detail?: string, target?: string) => void;

export interface TechniqueInput {
  facts: RustFacts;
  calls: Call[];
  /** Programs the file runs, with their literal arguments. */
  commands: { program: string | null; args: string[]; tok: number }[];
  /** Signals found so far in the file (endpoints, network, exec, …). */
  signals: Signal[];
  sig: Sig;
}

const last = (p: string) => p.slice(p.lastIndexOf(':') + 1);

/** One pass over the file: which identifiers occur, and which families its strings could feed. */
interface FileIndex {
  ids: Set<string>;
  xor: boolean;
  evasionStr: boolean;
  channelStr: boolean;
  clipStr: boolean;
  inputStr: boolean;
  screenStr: boolean;
  /** Literals shaped like a cryptocurrency address (what a clipper swaps in). */
  wallets: number[];
}

const EVASION_STR =
  /TracerPid|^\/\.dockerenv$|^\/run\/\.containerenv$|^\/proc\/1\/cgroup$|VBox|VirtualBox|VMware|vmtoolsd|QEMU|KVMKVM|TCGTCG|Microsoft Hv|XenVMM|innotek|Parallels|prl_|bhyve|BOCHS|dmi\/id|Sbie|cuckoo|^(08|00)[:-]|^(LANG|LC_ALL|LC_MESSAGES|LANGUAGE)$|^(sandbox|malware|maltest|virus|sample|john doe|currentuser|hapubws|sand box|analyst)$/i;
const CHANNEL_STR =
  /^(HELO|EHLO|MAIL FROM|RCPT TO|AUTH )|jsonrpc|^eth_|^personal_|:53$|send(Message|Document)/i;

// Bitcoin (bech32, legacy), Ethereum-style, Tron and Litecoin addresses.
const WALLET_ADDRESS =
  /^(bc1[02-9ac-hj-np-z]{20,80}|[13][1-9A-HJ-NP-Za-km-z]{25,34}|0x[0-9a-fA-F]{40}|T[1-9A-HJ-NP-Za-km-z]{33}|ltc1[02-9ac-hj-np-z]{20,80})$/;

/** A regular expression that matches such addresses (`^0x[a-fA-F0-9]{40}$`, `(bc1|[13])…`). */
const WALLET_PATTERN =
  /0x\[[^\]]{3,12}\]\{40\}|\bbc1\[|\(bc1\||\[13\]\[a-km-zA-HJ-NP-Z1-9\]|\bT\[1-9A-HJ-NP-Za-km-z\]\{33\}/;

function indexFile(tokens: Token[]): FileIndex {
  const idx: FileIndex = {
    ids: new Set(),
    xor: false,
    evasionStr: false,
    channelStr: false,
    clipStr: false,
    inputStr: false,
    screenStr: false,
    wallets: [],
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'id') idx.ids.add(t.text);
    else if (t.kind === 'punct') {
      if (t.text === '^' || t.text === '^=') idx.xor = true;
    } else if (t.kind === 'str' && t.text.length <= 200) {
      if (!idx.evasionStr && EVASION_STR.test(t.text)) idx.evasionStr = true;
      if (!idx.channelStr && CHANNEL_STR.test(t.text)) idx.channelStr = true;
      if (!idx.clipStr && /[GS]et-Clipboard|pbpaste|pbcopy|wl-paste|wl-copy/.test(t.text)) idx.clipStr = true;
      if (
        idx.wallets.length < 8 &&
        ((t.text.length >= 26 && t.text.length <= 90 && WALLET_ADDRESS.test(t.text)) ||
          WALLET_PATTERN.test(t.text))
      )
        idx.wallets.push(i);
      if (!idx.inputStr && t.text.startsWith('/dev/input')) idx.inputStr = true;
      if (!idx.screenStr && SCREEN_STR.test(t.text)) idx.screenStr = true;
    }
  }
  return idx;
}

const anyOf = (ids: Set<string>, names: readonly string[]) => names.some((n) => ids.has(n));

const EVASION_IDS = [
  'ptrace',
  'traceme',
  'IsDebuggerPresent',
  'CheckRemoteDebuggerPresent',
  'NtQueryInformationProcess',
  '__cpuid',
  '__cpuid_count',
  '_cpuid',
  'cpuid',
  'get_hypervisor_info',
  'num_cpus',
  'available_parallelism',
  'total_memory',
  'physical_memory',
  'mem_info',
  'cpu_num',
  'GlobalMemoryStatusEx',
  'get_physical_memory',
  'cpus',
  'count_cpus',
  'sleep',
  'Sleep',
  'now',
  'now_utc',
  'now_local',
  'today',
  'days_since_epoch',
  'epoch_days',
  'unix_days',
  'unix_time',
  'unix_now',
  'timestamp',
  'current_time',
  'current_day',
  'day_number',
  'GetUserDefaultLangID',
  'GetUserDefaultLCID',
  'GetSystemDefaultLangID',
  'GetSystemDefaultLCID',
  'GetUserDefaultUILanguage',
  'GetSystemDefaultUILanguage',
  'GetUserDefaultLocaleName',
  'GetKeyboardLayout',
  'GetKeyboardLayoutList',
  'get_locale',
  'get_locales',
];
const EXEC_MEMORY_IDS = [
  'memfd_create',
  'SYS_memfd_create',
  'MemfdOptions',
  'mmap',
  'mmap64',
  'mmap_anonymous',
  'mprotect',
  'pkey_mprotect',
  'make_exec',
  'map_exec',
  'make_exec_no_flush',
  'region',
  'VirtualAlloc',
  'VirtualAllocEx',
  'VirtualProtect',
  'VirtualProtectEx',
  'NtAllocateVirtualMemory',
  'NtProtectVirtualMemory',
  'CreateRemoteThread',
  'NtCreateThreadEx',
  'QueueUserAPC',
  'transmute',
];
const CTOR_IDS = ['link_section', 'ctor', 'dtor', 'constructor', 'destructor', 'used'];
const CHANNEL_IDS = [
  'UdpSocket',
  'TcpStream',
  'send_to',
  'lettre',
  'SmtpTransport',
  'AsyncSmtpTransport',
  'SmtpClient',
];
const CLIPBOARD_IDS = [
  'arboard',
  'clipboard',
  'cli_clipboard',
  'copypasta',
  'copypasta_ext',
  'x11_clipboard',
  'clipboard_win',
  'wl_clipboard_rs',
  'terminal_clipboard',
  'clipboard_rs',
  'Clipboard',
  'ClipboardContext',
  'ClipboardProvider',
  'GetClipboardData',
  'SetClipboardData',
];
const INPUT_IDS = [
  'SetWindowsHookExW',
  'SetWindowsHookExA',
  'SetWindowsHookEx',
  'GetAsyncKeyState',
  'GetKeyboardState',
  'RegisterRawInputDevices',
  'XRecordEnableContext',
  'XQueryKeymap',
  'CGEventTapCreate',
  'rdev',
  'device_query',
  'DeviceState',
  'evdev',
  'inputbot',
];
const SCREEN_IDS = [
  'BitBlt',
  'CGDisplayCreateImage',
  'CGWindowListCreateImage',
  'XGetImage',
  'xcb_get_image',
  'screenshots',
  'xcap',
  'scrap',
  'captrs',
  'win_screenshot',
];
const DECODE_IDS = ['wrapping_sub', 'wrapping_add', 'rotate_left', 'rotate_right', 'rev'];

export function techniqueSignals(input: TechniqueInput): void {
  // Most files use none of these techniques: each family runs only when its names occur.
  const idx = indexFile(input.facts.tokens);
  if (idx.evasionStr || anyOf(idx.ids, EVASION_IDS)) evasionSignals(input, idx);
  if (anyOf(idx.ids, EXEC_MEMORY_IDS)) execMemorySignals(input);
  if (anyOf(idx.ids, CTOR_IDS)) staticCtorSignals(input);
  if (idx.channelStr || anyOf(idx.ids, CHANNEL_IDS) || input.signals.some((s) => s.detail === 'messenger'))
    channelSignals(input, idx);
  if (idx.clipStr || anyOf(idx.ids, CLIPBOARD_IDS) || input.commands.length > 0) clipboardSignals(input);
  if (idx.inputStr || anyOf(idx.ids, INPUT_IDS)) inputCaptureSignals(input);
  if (idx.screenStr || anyOf(idx.ids, SCREEN_IDS)) screenCaptureSignals(input);
  for (const i of idx.wallets)
    input.sig(
      'wallet-address',
      i,
      `${JSON.stringify(input.facts.tokens[i]!.text)} (a cryptocurrency address)`,
    );
  if (idx.xor || anyOf(idx.ids, DECODE_IDS)) decodeRoutineSignals(input);
}

// --- Anti-analysis gates -------------------------------------------------------------------------

const VM_STRINGS =
  /^(VBOX|VBoxService(\.exe)?|VBoxTray(\.exe)?|VirtualBox|VBoxVBoxVBox|VMware(, Inc\.)?|VMwareVMware|vmtoolsd(\.exe)?|QEMU|KVMKVMKVM|TCGTCGTCGTCG|Microsoft Hv|XenVMMXenVMM|innotek GmbH|Parallels|prl_hyperv|bhyve bhyve|BOCHS|Bochs)$/;
const VM_MACS =
  /^(08[:-]00[:-]27|00[:-]0C[:-]29|00[:-]50[:-]56|00[:-]05[:-]69|00[:-]1C[:-]14|00[:-]1C[:-]42)/i;
const DMI_PATH =
  /\/sys\/(class|devices\/virtual)\/dmi\/id\/?(product_name|sys_vendor|board_vendor|bios_vendor|product_version|chassis_vendor)?$/;
const SANDBOX_STRINGS =
  /^(SbieDll\.dll|cuckoomon\.dll|\\\\\.\\pipe\\cuckoo|\/tmp\/cuckoo.*|\\\\\.\\VBoxMiniRdrDN)$/i;
// Containers are where CI jobs and analysis sandboxes run; the malware that checks acts only outside.
const CONTAINER_MARKER = /^\/(\.dockerenv|run\/\.containerenv)$/;
const CONTAINER_RUNTIME = /^(docker|kubepods|containerd|lxc|podman)$/;
const SANDBOX_USERS =
  /^(sandbox|malware|maltest|virus|sample|cuckoo|john doe|currentuser|hapubws|sand box|analyst)$/i;
// Languages of the CIS, whose users some stealers spare (and checks for them are gates).
const LOCALE_LITERAL =
  /^(ru|ru[-_]RU|uk|uk[-_]UA|be|be[-_]BY|kk|kk[-_]KZ|hy[-_]AM|az[-_]AZ|ky[-_]KG|tg[-_]TJ|uz[-_]UZ)(\.UTF-8)?$/;
const LOCALE_CALLS =
  /^(GetUserDefaultLangID|GetUserDefaultLCID|GetSystemDefaultLangID|GetSystemDefaultLCID|GetUserDefaultUILanguage|GetSystemDefaultUILanguage|GetUserDefaultLocaleName|GetKeyboardLayout|GetKeyboardLayoutList|get_locale|get_locales)$/;
const HW_CALLS =
  /(^|::)(num_cpus::get|num_cpus::get_physical|available_parallelism|total_memory|physical_memory|mem_info|cpu_num|GlobalMemoryStatusEx|get_physical_memory)$|^(cpus|count_cpus)$/;
const NOW_CALLS =
  /(^|::)(SystemTime::now|Utc::now|Local::now|OffsetDateTime::now_utc|OffsetDateTime::now_local|Instant::now_utc|Timestamp::now)$/;
const DATE_CTORS =
  /^(from_ymd|from_ymd_opt|ymd|ymd_opt|with_ymd_and_hms|from_calendar_date|parse_from_rfc3339)$/;
const SLEEP_CALLS = /(^|::)(thread::sleep|time::sleep|task::sleep|sleep|Sleep)$/;
const CMP = new Set(['<', '<=', '>', '>=', '==', '!=']);
const TIME_HELPER =
  /^(today|now|now_\w+|\w+_now|days_since_epoch|epoch_days|unix_days|unix_time|unix_now|timestamp|current_time|current_day|day_number)$/;
/** Seconds or milliseconds since 1970 in 2014–2039, or a day count in that span. */
const isTimeConstant = (n: number, days: boolean): boolean =>
  (n >= 1.4e9 && n <= 2.2e9) || (n >= 1.4e12 && n <= 2.2e12) || (days && n >= 16_000 && n <= 25_500);

function evasionSignals({ facts, calls, signals, sig }: TechniqueInput, idx: FileIndex): void {
  const tokens = facts.tokens;
  const strs = idx.evasionStr ? tokens.filter((t) => t.kind === 'str') : [];
  const has = (re: RegExp) => strs.some((t) => re.test(t.text));
  // Reading one's own status for TracerPid is the check; a /proc parser reads it for any pid.
  const tracer = has(/TracerPid/) && has(/^\/proc\/self\/status$/);
  const hasFingerprint = signals.some((s) => s.kind === 'env-fingerprint' || s.kind === 'fingerprint');
  const hasLocaleLiteral =
    has(LOCALE_LITERAL) ||
    tokens.some(
      (t) => t.kind === 'int' && [0x419, 0x422, 0x423].includes(t.num ?? -1) && /^0x0?4/i.test(t.text),
    );
  for (let i = 0; idx.evasionStr && i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'str' || t.text.length > 80) continue;
    if (tracer && /TracerPid/.test(t.text))
      sig('evasion', i, `reads ${JSON.stringify(t.text)} (is a tracer attached?)`, 'tracer');
    else if (VM_STRINGS.test(t.text) || VM_MACS.test(t.text))
      sig('evasion', i, `compares with ${JSON.stringify(t.text)} (a virtual machine's name)`, 'vm');
    else if (DMI_PATH.test(t.text))
      sig('evasion', i, `reads ${JSON.stringify(t.text)} (hardware vendor)`, 'vm');
    else if (CONTAINER_MARKER.test(t.text) || (t.text === '/proc/1/cgroup' && has(CONTAINER_RUNTIME)))
      sig('evasion', i, `looks for ${JSON.stringify(t.text)} (running in a container?)`, 'container');
    else if (SANDBOX_STRINGS.test(t.text) || (hasFingerprint && SANDBOX_USERS.test(t.text)))
      sig('evasion', i, `looks for ${JSON.stringify(t.text)} (an analysis sandbox)`, 'sandbox');
    else if (
      /^(LANG|LC_ALL|LC_MESSAGES|LANGUAGE)$/.test(t.text) &&
      hasLocaleLiteral &&
      tokens[i - 2]?.text === 'var'
    )
      sig('evasion', i, `checks ${t.text} against a language list`, 'locale');
  }
  const names = new Set(EVASION_IDS);
  for (const c of calls) {
    if (c.kind !== 'call' && c.kind !== 'method') continue;
    const name = last(c.path);
    if (!names.has(name) && !names.has(c.path.split('::')[0]!)) continue;
    const argText = () => tokensText(tokens, c.open + 1, matching(tokens, c.open));
    if (name === 'ptrace' && /PTRACE_TRACEME|TRACEME/.test(argText()))
      sig('evasion', c.tok, 'ptrace(PTRACE_TRACEME)', 'debugger');
    else if (name === 'traceme' && /ptrace/.test(c.path))
      sig('evasion', c.tok, 'ptrace::traceme()', 'debugger');
    else if (/^(IsDebuggerPresent|CheckRemoteDebuggerPresent)$/.test(name))
      sig('evasion', c.tok, `${name}()`, 'debugger');
    else if (
      name === 'NtQueryInformationProcess' &&
      /ProcessDebug(Port|Flags|ObjectHandle)|\b(7|0x1f|0x1e|31|30)\b/.test(argText())
    )
      sig('evasion', c.tok, 'NtQueryInformationProcess(ProcessDebugPort)', 'debugger');
    else if (/^(__cpuid|__cpuid_count|_cpuid|cpuid)$/.test(name) && /0x4000000\d|1073741824/.test(argText()))
      sig('evasion', c.tok, `${name}(0x40000000) (hypervisor leaf)`, 'vm');
    else if (name === 'get_hypervisor_info') sig('evasion', c.tok, '.get_hypervisor_info()', 'vm');
    else if (LOCALE_CALLS.test(name) && (hasLocaleLiteral || /KeyboardLayoutList/.test(name)))
      sig('evasion', c.tok, `${name}() compared with a language list`, 'locale');
    else if (HW_CALLS.test(c.path) && gatedComparison(tokens, c, (n) => n <= 4 || n >= 1 << 20))
      sig('evasion', c.tok, `${c.raw}() under a threshold decides what runs`, 'hardware');
    else if (SLEEP_CALLS.test(c.path) && c.kind === 'call') {
      const secs = sleepSeconds(tokens, c);
      if (secs !== null && secs >= 300) sig('evasion', c.tok, `sleeps ${secs} s before going on`, 'sleep');
    }
  }
  // A date gate through a helper (`if clock::today() < 20_500 { return }`): a call named for the
  // current time compared with a number that is a timestamp or a day count since 1970.
  const clockFns = new Set<string>();
  for (const c of calls)
    if (c.kind === 'call' && NOW_CALLS.test(c.path) && tokens[c.tok]!.fn >= 0)
      clockFns.add(facts.functions[tokens[c.tok]!.fn]?.name ?? '');
  for (const c of calls) {
    if (c.kind !== 'call' || tokens[c.tok]!.fn < 0) continue;
    if (!TIME_HELPER.test(last(c.path)) && !clockFns.has(last(c.path))) continue;
    const close = matching(tokens, c.open);
    if (tokens[close - 1] !== tokens[c.open]) continue; // takes no arguments
    const op = tokens[close + 1];
    const n = tokens[close + 2];
    // A day count (20_500) only from a helper named for days: elsewhere it reads as a timeout in ms.
    const days = /day/i.test(last(c.path));
    if (op && CMP.has(op.text) && n?.kind === 'int' && isTimeConstant(n.num ?? -1, days))
      sig('evasion', c.tok, `${c.raw}() compared with ${n.text}`, 'date');
  }
  // A date gate: the current time compared with a fixed timestamp or calendar date.
  const nowFns = new Map<number, number>();
  if (!anyOf(idx.ids, ['now', 'now_utc', 'now_local'])) return;
  for (const c of calls)
    if (c.kind === 'call' && NOW_CALLS.test(c.path) && tokens[c.tok]!.fn >= 0)
      nowFns.set(tokens[c.tok]!.fn, c.tok);
  if (nowFns.size === 0) return;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const at = nowFns.get(t.fn);
    if (at === undefined) continue;
    const n = t.num ?? -1;
    const stamp = t.kind === 'int' && ((n >= 1.4e9 && n <= 2.2e9) || (n >= 1.4e12 && n <= 2.2e12));
    const near = (k: number) => CMP.has(tokens[k]?.text ?? '');
    if (stamp && (near(i - 1) || near(i + 1))) {
      sig('evasion', i, `the current time compared with ${t.text}`, 'date');
      nowFns.delete(t.fn);
    } else if (t.kind === 'id' && DATE_CTORS.test(t.text) && tokens[i + 1]?.text === '(') {
      const y = tokens[i + 2];
      const fnHasCmp = tokens.some((x) => x.fn === t.fn && x.kind === 'punct' && /^[<>]=?$/.test(x.text));
      if (y?.kind === 'int' && (y.num ?? 0) >= 2015 && (y.num ?? 0) <= 2045 && fnHasCmp) {
        sig('evasion', i, `the current time compared with ${t.text}(${y.text}, …)`, 'date');
        nowFns.delete(t.fn);
      }
    }
  }
}

/** `if CALL() < N`, or `let n = CALL(); … if n < N`, with N passing `ok`. */
function gatedComparison(tokens: Token[], c: Call, ok: (n: number) => boolean): boolean {
  const fn = tokens[c.tok]!.fn;
  const close = matching(tokens, c.open);
  const cmpThen = (k: number) =>
    CMP.has(tokens[k]?.text ?? '') && tokens[k + 1]?.kind === 'int' && ok(tokens[k + 1]!.num ?? -1);
  // Directly: `if num_cpus::get() < 2` (allowing `.as_u64()`-style suffixes).
  for (let k = close + 1; k < close + 8 && k < tokens.length; k++) {
    if (cmpThen(k)) return inIfCondition(tokens, c.tok);
    if (tokens[k]!.text === '{' || tokens[k]!.text === ';') break;
  }
  let b = c.tok - 1;
  while (b >= 0 && b > c.tok - 6 && tokens[b]!.text !== '=') b--;
  const name = tokens[b]?.text === '=' && tokens[b - 1]?.kind === 'id' ? tokens[b - 1]!.text : null;
  if (!name || !/^(let|mut)$/.test(tokens[b - 2]?.text ?? '')) return false;
  for (let k = close; k < tokens.length && k < close + 400 && tokens[k]!.fn === fn; k++) {
    if (tokens[k]!.text === name && tokens[k]!.kind === 'id' && cmpThen(k + 1) && inIfCondition(tokens, k))
      return true;
  }
  return false;
}

function inIfCondition(tokens: Token[], at: number): boolean {
  for (let k = at - 1; k >= 0 && k >= at - 20; k--) {
    const x = tokens[k]!;
    if (x.text === 'if' || x.text === 'while') return true;
    if (x.text === ';' || x.text === '{' || x.text === '}') return false;
  }
  return false;
}

/** Seconds a `sleep(Duration::from_secs(N))`-style call waits, products of literals included. */
function sleepSeconds(tokens: Token[], c: Call): number | null {
  const close = matching(tokens, c.open);
  for (let k = c.open + 1; k < close; k++) {
    const x = tokens[k]!;
    const unit = { from_secs: 1, from_millis: 1e-3, from_mins: 60, from_hours: 3600, secs: 1 }[x.text];
    if (x.kind !== 'id' || unit === undefined || tokens[k + 1]?.text !== '(') continue;
    const end = matching(tokens, k + 1);
    let v = 1;
    let any = false;
    for (let m = k + 2; m < end; m++) {
      const y = tokens[m]!;
      if (y.kind === 'int' && y.num !== undefined) {
        v *= y.num;
        any = true;
      } else if (y.text !== '*' && y.text !== '(' && y.text !== ')') return null;
    }
    return any ? Math.round(v * unit) : null;
  }
  // Win32 Sleep(ms) and libc::sleep(secs).
  const [first] = argRanges(tokens, c.open);
  const one = first && first[1] - first[0] === 1 ? tokens[first[0]] : undefined;
  if (one?.kind === 'int' && one.num !== undefined)
    return c.raw === 'Sleep' ? Math.round(one.num / 1000) : /libc::sleep$/.test(c.path) ? one.num : null;
  return null;
}

// --- Code run from memory ----------------------------------------------------------------------

function execMemorySignals({ facts, calls, signals, sig }: TechniqueInput): void {
  const tokens = facts.tokens;
  const fexec =
    calls.some(
      (c) => /^(fexecve|execveat)$/.test(last(c.path)) || (c.kind === 'ref' && /SYS_execveat$/.test(c.path)),
    ) || tokens.some((t) => t.kind === 'str' && /^\/proc\/self\/fd\/(\{\})?$/.test(t.text));
  let memAt = -1;
  for (const c of calls) {
    if (c.kind !== 'call' && c.kind !== 'method') continue;
    const name = last(c.path);
    const args = () => tokensText(tokens, c.open + 1, matching(tokens, c.open));
    if (
      name === 'memfd_create' ||
      (name === 'syscall' && /SYS_memfd_create/.test(args())) ||
      /MemfdOptions::new$/.test(c.path)
    ) {
      // Sealed memfds carry logs and shared memory; only executing one runs code from memory.
      if (!fexec) continue;
      sig('exec-memory', c.tok, 'memfd_create then fexecve/execveat', 'memfd');
      memAt = c.tok;
    } else if (/^(mmap|mmap64|mmap_anonymous)$/.test(name) && /PROT_EXEC/.test(args())) {
      sig('exec-memory', c.tok, `${name}(…PROT_EXEC…)`, 'mmap-exec');
      memAt = c.tok;
    } else if (/^(mprotect|pkey_mprotect)$/.test(name) && /PROT_EXEC/.test(args())) {
      sig('exec-memory', c.tok, `${name}(…PROT_EXEC…)`, 'mprotect-exec');
      memAt = c.tok;
    } else if (c.kind === 'method' && /^(make_exec|map_exec|make_exec_no_flush)$/.test(name)) {
      sig('exec-memory', c.tok, `.${name}()`, 'mmap-exec');
      memAt = c.tok;
    } else if (
      /^(protect|alloc|protect_with_handle)$/.test(name) &&
      /region/.test(c.path) &&
      /EXECUTE/.test(args())
    ) {
      sig('exec-memory', c.tok, `region::${name}(…EXECUTE…)`, 'mprotect-exec');
      memAt = c.tok;
    } else if (
      /^(VirtualAlloc|VirtualAllocEx|VirtualProtect|VirtualProtectEx|NtAllocateVirtualMemory|NtProtectVirtualMemory)$/.test(
        name,
      ) &&
      /PAGE_EXECUTE|\b(0x40|0x20|0x10|64|32)\b/.test(args())
    ) {
      sig('exec-memory', c.tok, `${name}(…PAGE_EXECUTE…)`, 'virtualalloc');
      memAt = c.tok;
    } else if (
      /^(CreateRemoteThread|NtCreateThreadEx|QueueUserAPC)$/.test(name) &&
      calls.some((x) => last(x.path) === 'WriteProcessMemory')
    ) {
      sig(
        'exec-memory',
        c.tok,
        `WriteProcessMemory + ${name} (code injected into another process)`,
        'virtualalloc',
      );
      memAt = c.tok;
    }
  }
  // A buffer's address turned into a function pointer and called.
  for (const c of calls) {
    if (c.kind !== 'call' || last(c.path) !== 'transmute') continue;
    const fnKw = (x: Token) => x.kind === 'kw' && x.text === 'fn';
    // The target type is a function: `transmute::<_, extern "C" fn()>(…)` or `let f: fn() = transmute(…)`.
    const [a] = statementRange(tokens, c.tok);
    const head = tokens.slice(a, c.tok);
    const eq = head.findIndex((x) => x.text === '=');
    const toFn =
      tokens.slice(c.tok, c.open).some(fnKw) ||
      (head[0]?.text === 'let' && eq > 0 && head.slice(0, eq).some(fnKw));
    if (!toFn) continue;
    const args = tokens.slice(c.open + 1, matching(tokens, c.open));
    // Loaders turn a looked-up symbol into a function pointer: that is linking, not a payload.
    const symbol = args.some(
      (x) =>
        x.kind === 'id' && /^(dlsym|GetProcAddress|get|symbol|sym|lookup|get_proc_address)$/.test(x.text),
    );
    const fromBuffer =
      !symbol &&
      (args.some((x) => x.kind === 'id' && /^(as_ptr|as_mut_ptr|as_ptr_range)$/.test(x.text)) ||
        (memAt >= 0 && tokens[memAt]!.fn === tokens[c.tok]!.fn) ||
        signals.some((s) => s.kind === 'embedded-executable'));
    if (fromBuffer)
      sig('exec-memory', c.tok, 'transmute of a buffer pointer to a function pointer', 'fn-transmute');
  }
}

// --- Static constructors -----------------------------------------------------------------------

const CTOR_SECTION =
  /^(\.init_array|\.preinit_array|\.ctors|\.fini_array|\.dtors)(\.\d+)?$|__mod_init_func|__mod_term_func/;
const CRT_SECTION = /^\.CRT\$X[CIL][A-Z]?$/;

function staticCtorSignals({ facts, sig }: TechniqueInput): void {
  const tokens = facts.tokens;
  for (let i = 0; i + 2 < tokens.length; i++) {
    if (tokens[i]!.text !== '#' || tokens[i + 1]!.text !== '[') continue;
    const close = matching(tokens, i + 1);
    let k = i + 2;
    if (tokens[k]?.text === 'unsafe' && tokens[k + 1]?.text === '(') k += 2;
    const head = tokens[k];
    if (head?.kind !== 'id') continue;
    const name =
      head.text === 'ctor' && tokens[k + 1]?.text === '::' ? (tokens[k + 2]?.text ?? '') : head.text;
    // `#[cfg_attr(target_os = "linux", link_section = ".init_array")]`: the same, on some targets.
    if (head.text === 'cfg_attr')
      for (let m = k + 1; m < close - 2; m++)
        if (
          tokens[m]!.text === 'link_section' &&
          tokens[m + 1]!.text === '=' &&
          tokens[m + 2]!.kind === 'str'
        ) {
          k = m;
          break;
        }
    const at = tokens[k]!;
    if (at.text === 'link_section' && tokens[k + 1]?.text === '=' && tokens[k + 2]?.kind === 'str') {
      const section = tokens[k + 2]!.text;
      const crt = CRT_SECTION.test(section);
      if (!crt && !CTOR_SECTION.test(section)) continue;
      const target = staticTarget(tokens, close + 1);
      sig(
        'static-ctor',
        i,
        `#[link_section = ${JSON.stringify(section)}] static${target ? ` runs \`${target}\`` : ''} before main`,
        crt ? 'crt-xcu' : 'init-array',
        target ?? undefined,
      );
    } else if (
      /^(ctor|dtor|constructor|destructor)$/.test(name) &&
      (tokens[k + 1]?.text === ']' || tokens[k + 3]?.text === ']' || tokens[k + 1]?.text === '(')
    ) {
      const target = itemFn(tokens, close + 1);
      sig(
        'static-ctor',
        i,
        `#[${name}]${target ? ` fn ${target}` : ' static'} runs ${/^d|^de/.test(name) ? 'at exit' : 'before main'}`,
        'ctor-attr',
        target ?? undefined,
      );
    } else if (head.text === 'used' && tokens[k + 1]?.text === ']' && !sectionedBefore(tokens, i)) {
      // `#[used]` alone keeps a static alive; it runs only if its type is a function pointer in a ctor section.
      const end = statementEnd(tokens, close + 1);
      const stmt = tokens.slice(close + 1, end);
      const sectioned = stmt.some((x) => x.text === 'link_section');
      if (
        !sectioned &&
        stmt.some((x) => x.kind === 'kw' && x.text === 'static') &&
        stmt.some((x) => x.kind === 'kw' && x.text === 'fn')
      ) {
        const target = staticTarget(tokens, close + 1);
        sig(
          'static-ctor',
          i,
          `#[used] static holding a function pointer${target ? ` (\`${target}\`)` : ''}`,
          'used-static',
          target ?? undefined,
        );
      }
    }
  }
}

/** After attributes: `static NAME: T = value;` → the function the value names. */
function staticTarget(tokens: Token[], from: number): string | null {
  let k = skipAttributes(tokens, from);
  const end = statementEnd(tokens, k);
  while (k < end && tokens[k]!.text !== '=') k++;
  if (tokens[k]?.text !== '=') return null;
  for (let m = k + 1; m < end; m++) {
    const x = tokens[m]!;
    // `{ extern "C" fn init() { … } init }` or `[init, other]` or `init`
    if (x.kind === 'kw' && x.text === 'fn' && tokens[m + 1]?.kind === 'id') return tokens[m + 1]!.text;
    if (
      x.kind === 'id' &&
      tokens[m + 1]?.text !== '::' &&
      tokens[m + 1]?.text !== '(' &&
      !/^(extern|unsafe)$/.test(x.text)
    )
      return x.text;
  }
  return null;
}

function itemFn(tokens: Token[], from: number): string | null {
  const k = skipAttributes(tokens, from);
  for (let m = k; m < tokens.length && m < k + 12; m++) {
    if (tokens[m]!.text === 'fn' && tokens[m + 1]?.kind === 'id') return tokens[m + 1]!.text;
    if (tokens[m]!.text === 'static' || tokens[m]!.text === '{' || tokens[m]!.text === ';') return null;
  }
  return null;
}

/** Whether an attribute just before the one at `at` is a `link_section` (already reported). */
function sectionedBefore(tokens: Token[], at: number): boolean {
  for (let k = at - 1; k >= 0 && k >= at - 40; k--) {
    const x = tokens[k]!;
    if (x.text === 'link_section') return true;
    if (x.text === ';' || x.text === '{' || x.text === '}' || x.kind === 'kw') return false;
  }
  return false;
}

function skipAttributes(tokens: Token[], k: number): number {
  while (tokens[k]?.text === '#' && tokens[k + 1]?.text === '[') k = matching(tokens, k + 1) + 1;
  return k;
}

/** Index of the `;` ending the item or statement starting at `k` (brackets skipped). */
function statementEnd(tokens: Token[], k: number): number {
  for (let m = k; m < tokens.length && m < k + 2000; m++) {
    const x = tokens[m]!.text;
    if (x === ';') return m;
    if (x === '(' || x === '[' || x === '{') m = matching(tokens, m);
  }
  return Math.min(tokens.length, k + 2000);
}

function statementRange(tokens: Token[], at: number): [number, number] {
  let a = at;
  while (a > 0 && a > at - 60 && !/^[;{}]$/.test(tokens[a - 1]!.text)) a--;
  let b = at;
  while (b < tokens.length && b < at + 60 && tokens[b]!.text !== ';') b++;
  return [a, b];
}

// --- Channels that are not an HTTP client ------------------------------------------------------

const SMTP_TEXT = /^(HELO|EHLO) \S|^MAIL FROM:|^RCPT TO:|^AUTH (LOGIN|PLAIN)\b/i;
const TELEGRAM_METHOD = /\/bot[^/\s]*\/send(Message|Document|Photo|Video|Audio)\b|^send(Message|Document)$/;
const JSON_RPC_METHOD =
  /^(eth_sendRawTransaction|eth_sendTransaction|eth_call|eth_getBalance|eth_sign\w*|personal_sign|sendTransaction|getBalance)$/;
const POST_CALLS = /(^|::)(post|post_form|send_form|send_json|multipart|upload)$/;

function channelSignals({ facts, calls, signals, sig }: TechniqueInput, idx: FileIndex): void {
  const tokens = facts.tokens;
  const udp = idx.ids.has('UdpSocket');
  const sockets = udp || idx.ids.has('TcpStream') || idx.ids.has('send_to');
  const tcp = calls.find((c) => c.kind === 'call' && /TcpStream::connect(_timeout)?$/.test(c.path));
  const smtpDone = new Set<number>();
  for (let i = 0; idx.channelStr && i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'str') continue;
    if (SMTP_TEXT.test(t.text) && !smtpDone.has(t.fn)) {
      smtpDone.add(t.fn);
      sig('channel', i, `SMTP dialogue ${JSON.stringify(t.text.slice(0, 30))}`, 'smtp');
    }
    if (t.text === 'jsonrpc' && tokens[i + 1]?.text === ':' && tokens[i + 2]?.text === '2.0')
      sig('channel', i, 'JSON-RPC 2.0 request body', 'json-rpc');
    else if (/"jsonrpc"\s*:\s*"2\.0"/.test(t.text))
      sig('channel', i, 'JSON-RPC 2.0 request body', 'json-rpc');
    else if (JSON_RPC_METHOD.test(t.text) && /^eth_|^personal_/.test(t.text))
      sig('channel', i, `JSON-RPC method ${t.text}`, 'json-rpc');
    if (udp && /:53$/.test(t.text) && t.text.length <= 60)
      sig('channel', i, `UDP to ${t.text} (DNS, by hand)`, 'dns-raw');
  }
  if (anyOf(idx.ids, ['lettre', 'SmtpTransport', 'AsyncSmtpTransport', 'SmtpClient'])) {
    const c =
      calls.find((x) => /^lettre::|SmtpTransport/.test(x.path)) ??
      calls.find((x) => /SmtpTransport|SmtpClient/.test(x.raw));
    if (c) sig('channel', c.tok, `${c.raw} (mail over SMTP)`, 'smtp');
  }
  for (const c of calls) {
    if (c.kind !== 'method') continue;
    if (c.path === 'send_to' && udp) {
      const text = tokensText(tokens, c.open + 1, matching(tokens, c.open));
      const dns = /[,(]53\)?$|:53"?\)?$|\b53\b/.test(text);
      sig(
        'channel',
        c.tok,
        dns ? 'UdpSocket::send_to(…, 53) (a DNS query by hand)' : 'UdpSocket::send_to',
        dns ? 'dns-raw' : 'udp',
      );
    }
  }
  // A hand-built DNS packet: a query header (flags 0x0100, one question) or TXT/IN question trailer.
  for (const arr of sockets ? byteArrays(tokens) : []) {
    const v = arr.values;
    const header =
      v.length >= 12 &&
      v[2] === 0x01 &&
      v[3] === 0x00 &&
      v[4] === 0x00 &&
      v[5] === 0x01 &&
      v.slice(6, 12).every((x) => x === 0);
    const trailer =
      v.length === 4 &&
      v[0] === 0 &&
      (v[1] === 0x10 || v[1] === 0x05 || v[1] === 0x1c) &&
      v[2] === 0 &&
      v[3] === 1;
    if (header || trailer)
      sig(
        'channel',
        arr.tok,
        header ? 'DNS query header written by hand' : 'DNS question type/class bytes',
        'dns-raw',
      );
  }
  // Label encoding: a name split on dots with each label's length written as a byte.
  const splitsDots = new Set<number>();
  for (let i = 0; sockets && idx.ids.has('split') && i + 3 < tokens.length; i++) {
    const t = tokens[i]!;
    if (
      t.text === 'split' &&
      tokens[i + 1]?.text === '(' &&
      tokens[i + 2]?.text === '.' &&
      tokens[i + 3]?.text === ')'
    )
      splitsDots.add(t.fn);
    if (
      t.text === 'len' &&
      tokens[i + 3]?.text === 'as' &&
      tokens[i + 4]?.text === 'u8' &&
      splitsDots.has(t.fn) &&
      t.fn >= 0
    ) {
      sig('channel', i, 'DNS labels encoded by hand (length byte per label)', 'dns-raw');
      splitsDots.delete(t.fn);
    }
  }
  // Raw TCP writes that are not HTTP.
  if (tcp && !signals.some((s) => s.kind === 'raw-http')) {
    const fn = tokens[tcp.tok]!.fn;
    const writes = calls.some(
      (c) => c.kind === 'method' && /^(write_all|write)$/.test(c.path) && tokens[c.tok]!.fn === fn,
    );
    if (writes) sig('channel', tcp.tok, `${tcp.raw} then writes to the socket (not HTTP)`, 'raw-tcp');
  }
  // Posting to a messenger: the call that sends, in a file naming a bot API or webhook.
  const messenger = signals.find((s) => s.kind === 'endpoint' && s.detail === 'messenger');
  const method = idx.channelStr
    ? tokens.findIndex((t) => t.kind === 'str' && TELEGRAM_METHOD.test(t.text))
    : -1;
  const telegram =
    method >= 0 &&
    (messenger !== undefined || tokens.some((t) => t.kind === 'str' && /telegram/i.test(t.text)));
  if (!messenger && !telegram) return;
  const what = messenger ? messenger.evidence : tokens[method]!.text;
  const posts = calls.filter((c) => (c.kind === 'method' || c.kind === 'call') && POST_CALLS.test(c.path));
  const near = posts.find((c) => messenger && tokens[c.tok]!.fn === messenger.fn) ?? posts[0];
  if (near) sig('channel', near.tok, `posts to a messenger API (${what})`, 'webhook');
  else {
    const net = signals.find((s) => s.kind === 'network');
    const netTok = net ? tokens.findIndex((t) => t.line === net.line) : -1;
    if (netTok >= 0) sig('channel', netTok, `sends to a messenger API (${what})`, 'webhook');
  }
}

// --- Clipboard and input devices ---------------------------------------------------------------

const CLIPBOARD_CRATES =
  /^(arboard|clipboard|cli_clipboard|copypasta|copypasta_ext|x11_clipboard|clipboard_win|wl_clipboard_rs|terminal_clipboard|clipboard_rs)(::|$)/;
const CLIPBOARD_READ = /^(get_text|get_contents|get_string|get_image|load|read_text|get_clipboard_string)$/;
const CLIPBOARD_WRITE = /^(set_text|set_contents|set_image|store|set_clipboard_string)$/;

function clipboardSignals({ facts, calls, commands, sig }: TechniqueInput): void {
  const tokens = facts.tokens;
  const crateUsed =
    [...facts.uses.values()].some((p) => CLIPBOARD_CRATES.test(p)) ||
    calls.some((c) => CLIPBOARD_CRATES.test(c.path) && c.path.includes('::'));
  let any = false;
  if (crateUsed) {
    for (const c of calls) {
      // Methods on a clipboard handle, or the crate's free functions (`cli_clipboard::get_contents()`).
      const name = c.kind === 'method' ? c.path : CLIPBOARD_CRATES.test(c.path) ? last(c.path) : null;
      if (name === null) continue;
      if (CLIPBOARD_READ.test(name)) {
        sig('clipboard', c.tok, `reads the clipboard (.${name}())`, 'read');
        any = true;
      } else if (CLIPBOARD_WRITE.test(name)) {
        sig('clipboard', c.tok, `writes the clipboard (.${name}())`, 'write');
        any = true;
      }
    }
    if (!any) {
      const c = calls.find((x) => CLIPBOARD_CRATES.test(x.path));
      if (c) sig('clipboard', c.tok, `uses ${c.path.split('::')[0]}`, 'use');
    }
  }
  for (const c of calls) {
    if (c.kind !== 'call') continue;
    const name = last(c.path);
    if (name === 'GetClipboardData') sig('clipboard', c.tok, 'GetClipboardData()', 'read');
    else if (name === 'SetClipboardData') sig('clipboard', c.tok, 'SetClipboardData()', 'write');
  }
  for (const cmd of commands) {
    const base = (cmd.program ?? '').split(/[/\\]/).pop() ?? '';
    const a = cmd.args.join(' ');
    if (
      /^(pbpaste|wl-paste)$/.test(base) ||
      (/^(xclip|xsel)$/.test(base) && /(^|\s)(-o|-out|--output)\b/.test(a)) ||
      /Get-Clipboard/i.test(a)
    )
      sig('clipboard', cmd.tok, `runs ${base} ${a}`.trim(), 'read');
  }
  for (const cmd of commands) {
    const base = (cmd.program ?? '').split(/[/\\]/).pop() ?? '';
    const a = cmd.args.join(' ');
    if (
      /^(pbcopy|wl-copy|clip(\.exe)?)$/.test(base) ||
      (/^(xclip|xsel)$/.test(base) && !/(^|\s)(-o|-out|--output)\b/.test(a)) ||
      /Set-Clipboard/i.test(a)
    )
      sig('clipboard', cmd.tok, `runs ${base} ${a}`.trim(), 'write');
  }
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'str' || commands.some((c) => c.tok <= i && i < c.tok + 40)) continue;
    if (/Get-Clipboard|\bpbpaste\b|\bwl-paste\b/.test(t.text))
      sig('clipboard', i, `${JSON.stringify(t.text.slice(0, 40))} (reads the clipboard)`, 'read');
    else if (/Set-Clipboard|^(pbcopy|wl-copy)$/.test(t.text))
      sig('clipboard', i, `${JSON.stringify(t.text.slice(0, 40))} (writes the clipboard)`, 'write');
  }
}

const INPUT_CALLS =
  /^(SetWindowsHookExW|SetWindowsHookExA|SetWindowsHookEx|GetAsyncKeyState|GetKeyboardState|RegisterRawInputDevices|XRecordEnableContext|XQueryKeymap|CGEventTapCreate)$/;

function inputCaptureSignals({ facts, calls, sig }: TechniqueInput): void {
  const tokens = facts.tokens;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'str' && /^\/dev\/input(\/|$)/.test(t.text))
      sig('input-capture', i, `opens ${JSON.stringify(t.text)}`, 'evdev');
  }
  const rdev = [...facts.uses.values()].some((p) => /^(rdev|device_query|inputbot|evdev)(::|$)/.test(p));
  for (const c of calls) {
    if (c.kind !== 'call' && c.kind !== 'method') continue;
    const name = last(c.path);
    if (INPUT_CALLS.test(name)) {
      if (
        /^SetWindowsHookEx/.test(name) &&
        !/WH_(KEYBOARD|MOUSE)(_LL)?|\b(13|14|2)\b/.test(
          tokensText(tokens, c.open + 1, matching(tokens, c.open)),
        )
      )
        continue;
      sig('input-capture', c.tok, `${name}()`, 'hook');
    } else if (
      /^rdev::(listen|grab)$/.test(c.path) ||
      (rdev && c.kind === 'call' && /^(listen|grab)$/.test(c.raw))
    )
      sig('input-capture', c.tok, `rdev::${name} (global keyboard/mouse events)`, 'hook');
    else if (
      /(^|::)DeviceState::new$/.test(c.path) ||
      (rdev && c.kind === 'method' && /^(get_keys|query_keymap)$/.test(name))
    )
      sig('input-capture', c.tok, `${c.raw} (polls the keyboard)`, 'poll');
    else if (/^evdev::(Device::open|enumerate)$/.test(c.path)) sig('input-capture', c.tok, c.raw, 'evdev');
  }
}

// --- Screen capture -----------------------------------------------------------------------------

/** Programs that save a screenshot, by name (as a command or a string a command is built from). */
const SCREEN_TOOL =
  /^(screencapture|scrot|grim|gnome-screenshot|spectacle|maim|xwd|flameshot|shutter)(\.exe)?$/;
const SCREEN_STR =
  /^(screencapture|scrot|grim|gnome-screenshot|spectacle|maim|xwd|flameshot|shutter)$|^-window$|CopyFromScreen|\bscreencapture -/;
const SCREEN_CRATES = /^(screenshots|xcap|scrap|captrs|win_screenshot)(::|$)/;
const SCREEN_CRATE_CALLS =
  /^(capture|capture_image|capture_area|capture_frame|frame|capture_window|capture_display)$/;
const SCREEN_APIS = /^(CGDisplayCreateImage|CGWindowListCreateImage|XGetImage|xcb_get_image)$/;
/** The whole desktop as a blit source: `GetDC(null)`, `GetWindowDC(GetDesktopWindow())`. */
const DESKTOP_DC =
  /^\(\s*(0|None|null\w*|(std\s*::\s*)?ptr\s*::\s*null(_mut)?\s*\(\s*\)|HWND\s*\(\s*0\s*\)|HWND\s*::\s*default\s*\(\s*\)|GetDesktopWindow\s*\(\s*\))\s*\)$/;

function screenCaptureSignals({ facts, calls, commands, sig }: TechniqueInput): void {
  const tokens = facts.tokens;
  // A tool's name is a capture only where the file runs programs: `xwd` is also a file
  // extension in a MIME table.
  const runs = commands.length > 0;
  const strs = tokens.filter((t) => t.kind === 'str');
  // ImageMagick's `import -window root` grabs the whole screen; `import` alone is a common word.
  const importRoot =
    strs.some((t) => t.text === 'import') &&
    strs.some((t) => t.text === '-window') &&
    strs.some((t) => t.text === 'root');
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'str') continue;
    if (runs && (SCREEN_TOOL.test(t.text) || (importRoot && t.text === 'import')))
      sig('screen-capture', i, `runs ${JSON.stringify(t.text)} (saves a screenshot)`, 'tool');
    else if (/CopyFromScreen|\bscreencapture -/.test(t.text) && t.text.length <= 400)
      sig('screen-capture', i, `${JSON.stringify(t.text.slice(0, 60))} (captures the screen)`, 'tool');
  }
  const crateUsed =
    [...facts.uses.values()].some((p) => SCREEN_CRATES.test(p)) ||
    calls.some((c) => SCREEN_CRATES.test(c.path) && c.path.includes('::'));
  const desktop = calls.some(
    (c) =>
      c.kind === 'call' &&
      (last(c.path) === 'GetDesktopWindow' ||
        (/^(GetDC|GetWindowDC)$/.test(last(c.path)) &&
          DESKTOP_DC.test(tokensText(tokens, c.open, matching(tokens, c.open) + 1).trim()))),
  );
  for (const c of calls) {
    if (c.kind !== 'call' && c.kind !== 'method') continue;
    const name = last(c.path);
    if (SCREEN_APIS.test(name)) sig('screen-capture', c.tok, `${name}() (reads the screen's pixels)`, 'api');
    else if (name === 'BitBlt' && desktop)
      sig('screen-capture', c.tok, 'BitBlt() from the desktop DC', 'api');
    else if (crateUsed && c.kind === 'method' && SCREEN_CRATE_CALLS.test(name))
      sig('screen-capture', c.tok, `.${name}() of a screen capture crate`, 'crate');
  }
}

// --- Hand-written decoding loops ---------------------------------------------------------------

function decodeRoutineSignals({ facts, sig }: TechniqueInput): void {
  const tokens = facts.tokens;
  type Fn = {
    first: number;
    xor: number;
    keyIndex: boolean;
    swap: number;
    n256: boolean;
    arith: number;
    rev: number;
    text: boolean;
    loop: boolean;
  };
  const fns = new Map<number, Fn>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.fn < 0) continue;
    let f = fns.get(t.fn);
    if (!f) {
      f = {
        first: i,
        xor: -1,
        keyIndex: false,
        swap: -1,
        n256: false,
        arith: -1,
        rev: -1,
        text: false,
        loop: false,
      };
      fns.set(t.fn, f);
    }
    const x = t.text;
    if (t.kind === 'punct' && (x === '^' || x === '^=') && f.xor < 0) f.xor = i;
    else if (t.kind === 'punct' && x === '%' && tokens[i + 1]?.kind === 'id' && tokens[i + 3]?.text === 'len')
      f.keyIndex = true;
    else if (t.kind === 'int' && t.num === 256) f.n256 = true;
    else if (t.kind === 'id') {
      if (x === 'swap' && tokens[i - 1]?.text === '.' && f.swap < 0) f.swap = i;
      else if (
        /^(wrapping_sub|wrapping_add|rotate_left|rotate_right)$/.test(x) &&
        tokens[i + 2]?.kind === 'int' &&
        f.arith < 0
      )
        f.arith = i;
      else if (x === 'rev' && tokens[i - 1]?.text === '.' && f.rev < 0) f.rev = i;
      else if (
        /^(from_utf8|from_utf8_lossy|from_utf8_unchecked)$/.test(x) ||
        (x === 'char' && tokens[i - 1]?.text === 'as')
      )
        f.text = true;
      else if (x === 'map' || x === 'for_each' || x === 'iter_mut') f.loop = true;
    } else if (t.kind === 'kw' && (x === 'for' || x === 'while' || x === 'loop')) f.loop = true;
  }
  for (const f of fns.values()) {
    if (!f.loop) continue;
    if (f.swap >= 0 && f.n256 && f.xor >= 0)
      sig('decode-routine', f.swap, 'RC4-like key schedule (256-byte state, swaps) with XOR', 'rc4');
    else if (f.xor >= 0 && (f.keyIndex || f.text))
      sig(
        'decode-routine',
        f.xor,
        f.keyIndex ? 'XOR with a repeating key over bytes' : 'XOR over bytes, read back as text',
        'xor',
      );
    else if (f.arith >= 0 && f.text)
      sig('decode-routine', f.arith, `${tokens[f.arith]!.text} per byte, read back as text`, 'arith');
    else if (
      f.rev >= 0 &&
      f.text &&
      tokens.slice(f.rev - 6, f.rev).some((t) => t.text === 'bytes' || t.text === 'iter')
    )
      sig('decode-routine', f.rev, 'bytes reversed and read back as text', 'reverse');
  }
}

function tokensText(tokens: Token[], a: number, b: number): string {
  let s = '';
  for (let k = a; k < b && k < a + 200; k++) s += `${tokens[k]!.text} `;
  return s;
}
