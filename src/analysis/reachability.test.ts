// Reachability over analysed crates: a workspace crate `app`, an intermediate `mid` and `vuln`
// whose `vuln::parse::bad` stands for an advisory's affected function.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Parser } from 'web-tree-sitter';
import { rustParser } from '../security/scanner/rust-parser.js';
import { analyzeCrate } from './analyze-crate.js';
import { reachableFunctions } from './reachability.js';
import type { CrateGraphInput } from './reachability.js';

let parser: Parser;
beforeAll(async () => {
  parser = await rustParser();
});

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
function crate(name: string, deps: string[], files: Record<string, string>): CrateGraphInput {
  const manifest = `[package]\nname = "${name}"\nversion = "1.0.0"\n[dependencies]\n${deps.map((d) => `${d} = "1"`).join('\n')}\n`;
  const a = analyzeCrate(parser, {
    files: Object.entries({ 'Cargo.toml': manifest, ...files }).map(([path, d]) => ({ path, data: enc(d) })),
    source: { kind: 'path', url: 'file:///x' },
  });
  return { name, invocations: a.invocations.lib!, dependencies: deps };
}

describe('reachableFunctions', () => {
  let vuln: CrateGraphInput;
  let mid: CrateGraphInput;
  beforeAll(() => {
    // `bad` is defined in vuln::parse and re-exported at the root: both paths are one function.
    vuln = crate('vuln', [], {
      'src/lib.rs': 'mod parse; pub use parse::bad; pub fn fine() {}',
      'src/parse.rs': 'pub fn bad(x: &str) {}',
    });
    mid = crate('mid', ['vuln'], {
      'src/lib.rs':
        'use vuln::bad as parse_it; pub fn wrap(s: &str) { helper(s) } fn helper(s: &str) { parse_it(s) } pub fn safe() { vuln::fine() }',
    });
  });

  it('finds the call through an intermediate crate, with the chain', () => {
    const app = crate('app', ['mid'], { 'src/lib.rs': 'pub fn main() { mid::wrap("x"); }' });
    const r = reachableFunctions([app], [mid, vuln], ['vuln::parse::bad']).get('vuln::parse::bad')!;
    expect(r.status).toBe('reached');
    if (r.status !== 'reached') return;
    expect(r.chain.map((s) => s.function)).toEqual([
      'app::main',
      'mid::wrap',
      'mid::helper',
      'vuln::parse::bad',
    ]);
    expect(r.chain[0]!.callSite).toEqual({ file: 'src/lib.rs', line: 1, crate: 'app' });
    // The advisory may name the re-exported path: the same function.
    expect(reachableFunctions([app], [mid, vuln], ['vuln::bad']).get('vuln::bad')!.status).toBe('reached');
  });

  it('says not reached when the workspace calls only other functions and nothing is unresolved on the way', () => {
    const app = crate('app', ['mid'], { 'src/lib.rs': 'pub fn main() { mid::safe(); }' });
    expect(reachableFunctions([app], [mid, vuln], ['vuln::bad']).get('vuln::bad')).toEqual({
      status: 'not-reached',
    });
  });

  it('says unknown when an unresolved call could lead there, never not-reached', () => {
    // `w.wrap()` could be mid's `wrap` (a method call on a value of unknown type).
    const app = crate('app', ['mid'], { 'src/lib.rs': 'pub fn main(w: W) { w.wrap(); mid::safe(); }' });
    const r = reachableFunctions([app], [mid, vuln], ['vuln::bad']).get('vuln::bad')!;
    expect(r.status).toBe('unknown');
    if (r.status !== 'unknown') return;
    expect(r.unresolved).toMatchObject({ method: 'wrap', file: 'src/lib.rs', line: 1 });
    expect(r.chain.map((s) => s.function)).toEqual(['app::main']);
    // A method no function reaching the target is named after: it cannot lead there.
    const other = crate('app', ['mid'], { 'src/lib.rs': 'pub fn main(w: W) { w.len(); mid::safe(); }' });
    expect(reachableFunctions([other], [mid, vuln], ['vuln::bad']).get('vuln::bad')!.status).toBe(
      'not-reached',
    );
    // A crate that does not depend on vuln, even through others, cannot reach it at all.
    const isolated = crate('iso', [], { 'src/lib.rs': 'pub fn main(w: W) { w.wrap(); (f)(); }' });
    expect(reachableFunctions([isolated], [mid, vuln], ['vuln::bad']).get('vuln::bad')!.status).toBe(
      'not-reached',
    );
  });

  it('treats an unresolved call in a crate of unknown dependencies as able to reach anything', () => {
    const app: CrateGraphInput = {
      ...crate('app', ['mid'], { 'src/lib.rs': 'pub fn main() { (callback)(); }' }),
    };
    delete app.dependencies;
    expect(reachableFunctions([app], [mid, vuln], ['vuln::bad']).get('vuln::bad')!.status).toBe('unknown');
  });

  it('says unknown through a crate whose source is unavailable, only when the target is behind it', () => {
    const app = crate('app', ['mid'], { 'src/lib.rs': 'pub fn main() { mid::safe(); }' });
    const noMid: CrateGraphInput = {
      name: 'mid',
      invocations: { defs: [], calls: [], exports: {} },
      dependencies: ['vuln'],
      sourceUnavailable: true,
    };
    const r = reachableFunctions([app], [noMid, vuln], ['vuln::bad']).get('vuln::bad')!;
    expect(r.status).toBe('unknown');
    if (r.status === 'unknown') {
      expect(r.unresolved.reason).toBe('source of mid unavailable');
      expect(r.chain.map((s) => s.function)).toEqual(['app::main', 'mid::safe']);
    }
    // An unavailable crate that does not lead to vuln changes nothing.
    const other = crate('app', ['mid', 'leaf'], {
      'src/lib.rs': 'pub fn main(w: W) { leaf::x(); w.len(); mid::safe(); }',
    });
    const leaf: CrateGraphInput = {
      name: 'leaf',
      invocations: { defs: [], calls: [], exports: {} },
      dependencies: [],
      sourceUnavailable: true,
    };
    expect(reachableFunctions([other], [mid, vuln, leaf], ['vuln::bad']).get('vuln::bad')!.status).toBe(
      'not-reached',
    );
  });

  it('follows glob re-exports and a module another crate re-exports, both ways round', () => {
    // codec defines decode in a private module and re-exports it with a glob; it also has a
    // public module `frame`. facade re-exports codec's `frame` module and everything at its root.
    const codec = crate('codec', [], {
      'src/lib.rs': 'mod imp; pub mod frame; pub use imp::*;',
      'src/imp.rs': 'pub fn decode(b: &[u8]) {} pub fn encode() {}',
      'src/frame.rs': 'pub fn read(b: &[u8]) { crate::imp::encode() }',
    });
    const facade = crate('facade', ['codec'], {
      'src/lib.rs': 'pub use codec::frame; pub use codec::*; pub fn own() {}',
    });
    const direct = crate('app', ['codec'], { 'src/lib.rs': 'pub fn main() { codec::decode(b""); }' });
    const through = crate('app', ['facade'], {
      'src/lib.rs': 'pub fn main() { facade::frame::read(b""); facade::decode(b""); }',
    });
    const neither = crate('app', ['facade'], { 'src/lib.rs': 'pub fn main() { facade::own(); }' });
    const deps = [facade, codec];
    const status = (app: CrateGraphInput, target: string) =>
      reachableFunctions([app], deps, [target]).get(target)!.status;
    // The advisory names the defining path; the dependent calls the glob's public one, or the
    // other way round.
    expect(status(direct, 'codec::imp::decode')).toBe('reached');
    expect(status(direct, 'codec::decode')).toBe('reached');
    // Through facade's re-exports of another crate: `facade::frame` is `codec::frame`, and
    // `facade::decode` is `codec::decode` (a glob of a glob) which is `codec::imp::decode`.
    const r = reachableFunctions([through], deps, ['codec::imp::decode']).get('codec::imp::decode')!;
    expect(r.status).toBe('reached');
    if (r.status === 'reached')
      expect(r.chain.map((s) => s.function)).toEqual(['app::main', 'codec::imp::decode']);
    expect(status(through, 'codec::frame::read')).toBe('reached');
    expect(status(through, 'codec::imp::encode')).toBe('reached');
    expect(status(neither, 'codec::imp::decode')).toBe('not-reached');
  });

  it('does not follow a glob past a name the module defines itself', () => {
    const shadow = crate('shadow', [], {
      'src/lib.rs': 'mod imp; pub use imp::*; pub fn decode() {}',
      'src/imp.rs': 'pub fn decode() {}',
    });
    const app = crate('app', ['shadow'], { 'src/lib.rs': 'pub fn main() { shadow::decode(); }' });
    expect(reachableFunctions([app], [shadow], ['shadow::imp::decode']).get('shadow::imp::decode')).toEqual({
      status: 'not-reached',
    });
    expect(reachableFunctions([app], [shadow], ['shadow::decode']).get('shadow::decode')!.status).toBe(
      'reached',
    );
  });
});
