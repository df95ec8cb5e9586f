/**
 * Identity of a model call. Two requests with the same call key are the same call: they share one queued job
 * (the queue's idempotency key), one stored result and one memo entry. The key is
 * `sha256(promptVersionHash, model, params, normalizedInput, scope)`, where the scope is `user:<id>` (results
 * memoized per user, the default), `tenant:<id>` (shared across a tenant) or a run scope such as `eval:<run>`.
 */
import { createHash } from 'node:crypto';
import type { ModelParams } from '../providers/port.ts';
import type { TaskInput } from '../tasks.ts';

/** Whitespace collapsed and trimmed; line breaks kept as single newlines (they carry paragraph structure). */
function normalizeText(text: string): string {
  return text
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/[^\S\n]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * The input as the gateway hashes and sends it: text normalized, tags lower-cased, deduplicated and sorted,
 * context in retrieval order. Equivalent edits (trailing spaces, tag order) give the same call key.
 */
export function normalizeInput(input: TaskInput): TaskInput {
  const tags = [...new Set(input.tags.map((t) => t.trim().toLowerCase()).filter((t) => t.length > 0))].sort();
  return Object.freeze({
    title: normalizeText(input.title),
    body: normalizeText(input.body),
    tags: Object.freeze(tags),
    ...(input.locale === undefined ? {} : { locale: input.locale.trim().toLowerCase() }),
    ...(input.context === undefined
      ? {}
      : {
          context: Object.freeze(
            input.context.map((d) =>
              Object.freeze({
                entryId: d.entryId,
                title: normalizeText(d.title),
                snippet: normalizeText(d.snippet),
                score: d.score,
              }),
            ),
          ),
        }),
  });
}

/** JSON with object keys sorted at every level, so equal values always serialize the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries);
  });
}

/** sha256 hex of a string. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Hash of a normalized input (the audit's `input_hash`). */
export function inputHash(input: TaskInput): string {
  return sha256(canonicalJson(input));
}

/** What a call key is made of. */
export interface CallKeyParts {
  readonly promptHash: string;
  readonly model: string;
  readonly params: ModelParams;
  /** Already normalized (normalizeInput). */
  readonly input: TaskInput;
  /** `user:<id>`, `tenant:<id>`, `eval:<run>`, `shadow:<…>`. */
  readonly scope: string;
}

/** The call key (64 hex chars). */
export function callKey(parts: CallKeyParts): string {
  return sha256(
    canonicalJson({
      promptHash: parts.promptHash,
      model: parts.model,
      params: parts.params,
      input: parts.input,
      scope: parts.scope,
    }),
  );
}
