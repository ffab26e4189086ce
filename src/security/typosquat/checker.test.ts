import { describe, expect, it } from 'vitest';
import { TyposquatChecker, type PopularCrate, type SquatHit } from './checker.js';
import { defaultTyposquatConfig, type TyposquatConfig } from './config.js';

const METHODS = ['indexed', 'naive'] as const;

function crates(...names: string[]): PopularCrate[] {
  return names.map((name) => ({ name, owners: [`owner-of-${name}`] }));
}

function config(patch: Partial<TyposquatConfig> = {}): TyposquatConfig {
  return { ...defaultTyposquatConfig(), ...patch };
}

const brief = (hits: SquatHit[]) => hits.map((h) => `${h.kind}:${h.target}`).sort();

describe.each(METHODS)('checks through the harness (%s)', (method) => {
  const check = (corpus: string[], name: string, patch: Partial<TyposquatConfig> = {}) =>
    brief(new TyposquatChecker(crates(...corpus), config(patch), { method }).check({ name }));

  it('never flags a popular crate, nor a candidate equal to its target', () => {
    expect(check(['serde', 'serde_json', 'serde_derive'], 'serde_json')).toEqual([]);
    expect(check(['serde'], 'serde')).toEqual([]);
  });

  it('handles the empty name', () => {
    expect(check(['a', 'serde'], '')).toEqual(['omitted-character:a']);
    expect(check(['serde'], '')).toEqual([]);
  });

  it('handles single characters', () => {
    // `a` → `q` is both a QWERTY typo and a flip of bit 4.
    expect(check(['q', 'ab', 'a1', 'b'], 'a')).toEqual([
      'bitflip:q',
      'omitted-character:a1',
      'omitted-character:ab',
      'typo:q',
    ]);
    expect(check(['a'], 'A')).toEqual(['bitflip:a']);
  });

  it('handles names made only of digits (no version stem is left)', () => {
    expect(check(['1234', '12', '1'], '123')).toEqual(['omitted-character:1234']);
    expect(check(['124'], '123')).toEqual(['typo:124']);
  });

  it('handles separators at the ends', () => {
    expect(check(['serde'], 'serde-')).toEqual(['typo:serde', 'version:serde']);
    expect(check(['serde'], 'serde_')).toEqual(['typo:serde']);
    expect(check(['serde'], '-serde')).toEqual(['typo:serde']);
    expect(check(['serde-'], 'serde_')).toEqual(['swapped-words:serde-', 'typo:serde-']);
  });

  it('finds each kind', () => {
    expect(check(['serde'], 'serdde')).toEqual(['repeated-character:serde']);
    expect(check(['serde'], 'sedre')).toEqual(['swapped-characters:serde']);
    expect(check(['serde'], 'serde2')).toEqual(['version:serde']);
    expect(check(['serde-1'], 'serde-1-0')).toEqual(['version:serde-1']);
    expect(check(['serde'], 'sesde')).toEqual(['bitflip:serde']);
    expect(check(['serde'], 'sere')).toEqual(['omitted-character:serde']);
    expect(check(['serde-json'], 'json_serde')).toEqual(['swapped-words:serde-json']);
    expect(check(['serde'], 'swrde')).toEqual(['typo:serde']);
    expect(check(['tokio'], 'tokio-rs')).toEqual(['affix:tokio']);
  });

  it('takes any max_k words of a longer name for swapped words', () => {
    expect(check(['a-b-c-d-e'], 'f_e_d_c_b_a')).toEqual(['swapped-words:a-b-c-d-e']);
    // Exactly max_k words are taken from a longer name, never fewer.
    expect(check(['a-b-c-d'], 'a-b-c-d-e-f')).toEqual([]);
    expect(check(['e_d_c_b_a'], 'a-b-c-d-e-f')).toEqual(['swapped-words:e_d_c_b_a']);
    expect(check(['a-a-b-c-d'], 'a-b-c-d-e-f')).toEqual([]);
  });

  it("runs crates.io's affix test", () => {
    const popular: PopularCrate[] = [
      { name: 'foo', owners: ['Alice', 'Bob'] },
      { name: 'bar-rs', owners: ['Charlie'] },
      { name: 'quux_sys', owners: ['Alice'] },
      { name: 'core-xyz', owners: ['Alice'] },
    ];
    const checker = new TyposquatChecker(popular, config({ affixes: ['core', 'rs', 'sys'] }), { method });
    const affixHits = (name: string, owners: string[]) =>
      checker.check({ name, owners }).filter((h) => h.kind === 'affix');
    expect(affixHits('bar', ['Charlie'])).toEqual([]);
    expect(affixHits('baz', ['Bob'])).toEqual([]);
    expect(affixHits('foo-rs', ['Alice'])).toEqual([]);
    for (const name of ['foo-rs', 'rs-foo', 'quux', 'quux_sys_rs', 'xyz']) {
      expect(affixHits(name, ['Charlie']).length, name).toBeGreaterThan(0);
    }
    expect(affixHits('rs-foo', ['Charlie'])[0]!.message).toBe('adds the rs- prefix for foo');
    expect(affixHits('xyz', ['Charlie'])[0]!.message).toBe('removes the core- prefix for core-xyz');
    expect(affixHits('quux', ['Charlie'])[0]!.message).toBe('removes the _sys suffix for quux_sys');
  });
});

describe('owners and the allow-list', () => {
  const corpus: PopularCrate[] = [
    { name: 'serde', owners: ['dtolnay', 'github:serde-rs:publish'] },
    { name: 'rand', owners: [] },
  ];

  it('does not flag a crate sharing an owner with the popular crate (user or team)', () => {
    const checker = new TyposquatChecker(corpus, config());
    expect(checker.check({ name: 'serdee', owners: ['dtolnay'] })).toEqual([]);
    expect(checker.check({ name: 'serdee', owners: ['github:serde-rs:publish'] })).toEqual([]);
    expect(brief(checker.check({ name: 'serdee', owners: ['someone'] }))).toEqual([
      'repeated-character:serde',
    ]);
    expect(brief(checker.check({ name: 'serdee' }))).toEqual(['repeated-character:serde']);
  });

  it('flags when neither side has owners (Typomania: no owners in common)', () => {
    const checker = new TyposquatChecker(corpus, config());
    expect(brief(checker.check({ name: 'randd', owners: [] }))).toEqual(['repeated-character:rand']);
  });

  it('drops allowed (candidate, target) pairs only', () => {
    const checker = new TyposquatChecker(
      [...corpus, { name: 'maplit', owners: [] }],
      config({ allow: [['maplit2', 'maplit']] }),
    );
    expect(checker.check({ name: 'maplit2' })).toEqual([]);
    expect(brief(checker.check({ name: 'maplit3' }))).toEqual(['version:maplit']);
  });

  it('reports the target owners and rank', () => {
    const hit = new TyposquatChecker(corpus, config()).check({ name: 'serdee' })[0]!;
    expect(hit).toMatchObject({
      target: 'serde',
      targetOwners: ['dtolnay', 'github:serde-rs:publish'],
      targetRank: 1,
    });
  });
});

describe('corpus handling', () => {
  it('uses only the first `top` crates', () => {
    const checker = new TyposquatChecker(crates('serde', 'tokio'), config({ top: 1 }));
    expect(checker.size).toBe(1);
    expect(checker.check({ name: 'tokioo' })).toEqual([]);
    expect(checker.check({ name: 'serdee' })).toHaveLength(1);
  });

  it('keeps the first of duplicate names', () => {
    const checker = new TyposquatChecker(
      [
        { name: 'serde', owners: ['a'] },
        { name: 'serde', owners: ['b'] },
      ],
      config(),
    );
    expect(checker.check({ name: 'serdee', owners: ['b'] })).toHaveLength(1);
    expect(checker.check({ name: 'serdee', owners: ['a'] })).toEqual([]);
  });

  it('reports a hit once even when several positions lead to it', () => {
    // `aab` is reached by inserting `a` at position 0 or 1: Typomania reports it twice.
    const hits = new TyposquatChecker(crates('aab'), config()).check({ name: 'ab' });
    expect(brief(hits)).toEqual(['omitted-character:aab']);
  });
});

describe('scores', () => {
  it('sorts hits worst first and ranks popular, long, deliberate targets higher', () => {
    const checker = new TyposquatChecker(crates('serde_json', 'a1', 'lib', 'x'), config());
    const hits = checker.check({ name: 'serde_jsno' });
    expect(hits[0]!.target).toBe('serde_json');
    const scores = new TyposquatChecker(crates('serde_json', 'zz', 'libc'), config()).check({ name: 'lib' });
    expect(scores.map((h) => h.score)).toEqual([...scores.map((h) => h.score)].sort((a, b) => b - a));
    const popular = new TyposquatChecker(crates('tokio', 'other', 'tokoi'), config()).check({
      name: 'tokii',
    });
    expect(popular.length).toBeGreaterThan(0);
    const byTarget = new Map(popular.map((h) => [h.target, h.score]));
    // Same kind (typo) and length: the more popular target scores higher.
    expect(byTarget.get('tokio')!).toBeGreaterThan(byTarget.get('tokoi')!);
    for (const h of popular) expect(h.score).toBeGreaterThanOrEqual(0);
    for (const h of popular) expect(h.score).toBeLessThanOrEqual(100);
  });

  it('reports description/README similarity and lets copied text raise the score', () => {
    const corpus: PopularCrate[] = [
      {
        name: 'serde',
        owners: ['dtolnay'],
        description: 'A generic serialization/deserialization framework',
        readme:
          '# Serde\n\nSerde is a framework for serializing and deserializing Rust data structures efficiently and generically.',
      },
    ];
    const checker = new TyposquatChecker(corpus, config());
    const copied = checker.check({
      name: 'serdee',
      description: 'A generic serialization/deserialization framework',
      readme:
        '# Serdee\n\nSerdee is a framework for serializing and deserializing Rust data structures efficiently and generically.',
    })[0]!;
    const unrelated = checker.check({
      name: 'serdee',
      description: 'Bindings to a GPU compute API for shaders',
    })[0]!;
    const unknown = checker.check({ name: 'serdee' })[0]!;
    expect(copied.similarity).toBeGreaterThan(0.95);
    expect(unrelated.similarity).toBeLessThan(0.2);
    expect(unknown.similarity).toBeUndefined();
    expect(copied.score).toBeGreaterThan(unknown.score);
    expect(unknown.score).toBeGreaterThan(unrelated.score);
  });
});

describe('blocking', () => {
  it('blocks only hits on the top block_top crates, and nothing when 0', () => {
    const corpus = crates('serde', 'tokio', 'rand');
    const on = new TyposquatChecker(corpus, config({ blockTop: 2 }));
    expect(on.blocking(on.check({ name: 'tokioo' }))).toHaveLength(1);
    expect(on.blocking(on.check({ name: 'randd' }))).toEqual([]);
    const off = new TyposquatChecker(corpus, config({ blockTop: 0 }));
    expect(off.blocking(off.check({ name: 'serdee' }))).toEqual([]);
  });
});

describe('impersonated publishers', () => {
  const corpus: PopularCrate[] = [
    { name: 'serde', owners: ['dtolnay'] },
    { name: 'syn', owners: ['dtolnay', 'alexcrichton'] },
    { name: 'libc', owners: ['alexcrichton', 'github:rust-lang:libs'] },
  ];
  const checker = new TyposquatChecker(corpus, config());

  it('flags a login within the checks of a popular owner (dtolney vs dtolnay)', () => {
    const hits = checker.checkPublisher('dtolney');
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({
      kind: 'impersonated-publisher',
      target: 'dtolnay',
      crates: ['serde', 'syn'],
    });
    expect(hits[0]!.message).toBe('publisher dtolney may be a bitflip of dtolnay, owner of serde, syn');
    expect(checker.checkPublisher('alexcrihton')[0]).toMatchObject({
      target: 'alexcrichton',
      crates: ['syn', 'libc'],
    });
  });

  it('does not flag the owners themselves, in any case, nor unrelated logins', () => {
    expect(checker.checkPublisher('dtolnay')).toEqual([]);
    expect(checker.checkPublisher('DTolnay')).toEqual([]);
    expect(checker.checkPublisher('octocat')).toEqual([]);
    expect(checker.checkPublisher('')).toEqual([]);
  });

  it('ranks the owner of more popular crates first', () => {
    const c = new TyposquatChecker(
      [
        { name: 'serde', owners: ['abcd'] },
        { name: 'x', owners: [] },
        { name: 'y', owners: [] },
        { name: 'zeta', owners: ['abcg'] },
      ],
      config(),
    );
    const hits = c.checkPublisher('abcf');
    expect(hits.map((h) => h.target)).toEqual(['abcd', 'abcg']);
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
  });
});

describe('hostile input', () => {
  const checker = new TyposquatChecker(crates('serde', 'a-b-c-d-e', 'tokio'), config());

  it('copes with a very long name', () => {
    const long = 'a'.repeat(1_000_000);
    const t = Date.now();
    expect(checker.check({ name: long })).toEqual([]);
    expect(checker.checkPublisher(long)).toEqual([]);
    // Not a timing assertion on the checks: this guards against a quadratic blow-up hanging the test.
    expect(Date.now() - t).toBeLessThan(20_000);
  });

  it('copes with a name of many words (the naive method would try P(n, 5) permutations)', () => {
    const words = Array.from({ length: 60 }, (_, i) =>
      String.fromCharCode(97 + (i % 26)).repeat(1 + Math.floor(i / 26)),
    );
    const name = ['e', 'd', 'c', 'b', 'a', ...words].join('-');
    expect(brief(checker.check({ name }))).toContain('swapped-words:a-b-c-d-e');
  });

  it('copes with non-ASCII, control characters and lone surrogates', () => {
    for (const name of ['sérde', 'serde\u0000', 'serd\ud800', '\u0000', '🦀', 'ﬀ']) {
      const hits = checker.check({ name, description: name, readme: name });
      for (const h of hits) expect(['serde', 'tokio', 'a-b-c-d-e']).toContain(h.target);
    }
    expect(brief(checker.check({ name: 'serde\u0000' }))).toEqual([]);
  });

  it('copes with a huge README', () => {
    const c = new TyposquatChecker(
      [{ name: 'serde', owners: [], readme: 'serde '.repeat(200_000) }],
      config(),
    );
    const hits = c.check({ name: 'serdee', readme: 'x '.repeat(500_000) });
    expect(hits[0]!.similarity).toBe(0);
  });
});
