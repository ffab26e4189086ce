// Queries on the hand-made index (see the map at the top of graph-builder.test.ts); every
// expected answer below was worked out by hand from the fixture's requirements.
import { describe, expect, it } from 'vitest';
import { fixtureGraph, labels, vid } from '../../test/fixtures/graph/fixture-graph.js';
import { blastRadius } from './blast-radius.js';
import { dependencyTree } from './dependency-tree.js';
import type { TreeNode } from './dependency-tree.js';
import { findDependents } from './dependents.js';
import type { DependentsOptions } from './dependents.js';
import { parseSpec, SpecError, specRoot, specVersions } from './spec.js';
import { dependentCounts, topCrates } from './top-crates.js';
import { whyPath } from './why-path.js';

describe('graph queries on the hand-made index', async () => {
  const g = await fixtureGraph();
  const deps = (spec: string, opts: DependentsOptions = {}) => {
    const r = findDependents(g, specVersions(g, parseSpec(spec)), opts);
    return labels(g, r.dependents);
  };

  describe('specs', () => {
    it('selects versions by crate, exact version or requirement', () => {
      expect(labels(g, specVersions(g, parseSpec('base')))).toHaveLength(5);
      expect(labels(g, specVersions(g, parseSpec('base@1.1.0')))).toEqual(['base@1.1.0']);
      expect(labels(g, specVersions(g, parseSpec('base@<1.1.0')))).toEqual(['base@0.9.0', 'base@1.0.0']);
      // A requirement includes yanked versions (they are still affected) but not pre-releases.
      expect(labels(g, specVersions(g, parseSpec('base@^1')))).toEqual([
        'base@1.0.0',
        'base@1.1.0',
        'base@1.2.0',
      ]);
      expect(labels(g, specVersions(g, parseSpec('base@1.0')))).toEqual([
        'base@1.0.0',
        'base@1.1.0',
        'base@1.2.0',
      ]);
    });
    it('picks a root version', () => {
      expect(g.label(specRoot(g, parseSpec('base')))).toBe('base@1.1.0');
      expect(g.label(specRoot(g, parseSpec('base@^1')))).toBe('base@1.1.0'); // not yanked 1.2.0
      expect(g.label(specRoot(g, parseSpec('base@1.2.0')))).toBe('base@1.2.0'); // exact: even yanked
      expect(g.label(specRoot(g, parseSpec('weird')))).toBe('weird@0.1.0'); // no latest: highest
    });
    it('rejects bad specs', () => {
      expect(() => parseSpec('')).toThrow(SpecError);
      expect(() => parseSpec('a b')).toThrow(SpecError);
      expect(() => parseSpec('base@>>1')).toThrow(SpecError);
      expect(() => specVersions(g, parseSpec('nope'))).toThrow(/no crate named/);
      expect(() => specRoot(g, parseSpec('base@^7'))).toThrow(/no version/);
    });
  });

  describe('dependents', () => {
    it('direct, latest versions only', () => {
      // derive 1.0.0, mid 0.2.0, extra and pre-user are latest; derive's rc, mid 0.1.0 and yanked weird are not.
      expect(deps('base')).toEqual(['derive@1.0.0', 'extra@1.0.0', 'mid@0.2.0', 'pre-user@0.1.0']);
    });
    it('direct, all versions', () => {
      expect(deps('base', { allVersions: true })).toEqual([
        'derive@1.0.0',
        'derive@1.1.0-rc.1',
        'extra@1.0.0',
        'mid@0.1.0',
        'mid@0.2.0',
        'pre-user@0.1.0',
        'weird@0.1.0',
      ]);
    });
    it('transitive: app through mid and the renamed derive; tester only as a dev-dependency', () => {
      const expected = ['app@1.0.0', 'derive@1.0.0', 'extra@1.0.0', 'mid@0.2.0', 'pre-user@0.1.0'];
      expect(deps('base', { transitive: true })).toEqual(expected);
      expect(deps('base', { transitive: true, includeOptional: true })).toEqual(expected);
      // With dev-dependencies, tester (dev-depends on app) counts, but toplevel, which
      // depends on tester normally, does not: tester's dev-dependencies are not built for it.
      expect(deps('base', { transitive: true, kinds: ['normal', 'build', 'dev'] })).toEqual(
        [...expected, 'tester@1.0.0'].sort(),
      );
    });
    it('a dev-dependency cycle does not leak dependents', () => {
      // base 1.1.0 dev-depends on derive, which depends on base. Dependents of derive:
      expect(deps('derive', { transitive: true })).toEqual(['app@1.0.0']);
      // With dev: base (dev-only, not expanded: mid, extra, pre-user must not appear) and tester.
      expect(deps('derive', { transitive: true, kinds: ['normal', 'build', 'dev'] })).toEqual([
        'app@1.0.0',
        'base@1.1.0',
        'tester@1.0.0',
      ]);
    });
    it('of a version range', () => {
      expect(deps('base@<1.1.0')).toEqual(['mid@0.2.0']);
      expect(deps('base@<1.1.0', { allVersions: true })).toEqual(['mid@0.1.0', 'mid@0.2.0']);
      expect(deps('base@<1.1.0', { transitive: true })).toEqual(['app@1.0.0', 'mid@0.2.0']);
      expect(deps('base@2.0.0-beta.1')).toEqual(['pre-user@0.1.0']);
      expect(deps('base@1.2.0', { allVersions: true, transitive: true })).toEqual([]); // yanked: never resolved
    });
    it('choosing kinds and optional', () => {
      expect(deps('builder')).toEqual(['mid@0.2.0']);
      expect(deps('builder', { kinds: ['normal'] })).toEqual([]);
      expect(deps('builder', { transitive: true })).toEqual(['app@1.0.0', 'mid@0.2.0']);
      expect(deps('extra')).toEqual([]);
      expect(deps('extra', { includeOptional: true })).toEqual(['app@1.0.0']);
      expect(deps('app', { kinds: ['dev'] })).toEqual(['tester@1.0.0']);
    });
    it('reports depth and counts crates', () => {
      const r = findDependents(g, specVersions(g, parseSpec('base')), { transitive: true });
      expect(r.crates).toBe(5);
      expect(r.dependents.map((d) => `${g.label(d.version)}:${d.depth}`)).toContain('app@1.0.0:2');
      expect(r.dependents[0]!.depth).toBe(1);
    });
  });

  describe('blast radius', () => {
    it('counts latest versions that resolve to an affected version', () => {
      expect(blastRadius(g, specVersions(g, parseSpec('base@<1.1.0')))).toMatchObject({
        affectedVersions: 2,
        direct: 1,
        transitive: 2,
      });
      const exact = blastRadius(g, specVersions(g, parseSpec('base@1.1.0')));
      // derive and extra directly (weird is yanked); app through derive.
      expect(exact).toMatchObject({ affectedVersions: 1, direct: 2, transitive: 3 });
      expect(labels(g, exact.directDependents)).toEqual(['derive@1.0.0', 'extra@1.0.0']);
    });
    it('gives the optional-dependency upper bound', () => {
      expect(blastRadius(g, specVersions(g, parseSpec('extra')))).toMatchObject({
        direct: 0,
        transitive: 0,
        directWithOptional: 1,
        transitiveWithOptional: 1,
      });
    });
  });

  describe('dependency tree', () => {
    const flat = (n: TreeNode, depth = 0, out: string[] = []): string[] => {
      out.push(`${'  '.repeat(depth)}${g.label(n.version)}${n.repeated ? ' (*)' : ''}`);
      for (const c of n.children) flat(c, depth + 1, out);
      return out;
    };
    it('resolves each level, skipping optional and deeper dev-dependencies', () => {
      const t = dependencyTree(g, vid(g, 'app@1.0.0'));
      expect(flat(t.root)).toEqual([
        'app@1.0.0',
        '  mid@0.2.0',
        '    base@1.0.0',
        '    builder@1.0.0',
        '  derive@1.0.0',
        '    base@1.1.0',
        '  winonly@1.0.0',
      ]);
      expect(t.versions).toBe(7);
    });
    it('marks repeats and honours depth and optional', () => {
      const t = dependencyTree(g, vid(g, 'app@1.0.0'), { includeOptional: true });
      expect(flat(t.root)).toContain('    base@1.1.0 (*)'); // under extra, already shown under derive
      expect(t.versions).toBe(8);
      const shallow = dependencyTree(g, vid(g, 'app@1.0.0'), { depth: 1 });
      expect(flat(shallow.root)).toEqual(['app@1.0.0', '  mid@0.2.0', '  derive@1.0.0', '  winonly@1.0.0']);
      expect(shallow.root.truncated).toBeUndefined();
      expect(shallow.root.children[0]!.truncated).toBe(true);
    });
    it('includes dev-dependencies of the root only', () => {
      const t = dependencyTree(g, vid(g, 'base@1.1.0'), { kinds: ['normal', 'build', 'dev'] });
      // base → (dev) derive → base 1.1.0 again: the cycle shows as a repeat, not a loop.
      expect(flat(t.root)).toEqual(['base@1.1.0', '  derive@1.0.0', '    base@1.1.0 (*)']);
    });
    it('lists unresolved dependencies', () => {
      const t = dependencyTree(g, vid(g, 'old@0.1.0'));
      expect(t.unresolved.map((u) => `${u.via.crate} ${u.via.req}`)).toEqual(['base ^3']);
    });
  });

  describe('why', () => {
    const path = (from: string, to: string, opts = {}) => {
      const p = whyPath(g, specRoot(g, parseSpec(from)), specVersions(g, parseSpec(to)), opts);
      return p === null ? null : p.map((e) => `${g.label(g.depFrom(e))} -> ${g.label(g.depResolved[e]!)}`);
    };
    it('finds a shortest path', () => {
      expect(path('app', 'base')).toEqual(['app@1.0.0 -> mid@0.2.0', 'mid@0.2.0 -> base@1.0.0']);
      expect(path('app', 'base@1.1.0')).toEqual(['app@1.0.0 -> derive@1.0.0', 'derive@1.0.0 -> base@1.1.0']);
      expect(path('app', 'app')).toEqual([]);
    });
    it('follows dev edges only from the root, optional edges only when asked', () => {
      expect(path('toplevel', 'base', { kinds: ['normal', 'build', 'dev'] })).toBeNull();
      expect(path('tester', 'base', { kinds: ['normal', 'build', 'dev'] })).toEqual([
        'tester@1.0.0 -> app@1.0.0',
        'app@1.0.0 -> mid@0.2.0',
        'mid@0.2.0 -> base@1.0.0',
      ]);
      expect(path('app', 'extra')).toBeNull();
      expect(path('app', 'extra', { includeOptional: true })).toEqual(['app@1.0.0 -> extra@1.0.0']);
    });
  });

  describe('top crates', () => {
    it('ranks by transitive dependents of latest versions', () => {
      const top = topCrates(g, 10).map((t) => `${g.crateName(t.crate)} ${t.direct}/${t.transitive}`);
      expect(top).toEqual(['base 4/5', 'builder 1/2', 'derive 1/1', 'mid 1/1', 'tester 1/1', 'winonly 1/1']);
      expect(topCrates(g, 2)).toHaveLength(2);
    });
    it('agrees with the reverse search for every crate', () => {
      for (const kinds of [undefined, ['normal', 'build', 'dev'] as const]) {
        const opts = kinds ? { kinds: [...kinds] } : {};
        const counts = dependentCounts(g, opts);
        for (let c = 0; c < g.crateCount; c++) {
          const r = findDependents(g, g.versionsOf(c), { ...opts, transitive: true });
          const crates = new Set(r.dependents.map((d) => g.versionCrate[d.version]).filter((x) => x !== c));
          expect(counts.transitive[c], g.crateName(c)).toBe(crates.size);
        }
      }
    });
  });
});
