// The cargo-metadata reader and cargo-vet's graph facts (roots, dev-only, edge kinds, order),
// and its refusals of malformed input.
import { describe, expect, it } from 'vitest';
import { formatVetVersion } from '../../formats/vet-common.js';
import { buildDepGraph, CRATES_IO_SOURCE, MetadataError, parseCargoMetadata } from './metadata-graph.js';

const id = (n: string) => `registry+https://github.com/rust-lang/crates.io-index#${n}`;
const ws = (n: string) => `path+file:///ws/${n}#0.1.0`;

function doc(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const pkg = (pid: string, name: string, version: string, source: string | null) => ({
    id: pid,
    name,
    version,
    source,
  });
  return {
    version: 1,
    workspace_root: '/ws',
    workspace_members: [ws('app'), ws('tests')],
    packages: [
      pkg(ws('app'), 'app', '0.1.0', null),
      pkg(ws('tests'), 'tests', '0.1.0', null),
      pkg(id('zed@1.0.0'), 'zed', '1.0.0', CRATES_IO_SOURCE),
      pkg(id('cc@1.0.0'), 'cc', '1.0.0', CRATES_IO_SOURCE),
      pkg(id('quick@2.0.0'), 'quick', '2.0.0', CRATES_IO_SOURCE),
      pkg(
        'git+https://example.com/g.git?rev=abc#aaaa',
        'gitdep',
        '0.5.0',
        'git+https://example.com/g.git?rev=abc#0011223344556677889900112233445566778899',
      ),
    ],
    resolve: {
      root: null,
      nodes: [
        {
          id: ws('app'),
          deps: [
            { pkg: id('zed@1.0.0'), dep_kinds: [{ kind: null, target: null }] },
            { pkg: id('cc@1.0.0'), dep_kinds: [{ kind: 'build', target: null }] },
            { pkg: id('quick@2.0.0'), dep_kinds: [{ kind: 'dev', target: null }] },
            {
              pkg: 'git+https://example.com/g.git?rev=abc#aaaa',
              dep_kinds: [{ kind: null, target: 'cfg(unix)' }],
            },
          ],
        },
        { id: ws('tests'), deps: [{ pkg: ws('app'), dep_kinds: [{ kind: null, target: null }] }] },
        { id: id('zed@1.0.0'), deps: [] },
        { id: id('cc@1.0.0'), deps: [] },
        {
          id: id('quick@2.0.0'),
          deps: [{ pkg: id('zed@1.0.0'), dep_kinds: [{ kind: null, target: null }] }],
        },
        { id: 'git+https://example.com/g.git?rev=abc#aaaa', deps: [] },
      ],
    },
    ...extra,
  };
}

describe('cargo metadata graph', () => {
  it('computes cargo-vet facts: order, third party, roots, dev-only, edge kinds, git revisions', () => {
    const g = buildDepGraph(parseCargoMetadata(JSON.stringify(doc())));
    expect(g.nodes.map((n) => n.name)).toEqual(['app', 'cc', 'gitdep', 'quick', 'tests', 'zed']);
    const by = (name: string) => g.nodes.find((n) => n.name === name)!;
    expect(g.nodes.filter((n) => n.isThirdParty).map((n) => n.name)).toEqual(['cc', 'quick', 'zed']);
    // `tests` depends on `app`, so only `tests` is a root.
    expect(g.nodes.filter((n) => n.isRoot).map((n) => n.name)).toEqual(['tests']);
    expect(g.nodes.filter((n) => n.isDevOnly).map((n) => n.name)).toEqual(['quick']);
    expect(by('app').buildDeps.map((i) => g.nodes[i]!.name)).toEqual(['cc']);
    expect(by('app').devDeps.map((i) => g.nodes[i]!.name)).toEqual(['quick']);
    expect(by('app').normalAndBuildDeps.map((i) => g.nodes[i]!.name)).toEqual(['zed', 'cc', 'gitdep']);
    expect(formatVetVersion(by('gitdep').version)).toBe('0.5.0@git:0011223344556677889900112233445566778899');
    // Dependencies come before dependents in the topological order.
    const pos = (name: string) => g.topoIndex.indexOf(g.nodes.indexOf(by(name)));
    expect(pos('zed')).toBeLessThan(pos('app'));
    expect(pos('app')).toBeLessThan(pos('tests'));
  });

  it('audit-as-crates-io makes a first-party package third party', () => {
    const g = buildDepGraph(parseCargoMetadata(JSON.stringify(doc())), {
      auditAsCratesIo: (n) => n === 'gitdep',
    });
    expect(g.nodes.find((n) => n.name === 'gitdep')!.isThirdParty).toBe(true);
  });

  it('survives a dependency chain far deeper than the call stack', () => {
    const n = 12_000;
    const packages = Array.from({ length: n }, (_, i) => ({
      id: `p${i}`,
      name: `p${i}`,
      version: '1.0.0',
      source: CRATES_IO_SOURCE,
    }));
    const nodes = packages.map((p, i) => ({
      id: p.id,
      deps: i + 1 < n ? [{ pkg: `p${i + 1}`, dep_kinds: [{ kind: null }] }] : [],
    }));
    const g = buildDepGraph(
      parseCargoMetadata(
        JSON.stringify({ version: 1, workspace_members: ['p0'], packages, resolve: { nodes } }),
      ),
    );
    expect(g.topoIndex).toHaveLength(n);
  });

  it('refuses malformed metadata with a clear message', () => {
    const bad = (d: unknown, msg: string | RegExp) =>
      expect(() => buildDepGraph(parseCargoMetadata(typeof d === 'string' ? d : JSON.stringify(d)))).toThrow(
        msg,
      );
    bad('{"version": 1, "packages": [', /invalid JSON/);
    bad('[]', 'expected a JSON object');
    bad(doc({ version: 2 }), 'unsupported format version 2');
    bad(doc({ resolve: null }), 'no "resolve" graph');
    bad(doc({ packages: 'x' }), '"packages" must be an array');
    bad(doc({ workspace_members: ['nope'] }), 'workspace member nope is not a resolved package');
    const d = doc();
    (d['packages'] as { version: string }[])[2]!.version = 'one';
    bad(d, "invalid version 'one'");
    const e = doc();
    (
      (e['resolve'] as { nodes: { deps: unknown[] }[] }).nodes[0]!.deps[0] as { dep_kinds: unknown[] }
    ).dep_kinds = [{ kind: 'weird' }];
    bad(e, 'unknown dependency kind "weird"');
    const f = doc();
    (f['resolve'] as { nodes: { deps: { pkg: string }[] }[] }).nodes[0]!.deps[0]!.pkg = 'ghost';
    bad(f, 'dependency ghost is not a resolved package');
    expect(() => parseCargoMetadata(5 as unknown as string)).toThrow(MetadataError);
  });
});
