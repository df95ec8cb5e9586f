/**
 * Key phrases of an entry, for tags and headline candidates. Candidates are the runs of content words between
 * stopwords and punctuation (as in RAKE), cut into phrases of one to three words. A phrase scores by how often
 * it occurs times the mean frequency of its words, with a bonus for longer phrases, for phrases in the title or
 * the lead, and for noun-ish words (capitalized mid-sentence: names in most languages, nouns in German); English
 * adverbs in -ly and lower-case German words (verbs, adjectives) count less. A multiword phrase must recur or look
 * like a name; a phrase inside a chosen longer one is dropped, and a longer phrase replaces the shorter one it
 * contains when it recurs at least half as often (else both stay).
 */
import { type Analysis, isContent, type Token } from './text.ts';

/** One key phrase. */
export interface KeyPhrase {
  /** Folded words joined by a space (identity for deduplication). */
  readonly key: string;
  /** The lower-case form as most often written. */
  readonly text: string;
  /** The form as most often written mid-sentence (original case), for headlines. */
  readonly surface: string;
  readonly score: number;
  /** Number of words. */
  readonly size: number;
  /** Occurrences in title and body. */
  readonly count: number;
}

interface PhraseStats {
  count: number;
  inTitle: boolean;
  inLead: boolean;
  named: boolean;
  weight: number;
  readonly words: readonly string[];
}

/** A run of key words and where it was found. */
interface Run {
  readonly tokens: readonly Token[];
  readonly place: Place;
}

type Place = 'title' | 'lead' | 'body';

/** A scored phrase before its written forms are looked up. */
interface Scored {
  readonly key: string;
  readonly score: number;
  readonly size: number;
  readonly count: number;
}

const LENGTH_BONUS = [0, 1, 1.6, 1.9] as const;
const MAX_WORDS = 3;

/** Up to `limit` key phrases of `analysis`, best first. */
export function extractKeyPhrases(analysis: Analysis, limit = 20): KeyPhrase[] {
  const all: Run[] = [];
  const tf = new Map<string, number>();
  const record = (tokens: readonly Token[], place: Place) => {
    for (const run of runs(tokens)) {
      all.push({ tokens: run, place });
      for (const t of run) tf.set(t.key, (tf.get(t.key) ?? 0) + (place === 'title' ? 2 : 1));
    }
  };
  record(analysis.titleTokens, 'title');
  for (const s of analysis.sentences) record(s.tokens, s.index < 3 ? 'lead' : 'body');
  const stats = new Map<string, PhraseStats>();
  for (const run of all) collect(run, analysis.language, stats);
  const scored: Scored[] = [];
  for (const [key, s] of stats) {
    const size = s.words.length;
    if (size > 1 && s.count < 2 && !s.named) continue;
    const meanTf = s.words.reduce((sum, w) => sum + (tf.get(w) ?? 1), 0) / size;
    const score =
      s.count *
      meanTf *
      (LENGTH_BONUS[size] ?? 1) *
      (s.weight / s.count) *
      (s.inTitle ? 1.5 : 1) *
      (s.inLead ? 1.15 : 1);
    scored.push({ key, score, size, count: s.count });
  }
  scored.sort((a, b) => b.score - a.score || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return withForms(choose(scored, limit), all);
}

/** Adds every phrase of one to three words in `run` to `stats` (keys built incrementally). */
function collect(run: Run, language: string, stats: Map<string, PhraseStats>): void {
  const { tokens, place } = run;
  const body = place !== 'title';
  const weights = tokens.map((t) => wordWeight(t, language, body));
  for (let i = 0; i < tokens.length; i++) {
    let key = '';
    let weight = 0;
    let named = body;
    for (let size = 1; size <= MAX_WORDS && i + size <= tokens.length; size++) {
      const t = tokens[i + size - 1];
      if (t === undefined) break;
      key = size === 1 ? t.key : `${key} ${t.key}`;
      weight += weights[i + size - 1] ?? 1;
      named &&= t.midCapital;
      let s = stats.get(key);
      if (s === undefined) {
        s = { count: 0, inTitle: false, inLead: false, named: false, weight: 0, words: key.split(' ') };
        stats.set(key, s);
      }
      s.count += 1;
      s.inTitle ||= place === 'title';
      s.inLead ||= place === 'lead';
      s.named ||= named;
      s.weight += weight / size;
    }
  }
}

/**
 * The chosen phrases with their written forms: the most frequent lower-case form, and the most frequent form as
 * written mid-sentence (sentence-initial and title capitals say nothing about a word, so they count only when
 * nothing else does).
 */
function withForms(chosen: readonly Scored[], all: readonly Run[]): KeyPhrase[] {
  const wanted = new Map(
    chosen.map((c) => [c.key, { lower: new Map<string, number>(), surface: new Map<string, number>() }]),
  );
  for (const { tokens, place } of all) {
    for (let i = 0; i < tokens.length; i++) {
      let key = '';
      for (let size = 1; size <= MAX_WORDS && i + size <= tokens.length; size++) {
        const last = tokens[i + size - 1];
        if (last === undefined) break;
        key = size === 1 ? last.key : `${key} ${last.key}`;
        const forms = wanted.get(key);
        if (forms === undefined) continue;
        const words = tokens.slice(i, i + size);
        const first = words[0] ?? last;
        const lower = words.map((w) => w.lower).join(' ');
        const surface = words.map((w) => w.text).join(' ');
        const telling = place !== 'title' && (first.midCapital || first.text === first.lower);
        forms.lower.set(lower, (forms.lower.get(lower) ?? 0) + 1);
        forms.surface.set(surface, (forms.surface.get(surface) ?? 0) + (telling ? 1 : 0.001));
      }
    }
  }
  return chosen.map((c) => {
    const forms = wanted.get(c.key);
    return {
      ...c,
      text: forms === undefined ? c.key : mostFrequent(forms.lower),
      surface: forms === undefined ? c.key : mostFrequent(forms.surface),
    };
  });
}

/** A word that can be part of a key phrase: content, and not a figure (`2.1bn`, `5g`, `70%`). */
function isKeyword(t: Token): boolean {
  if (!isContent(t) || /^\p{N}/u.test(t.text)) return false;
  if (t.lower.length >= 3 || /\p{Lo}/u.test(t.lower)) return true;
  return /^\p{Lu}{2}$/u.test(t.text);
}

/** Maximal runs of key words not separated by stopwords or punctuation. */
function runs(tokens: readonly Token[]): Token[][] {
  const out: Token[][] = [];
  let run: Token[] = [];
  tokens.forEach((t, i) => {
    const previous = tokens[i - 1];
    const joined = previous !== undefined && run.length > 0 && t.start - previous.end <= 1;
    if (!isKeyword(t)) {
      if (run.length > 0) out.push(run);
      run = [];
      return;
    }
    if (!joined && run.length > 0) {
      out.push(run);
      run = [];
    }
    run.push(t);
  });
  if (run.length > 0) out.push(run);
  return out;
}

/** How noun-like a word looks (1 = neutral). */
function wordWeight(w: Token, language: string, body: boolean): number {
  // Title case says nothing in English; a lower-case word in a German title is still no noun.
  if (!body) return language === 'de' && w.text === w.lower ? 0.6 : 1;
  if (w.midCapital) return 1.3;
  if (language === 'de' && w.text === w.lower) return 0.6;
  if (language === 'en' && w.lower.endsWith('ly')) return 0.5;
  return 1;
}

function mostFrequent(counts: ReadonlyMap<string, number>): string {
  let best = '';
  let bestCount = -1;
  for (const [form, count] of counts) {
    if (count > bestCount || (count === bestCount && form < best)) {
      best = form;
      bestCount = count;
    }
  }
  return best;
}

/** Greedy choice without phrases nested in each other (see the module comment). */
function choose(sorted: readonly Scored[], limit: number): Scored[] {
  const chosen: Scored[] = [];
  const inside = (outer: string, inner: string) => ` ${outer} `.includes(` ${inner} `);
  for (const p of sorted) {
    if (chosen.length >= limit) break;
    if (chosen.some((q) => inside(q.key, p.key))) continue;
    const contained = chosen.filter((q) => inside(p.key, q.key));
    if (contained.length === 0) {
      chosen.push(p);
      continue;
    }
    // A rarer longer phrase joins the frequent shorter one ("password", "password manager") instead of replacing it.
    if (contained.some((q) => p.count * 2 < q.count)) {
      chosen.push(p);
      continue;
    }
    const at = chosen.findIndex((q) => inside(p.key, q.key));
    const rest = chosen.filter((q) => !contained.includes(q));
    rest.splice(Math.min(at, rest.length), 0, p);
    chosen.splice(0, chosen.length, ...rest);
  }
  return chosen;
}
