import { describe, expect, it } from 'vitest';
import { indexPath, nameFromIndexPath } from './index-path.js';

describe('indexPath', () => {
  it.each([
    ['a', '1/a'],
    ['Z', '1/z'],
    ['ab', '2/ab'],
    ['AB', '2/ab'],
    ['abc', '3/a/abc'],
    ['Cfg', '3/c/cfg'],
    ['abcd', 'ab/cd/abcd'],
    ['serde', 'se/rd/serde'],
    ['Serde_JSON', 'se/rd/serde_json'],
    ['a-b-c', 'a-/b-/a-b-c'],
    ['proc-macro2', 'pr/oc/proc-macro2'],
  ])('%s -> %s', (name, path) => {
    expect(indexPath(name)).toBe(path);
  });

  it('refuses the empty name', () => {
    expect(() => indexPath('')).toThrow(/empty/);
  });
});

describe('nameFromIndexPath', () => {
  it.each(['a', 'ab', 'abc', 'abcd', 'serde_json', 'a-b'])('inverts indexPath for %s', (name) => {
    expect(nameFromIndexPath(indexPath(name))).toBe(name);
  });

  it.each([
    '',
    'a',
    '1/',
    '1/ab',
    '2/a',
    '2/abc',
    '3/b/abc',
    '3/abc',
    'ab/cd',
    'ab/cd/',
    'ab/ce/abcd',
    'AB/CD/ABCD',
    'ab/cd/ABCD',
    'x/ab/cd/abcd',
    '/ab/cd/abcd',
    'ab/cd/abcd/',
    '../1/a',
  ])('refuses %j', (path) => {
    expect(nameFromIndexPath(path)).toBeNull();
  });
});
