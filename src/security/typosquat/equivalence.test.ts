// The inverted index must give exactly what the straightforward method gives.
import { describe, expect, it } from 'vitest';
import { TyposquatChecker, type PopularCrate } from './checker.js';
import { defaultTyposquatConfig } from './config.js';
import { flaggedOnly, mergeShards, scanWith } from './scan.js';

// Deterministic PRNG (mulberry32) so a failure can be replayed.
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const POPULAR = (
  'serde serde_json serde_derive log rand libc lazy_static clap failure regex syn quote proc-macro2 ' +
  'tokio futures bitflags byteorder itoa num-traits time chrono url hyper reqwest env_logger ' +
  'rustc-serialize winapi cfg-if memchr smallvec crossbeam rayon tempfile base64 sha2 digest ' +
  'rand_core rand_pcg rand_chacha tokio-core tokio-io bytes http mime uuid walkdir glob ' +
  'a b-c x1 rs-utils utils-rs core-foo foo-sys web-sys js-sys wasm-bindgen a-b-c-d-e e_d_c_b_a ' +
  'getrandom parking_lot once_cell anyhow thiserror toml semver cc pkg-config openssl'
).split(' ');

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABC0123456789-_';

function mutate(name: string, next: () => number): string {
  const pick = (s: string) => s[Math.floor(next() * s.length)]!;
  const i = Math.floor(next() * (name.length + 1));
  switch (Math.floor(next() * 8)) {
    case 0:
      return name.slice(0, i) + name.slice(i + 1); // drop
    case 1:
      return name.slice(0, i) + pick(ALPHABET) + name.slice(i); // insert
    case 2:
      return name.slice(0, i) + pick(ALPHABET) + name.slice(i + 1); // replace
    case 3:
      return name.slice(0, i) + (name[i + 1] ?? '') + (name[i] ?? '') + name.slice(i + 2); // swap
    case 4:
      return name.slice(0, i) + (name[i] ?? '') + name.slice(i); // double
    case 5:
      return name + (next() < 0.5 ? '-' : '') + Math.floor(next() * 100); // version
    case 6:
      return name
        .split(/[-_]/)
        .reverse()
        .join(next() < 0.5 ? '-' : '_'); // words
    default:
      return (next() < 0.5 ? 'rs-' : '') + name + (next() < 0.5 ? '_sys' : '-cli'); // affixes
  }
}

function sample(seed: number, count: number): string[] {
  const next = rng(seed);
  const out = new Set<string>([
    '',
    '-',
    '_',
    '1',
    '123',
    'a',
    'A',
    '--',
    'serde-',
    '-serde',
    'x_',
    ...POPULAR,
  ]);
  while (out.size < count) {
    const base = POPULAR[Math.floor(next() * POPULAR.length)]!;
    let name = mutate(base, next);
    if (next() < 0.3) name = mutate(name, next);
    out.add(name);
  }
  return [...out];
}

const corpus: PopularCrate[] = POPULAR.map((name, i) => ({
  name,
  // Some popular crates share owners so that the exemption is exercised on both sides.
  owners: i % 5 === 0 ? ['team-a'] : [`owner-${i}`],
}));
const config = { ...defaultTyposquatConfig(), allow: [['serde1', 'serde']] as [string, string][] };

describe('indexed and naive methods', () => {
  const names = sample(42, 3000);

  it('give identical hits, messages, scores and order for every name', () => {
    const indexed = new TyposquatChecker(corpus, config);
    const naive = new TyposquatChecker(corpus, config, { method: 'naive' });
    let flagged = 0;
    for (const name of names) {
      const owners = name.length % 3 === 0 ? ['team-a'] : [];
      const a = indexed.check({ name, owners });
      expect(a, name).toEqual(naive.check({ name, owners }));
      if (a.length > 0) flagged++;
    }
    // The sample must exercise the checks, not just agree on empty results.
    expect(flagged).toBeGreaterThan(1000);
  });

  it('give identical results for a batch (the join a scan uses) and one name at a time', () => {
    const candidates = names.map((name, i) => ({ name, owners: i % 7 === 0 ? ['team-a'] : [] }));
    const batch = new TyposquatChecker(corpus, config).checkAll(candidates);
    const single = new TyposquatChecker(corpus, config);
    const naive = new TyposquatChecker(corpus, config, { method: 'naive' });
    candidates.forEach((c, i) => {
      expect(batch[i], c.name).toEqual(single.check(c));
      expect(batch[i], c.name).toEqual(naive.check(c));
    });
    // Once the table exists, a batch is answered from it: still the same.
    expect(single.checkAll(candidates)).toEqual(batch);
  });

  it('give identical results when the index is split into shards', () => {
    const candidates = names.map((name) => ({ name }));
    const whole = scanWith(new TyposquatChecker(corpus, config), candidates);
    for (const count of [2, 3]) {
      const shards = Array.from({ length: count }, (_, index) =>
        flaggedOnly(new TyposquatChecker(corpus, config, { shard: { index, count } }).checkAll(candidates)),
      );
      expect(mergeShards(candidates, shards)).toEqual(whole);
    }
    expect(whole.length).toBeGreaterThan(1000);
  });

  it('agree under a different typo table, affixes and separators', () => {
    const custom = {
      ...defaultTyposquatConfig(),
      typos: { a: ['4', '@', 'aa', ''], s: ['5', 'z'], '-': ['', '--'], o: ['0'] },
      affixes: ['rs', 'x'],
      affixSeparators: ['-', ''],
    };
    const indexed = new TyposquatChecker(corpus, custom);
    const naive = new TyposquatChecker(corpus, custom, { method: 'naive' });
    for (const name of sample(7, 800)) expect(indexed.check({ name }), name).toEqual(naive.check({ name }));
  });
});
