import { describe, expect, it } from 'vitest';
import { classifyFiles, contextByPath } from './classify.js';
import type { ModuleLinks } from './classify.js';
import type { ManifestFacts } from './manifest-facts.js';

function facts(over: Partial<ManifestFacts> = {}): ManifestFacts {
  return {
    name: 'x',
    version: '1.0.0',
    build: null,
    procMacro: false,
    libPath: 'src/lib.rs',
    libName: null,
    bins: [],
    testPaths: [],
    dependencies: [],
    purpose: 'x',
    strictError: null,
    ...over,
  };
}
const links = (
  mods: ModuleLinks['mods'],
  includes: string[] = [],
  testIncludes: string[] = [],
): ModuleLinks => ({
  mods,
  includes: [
    ...includes.map((path) => ({ path, test: false })),
    ...testIncludes.map((path) => ({ path, test: true })),
  ],
});
const mod = (name: string, pathAttr: string | null = null, test = false) => ({ name, pathAttr, test });

describe('classifyFiles', () => {
  it('follows mod declarations, #[path] and include! from each root', () => {
    const paths = [
      'build.rs',
      'helpers/net.rs',
      'src/lib.rs',
      'src/a.rs',
      'src/a/b.rs',
      'src/c/mod.rs',
      'src/gen.rs',
      'src/main.rs',
      'tests/it.rs',
      'examples/demo.rs',
      'src/t.rs',
      'tools/x.rs',
      'etc/data.rs',
    ];
    const l = new Map<string, ModuleLinks>([
      ['build.rs', links([mod('net', 'helpers/net.rs')])],
      ['src/lib.rs', links([mod('a'), mod('c'), mod('t', null, true)], ['gen.rs'], ['../etc/data.rs'])],
      ['src/a.rs', links([mod('b')])],
    ]);
    const ctx = classifyFiles(paths, facts({ build: 'build.rs' }), l);
    expect(Object.fromEntries(ctx)).toEqual({
      'build.rs': 'build-script',
      'helpers/net.rs': 'build-script',
      'src/lib.rs': 'library',
      'src/a.rs': 'library',
      'src/a/b.rs': 'library',
      'src/c/mod.rs': 'library',
      'src/gen.rs': 'library',
      'src/t.rs': 'test',
      'src/main.rs': 'binary',
      'tests/it.rs': 'test',
      'examples/demo.rs': 'example',
      'tools/x.rs': 'other',
      'etc/data.rs': 'test',
    });
  });

  it('makes every library file proc-macro code in a proc-macro crate, and honours a custom build path', () => {
    const ctx = classifyFiles(
      ['src/lib.rs', 'src/expand.rs', 'build/main.rs', 'build/fetch.rs'],
      facts({ procMacro: true, build: 'build/main.rs' }),
      new Map([['src/lib.rs', links([mod('expand')])]]),
    );
    expect(ctx.get('src/expand.rs')).toBe('proc-macro');
    expect(ctx.get('build/main.rs')).toBe('build-script');
    // Not reached by a mod declaration, but inside the build script's directory.
    expect(ctx.get('build/fetch.rs')).toBe('build-script');
  });

  it('judges unreached files by location, and copes with no manifest', () => {
    expect(contextByPath('benchmarks/benches/x.rs', null)).toBe('bench');
    expect(contextByPath('crates/a/tests/fixtures/x.rs', null)).toBe('test');
    expect(contextByPath('src/bin/tool.rs', null)).toBe('binary');
    const ctx = classifyFiles(['src/lib.rs', 'src/x.rs'], null, new Map());
    expect(ctx.get('src/x.rs')).toBe('library');
  });

  it('ignores module paths that escape or do not exist', () => {
    const ctx = classifyFiles(
      ['src/lib.rs', 'evil.rs'],
      facts(),
      new Map([['src/lib.rs', links([mod('m', '../../../../etc/passwd'), mod('missing')])]]),
    );
    expect(ctx.get('evil.rs')).toBe('other');
    expect(ctx.size).toBe(2);
  });
});
