/**
 * Prompt-injection, jailbreak and system-prompt-extraction detection over untrusted text (entry bodies,
 * titles, retrieved snippets, editor requests). The text is folded (normalize.ts), embedded encodings are
 * decoded and scanned too, and hidden CMS carriers (carriers.ts) add weight when they hold instructions.
 * Each kind's verdict is a weighted sum of distinct signals (signals.ts) against a threshold.
 */
import { findCarriers } from './carriers.ts';
import { decodeEmbedded, foldText, INVISIBLE_CHARS, rot13 } from './normalize.ts';
import { type IndexedSignal, KEY_LENGTH, SIGNALS, type SignalWeights } from './signals.ts';

/** The detector's verdict on one text. */
export interface InjectionVerdict {
  /** Instructions aimed at the model that try to override its task (direct or hidden in content). */
  readonly injection: boolean;
  /** Role-play / "DAN" / developer-mode attempts to lift the model's rules. */
  readonly jailbreak: boolean;
  /** Attempts to make the model disclose its system prompt or instructions. */
  readonly extraction: boolean;
  /** 0…1; ≥ 0.5 exactly when one of the three flags is set. */
  readonly score: number;
  /** Names of the signals that fired (prefixed `decoded:` when found in decoded text). */
  readonly signals: readonly string[];
}

/** Raw-score thresholds per kind, set on the dev split. */
export const THRESHOLDS = Object.freeze({ injection: 4, jailbreak: 4, extraction: 4 });

type Kind = keyof SignalWeights;
const KINDS: readonly Kind[] = ['injection', 'jailbreak', 'extraction'];

interface Tally {
  readonly fired: Map<string, SignalWeights>;
}

function collect(folded: string, tally: Tally, prefix: string): void {
  for (const signal of matchingSignals(folded, true)) {
    if (tally.fired.has(signal.name) || tally.fired.has(`decoded:${signal.name}`)) continue;
    tally.fired.set(`${prefix}${signal.name}`, signal.weights);
  }
}

/**
 * The signals whose pattern matches folded text. With `prefilter`, a signal's pattern only runs when one of its
 * keys is in the text; a test checks over every suite text that this never changes the result.
 */
export function matchingSignals(folded: string, prefilter: boolean): readonly IndexedSignal[] {
  let index: Set<string> | undefined;
  const out: IndexedSignal[] = [];
  for (const signal of SIGNALS) {
    if (prefilter) {
      index ??= tokenPrefixes(folded);
      if (!passesKeys(signal, index, folded)) continue;
    }
    if (matches(signal, folded)) out.push(signal);
  }
  return out;
}

/** The automatic prefilter for signals without an anchor: a literal word prefix or an emoji needle is present. */
export function passesKeys(signal: IndexedSignal, prefixes: ReadonlySet<string>, folded: string): boolean {
  return signal.keys.some((k) => prefixes.has(k)) || signal.needles.some((n) => folded.includes(n));
}

/** Every prefix (2…KEY_LENGTH letters) of every letter run in the text: the signals' prefilter index. */
export function tokenPrefixes(folded: string): Set<string> {
  const out = new Set<string>();
  for (const m of folded.matchAll(/[a-z]{2,}/g)) {
    const w = m[0];
    const n = Math.min(w.length, KEY_LENGTH);
    for (let i = 2; i <= n; i++) out.add(w.slice(0, i));
  }
  return out;
}

function matches(signal: IndexedSignal, text: string): boolean {
  const m = signal.re.exec(text);
  if (m === null) return false;
  if (signal.test === undefined || signal.test(m[0])) return true;
  // The first match failed the post-filter; a later one may pass.
  signal.global.lastIndex = 0;
  for (const mm of text.matchAll(signal.global)) if (signal.test(mm[0])) return true;
  return false;
}

const CARRIER_BONUS: SignalWeights = { injection: 1.5 };
const DECODED_BONUS: SignalWeights = { injection: 1.5, jailbreak: 0.5, extraction: 0.5 };
const CASED_DAN: SignalWeights = { jailbreak: 2.5 };
/** Invented model personas ("BasedGPT", "STMGPT", "EvilBOT"), matched in the original case. */
const PERSONA_NAME = /\b(?!Chat|Auto|Open)[A-Z][A-Za-z0-9]*(?:GPT|BOT|Bot)\b|\b[A-Z]{3,}-?(?:GPT|AI)\b/;
const PERSONA_WEIGHT: SignalWeights = { jailbreak: 1.5 };

function rawScores(fired: ReadonlyMap<string, SignalWeights>): Record<Kind, number> {
  const sums: Record<Kind, number> = { injection: 0, jailbreak: 0, extraction: 0 };
  for (const w of fired.values()) for (const k of KINDS) sums[k] += w[k] ?? 0;
  return sums;
}

/** Scores one text and returns the verdict (see {@link InjectionVerdict}). */
export function detectInjection(text: string): InjectionVerdict {
  const tally: Tally = { fired: new Map() };
  const folded = foldText(text);
  collect(folded, tally, '');
  if (/\bDAN\b/.test(text)) tally.fired.set('jb.dan-cased', CASED_DAN);
  if (PERSONA_NAME.test(text)) tally.fired.set('jb.persona-name', PERSONA_WEIGHT);
  const visible = text.normalize('NFKC').replace(INVISIBLE_CHARS, '');
  const decoded = [...decodeEmbedded(visible)];
  if (/\brot-?13\b/i.test(visible)) decoded.push(rot13(visible));
  for (const d of decoded) {
    const before = tally.fired.size;
    collect(foldText(d), tally, 'decoded:');
    if (tally.fired.size > before) tally.fired.set('decoded-payload', DECODED_BONUS);
  }
  for (const carrier of findCarriers(text)) {
    if (tally.fired.has('carrier')) break;
    const inner: Tally = { fired: new Map() };
    collect(foldText(carrier.text), inner, '');
    const s = rawScores(inner.fired);
    if (s.injection >= 2 || s.extraction >= 2 || s.jailbreak >= 3) {
      tally.fired.set('carrier', CARRIER_BONUS);
      tally.fired.set(`carrier:${carrier.kind}`, {});
    }
  }
  return verdictOf(tally.fired);
}

function verdictOf(fired: ReadonlyMap<string, SignalWeights>): InjectionVerdict {
  const raw = rawScores(fired);
  let score = 0;
  for (const k of KINDS) score = Math.max(score, raw[k] / (raw[k] + THRESHOLDS[k]));
  return Object.freeze({
    injection: raw.injection >= THRESHOLDS.injection,
    jailbreak: raw.jailbreak >= THRESHOLDS.jailbreak,
    extraction: raw.extraction >= THRESHOLDS.extraction,
    score: Math.round(score * 1000) / 1000,
    signals: Object.freeze([...fired.keys()]),
  });
}

/** True when a verdict flags anything. */
export function isFlagged(v: InjectionVerdict): boolean {
  return v.injection || v.jailbreak || v.extraction;
}

/**
 * Removes the parts of `text` that carry instructions for a model: flagged hidden carriers (comment, hidden
 * element and zero-width runs whole; the inside of alt text, titles, attributes and flagged front-matter
 * lines) and flagged sentences of the visible text. `removed` counts the parts taken out.
 */
export function stripInjection(text: string): { readonly text: string; readonly removed: number } {
  const hidden = applyCuts(text, carrierCuts(text));
  const visible = applyCuts(hidden.text, sentenceCuts(hidden.text));
  return Object.freeze({ text: visible.text, removed: hidden.removed + visible.removed });
}

type Cut = { start: number; end: number };

/** Flagged carriers: whole comments, hidden elements and zero-width runs; the inside of the others. */
function carrierCuts(text: string): Cut[] {
  const cuts: Cut[] = [];
  for (const c of findCarriers(text)) {
    if (c.kind === 'front-matter') {
      let offset = c.innerStart;
      for (const line of c.text.split('\n')) {
        if (isSuspicious(line)) cuts.push({ start: offset, end: offset + line.length });
        offset += line.length + 1;
      }
    } else if (isSuspicious(c.text)) {
      const whole = c.kind === 'html-comment' || c.kind === 'hidden-element' || c.kind === 'zero-width-run';
      cuts.push(whole ? { start: c.start, end: c.end } : { start: c.innerStart, end: c.innerEnd });
    }
  }
  return cuts;
}

/** Flagged sentences (or lines) of the text that is left once the carriers are gone. */
function sentenceCuts(text: string): Cut[] {
  const cuts: Cut[] = [];
  for (const m of text.matchAll(/[^\n]+?(?:[.!?]+["')\]]*(?=\s|$)|(?=\n)|$)/g)) {
    if (m[0].trim().length > 0 && isSuspicious(m[0])) cuts.push({ start: m.index, end: m.index + m[0].length });
  }
  return cuts;
}

function applyCuts(text: string, cuts: readonly Cut[]): { text: string; removed: number } {
  const merged = mergeCuts(cuts);
  let out = '';
  let at = 0;
  for (const c of merged) {
    out += text.slice(at, c.start);
    at = c.end;
  }
  return { text: out + text.slice(at), removed: merged.length };
}

/** A fragment is stripped when it is flagged on its own or carries clear model-directed instructions. */
function isSuspicious(fragment: string): boolean {
  const v = detectInjection(fragment);
  if (isFlagged(v)) return true;
  const tally: Tally = { fired: new Map() };
  collect(foldText(fragment), tally, '');
  const raw = rawScores(tally.fired);
  return raw.injection >= 3 || raw.extraction >= 3;
}

function mergeCuts(cuts: readonly Cut[]): readonly Cut[] {
  const sorted = [...cuts].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Cut[] = [];
  for (const c of sorted) {
    const last = out.at(-1);
    if (last !== undefined && c.start <= last.end) last.end = Math.max(last.end, c.end);
    else out.push({ ...c });
  }
  return out;
}
