/**
 * Near-duplicate reuse: after a small edit (a sentence added, a word changed) an editor's suggestions for the
 * entry rarely change, so the last result computed for the same user, entry, prompt version, model and params
 * answers again when the new input is at least `minSimilarity` similar to the input that result was computed for.
 *
 * Similarity is the Jaccard index of the inputs' word 3-shingles (plus one feature per tag), estimated from a
 * bottom-k sketch (the k smallest 32-bit shingle hashes; exact while an input has at most k shingles, about
 * k words). The sketch kept is always the one of the input the model actually saw; a reused answer never moves
 * it, so a run of small edits drifts at most `1 − minSimilarity` from what the model read before a fresh call is
 * made. Tasks whose answer depends on every word (PII) or on other entries (related) never reuse (TaskPolicy).
 */
import { canonicalJson, sha256 } from '../gateway/callKey.ts';
import type { ModelParams } from '../providers/port.ts';
import type { TaskInput } from '../tasks.ts';

/** Hashes kept per sketch: exact Jaccard for inputs up to this many shingles, ±~0.02 at 0.9 beyond. */
export const SKETCH_SIZE = 256;

/** 32-bit FNV-1a of a string's UTF-16 code units. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The shingle features of an input: word 3-grams of title and body (single words when shorter), and tags. */
function features(input: TaskInput): string[] {
  const words = `${input.title}\n${input.body}`
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
  const out: string[] = [];
  if (words.length < 3) out.push(...words);
  for (let i = 0; i + 2 < words.length; i += 1) out.push(`${words[i]} ${words[i + 1]} ${words[i + 2]}`);
  for (const tag of input.tags) out.push(`#${tag}`);
  return out;
}

/** The bottom-k sketch of an input (sorted ascending, distinct). */
export function sketchOf(input: TaskInput): Uint32Array {
  const hashes = new Uint32Array(new Set(features(input).map(fnv1a)));
  hashes.sort();
  return hashes.length > SKETCH_SIZE ? hashes.slice(0, SKETCH_SIZE) : hashes;
}

/**
 * Estimated Jaccard similarity of the two sets behind two sketches: among the k smallest hashes of the union,
 * the share found in both. Two empty inputs are identical (1).
 */
export function similarity(a: Uint32Array, b: Uint32Array): number {
  const k = Math.min(SKETCH_SIZE, Math.max(a.length, b.length));
  if (k === 0) return 1;
  let i = 0;
  let j = 0;
  let taken = 0;
  let shared = 0;
  while (taken < k && (i < a.length || j < b.length)) {
    const x = i < a.length ? (a[i] as number) : Number.POSITIVE_INFINITY;
    const y = j < b.length ? (b[j] as number) : Number.POSITIVE_INFINITY;
    if (x === y) {
      shared += 1;
      i += 1;
      j += 1;
    } else if (x < y) {
      i += 1;
    } else {
      j += 1;
    }
    taken += 1;
  }
  return shared / taken;
}

/** A sketch as cache-storable text. */
export function encodeSketch(sketch: Uint32Array): string {
  return Buffer.from(sketch.buffer, sketch.byteOffset, sketch.byteLength).toString('base64');
}

/** The sketch stored by encodeSketch. */
export function decodeSketch(text: string): Uint32Array {
  const bytes = Buffer.from(text, 'base64');
  const copy = new Uint8Array(bytes.byteLength - (bytes.byteLength % 4));
  copy.set(bytes.subarray(0, copy.byteLength));
  return new Uint32Array(copy.buffer);
}

/** What makes two calls "the same question about the same entry" apart from the input. */
export interface ReuseKeyParts {
  readonly promptHash: string;
  readonly model: string;
  readonly params: ModelParams;
  /** The memo scope (`user:<id>`, `tenant:<id>`). */
  readonly scope: string;
  readonly entryId: string;
}

/** The key under which the last computed result of a (scope, entry, prompt version, model, params) is anchored. */
export function reuseKey(parts: ReuseKeyParts): string {
  return sha256(
    canonicalJson({
      promptHash: parts.promptHash,
      model: parts.model,
      params: parts.params,
      scope: parts.scope,
      entryId: parts.entryId,
    }),
  );
}

/** The anchor kept per reuse key: the call whose result may answer, and the sketch of its input. */
export interface ReuseAnchor {
  readonly callKey: string;
  readonly sketch: string;
}
