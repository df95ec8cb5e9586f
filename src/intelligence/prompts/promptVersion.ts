/**
 * `PromptVersion`: one registered, immutable prompt — what the gateway renders and sends. Built from a source
 * (before registration) or from a stored row (its canonical JSON), and frozen either way.
 */
import type { ModelParams } from '../providers/port.ts';
import { isTaskName, type TaskName } from '../tasks.ts';
import { type PromptSource, promptHash } from './promptSource.ts';
import type { AiPromptVersionsTable } from './tables.ts';

/** One immutable prompt version. */
export interface PromptVersion {
  readonly task: TaskName;
  /** sha256 hex of the canonical content. */
  readonly hash: string;
  readonly system: string;
  readonly user: string;
  readonly params: ModelParams;
  /** JSON schema the output must match. */
  readonly outputSchema: unknown;
  readonly description: string;
  /** Epoch ms of first registration. */
  readonly createdAt: number;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

/** The version a source becomes when registered at `createdAt`. */
export function versionOfSource(source: PromptSource, createdAt: number): PromptVersion {
  return deepFreeze({
    task: source.task,
    hash: promptHash(source),
    system: source.system,
    user: source.user,
    params: structuredClone(source.params),
    outputSchema: structuredClone(source.outputSchema),
    description: source.description,
    createdAt,
  });
}

interface CanonicalShape {
  readonly task: string;
  readonly system: string;
  readonly user: string;
  readonly params: ModelParams;
  readonly outputSchema: unknown;
}

/** A stored row → version. Throws when the row does not hold a canonical prompt (corruption). */
export function versionOfRow(row: AiPromptVersionsTable): PromptVersion {
  const parsed = JSON.parse(row.canonical) as CanonicalShape;
  if (!isTaskName(parsed.task) || parsed.task !== row.task) {
    throw new Error(`prompt version ${row.hash}: stored task "${row.task}" does not match its content`);
  }
  return deepFreeze({
    task: parsed.task,
    hash: row.hash,
    system: parsed.system,
    user: parsed.user,
    params: parsed.params,
    outputSchema: parsed.outputSchema,
    description: row.description,
    createdAt: Number(row.created_at),
  });
}
