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
  'proc-macro2',
  'proc-macro-error-attr',
  'sha2',
  'sha-1',
  'libusb',
  'postgres',
  'postgres-openssl',
  'base64',
  'hyper',
  'named_pipe',
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
    // `-client` is what legitimate clients are called too: it scores as crates.io's affixes do.
    const score = (name: string) => checker.check({ name })[0]!.score;
    expect(score('chrono-client')).toBe(score('chrono-rs'));
    expect(score('chrono-main')).toBeGreaterThan(score('chrono-client'));
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

  it('extra-word: on the name alone only when asked for', () => {
    const byName = new TyposquatChecker(crates(CORPUS), defaultTyposquatConfig(), {
      method,
      extraWordByName: true,
    });
    expect(brief(byName.check({ name: 'tracing-check' }))).toEqual(['extra-word:tracing']);
    // Family words and affixes stay unflagged that way too.
    expect(brief(byName.check({ name: 'serde-macros' }))).toEqual([]);
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

  it('attack-affix: also after a version number of the popular name', () => {
    expect(check('libusb1-main')).toEqual(['attack-affix:libusb']);
    expect(check('libusb2_sdk')).toEqual(['attack-affix:libusb']);
    expect(checker.check({ name: 'libusb1-main' })[0]!.message).toBe(
      'adds the version 1 and the -main suffix for libusb',
    );
    // crates.io's affixes after a version are legitimate bindings (`libusb1-sys`, `lua53-sys`).
    expect(check('libusb1-sys')).toEqual([]);
    // Names under four characters: `log4-main` is not `log`.
    expect(check('log4-main')).toEqual([]);
  });

  it('version-stem: a versioned name without its number, plus an affix or (long stems) a word', () => {
    expect(check('sha-rust')).toEqual(['version-stem:sha2']);
    expect(check('sha_rst')).toEqual(['version-stem:sha2']);
    expect(check('proc-macro-en')).toEqual(['version-stem:proc-macro2']);
    expect(check('proc_macro_loader')).toEqual(['version-stem:proc-macro2']);
    expect(checker.check({ name: 'proc-macro-en' })[0]!.message).toBe(
      'drops the version 2 of proc-macro2 and adds en',
    );
    expect(parity.check({ name: 'sha-rust' })).toEqual([]);
    // An attack-only suffix after the stem weighs as it does after the name (attack-affix).
    const score = (name: string) => checker.check({ name })[0]!.score;
    expect(score('sha-rst')).toBeGreaterThan(score('sha-rust'));
  });

  it('version-stem: benign look-alikes stay unflagged', () => {
    // A short stem with a word that is no affix: RustCrypto's `sha-crypt`, `sha-hash`.
    expect(check('sha-crypt')).toEqual([]);
    // A word the stem's own family uses (`proc-macro-error-attr` puts `error`, `attr` in it).
    expect(check('proc-macro-attr')).toEqual([]);
    expect(check('proc-macro-error')).toEqual([]);
    // Another version number is the Typomania checks' business (`sha3` is a crate of its own).
    expect(check('sha3')).toEqual(brief(parity.check({ name: 'sha3' })));
  });

  it('merged-word: a companion or family word merged into a popular name', () => {
    expect(check('postgresderive')).toEqual(['merged-word:postgres']);
    // A family word (`postgres-openssl`), beside the omitted `-` of that popular name itself.
    expect(check('postgresopenssl')).toEqual(['merged-word:postgres', 'omitted-character:postgres-openssl']);
    expect(check('base64core')).toEqual(['merged-word:base64']);
    expect(checker.check({ name: 'postgresderive' })[0]!.message).toBe(
      'merges the word derive into postgres',
    );
  });

  it('merged-word: benign look-alikes stay unflagged', () => {
    // Short popular names make words of their own (`hypercore`, `hyperderive`, `randcore`).
    expect(check('hypercore')).toEqual([]);
    // Not a companion word (`postgresql`), or a separator kept (the affix or extra-word checks').
    expect(check('postgresql')).toEqual([]);
    expect(check('postgres-derive')).toEqual([]);
  });

  it('qualifier-word: a platform word in front of a popular name, with an optional affix', () => {
    expect(check('win-base64-rs')).toEqual(['qualifier-word:base64']);
    expect(check('windows-base64')).toEqual(['qualifier-word:base64']);
    expect(check('linux_postgres_sys')).toEqual(['qualifier-word:postgres']);
    expect(checker.check({ name: 'win-base64-rs' })[0]!.message).toBe('adds the word win and rs to base64');
  });

  it('qualifier-word: benign look-alikes stay unflagged', () => {
    // After the name is how platform variants are named (`tokio-windows`, `serial-win`).
    expect(check('base64-windows')).toEqual([]);
    // `async` variants are legitimate (`async-http`, `redis-async`), and short names too vague.
    expect(check('async-base64')).toEqual([]);
    expect(check('win-tokio')).toEqual([]);
    // Another word in between is not a port of the popular name.
    expect(check('win-fast-base64')).toEqual([]);
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
    const names = ['serde-jsn', 'rands', 'tokio-rst', 'tokyo', 'Env-Loggerr', 'tars', 'serde', 'sha-rust'];
    names.push('libusb1-main', 'proc-macro-en', 'postgresderive', 'win-base64-rs', 'hypercore');
    expect(checker.checkAll(names.map((name) => ({ name })))).toEqual(
      names.map((name) => checker.check({ name })),
    );
  });
});

describe.each(METHODS)('off-convention-word (%s)', (method) => {
  // A small ecosystem: chrono's and time's families join words with `-`; `sync` and `derive`
  // are words many crates use after a crate name.
  const ECOSYSTEM = [
    ...CORPUS,
    ...['tz', 'humanize', 'english', 'utils', 'parse'].map((w) => `chrono-${w}`),
    ...['macros', 'humanize', 'fmt', 'ext', 'format'].map((w) => `time-${w}`),
    ...['a', 'b', 'c'].flatMap((x) => [x, `${x}-sync`, `${x}_derive`]),
    'tokio_quic',
  ];
  const checker = new TyposquatChecker(crates(CORPUS), defaultTyposquatConfig(), {
    method,
    ecosystem: ECOSYSTEM,
  });
  const check = (name: string) => brief(checker.check({ name }));

  it('flags a rare word joined by the separator the family does not use', () => {
    expect(check('chrono_anchor')).toEqual(['off-convention-word:chrono']);
    expect(check('time_calibrators')).toEqual(['off-convention-word:time']);
    const [hit] = checker.check({ name: 'chrono_anchor' });
    expect(hit!.message).toBe('adds the word anchor to chrono with _ (5 of its 5 family crates use -)');
    // Ranked with the deliberate shapes, above an affix hit.
    expect(hit!.score).toBeGreaterThan(checker.check({ name: 'chrono-rs' })[0]!.score);
  });

  it('leaves the family separator, common extension words and small families alone', () => {
    expect(check('chrono-anchor')).toEqual([]);
    expect(check('chrono_sync')).toEqual([]);
    expect(check('chrono_derive')).toEqual([]);
    // tokio has no family of five in this ecosystem; tracing only one (tracing-subscriber).
    expect(check('tokio-quic')).toEqual([]);
    expect(check('tracing_checks')).toEqual([]);
    // Words of one or two letters are not looked at.
    expect(check('chrono_tz')).toEqual([]);
  });

  it('does not count a candidate that is itself an ecosystem name as evidence', () => {
    const withIt = new TyposquatChecker(crates(CORPUS), defaultTyposquatConfig(), {
      method,
      ecosystem: [...ECOSYSTEM, 'chrono_anchor', 'b_anchor'],
    });
    // chrono_anchor itself is not counted (still 5 of 5 use -); b_anchor is one other use of the word.
    expect(brief(withIt.check({ name: 'chrono_anchor' }))).toEqual(['off-convention-word:chrono']);
    const more = new TyposquatChecker(crates(CORPUS), defaultTyposquatConfig(), {
      method,
      ecosystem: [...ECOSYSTEM, 'b_anchor', 'c_anchor'],
    });
    expect(brief(more.check({ name: 'chrono_anchor' }))).toEqual([]);
  });

  it('is off without the ecosystem', () => {
    const none = new TyposquatChecker(crates(CORPUS), defaultTyposquatConfig(), { method });
    expect(brief(none.check({ name: 'chrono_anchor' }))).toEqual([]);
  });
});

describe('canonicalName', () => {
  it('lowercases and maps - to _', () => {
    expect(canonicalName('Serde-JSON_x')).toBe('serde_json_x');
  });
});
