// The engine on synthetic signals: the kinds of issue 10 that code-signals.ts does not emit yet
// (clipboard, input-capture, channel, decode-routine, exec-memory, evasion, static-ctor, the
// vcs-hook persistence kind) placed on lines of real Rust text, so their roles are tested today.
import { describe, expect, it } from 'vitest';
import type { Signal, SignalKind } from '../code-signals.js';
import { extractRustFacts } from '../rust-facts.js';
import type { CrateModel } from '../rules/model.js';
import { analyzeFlows } from './engine.js';
import type { Flow, FlowFile } from './engine.js';
import { extractFlowFacts } from './fn-facts.js';
import { flowSeverity } from './flow-rules.js';
import { SIGNAL_ROLES } from './roles.js';

/** A file whose lines marked `// @kind[:detail]` carry that signal. */
function file(path: string, src: string, ctx: FlowFile['ctx'] = 'library'): FlowFile {
  const facts = extractRustFacts(null as never, src, { syntax: 'tokens' });
  const signals: Signal[] = [];
  src.split('\n').forEach((text, i) => {
    for (const m of text.matchAll(/@([a-z-]+)(?::([a-z-]+))?/g)) {
      const line = i + 1;
      const tok =
        facts.tokens.find((t) => t.line === line && t.fn >= 0) ?? facts.tokens.find((t) => t.line === line);
      signals.push({
        kind: m[1] as SignalKind,
        line,
        evidence: m[0],
        fn: tok?.fn ?? -1,
        test: false,
        ...(m[2] ? { detail: m[2] } : {}),
      });
    }
  });
  return { path, ctx, signals, flow: extractFlowFacts(facts, src) };
}

const model = { manifest: null } as unknown as CrateModel;
const severity = (f: Flow) => flowSeverity(model, f, false);
const only = (flows: Flow[], kind: Flow['kind']) => flows.filter((f) => f.kind === kind);

describe('flow engine (synthetic signals of the new kinds)', () => {
  it('names a role for every new signal kind', () => {
    for (const k of [
      'evasion',
      'exec-memory',
      'static-ctor',
      'channel',
      'clipboard',
      'input-capture',
      'decode-routine',
    ])
      expect(SIGNAL_ROLES[k as SignalKind], k).toBeDefined();
  });

  it('follows the clipboard into a channel through a local, a helper and Drop', () => {
    const { flows } = analyzeFlows([
      file(
        'src/lib.rs',
        [
          'pub struct Guard;',
          'impl Drop for Guard {',
          '    fn drop(&mut self) {',
          '        let text = grab(); // @clipboard',
          '        let line = format!("{text}");',
          '        beacon(&line);',
          '    }',
          '}',
          'fn grab() -> String { String::new() }',
          'fn beacon(d: &str) {',
          '    dns_query(d); // @channel:dns-raw',
          '}',
        ].join('\n'),
      ),
    ]);
    const [f] = only(flows, 'exfiltration');
    expect(f).toBeDefined();
    expect(f!.dataflow).toBe(true);
    expect(f!.trigger.cls).toBe('auto');
    expect(f!.trigger.what).toBe('impl Drop for Guard');
    expect(f!.sinkPath).toEqual(['Guard::drop', 'beacon']);
    expect(severity(f!)).toBe('critical');
  });

  it('does not invent a flow between unrelated functions', () => {
    const { flows } = analyzeFlows([
      file(
        'src/lib.rs',
        [
          'pub fn read_keys() -> String { capture() } // @input-capture',
          'pub fn ping(host: &str) { send(host) } // @channel:udp',
        ].join('\n'),
      ),
    ]);
    expect(only(flows, 'exfiltration')).toEqual([]);
  });

  it('judges a decoded payload run from memory by a static constructor as critical, and an evasion check raises a public-API flow', () => {
    const ctor = analyzeFlows([
      file(
        'src/lib.rs',
        [
          '#[used] #[link_section = ".init_array"] static INIT: extern "C" fn() = boot; // @static-ctor:init-array',
          'extern "C" fn boot() {',
          '    let code = unxor(&BLOB); // @decode-routine',
          '    run_mem(&code); // @exec-memory:memfd',
          '}',
        ].join('\n'),
      ),
    ]);
    const [d] = only(ctor.flows, 'decoded-exec');
    expect(d?.trigger).toMatchObject({ cls: 'auto', what: 'static constructor' });
    expect(severity(d!)).toBe('critical');

    const src = (guard: string) =>
      [
        'pub fn render() {',
        `    if is_debugged() { return; } ${guard}`,
        '    let code = unxor(&BLOB); // @decode-routine',
        '    run_mem(&code); // @exec-memory:mmap-exec',
        '}',
      ].join('\n');
    const plain = only(analyzeFlows([file('src/lib.rs', src(''))]).flows, 'decoded-exec')[0]!;
    const gated = only(
      analyzeFlows([file('src/lib.rs', src('// @evasion:debugger'))]).flows,
      'decoded-exec',
    )[0]!;
    expect(plain.trigger.cls).toBe('api');
    expect(severity(plain)).toBe('high');
    expect(gated.guards.map((g) => g.sig.kind)).toEqual(['evasion']);
    expect(severity(gated)).toBe('critical');
  });

  it('reports a VCS hook written from a build script as tampering, and the same from an explicit documented call as medium', () => {
    const build = analyzeFlows([
      file(
        'build.rs',
        'fn main() {\n    std::fs::write(p, HOOK); // @persistence-write:vcs-hook\n}',
        'build-script',
      ),
    ]);
    expect(only(build.flows, 'tamper').map(severity)).toEqual(['critical']);
    const explicit = analyzeFlows([
      file(
        'src/lib.rs',
        [
          '/// Installs the pre-commit hook into the repository you name.',
          'pub fn install_hook(repo: &Path) {',
          '    std::fs::write(repo.join(".git/hooks/pre-commit"), HOOK); // @persistence-write:vcs-hook',
          '}',
        ].join('\n'),
      ),
    ]);
    const [t] = only(explicit.flows, 'tamper');
    expect(t?.trigger.cls).toBe('explicit');
    expect(severity(t!)).toBe('medium');
  });

  it("stops keeping statements at the crate's budget", () => {
    const src = 'fn a() { let x = 1; let y = 2; let z = 3; }\nfn b() { let w = 4; }';
    const crate = { left: 2 };
    const facts = extractFlowFacts(extractRustFacts(null as never, src, { syntax: 'tokens' }), src, crate);
    expect(facts.truncated).toBe(true);
    expect(facts.fns.flatMap((f) => f.stmts)).toHaveLength(2);
    expect(crate.left).toBe(0);
  });

  it('carries a source through a struct field from the constructor to another method', () => {
    const { flows, triggerOf } = analyzeFlows([
      file(
        'src/lib.rs',
        [
          'pub struct Spy { keys: String }',
          'impl Spy {',
          '    pub fn new() -> Self {',
          '        Self { keys: hook_keyboard() } // @input-capture',
          '    }',
          '    pub fn flush(&self) {',
          '        post(&self.keys); // @channel:smtp',
          '    }',
          '}',
        ].join('\n'),
      ),
    ]);
    const [f] = only(flows, 'exfiltration');
    expect(f?.source?.fnName).toBe('Spy::new');
    expect(f?.sink.fnName).toBe('Spy::flush');
    expect(triggerOf('src/lib.rs', 'new')?.cls).toBe('auto');
    expect(severity(f!)).toBe('high');
  });
});
