// The resolver on hand-made dependency sets, each result worked out from cargo-vet's rules
// (book `algorithm.md`, `resolver.rs`) in the comments beside it.
import { describe, expect, it } from 'vitest';
import { buildDepGraph, CRATES_IO_SOURCE, parseCargoMetadata } from './metadata-graph.js';
import { policyFor } from '../../formats/vet-config.js';
import { formatVetVersion } from '../../formats/vet-common.js';
import { reportHuman, reportJson } from './report.js';
import { resolve, suggestionCandidates, type PublisherInfo } from './resolver.js';
import { loadStore, StoreError, type FetchedImport } from './store.js';

interface Pkg {
  /** `name@version`; `path:` prefix for a first-party path package. */
  id: string;
  deps?: (string | [string, 'build' | 'dev'])[];
}

/** `cargo metadata` JSON for packages given as `name@version`; members default to the first. */
function metadata(pkgs: Pkg[], members?: string[]): string {
  const cargoId = (id: string): string => {
    const path = id.startsWith('path:');
    const [name, version] = (path ? id.slice(5) : id).split('@') as [string, string];
    return path
      ? `path+file:///ws/${name}#${version}`
      : `registry+https://github.com/rust-lang/crates.io-index#${name}@${version}`;
  };
  const byName = (ref: string): string => {
    const found = pkgs.find((p) => p.id === ref || p.id === `path:${ref}`);
    if (!found) throw new Error(`no package ${ref}`);
    return cargoId(found.id);
  };
  return JSON.stringify({
    version: 1,
    workspace_root: '/ws',
    workspace_members: (members ?? [pkgs[0]!.id]).map((m) => byName(m)),
    packages: pkgs.map((p) => {
      const path = p.id.startsWith('path:');
      const [name, version] = (path ? p.id.slice(5) : p.id).split('@');
      return { id: cargoId(p.id), name, version, source: path ? null : CRATES_IO_SOURCE };
    }),
    resolve: {
      root: null,
      nodes: pkgs.map((p) => ({
        id: cargoId(p.id),
        dependencies: (p.deps ?? []).map((d) => byName(typeof d === 'string' ? d : d[0])),
        deps: (p.deps ?? []).map((d) => ({
          name: 'x',
          pkg: byName(typeof d === 'string' ? d : d[0]),
          dep_kinds: [{ kind: typeof d === 'string' ? null : d[1], target: null }],
        })),
      })),
    },
  });
}

interface Case {
  pkgs: Pkg[];
  members?: string[];
  audits?: string;
  config?: string;
  importsLock?: string;
  locked?: boolean;
  fetched?: [string, FetchedImport[]][];
  publishers?: PublisherInfo[];
}

function check(c: Case) {
  const loaded = loadStore(
    {
      config: `[cargo-vet]\nversion = "0.10"\n${c.config ?? ''}`,
      audits: c.audits ?? '[audits]\n',
      ...(c.importsLock !== undefined ? { imports: c.importsLock } : {}),
    },
    {
      locked: c.locked ?? c.fetched === undefined,
      fetched: new Map(c.fetched ?? []),
      ...(c.publishers ? { publishers: c.publishers } : {}),
    },
  );
  const graph = buildDepGraph(parseCargoMetadata(metadata(c.pkgs, c.members)), {
    auditAsCratesIo: (n, v) => policyFor(loaded.config, n, v)?.auditAsCratesIo,
  });
  const report = resolve(graph, loaded.store);
  return { report, json: reportJson(report) as Record<string, unknown> };
}

const names = (list: unknown): string[] =>
  (list as { name: string; version: string }[]).map((p) => `${p.name}:${p.version}`);
const app = (...deps: Pkg['deps'] & object): Pkg => ({ id: 'path:app@0.1.0', deps });

describe('full audits and delta chains', () => {
  it('with nothing audited the suggestion is a full audit (closest below is the root)', () => {
    const { report } = check({ pkgs: [app('foo@1.0.1'), { id: 'foo@1.0.1' }] });
    expect(suggestionCandidates(report.failures[0]!)).toEqual([
      { from: null, to: report.graph.nodes[report.failures[0]!.pkg]!.version },
    ]);
    expect(reportHuman(report)).toContain('cargo vet inspect foo 1.0.1   (safe-to-deploy; full audit)');
  });

  it('a full audit vets the version; nothing else does', () => {
    const audits = '[[audits.foo]]\ncriteria = "safe-to-deploy"\nversion = "1.0.0"\n';
    const ok = check({ pkgs: [app('foo@1.0.0'), { id: 'foo@1.0.0' }], audits });
    expect(ok.json).toEqual({
      conclusion: 'success',
      vetted_fully: [{ name: 'foo', version: '1.0.0' }],
      vetted_partially: [],
      vetted_with_exemptions: [],
    });
    const other = check({ pkgs: [app('foo@1.0.1'), { id: 'foo@1.0.1' }], audits });
    expect(other.json).toEqual({
      conclusion: 'fail (vetting)',
      failures: [{ name: 'foo', version: '1.0.1', missing_criteria: ['safe-to-deploy'] }],
      suggest: null,
    });
  });

  it('follows a delta chain root -> 1.0.0 -> 1.1.0 -> 1.2.0', () => {
    const audits = `
[[audits.foo]]
criteria = "safe-to-deploy"
version = "1.0.0"

[[audits.foo]]
criteria = "safe-to-deploy"
delta = "1.0.0 -> 1.1.0"

[[audits.foo]]
criteria = "safe-to-deploy"
delta = "1.1.0 -> 1.2.0"
`;
    expect(check({ pkgs: [app('foo@1.2.0'), { id: 'foo@1.2.0' }], audits }).json['conclusion']).toBe(
      'success',
    );
  });

  it('follows a backwards delta (2.0.0 -> 1.9.0)', () => {
    const audits =
      '[[audits.foo]]\ncriteria = "safe-to-deploy"\nversion = "2.0.0"\n\n[[audits.foo]]\ncriteria = "safe-to-deploy"\ndelta = "2.0.0 -> 1.9.0"\n';
    expect(
      names(check({ pkgs: [app('foo@1.9.0'), { id: 'foo@1.9.0' }], audits }).json['vetted_fully']),
    ).toEqual(['foo:1.9.0']);
    // The same delta does not run forwards: 1.9.0 audited does not vet 2.0.0.
    const fwd =
      '[[audits.foo]]\ncriteria = "safe-to-deploy"\nversion = "1.9.0"\n\n[[audits.foo]]\ncriteria = "safe-to-deploy"\ndelta = "2.0.0 -> 1.9.0"\n';
    expect(check({ pkgs: [app('foo@2.0.0'), { id: 'foo@2.0.0' }], audits: fwd }).json['conclusion']).toBe(
      'fail (vetting)',
    );
  });

  it('a broken chain fails and the suggestion bridges the gap from the nearest audited version', () => {
    // root -> 1.0.0 and 1.1.0 -> 1.2.0: the missing piece is 1.0.0 -> 1.1.0.
    const audits =
      '[[audits.foo]]\ncriteria = "safe-to-deploy"\nversion = "1.0.0"\n\n[[audits.foo]]\ncriteria = "safe-to-deploy"\ndelta = "1.1.0 -> 1.2.0"\n';
    const { report } = check({ pkgs: [app('foo@1.2.0'), { id: 'foo@1.2.0' }], audits });
    expect(report.conclusion).toBe('fail (vetting)');
    const candidates = suggestionCandidates(report.failures[0]!).map(
      (c) => `${c.from && formatVetVersion(c.from)} -> ${formatVetVersion(c.to)}`,
    );
    // Target side reaches {1.1.0, 1.2.0}; the closest root-side version below each is 1.0.0.
    expect(candidates).toEqual(['1.0.0 -> 1.1.0', '1.0.0 -> 1.2.0']);
    expect(reportHuman(report)).toContain('cargo vet diff foo 1.0.0 1.1.0');
    // With sizes, the smallest diff wins, and its size is shown.
    const sized = reportHuman(report, (_crate, d) =>
      formatVetVersion(d.to) === '1.2.0'
        ? { filesChanged: 1, insertions: 3, deletions: 1 }
        : { filesChanged: 4, insertions: 90, deletions: 12 },
    );
    expect(sized).toContain(
      'cargo vet diff foo 1.0.0 1.2.0   (safe-to-deploy; from audited 1.0.0: 1 files changed, 3 insertions(+), 1 deletions(-))',
    );
  });

  it('each edge must carry the criterion: a safe-to-run delta breaks a safe-to-deploy chain', () => {
    const audits =
      '[[audits.foo]]\ncriteria = "safe-to-deploy"\nversion = "1.0.0"\n\n[[audits.foo]]\ncriteria = "safe-to-run"\ndelta = "1.0.0 -> 1.1.0"\n';
    const r = check({ pkgs: [app('foo@1.1.0'), { id: 'foo@1.1.0' }], audits });
    // safe-to-run is met (safe-to-deploy implies it on the first edge), safe-to-deploy is not.
    expect(r.json['failures']).toEqual([
      { name: 'foo', version: '1.1.0', missing_criteria: ['safe-to-deploy'] },
    ]);
  });
});

describe('exemptions and violations', () => {
  it('an exemption vets a version; with audits on top it is partial', () => {
    const config = '[[exemptions.foo]]\nversion = "1.0.0"\ncriteria = "safe-to-deploy"\n';
    const only = check({ pkgs: [app('foo@1.0.0'), { id: 'foo@1.0.0' }], config });
    expect(names(only.json['vetted_with_exemptions'])).toEqual(['foo:1.0.0']);
    const audits = '[[audits.foo]]\ncriteria = "safe-to-deploy"\ndelta = "1.0.0 -> 1.1.0"\n';
    const partial = check({ pkgs: [app('foo@1.1.0'), { id: 'foo@1.1.0' }], config, audits });
    expect(names(partial.json['vetted_partially'])).toEqual(['foo:1.1.0']);
  });

  it('prefers the smaller exemption even through a longer path (partially audited)', () => {
    // Exemptions of 0.9.0 and 1.0.0 plus an audited delta 0.9.0 -> 1.0.0: cargo-vet ranks
    // exemption paths by the exempted version, so it uses 0.9.0 and the delta.
    const config =
      '[[exemptions.foo]]\nversion = "0.9.0"\ncriteria = "safe-to-deploy"\n\n[[exemptions.foo]]\nversion = "1.0.0"\ncriteria = "safe-to-deploy"\n';
    const audits = '[[audits.foo]]\ncriteria = "safe-to-deploy"\ndelta = "0.9.0 -> 1.0.0"\n';
    const r = check({ pkgs: [app('foo@1.0.0'), { id: 'foo@1.0.0' }], config, audits });
    expect(names(r.json['vetted_partially'])).toEqual(['foo:1.0.0']);
  });

  it('a local audit is preferred over an exemption for the same version (fully audited)', () => {
    const config = '[[exemptions.foo]]\nversion = "1.0.0"\ncriteria = "safe-to-deploy"\n';
    const audits = '[[audits.foo]]\ncriteria = "safe-to-deploy"\nversion = "1.0.0"\n';
    expect(
      names(check({ pkgs: [app('foo@1.0.0'), { id: 'foo@1.0.0' }], config, audits }).json['vetted_fully']),
    ).toEqual(['foo:1.0.0']);
  });

  it('a violation fails the check even over an exemption, keyed crate:version', () => {
    const config = '[[exemptions.foo]]\nversion = "1.5.0"\ncriteria = "safe-to-deploy"\n';
    const audits = '[[audits.foo]]\ncriteria = "safe-to-run"\nviolation = "<2.0.0"\nnotes = "bad"\n';
    const r = check({ pkgs: [app('foo@1.5.0'), { id: 'foo@1.5.0' }], config, audits });
    expect(r.json).toEqual({
      conclusion: 'fail (violation)',
      violations: {
        'foo:1.5.0': [
          {
            UnauditedConflict: {
              violation_source: null,
              violation: {
                criteria: 'safe-to-run',
                version: null,
                delta: null,
                violation: '<2.0.0',
                importable: null,
                notes: 'bad',
              },
              exemptions: { version: '1.5.0', criteria: 'safe-to-deploy', notes: null },
            },
          },
        ],
      },
    });
  });

  it('conflicts when any violated criterion is certified (book examples)', () => {
    const run = (violation: string, audit: string, criteria = '') =>
      check({
        pkgs: [app('foo@1.0.0'), { id: 'foo@1.0.0' }],
        audits: `${criteria}[[audits.foo]]\ncriteria = ${violation}\nviolation = "=1.0.0"\n\n[[audits.foo]]\ncriteria = ${audit}\nversion = "1.0.0"\n`,
      }).report.conclusion;
    expect(run('"safe-to-deploy"', '"safe-to-deploy"')).toBe('fail (violation)');
    expect(run('"safe-to-deploy"', '"safe-to-run"')).toBe('fail (vetting)');
    expect(run('"safe-to-run"', '"safe-to-deploy"')).toBe('fail (violation)');
    const ab =
      '[criteria.a]\ndescription = "a"\n[criteria.b]\ndescription = "b"\n[criteria.c]\ndescription = "c"\n';
    expect(run('["a", "b"]', '["a", "c", "safe-to-deploy"]', ab)).toBe('fail (violation)');
    expect(run('["a", "b"]', '["c", "safe-to-deploy"]', ab)).toBe('success');
  });

  it('a violation hits a delta whose either end is in range, and not versions outside it', () => {
    const audits = `
[[audits.foo]]
criteria = "safe-to-deploy"
violation = "=1.1.0"

[[audits.foo]]
criteria = "safe-to-deploy"
version = "1.0.0"

[[audits.foo]]
criteria = "safe-to-deploy"
delta = "1.1.0 -> 1.2.0"
`;
    const r = check({ pkgs: [app('foo@1.0.0'), { id: 'foo@1.0.0' }], audits });
    const conflicts = (
      r.json['violations'] as Record<string, { AuditConflict: { audit: { delta: string } } }[]>
    )['foo:1.0.0']!;
    expect(conflicts.map((c) => c.AuditConflict.audit.delta)).toEqual(['1.1.0 -> 1.2.0']);
  });
});

describe('wildcard audits and trusted entries', () => {
  const wildcard = `
[[wildcard-audits.foo]]
criteria = "safe-to-deploy"
user-id = 7
start = "2023-01-01"
end = "2024-01-01"
`;
  const at = (when: string, userId = 7): PublisherInfo[] => [
    { crate: 'foo', version: '1.0.0', publishedAt: when, userId, userLogin: 'maint' },
  ];
  const run = (publishers: PublisherInfo[], audits = `${wildcard}[audits]\n`) =>
    check({ pkgs: [app('foo@1.0.0'), { id: 'foo@1.0.0' }], audits, publishers }).report.conclusion;

  it('covers versions published inside start <= when < end by that account', () => {
    expect(run(at('2023-01-01'))).toBe('success');
    expect(run(at('2023-12-31T23:59:59Z'))).toBe('success');
    expect(run(at('2024-01-01T00:00:00Z'))).toBe('fail (vetting)');
    expect(run(at('2022-12-31'))).toBe('fail (vetting)');
    expect(run(at('2023-06-01', 8))).toBe('fail (vetting)');
    expect(run([])).toBe('fail (vetting)');
  });

  it('reads publisher records from imports.lock', () => {
    const importsLock =
      '[[publisher.foo]]\nversion = "1.0.0"\nwhen = "2023-05-05"\nuser-id = 7\nuser-login = "maint"\n';
    const r = check({
      pkgs: [app('foo@1.0.0'), { id: 'foo@1.0.0' }],
      audits: `${wildcard}[audits]\n`,
      importsLock,
    });
    expect(names(r.json['vetted_fully'])).toEqual(['foo:1.0.0']);
  });

  it('matches trusted publishers by their signature', () => {
    const audits =
      '[audits]\n\n[[trusted.foo]]\ncriteria = "safe-to-deploy"\ntrusted-publisher = "github:org/foo"\nstart = "2023-01-01"\nend = "2024-01-01"\n';
    const pub = (repo: string): PublisherInfo[] => [
      { crate: 'foo', version: '1.0.0', publishedAt: '2023-03-03', trustedPublisher: repo },
    ];
    expect(run(pub('github:org/foo'), audits)).toBe('success');
    expect(run(pub('github:evil/foo'), audits)).toBe('fail (vetting)');
  });

  it('a trusted entry with a user id vets only inside its window', () => {
    const audits =
      '[audits]\n\n[[trusted.foo]]\ncriteria = "safe-to-run"\nuser-id = 7\nstart = "2023-01-01"\nend = "2024-01-01"\n';
    // safe-to-run is not enough for a normal dependency of a root (safe-to-deploy).
    expect(run(at('2023-02-02'), audits)).toBe('fail (vetting)');
    const devOnly = check({
      pkgs: [app(['foo@1.0.0', 'dev']), { id: 'foo@1.0.0' }],
      audits,
      publishers: at('2023-02-02'),
    });
    expect(devOnly.report.conclusion).toBe('success');
  });
});

describe('criteria and requirements', () => {
  const custom = `
[criteria.strong]
description = "strong"
implies = "medium"

[criteria.medium]
description = "medium"
implies = "safe-to-run"
`;

  it('closes criteria under implies', () => {
    const audits = `${custom}\n[[audits.foo]]\ncriteria = "strong"\nversion = "1.0.0"\n`;
    const config = '[policy.app]\ncriteria = "medium"\n';
    expect(check({ pkgs: [app('foo@1.0.0'), { id: 'foo@1.0.0' }], audits, config }).report.conclusion).toBe(
      'success',
    );
    const weaker = `${custom}\n[[audits.foo]]\ncriteria = "medium"\nversion = "1.0.0"\n`;
    const needStrong = check({
      pkgs: [app('foo@1.0.0'), { id: 'foo@1.0.0' }],
      audits: weaker,
      config: '[policy.app]\ncriteria = "strong"\n',
    });
    expect(needStrong.json['failures']).toEqual([
      { name: 'foo', version: '1.0.0', missing_criteria: ['strong'] },
    ]);
  });

  it('dev-only packages need safe-to-run by default, dev-criteria when set', () => {
    const audits = '[[audits.helper]]\ncriteria = "safe-to-run"\nversion = "1.0.0"\n';
    const pkgs = [app(['helper@1.0.0', 'dev']), { id: 'helper@1.0.0' }];
    expect(check({ pkgs, audits }).report.conclusion).toBe('success');
    const strict = check({ pkgs, audits, config: '[policy.app]\ndev-criteria = "safe-to-deploy"\n' });
    expect(strict.json['failures']).toEqual([
      { name: 'helper', version: '1.0.0', missing_criteria: ['safe-to-deploy'] },
    ]);
    // The same crate as a normal dependency inherits safe-to-deploy from the root.
    expect(check({ pkgs: [app('helper@1.0.0'), { id: 'helper@1.0.0' }], audits }).report.conclusion).toBe(
      'fail (vetting)',
    );
  });

  it('dependencies of dev-only packages inherit the dev requirement; build deps inherit too', () => {
    const audits =
      '[[audits.helper]]\ncriteria = "safe-to-run"\nversion = "1.0.0"\n\n[[audits.inner]]\ncriteria = "safe-to-run"\nversion = "2.0.0"\n';
    const pkgs = [
      app(['helper@1.0.0', 'dev']),
      { id: 'helper@1.0.0', deps: [['inner@2.0.0', 'build']] as Pkg['deps'] },
      { id: 'inner@2.0.0' },
    ];
    const r = check({ pkgs, audits });
    expect(r.report.conclusion).toBe('success');
    expect(r.report.graph.nodes.filter((n) => n.isDevOnly).map((n) => n.name)).toEqual(['helper', 'inner']);
  });

  it('dependency-criteria overrides the inherited requirement for that edge only', () => {
    // app (root, safe-to-deploy) -> foo with dependency-criteria safe-to-run -> bar inherits safe-to-run.
    const audits =
      '[[audits.foo]]\ncriteria = "safe-to-run"\nversion = "1.0.0"\n\n[[audits.bar]]\ncriteria = "safe-to-run"\nversion = "1.0.0"\n';
    const pkgs = [
      app('foo@1.0.0', 'baz@1.0.0'),
      { id: 'foo@1.0.0', deps: ['bar@1.0.0'] },
      { id: 'bar@1.0.0' },
      { id: 'baz@1.0.0' },
    ];
    const config = '[policy.app]\ndependency-criteria = { foo = "safe-to-run" }\n';
    const r = check({ pkgs, audits, config });
    // baz still needs safe-to-deploy; foo and bar pass with safe-to-run.
    expect(r.json['failures']).toEqual([
      { name: 'baz', version: '1.0.0', missing_criteria: ['safe-to-deploy'] },
    ]);
  });

  it('policy criteria of a first-party package replace what dependents ask of it', () => {
    const audits = '[[audits.foo]]\ncriteria = "safe-to-run"\nversion = "1.0.0"\n';
    const pkgs = [app('path:lib@0.1.0'), { id: 'path:lib@0.1.0', deps: ['foo@1.0.0'] }, { id: 'foo@1.0.0' }];
    expect(check({ pkgs, audits }).report.conclusion).toBe('fail (vetting)');
    expect(
      check({ pkgs, audits, config: '[policy.lib]\ncriteria = "safe-to-run"\n' }).report.conclusion,
    ).toBe('success');
  });

  it('first-party packages need no audits unless audit-as-crates-io', () => {
    const pkgs = [app('path:util@0.3.0'), { id: 'path:util@0.3.0' }];
    const r = check({ pkgs });
    expect(r.json).toMatchObject({ conclusion: 'success', vetted_fully: [] });
    expect(reportHuman(r.report)).toBe('Vetting Succeeded (because you have no third-party dependencies)\n');
    const forced = check({ pkgs, config: '[policy.util]\naudit-as-crates-io = true\n' });
    expect(forced.json['failures']).toEqual([
      { name: 'util', version: '0.3.0', missing_criteria: ['safe-to-deploy'] },
    ]);
  });

  it('refuses criteria that imply themselves and names that are not defined', () => {
    const cyc =
      '[criteria.a]\ndescription = "a"\nimplies = "b"\n[criteria.b]\ndescription = "b"\nimplies = "a"\n[audits]\n';
    expect(() => check({ pkgs: [app()], audits: cyc })).toThrow(StoreError);
    expect(() =>
      check({ pkgs: [app()], audits: '[[audits.foo]]\ncriteria = "nope"\nversion = "1.0.0"\n' }),
    ).toThrow("audits.toml: audits.foo[0]: invalid criteria 'nope'");
  });
});

describe('imports', () => {
  const peer = `
[criteria.reviewed]
description = "reviewed by a peer"

[[audits.foo]]
criteria = "reviewed"
version = "1.0.0"

[[audits.bar]]
criteria = "safe-to-deploy"
version = "2.0.0"
`;
  const pkgs = [app('foo@1.0.0', 'bar@2.0.0'), { id: 'foo@1.0.0' }, { id: 'bar@2.0.0' }];
  const fetched: [string, FetchedImport[]][] = [
    ['peer', [{ url: 'https://peer.example/audits.toml', text: peer }]],
  ];

  it('maps foreign criteria through criteria-map; built-ins map to themselves', () => {
    const without = check({
      pkgs,
      config: '[imports.peer]\nurl = "https://peer.example/audits.toml"\n',
      fetched,
    });
    expect(without.json['failures']).toEqual([
      { name: 'foo', version: '1.0.0', missing_criteria: ['safe-to-deploy'] },
    ]);
    const mapped = check({
      pkgs,
      config:
        '[imports.peer]\nurl = "https://peer.example/audits.toml"\ncriteria-map = { reviewed = "safe-to-deploy" }\n',
      fetched,
    });
    expect(names(mapped.json['vetted_fully'])).toEqual(['bar:2.0.0', 'foo:1.0.0']);
  });

  it('exclude drops the crate\u2019s imported audits', () => {
    const r = check({
      pkgs,
      config:
        '[imports.peer]\nurl = "https://peer.example/audits.toml"\nexclude = ["bar"]\ncriteria-map = { reviewed = "safe-to-deploy" }\n',
      fetched,
    });
    expect(r.json['failures']).toEqual([
      { name: 'bar', version: '2.0.0', missing_criteria: ['safe-to-deploy'] },
    ]);
  });

  it('--locked uses imports.lock and requires it to match config.toml', () => {
    const config = '[imports.peer]\nurl = "https://peer.example/audits.toml"\n';
    const importsLock =
      '[[audits.peer.audits.foo]]\ncriteria = "safe-to-deploy"\nversion = "1.0.0"\n\n[audits.peer.criteria]\n';
    const r = check({ pkgs: [app('foo@1.0.0'), { id: 'foo@1.0.0' }], config, importsLock, locked: true });
    expect(names(r.json['vetted_fully'])).toEqual(['foo:1.0.0']);
    expect(() => check({ pkgs: [app('foo@1.0.0'), { id: 'foo@1.0.0' }], config, locked: true })).toThrow(
      'imports.lock is out of date',
    );
  });

  it('an exemption is preferred over a fresh import, so the package counts as exempted', () => {
    const config =
      '[imports.peer]\nurl = "https://peer.example/audits.toml"\n\n[[exemptions.bar]]\nversion = "2.0.0"\ncriteria = "safe-to-deploy"\n';
    const r = check({ pkgs: [app('bar@2.0.0'), { id: 'bar@2.0.0' }], config, fetched });
    expect(names(r.json['vetted_with_exemptions'])).toEqual(['bar:2.0.0']);
  });

  it('an unpublished entry bridges a local version to an audited one', () => {
    const importsLock = '[[unpublished.foo]]\nversion = "1.0.1"\naudited_as = "1.0.0"\n';
    const audits = '[[audits.foo]]\ncriteria = "safe-to-deploy"\nversion = "1.0.0"\n';
    const r = check({ pkgs: [app('foo@1.0.1'), { id: 'foo@1.0.1' }], audits, importsLock });
    expect(names(r.json['vetted_fully'])).toEqual(['foo:1.0.1']);
  });
});

describe('store versions', () => {
  it('refuses a newer store and, when locked, an older one', () => {
    const run = (version: string, locked: boolean) =>
      loadStore(
        { config: `[cargo-vet]\nversion = "${version}"\n`, audits: '[audits]\n' },
        { locked, fetched: new Map() },
      );
    expect(() => run('0.11', false)).toThrow('newer cargo-vet');
    expect(() => run('0.9', true)).toThrow('outdated');
    expect(run('0.9', false).warnings).toEqual([]);
  });
});
