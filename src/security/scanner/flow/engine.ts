// The capability analysis: which sources reach which sinks, through locals, struct fields and
// the crate's own calls, and what makes the code on that path run. Works on the per-function
// facts (fn-facts.ts) and located signals (roles.ts) of all files of one crate; bounded in rounds,
// candidates per call and nodes per crate so that a huge crate costs a linear pass, not a blow-up.
import type { Signal } from '../code-signals.js';
import type { FileContext } from '../types.js';
import type { FileFlowFacts, FnFlowFacts, Stmt } from './fn-facts.js';
import { CLIENT_CONSTRUCTOR, isStealable, roleOf, TAMPER_KINDS } from './roles.js';
import type { Role, SinkClass, SourceClass } from './roles.js';

export interface FlowFile {
  path: string;
  ctx: FileContext;
  signals: Signal[];
  flow: FileFlowFacts;
  /** Behind a private `mod`: its `pub fn`s run only when the crate's own code calls them. */
  privateModule?: boolean;
}

export type FlowKind = 'exfiltration' | 'download-exec' | 'decoded-exec' | 'persistence' | 'tamper';

/** How a path comes to run. */
export type TriggerClass = 'auto' | 'api' | 'user' | 'explicit' | 'none';

export interface Trigger {
  cls: TriggerClass;
  /** `build script main`, `impl Drop for Conn`, `pub fn Logger::init`, … */
  what: string;
  /** Functions from the trigger's root to the function where the flow happens. */
  path: string[];
  /**
   * An explicit trigger earned by the root's name alone (a documented `install`, `send`): the
   * name, and whether its doc says it sends something, writes a startup or tool entry, or
   * fetches and installs something. Flow rules keep such a trigger explicit only for the acts
   * the name or doc speaks of.
   */
  named?: { fn: string; sends: boolean; entry: boolean; fetches: boolean };
}

export interface Located {
  sig: Signal;
  file: FlowFile;
  fnName: string;
}

export interface Flow {
  kind: FlowKind;
  source: (Located & { cls: SourceClass }) | null;
  sink: Located & { cls: SinkClass };
  /** Functions the source value passed through before the meeting function (innermost first). */
  sourcePath: string[];
  /** The function where source and sink meet, then the calls down to the sink. */
  sinkPath: string[];
  /** A value was followed from source to sink; false: both sit in one function only. */
  dataflow: boolean;
  trigger: Trigger;
  guards: Located[];
  /** A signature or digest check sits on the path. */
  verified: boolean;
}

/** Nodes (functions) analysed per crate; beyond it the rest of the crate is not followed. */
export const MAX_NODES = 30_000;
const MAX_CANDIDATES = 4;
const MAX_ROUNDS = 4;
const MAX_TRIGGER_DEPTH = 5;
/** Labels a value carries, and functions a label's path may pass through. */
const MAX_LABELS = 8;
const MAX_PATH = 4;
const MAX_FLOWS = 200;

type Group = 'build' | 'macro' | 'runtime';
const groupOfCtx = (ctx: FileContext): Group | null =>
  ctx === 'build-script'
    ? 'build'
    : ctx === 'proc-macro'
      ? 'macro'
      : ctx === 'library' || ctx === 'binary' || ctx === 'other'
        ? 'runtime'
        : null;

interface Node {
  id: number;
  file: FlowFile;
  fileIdx: number;
  fn: FnFlowFacts | null;
  label: string;
  group: Group;
  stmts: Stmt[];
  signals: { sig: Signal; role: Role }[];
  /** Resolved callees, per statement, per call. */
  callees: number[][][];
  /** Functions named as values (`thread::spawn(buffer::warm_up)`): they run too. */
  refs: number[];
  /** The names those functions are referred to by here. */
  refNames: Set<string>;
}

type Taint = Map<string, string[]>; // label ('s3', 'p0') → functions it came through

const FIRST_CALL =
  /^(new|init|try_init|init_logger|setup|setup_logger|connect|builder|default|open|start|from_env|with_config|configure|instance|get_instance)$/;
const AUTO_TRAITS = new Set([
  'Display',
  'Debug',
  'From',
  'TryFrom',
  'Into',
  'Deref',
  'DerefMut',
  'AsRef',
  'FromStr',
  'Iterator',
  'Clone',
  'Hash',
  'PartialEq',
  'Future',
  'Log',
  'Layer',
  'Subscriber',
  'Serialize',
  'Deserialize',
  'Write',
  'Read',
  // Also run by ordinary use, never called by name: operators, comparisons, conversions,
  // iteration, serde visitors, async I/O and tracing writers.
  'Visitor',
  'Eq',
  'Ord',
  'PartialOrd',
  'Borrow',
  'AsMut',
  'Index',
  'IndexMut',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'AddAssign',
  'SubAssign',
  'Neg',
  'Not',
  'IntoIterator',
  'FromIterator',
  'Extend',
  'Error',
  'Stream',
  'AsyncRead',
  'AsyncWrite',
  'BufRead',
  'Seek',
  'MakeWriter',
]);
/** Parameters that are key material; the group is the stem a function named for it mentions. */
const KEY_PARAM =
  /^_?(seed|mnemonic|seed_phrase|phrase|private_key|privkey|priv_key|secret_key|signing_key|keypair|sk|wif)$/;
/** Calls that write into a buffer argument. */
const FILLS =
  /^(read_to_end|read_to_string|read_exact|read_buf|copy|copy_buf|decode_to_slice|decode_vec|recv|recv_from|read_line)$/;
/** Calls that take data out of a connection (or a reader over one). */
const CONN_READ =
  /^(read|read_exact|read_to_end|read_to_string|read_line|read_until|read_buf|recv|recv_from|peek|peek_from|lines|bytes|incoming|accept|next_line|read_message|receive)$/;
/** A process builder bound to a local: what later statements give it, it runs. */
const EXEC_BUILDER = /^(std::)?(process::)?Command::new|^Command::new/;
/** Network calls that give a connection or a client (what is handed to it later is sent). */
const CONNECTION = /(connect\w*|bind|new|builder|Client|Agent|Easy2?|handshake)(\(\))?$/;
/** Pure functions of data: what they are given is no business of the network. */
const CODEC_FN =
  /^(encode|decode|hex|to_hex|from_hex|encode_\w+|decode_\w+|\w+_encode|\w+_decode|hash|digest|hash_\w+|checksum|encrypt|decrypt|compress|decompress|from_seed|from_mnemonic|from_phrase|from_secret_key|from_private_key|from_wif|to_wif|derive_\w+|keypair_from_\w+)$/;
/** Names of operations a caller asks for by name (with docs saying so, they weigh least). */
const EXPLICIT_ACTION =
  /^(upload|send|report|submit|publish|push|sync|install|uninstall|update|upgrade|self_update|daemonize|detach|download|fetch|export|backup|register|enable|notify|share|telemetry|(upload|send|report|submit|install|update|fetch|download|export|sync|publish)_\w+|\w+_completions?|self_\w+|\w+_telemetry|set_(launch|start|run)_\w+|(enable|disable|set)_auto_?start\w*|\w+_(at|on)_(login|startup|boot)|register_startup)$/;

/**
 * A doc comment that says the function does it: an action and the system object it acts on
 * (`Writes the unit and enables it with systemctl`, `Turns start-at-login on`). "Writes the
 * config" alone discloses nothing about an rc file written on the side.
 */
const DISCLOSED_VERB =
  /\b(writes|installs|registers|creates|adds|sets|toggles|schedules|enables|disables|activates|deactivates|loads|unloads|removes|deletes|uninstalls|sends|posts|uploads|notifies|turns\b[^.]{0,40}\b(on|off))\b/i;
const DISCLOSED_OBJECT =
  /launch ?agents?|launchctl|plist|systemd|systemctl|\bunit\b|\bservices?\b|daemon|auto[- ]?start|auto[- ]?launch|start[- ]at[- ]login|\b(at|on)[- ](login|logon|boot|startup)\b|login items?|startup|desktop entry|run key|\bHKCU\b|\bregistry\b|cron|scheduled task|schtasks|\btimer\b|completions?|webhook|notification|\bchannel\b|\bchat\b|crash report|\bpanic/i;
const disclosed = (doc: string) => DISCLOSED_VERB.test(doc) && DISCLOSED_OBJECT.test(doc);
/** A doc saying the function sends something (`Uploads the report`, `Posts to the webhook`). */
const SEND_VERB = /\b(sends|posts|uploads|reports|submits|publishes|notifies|transmits|forwards|shares)\b/i;
/** A doc saying the function fetches and installs something (`Downloads and applies the update`). */
const FETCH_VERB = /\b(downloads|fetches|installs|updates|upgrades)\b/i;
/** The startup and tool entries of DISCLOSED_OBJECT (a panic hook or a webhook is none). */
const ENTRY_OBJECT =
  /launch ?agents?|launchctl|plist|systemd|systemctl|\bunit\b|\bservices?\b|daemon|auto[- ]?start|auto[- ]?launch|start[- ]at[- ]login|\b(at|on)[- ](login|logon|boot|startup)\b|login items?|startup|desktop entry|run key|\bHKCU\b|\bregistry\b|cron|scheduled task|schtasks|\btimer\b|completions?|\bhooks?\b|cargo config/i;

export interface FlowAnalysis {
  flows: Flow[];
  /** The trigger of each function, by file path and function name (for tests and evidence). */
  triggerOf(path: string, fnName: string): Trigger | undefined;
}

export function analyzeFlows(files: FlowFile[]): FlowAnalysis {
  const nodes = buildNodes(files);
  resolveCalls(nodes);
  const triggers = computeTriggers(nodes);
  const flows = followData(nodes, triggers);
  return {
    flows,
    triggerOf: (path, fnName) => {
      const n = nodes.find((x) => x.file.path === path && x.fn?.name === fnName);
      return n ? triggers[n.id] : undefined;
    },
  };
}

function buildNodes(files: FlowFile[]): Node[] {
  const nodes: Node[] = [];
  files.forEach((file, fileIdx) => {
    const group = groupOfCtx(file.ctx);
    if (!group) return;
    const byFn = new Map<number, { sig: Signal; role: Role }[]>();
    for (const sig of file.signals) {
      if (sig.test) continue;
      const role = roleOf(sig);
      if (!role) continue;
      const list = byFn.get(sig.fn) ?? [];
      list.push({ sig, role });
      byFn.set(sig.fn, list);
    }
    const add = (fn: FnFlowFacts | null, idx: number) => {
      if (nodes.length >= MAX_NODES) return;
      nodes.push({
        id: nodes.length,
        file,
        fileIdx,
        fn,
        label: fn ? (fn.implType ? `${fn.implType}::${fn.name}` : fn.name) : `(statics of ${file.path})`,
        group,
        stmts: fn ? fn.stmts : file.flow.scope,
        signals: byFn.get(idx) ?? [],
        callees: [],
        refs: [],
        refNames: new Set(),
      });
    };
    add(null, -1);
    file.flow.fns.forEach((fn, idx) => add(fn, idx));
  });
  return nodes;
}

function resolveCalls(nodes: Node[]): void {
  // Indexed once: generated crates define `new` or `serialize` thousands of times.
  const index = new Map<string, Node[]>();
  const add = (key: string, n: Node) => {
    const list = index.get(key);
    if (list) list.push(n);
    else index.set(key, [n]);
  };
  for (const n of nodes) {
    const fn = n.fn;
    if (!fn) continue;
    if (fn.implType) add(`t:${n.group}:${fn.implType}:${fn.name}`, n);
    if (fn.hasSelf) add(`m:${n.group}:${fn.name}`, n);
    else if (!fn.implType) add(`f:${n.group}:${fn.name}`, n);
  }
  const none: Node[] = [];
  const get = (key: string) => index.get(key) ?? none;
  const noCalls: number[][] = [];
  const noCallees: number[] = [];
  for (const n of nodes) {
    const own = n.fn?.implType ?? null;
    n.callees = n.stmts.map((st) =>
      st.calls.length === 0
        ? noCalls
        : st.calls.map((c) => {
            let cands: Node[];
            if (c.qual === 'Self' || c.qual === 'self')
              cands = own ? get(`t:${n.group}:${own}:${c.name}`) : none;
            else if (c.qual) {
              cands = get(`t:${n.group}:${c.qual}:${c.name}`);
              if (cands.length === 0) cands = get(`f:${n.group}:${c.name}`);
            } else if (c.method && c.selfRecv) cands = own ? get(`t:${n.group}:${own}:${c.name}`) : none;
            else if (c.method) {
              // `x.name()` on an unknown receiver: only a name the crate defines once, and not one
              // every type has (`.len()`, `.send()`, `.as_str()`).
              cands = COMMON_METHODS.test(c.name) ? none : get(`m:${n.group}:${c.name}`);
              if (cands.length > 1) cands = none;
            } else cands = get(`f:${n.group}:${c.name}`);
            if (cands.length === 0) return noCallees;
            if (cands.length > MAX_CANDIDATES) cands = cands.filter((m) => m.file === n.file);
            return cands.length > MAX_CANDIDATES ? noCallees : cands.map((m) => m.id);
          }),
    );
    const refs = new Set<number>();
    for (const st of n.stmts) {
      if (!n.fn && !st.lazy) continue;
      // `Lazy::new(Table::warm)`: an associated function named as a value.
      st.uses.forEach((u, i) => {
        const next = st.uses[i + 1];
        if (!next || !/^[A-Z]/.test(u)) return;
        const cands = index.get(`t:${n.group}:${u}:${next}`);
        if (cands && cands.length <= MAX_CANDIDATES)
          for (const m of cands)
            if (m !== n) {
              refs.add(m.id);
              n.refNames.add(next);
            }
      });
      for (const u of st.uses) {
        const cands = index.get(`f:${n.group}:${u}`);
        if (cands && cands.length <= MAX_CANDIDATES)
          for (const m of cands)
            if (m !== n) {
              refs.add(m.id);
              n.refNames.add(u);
            }
      }
    }
    n.refs = [...refs];
  }
}

const COMMON_METHODS =
  /^(new|get|set|len|is_empty|as_str|as_ref|as_mut|as_bytes|to_string|to_owned|clone|fmt|from|into|iter|iter_mut|next|map|push|pop|insert|remove|contains|write|write_all|read|read_to_end|flush|print|warn|info|debug|error|join|split|parse|send|recv|call|run|build|finish|update|reset|close|start|stop|drop|default|with|apply|load|store|take|replace|extend|append|get_mut|unwrap|expect|ok|err|name|value|key|id|kind|path|data|inner|into_inner|lock|borrow|borrow_mut|hash|eq|cmp|partial_cmp|deref|deref_mut|poll|visit|serialize|deserialize)$/;

const CLASS_RANK: Record<TriggerClass, number> = { auto: 4, api: 3, user: 2, explicit: 1, none: 0 };

function rootsOf(n: Node, nodes: Node[]): Trigger | null {
  const fn = n.fn;
  const ctx = n.file.ctx;
  if (n.group === 'build') return { cls: 'auto', what: 'build script', path: [] };
  if (n.group === 'macro') return { cls: 'auto', what: 'proc-macro expansion', path: [] };
  if (n.signals.some((s) => s.role.trigger === 'static-ctor'))
    return { cls: 'auto', what: 'static constructor', path: [] };
  if (!fn) return n.file.flow.lazy ? { cls: 'auto', what: 'lazy static initializer', path: [] } : null;
  if (fn.attrs.some((a) => a === 'ctor' || a === 'dtor'))
    return { cls: 'auto', what: `#[${fn.attrs.find((a) => a === 'ctor' || a === 'dtor')}]`, path: [] };
  if (fn.implTrait === 'Drop') return { cls: 'auto', what: `impl Drop for ${fn.implType ?? '?'}`, path: [] };
  if (fn.implTrait === 'Default')
    return { cls: 'auto', what: `impl Default for ${fn.implType ?? '?'}`, path: [] };
  if (fn.implTrait && AUTO_TRAITS.has(fn.implTrait))
    return { cls: 'auto', what: `impl ${fn.implTrait} for ${fn.implType ?? '?'}`, path: [] };
  if (ctx === 'binary' && fn.name === 'main' && !fn.implType)
    return { cls: 'user', what: 'the binary it builds, when run', path: [] };
  const isPublic = fn.pub || (fn.implTrait !== null && ctx === 'library');
  if (!isPublic || ctx !== 'library' || n.file.privateModule) return null;
  if (EXPLICIT_ACTION.test(fn.name) && fn.doc)
    return {
      cls: 'explicit',
      what: `documented pub fn ${n.label}, called by name`,
      path: [],
      named: {
        fn: fn.name,
        sends: SEND_VERB.test(fn.docText),
        entry: DISCLOSED_VERB.test(fn.docText) && ENTRY_OBJECT.test(fn.docText),
        fetches: FETCH_VERB.test(fn.docText),
      },
    };
  // Constructors and free setup functions are what every user calls first; a method named
  // `start` on some inner type is just API.
  if (FIRST_CALL.test(fn.name) && (!fn.hasSelf || fn.name === 'init'))
    return { cls: 'auto', what: `first call of the API (pub fn ${n.label})`, path: [] };
  // Whatever its name, a function whose documentation says what it does to the system (writes
  // the unit, loads the agent, turns start-at-login on) is an operation the caller asks for.
  if (disclosed(fn.docText))
    return { cls: 'explicit', what: `pub fn ${n.label}, documented as doing it`, path: [] };
  // A public function that does something once, on whichever call comes first (`Once::call_once`,
  // `get_or_init`, an atomic flag swapped): what that block runs happens on the first call of
  // ordinary API (`parse`, `crc32`, `scale_factor`), unasked.
  if (oneShot(n, nodes))
    return { cls: 'auto', what: `first call of pub fn ${n.label} (a one-time block)`, path: [] };
  return { cls: 'api', what: `pub fn ${n.label}`, path: [] };
}

/**
 * Runs something once per process that acts or calls into the crate (`ONCE.call_once(…)`,
 * `CELL.get_or_init(…)`, `if !FLAG.swap(true, …) { … }`). A client merely built there
 * (`CLIENT.get_or_init(Client::new)`) acts on nothing yet: what is sent later is ordinary API.
 */
function oneShot(n: Node, nodes?: Node[]): boolean {
  const blocks = n.fn?.once ?? [];
  // `pub fn parse(…) { warm::calibrate(); … }` where the crate's own `calibrate` holds the
  // one-time block: the first call of `parse` runs it.
  if (blocks.length === 0)
    return (
      nodes !== undefined &&
      n.callees.some((perStmt) =>
        perStmt.some((cands) =>
          cands.some((c) => {
            const m = nodes[c]!;
            return m !== n && m.fn !== null && oneShot(m);
          }),
        ),
      )
    );
  const inside = (line: number) => blocks.some(([a, b]) => line >= a && line <= b);
  if (
    n.signals.some(
      (s) =>
        s.role.sink !== undefined &&
        inside(s.sig.line) &&
        !(s.sig.kind === 'network' && CLIENT_CONSTRUCTOR.test(s.sig.evidence)),
    )
  )
    return true;
  // A crate function called or named there (`ONCE.call_once(report::send)`): what it runs.
  return n.stmts.some(
    (st, i) =>
      inside(st.a) &&
      ((n.callees[i] ?? []).some((c) => c.length > 0) ||
        st.calls.some((c) => c.args.some((a) => a.some((x) => n.refNames.has(x))))),
  );
}

/**
 * A plain `const`/`static` at file scope runs nothing itself: what its text does happens in the
 * functions that use it, so it takes the strongest trigger among them (`const RUN: &str = …Run`
 * used only by an explicit `set_enabled`).
 */
function itemTrigger(
  nodes: Node[],
  triggers: (Trigger | undefined)[],
  n: Node,
  line: number,
): Trigger | undefined {
  if (n.fn) return undefined;
  const item = n.file.flow.items.find((x) => line >= x.a && line <= x.b);
  if (!item) return undefined;
  const users = nodes.filter(
    (m) => m.fn && m.group === n.group && m.stmts.some((st) => st.uses.includes(item.name)),
  );
  // Those that act on it (write, run, send) if any do: `exists()` reading the same key acts not.
  const acting = users.filter(
    (m) =>
      m.signals.some((x) => x.role.sink) ||
      m.stmts.some((st) => st.calls.some((c) => WRITE_CALL.test(c.name))),
  );
  let best: Trigger | undefined;
  for (const m of acting.length > 0 ? acting : users) {
    const t = triggers[m.id];
    if (t && (!best || CLASS_RANK[t.cls] > CLASS_RANK[best.cls]))
      best = {
        cls: t.cls,
        what: `${t.what} (uses ${item.name})`,
        path: [...t.path, n.label],
        ...(t.named ? { named: t.named } : {}),
      };
  }
  return best;
}

/** Calls that change what a name designates: a file written, a registry value set. */
const WRITE_CALL =
  /^(write|write_all|write_fmt|append|create|set_value|set_raw_value|create_subkey\w*|Reg(Set|Create)\w*)$/;

/**
 * What a function makes run: its calls and the functions it names; at file scope, only what lazy
 * initializers and static constructors run (`#[link_section = ".init_array"] static X = { extern
 * "C" fn f() { … } f };` — the constructor's body is written inline in the static).
 */
function edgesOf(n: Node): number[] {
  const out = new Set<number>(n.refs);
  const ctorLines = n.fn
    ? []
    : n.signals.filter((s) => s.role.trigger === 'static-ctor').map((s) => s.sig.line);
  n.callees.forEach((perStmt, i) => {
    const st = n.stmts[i]!;
    if (!n.fn && !st.lazy && !ctorLines.some((l) => l >= st.a - 3 && l <= st.b)) return;
    for (const cands of perStmt) for (const c of cands) out.add(c);
  });
  return [...out];
}

function computeTriggers(nodes: Node[]): (Trigger | undefined)[] {
  const out: (Trigger | undefined)[] = new Array(nodes.length);
  const edges: (number[] | undefined)[] = new Array(nodes.length);
  const roots = nodes.flatMap((n) => {
    const r = rootsOf(n, nodes);
    return r ? [{ n, r }] : [];
  });
  roots.sort((a, b) => CLASS_RANK[b.r.cls] - CLASS_RANK[a.r.cls]);
  // The function a static constructor names (`Signal.target`): `#[ctor] fn f`, `static X = f`.
  for (const n of nodes)
    for (const { sig, role } of n.signals) {
      if (role.trigger !== 'static-ctor' || !sig.target) continue;
      for (const m of nodes)
        if (m.file === n.file && m.fn?.name === sig.target)
          roots.unshift({ n: m, r: { cls: 'auto', what: `static constructor (${sig.evidence})`, path: [] } });
    }
  // Static constructors named in statics: `#[link_section = ".init_array"] static X = f;`.
  for (const n of nodes) {
    if (n.fn || !n.signals.some((s) => s.role.trigger === 'static-ctor')) continue;
    const lines = n.signals.filter((s) => s.role.trigger === 'static-ctor').map((s) => s.sig.line);
    const named = new Set(
      n.stmts.filter((st) => lines.some((l) => l >= st.a - 1 && l <= st.b + 1)).flatMap((st) => st.uses),
    );
    for (const m of nodes)
      if (m.file === n.file && m.fn && named.has(m.fn.name))
        roots.unshift({ n: m, r: { cls: 'auto', what: 'static constructor', path: [] } });
  }
  for (const { n, r } of roots) {
    // Breadth first from each root; a node keeps the strongest trigger that reaches it.
    const queue: { id: number; path: string[] }[] = [{ id: n.id, path: [n.label] }];
    const seen = new Set([n.id]);
    for (let qi = 0; qi < queue.length; qi++) {
      const { id, path } = queue[qi]!;
      const prior = out[id];
      if (prior && CLASS_RANK[prior.cls] >= CLASS_RANK[r.cls]) continue;
      out[id] = { cls: r.cls, what: r.what, path, ...(r.named ? { named: r.named } : {}) };
      if (path.length >= MAX_TRIGGER_DEPTH) continue;
      for (const c of (edges[id] ??= edgesOf(nodes[id]!))) {
        const p = out[c];
        if (seen.has(c) || (p && CLASS_RANK[p.cls] >= CLASS_RANK[r.cls])) continue;
        seen.add(c);
        queue.push({ id: c, path: [...path, nodes[c]!.label] });
      }
    }
  }
  return out;
}

interface SrcRef {
  node: Node;
  sig: Signal;
  cls: SourceClass;
}
interface SinkRef {
  node: Node;
  sig: Signal;
  cls: SinkClass;
}

function followData(nodes: Node[], triggers: (Trigger | undefined)[]): Flow[] {
  const srcs: SrcRef[] = [];
  const sinks: SinkRef[] = [];
  const srcKeys = new Map<Signal, string>();
  const sinkKeys = new Map<Signal, number>();
  for (const n of nodes)
    for (const { sig, role } of n.signals) {
      if (role.source) {
        srcKeys.set(sig, `s${srcs.length}`);
        srcs.push({ node: n, sig, cls: role.source });
      }
      if (role.sink) {
        sinkKeys.set(sig, sinks.length);
        sinks.push({ node: n, sig, cls: role.sink });
      }
    }
  // What arrives on a connection the crate opens (`sock.recv_from(&mut buf)`, `reader.lines()`)
  // is downloaded data too: a command channel, whatever the carrier. The connection is a sink
  // (what is handed to it is sent) and, for what is read from it, a source.
  const connSrc = new Map<number, string>(); // sink index → source label
  sinks.forEach((k, i) => {
    if (k.cls !== 'network' || !CONNECTION.test(k.sig.evidence)) return;
    const key = srcKeys.get(k.sig);
    if (key) connSrc.set(i, key);
    else {
      const label = `s${srcs.length}`;
      srcs.push({ node: k.node, sig: k.sig, cls: 'download' });
      srcKeys.set(k.sig, label);
      connSrc.set(i, label);
    }
  });
  const raw = new Map<
    string,
    { src: number | null; sink: number; meeting: Node; sp: string[]; kp: string[]; data: boolean }
  >();
  const record = (
    src: number | null,
    sink: number,
    meeting: Node,
    sp: string[],
    kp: string[],
    data: boolean,
  ) => {
    if (raw.size >= MAX_FLOWS * 4) return;
    const from = src === null ? null : srcs[src]!;
    const to = sinks[sink]!;
    const kind = flowKind(from, to);
    if (!kind) return;
    if (from && from.sig === to.sig && !(from.cls === 'download' && to.cls === 'exec')) return;
    // Running a download tool is not running what it downloads: the same command is both.
    if (
      from &&
      from.cls === 'download' &&
      from.sig !== to.sig &&
      from.node === to.node &&
      from.sig.line === to.sig.line
    )
      return;
    // What is persisted matters only when it is a payload; stolen data is another flow's business.
    if (from && to.cls === 'persist' && isStealable(from.cls)) return;
    // A startup place reaches only a plain write; where the function already writes the place
    // itself (a persistence-write sink), that sink judges it.
    if (
      from?.cls === 'persist-place' &&
      (to.cls !== 'write' || to.node.signals.some((x) => x.role.sink === 'persist'))
    )
      return;
    const key = `${src}>${sink}`;
    const prior = raw.get(key);
    if (prior && (prior.data || !data) && prior.sp.length + prior.kp.length <= sp.length + kp.length) return;
    raw.set(key, { src, sink, meeting, sp, kp, data });
  };
  // Without sources only persistence and the input of a codec or key function can flow.
  const codecs = nodes.some(
    (n) =>
      n.fn?.pub &&
      n.file.ctx === 'library' &&
      (CODEC_FN.test(n.fn.name) || n.fn.params.some((p) => KEY_PARAM.test(p))),
  );
  if (srcs.length === 0 && !sinks.some((s) => s.cls === 'persist' || (codecs && s.cls === 'network')))
    return [];

  // The input of a public codec (`encode`, `decode`, `hash`, also as a trait method): a source of
  // its own, so that it is followed through builder fields and helpers (`encode(x)` keeps `x` in
  // a builder whose `into_string` hands it to a sender), not only straight to a sink.
  const codecInput = new Map<number, string>();
  for (const n of nodes) {
    const fn = n.fn;
    if (!fn || n.file.ctx !== 'library' || !(fn.pub || fn.implTrait) || fn.params.length === 0) continue;
    if (!CODEC_FN.test(fn.name) || n.file.privateModule) continue;
    const sig: Signal = {
      kind: 'caller-data',
      line: fn.line,
      evidence: `the input of ${fn.implTrait ? `${fn.implTrait}::` : 'pub fn '}${n.label} (${fn.params.join(', ')})`,
      fn: -1,
      test: false,
    };
    codecInput.set(n.id, `s${srcs.length}`);
    srcs.push({ node: n, sig, cls: 'caller-data' });
  }
  const retSrc: Taint[] = nodes.map(() => new Map());
  // Payload sources (decoders) in a function that takes arguments: what it may decode in place.
  const inPlace: Taint[] = nodes.map(() => new Map());
  srcs.forEach((x, i) => {
    if (
      x.cls === 'decoded' &&
      x.node.fn &&
      x.node.fn.params.length > 0 &&
      inPlace[x.node.id]!.size < MAX_LABELS
    )
      inPlace[x.node.id]!.set(`s${i}`, []);
  });
  const paramSink: Map<number, Map<string, string[]>>[] = nodes.map(() => new Map()); // param → sink index → path
  const fields = new Map<string, Taint>(); // `group:field`
  const globals = new Map<number, Map<string, Taint>>(); // fileIdx → name → taint

  const merge = (into: Taint, from: Taint | undefined, via?: string): boolean => {
    if (!from) return false;
    let changed = false;
    for (const [k, p] of from) {
      if (into.size >= MAX_LABELS) break;
      if (into.has(k) || (via && p.length >= MAX_PATH)) continue;
      into.set(k, via ? [via, ...p] : p);
      changed = true;
    }
    return changed;
  };

  const analyse = (n: Node): boolean => {
    let changed = false;
    const env = new Map<string, Taint>();
    const g = globals.get(n.fileIdx) ?? new Map<string, Taint>();
    const given = codecInput.get(n.id);
    n.fn?.params.forEach((p, i) =>
      env.set(
        p,
        new Map(
          given
            ? [
                [`p${i}`, []],
                [given, []],
              ]
            : [[`p${i}`, []]],
        ),
      ),
    );
    const seenSrc: Taint = new Map();
    const conns = new Map<string, number>(); // local → the network sink that made it
    const read = (name: string): Taint | undefined =>
      name.startsWith('self.') ? fields.get(`${n.group}:${name.slice(5)}`) : (env.get(name) ?? g.get(name));
    // A statement that defines nothing but reads a value (`match words.split_first() {`,
    // `if let Some(x) = rx.recv() {`) hands it to the names its arms bind, which the next
    // statements read without any definition seen.
    let scrutinee: Taint | null = null;
    let scrutineeLeft = 0;
    n.stmts.forEach((st, si) => {
      const T: Taint = new Map();
      for (const u of st.uses) {
        const t = read(u);
        if (t) merge(T, t);
        else if (scrutinee && scrutineeLeft > 0 && !n.fn?.params.includes(u)) merge(T, scrutinee);
      }
      const here =
        n.signals.length === 0 ? [] : n.signals.filter((s) => s.sig.line >= st.a && s.sig.line <= st.b);
      for (const s of here) if (s.role.source) T.set(srcKeys.get(s.sig)!, []);
      // Reading from a connection made earlier: what comes out is downloaded. Wrappers and clones
      // of it (`BufReader::new(conn)`, `conn.try_clone()`) are the same connection.
      if (conns.size > 0 && !here.some((s) => s.role.sink))
        for (const u of st.uses) {
          const k = conns.get(u);
          if (k === undefined) continue;
          const label = connSrc.get(k);
          if (label && st.calls.some((c) => CONN_READ.test(c.name))) T.set(label, []);
          for (const d of st.defs) if (!d.startsWith('self.') && d !== u) conns.set(d, k);
        }
      // Readers fill the buffer they are given (`read_to_end(&mut buf)`, `io::copy(&mut r, &mut w)`).
      for (const c of st.calls)
        if (FILLS.test(c.name))
          for (const names of c.args)
            for (const a of names)
              if (!a.startsWith('()') && !a.startsWith('self.')) {
                const cur = env.get(a) ?? new Map();
                merge(cur, T);
                env.set(a, cur);
              }
      const calleesHere = n.callees[si] ?? [];
      st.calls.forEach((c, ci) => {
        for (const m of calleesHere[ci] ?? []) {
          merge(T, retSrc[m], nodes[m]!.label);
          // A decoder that works in place (`keystream(KEY, &mut buf)`): its arguments come out decoded.
          const dec = inPlace[m]!;
          if (dec.size > 0)
            for (const names of c.args)
              for (const a of names)
                if (!a.startsWith('()') && !a.startsWith('self.')) {
                  const cur = env.get(a) ?? new Map();
                  merge(cur, dec, nodes[m]!.label);
                  env.set(a, cur);
                }
        }
        if (!(calleesHere[ci] ?? []).some((m) => paramSink[m]!.size > 0)) return;
        // Arguments that carry a source into a callee whose parameter reaches a sink.
        const argTaint = c.args.map((names) => {
          const t: Taint = new Map();
          for (const a of names) {
            if (a.startsWith('()')) {
              // A call in the argument: what it returns, and any source read in this statement.
              const inner = st.calls.findIndex((x) => x.name === a.slice(2));
              for (const m of calleesHere[inner] ?? []) merge(t, retSrc[m], nodes[m]!.label);
              for (const s of here) if (s.role.source) t.set(srcKeys.get(s.sig)!, []);
            } else merge(t, read(a));
          }
          return t;
        });
        for (const m of calleesHere[ci] ?? []) {
          const callee = nodes[m]!;
          // `Type::method(x, …)` passes the receiver first.
          const shift = callee.fn?.hasSelf && !c.method ? 1 : 0;
          for (const [pi, reach] of paramSink[m]!) {
            const t = argTaint[pi + shift];
            if (!t) continue;
            for (const [sinkKey, kp] of reach)
              for (const [label, sp] of t) {
                const sinkIdx = Number(sinkKey);
                if (label.startsWith('s'))
                  record(Number(label.slice(1)), sinkIdx, n, sp, [n.label, callee.label, ...kp], true);
                else {
                  const mine = paramSink[n.id]!;
                  const pj = Number(label.slice(1));
                  const r = mine.get(pj) ?? new Map<string, string[]>();
                  if (!r.has(sinkKey)) {
                    r.set(sinkKey, [callee.label, ...kp]);
                    mine.set(pj, r);
                    changed = true;
                  }
                }
              }
          }
        }
      });
      // A connection made earlier (`let mut s = TcpStream::connect(…)`) sends what a later
      // statement hands it (`s.write_all(data)`).
      for (const u of st.uses) {
        const k = conns.get(u);
        if (k === undefined || here.some((s) => sinkKeys.get(s.sig) === k)) continue;
        for (const [label, sp] of T) {
          if (label.startsWith('s')) record(Number(label.slice(1)), k, n, sp, [n.label], true);
          else {
            const mine = paramSink[n.id]!;
            const pj = Number(label.slice(1));
            const r = mine.get(pj) ?? new Map<string, string[]>();
            if (!r.has(String(k))) {
              r.set(String(k), []);
              mine.set(pj, r);
              changed = true;
            }
          }
        }
      }
      for (const s of here) {
        if (!s.role.sink) continue;
        const k = sinkKeys.get(s.sig)!;
        if (s.role.sink === 'network' && CONNECTION.test(s.sig.evidence))
          for (const d of st.defs) if (!d.startsWith('self.')) conns.set(d, k);
        // `let mut c = Command::new("bash"); c.arg("-c"); c.arg(script);`: what a later statement
        // hands the builder is what it runs.
        // So does a file opened for writing: `let mut f = OpenOptions::new()….open(p)?; f.write_all(x)`.
        if ((s.role.sink === 'exec' && EXEC_BUILDER.test(s.sig.evidence)) || s.role.sink === 'write')
          for (const d of st.defs) if (!d.startsWith('self.')) conns.set(d, k);
        // Bytes reach executable memory through raw pointers (`copy_nonoverlapping(buf, p, n)`),
        // which locals do not follow: a payload the function holds is what it maps and runs.
        if (s.role.sink === 'exec-memory')
          for (const t of env.values())
            for (const [l, p] of t)
              if (l.startsWith('s') && !isStealable(srcs[Number(l.slice(1))]!.cls)) T.set(l, p);
        for (const [label, sp] of T) {
          if (label.startsWith('s')) {
            const si2 = Number(label.slice(1));
            record(si2, k, n, sp, [n.label], true);
          } else {
            const pj = Number(label.slice(1));
            const mine = paramSink[n.id]!;
            const r = mine.get(pj) ?? new Map<string, string[]>();
            if (!r.has(String(k))) {
              r.set(String(k), []);
              mine.set(pj, r);
              changed = true;
            }
          }
        }
        // A written file carries what was written into it: `fs::write(&p, bytes)` then run `p`;
        // so does a download tool's output: `curl -o dst …` then run `dst`.
        if (s.role.sink === 'write' || s.sig.kind === 'download-tool')
          for (const u of st.uses)
            if (!u.startsWith('self.')) {
              const cur = env.get(u) ?? new Map();
              merge(cur, T);
              env.set(u, cur);
            }
      }
      for (const d of st.defs) {
        if (d.startsWith('self.')) {
          const key = `${n.group}:${d.slice(5)}`;
          const cur = fields.get(key) ?? new Map();
          const onlySrc: Taint = new Map([...T].filter(([l]) => l.startsWith('s')));
          // The setter joins the path: `Client::new` stored it, `Client::send` sent it.
          if (merge(cur, onlySrc, n.label)) changed = true;
          fields.set(key, cur);
        } else {
          const cur = env.get(d) ?? new Map();
          merge(cur, T);
          env.set(d, cur);
          if (!n.fn) {
            const gt = g.get(d) ?? new Map();
            if (merge(gt, T)) changed = true;
            g.set(d, gt);
          }
        }
      }
      if (st.ret)
        for (const [l, p] of T) if (l.startsWith('s') && seenSrc.size < MAX_LABELS) seenSrc.set(l, p);
      if (st.defs.length === 0 && T.size > 0) {
        scrutinee = new Map(T);
        scrutineeLeft = 3;
      } else scrutineeLeft--;
    });
    if (!n.fn) globals.set(n.fileIdx, g);
    if (n.fn?.returns && merge(retSrc[n.id]!, seenSrc)) changed = true;
    return changed;
  };

  // Only functions that reach a source or a sink (through their calls) can carry a flow.
  const relevant = reaching(nodes, codecInput);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let changed = false;
    for (const n of relevant) if (analyse(n)) changed = true;
    if (!changed) break;
  }

  // A codec or key function of the public API whose input reaches the network: a hex encoder or
  // a key parser has no reason to send what it is given (keys stolen in flight).
  // So has any public function for a parameter that is key material (`seed`, `private_key`),
  // unless the function is named for what it does with it (`import_private_key`).
  for (const n of nodes) {
    const fn = n.fn;
    if (!fn?.pub || n.file.ctx !== 'library') continue;
    const codec = CODEC_FN.test(fn.name);
    for (const [pi, reach] of paramSink[n.id]!)
      for (const [sinkKey, kp] of reach) {
        const param = fn.params[pi] ?? '';
        const key = KEY_PARAM.exec(param);
        if (!codec && !(key && !fn.name.includes(key[1]!.replace(/_/g, '')) && !fn.name.includes(key[1]!)))
          continue;
        if (sinks[Number(sinkKey)]!.cls !== 'network') continue;
        const sig: Signal = {
          kind: 'caller-data',
          line: fn.line,
          evidence: `the input of pub fn ${n.label} (${fn.params[pi] ?? `argument ${pi + 1}`})`,
          fn: -1,
          test: false,
        };
        srcs.push({ node: n, sig, cls: 'caller-data' });
        record(srcs.length - 1, Number(sinkKey), n, [], [n.label, ...kp], true);
      }
  }

  // Both ends in one function without a value seen passing: weaker, and only for the shapes
  // that are rare in honest code (strong data next to a send, a hidden payload next to a run).
  for (const n of nodes) {
    const s = n.signals.filter((x) => x.role.source && strongColocated(x.role.source, x.sig));
    const k = n.signals.filter((x) => x.role.sink);
    for (const a of s)
      for (const b of k) {
        if (a.sig === b.sig) continue;
        const src = srcs[Number(srcKeys.get(a.sig)!.slice(1))]!;
        const kind = flowKind(src, sinks[sinkKeys.get(b.sig)!]!);
        if (kind === 'exfiltration' || kind === 'decoded-exec')
          record(Number(srcKeys.get(a.sig)!.slice(1)), sinkKeys.get(b.sig)!, n, [], [n.label], false);
      }
  }
  // Persistence needs no source: the write itself is the act.
  sinks.forEach((k, i) => {
    if (k.cls === 'persist') record(null, i, k.node, [], [k.node.label], true);
  });

  const byLabel = new Map<string, Node[]>();
  for (const n of nodes) {
    const list = byLabel.get(n.label);
    if (list) list.push(n);
    else byLabel.set(n.label, [n]);
  }
  const flows: Flow[] = [];
  for (const r of raw.values()) {
    if (flows.length >= MAX_FLOWS) break;
    const sink = sinks[r.sink]!;
    const src = r.src === null ? null : srcs[r.src]!;
    const trigger = triggers[r.meeting.id] ??
      itemTrigger(nodes, triggers, r.meeting, sink.sig.line) ?? {
        cls: 'none' as const,
        what: 'no caller found',
        path: [],
      };
    const onPath = new Set<Node>([r.meeting, sink.node, ...(src ? [src.node] : [])]);
    const guards: Located[] = [];
    for (const n of onPath) {
      for (const s of n.signals)
        if (s.role.guard && (n !== sink.node || s.sig.line <= sink.sig.line))
          guards.push({ sig: s.sig, file: n.file, fnName: n.label });
      guards.push(...helperGuards(nodes, n, n === sink.node ? sink.sig.line : null));
    }
    // The callers that lead to the meeting function (`remember() { if IsDebuggerPresent() != 0
    // { return; } … subkey() … }`): an anti-analysis check there gates the call as well.
    for (const label of trigger.path.slice(0, -1)) {
      const callers = (byLabel.get(label) ?? []).filter((m) => !onPath.has(m));
      if (callers.length > 2) continue;
      for (const m of callers) {
        for (const s of m.signals)
          if (s.role.guard && s.sig.kind !== 'os-gate')
            guards.push({ sig: s.sig, file: m.file, fnName: m.label });
        guards.push(...helperGuards(nodes, m, null));
      }
    }
    flows.push({
      kind: flowKind(src, sink)!,
      source: src ? { sig: src.sig, file: src.node.file, fnName: src.node.label, cls: src.cls } : null,
      sink: { sig: sink.sig, file: sink.node.file, fnName: sink.node.label, cls: sink.cls },
      sourcePath: r.sp,
      sinkPath: dedupe(r.kp),
      dataflow: r.data,
      trigger,
      guards,
      verified: [...onPath].some((n) => n.fn?.verifies === true),
    });
  }
  return flows;
}

/**
 * Anti-analysis checks a path function asks a helper about (`if !quiet() { return; }` where
 * `quiet` reads the CI variables, `if traced() { return; }` over TracerPid): a predicate of the
 * crate's own that returns, acts on nothing and holds such a check gates the caller as an inline
 * check would. OS checks are left out: a per-platform helper is portability. `before`: only calls
 * made up to that line count (the sink's own function).
 */
function helperGuards(nodes: Node[], n: Node, before: number | null): Located[] {
  const out: Located[] = [];
  const seen = new Set<number>();
  n.callees.forEach((perStmt, i) => {
    if (before !== null && n.stmts[i]!.a > before) return;
    for (const cands of perStmt)
      for (const c of cands) {
        const m = nodes[c]!;
        if (seen.has(c) || m === n || !m.fn?.returns || m.signals.some((x) => x.role.sink)) continue;
        seen.add(c);
        for (const x of m.signals)
          if (x.role.guard && x.sig.kind !== 'os-gate' && out.length < 4)
            out.push({ sig: x.sig, file: m.file, fnName: m.label });
      }
  });
  return out;
}

function reaching(nodes: Node[], extraSources: Map<number, string>): Node[] {
  const callers: number[][] = nodes.map(() => []);
  for (const n of nodes) for (const c of new Set(n.callees.flat(2))) callers[c]!.push(n.id);
  const mark = new Uint8Array(nodes.length);
  const queue: number[] = [];
  for (const n of nodes)
    if (extraSources.has(n.id) || n.signals.some((s) => s.role.source || s.role.sink)) {
      mark[n.id] = 1;
      queue.push(n.id);
    }
  // Functions that read a file-scope value holding a source (`static BLOB: [u8; 64] = […]` read
  // by `unmask`): what they return carries it.
  const held = new Map<number, Set<string>>(); // fileIdx → names
  for (const n of nodes)
    if (!n.fn && n.signals.some((s) => s.role.source)) {
      const names = held.get(n.fileIdx) ?? new Set<string>();
      for (const st of n.stmts) for (const d of st.defs) names.add(d);
      held.set(n.fileIdx, names);
    }
  for (const n of nodes) {
    const names = held.get(n.fileIdx);
    if (!n.fn || !names || mark[n.id]) continue;
    if (n.stmts.some((st) => st.uses.some((u) => names.has(u)))) {
      mark[n.id] = 1;
      queue.push(n.id);
    }
  }
  for (let qi = 0; qi < queue.length; qi++)
    for (const c of callers[queue[qi]!]!)
      if (!mark[c]) {
        mark[c] = 1;
        queue.push(c);
      }
  return nodes.filter((n) => mark[n.id] && n.stmts.length > 0);
}

function dedupe(path: string[]): string[] {
  return path.filter((p, i) => i === 0 || path[i - 1] !== p);
}

function strongColocated(cls: SourceClass, sig: Signal): boolean {
  if (
    cls === 'credential' ||
    cls === 'clipboard' ||
    cls === 'input' ||
    cls === 'screen' ||
    cls === 'env-dump'
  )
    return true;
  if (cls === 'embedded') return sig.detail !== 'data';
  return cls === 'decoded' && sig.kind !== 'runtime-decode';
}

/** What a source reaching a sink amounts to, or null when the pair means nothing. */
export function flowKind(
  src: { cls: SourceClass } | null,
  sink: { cls: SinkClass; sig: Signal },
): FlowKind | null {
  if (sink.cls === 'persist') return TAMPER_KINDS.has(sink.sig.detail ?? '') ? 'tamper' : 'persistence';
  if (!src) return null;
  if (src.cls === 'tamper-content') return sink.cls === 'write' ? 'tamper' : null;
  if (src.cls === 'persist-place') return sink.cls === 'write' ? 'persistence' : null;
  if (isStealable(src.cls)) return sink.cls === 'network' ? 'exfiltration' : null;
  if (sink.cls === 'exec' || sink.cls === 'exec-memory')
    return src.cls === 'download' ? 'download-exec' : 'decoded-exec';
  return null;
}
