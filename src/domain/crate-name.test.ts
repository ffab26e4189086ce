import { describe, expect, it } from 'vitest';
import {
  MAX_CRATE_NAME_LENGTH,
  RESERVED_CRATE_NAMES,
  canonicalCrateName,
  crateNameError,
  isReservedCrateName,
} from './crate-name.js';

describe('crateNameError', () => {
  it.each(['a', 'serde', 'serde_json', 'proc-macro2', 'A', 'Inflector', 'x86', 'a-_-b', 'a1', 'Z9_'])(
    'accepts %j',
    (name) => {
      expect(crateNameError(name)).toBeNull();
    },
  );

  it('accepts exactly 64 characters and refuses 65', () => {
    expect(MAX_CRATE_NAME_LENGTH).toBe(64);
    expect(crateNameError('a'.repeat(64))).toBeNull();
    expect(crateNameError('a'.repeat(65))).toMatch(/too long \(max 64 characters\)/);
  });

  it('keeps the message short for a huge name', () => {
    expect(crateNameError('a'.repeat(100_000))!.length).toBeLessThan(200);
  });

  it('refuses the empty name', () => {
    expect(crateNameError('')).toBe('crate name cannot be empty');
  });

  it.each(['1abc', '9', '_abc', '-abc', 'éa', ' abc', '😀a'])(
    'refuses %j: the first character must be a letter',
    (name) => {
      expect(crateNameError(name)).toMatch(/first character must be an ASCII letter/);
    },
  );

  it.each([
    ['abc def', ' '],
    ['abc.def', '.'],
    ['abc/def', '/'],
    ['abc+def', '+'],
    ['café', 'é'],
    ['aΑ', 'Α'], // Greek capital alpha, a Latin look-alike
    ['a😀', '😀'],
    ['a\u0000', '\u0000'],
    ['a\u200b', '\u200b'], // zero-width space
  ])('refuses %j for the character %j', (name, ch) => {
    const err = crateNameError(name);
    expect(err).toMatch(/invalid character/);
    expect(err).toContain(`\`${ch}\``);
  });
});

describe('canonicalCrateName', () => {
  it('folds case and treats - and _ alike', () => {
    expect(canonicalCrateName('Serde-JSON')).toBe('serde_json');
    expect(canonicalCrateName('serde_json')).toBe(canonicalCrateName('SERDE-json'));
    expect(canonicalCrateName('a--b')).toBe('a__b');
    expect(canonicalCrateName('ab')).not.toBe(canonicalCrateName('a_b'));
  });
});

describe('isReservedCrateName', () => {
  it.each([
    'std',
    'core',
    'alloc',
    'proc_macro',
    'proc-macro',
    'PROC_MACRO',
    'test',
    'nul',
    'NUL',
    'con',
    'prn',
    'aux',
    'Com1',
    'com9',
    'LPT1',
    'lpt9',
    // the dependency that keeps quarantined versions unresolvable must never be publishable
    'cratekeeper-held-for-review',
    'Cratekeeper_Held_For_Review',
  ])('reserves %j', (name) => {
    expect(isReservedCrateName(name)).toBe(true);
  });

  it.each(['serde', 'com10', 'com0', 'lpt', 'nul1', 'standard', 'std2', 'proc-macro2', 'cons'])(
    'does not reserve %j',
    (name) => {
      expect(isReservedCrateName(name)).toBe(false);
    },
  );

  it('reserves every listed name under every spelling that collides with it', () => {
    for (const name of RESERVED_CRATE_NAMES) {
      expect(isReservedCrateName(name.toUpperCase())).toBe(true);
      expect(isReservedCrateName(name.replaceAll('_', '-'))).toBe(true);
    }
  });
});
