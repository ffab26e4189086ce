// The hand-made index in test/fixtures/graph/index, with every answer worked out by hand:
//
//   base   0.9.0 | 1.0.0 | 1.1.0 (dev: derive ^1) | 1.2.0 yanked | 2.0.0-beta.1
//   derive 1.0.0 (base ^1.0) | 1.1.0-rc.1 (base ^1.0)
//   mid    0.1.0 (base ^0.9) | 0.2.0 (base ~1.0, features std+serde, no defaults; build: builder ^1)
//   app    1.0.0 (mid ^0.2; d = derive =1.0.0 renamed; extra ^1 optional; winonly ^1 on a cfg target)
//   extra  1.0.0 (base >=1.1, <1.3)      old 0.1.0 (base ^3)        weird 0.1.0 yanked (base ^1)
//   pre-user 0.1.0 (base ^2.0.0-beta.1)  builder 1.0.0  winonly 1.0.0
//   tester 1.0.0 (dev: app ^1)           toplevel 1.0.0 (tester ^1)  badreq 0.1.0 (base "not a req")
import { describe, expect, it } from 'vitest';
import { fixtureGraph, resolvedOf } from '../../test/fixtures/graph/fixture-graph.js';
import { DUPLICATE_VERSION, GraphBuilder } from './graph-builder.js';

describe('GraphBuilder on the hand-made index', async () => {
  const g = await fixtureGraph();

  it('counts what was imported', () => {
    expect(g.stats).toMatchObject({
      crates: 13,
      versions: 19,
      yankedVersions: 2,
      prereleaseVersions: 2,
      invalidVersions: 0,
      cratesWithoutLatest: 1,
      dependencies: 17,
      byKind: { normal: 14, build: 1, dev: 2 },
      optional: 1,
      renamed: 1,
      targetSpecific: 1,
      resolved: 15,
      unresolved: { unknownCrate: 0, noMatch: 1, badReq: 1, externalRegistry: 0 },
      unparsableRequirements: 1,
    });
  });

  it('sorts versions by semver, not by text or file order', () => {
    const base = g.crateId('base');
    expect(g.versionsOf(base).map((v) => g.versionNum[v])).toEqual([
      '0.9.0',
      '1.0.0',
      '1.1.0',
      '1.2.0',
      '2.0.0-beta.1',
    ]);
  });

  it('picks the highest non-yanked release as latest', () => {
    const latest = (c: string) =>
      g.crateLatest[g.crateId(c)]! < 0 ? null : g.label(g.crateLatest[g.crateId(c)]!);
    expect(latest('base')).toBe('base@1.1.0'); // 1.2.0 is yanked, 2.0.0-beta.1 a pre-release
    expect(latest('derive')).toBe('derive@1.0.0'); // over 1.1.0-rc.1
    expect(latest('weird')).toBeNull(); // every version yanked
  });

  it('resolves each requirement to the highest matching non-yanked version', () => {
    expect(resolvedOf(g, 'derive@1.0.0', 'base')).toBe('base@1.1.0'); // ^1.0 skips yanked 1.2.0
    expect(resolvedOf(g, 'mid@0.1.0', 'base')).toBe('base@0.9.0'); // ^0.9
    expect(resolvedOf(g, 'mid@0.2.0', 'base')).toBe('base@1.0.0'); // ~1.0 stays on 1.0.x
    expect(resolvedOf(g, 'extra@1.0.0', 'base')).toBe('base@1.1.0'); // >=1.1, <1.3 minus yanked
    expect(resolvedOf(g, 'pre-user@0.1.0', 'base')).toBe('base@2.0.0-beta.1'); // names the pre-release
    expect(resolvedOf(g, 'base@1.1.0', 'derive')).toBe('derive@1.0.0'); // ^1 never picks 1.1.0-rc.1
    expect(resolvedOf(g, 'app@1.0.0', 'derive')).toBe('derive@1.0.0'); // renamed `d`
    expect(resolvedOf(g, 'old@0.1.0', 'base')).toBeNull(); // ^3: nothing matches
    expect(resolvedOf(g, 'badreq@0.1.0', 'base')).toBeNull();
  });

  it('keeps every attribute of a dependency', () => {
    const app = g.versionId(g.crateId('app'), '1.0.0');
    const deps = g.dependenciesOf(app);
    expect(deps.map((d) => d.crate)).toEqual(['mid', 'derive', 'extra', 'winonly']); // declaration order
    expect(deps[1]).toMatchObject({
      crate: 'derive',
      rename: 'd',
      req: '=1.0.0',
      kind: 'normal',
      optional: false,
    });
    expect(deps[2]).toMatchObject({ crate: 'extra', optional: true });
    expect(deps[3]!.target).toBe('cfg(any(windows, target_os = "redox"))');
    const mid = g.dependenciesOf(g.versionId(g.crateId('mid'), '0.2.0'));
    expect(mid[0]).toMatchObject({ features: ['std', 'serde'], defaultFeatures: false });
    expect(mid[1]).toMatchObject({ crate: 'builder', kind: 'build' });
    const old = g.dependenciesOf(g.versionId(g.crateId('old'), '0.1.0'));
    expect(old[0]!.unresolvedReason).toBe('no matching non-yanked version');
    const bad = g.dependenciesOf(g.versionId(g.crateId('badreq'), '0.1.0'));
    expect(bad[0]!.unresolvedReason).toBe('unparsable requirement');
  });

  it('keeps publish times', () => {
    const v = g.version(g.versionId(g.crateId('app'), '1.0.0'));
    expect(v.published).toBe('2019-06-01T10:00:00.000Z');
  });
});

describe('GraphBuilder edge cases', () => {
  it('marks unknown crates, other registries and invalid versions', () => {
    const b = new GraphBuilder();
    const a = b.addVersion('a', '1.0.0');
    b.addVersion('a', 'not-semver');
    b.addDependency(a, { crate: 'ghost', req: '^1' });
    b.addDependency(a, { crate: 'b', req: '*', registry: 'https://other.example/index' });
    b.addDependency(a, { crate: 'B', req: '*' }); // case-folded match
    b.addDependency(a, { crate: 'a', req: '*' }); // self
    b.addVersion('b', '0.1.0');
    const g = b.build();
    expect(g.stats.unresolved).toEqual({ unknownCrate: 1, noMatch: 0, badReq: 0, externalRegistry: 1 });
    expect(g.stats.invalidVersions).toBe(1);
    expect(g.stats.resolvedByFoldedName).toBe(1);
    const deps = g.dependenciesOf(g.versionId(g.crateId('a'), '1.0.0'));
    expect(deps.map((d) => d.unresolvedReason)).toEqual(['unknown crate', 'other registry', null, null]);
    expect(g.label(deps[2]!.resolved!)).toBe('b@0.1.0');
    expect(g.label(deps[3]!.resolved!)).toBe('a@1.0.0');
    // The invalid version sorts first and is never latest.
    expect(g.versionsOf(g.crateId('a')).map((v) => g.versionNum[v])).toEqual(['not-semver', '1.0.0']);
  });

  it('drops a duplicate version and its dependencies', () => {
    const b = new GraphBuilder();
    expect(b.addVersion('a', '1.0.0')).toBe(0);
    const dup = b.addVersion('a', '1.0.0', { yanked: true });
    expect(dup).toBe(DUPLICATE_VERSION);
    b.addDependency(dup, { crate: 'a', req: '*' });
    const g = b.build();
    expect(g.stats).toMatchObject({ versions: 1, duplicateVersions: 1, dependencies: 0, yankedVersions: 0 });
  });

  it('rejects bad input', () => {
    const b = new GraphBuilder();
    expect(() => b.addCrate('')).toThrow();
    expect(() => b.addDependency(7, { crate: 'x', req: '*' })).toThrow(RangeError);
    const v = b.addVersion('x', '1.0.0');
    expect(() => b.addDependency(v, { crate: 'y', req: '*', kind: 'peer' as never })).toThrow(/kind/);
  });

  it('records owners once each', () => {
    const b = new GraphBuilder();
    b.addVersion('a', '1.0.0');
    b.addOwner('a', { login: 'alice', kind: 'user' });
    b.addOwner('a', { login: 'alice', kind: 'user' });
    b.addOwner('a', { login: 'github:org:core', kind: 'team' });
    const g = b.build();
    expect(g.ownersOf(g.crateId('a'))).toEqual(['team:github:org:core', 'user:alice']);
    expect(g.stats.ownerships).toBe(2);
  });

  it('builds an empty graph', () => {
    const g = new GraphBuilder().build();
    expect(g.stats).toMatchObject({ crates: 0, versions: 0, dependencies: 0 });
  });
});
