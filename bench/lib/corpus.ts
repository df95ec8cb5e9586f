/**
 * Deterministic synthetic news-like text for search and content benchmarks: a Zipf-distributed vocabulary, so
 * some terms match most documents and others almost none, as in real archives.
 */

/** A small seeded PRNG (mulberry32) so every run indexes the same corpus. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ren',
  'ta',
  'vos',
  'el',
  'dra',
  'quin',
  'sor',
  'pe',
  'lun',
  'gat',
  'hor',
  'bix',
  'ne',
];

/** Builds a vocabulary of `size` distinct pseudo-words. */
export function vocabulary(size: number, random: () => number): string[] {
  const words = new Set<string>();
  while (words.size < size) {
    const n = 2 + Math.floor(random() * 3);
    let w = '';
    for (let i = 0; i < n; i += 1) w += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    words.add(w);
  }
  return [...words];
}

/** Samples vocabulary ranks with a Zipf(s≈1) distribution via the inverse of a harmonic CDF table. */
export function zipfSampler(size: number, random: () => number): () => number {
  const cdf = new Float64Array(size);
  let sum = 0;
  for (let i = 0; i < size; i += 1) {
    sum += 1 / (i + 1);
    cdf[i] = sum;
  }
  return () => {
    const target = random() * sum;
    let lo = 0;
    let hi = size - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cdf[mid] ?? 0) < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** A text of `words` words drawn from the vocabulary. */
export function sentence(words: number, vocab: readonly string[], sample: () => number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i += 1) out.push(vocab[sample()] ?? 'x');
  return out.join(' ');
}
