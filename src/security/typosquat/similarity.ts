// How much a candidate's description and README look like the squatted crate's, without a
// language model: cosine similarity of word unigram+bigram counts (sublinear weights), after
// both crates' names are replaced by one placeholder, so "serdee: a serialization framework"
// and "serde: a serialization framework" are identical. Squatters copy their target's text to
// look legitimate; unrelated crates rarely share long phrases.

/** Longer texts are cut: a hostile README must not cost more than this. */
export const MAX_TEXT_CHARS = 100_000;

const STOPWORDS = new Set(
  (
    'a an and are as at be but by for from has have in into is it its of on or that the this to ' +
    'was were will with you your we our can use used using which not no if so than then there ' +
    // Words nearly every crate's text has: they say nothing about copying.
    'rust crate crates library lib rs cargo toml version license mit apache'
  ).split(' '),
);

// One word no real text has, standing for either crate's name.
const PLACEHOLDER = 'cratekeepernameplaceholder';

export interface DescribedCrate {
  name: string;
  description?: string | null;
  readme?: string | null;
}

/** Similarity in [0, 1] of two texts; the crate names in `names` count as one and the same word. */
export function textSimilarity(a: string, b: string, names: readonly string[] = []): number {
  const fa = features(a, names);
  const fb = features(b, names);
  if (fa.size === 0 || fb.size === 0) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [k, w] of fa) {
    na += w * w;
    const v = fb.get(k);
    if (v !== undefined) dot += w * v;
  }
  for (const w of fb.values()) nb += w * w;
  // Rounding can push a self-comparison a hair past 1.
  return Math.min(1, dot / Math.sqrt(na * nb));
}

/**
 * The higher of description and README similarity, each computed only when both crates have
 * that text; undefined when neither pair is available.
 */
export function metadataSimilarity(candidate: DescribedCrate, target: DescribedCrate): number | undefined {
  const names = [candidate.name, target.name];
  let best: number | undefined;
  for (const field of ['description', 'readme'] as const) {
    const x = candidate[field];
    const y = target[field];
    if (!x || !y || x.trim() === '' || y.trim() === '') continue;
    const s = textSimilarity(x, y, names);
    best = best === undefined ? s : Math.max(best, s);
  }
  return best;
}

function features(text: string, names: readonly string[]): Map<string, number> {
  const words = tokenize(text, names);
  const counts = new Map<string, number>();
  const add = (k: string) => counts.set(k, (counts.get(k) ?? 0) + 1);
  for (let i = 0; i < words.length; i++) {
    add(words[i]!);
    if (i + 1 < words.length) add(`${words[i]} ${words[i + 1]}`);
  }
  for (const [k, c] of counts) counts.set(k, 1 + Math.log(c));
  return counts;
}

function tokenize(text: string, names: readonly string[]): string[] {
  let t = text.slice(0, MAX_TEXT_CHARS).toLowerCase();
  const forms = new Set<string>();
  for (const n of names) {
    const l = n.toLowerCase();
    if (l.length < 2 || l.length > 256) continue;
    forms.add(l).add(l.replaceAll('_', '-')).add(l.replaceAll('-', '_'));
  }
  if (forms.size > 0) {
    // One pass (a replacement is never rescanned), longest first (`serde_json` before `serde`).
    const alternatives = [...forms].sort((x, y) => y.length - x.length).map(escapeRegExp);
    t = t.replace(new RegExp(alternatives.join('|'), 'g'), ` ${PLACEHOLDER} `);
  }
  const out: string[] = [];
  for (const w of t.split(/[^\p{L}\p{N}]+/u)) {
    if (w.length < 2 || STOPWORDS.has(w)) continue;
    out.push(w);
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
