// Against the real crates.io index of 2019-11-10: the top 3,000 crates by distinct dependents,
// and names from that index that look like squats of them.
import { beforeAll, describe, expect, it } from 'vitest';
import { readCratesIndex } from '../../formats/crates-index.js';
import { TyposquatChecker } from './checker.js';
import { defaultTyposquatConfig } from './config.js';
import { IndexPopularity } from './corpus.js';

const INDEX = new URL('../../../../shared/data/crates-io-index-2019-11-10.tar.gz', import.meta.url).pathname;

let popularity: IndexPopularity;
let checker: TyposquatChecker;

beforeAll(async () => {
  popularity = new IndexPopularity();
  await readCratesIndex(INDEX, (name, lines) => popularity.add(name, lines));
  checker = new TyposquatChecker(popularity.top(3000), defaultTyposquatConfig(), {
    ecosystem: popularity.allNames(),
  });
}, 120_000);

describe('the 2019 crates.io index', () => {
  it('ranks the crates everyone depends on first', () => {
    expect(popularity.allNames()).toHaveLength(31_839);
    const top = popularity.top(10).map((c) => c.name);
    expect(top).toContain('serde');
    expect(top).toContain('libc');
    expect(popularity.dependentCount('serde')).toBeGreaterThan(popularity.dependentCount('tokio'));
  });

  it.each([
    ['tokyo', 'typo', 'tokio'],
    ['serde_dbor', 'typo', 'serde_cbor'],
    ['rustc-serialize2', 'version', 'rustc-serialize'],
    ['serde1', 'version', 'serde'],
    ['lvm-sys', 'omitted-character', 'llvm-sys'],
    ['tyenum', 'omitted-character', 'typenum'],
    ['mmime', 'repeated-character', 'mime'],
    ['pets', 'swapped-characters', 'pest'],
    ['request', 'bitflip', 'reqwest'],
    ['pcg_rand', 'swapped-words', 'rand_pcg'],
    ['core_rustc-serialize', 'affix', 'rustc-serialize'],
  ])('flags %s: %s of %s', (name, kind, target) => {
    expect(popularity.allNames()).toContain(name);
    const hits = checker.check({ name });
    expect(hits.some((h) => h.kind === kind && h.target === target)).toBe(true);
  });

  it.each(['ripgrep', 'tokei', 'alacritty', 'fd-find', 'hyperfine', 'wasm-pack', 'serde', 'tokio'])(
    'does not flag %s',
    (name) => {
      expect(popularity.allNames()).toContain(name);
      expect(checker.check({ name })).toEqual([]);
    },
  );

  it('gives the same results as the straightforward method on a sample of the index', () => {
    const ecosystem = popularity.allNames();
    const naive = new TyposquatChecker(popularity.top(3000), defaultTyposquatConfig(), {
      method: 'naive',
      ecosystem,
    });
    const all = popularity.allNames().map((name) => ({ name }));
    // The whole index as one batch (what `scan` does), compared on every tenth name.
    const batch = new TyposquatChecker(popularity.top(3000), defaultTyposquatConfig(), {
      ecosystem,
    }).checkAll(all);
    let flagged = 0;
    for (let i = 0; i < all.length; i += 10) {
      const name = all[i]!.name;
      const hits = naive.check({ name });
      expect(checker.check({ name }), name).toEqual(hits);
      expect(batch[i], name).toEqual(hits);
      if (hits.length > 0) flagged++;
    }
    expect(flagged).toBeGreaterThan(50);
    expect(batch.filter((h) => h.length > 0).length).toBeGreaterThan(1000);
  });
});

describe('the attack-shape checks on the 2019 index', () => {
  it('keep the flagged share at or below 5%, the Typomania checks flagging what they did', () => {
    const all = popularity.allNames().map((name) => ({ name }));
    const flagged = checker.checkAll(all).filter((h) => h.length > 0).length;
    const parity = new TyposquatChecker(popularity.top(3000), defaultTyposquatConfig(), { shapes: false })
      .checkAll(all)
      .filter((h) => h.length > 0).length;
    expect(parity).toBe(1473);
    expect(flagged).toBeGreaterThan(parity);
    expect(flagged / all.length).toBeLessThanOrEqual(0.05);
  });
});

describe('the attack shapes on names of those shapes the index does not hold', () => {
  // Made up, not taken from any attack: the shapes must carry over to names never seen.
  it.each([
    ['win-reqwest-rs', 'qualifier-word', 'reqwest'],
    ['futuresutil', 'merged-word', 'futures'],
    ['dieselderive', 'merged-word', 'diesel'],
    ['rust-argon-sdk', 'version-stem', 'rust-argon2'],
    ['winapi3-main', 'attack-affix', 'winapi'],
    ['chrono_leapfix', 'off-convention-word', 'chrono'],
    ['time_leapsmear', 'off-convention-word', 'time'],
  ])('%s is a %s of %s', (name, kind, target) => {
    expect(popularity.allNames()).not.toContain(name);
    expect(checker.check({ name }).map((h) => [h.kind, h.target])).toContainEqual([kind, target]);
  });
});
