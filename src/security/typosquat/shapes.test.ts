// The attack-shape checks (shapes.ts): each its own kind, after and never instead of Typomania's.
import { describe, expect, it } from 'vitest';
import { TyposquatChecker, type PopularCrate, type SquatHit, type TyposquatCandidate } from './checker.js';
import { defaultTyposquatConfig } from './config.js';
import { canonicalName } from './shapes.js';

const METHODS = ['indexed', 'naive'] as const;

const CORPUS = [
  'serde',
  'rand',
  'tokio',
  'serde_json',
  'env_logger',
  'tracing',
  'time',
  'chrono',
  'log',
  'ring',
  'tar',
  'reqwest',
  'tokio-util',
  'tracing-subscriber',
  'serde_derive',
  'serde_with_macros',
];

function crates(names: string[]): PopularCrate[] {
  return names.map((name) => ({
    name,
    owners: [`owner-of-${name}`],
    description: `${name}: the ${name} crate, for ${name.replaceAll(/[-_]/g, ' ')} things`,
  }));
}

const brief = (hits: SquatHit[]) => hits.map((h) => `${h.kind}:${h.target}`).sort();

describe.each(METHODS)('attack shapes (%s)', (method) => {
  const checker = new TyposquatChecker(crates(CORPUS), defaultTyposquatConfig(), { method });
  const parity = new TyposquatChecker(crates(CORPUS), defaultTyposquatConfig(), { method, shapes: false });
  const check = (c: string | TyposquatCandidate) =>
    brief(checker.check(typeof c === 'string' ? { name: c } : c));

  it('canonical-typo: a Typomania check on canonical forms, when the exact names miss', () => {
    expect(check('serde-jsn')).toEqual(['canonical-typo:serde_json']);
    expect(check('env-loggerr')).toEqual(['canonical-typo:env_logger']);
    expect(check('Serde-Jsno')).toEqual(['canonical-typo:serde_json']);
    const [hit] = checker.check({ name: 'serde-jsn' });
    expect(hit!.message).toBe('omits characters in serde_json (in canonical form)');
    expect(parity.check({ name: 'serde-jsn' })).toEqual([]);
  });

  it('canonical-typo: adds nothing the exact checks already report, nor for the same canonical name', () => {
    // `serde_jsn` already omits a character of `serde_json` exactly.
    expect(check('serde_jsn')).toEqual(['omitted-character:serde_json']);
    // crates.io refuses these outright: same name in canonical form.
    expect(check('serde-json')).toEqual(['swapped-words:serde_json', 'typo:serde_json']);
    expect(check('Env-Logger')).toEqual([]);
  });

  it('added-characters: plurals of names of four characters or more', () => {
    expect(check('rands')).toEqual(['added-characters:rand']);
    expect(check('tracings')).toEqual(['added-characters:tracing']);
    expect(check('chronoes')).toEqual(['added-characters:chrono']);
    expect(checker.check({ name: 'rands' })[0]!.message).toBe('adds the plural s to rand');
  });

  it('added-characters: benign look-alikes stay unflagged', () => {
    // Short names: `tars`, `logs`, `rings`? — only `ring` is long enough.
    expect(check('tars')).toEqual([]);
    expect(check('logs')).toEqual([]);
    // Other trailing letters are not reported (`timer`, `randx`), nor digits (the version check's).
    expect(check('randx')).toEqual([]);
    expect(check('timer')).toEqual([]);
    expect(check('tokios')).toEqual(['added-characters:tokio']);
  });

  it('attack-affix: suffixes seen in attacks, each with its separator', () => {
    expect(check('tokio-rst')).toEqual(['attack-affix:tokio']);
    expect(check('reqwest_sdk')).toEqual(['attack-affix:reqwest']);
    expect(check('serde-sdks')).toEqual(['attack-affix:serde']);
    expect(check('chrono-client')).toEqual(['attack-affix:chrono']);
    expect(check('rand-main')).toEqual(['attack-affix:rand']);
    expect(checker.check({ name: 'reqwest_sdk' })[0]!.message).toBe('adds the _sdk suffix for reqwest');
    // crates.io's own affixes stay the affix check's.
    expect(check('tokio-rs')).toEqual(['affix:tokio']);
    // Not a suffix, or not a popular stem.
    expect(check('sdk-tokio')).toEqual([]);
    expect(check('mything-client')).toEqual([]);
  });

  it('extra-word: only with a description like the target’s', () => {
    expect(check('tracing-check')).toEqual([]);
    const copy = { name: 'tracing-check', description: 'tracing: the tracing crate, for tracing things' };
    expect(check(copy)).toEqual(['extra-word:tracing']);
    const [hit] = checker.check(copy);
    expect(hit!.message).toBe('adds the word check to tracing');
    expect(hit!.score).toBeLessThan(checker.check({ ...copy, name: 'tracnig' })[0]!.score);
    expect(check({ ...copy, name: 'tracing_checks' })).toEqual(['extra-word:tracing']);
    expect(check({ name: 'tracing-check', description: 'Lint rules for checked arithmetic' })).toEqual([]);
  });

  it('extra-word: benign look-alikes stay unflagged', () => {
    const like = (name: string, target: string) => ({
      name,
      description: `${target}: the ${target} crate, for ${target} things`,
    });
    // A word the popular crate's own family uses (`serde_derive`, `serde_with_macros`).
    expect(check(like('serde-with', 'serde'))).toEqual([]);
    expect(check(like('serde-macros', 'serde'))).toEqual([]);
    expect(check(like('serde-validate', 'serde'))).toEqual(['extra-word:serde']);
    // An affix word (the affix checks') or a very short word, or one with digits.
    expect(check(like('chrono-cli', 'chrono'))).toEqual(['affix:chrono']);
    expect(check(like('chrono-tz', 'chrono'))).toEqual([]);
    expect(check(like('chrono-v2x', 'chrono'))).toEqual([]);
    // The same owner is never a squat.
    expect(check({ ...like('tracing-check', 'tracing'), owners: ['owner-of-tracing'] })).toEqual([]);
  });

  it('leaves every Typomania hit exactly as the parity checker gives it', () => {
    for (const name of ['tokyo', 'serde1', 'sedre', 'reqwset', 'tokio-rs', 'rand_core-rs', 'rnad']) {
      const parityHits = parity.check({ name });
      expect(
        checker.check({ name }).filter((h) => parityHits.some((p) => p.kind === h.kind)),
        name,
      ).toEqual(parityHits);
    }
  });

  it('gives the same hits in a batch as one at a time', () => {
    const names = ['serde-jsn', 'rands', 'tokio-rst', 'tokyo', 'Env-Loggerr', 'tars', 'serde'];
    expect(checker.checkAll(names.map((name) => ({ name })))).toEqual(
      names.map((name) => checker.check({ name })),
    );
  });
});

describe('canonicalName', () => {
  it('lowercases and maps - to _', () => {
    expect(canonicalName('Serde-JSON_x')).toBe('serde_json_x');
  });
});
