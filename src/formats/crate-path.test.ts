import { describe, expect, it } from 'vitest';
import { CrateArchiveError, showPath } from './crate-archive-error.js';
import { checkPrefix, entryPathComponents } from './crate-path.js';

function codeOf(run: () => unknown): string | null {
  try {
    run();
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(CrateArchiveError);
    return (err as CrateArchiveError).code;
  }
}

describe('entryPathComponents', () => {
  it('splits plain relative paths and drops one trailing slash', () => {
    expect(entryPathComponents('foo-1.0.0/src/lib.rs')).toEqual(['foo-1.0.0', 'src', 'lib.rs']);
    expect(entryPathComponents('foo-1.0.0/src/')).toEqual(['foo-1.0.0', 'src']);
    expect(entryPathComponents('foo-1.0.0/')).toEqual(['foo-1.0.0']);
    expect(entryPathComponents('foo-1.0.0/...rs')).toEqual(['foo-1.0.0', '...rs']);
    expect(entryPathComponents('foo-1.0.0/..hidden')).toEqual(['foo-1.0.0', '..hidden']);
    expect(entryPathComponents('foo-1.0.0/日本語.rs')).toEqual(['foo-1.0.0', '日本語.rs']);
  });

  it.each([
    ['', 'bad-path'],
    ['/', 'absolute-path'],
    ['/abs', 'absolute-path'],
    ['\\abs', 'absolute-path'],
    ['c:relative-to-drive', 'absolute-path'],
    ['..', 'path-traversal'],
    ['a/..', 'path-traversal'],
    ['a/../b', 'path-traversal'],
    ['a\\..', 'path-traversal'],
    ['a\\b', 'bad-path'],
    ['a//b', 'bad-path'],
    ['a/./b', 'bad-path'],
    ['.', 'bad-path'],
    ['a//', 'bad-path'],
    ['a/b\0c', 'bad-path'],
    ['a/\u001b[2Jb', 'bad-path'],
    ['a/\u0085b', 'bad-path'],
  ])('%j → %s', (path, code) => {
    expect(codeOf(() => entryPathComponents(path))).toBe(code);
  });

  it('wants the crate directory to be one component', () => {
    expect(codeOf(() => checkPrefix('foo-1.0.0'))).toBeNull();
    expect(codeOf(() => checkPrefix('foo/1.0.0'))).toBe('bad-path');
    expect(codeOf(() => checkPrefix('..'))).toBe('path-traversal');
  });
});

describe('showPath', () => {
  it('escapes control characters and backticks, and shortens long names', () => {
    expect(showPath('a\nb\u001b`c')).toBe('`a\\u{a}b\\u{1b}\\`c`');
    const shown = showPath(`head/${'x'.repeat(5000)}/tail.rs`);
    expect(shown.length).toBeLessThan(300);
    expect(shown).toMatch(/^`head\/x+…x+\/tail\.rs`$/);
  });
});
