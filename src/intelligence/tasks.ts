/**
 * The AI tasks Galley offers editors, with their input, their output schemas and their default policies. This is
 * the one list: prompts (prompts/<task>.md), flags (`ai.<task>`), evals (evals/<task>/) and the API route
 * `…/entries/{id}/ai/{task}` are all keyed by these names, and a test checks each task has all four.
 */
import { type Static, Type } from 'typebox';

/** Every AI task, in display order. */
export const TASK_NAMES = Object.freeze(['summary', 'titles', 'tags', 'seo', 'pii', 'related'] as const);

/** One AI task's name. */
export type TaskName = (typeof TASK_NAMES)[number];

/** True when `value` names a task. */
export function isTaskName(value: string): value is TaskName {
  return (TASK_NAMES as readonly string[]).includes(value);
}

/** A published entry offered as context (retrieval) to tasks that need it (`related`). */
export interface RetrievedDoc {
  readonly entryId: string;
  readonly title: string;
  /** A short excerpt of the entry (search snippet or leading text). */
  readonly snippet: string;
  /** Retrieval score (higher is more relevant); comparable within one retrieval only. */
  readonly score: number;
}

/**
 * What every task reads: the entry's fields as the editor has them. Normalized (trimmed, whitespace collapsed,
 * tags lower-cased and sorted) before hashing so that equivalent inputs share one memoized result.
 */
export interface TaskInput {
  readonly title: string;
  /** Markdown body; may be empty. */
  readonly body: string;
  readonly tags: readonly string[];
  /** BCP 47 language tag when known (e.g. `en`, `de`); absent = detect/assume English. */
  readonly locale?: string;
  /** Retrieved related entries (only for tasks with `needsRetrieval`). */
  readonly context?: readonly RetrievedDoc[];
}

/** Output schemas, one per task. Providers must return JSON matching them; the gateway validates before storing. */
export const TASK_OUTPUT_SCHEMAS = Object.freeze({
  summary: Type.Object({ summary: Type.String({ minLength: 1, maxLength: 1200 }) }, { additionalProperties: false }),
  titles: Type.Object(
    { titles: Type.Array(Type.String({ minLength: 1, maxLength: 140 }), { minItems: 1, maxItems: 5 }) },
    { additionalProperties: false },
  ),
  tags: Type.Object(
    { tags: Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { minItems: 0, maxItems: 10 }) },
    { additionalProperties: false },
  ),
  seo: Type.Object({ description: Type.String({ minLength: 1, maxLength: 160 }) }, { additionalProperties: false }),
  pii: Type.Object(
    {
      findings: Type.Array(
        Type.Object({
          kind: Type.String(),
          text: Type.String(),
          start: Type.Integer({ minimum: 0 }),
          end: Type.Integer({ minimum: 0 }),
        }),
      ),
      redacted: Type.String(),
    },
    { additionalProperties: false },
  ),
  related: Type.Object(
    {
      related: Type.Array(Type.Object({ entryId: Type.String(), title: Type.String(), score: Type.Number() }), {
        maxItems: 10,
      }),
    },
    { additionalProperties: false },
  ),
});

/** The output type of task `T`. */
export type TaskOutput<T extends TaskName> = Static<(typeof TASK_OUTPUT_SCHEMAS)[T]>;

/** Any task's output. */
export type AnyTaskOutput = { [T in TaskName]: TaskOutput<T> }[TaskName];

/** How the gateway treats a task. */
export interface TaskPolicy {
  /** Wall-clock limit for one model call (AbortSignal). */
  readonly timeoutMs: number;
  /** True when the task gets retrieved related entries as context. */
  readonly needsRetrieval: boolean;
  /** What to do when injection patterns are found in the entry text or context. */
  readonly onInjection: 'flag' | 'strip' | 'refuse';
  /** Upper bound of output tokens requested from a provider (also the reservation estimate). */
  readonly maxOutputTokens: number;
  /**
   * Who shares memoized results: `user` (default; one editor's repeated request is free, another editor's is a
   * new call) or `tenant` (results depend only on content, e.g. PII checks, so the whole tenant shares them).
   */
  readonly memoScope: 'user' | 'tenant';
  /**
   * The least similarity (0–1) at which the last answer for the same entry serves a near-duplicate input
   * (memo/nearDuplicates.ts); GALLEY_AI_REUSE_SIMILARITY applies when stricter. 1 = never: every word matters
   * (a new sentence can hold PII) or the answer depends on other entries (related). Summary is stricter than
   * the other suggestions: at 0.9 its golden set lost a case under `galley eval --reuse`, at 0.93–0.95 none.
   */
  readonly reuseSimilarity: number;
}

/** The similarity at which `task` reuses an earlier answer, given the configured floor (1 = never). */
export function reuseThreshold(task: TaskName, configured: number): number {
  return Math.max(configured, TASK_POLICIES[task].reuseSimilarity);
}

/** Default policy per task. */
export const TASK_POLICIES: Readonly<Record<TaskName, TaskPolicy>> = Object.freeze({
  summary: {
    timeoutMs: 20_000,
    needsRetrieval: false,
    onInjection: 'strip',
    maxOutputTokens: 400,
    memoScope: 'user',
    reuseSimilarity: 0.95,
  },
  titles: {
    timeoutMs: 15_000,
    needsRetrieval: false,
    onInjection: 'strip',
    maxOutputTokens: 200,
    memoScope: 'user',
    reuseSimilarity: 0.9,
  },
  tags: {
    timeoutMs: 15_000,
    needsRetrieval: false,
    onInjection: 'strip',
    maxOutputTokens: 120,
    memoScope: 'user',
    reuseSimilarity: 0.9,
  },
  seo: {
    timeoutMs: 15_000,
    needsRetrieval: false,
    onInjection: 'strip',
    maxOutputTokens: 120,
    memoScope: 'user',
    reuseSimilarity: 0.9,
  },
  pii: {
    timeoutMs: 15_000,
    needsRetrieval: false,
    onInjection: 'flag',
    maxOutputTokens: 800,
    memoScope: 'tenant',
    reuseSimilarity: 1,
  },
  related: {
    timeoutMs: 15_000,
    needsRetrieval: true,
    onInjection: 'strip',
    maxOutputTokens: 300,
    memoScope: 'user',
    reuseSimilarity: 1,
  },
});
